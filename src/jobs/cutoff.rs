//! The cutoff job: when ordering for an area's delivery date closes, plan that date for real.
//! Exactly once even with several Yui instances on one PostgreSQL: each (area, date) has one
//! `planning_jobs` row, claimed with a lease (a plain insert, or taking over a lease that ran
//! out when an instance died mid-plan), and the outcome is recorded on it.

use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::db;
use crate::domain::ids::{AreaId, PlanId};
use crate::domain::plan::PlanningJobState;
use crate::error::AppError;
use crate::services::Services;
use crate::services::audit::Audit;

/// Long enough for a prefecture-sized plan; a crashed owner's date is retried after it.
pub const LEASE: Duration = Duration::from_secs(600);

/// What one tick did for one area and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Planned {
        area: AreaId,
        date: NaiveDate,
        plan: PlanId,
    },
    Failed {
        area: AreaId,
        date: NaiveDate,
    },
}

/// Dates of `area` whose ordering closed by `now` and that are not past yet (today's
/// date is still worth planning when the instance was down at the cutoff).
fn due_dates(
    area: &crate::domain::area::Area,
    now: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, AppError> {
    let today = now.with_timezone(&area.time_zone).date_naive();
    let mut dates = Vec::new();
    for ahead in 0..=u64::from(area.cutoff.days_before) + 1 {
        let date = today
            .checked_add_days(Days::new(ahead))
            .ok_or_else(|| AppError::internal("date overflow"))?;
        if !area.cutoff.is_open(date, area.time_zone, now)? {
            dates.push(date);
        }
    }
    Ok(dates)
}

/// One pass over every area: claim each due date nobody has claimed, plan it, record how it
/// went. `owner` names this instance in the lease.
pub async fn tick(
    services: &Services,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Outcome>, AppError> {
    let areas = services
        .db
        .run("cutoff.areas", |conn| {
            db::areas::list(conn)?
                .into_iter()
                .map(|row| row.into_area())
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    let mut outcomes = Vec::new();
    let at = now.naive_utc();
    let lease_until =
        at + chrono::Duration::from_std(LEASE).map_err(|e| AppError::internal(e.to_string()))?;
    for area in areas {
        for date in due_dates(&area, now)? {
            let text = date.format("%Y-%m-%d").to_string();
            let (id, owner_name, claim_date) = (area.id, owner.to_owned(), text.clone());
            let claimed = services
                .db
                .run("cutoff.claim", move |conn| {
                    db::plans::claim_job(conn, id, &claim_date, &owner_name, at, lease_until)
                })
                .await?;
            if !claimed {
                continue;
            }
            let result = services
                .plans
                .plan_date(area.id, date, true, Audit::anonymous(Some(area.id)), None)
                .await;
            let end = match &result {
                Ok(plan) => db::plans::JobEnd {
                    state: PlanningJobState::Done,
                    plan: Some(plan.id.to_string()),
                    outcome: format!(
                        "{} runs, {} unassigned",
                        plan.runs.len(),
                        plan.unassigned.len()
                    ),
                },
                Err(e) => {
                    tracing::error!(area = %area.id, date = %text, error = %e, "cutoff planning failed");
                    db::plans::JobEnd {
                        state: PlanningJobState::Failed,
                        plan: None,
                        outcome: e.to_string(),
                    }
                }
            };
            let owner_name = owner.to_owned();
            let finished_at = services.clock.now_naive();
            services
                .db
                .transaction("cutoff.finish", move |conn| {
                    db::plans::finish_job(conn, id, &text, &owner_name, &end, finished_at)
                })
                .await?;
            outcomes.push(match result {
                Ok(plan) => Outcome::Planned {
                    area: area.id,
                    date,
                    plan: plan.id,
                },
                Err(_) => Outcome::Failed {
                    area: area.id,
                    date,
                },
            });
        }
    }
    Ok(outcomes)
}
