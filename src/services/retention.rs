//! Retention: what Yui keeps only for a while is deleted once its time is up. Idempotency
//! answers (they hold what was ordered) after 7 days, geocoder answers after 90, dispatched
//! outbox events and delivered webhook deliveries after 30, notifications after 180, refresh
//! tokens once expired, handover images after their area's period. Every period is
//! configurable (README, Configuration).

use chrono::{Duration, NaiveDateTime};

pub use crate::config::RetentionPolicy;
use crate::db::{self, Db};
use crate::domain::clock::Clock;
use crate::error::AppError;

/// What one pass deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub idempotency_keys: usize,
    pub geocode_answers: usize,
    pub outbox_events: usize,
    pub webhook_deliveries: usize,
    pub notifications: usize,
    pub refresh_tokens: usize,
    pub images: usize,
}

fn before(now: NaiveDateTime, days: u32) -> NaiveDateTime {
    now - Duration::days(i64::from(days))
}

/// One pass over every kind, each in its own transaction.
pub async fn purge(db: &Db, clock: &Clock, policy: RetentionPolicy) -> Result<Purged, AppError> {
    let now = clock.now_naive();
    let mut purged = Purged {
        images: crate::services::handovers::delete_expired_images(db, clock).await?,
        ..Purged::default()
    };
    purged.idempotency_keys = db
        .transaction("retention.idempotency", move |conn| {
            db::idempotency::delete_before(conn, before(now, policy.idempotency_days))
        })
        .await?;
    purged.geocode_answers = db
        .transaction("retention.geocode", move |conn| {
            db::geocode::delete_before(conn, before(now, policy.geocode_days))
        })
        .await?;
    purged.webhook_deliveries = db
        .transaction("retention.deliveries", move |conn| {
            db::webhooks::delete_delivered_before(conn, before(now, policy.outbox_days))
        })
        .await?;
    purged.outbox_events = db
        .transaction("retention.outbox", move |conn| {
            db::outbox::delete_dispatched_before(conn, before(now, policy.outbox_days))
        })
        .await?;
    purged.notifications = db
        .transaction("retention.notifications", move |conn| {
            db::notifications::delete_before(conn, before(now, policy.notification_days))
        })
        .await?;
    purged.refresh_tokens = db
        .transaction("retention.refresh_tokens", move |conn| {
            db::refresh_tokens::delete_expired(conn, now)
        })
        .await?;
    Ok(purged)
}
