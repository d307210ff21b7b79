//! The watch-over job: every `YUI_JOBS_TICK_SECS` it opens cases for goods left at a hub past
//! their `collect_by`, moves each case whose step is due (`services::escalations::tick`), and
//! deletes handover images past their retention.
//! Several instances may run it on one PostgreSQL: each move is a versioned write, so it
//! happens once.

use std::time::Duration;

use crate::services::Services;

/// Runs the watch-over tick every `every` until the process ends.
pub async fn run(services: Services, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = crate::services::escalations::tick(&services.db, &services.clock).await {
            tracing::warn!(error = %e, "watch-over tick failed");
        }
        // Signatures and photos past their area's retention are deleted.
        if let Err(e) =
            crate::services::handovers::delete_expired_images(&services.db, &services.clock).await
        {
            tracing::warn!(error = %e, "image retention tick failed");
        }
    }
}
