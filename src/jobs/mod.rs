//! All of Yui's timed work on one mechanism. Each kind of singleton work (cutoff planning,
//! watch-over steps and `collect_by` checks, outbox dispatch, retention) has a row in
//! `job_leases`: an instance runs it only while it holds the row's lease, so on one
//! PostgreSQL several instances share the work and never run one job twice at once; a job
//! whose instance died is taken over when its lease runs out. Webhook deliveries run on every
//! instance, each delivery under a lease of its own (`services/webhooks.rs`). On SIGTERM an
//! instance stops taking work, finishes what it is doing, gives its leases back and exits
//! within the grace period (`server::serve`).

pub mod cutoff;

use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::watch;
use uuid::Uuid;

use crate::db;
use crate::error::AppError;
use crate::services::Services;
use crate::services::retention::RetentionPolicy;

/// A kind of singleton timed work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Plan each area's date once its ordering closed (`jobs/cutoff.rs`).
    Cutoff,
    /// Open cases for goods past `collect_by`; move watch-over steps that are due.
    WatchOver,
    /// Turn outbox events into webhook deliveries and notifications.
    Dispatch,
    /// Delete what is kept only for a while (`services/retention.rs`).
    Retention,
}

impl Job {
    pub const ALL: [Job; 4] = [Job::Cutoff, Job::WatchOver, Job::Dispatch, Job::Retention];

    pub fn name(self) -> &'static str {
        match self {
            Job::Cutoff => "cutoff",
            Job::WatchOver => "watch_over",
            Job::Dispatch => "dispatch",
            Job::Retention => "retention",
        }
    }
}

/// How often each kind of work runs (zero: never on this instance), and the leases.
#[derive(Debug, Clone, Copy)]
pub struct JobSettings {
    pub cutoff_every: Duration,
    pub watch_over_every: Duration,
    /// Outbox dispatch and webhook delivery: the delay from a commit to a delivery.
    pub delivery_every: Duration,
    pub retention_every: Duration,
    /// A singleton job held this long: taken over after it when its instance died.
    pub lease: Duration,
    pub retention: RetentionPolicy,
}

impl JobSettings {
    fn every(&self, job: Job) -> Duration {
        match job {
            Job::Cutoff => self.cutoff_every,
            Job::WatchOver => self.watch_over_every,
            Job::Dispatch => self.delivery_every,
            Job::Retention => self.retention_every,
        }
    }

    /// The loop's pace: the shortest period of the work this instance does.
    fn pace(&self) -> Option<Duration> {
        Job::ALL
            .iter()
            .map(|job| self.every(*job))
            .filter(|d| !d.is_zero())
            .min()
    }
}

fn after(at: NaiveDateTime, period: Duration) -> Result<NaiveDateTime, AppError> {
    Ok(at + chrono::Duration::from_std(period).map_err(|e| AppError::internal(e.to_string()))?)
}

/// Runs `job` once if it is due and nobody holds it; true when it ran here.
pub async fn run_if_due(
    services: &Services,
    settings: &JobSettings,
    owner: &str,
    job: Job,
) -> Result<bool, AppError> {
    let now = services.clock.now_naive();
    let name = job.name();
    let lease = db::jobs::find;
    let free = services
        .db
        .run("jobs.find", move |conn| lease(conn, name))
        .await?
        .is_none_or(|row| {
            row.next_run_at <= now && row.lease_until.is_none_or(|until| until < now)
        });
    if !free {
        return Ok(false);
    }
    let (holder, until) = (owner.to_owned(), after(now, settings.lease)?);
    let claimed = services
        .db
        .transaction("jobs.claim", move |conn| {
            db::jobs::claim(conn, name, &holder, now, until)
        })
        .await?;
    if !claimed {
        return Ok(false);
    }
    let outcome = run_once(services, settings, owner, job).await;
    if let Err(e) = &outcome {
        tracing::warn!(job = name, error = %e, "job failed");
    }
    let finished = services.clock.now_naive();
    let next = after(finished, settings.every(job))?;
    let (holder, error) = (owner.to_owned(), outcome.err().map(|e| e.to_string()));
    services
        .db
        .transaction("jobs.finish", move |conn| {
            db::jobs::finish(conn, name, &holder, finished, next, error)
        })
        .await?;
    Ok(true)
}

/// The work of one job, once.
pub async fn run_once(
    services: &Services,
    settings: &JobSettings,
    owner: &str,
    job: Job,
) -> Result<(), AppError> {
    match job {
        Job::Cutoff => {
            cutoff::tick(services, owner, services.clock.now()).await?;
        }
        Job::WatchOver => {
            crate::services::escalations::tick(&services.db, &services.clock).await?;
        }
        Job::Dispatch => {
            crate::services::dispatch::dispatch(&services.db, &services.clock).await?;
        }
        Job::Retention => {
            crate::services::retention::purge(&services.db, &services.clock, settings.retention)
                .await?;
        }
    }
    Ok(())
}

/// One pass of this instance over the singleton jobs: every due one it can take.
pub async fn pass(services: &Services, settings: &JobSettings, owner: &str) {
    for job in Job::ALL {
        if settings.every(job).is_zero() {
            continue;
        }
        if let Err(e) = run_if_due(services, settings, owner, job).await {
            tracing::warn!(job = job.name(), error = %e, "job pass failed");
        }
    }
}

/// Runs `work` every `every` until `stop` turns true; a round under way when it comes is
/// finished first.
async fn every<F, Fut>(every: Duration, mut stop: watch::Receiver<bool>, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if every.is_zero() {
        return;
    }
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !*stop.borrow() {
        tokio::select! {
            _ = interval.tick() => work().await,
            // The handle gone counts as told to stop.
            changed = stop.changed() => if changed.is_err() { break },
        }
    }
}

/// The name this instance's leases carry.
pub fn instance_name() -> String {
    format!("yui-{}", Uuid::new_v4())
}

/// Runs the singleton jobs and, beside them (so that a long dispatch never holds up a
/// send), the webhook deliveries, until `stop` turns true; then gives back every lease this
/// instance holds. A round under way when `stop` comes is finished first (its sends are
/// bounded by their timeout, its passes by their time budget).
pub async fn run(services: Services, settings: JobSettings, stop: watch::Receiver<bool>) {
    let Some(pace) = settings.pace() else {
        return;
    };
    let owner = instance_name();
    let singletons = every(pace, stop.clone(), || pass(&services, &settings, &owner));
    let deliveries = every(settings.delivery_every, stop, || async {
        if let Err(e) = services.webhooks.deliver(&owner).await {
            tracing::warn!(error = %e, "webhook delivery pass failed");
        }
    });
    tokio::join!(singletons, deliveries);
    let holder = owner.clone();
    let released = services
        .db
        .transaction("jobs.release", move |conn| {
            db::jobs::release_all(conn, &holder)
        })
        .await;
    let deliveries = services.webhooks.release(&owner).await;
    tracing::info!(
        jobs = released.unwrap_or(0),
        deliveries = deliveries.unwrap_or(0),
        "jobs stopped; leases given back"
    );
}
