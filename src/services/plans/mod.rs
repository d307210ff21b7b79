//! Plans: gather an area's delivery date, plan it off the HTTP workers on a bounded pool, and
//! keep the plan, its runs and stops, and the requests' places in one transaction. Before the
//! cutoff a plan is a preview that locks nothing and offers nothing, unless the coordinator
//! locks the date early; planning again replaces the runs nobody has accepted.

use crate::domain::text::Line;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::audit::Audit;
use super::caller::Caller;
use super::carriers::Availability;
use super::unit_of_work::{self, UnitOfWork};
use crate::config::Config;
use crate::db::plans::{PlacementRow, PlanRow, RunRow, StopRow};
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::area::{
    Area, Location, OpeningHours, local_seconds, parse_date, seconds_of_hhmm,
};
use crate::domain::carrier::Vehicle;
use crate::domain::clock::Clock;
use crate::domain::error::Cutoff;
use crate::domain::geo::parse_boundary;
use crate::domain::ids::{AreaId, CarrierId, HubId, PlanId, PostTripId, RequestId, RunId, UserId};
use crate::domain::plan::{self as plan_rules, PlanCommand, PlanStatus};
use crate::domain::request::{
    self as request_rules, Fulfilment, RequestCommand, RequestFacts, RequestStatus, Temperature,
};
use crate::domain::run::{RunEvent, RunStatus};
use crate::domain::time::wire as wire_time;
use crate::error::AppError;
use crate::planning::day::{self, CarrierKind, Day, DayPlan, Impact, PlanSettings, StopKind};
use crate::planning::problem::TimeWindow;
use crate::planning::travel::{GreatCircle, Mode, TravelTimes};

mod read;
mod store;
mod views;

use read::{Snapshot, read_day};
use store::save;
use views::plan_view;
pub use views::{
    CarrierView, PlanView, PostLoadView, RunView, Slots, StopView, UnassignedView, run_view,
    run_views,
};

/// The conflict that sends a plan back to be read and solved again.
const STALE_DAY: &str = "conflict-date-changed-while-planning";
/// How often a plan is tried while others keep changing its date.
const PLAN_ATTEMPTS: u32 = 3;

/// A point outside every neighbourhood is served from the nearest hub this close.
pub const HUB_REACH_M: f64 = 3_000.0;
/// How long a plan waits for a free planning worker before answering 503.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub area_id: AreaId,
    pub delivery_date: Line,
    #[serde(default)]
    pub lock: bool,
}

#[derive(Clone)]
pub struct Plans {
    db: Db,
    clock: Clock,
    pool: Arc<Semaphore>,
    threads: usize,
    time_limit: Duration,
    osrm_url: Option<String>,
    osrm_timeout: Duration,
    osrm_max_table: usize,
}

fn json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::internal(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::internal(e.to_string()))
}

pub fn timestamp(t: NaiveDateTime) -> String {
    wire_time(t.and_utc())
}

fn at(date: NaiveDate, zone: Tz, seconds: i64) -> Result<NaiveDateTime, AppError> {
    Ok(local_seconds(date, zone, seconds)?.naive_utc())
}

impl Plans {
    pub fn new(db: Db, clock: Clock, config: &Config) -> Self {
        Plans {
            db,
            clock,
            pool: Arc::new(Semaphore::new(config.planning_workers)),
            threads: config.plan_threads,
            time_limit: config.plan_time_limit,
            osrm_url: config.osrm_url.clone(),
            osrm_timeout: config.osrm_timeout,
            osrm_max_table: config.osrm_max_table,
        }
    }

    /// `POST /plans`: a coordinator of the area (or an admin) plans a date.
    pub async fn create(&self, caller: &Caller, input: NewPlan) -> Result<PlanView, AppError> {
        if !caller.role.is_staff() || !caller.works_in(input.area_id) {
            return Err(AppError::NotFound);
        }
        let date = parse_date("delivery_date", &input.delivery_date)?;
        let audit = Audit::by(caller, Some(input.area_id));
        self.plan_date(input.area_id, date, input.lock, audit, Some(caller.user_id))
            .await
    }

