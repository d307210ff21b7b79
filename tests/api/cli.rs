//! The `yui` binary as an operator uses it.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::*;

fn yui(args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yui"));
    // A key of its own, so that no run leaves a generated key in the working directory.
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("YUI_ENV")
        .env("YUI_JWT_SECRET", std::str::from_utf8(SECRET).unwrap());
    for (key, value) in envs {
        command.env(key, value);
    }
    command
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create-user", "--help"],
    ] {
        let output = yui(&args, &[]).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
}

fn stderr_line(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn a_bad_database_url_stops_start_up_with_one_clear_line() {
    let output = yui(
        &["migrate"],
        &[("DATABASE_URL", "mysql://root@localhost/yui")],
    )
    .output()
    .unwrap();
    assert!(!output.status.success());
    let stderr = stderr_line(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("DATABASE_URL") && stderr.contains("mysql://"),
        "{stderr}"
    );
    if !cfg!(feature = "postgres") {
        let output = yui(
            &["migrate"],
            &[("DATABASE_URL", "postgres://u@localhost/yui")],
        )
        .output()
        .unwrap();
        assert!(!output.status.success());
        let stderr = stderr_line(&output);
        assert!(
            stderr.contains("DATABASE_URL") && stderr.contains("--features postgres"),
            "{stderr}"
        );
    }
}

#[test]
fn production_without_a_signing_key_does_not_start() {
    let output = yui(
        &["migrate"],
        &[
            ("YUI_ENV", "production"),
            ("DATABASE_URL", "sqlite:///nonexistent/yui.db"),
        ],
    )
    .env_remove("YUI_JWT_SECRET")
    .output()
    .unwrap();
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("YUI_JWT_SECRET"));
}

#[test]
fn an_unreachable_database_is_retried_then_start_up_fails() {
    let output = yui(
        &["migrate"],
        &[
            (
                "DATABASE_URL",
                "sqlite:///nonexistent-dir-for-yui-tests/yui.db",
            ),
            ("YUI_DB_CONNECT_ATTEMPTS", "3"),
            ("YUI_DB_CONNECT_BACKOFF_MS", "10"),
            ("RUST_LOG", "warn"),
        ],
    )
    .output()
    .unwrap();
    assert!(!output.status.success());
    let stderr = stderr_line(&output);
    assert_eq!(stderr.matches("retrying in").count(), 2, "{stderr}");
    assert!(
        stderr.contains("not reachable after 3 attempts"),
        "{stderr}"
    );
}

#[actix_web::test]
async fn admin_create_user_makes_the_first_coordinator() {
    let db = TestDb::new();
    let url = db.url();
    let mut child = yui(
        &[
            "admin",
            "create-user",
            "--email",
            "Coordinator@Nara-East.example.jp",
            "--role",
            "coordinator",
        ],
        &[
            ("DATABASE_URL", url.as_str()),
            ("YUI_JWT_SECRET", std::str::from_utf8(SECRET).unwrap()),
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("created coordinator account"));

    // From the environment as well, and a bad role is refused without a panic.
    let output = yui(
        &[
            "admin",
            "create-user",
            "--email",
            "admin@nara-east.example.jp",
            "--role",
            "admin",
        ],
        &[("DATABASE_URL", url.as_str()), ("YUI_PASSWORD", PASSWORD)],
    )
    .output()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = yui(
        &[
            "admin",
            "create-user",
            "--email",
            "x@nara-east.example.jp",
            "--role",
            "emperor",
        ],
        &[("DATABASE_URL", url.as_str()), ("YUI_PASSWORD", PASSWORD)],
    )
    .output()
    .unwrap();
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("role"));

    let app = TestApp::spawn_on(db, |_| {}).await;
    let tokens = app
        .login("coordinator@nara-east.example.jp", PASSWORD)
        .await;
    let (_, me) = app.get("/api/v1/me", Some(&access_token(&tokens))).await;
    assert_eq!(me["role"], "coordinator");
    assert_eq!(me["status"], "active");
}

