//! Configuration from the environment: every variable, its default and its check live here,
//! and the README's table is written from this file.

use std::path::PathBuf;
use std::time::Duration;

use crate::db::DatabaseTarget;
use crate::domain::clock::Clock;
pub use crate::telemetry::LogFormat;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://yui.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Where the key that signs access tokens comes from.
#[derive(Clone)]
pub enum SigningKeySource {
    Secret(Vec<u8>),
    File(PathBuf),
    /// Development only: generated on first start and kept beside the SQLite file.
    Generated(PathBuf),
}

impl std::fmt::Debug for SigningKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret(..)"),
            Self::File(p) => write!(f, "File({})", p.display()),
            Self::Generated(p) => write!(f, "Generated({})", p.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    pub database: DatabaseTarget,
    pub environment: Environment,
    pub log_format: LogFormat,
    pub signing_key: SigningKeySource,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// A rotated refresh token presented again within this window gets the same new pair
    /// (the phone lost the answer); after it, the reuse revokes the whole family.
    pub refresh_grace: Duration,
    pub db_pool_size: u32,
    pub db_connect_attempts: u32,
    pub db_connect_backoff: Duration,
    /// How long a request waits for a database connection before it answers 503: short, so
    /// that an outage is told at once rather than after every client's own timeout.
    pub db_checkout_timeout: Duration,
    pub max_body_bytes: usize,
    /// A client has this long to send a request's head, and again its body; then 408.
    pub request_head_timeout: Duration,
    pub body_timeout: Duration,
    /// An idle keep-alive connection is closed after this; zero closes after each answer.
    pub keep_alive: Duration,
    /// Connections one worker serves at once; more wait in the listen backlog.
    pub max_connections_per_worker: usize,
    pub login_attempts_per_minute: u32,
    pub lockout_threshold: u32,
    pub lockout_duration: Duration,
    pub password_hash_concurrency: usize,
    pub workers: usize,
    /// Behind a reverse proxy, the client is the last address the proxy appended to
    /// `X-Forwarded-For`; without one, that header is the client's word and is ignored.
    pub trust_forwarded_for: bool,
    pub geocoder: crate::clients::geocoder::Provider,
    /// The geocoder's base URL; each provider has its public one by default.
    pub geocoder_url: Option<String>,
    pub geocoder_timeout: Duration,
    /// Plans computed at once (each on its own blocking thread, with `plan_threads` inside).
    pub planning_workers: usize,
    pub plan_threads: usize,
    pub plan_time_limit: Duration,
    /// A road router (OSRM's table service); great-circle times circuity without one.
    pub osrm_url: Option<String>,
    pub osrm_timeout: Duration,
    /// The most sources (and destinations) one OSRM table request may ask for.
    pub osrm_max_table: usize,
    /// How often the cutoff job looks for dates to plan; zero turns it off.
    pub planning_tick: Duration,
    /// How often timed work (watch-over steps, goods past their `collect_by`) is looked at;
    /// zero turns it off.
    pub jobs_tick: Duration,
    /// How often outbox events are dispatched and due webhook deliveries sent; zero turns
    /// both off on this instance.
    pub delivery_tick: Duration,
    /// How often retention runs; zero turns it off.
    pub retention_tick: Duration,
    /// A singleton job's lease: another instance takes the job over after it.
    pub job_lease: Duration,
    /// On SIGTERM: how long in-flight requests and jobs have to finish.
    pub shutdown_grace: Duration,
    pub webhook_timeout: Duration,
    pub webhook_max_in_flight: usize,
    /// Lets endpoints point at private, loopback and link-local addresses, and use http
    /// (tests, closed networks).
    pub webhook_allow_private: bool,
    pub retention: RetentionPolicy,
    /// The console map's tile URL (`{z}/{x}/{y}`) and the attribution its provider requires;
    /// the console works without tiles when they cannot be reached.
    pub map_tile_url: String,
    pub map_attribution: String,
    /// The one clock every service reads: the system's, or a settable one in tests.
    pub clock: Clock,
}

/// GSI's standard map tiles, and the credit their terms ask for.
pub const GSI_TILES: &str = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png";
pub const GSI_ATTRIBUTION: &str = "地理院タイル (GSI Tiles)";

/// How long each kind of record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub idempotency_days: u32,
    pub geocode_days: u32,
    pub outbox_days: u32,
    pub notification_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            idempotency_days: 7,
            geocode_days: 90,
            outbox_days: 30,
            notification_days: 180,
        }
    }
}

/// A configuration error names the variable it is about.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T>(name: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(ConfigError(format!(
                "{name} must be a number from {min} to {max}, not `{raw}`"
            ))),
        },
    }
}

