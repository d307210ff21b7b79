//! Start-up: reach the database (with bounded retries), migrate, load the signing key, and
//! serve.

use std::net::SocketAddr;

use actix_web::{HttpServer, web};

use crate::config::Config;
use crate::db::{Db, PoolSettings};
use crate::error::AppError;
use crate::services::{Services, tokens};

/// Why Yui did not start; main prints it as one line and exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(String),
    #[error("database {target} not reachable after {attempts} attempts: {cause}")]
    DatabaseUnreachable {
        target: String,
        attempts: u32,
        cause: String,
    },
    #[error("database set-up failed: {0}")]
    Database(String),
    #[error("cannot listen on {bind}: {cause}")]
    Bind { bind: String, cause: String },
}

/// Opens the pool and waits for the database, trying `config.db_connect_attempts` times.
pub async fn connect(config: &Config) -> Result<Db, StartupError> {
    let settings = PoolSettings {
        max_size: config.db_pool_size,
        checkout_timeout: config.db_checkout_timeout,
    };
    let db = Db::new(config.database.clone(), &settings);
    let attempts = config.db_connect_attempts;
    let mut attempt = 1;
    loop {
        let probe = db.clone();
        let result = web::block(move || probe.probe())
            .await
            .map_err(|e| StartupError::Database(e.to_string()))?;
        match result {
            Ok(()) => return Ok(db),
            Err(cause) if attempt >= attempts => {
                return Err(StartupError::DatabaseUnreachable {
                    target: config.database.describe(),
                    attempts,
                    cause: cause.to_string(),
                });
            }
            Err(cause) => {
                tracing::warn!(
                    attempt,
                    attempts,
                    error = %cause,
                    "database {} not reachable; retrying in {} ms",
                    config.database.describe(),
                    config.db_connect_backoff.as_millis()
                );
                tokio::time::sleep(config.db_connect_backoff).await;
                attempt += 1;
            }
        }
    }
}

/// Connects and applies pending migrations.
pub async fn prepare_database(config: &Config) -> Result<Db, StartupError> {
    let db = connect(config).await?;
    let applied = db
        .migrate()
        .await
        .map_err(|e| StartupError::Database(cause(e)))?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    Ok(db)
}

fn cause(e: AppError) -> String {
    match e {
        AppError::Internal(c) | AppError::Unavailable(c) => c,
        other => other.to_string(),
    }
}

/// Everything but the listener: database, migrations, key, services.
pub async fn build_services(config: &Config) -> Result<Services, StartupError> {
    let db = prepare_database(config).await?;
    let (key, warning) =
        tokens::load_signing_key(&config.signing_key).map_err(StartupError::Config)?;
    if let Some(warning) = warning {
        tracing::warn!("{warning}");
    }
    Services::new(config, db, key).map_err(|e| StartupError::Config(cause(e)))
}

/// A bound server, not yet running: tests spawn it, `serve` awaits it.
pub struct Launched {
    pub address: SocketAddr,
    pub server: actix_web::dev::Server,
    pub services: Services,
    pub jobs: JobsHandle,
}

/// The instance's timed work: told to stop, then awaited.
pub struct JobsHandle {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl JobsHandle {
    /// Stops taking work, lets the pass under way finish and gives the leases back, within
    /// `grace`; false when it did not finish in time.
    pub async fn stop(self, grace: std::time::Duration) -> bool {
        let _ = self.stop.send(true);
        tokio::time::timeout(grace, self.task).await.is_ok()
    }
}

/// Which timed work this instance does and how often (README, Configuration).
pub fn job_settings(config: &Config) -> crate::jobs::JobSettings {
    crate::jobs::JobSettings {
        cutoff_every: config.planning_tick,
        watch_over_every: config.jobs_tick,
        delivery_every: config.delivery_tick,
        retention_every: config.retention_tick,
        lease: config.job_lease,
        retention: config.retention,
    }
}

pub async fn launch(config: &Config) -> Result<Launched, StartupError> {
    let services = build_services(config).await?;
    let data = web::Data::new(services.clone());
    let settings = crate::http::HttpSettings {
        max_body_bytes: config.max_body_bytes,
        body_timeout: config.body_timeout,
        client_address: if config.trust_forwarded_for {
            crate::http::client::AddressSource::LastForwardedFor
        } else {
            crate::http::client::AddressSource::Peer
        },
        console: crate::http::console::session::ConsoleSettings::new(
            config.environment == crate::config::Environment::Production,
            config.map_tile_url.clone(),
            config.map_attribution.clone(),
        ),
    };
    let bind_error = |e: std::io::Error| StartupError::Bind {
        bind: config.bind.clone(),
        cause: e.to_string(),
    };
    // Slow and stuck clients: the head and the body each have their time (408 after it),
    // idle keep-alive connections are closed, and each worker serves a bounded number of
    // connections at once (README, Configuration).
    let keep_alive = if config.keep_alive.is_zero() {
        actix_web::http::KeepAlive::Disabled
    } else {
        actix_web::http::KeepAlive::Timeout(config.keep_alive)
    };
    let server = HttpServer::new(move || crate::http::app(data.clone(), settings.clone()))
        .workers(config.workers)
        .shutdown_timeout(config.shutdown_grace.as_secs())
        .client_request_timeout(config.request_head_timeout)
        .keep_alive(keep_alive)
        .max_connections(config.max_connections_per_worker)
        .bind(&config.bind)
        .map_err(bind_error)?;
    let address = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| StartupError::Bind {
            bind: config.bind.clone(),
            cause: "no address".into(),
        })?;
    let (stop_jobs, stopped) = tokio::sync::watch::channel(false);
    let jobs = actix_web::rt::spawn(crate::jobs::run(
        services.clone(),
        job_settings(config),
        stopped,
    ));
    Ok(Launched {
        address,
        server: server.run(),
        services,
        jobs: JobsHandle {
            stop: stop_jobs,
            task: jobs,
        },
    })
}

/// `yui serve`: runs until stopped.
pub async fn serve(config: Config) -> Result<(), StartupError> {
    let launched = launch(&config).await?;
    tracing::info!(
        "Yui listening on http://{} with data in {}",
        launched.address,
        config.database.describe()
    );
    // The server returns once SIGTERM (or SIGINT) stopped it, in-flight requests answered.
    let served = launched.server.await;
    if !launched.jobs.stop(config.shutdown_grace).await {
        tracing::warn!("jobs did not stop within the grace period; their leases run out");
    }
    tracing::info!("Yui stopped");
    served.map_err(|e| StartupError::Bind {
        bind: config.bind.clone(),
        cause: e.to_string(),
    })
}
