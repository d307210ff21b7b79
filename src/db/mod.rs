//! The only module that knows which database Yui talks to. Everything above it sees
//! `DbConnection`, the `Db` handle and the query functions of the submodules.
//!
//! A lookup by a unique key reads with `get_result`, never `first`: `first` binds its
//! `LIMIT 1` as a parameter, and SQLite re-prepares a cached statement whose LIMIT is bound
//! each time it runs (a sixth of a create's CPU before this was noticed).

pub mod areas;
pub mod audit;
pub mod carriers;
pub mod escalations;
pub mod geocode;
pub mod handovers;
pub mod idempotency;
pub mod impact;
pub mod jobs;
pub mod link_codes;
pub mod neighbourhoods;
pub mod notifications;
pub mod outbox;
pub mod overview;
pub mod plans;
pub mod proxies;
pub mod refresh_tokens;
pub mod requests;
pub mod residents;
pub mod schema;
pub mod shelf;
pub mod text;
pub mod users;
pub mod webhooks;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("build yui with at least one of the features `sqlite` and `postgres`");

// The derive does not understand `#[cfg]` on variants, so the enum is spelled once per
// feature combination; the variant names stay the same everywhere.
#[cfg(all(feature = "sqlite", feature = "postgres"))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

#[cfg(all(feature = "sqlite", not(feature = "postgres")))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(diesel::SqliteConnection),
}

#[cfg(all(feature = "postgres", not(feature = "sqlite")))]
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
}

#[cfg(feature = "sqlite")]
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long an SQLite connection waits for a competing writer before it gives up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Which backend a `DATABASE_URL` names, parsed once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite { path: String },
    Postgres { url: String },
}

impl DatabaseTarget {
    /// `postgres://` and `postgresql://` select PostgreSQL; `sqlite://path` or a plain path
    /// selects SQLite. A backend this binary was not built with is refused here, before any
    /// connection is tried, with a message that names `DATABASE_URL`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            if cfg!(feature = "postgres") {
                return Ok(Self::Postgres {
                    url: url.to_owned(),
                });
            }
            return Err(
                "DATABASE_URL names PostgreSQL, but this yui was built without the \
                        `postgres` feature (build with `--features postgres`)"
                    .into(),
            );
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "DATABASE_URL has the unknown scheme `{scheme}://`; use postgres://, \
                 postgresql://, sqlite://PATH or a plain file path"
            ));
        } else {
            url
        };
        if path.is_empty() {
            return Err("DATABASE_URL `sqlite://` names no file".into());
        }
        if cfg!(feature = "sqlite") {
            Ok(Self::Sqlite {
                path: path.to_owned(),
            })
        } else {
            Err(
                "DATABASE_URL names an SQLite file, but this yui was built without the \
                 `sqlite` feature (build with `--features sqlite`)"
                    .into(),
            )
        }
    }

    /// Where the data lives, for the start-up line: never prints a password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { path } => {
                let absolute = std::path::absolute(path)
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| path.clone());
                format!("SQLite file {absolute}")
            }
            Self::Postgres { url } => format!("PostgreSQL {}", redact_password(url)),
        }
    }

    /// Where a generated development signing key is kept: beside the SQLite file, so that
    /// the data and the key that vouches for it move together; for PostgreSQL, the working
    /// directory.
    pub fn generated_key_path(&self) -> std::path::PathBuf {
        use std::path::{Path, PathBuf};
        match self {
            Self::Sqlite { path } => {
                let mut name = Path::new(path)
                    .file_name()
                    .map(|n| n.to_os_string())
                    .unwrap_or_else(|| "yui.db".into());
                name.push(".jwt-key");
                Path::new(path).with_file_name(name)
            }
            Self::Postgres { .. } => PathBuf::from("yui.jwt-key"),
        }
    }
}

/// Drops the password and the query string (which may hold `password=`).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_never_show_a_password() {
        let target = DatabaseTarget::Postgres {
            url: "postgres://yui:s3cret@db:5432/yui?password=other".into(),
        };
        let shown = target.describe();
        assert!(
            !shown.contains("s3cret") && !shown.contains("other"),
            "{shown}"
        );
        assert!(shown.contains("yui@db:5432/yui"), "{shown}");
    }

    #[test]
    fn generated_key_sits_beside_the_sqlite_file() {
        let target = DatabaseTarget::Sqlite {
            path: "data/yui.db".into(),
        };
        assert_eq!(
            target.generated_key_path(),
            std::path::PathBuf::from("data/yui.db.jwt-key")
        );
    }
}

