//! The test harness: a real Yui on an ephemeral port with a database of its own (an SQLite
//! file, or a PostgreSQL database when `YUI_TEST_POSTGRES_URL` is set), driven over HTTP.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, Once};

use reqwest::StatusCode;
use serde_json::{Value, json};
use yui::config::Config;
use yui::db::DatabaseTarget;
use yui::services::Services;
use yui::services::accounts::NewAccount;

pub const SECRET: &[u8] = b"test secret that is long enough for HS256 signing";
pub const PASSWORD: &str = "a long enough password";

/// Every log line any test writes, for the test that checks what logs may hold.
pub static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(|| Capture)
            .try_init();
    });
}

pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// A database for one test, removed when the test ends.
pub struct TestDb {
    pub target: DatabaseTarget,
    sqlite_dir: Option<PathBuf>,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    postgres: Option<(String, String)>,
}

pub fn postgres_server_url() -> Option<String> {
    std::env::var("YUI_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

impl TestDb {
    pub fn new() -> Self {
        let name = format!("yui_test_{}", uuid::Uuid::new_v4().simple());
        if let Some(server) = postgres_server_url() {
            #[cfg(feature = "postgres")]
            {
                yui::db::postgres_admin::create_database(&server, &name).unwrap();
                let url = yui::db::postgres_admin::database_url(&server, &name);
                return TestDb {
                    target: DatabaseTarget::Postgres { url },
                    sqlite_dir: None,
                    postgres: Some((server, name)),
                };
            }
            #[cfg(not(feature = "postgres"))]
            panic!(
                "YUI_TEST_POSTGRES_URL={server} is set, but the tests were built without --features postgres"
            );
        }
        TestDb::sqlite(&name)
    }

    pub fn sqlite(name: &str) -> Self {
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("yui.db").display().to_string();
        TestDb {
            target: DatabaseTarget::Sqlite { path },
            sqlite_dir: Some(dir),
            postgres: None,
        }
    }

    /// A database someone else owns (and cleans up): only its address.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn borrowed(target: DatabaseTarget) -> Self {
        TestDb {
            target,
            sqlite_dir: None,
            postgres: None,
        }
    }

    pub fn url(&self) -> String {
        match &self.target {
            DatabaseTarget::Sqlite { path } => format!("sqlite://{path}"),
            DatabaseTarget::Postgres { url } => url.clone(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        #[cfg(feature = "postgres")]
        if let Some((server, name)) = &self.postgres {
            let _ = yui::db::postgres_admin::drop_database(server, name);
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
    // Kept for the life of the app: dropping it removes the database.
    _db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(TestDb::new(), tweak).await
    }

    pub async fn spawn_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> Self {
        capture_logs();
        let mut config = Config::for_tests(db.target.clone(), SECRET);
        tweak(&mut config);
        let launched = yui::server::launch(&config).await.unwrap();
        let handle = launched.server.handle();
        actix_web::rt::spawn(launched.server);
        TestApp {
            base: format!("http://{}", launched.address),
            services: launched.services,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            handle,
            _db: db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The database this app runs on, for a second instance beside it.
    pub fn db_target(&self) -> DatabaseTarget {
        self._db.target.clone()
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.post(self.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.delete(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    /// Presents a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.post(
            "/api/v1/auth/refresh",
            json!({ "refresh_token": refresh_token }),
            None,
        )
        .await
    }

    /// `GET path` with a bearer token, the whole response kept (headers, problem body).
    pub async fn get_raw(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Makes an account the way the CLI does and signs it in; returns (user id, tokens).
    pub async fn account(&self, role: &str) -> (String, Value) {
        self.account_in(role, None).await
    }

    /// Like `account`, working in `area`.
    pub async fn account_in(
        &self,
        role: &str,
        area: Option<yui::domain::ids::AreaId>,
    ) -> (String, Value) {
        let email = format!("{role}-{}@example.jp", uuid::Uuid::new_v4().simple());
        let user = self
            .services
            .accounts
            .create_by_staff(NewAccount {
                email: email.clone(),
                password: PASSWORD.into(),
                display_name: format!("Test {role}"),
                locale: "ja".into(),
                role: role.into(),
                area_id: area,
            })
            .await
            .unwrap();
        let tokens = self.login(&email, PASSWORD).await;
        (user.id.to_string(), tokens)
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                json!({"email": email, "password": password}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
        body
    }

    /// Every account in the database, oldest first (read directly, as no caller may).
    pub async fn accounts(&self) -> Vec<yui::domain::account::User> {
        self.services
            .db
            .run("test.accounts", |conn| {
                let filter = yui::domain::account::UserFilter::default();
                yui::db::users::list(conn, &filter, None, 100_000)
            })
            .await
            .unwrap()
    }

    /// Registers through the API; returns the new user.
    pub async fn register(&self, role: &str, email: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/auth/register",
                json!({"email": email, "password": PASSWORD, "display_name": "Hanako", "locale": "ja", "role": role}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

pub fn access_token(tokens: &Value) -> String {
    tokens["access_token"].as_str().unwrap().to_owned()
}

pub fn refresh_token(tokens: &Value) -> String {
    tokens["refresh_token"].as_str().unwrap().to_owned()
}

/// Asserts a problem+json answer of `status` whose `type` ends in `kind`.
pub async fn assert_problem(response: reqwest::Response, status: StatusCode, kind: &str) -> Value {
    let got = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (_, body) = read(response).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(body["type"].as_str().unwrap().ends_with(kind), "{body}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}