/// `yui` with no arguments and no environment serves on SQLite in the working directory and
/// says where it listens and where the data lives.
#[test]
fn serve_needs_no_configuration_and_says_where_things_are() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("yui_serve_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = yui(&[], &[("YUI_BIND", "127.0.0.1:0"), ("RUST_LOG", "info")])
        .env_remove("YUI_JWT_SECRET")
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let listening = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if line.contains("listening on") {
                    break Some(line);
                }
                seen.push(line);
            }
            _ => break None,
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let line = listening.unwrap_or_else(|| panic!("no listening line in {seen:?}"));
    assert!(line.contains("http://127.0.0.1:"), "{line}");
    assert!(
        line.contains(&format!("SQLite file {}", dir.join("yui.db").display())),
        "{line}"
    );
    assert!(
        dir.join("yui.db").is_file(),
        "the database was created and migrated"
    );
    assert!(
        dir.join("yui.db.jwt-key").is_file(),
        "a development key beside it"
    );
    assert!(
        seen.iter()
            .any(|l| l.contains("generated a development signing key")),
        "{seen:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = std::env::temp_dir().join(format!("yui_json_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("yui.db").display());
    let output = yui(
        &["migrate"],
        &[
            ("DATABASE_URL", url.as_str()),
            ("YUI_LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
        ],
    )
    .output()
    .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let record: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            record["level"].is_string() && record["fields"]["message"].is_string(),
            "{line}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn seed_demo_twice_duplicates_nothing() {
    let db = TestDb::new();
    let url = db.url();
    let mut outputs = Vec::new();
    for _ in 0..2 {
        let output = yui(
            &["seed-demo"],
            &[("DATABASE_URL", url.as_str()), ("RUST_LOG", "warn")],
        )
        .output()
        .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        outputs.push(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    assert!(
        outputs[0].contains("3 hubs, 60 residents, 8 volunteers, 2 post trips, 60 requests"),
        "{}",
        outputs[0]
    );
    assert_eq!(outputs[0], outputs[1]);

    let app = TestApp::spawn_on(db, |_| {}).await;
    let coordinator = access_token(
        &app.login(
            "coordinator@nara-east.example.jp",
            "tsukigase-coordinator-demo",
        )
        .await,
    );
    let (_, requests) = app
        .get("/api/v1/requests?limit=100", Some(&coordinator))
        .await;
    assert_eq!(requests["items"].as_array().unwrap().len(), 60);
    let (_, review) = app
        .get("/api/v1/residents?review=true", Some(&coordinator))
        .await;
    assert!(
        review["items"].as_array().unwrap().is_empty(),
        "every demo resident lies in a neighbourhood"
    );
    let family = access_token(
        &app.login("family@nara-east.example.jp", "tsukigase-family-demo")
            .await,
    );
    let (_, mine) = app.get("/api/v1/requests", Some(&family)).await;
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        1,
        "the family sees their parent's request"
    );
    let volunteer = access_token(
        &app.login(
            "volunteer1@nara-east.example.jp",
            "tsukigase-volunteer-demo",
        )
        .await,
    );
    let (_, trips) = app.get("/api/v1/post-trips", Some(&volunteer)).await;
    assert_eq!(trips["items"].as_array().unwrap().len(), 2);
}

/// SIGTERM: the instance stops taking work, gives its job leases back and exits in time.
#[actix_web::test]
async fn sigterm_gives_the_leases_back_and_exits_within_the_grace_period() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("yui_term_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("yui.db").display().to_string();
    let mut child = yui(
        &[],
        &[
            ("YUI_BIND", "127.0.0.1:0"),
            ("RUST_LOG", "info"),
            ("DATABASE_URL", &database),
            ("YUI_DELIVERY_TICK_MS", "100"),
            ("YUI_SHUTDOWN_GRACE_SECS", "5"),
        ],
    )
    .stderr(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains("listening on")) {
        seen.push(
            lines_rx
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no listening line in {seen:?}")),
        );
    }
    // Let the jobs take their leases a few times.
    std::thread::sleep(std::time::Duration::from_millis(800));
    let target = yui::db::DatabaseTarget::Sqlite {
        path: database.clone(),
    };
    let db = yui::db::Db::new(
        target,
        &yui::db::PoolSettings {
            max_size: 1,
            checkout_timeout: std::time::Duration::from_secs(5),
        },
    );
    let leased = db
        .run("test.leases", |conn| yui::db::jobs::find(conn, "dispatch"))
        .await
        .unwrap();
    assert!(leased.is_some(), "the dispatch job never ran");
    let started = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(12),
            "still running after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    while let Ok(line) = lines_rx.recv_timeout(std::time::Duration::from_millis(500)) {
        seen.push(line);
    }
    assert!(
        seen.iter().any(|l| l.contains("leases given back")),
        "{seen:?}"
    );
    for job in ["dispatch", "watch_over", "cutoff", "retention"] {
        let row = db
            .run("test.leases", move |conn| yui::db::jobs::find(conn, job))
            .await
            .unwrap();
        if let Some(row) = row {
            assert_eq!(row.owner, None, "{job} still held");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
