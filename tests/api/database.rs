use std::time::Duration;

use reqwest::StatusCode;
use yui::config::Config;
use yui::db::{DatabaseTarget, Db, PoolSettings};
use yui::server::{StartupError, connect};

use crate::common::*;

#[cfg(feature = "sqlite")]
#[actix_web::test]
async fn sqlite_connections_are_set_up_for_safety() {
    let db = TestDb::sqlite(&format!("yui_pragmas_{}", uuid::Uuid::new_v4().simple()));
    let pool = Db::new(
        db.target.clone(),
        &PoolSettings {
            max_size: 2,
            checkout_timeout: Duration::from_secs(5),
        },
    );
    let settings = pool.sqlite_settings().await.unwrap().unwrap();
    assert_eq!(settings.journal_mode, "wal");
    assert_eq!(settings.busy_timeout_ms, 5000);
    assert!(settings.foreign_keys);
    assert_eq!(settings.synchronous, 2, "FULL");
}

#[actix_web::test]
async fn migrations_run_once_and_the_app_is_ready() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.services.db.migrate().await.unwrap(),
        0,
        "start-up applied them all"
    );
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn start_up_gives_up_after_the_configured_attempts() {
    let target = match postgres_server_url() {
        // A port nobody listens on.
        Some(_) => DatabaseTarget::Postgres {
            url: "postgres://postgres@127.0.0.1:1/none?connect_timeout=1".into(),
        },
        None => DatabaseTarget::Sqlite {
            path: "/nonexistent-dir-for-yui-tests/yui.db".into(),
        },
    };
    let mut config = Config::for_tests(target, SECRET);
    config.db_connect_attempts = 2;
    config.db_connect_backoff = Duration::from_millis(10);
    match connect(&config).await {
        Err(StartupError::DatabaseUnreachable {
            attempts, cause, ..
        }) => {
            assert_eq!(attempts, 2);
            // The backend's own error, not a generic "could not connect".
            let expected = if postgres_server_url().is_some() {
                "refused"
            } else {
                "unable to open database file"
            };
            assert!(cause.to_lowercase().contains(expected), "{cause}");
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("connected to a database that does not exist"),
    }
}

#[test]
fn database_urls_select_the_backend() {
    if cfg!(feature = "sqlite") {
        assert_eq!(
            DatabaseTarget::parse("yui.db"),
            Ok(DatabaseTarget::Sqlite {
                path: "yui.db".into()
            })
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/yui.db"),
            Ok(DatabaseTarget::Sqlite {
                path: "data/yui.db".into()
            })
        );
    }
    for url in ["postgres://u@h/db", "postgresql://u@h/db"] {
        let parsed = DatabaseTarget::parse(url);
        if cfg!(feature = "postgres") {
            assert_eq!(parsed, Ok(DatabaseTarget::Postgres { url: url.into() }));
        } else {
            let error = parsed.unwrap_err();
            assert!(
                error.contains("DATABASE_URL") && error.contains("--features postgres"),
                "{error}"
            );
        }
    }
    let error = DatabaseTarget::parse("mysql://root@localhost/yui").unwrap_err();
    assert!(
        error.contains("DATABASE_URL") && error.contains("mysql://"),
        "{error}"
    );
    assert!(DatabaseTarget::parse("sqlite://").is_err());
    assert!(DatabaseTarget::parse("").is_err());
}

/// Cuts the database connection with a TCP proxy between Yui and PostgreSQL: readiness
/// answers 503 while it is cut and 200 once it is back, without a restart.
#[cfg(feature = "postgres")]
#[actix_web::test]
async fn readiness_follows_the_database() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use tokio::net::{TcpListener, TcpStream};

    let Some(server) = postgres_server_url() else {
        panic!("set YUI_TEST_POSTGRES_URL to run the PostgreSQL tests");
    };
    let db = TestDb::new();
    let DatabaseTarget::Postgres { url } = &db.target else {
        unreachable!()
    };
    let upstream = server
        .split("://")
        .nth(1)
        .and_then(|rest| rest.rsplit('@').next())
        .and_then(|host| host.split('/').next())
        .unwrap()
        .to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = listener.local_addr().unwrap();
    let open = Arc::new(AtomicBool::new(true));
    let generation = Arc::new(tokio::sync::watch::channel(0u64).0);
    {
        let open = open.clone();
        let generation = generation.clone();
        actix_web::rt::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    break;
                };
                if !open.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut = generation.subscribe();
                actix_web::rt::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
    }
    let host = url
        .split('@')
        .nth(1)
        .and_then(|h| h.split('/').next())
        .unwrap();
    let proxied = url.replace(host, &proxy_addr.to_string());
    let app = TestApp::spawn_on(
        TestDb::borrowed(DatabaseTarget::Postgres { url: proxied }),
        |_| {},
    )
    .await;
    assert_eq!(app.get("/readyz", None).await.0, StatusCode::OK);

    open.store(false, Ordering::SeqCst);
    generation.send_modify(|g| *g += 1);
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    let problem = assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    // The cause (a connection error naming host and port) stays in the log.
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        !detail.contains("127.0.0.1") && !detail.to_lowercase().contains("connect"),
        "{detail}"
    );
    assert_eq!(
        app.get("/healthz", None).await.0,
        StatusCode::OK,
        "the process lives"
    );
    // An API call is told at once (within about the checkout timeout, 1 s), with when to
    // come back, instead of waiting out the client's own timeout.
    let started = std::time::Instant::now();
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "a@example.jp", "password": "long enough password"}))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(response.headers()["retry-after"], "2");
    assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(waited < Duration::from_millis(2500), "{waited:?}");

    open.store(true, Ordering::SeqCst);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        status = app.get("/readyz", None).await.0;
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK, "ready again without a restart");
    drop(app);
    drop(db);
}

/// A unit of work that panics mid-transaction leaves no open transaction behind: the next
/// writes commit, and another connection sees them.
#[actix_web::test]
async fn a_writer_that_panicked_does_not_swallow_later_writes() {
    use diesel::prelude::*;
    use yui::db::schema::audit_log::dsl;
    let app = TestApp::spawn().await;
    let db = &app.services.db;
    let row = |entity_id: &str| yui::db::audit::AuditRow {
        id: yui::domain::ids::AuditId::new(),
        area_id: None,
        actor_id: None,
        action: "test".into(),
        entity: "test".into(),
        entity_id: entity_id.into(),
        request_id: None,
        at: chrono::Utc::now().naive_utc(),
    };
    for attempt in 0..3 {
        let dying = row("dying");
        let died = db
            .transaction("test.panics", move |conn| {
                yui::db::audit::insert(conn, &dying)?;
                // (The condition only keeps the `Ok` below reachable.)
                if attempt < 10 {
                    panic!("a unit of work that panics mid-transaction");
                }
                Ok(())
            })
            .await;
        assert!(died.is_err());
    }
    for n in 0..4 {
        let kept = row(&format!("kept-{n}"));
        db.transaction("test.after", move |conn| {
            yui::db::audit::insert(conn, &kept)
        })
        .await
        .unwrap();
    }
    // Read on other connections than the writers': only what committed is there.
    let seen = db
        .run("test.read", |conn| {
            Ok(dsl::audit_log
                .filter(dsl::action.eq("test"))
                .select(dsl::entity_id)
                .order(dsl::entity_id.asc())
                .load::<String>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(seen, ["kept-0", "kept-1", "kept-2", "kept-3"]);
}
