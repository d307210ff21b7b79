//! The coordinator's day at a glance: today's and tomorrow's requests, the time left to the
//! cutoff, the runs under way, and the queues waiting for someone (escalations,
//! discrepancies, volunteers to approve, residents to place).

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::caller::Caller;
use super::district::area_for;
use super::handovers::{HandoverView, view as handover_view};
use crate::db::{self, Db};
use crate::domain::area::{Area, local_seconds};
use crate::domain::clock::Clock;
use crate::domain::ids::AreaId;
use crate::domain::request::RequestStatus;
use crate::domain::run::RunStatus;
use crate::domain::text::TextEnum;
use crate::error::AppError;

/// One delivery date's requests, counted by status.
#[derive(Debug, Clone)]
pub struct DateCounts {
    pub date: NaiveDate,
    pub by_status: Vec<(RequestStatus, i64)>,
    /// When ordering for the date closes (or closed).
    pub cutoff: DateTime<Utc>,
}

impl DateCounts {
    pub fn total(&self) -> i64 {
        self.by_status.iter().map(|(_, n)| n).sum()
    }
}

#[derive(Debug, Clone)]
pub struct DayAtAGlance {
    pub area: Area,
    pub now: DateTime<Utc>,
    pub today: DateCounts,
    pub tomorrow: DateCounts,
    /// Today's runs by status.
    pub runs: Vec<(RunStatus, i64)>,
    pub unresolved_escalations: i64,
    pub discrepancies_today: i64,
    pub volunteers_waiting: i64,
    pub residents_to_place: i64,
}

#[derive(Clone)]
pub struct Overview {
    db: Db,
    clock: Clock,
}

impl Overview {
    pub fn new(db: Db, clock: Clock) -> Self {
        Overview { db, clock }
    }

    /// The day at a glance of `area`, as `caller` may see it (staff of the area, admins).
    pub async fn day(&self, caller: &Caller, area: AreaId) -> Result<DayAtAGlance, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let caller = caller.clone();
        let now = self.clock.now();
        self.db
            .run("overview.day", move |conn| {
                let area = area_for(conn, &caller, area)?;
                let today = now.with_timezone(&area.time_zone).date_naive();
                let tomorrow = today
                    .checked_add_days(Days::new(1))
                    .ok_or_else(|| AppError::internal("date out of range"))?;
                let dates = [today, tomorrow].map(|d| d.format("%Y-%m-%d").to_string());
                let counted = db::overview::requests_by_status(conn, area.id, &dates)?;
                let counts = |date: NaiveDate, text: &str| -> Result<DateCounts, AppError> {
                    let mut by_status: Vec<(RequestStatus, i64)> = counted
                        .iter()
                        .filter(|(d, _, _)| d == text)
                        .map(|(_, status, n)| (*status, *n))
                        .collect();
                    by_status.sort_by_key(|(status, _)| {
                        RequestStatus::ALL.iter().position(|s| s == status)
                    });
                    Ok(DateCounts {
                        date,
                        by_status,
                        cutoff: area.cutoff.cutoff(date, area.time_zone)?,
                    })
                };
                let start_of_today = local_seconds(today, area.time_zone, 0)?.naive_utc();
                Ok(DayAtAGlance {
                    today: counts(today, &dates[0])?,
                    tomorrow: counts(tomorrow, &dates[1])?,
                    runs: db::overview::runs_by_status(conn, area.id, &dates[0])?,
                    unresolved_escalations: db::overview::unresolved_escalations(conn, area.id)?,
                    discrepancies_today: i64::try_from(
                        db::overview::discrepancies_since(conn, area.id, start_of_today)?.len(),
                    )
                    .unwrap_or(i64::MAX),
                    volunteers_waiting: db::overview::volunteers_waiting(conn, area.id)?,
                    residents_to_place: db::overview::residents_to_place(conn, area.id)?,
                    area,
                    now,
                })
            })
            .await
    }

    /// Counted handovers of the area since the start of `days` days ago (today is 0) whose
    /// crates differ from what was loaded, newest first.
    pub async fn discrepancies(
        &self,
        caller: &Caller,
        area: AreaId,
        days: u64,
    ) -> Result<Vec<HandoverView>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let caller = caller.clone();
        let now = self.clock.now();
        self.db
            .run("overview.discrepancies", move |conn| {
                let area = area_for(conn, &caller, area)?;
                let first = now
                    .with_timezone(&area.time_zone)
                    .date_naive()
                    .checked_sub_days(Days::new(days))
                    .ok_or_else(|| AppError::internal("date out of range"))?;
                let since = local_seconds(first, area.time_zone, 0)?.naive_utc();
                db::overview::discrepancies_since(conn, area.id, since)?
                    .into_iter()
                    .map(|row| handover_view(conn, row))
                    .collect()
            })
            .await
    }
}