fn redact_password(url: &str) -> String {
    let url = url.split('?').next().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// Opens connections for the pool: picks the variant from the target and keeps the real
/// connection error, which the derived `establish` would replace by a generic one.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ConnectionManager {
    pub fn new(target: DatabaseTarget) -> Self {
        Self { target }
    }

    pub fn connect(&self) -> Result<DbConnection, ConnectionError> {
        match &self.target {
            #[cfg(feature = "sqlite")]
            DatabaseTarget::Sqlite { path } => {
                let mut conn = diesel::SqliteConnection::establish(path)?;
                // synchronous=FULL: a handover recorded is a handover kept, even on power loss.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                     PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON;"
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
            #[cfg(feature = "postgres")]
            DatabaseTarget::Postgres { url } => {
                let mut conn = diesel::PgConnection::establish(url)?;
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgres(conn))
            }
            #[allow(unreachable_patterns)]
            _ => Err(ConnectionError::InvalidConnectionUrl(
                "backend not built into this binary".into(),
            )),
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        ConnectionManager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection given back inside a transaction (its work panicked) is closed, never
    /// handed to the next caller, whose `BEGIN` would become a savepoint of the dead one.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::connection::TransactionManager;
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// Pool settings that start-up reads from the configuration.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: u32,
    pub checkout_timeout: Duration,
}

/// The handle the services hold: a pool and the rule that database work runs on the
/// blocking pool, never on the async workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    target: DatabaseTarget,
    /// SQLite has one writer at a time, so this process writes through one connection of its
    /// own, opened on first use. Queueing writers on its lock, where a waiter wakes the moment
    /// it is free, beats SQLite's busy handler, which sleeps in steps of up to 100 ms (p99 of
    /// concurrent creates fell from 1.3 s); and one writer keeps its page cache, which SQLite
    /// drops at the start of a transaction whenever another connection wrote since (pooled
    /// writers re-read some 50 pages per create). See README, Measuring.
    sqlite_writer: Option<Arc<Mutex<Option<DbConnection>>>>,
}

impl Db {
    /// Builds the pool without opening connections: start-up checks reachability itself,
    /// with retries, and a pool that starts empty recovers by itself when the database does.
    pub fn new(target: DatabaseTarget, settings: &PoolSettings) -> Self {
        let pool = r2d2::Pool::builder()
            .max_size(settings.max_size)
            .min_idle(Some(0))
            .connection_timeout(settings.checkout_timeout)
            .test_on_check_out(true)
            .build_unchecked(ConnectionManager::new(target.clone()));
        let sqlite_writer =
            matches!(target, DatabaseTarget::Sqlite { .. }).then(|| Arc::new(Mutex::new(None)));
        Self {
            pool,
            target,
            sqlite_writer,
        }
    }

    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    /// Opens one connection outside the pool, to tell whether the database is reachable.
    pub fn probe(&self) -> Result<(), ConnectionError> {
        ConnectionManager::new(self.target.clone())
            .connect()
            .map(|_| ())
    }

    /// Runs `work` with a pooled connection on the blocking pool, inside a `db` span that
    /// hangs under the caller's span.
    pub async fn run<T, F>(&self, operation: &'static str, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let parent = tracing::Span::current();
        actix_web::web::block(move || {
            let span = tracing::info_span!(parent: &parent, "db", operation);
            let _entered = span.enter();
            let mut conn = pool
                .get()
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking pool: {e}")))?
    }

    /// Like `run`, inside one write transaction (see `write_transaction`): the unit of work
    /// of a service. On SQLite it runs on the process's one writer connection.
    pub async fn transaction<T, F>(&self, operation: &'static str, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let Some(writer) = self.sqlite_writer.clone() else {
            return self
                .run(operation, move |conn| write_transaction(conn, work))
                .await;
        };
        let manager = ConnectionManager::new(self.target.clone());
        let parent = tracing::Span::current();
        actix_web::web::block(move || {
            use diesel::connection::TransactionManager;
            type Manager = <DbConnection as Connection>::TransactionManager;
            let span = tracing::info_span!(parent: &parent, "db", operation);
            let _entered = span.enter();
            // Held for the whole transaction. A writer that panicked may have left its
            // transaction open: its connection is dropped and a new one opened.
            let mut slot = writer.lock().unwrap_or_else(|poisoned| {
                writer.clear_poison();
                let mut slot = poisoned.into_inner();
                *slot = None;
                slot
            });
            let conn = match &mut *slot {
                Some(conn) => conn,
                empty => empty.insert(
                    manager
                        .connect()
                        .map_err(|e| AppError::Unavailable(e.to_string()))?,
                ),
            };
            let outcome = write_transaction(conn, work);
            if Manager::is_broken_transaction_manager(conn) {
                *slot = None;
            }
            outcome
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking pool: {e}")))?
    }

    /// Readiness: a connection can be had within `timeout` and answers.
    pub async fn ready(&self, timeout: Duration) -> Result<(), AppError> {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get_timeout(timeout)
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            conn.batch_execute("SELECT 1")
                .map_err(|e| AppError::Unavailable(e.to_string()))
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking pool: {e}")))?
    }

    /// Applies pending migrations of the backend's tree; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, AppError> {
        self.run("migrate", run_migrations).await
    }

    /// SQLite's per-connection settings as a pooled connection sees them.
    pub async fn sqlite_settings(&self) -> Result<Option<SqliteSettings>, AppError> {
        self.run("sqlite_settings", read_sqlite_settings).await
    }
}

/// Runs `work` in a transaction that may write. On SQLite it starts with `BEGIN IMMEDIATE`:
/// a deferred transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT when
/// another writer committed in between, which `busy_timeout` does not retry; taking the write
/// lock first makes concurrent writers queue instead.
pub fn write_transaction<T, F>(conn: &mut DbConnection, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <DbConnection as Connection>::TransactionManager;
    match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = Manager::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// Runs the pending migrations on one connection.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, AppError> {
    let applied = match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| AppError::internal(format!("migration failed: {e}")))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteSettings {
    pub journal_mode: String,
    pub busy_timeout_ms: i64,
    pub foreign_keys: bool,
    /// 2 is FULL.
    pub synchronous: i64,
}

fn read_sqlite_settings(conn: &mut DbConnection) -> Result<Option<SqliteSettings>, AppError> {
    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    #[derive(QueryableByName)]
    struct Number {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        value: i64,
    }
    match conn {
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(c) => {
            let number = |c: &mut diesel::SqliteConnection, column: &str, pragma: &str| {
                diesel::sql_query(format!("SELECT {column} AS value FROM pragma_{pragma}"))
                    .get_result::<Number>(c)
                    .map(|n| n.value)
            };
            let journal_mode =
                diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
                    .get_result::<Text>(c)?
                    .value;
            Ok(Some(SqliteSettings {
                journal_mode,
                busy_timeout_ms: number(c, "timeout", "busy_timeout")?,
                foreign_keys: number(c, "foreign_keys", "foreign_keys")? == 1,
                synchronous: number(c, "synchronous", "synchronous")?,
            }))
        }
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(_) => Ok(None),
    }
}

/// Creates and drops PostgreSQL databases: used by the test harness to give every test a
/// database of its own.
#[cfg(feature = "postgres")]
pub mod postgres_admin {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    fn valid_name(name: &str) -> bool {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    pub fn create_database(server_url: &str, name: &str) -> Result<(), String> {
        if !valid_name(name) {
            return Err(format!("invalid database name {name}"));
        }
        let mut conn = diesel::PgConnection::establish(server_url).map_err(|e| e.to_string())?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| e.to_string())
    }

    pub fn drop_database(server_url: &str, name: &str) -> Result<(), String> {
        if !valid_name(name) {
            return Err(format!("invalid database name {name}"));
        }
        let mut conn = diesel::PgConnection::establish(server_url).map_err(|e| e.to_string())?;
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .map_err(|e| e.to_string())
    }

    /// The URL of database `name` on the server of `server_url`.
    pub fn database_url(server_url: &str, name: &str) -> String {
        let (base, query) = match server_url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (server_url, None),
        };
        let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
        let host_part = match base[scheme_end..].find('/') {
            Some(i) => &base[..scheme_end + i],
            None => base,
        };
        match query {
            Some(q) => format!("{host_part}/{name}?{q}"),
            None => format!("{host_part}/{name}"),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict("conflict-exists")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::conflict("conflict-concurrent-change")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                AppError::invalid("reference", "invalid-reference")
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(format!("database connection lost: {}", info.message()))
            }
            other => AppError::internal(format!("database: {other}")),
        }
    }
}