    /// Plans `date` of `area`: read, solve on the planning pool, write. The write checks,
    /// under the area's lock, that the date is still as it was read (no other plan saved, no
    /// run taken meanwhile); when it is not, the date is read and planned again.
    pub async fn plan_date(
        &self,
        area: AreaId,
        date: NaiveDate,
        lock: bool,
        audit: Audit,
        by: Option<UserId>,
    ) -> Result<PlanView, AppError> {
        let mut attempt = 1;
        loop {
            match self.plan_once(area, date, lock, audit.clone(), by).await {
                Err(AppError::Conflict(m)) if m.key == STALE_DAY && attempt < PLAN_ATTEMPTS => {
                    tracing::info!(%area, %date, attempt, "the date changed while planning; planning again");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn plan_once(
        &self,
        area: AreaId,
        date: NaiveDate,
        lock: bool,
        audit: Audit,
        by: Option<UserId>,
    ) -> Result<PlanView, AppError> {
        let date_text = date.format("%Y-%m-%d").to_string();
        let read_date = date_text.clone();
        let snapshot = self
            .db
            .run("plans.read", move |conn| {
                read_day(conn, area, date, &read_date)
            })
            .await?;
        let now = self.clock.now();
        let locking = lock
            || !snapshot
                .area
                .cutoff
                .is_open(date, snapshot.area.time_zone, now)?
            || snapshot
                .existing
                .as_ref()
                .is_some_and(|p| p.status == PlanStatus::Locked);

        let permit = tokio::time::timeout(QUEUE_TIMEOUT, self.pool.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Unavailable("every planning worker is busy".into()))?
            .map_err(|e| AppError::internal(e.to_string()))?;
        let road: Box<dyn TravelTimes + Send> = match &self.osrm_url {
            Some(url) => {
                match crate::clients::osrm::Osrm::new(url, self.osrm_timeout, self.osrm_max_table) {
                    Ok(osrm) => Box::new(osrm),
                    Err(e) => return Err(AppError::internal(e)),
                }
            }
            None => Box::new(GreatCircle {
                circuity: snapshot.area.circuity_factor,
            }),
        };
        let settings = PlanSettings {
            seed: 1,
            time_limit: self.time_limit,
            threads: self.threads,
            ..PlanSettings::default()
        };
        let span = tracing::info_span!("plan", %area, date = %date_text);
        let (snapshot, plan) = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _entered = span.enter();
            let started = std::time::Instant::now();
            let plan = day::plan(&snapshot.day, road.as_ref(), &settings);
            tracing::info!(
                requests = snapshot.day.requests.len(),
                runs = plan.runs.len(),
                unassigned = plan.unassigned.len(),
                ms = started.elapsed().as_millis() as u64,
                "planned"
            );
            (snapshot, plan)
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;

        unit_of_work::write(&self.db, &self.clock, "plans.save", audit, move |uow| {
            save(uow, &snapshot, &plan, date, &date_text, locking, by)
        })
        .await
    }

    /// `GET /plans?area_id=&delivery_date=`: the date's plan, if it has one. A coordinator's
    /// area is their own when none is named; an area the caller does not work in has none.
    pub async fn for_date(
        &self,
        caller: &Caller,
        area: Option<AreaId>,
        delivery_date: &str,
    ) -> Result<Option<PlanView>, AppError> {
        let area = match area {
            Some(area) => area,
            None => caller
                .area_id
                .ok_or_else(|| AppError::invalid("area_id", "invalid-required"))?,
        };
        let date = parse_date("delivery_date", delivery_date)?;
        if !caller.role.is_staff() || !caller.works_in(area) {
            return Ok(None);
        }
        let date_text = date.format("%Y-%m-%d").to_string();
        self.db
            .run("plans.for_date", move |conn| {
                db::plans::find_for_date(conn, area, &date_text)?
                    .map(|plan| plan_view(conn, &plan))
                    .transpose()
            })
            .await
    }

    pub async fn get(&self, caller: &Caller, id: PlanId) -> Result<PlanView, AppError> {
        let caller = caller.clone();
        self.db
            .run("plans.get", move |conn| {
                let plan = db::plans::find(conn, id)?.ok_or(AppError::NotFound)?;
                if !caller.role.is_staff() || !caller.works_in(plan.area_id) {
                    return Err(AppError::NotFound);
                }
                plan_view(conn, &plan)
            })
            .await
    }
}
