//! Plans: gather an area's delivery date, plan it off the HTTP workers on a bounded pool, and
//! keep the plan, its runs and stops, and the requests' places in one transaction. Before the
//! cutoff a plan is a preview that locks nothing and offers nothing, unless the coordinator
//! locks the date early; planning again replaces the runs nobody has accepted.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use uuid::Uuid;

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
use crate::domain::plan::{self as plan_rules, PlanCommand, PlanStatus};
use crate::domain::request::{
    self as request_rules, RequestCommand, RequestFacts, RequestStatus, Temperature,
};
use crate::domain::run::{RunEvent, RunStatus};
use crate::domain::time::wire as wire_time;
use crate::error::AppError;
use crate::planning::day::{self, CarrierKind, Day, DayPlan, Impact, PlanSettings, StopKind};
use crate::planning::problem::TimeWindow;
use crate::planning::travel::{GreatCircle, Mode, TravelTimes};

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
    pub area_id: Uuid,
    pub delivery_date: String,
    #[serde(default)]
    pub lock: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Slots {
    pub ambient: i64,
    pub chilled: i64,
    pub frozen: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PostLoadView {
    pub post_trip_id: Uuid,
    pub hub_id: Uuid,
    pub arrival: String,
    pub slots: Slots,
    pub request_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnassignedView {
    pub request_id: Uuid,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CarrierView {
    pub kind: CarrierKind,
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StopView {
    pub seq: i32,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_id: Option<Uuid>,
    pub arrival: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Only for the carrier of the run, and only for deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub area_id: Uuid,
    pub delivery_date: String,
    pub carrier: CarrierView,
    pub hub_id: Option<Uuid>,
    pub status: RunStatus,
    /// When the run sets off (RFC 3339, UTC).
    pub starts_at: String,
    pub stops: Vec<StopView>,
    pub distance_km: f64,
    pub duration_min: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub id: Uuid,
    pub area_id: Uuid,
    pub delivery_date: String,
    pub status: PlanStatus,
    pub version: i32,
    pub runs: Vec<RunView>,
    pub post_loads: Vec<PostLoadView>,
    pub unassigned: Vec<UnassignedView>,
    pub impact: Impact,
    pub warnings: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What the planner is fed, read in one go.
struct Snapshot {
    area: Area,
    day: Day,
    existing: Option<PlanRow>,
    /// Runs their carriers had taken when the day was read.
    accepted_runs: Vec<String>,
    /// Requests on accepted runs: they keep their place.
    fixed: HashSet<Uuid>,
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

fn uuid(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text).map_err(|e| AppError::internal(e.to_string()))
}

pub fn timestamp(t: NaiveDateTime) -> String {
    wire_time(t.and_utc())
}

fn mode_of(vehicle: Vehicle) -> Mode {
    match vehicle {
        Vehicle::Walk => Mode::Walk,
        Vehicle::Bicycle => Mode::Bicycle,
        Vehicle::Car => Mode::Car,
        Vehicle::KeiTruck => Mode::KeiTruck,
    }
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
        area: Uuid,
        date: NaiveDate,
        lock: bool,
        audit: Audit,
        by: Option<Uuid>,
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
        area: Uuid,
        date: NaiveDate,
        lock: bool,
        audit: Audit,
        by: Option<Uuid>,
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

    pub async fn get(&self, caller: &Caller, id: Uuid) -> Result<PlanView, AppError> {
        let caller = caller.clone();
        self.db
            .run("plans.get", move |conn| {
                let plan = db::plans::find(conn, id)?.ok_or(AppError::NotFound)?;
                if !caller.role.is_staff() || !caller.works_in(uuid(&plan.area_id)?) {
                    return Err(AppError::NotFound);
                }
                plan_view(conn, &plan)
            })
            .await
    }
}

/// Reads everything the planner needs about `date` of `area`.
fn read_day(
    conn: &mut DbConnection,
    area_id: Uuid,
    date: NaiveDate,
    date_text: &str,
) -> Result<Snapshot, AppError> {
    let area = db::areas::find(conn, area_id)?
        .ok_or(AppError::NotFound)?
        .into_area()?;
    let weekday = date.weekday().num_days_from_monday();
    let hubs = db::areas::hubs_of(conn, area_id)?
        .into_iter()
        .map(|h| {
            let hours: Vec<OpeningHours> = from_json(&h.opening_hours)?;
            let today = hours.iter().find(|o| u32::from(o.weekday) == weekday);
            let (opens, closes) = match today {
                Some(o) => (
                    seconds_of_hhmm("open", &o.open)?,
                    seconds_of_hhmm("close", &o.close)?,
                ),
                // No hours that day: a keeper on call, any time.
                None => (0, 24 * 3600),
            };
            Ok(day::Hub {
                id: uuid(&h.id)?,
                location: Location {
                    lat: h.lat,
                    lon: h.lon,
                },
                storage: [
                    i64::from(h.storage_ambient),
                    i64::from(h.storage_chilled),
                    i64::from(h.storage_frozen),
                ],
                opens,
                closes,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let neighbourhoods = db::neighbourhoods::of_area(conn, area_id)?
        .into_iter()
        .map(|n| {
            let boundary = parse_boundary(&from_json(&n.boundary)?)?;
            Ok(day::Neighbourhood {
                id: uuid(&n.id)?,
                boundary,
                hub: n.default_hub_id.as_deref().map(uuid).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let post_trips = db::carriers::trips_of(conn, area_id)?
        .into_iter()
        .filter_map(|t| {
            let weekdays: Vec<u32> = match from_json(&t.weekdays) {
                Ok(w) => w,
                Err(e) => return Some(Err(e)),
            };
            weekdays.contains(&weekday).then_some(t).map(Ok)
        })
        .map(|t| {
            let t = t?;
            let hubs: Vec<Uuid> = from_json(&t.hub_ids)?;
            Ok(day::PostTrip {
                id: uuid(&t.id)?,
                name: t.name,
                origin: Location {
                    lat: t.origin_lat,
                    lon: t.origin_lon,
                },
                departure: seconds_of_hhmm("departure", &t.departure)?,
                hubs,
                spare: [
                    i64::from(t.spare_ambient),
                    i64::from(t.spare_chilled),
                    i64::from(t.spare_frozen),
                ],
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let existing = db::plans::find_for_date(conn, area_id, date_text)?;
    let mut accepted_runs = Vec::new();
    let mut busy_carriers = HashSet::new();
    let mut fixed = HashSet::new();
    if let Some(plan) = &existing {
        for run in db::plans::runs_of(conn, &plan.id)? {
            if run.status.taken() {
                busy_carriers.insert(run.carrier_id.clone());
                for request in db::plans::requests_on_run(conn, &run.id)? {
                    fixed.insert(uuid(&request)?);
                }
                accepted_runs.push(run.id);
            }
        }
    }
    accepted_runs.sort();

    let carriers = db::plans::carriers_of(conn, area_id)?
        .into_iter()
        .filter(|(profile, _, _)| !busy_carriers.contains(&profile.user_id))
        .filter_map(|(profile, name, role)| {
            let windows: Vec<Availability> = match from_json(&profile.availability) {
                Ok(w) => w,
                Err(e) => return Some(Err(e)),
            };
            // The longest window of the day is the one offered.
            let window = windows
                .iter()
                .filter(|w| u32::from(w.weekday) == weekday)
                .filter_map(|w| {
                    let start = seconds_of_hhmm("start", &w.start).ok()?;
                    let end = seconds_of_hhmm("end", &w.end).ok()?;
                    (end > start).then_some(TimeWindow { start, end })
                })
                .max_by_key(|w| (w.end - w.start, -w.start))?;
            Some(Ok((profile, name, role, window)))
        })
        .map(|entry| {
            let (profile, name, role, available) = entry?;
            let role: Role = role.parse()?;
            Ok(day::Carrier {
                id: uuid(&profile.user_id)?,
                kind: if role == Role::Carrier {
                    CarrierKind::Carrier
                } else {
                    CarrierKind::Volunteer
                },
                name,
                public_name: profile.public_name,
                home: Location {
                    lat: profile.home_lat,
                    lon: profile.home_lon,
                },
                mode: mode_of(profile.vehicle),
                capacity_litres: i64::from(profile.capacity_litres),
                cold_box: profile.cold_box,
                available,
                max_distance_m: (profile.max_distance_km * 1000.0).round() as i64,
                max_stops: None,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let mut litres: HashMap<String, [i64; 3]> = HashMap::new();
    for item in db::plans::items_of_date(conn, area_id, date_text)? {
        let class = match item.temperature {
            Temperature::Ambient => 0,
            Temperature::Chilled => 1,
            Temperature::Frozen => 2,
        };
        litres.entry(item.request_id).or_default()[class] +=
            request_rules::line_litres(item.quantity, &item.unit);
    }
    let requests = db::plans::requests_to_plan(
        conn,
        area_id,
        date_text,
        &[
            RequestStatus::Submitted,
            RequestStatus::Locked,
            RequestStatus::Planned,
        ],
    )?
    .into_iter()
    .map(|(row, lat, lon)| {
        let id = uuid(&row.id)?;
        let per_class = litres.get(&row.id).copied().unwrap_or_default();
        Ok(day::Request {
            id,
            household: uuid(&row.resident_id)?,
            location: lat.zip(lon).map(|(lat, lon)| Location { lat, lon }),
            fulfilment: row.fulfilment,
            slots: per_class.map(request_rules::crates),
            litres: per_class.iter().sum(),
            cold: per_class[1] + per_class[2] > 0,
            fixed: fixed.contains(&id),
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;

    let day = Day {
        hubs,
        neighbourhoods,
        requests,
        carriers,
        post_trips,
        circuity: area.circuity_factor,
        supermarket: area.depot,
        co2_kg_per_km: area.co2_kg_per_km,
        hub_reach_m: HUB_REACH_M,
    };
    Ok(Snapshot {
        area,
        day,
        existing,
        accepted_runs,
        fixed,
    })
}

fn at(date: NaiveDate, zone: Tz, seconds: i64) -> Result<NaiveDateTime, AppError> {
    Ok(local_seconds(date, zone, seconds)?.naive_utc())
}

/// Writes the plan in place of the date's earlier one, keeping the runs carriers took.
/// Under the area's lock it first checks that the date is as `snapshot` read it: the same
/// plan version and the same taken runs; otherwise the plan is stale (`STALE_DAY`).
fn save(
    uow: &mut UnitOfWork<'_>,
    snapshot: &Snapshot,
    plan: &DayPlan,
    date: NaiveDate,
    date_text: &str,
    locking: bool,
    by: Option<Uuid>,
) -> Result<PlanView, AppError> {
    let area = &snapshot.area;
    let zone = area.time_zone;
    uow.in_area(area.id);
    db::neighbourhoods::lock_area(uow.conn, area.id)?;
    let existing = db::plans::find_for_date(uow.conn, area.id, date_text)?;
    if existing.as_ref().map(|p| p.version) != snapshot.existing.as_ref().map(|p| p.version) {
        return Err(AppError::conflict(STALE_DAY));
    }
    let old_runs = match &existing {
        Some(p) => db::plans::runs_of(uow.conn, &p.id)?,
        None => Vec::new(),
    };
    let mut taken_now: Vec<String> = old_runs
        .iter()
        .filter(|r| r.status.taken())
        .map(|r| r.id.clone())
        .collect();
    taken_now.sort();
    if taken_now != snapshot.accepted_runs {
        return Err(AppError::conflict(STALE_DAY));
    }
    let step = plan_rules::transition(
        existing.as_ref().map(|p| p.status),
        if locking {
            PlanCommand::Lock
        } else {
            PlanCommand::Preview
        },
    )?;
    // Only runs nobody has taken are replaced; a run taken since the read (an accept racing
    // this plan) makes the plan stale instead of being deleted.
    let replaced: Vec<&RunRow> = old_runs.iter().filter(|r| r.status.replaceable()).collect();
    for run in &replaced {
        if !db::plans::delete_run_if(uow.conn, &run.id, run.status)? {
            return Err(AppError::conflict(STALE_DAY));
        }
    }

    let now = uow.now();
    let post_loads: Vec<PostLoadView> = plan
        .post_loads
        .iter()
        .map(|l| {
            Ok(PostLoadView {
                post_trip_id: l.trip,
                hub_id: l.hub,
                arrival: timestamp(at(date, zone, l.arrival)?),
                slots: Slots {
                    ambient: l.slots[0],
                    chilled: l.slots[1],
                    frozen: l.slots[2],
                },
                request_ids: l.requests.clone(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let unassigned: Vec<UnassignedView> = plan
        .unassigned
        .iter()
        .map(|(id, reason)| UnassignedView {
            request_id: *id,
            reason: reason.as_str().to_owned(),
        })
        .collect();
    let mut row = PlanRow {
        id: existing
            .as_ref()
            .map(|p| p.id.clone())
            .unwrap_or_else(|| Uuid::new_v4().to_string()),
        area_id: area.id.to_string(),
        delivery_date: date_text.to_owned(),
        status: step.next,
        version: 1,
        seed: 1,
        post_loads: json(&post_loads)?,
        unassigned: json(&unassigned)?,
        impact: json(&plan.impact)?,
        warnings: json(&plan.warnings)?,
        created_by: existing
            .as_ref()
            .map_or(by.map(|u| u.to_string()), |p| p.created_by.clone()),
        created_at: existing.as_ref().map_or(now, |p| p.created_at),
        updated_at: now,
    };
    let action = if existing.is_some() { "replan" } else { "plan" };
    uow.plan_step(&mut row, existing.as_ref().map(|p| p.version), step, action)?;

    let run_status = if locking {
        RunStatus::Offered
    } else {
        RunStatus::Proposed
    };
    let mut run_ids = Vec::with_capacity(plan.runs.len());
    for run in &plan.runs {
        let id = Uuid::new_v4();
        let first = run.stops.first().map_or(0, |s| s.arrival);
        let run_row = RunRow {
            id: id.to_string(),
            plan_id: row.id.clone(),
            area_id: area.id.to_string(),
            delivery_date: date_text.to_owned(),
            carrier_kind: run.carrier.kind,
            carrier_id: run.carrier.id.to_string(),
            carrier_name: run.carrier.name.clone(),
            carrier_public_name: run.carrier.public_name.clone(),
            hub_id: run.hub.map(|h| h.to_string()),
            status: run_status,
            distance_m: run.distance_m,
            duration_s: run.duration_s,
            starts_at: at(date, zone, first)?,
            created_at: now,
        };
        let stops = run
            .stops
            .iter()
            .enumerate()
            .map(|(seq, s)| {
                Ok(StopRow {
                    run_id: run_row.id.clone(),
                    seq: i32::try_from(seq).map_err(|e| AppError::internal(e.to_string()))?,
                    kind: s.kind.as_str().to_owned(),
                    request_id: s.request.map(|r| r.to_string()),
                    hub_id: s.hub.map(|h| h.to_string()),
                    arrival: at(date, zone, s.arrival)?,
                    lat: s.location.lat,
                    lon: s.location.lon,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        db::plans::insert_run(uow.conn, &run_row, &stops)?;
        if locking {
            uow.events(
                unit_of_work::RUN,
                id,
                &[RunEvent {
                    from: RunStatus::Proposed,
                    to: RunStatus::Offered,
                }],
            )?;
        }
        run_ids.push(run_row.id);
    }

    if locking {
        move_requests(uow, snapshot, plan, &row.id, &run_ids, date, zone)?;
    }
    plan_view(uow.conn, &row)
}

/// After a locking plan: submitted requests lock, placed ones are planned with their run,
/// stop and window, and planned ones that lost their place go back to locked. Each request
/// moves from the status it has now (read under the area's lock), not the one planned from.
#[allow(clippy::too_many_arguments)]
fn move_requests(
    uow: &mut UnitOfWork<'_>,
    snapshot: &Snapshot,
    plan: &DayPlan,
    plan_id: &str,
    run_ids: &[String],
    date: NaiveDate,
    zone: Tz,
) -> Result<(), AppError> {
    let placed: HashMap<Uuid, &day::Placement> =
        plan.placements.iter().map(|p| (p.request, p)).collect();
    let facts = RequestFacts {
        cutoff: Cutoff {
            at: snapshot.area.cutoff.cutoff(date, zone)?,
            zone,
        },
        ordering_open: false,
    };
    for request in &snapshot.day.requests {
        if snapshot.fixed.contains(&request.id) {
            continue;
        }
        let Some(mut row) = db::requests::find(uow.conn, request.id)? else {
            continue;
        };
        let movable = matches!(
            row.status,
            RequestStatus::Submitted | RequestStatus::Locked | RequestStatus::Planned
        );
        let placement = placed.get(&request.id).filter(|_| movable);
        let mut commands = Vec::new();
        if row.status == RequestStatus::Submitted {
            commands.push(RequestCommand::Lock);
        }
        match (placement, row.status) {
            (Some(_), RequestStatus::Submitted | RequestStatus::Locked) => {
                commands.push(RequestCommand::Plan)
            }
            (None, RequestStatus::Planned) => commands.push(RequestCommand::Unplan),
            _ => {}
        }
        match placement {
            Some(p) => {
                let run_id = run_ids
                    .get(p.run)
                    .ok_or_else(|| AppError::internal("placement without its run"))?;
                db::plans::insert_placement(
                    uow.conn,
                    &PlacementRow {
                        request_id: request.id.to_string(),
                        plan_id: plan_id.to_owned(),
                        run_id: run_id.clone(),
                        stop_seq: i32::try_from(p.stop)
                            .map_err(|e| AppError::internal(e.to_string()))?,
                        hub_id: p.hub.to_string(),
                        window_start: at(date, zone, p.window.start)?,
                        window_end: at(date, zone, p.window.end)?,
                    },
                )?;
            }
            None => db::plans::delete_placement(uow.conn, &request.id.to_string())?,
        }
        for command in commands {
            let step = request_rules::transition(row.status, command, Role::Coordinator, facts)?;
            uow.request_step(&mut row, step, command.as_str())?;
        }
    }
    Ok(())
}

/// The plan as its reader sees it (stop locations for staff; never addresses here).
fn plan_view(conn: &mut DbConnection, plan: &PlanRow) -> Result<PlanView, AppError> {
    let runs = db::plans::runs_of(conn, &plan.id)?;
    let runs = run_views(conn, runs)?;
    Ok(PlanView {
        id: uuid(&plan.id)?,
        area_id: uuid(&plan.area_id)?,
        delivery_date: plan.delivery_date.clone(),
        status: plan.status,
        version: plan.version,
        runs,
        post_loads: from_json(&plan.post_loads)?,
        unassigned: from_json(&plan.unassigned)?,
        impact: from_json(&plan.impact)?,
        warnings: from_json(&plan.warnings)?,
        created_at: timestamp(plan.created_at),
        updated_at: timestamp(plan.updated_at),
    })
}

/// A run with its stops and where each stop is; `with_contacts` (for the run's own carrier
/// only, and audited by the caller) adds the address and phone of each door.
pub fn run_view(
    conn: &mut DbConnection,
    run: RunRow,
    with_contacts: bool,
) -> Result<RunView, AppError> {
    let stops = db::plans::stops_of(conn, &run.id)?;
    assemble_run(conn, run, stops, with_contacts)
}

/// Several runs without contacts, their stops read together.
pub fn run_views(conn: &mut DbConnection, runs: Vec<RunRow>) -> Result<Vec<RunView>, AppError> {
    let ids: Vec<String> = runs.iter().map(|r| r.id.clone()).collect();
    let mut stops = db::plans::stops_of_runs(conn, &ids)?;
    runs.into_iter()
        .map(|run| {
            let own = stops.remove(&run.id).unwrap_or_default();
            assemble_run(conn, run, own, false)
        })
        .collect()
}

fn assemble_run(
    conn: &mut DbConnection,
    run: RunRow,
    stops: Vec<StopRow>,
    own: bool,
) -> Result<RunView, AppError> {
    let stops = stops
        .into_iter()
        .map(|s| {
            let request_id = s.request_id.as_deref().map(uuid).transpose()?;
            let (address, phone) = match (own, s.kind == StopKind::Delivery.as_str(), request_id) {
                (true, true, Some(id)) => {
                    let request = db::requests::find(conn, id)?.ok_or(AppError::NotFound)?;
                    let resident = db::residents::find(conn, uuid(&request.resident_id)?)?
                        .ok_or(AppError::NotFound)?;
                    (Some(resident.address), Some(resident.phone))
                }
                _ => (None, None),
            };
            Ok(StopView {
                seq: s.seq,
                kind: s.kind,
                request_id,
                hub_id: s.hub_id.as_deref().map(uuid).transpose()?,
                arrival: timestamp(s.arrival),
                location: Some(Location {
                    lat: s.lat,
                    lon: s.lon,
                }),
                address,
                phone,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(RunView {
        id: uuid(&run.id)?,
        plan_id: uuid(&run.plan_id)?,
        area_id: uuid(&run.area_id)?,
        delivery_date: run.delivery_date,
        carrier: CarrierView {
            kind: run.carrier_kind,
            id: uuid(&run.carrier_id)?,
            name: run.carrier_name,
        },
        hub_id: run.hub_id.as_deref().map(uuid).transpose()?,
        status: run.status,
        starts_at: timestamp(run.starts_at),
        stops,
        distance_km: (run.distance_m as f64 / 10.0).round() / 100.0,
        duration_min: (run.duration_s as f64 / 6.0).round() / 10.0,
    })
}