fn boolean(name: &str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(ConfigError(format!(
            "{name} must be true or false, not `{other}`"
        ))),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let environment = match var("YUI_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "YUI_ENV must be development or production, not `{other}`"
                )));
            }
        };
        let log_format = match var("YUI_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "YUI_LOG_FORMAT must be text or json, not `{other}`"
                )));
            }
        };
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let database = DatabaseTarget::parse(&database_url).map_err(ConfigError)?;
        let signing_key = signing_key_source(environment, &database)?;
        let bind = var("YUI_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        Ok(Config {
            bind,
            database,
            environment,
            log_format,
            signing_key,
            jwt_issuer: var("YUI_JWT_ISSUER").unwrap_or_else(|| "yui".to_owned()),
            jwt_audience: var("YUI_JWT_AUDIENCE").unwrap_or_else(|| "yui-api".to_owned()),
            access_token_ttl: Duration::from_secs(number(
                "YUI_ACCESS_TOKEN_TTL_SECONDS",
                900,
                60,
                3600,
            )?),
            refresh_token_ttl: Duration::from_secs(
                number("YUI_REFRESH_TOKEN_TTL_DAYS", 30u64, 1, 365)? * 86_400,
            ),
            refresh_grace: Duration::from_secs(number("YUI_REFRESH_GRACE_SECONDS", 30, 0, 300)?),
            db_pool_size: number("YUI_DB_POOL_SIZE", 8, 1, 200)?,
            db_connect_attempts: number("YUI_DB_CONNECT_ATTEMPTS", 10, 1, 1000)?,
            db_connect_backoff: Duration::from_millis(number(
                "YUI_DB_CONNECT_BACKOFF_MS",
                1000,
                10,
                60_000,
            )?),
            db_checkout_timeout: Duration::from_millis(number(
                "YUI_DB_CHECKOUT_TIMEOUT_MS",
                1000,
                50,
                30_000,
            )?),
            max_body_bytes: number("YUI_MAX_BODY_BYTES", 65_536, 1024, 16 * 1024 * 1024)?,
            request_head_timeout: Duration::from_millis(number(
                "YUI_REQUEST_HEAD_TIMEOUT_MS",
                5000,
                100,
                120_000,
            )?),
            body_timeout: Duration::from_millis(number(
                "YUI_BODY_TIMEOUT_MS",
                10_000,
                100,
                120_000,
            )?),
            keep_alive: Duration::from_secs(number("YUI_KEEP_ALIVE_SECS", 5, 0, 300)?),
            max_connections_per_worker: number("YUI_MAX_CONNECTIONS_PER_WORKER", 1024, 1, 25_000)?,
            login_attempts_per_minute: number("YUI_LOGIN_ATTEMPTS_PER_MINUTE", 20, 1, 10_000)?,
            lockout_threshold: number("YUI_LOCKOUT_THRESHOLD", 5, 1, 100)?,
            lockout_duration: Duration::from_secs(number("YUI_LOCKOUT_SECONDS", 900, 1, 86_400)?),
            password_hash_concurrency: number(
                "YUI_PASSWORD_HASH_CONCURRENCY",
                default_parallelism(),
                1,
                256,
            )?,
            workers: number("YUI_WORKERS", default_parallelism(), 1, 256)?,
            trust_forwarded_for: boolean("YUI_TRUST_X_FORWARDED_FOR", false)?,
            geocoder: match var("YUI_GEOCODER").as_deref() {
                None | Some("gsi") => crate::clients::geocoder::Provider::Gsi,
                Some("nominatim") => crate::clients::geocoder::Provider::Nominatim,
                Some("off") => crate::clients::geocoder::Provider::Off,
                Some(other) => {
                    return Err(ConfigError(format!(
                        "YUI_GEOCODER must be gsi, nominatim or off, not `{other}`"
                    )));
                }
            },
            geocoder_url: var("YUI_GEOCODER_URL"),
            geocoder_timeout: Duration::from_millis(number(
                "YUI_GEOCODER_TIMEOUT_MS",
                3000,
                100,
                60_000,
            )?),
            planning_workers: number("YUI_PLANNING_WORKERS", 1, 1, 16)?,
            plan_threads: number("YUI_PLAN_THREADS", default_parallelism().min(4), 1, 64)?,
            plan_time_limit: Duration::from_secs(number("YUI_PLAN_TIME_LIMIT_SECS", 30, 1, 600)?),
            osrm_url: var("YUI_OSRM_URL"),
            osrm_timeout: Duration::from_millis(number("YUI_OSRM_TIMEOUT_MS", 5000, 100, 120_000)?),
            osrm_max_table: number(
                "YUI_OSRM_MAX_TABLE",
                crate::clients::osrm::DEFAULT_MAX_TABLE,
                1,
                100_000,
            )?,
            planning_tick: Duration::from_secs(number("YUI_PLANNING_TICK_SECS", 60, 0, 86_400)?),
            jobs_tick: Duration::from_secs(number("YUI_JOBS_TICK_SECS", 15, 0, 86_400)?),
            delivery_tick: Duration::from_millis(number(
                "YUI_DELIVERY_TICK_MS",
                1000,
                0,
                3_600_000,
            )?),
            retention_tick: Duration::from_secs(number(
                "YUI_RETENTION_TICK_SECS",
                3600,
                0,
                604_800,
            )?),
            job_lease: Duration::from_secs(number("YUI_JOB_LEASE_SECS", 120, 2, 86_400)?),
            shutdown_grace: Duration::from_secs(number("YUI_SHUTDOWN_GRACE_SECS", 10, 1, 600)?),
            webhook_timeout: Duration::from_millis(number(
                "YUI_WEBHOOK_TIMEOUT_MS",
                5000,
                100,
                60_000,
            )?),
            webhook_max_in_flight: number("YUI_WEBHOOK_MAX_IN_FLIGHT", 4, 1, 100)?,
            webhook_allow_private: boolean("YUI_WEBHOOK_ALLOW_PRIVATE", false)?,
            retention: RetentionPolicy {
                idempotency_days: number("YUI_RETAIN_IDEMPOTENCY_DAYS", 7, 1, 3650)?,
                geocode_days: number("YUI_RETAIN_GEOCODE_DAYS", 90, 1, 3650)?,
                outbox_days: number("YUI_RETAIN_OUTBOX_DAYS", 30, 1, 3650)?,
                notification_days: number("YUI_RETAIN_NOTIFICATIONS_DAYS", 180, 1, 3650)?,
            },
            map_tile_url: var("YUI_MAP_TILE_URL").unwrap_or_else(|| GSI_TILES.to_owned()),
            map_attribution: var("YUI_MAP_ATTRIBUTION")
                .unwrap_or_else(|| GSI_ATTRIBUTION.to_owned()),
            clock: Clock::system(),
        })
    }

    /// A configuration for tests and tools: development defaults, the given database, a fixed
    /// secret, an ephemeral port.
    pub fn for_tests(database: DatabaseTarget, secret: &[u8]) -> Self {
        Config {
            bind: "127.0.0.1:0".to_owned(),
            database,
            environment: Environment::Development,
            log_format: LogFormat::Text,
            signing_key: SigningKeySource::Secret(secret.to_vec()),
            jwt_issuer: "yui".to_owned(),
            jwt_audience: "yui-api".to_owned(),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 86_400),
            refresh_grace: Duration::from_secs(30),
            db_pool_size: 4,
            db_connect_attempts: 3,
            db_connect_backoff: Duration::from_millis(100),
            db_checkout_timeout: Duration::from_secs(1),
            max_body_bytes: 65_536,
            request_head_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            keep_alive: Duration::from_secs(5),
            max_connections_per_worker: 1024,
            login_attempts_per_minute: 1000,
            lockout_threshold: 5,
            lockout_duration: Duration::from_secs(900),
            password_hash_concurrency: 2,
            workers: 2,
            trust_forwarded_for: false,
            // Tests never reach out; the geocoder's own tests point it at a local fake.
            geocoder: crate::clients::geocoder::Provider::Off,
            geocoder_url: None,
            geocoder_timeout: Duration::from_millis(500),
            planning_workers: 2,
            plan_threads: 2,
            plan_time_limit: Duration::from_secs(30),
            osrm_url: None,
            osrm_timeout: Duration::from_millis(2000),
            osrm_max_table: crate::clients::osrm::DEFAULT_MAX_TABLE,
            // Tests run the cutoff job by hand (`jobs::cutoff::tick`).
            planning_tick: Duration::ZERO,
            // ...and the watch-over job (`services::escalations::tick`), dispatch, delivery
            // and retention (`jobs::run_once`, `Webhooks::deliver`).
            jobs_tick: Duration::ZERO,
            delivery_tick: Duration::ZERO,
            retention_tick: Duration::ZERO,
            job_lease: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(5),
            webhook_timeout: Duration::from_millis(1000),
            webhook_max_in_flight: 4,
            // The tests' receivers listen on 127.0.0.1.
            webhook_allow_private: true,
            retention: RetentionPolicy::default(),
            map_tile_url: GSI_TILES.to_owned(),
            map_attribution: GSI_ATTRIBUTION.to_owned(),
            clock: Clock::settable(),
        }
    }
}

fn default_parallelism() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

const MIN_SECRET_BYTES: usize = 32;

fn signing_key_source(
    environment: Environment,
    database: &DatabaseTarget,
) -> Result<SigningKeySource, ConfigError> {
    if let Some(secret) = var("YUI_JWT_SECRET") {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError(format!(
                "YUI_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
            )));
        }
        return Ok(SigningKeySource::Secret(secret.into_bytes()));
    }
    if let Some(path) = var("YUI_JWT_SECRET_FILE") {
        return Ok(SigningKeySource::File(PathBuf::from(path)));
    }
    if environment == Environment::Production {
        return Err(ConfigError(
            "YUI_JWT_SECRET or YUI_JWT_SECRET_FILE must be set when YUI_ENV=production".into(),
        ));
    }
    Ok(SigningKeySource::Generated(database.generated_key_path()))
}
