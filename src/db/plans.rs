//! Queries on `plans`, `runs`, `run_stops`, `placements` and `planning_jobs`, and the reads
//! that gather a delivery day for the planner.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::carriers::VolunteerProfileRow;
use super::requests::{ItemRow, RequestRow};
use super::schema::{
    grocery_requests, placements, planning_jobs, plans, request_items, residents, run_stops, runs,
    users, volunteer_profiles,
};
use super::text::{NullableText, Spelled};
use crate::domain::account::{Role, UserStatus};
use crate::domain::ids::{AreaId, CarrierId, HubId, PlanId, RequestId, RunId, UserId};
use crate::domain::plan::{PlanStatus, PlanningJobState};
use crate::domain::request::RequestStatus;
use crate::domain::run::{CarrierKind, RunStatus};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = plans)]
#[diesel(treat_none_as_null = true)]
pub struct PlanRow {
    #[diesel(deserialize_as = Spelled<PlanId>, serialize_as = String)]
    pub id: PlanId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub delivery_date: String,
    #[diesel(deserialize_as = Spelled<PlanStatus>, serialize_as = String)]
    pub status: PlanStatus,
    pub version: i32,
    pub seed: i64,
    pub post_loads: String,
    pub unassigned: String,
    pub impact: String,
    pub warnings: String,
    #[diesel(deserialize_as = Spelled<Option<UserId>>, serialize_as = NullableText)]
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = runs)]
pub struct RunRow {
    #[diesel(deserialize_as = Spelled<RunId>, serialize_as = String)]
    pub id: RunId,
    #[diesel(deserialize_as = Spelled<PlanId>, serialize_as = String)]
    pub plan_id: PlanId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub delivery_date: String,
    #[diesel(deserialize_as = Spelled<CarrierKind>, serialize_as = String)]
    pub carrier_kind: CarrierKind,
    #[diesel(deserialize_as = Spelled<CarrierId>, serialize_as = String)]
    pub carrier_id: CarrierId,
    pub carrier_name: String,
    #[diesel(deserialize_as = Spelled<Option<HubId>>, serialize_as = NullableText)]
    pub hub_id: Option<HubId>,
    #[diesel(deserialize_as = Spelled<RunStatus>, serialize_as = String)]
    pub status: RunStatus,
    pub distance_m: i64,
    pub duration_s: i64,
    pub starts_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// What families see of the carrier.
    pub carrier_public_name: String,
    /// Why its carrier declined it, until it is offered again.
    pub decline_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = run_stops)]
pub struct StopRow {
    #[diesel(deserialize_as = Spelled<RunId>, serialize_as = String)]
    pub run_id: RunId,
    pub seq: i32,
    pub kind: String,
    #[diesel(deserialize_as = Spelled<Option<RequestId>>, serialize_as = NullableText)]
    pub request_id: Option<RequestId>,
    #[diesel(deserialize_as = Spelled<Option<HubId>>, serialize_as = NullableText)]
    pub hub_id: Option<HubId>,
    pub arrival: NaiveDateTime,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = placements)]
pub struct PlacementRow {
    #[diesel(deserialize_as = Spelled<RequestId>, serialize_as = String)]
    pub request_id: RequestId,
    #[diesel(deserialize_as = Spelled<PlanId>, serialize_as = String)]
    pub plan_id: PlanId,
    #[diesel(deserialize_as = Spelled<RunId>, serialize_as = String)]
    pub run_id: RunId,
    pub stop_seq: i32,
    #[diesel(deserialize_as = Spelled<HubId>, serialize_as = String)]
    pub hub_id: HubId,
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: PlanId) -> Result<Option<PlanRow>, AppError> {
    Ok(plans::table
        .find(id.to_string())
        .select(PlanRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_for_date(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
) -> Result<Option<PlanRow>, AppError> {
    Ok(plans::table
        .filter(plans::area_id.eq(area.to_string()))
        .filter(plans::delivery_date.eq(date))
        .select(PlanRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &PlanRow) -> Result<(), AppError> {
    diesel::insert_into(plans::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Writes `row` if the stored plan is still at `expected_version`; false when it is not.
pub fn update_if_version(
    conn: &mut DbConnection,
    row: &PlanRow,
    expected_version: i32,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        plans::table
            .find(&row.id)
            .filter(plans::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn runs_of(conn: &mut DbConnection, plan: PlanId) -> Result<Vec<RunRow>, AppError> {
    Ok(runs::table
        .filter(runs::plan_id.eq(plan))
        .select(RunRow::as_select())
        .order((runs::starts_at.asc(), runs::id.asc()))
        .load(conn)?)
}

pub fn find_run(conn: &mut DbConnection, id: RunId) -> Result<Option<RunRow>, AppError> {
    Ok(runs::table
        .find(id.to_string())
        .select(RunRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Moves a run from `from` to `to`; false when it was not in `from`.
pub fn set_run_status(
    conn: &mut DbConnection,
    id: RunId,
    from: RunStatus,
    to: RunStatus,
) -> Result<bool, AppError> {
    let changed = diesel::update(runs::table.find(id).filter(runs::status.eq(from.as_str())))
        .set(runs::status.eq(to.as_str()))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Declines the run if it is still in `from`, keeping the carrier's reason.
pub fn decline_run(conn: &mut DbConnection, run: &RunRow, reason: &str) -> Result<bool, AppError> {
    let changed = diesel::update(
        runs::table
            .find(run.id)
            .filter(runs::status.eq(run.status.as_str())),
    )
    .set((
        runs::status.eq(RunStatus::Declined.as_str()),
        runs::decline_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Gives the run (as read, in `run.status`) to the carrier `to` names, offered to them
/// afresh, if it is still as read.
pub fn reassign_run(conn: &mut DbConnection, run: &RunRow, to: &RunRow) -> Result<bool, AppError> {
    let changed = diesel::update(
        runs::table
            .find(run.id)
            .filter(runs::status.eq(run.status.as_str()))
            .filter(runs::carrier_id.eq(run.carrier_id.to_string())),
    )
    .set((
        runs::status.eq(RunStatus::Offered.as_str()),
        runs::carrier_kind.eq(to.carrier_kind.as_str()),
        runs::carrier_id.eq(to.carrier_id.to_string()),
        runs::carrier_name.eq(&to.carrier_name),
        runs::carrier_public_name.eq(&to.carrier_public_name),
        runs::decline_reason.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn stops_of(conn: &mut DbConnection, run: RunId) -> Result<Vec<StopRow>, AppError> {
    Ok(run_stops::table
        .filter(run_stops::run_id.eq(run))
        .select(StopRow::as_select())
        .order(run_stops::seq.asc())
        .load(conn)?)
}

/// The stops of several runs in one query per few hundred runs (a plan's or a page's), by run.
pub fn stops_of_runs(
    conn: &mut DbConnection,
    runs: &[RunId],
) -> Result<std::collections::HashMap<RunId, Vec<StopRow>>, AppError> {
    let mut by_run: std::collections::HashMap<RunId, Vec<StopRow>> =
        std::collections::HashMap::new();
    // Well under SQLite's limit on bound parameters.
    for ids in runs.chunks(500) {
        let stops: Vec<StopRow> = run_stops::table
            .filter(run_stops::run_id.eq_any(super::text::texts(ids)))
            .select(StopRow::as_select())
            .order((run_stops::run_id.asc(), run_stops::seq.asc()))
            .load(conn)?;
        for stop in stops {
            by_run.entry(stop.run_id).or_default().push(stop);
        }
    }
    Ok(by_run)
}

/// Deletes run `id` with its stops and the placements on it, if it is still in `status`;
/// false (and nothing deleted) when it is not. The guarded update first takes the run's row
/// lock on PostgreSQL, so a concurrent accept either committed before (and is seen here) or
/// waits and then finds no run to accept.
pub fn delete_run_if(
    conn: &mut DbConnection,
    id: RunId,
    status: RunStatus,
) -> Result<bool, AppError> {
    let held = diesel::update(
        runs::table
            .find(id)
            .filter(runs::status.eq(status.as_str())),
    )
    .set(runs::status.eq(status.as_str()))
    .execute(conn)?;
    if held != 1 {
        return Ok(false);
    }
    diesel::delete(placements::table.filter(placements::run_id.eq(id))).execute(conn)?;
    diesel::delete(run_stops::table.filter(run_stops::run_id.eq(id))).execute(conn)?;
    diesel::delete(runs::table.find(id)).execute(conn)?;
    Ok(true)
}

/// Writes a run and its stops (one statement per row: SQLite caps bound parameters).
pub fn insert_run(
    conn: &mut DbConnection,
    run: &RunRow,
    stops: &[StopRow],
) -> Result<(), AppError> {
    diesel::insert_into(runs::table)
        .values(run.clone())
        .execute(conn)?;
    for stop in stops {
        diesel::insert_into(run_stops::table)
            .values(stop.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_placement(conn: &mut DbConnection, row: &PlacementRow) -> Result<(), AppError> {
    diesel::delete(placements::table.find(&row.request_id)).execute(conn)?;
    diesel::insert_into(placements::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn delete_placement(conn: &mut DbConnection, request: RequestId) -> Result<(), AppError> {
    diesel::delete(placements::table.find(request)).execute(conn)?;
    Ok(())
}

pub fn placement_of(
    conn: &mut DbConnection,
    request: RequestId,
) -> Result<Option<PlacementRow>, AppError> {
    Ok(placements::table
        .find(request)
        .select(PlacementRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The placements of several requests (those not placed have none).
pub fn placements_of(
    conn: &mut DbConnection,
    requests: &[RequestId],
) -> Result<Vec<PlacementRow>, AppError> {
    let mut found = Vec::new();
    for ids in requests.chunks(500) {
        found.extend(
            placements::table
                .filter(placements::request_id.eq_any(super::text::texts(ids)))
                .select(PlacementRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Several runs by id.
pub fn runs_by_id(conn: &mut DbConnection, ids: &[RunId]) -> Result<Vec<RunRow>, AppError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        found.extend(
            runs::table
                .filter(runs::id.eq_any(super::text::texts(chunk)))
                .select(RunRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Requests on a run (through their placements).
pub fn requests_on_run(conn: &mut DbConnection, run: RunId) -> Result<Vec<RequestId>, AppError> {
    Ok(placements::table
        .filter(placements::run_id.eq(run))
        .select(placements::request_id)
        .load::<Spelled<RequestId>>(conn)?
        .into_iter()
        .map(|id| id.0)
        .collect())
}

/// Who may see which runs in a list.
#[derive(Debug, Clone)]
pub enum RunScope {
    /// A volunteer's or carrier's own runs (and those of the post trips they drive), once
    /// offered.
    Carrier(Vec<CarrierId>),
    Area(AreaId),
    All,
}

pub fn list_runs(
    conn: &mut DbConnection,
    scope: &RunScope,
    delivery_date: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<RunRow>, AppError> {
    let mut query = runs::table.select(RunRow::as_select()).into_boxed();
    match scope {
        RunScope::Carrier(carriers) => {
            query = query
                .filter(runs::carrier_id.eq_any(super::text::texts(carriers)))
                .filter(runs::status.ne(RunStatus::Proposed.as_str()));
        }
        RunScope::Area(area) => query = query.filter(runs::area_id.eq(area.to_string())),
        RunScope::All => {}
    }
    if let Some(date) = delivery_date {
        query = query.filter(runs::delivery_date.eq(date.to_owned()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            runs::starts_at
                .gt(at)
                .or(runs::starts_at.eq(at).and(runs::id.gt(id))),
        );
    }
    Ok(query
        .order((runs::starts_at.asc(), runs::id.asc()))
        .limit(limit)
        .load(conn)?)
}

/// A request with its resident's latitude and longitude (none until located).
pub type RequestAt = (RequestRow, Option<f64>, Option<f64>);

/// The requests of a delivery date in the given statuses, with their resident's location.
pub fn requests_to_plan(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
    statuses: &[RequestStatus],
) -> Result<Vec<RequestAt>, AppError> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    Ok(grocery_requests::table
        .inner_join(residents::table)
        .filter(grocery_requests::area_id.eq(area.to_string()))
        .filter(grocery_requests::delivery_date.eq(date))
        .filter(grocery_requests::status.eq_any(statuses))
        .select((RequestRow::as_select(), residents::lat, residents::lon))
        .order((
            grocery_requests::created_at.asc(),
            grocery_requests::id.asc(),
        ))
        .load(conn)?)
}

/// The items of every request of a delivery date.
pub fn items_of_date(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
) -> Result<Vec<ItemRow>, AppError> {
    Ok(request_items::table
        .inner_join(grocery_requests::table)
        .filter(grocery_requests::area_id.eq(area.to_string()))
        .filter(grocery_requests::delivery_date.eq(date))
        .select(ItemRow::as_select())
        .order((
            request_items::request_id.asc(),
            request_items::position.asc(),
        ))
        .load(conn)?)
}

/// Active volunteers and carriers of an area with a profile: (profile, display name, role).
pub fn carriers_of(
    conn: &mut DbConnection,
    area: AreaId,
) -> Result<Vec<(VolunteerProfileRow, String, String)>, AppError> {
    Ok(volunteer_profiles::table
        .inner_join(users::table)
        .filter(users::area_id.eq(area.to_string()))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .filter(users::role.eq_any([Role::Volunteer.as_str(), Role::Carrier.as_str()]))
        .select((
            VolunteerProfileRow::as_select(),
            users::display_name,
            users::role,
        ))
        .order(users::id.asc())
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = planning_jobs)]
pub struct PlanningJobRow {
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub delivery_date: String,
    #[diesel(deserialize_as = Spelled<PlanningJobState>, serialize_as = String)]
    pub state: PlanningJobState,
    pub owner: String,
    pub lease_until: NaiveDateTime,
    pub attempts: i32,
    #[diesel(deserialize_as = Spelled<Option<PlanId>>, serialize_as = NullableText)]
    pub plan_id: Option<PlanId>,
    pub outcome: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// Claims the cutoff job of an area and date for `owner` until `lease_until`: a new row, or a
/// running one whose lease ran out. One statement each, so two instances cannot both win;
/// call it outside a transaction.
pub fn claim_job(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<bool, AppError> {
    let row = PlanningJobRow {
        area_id: area,
        delivery_date: date.to_owned(),
        state: PlanningJobState::Running,
        owner: owner.to_owned(),
        lease_until,
        attempts: 1,
        plan_id: None,
        outcome: None,
        updated_at: now,
    };
    // Outside a transaction: a unique violation aborts a PostgreSQL transaction.
    match diesel::insert_into(planning_jobs::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => return Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    let taken = diesel::update(
        planning_jobs::table
            .find((area.to_string(), date))
            .filter(planning_jobs::state.eq(PlanningJobState::Running.as_str()))
            .filter(planning_jobs::lease_until.lt(now)),
    )
    .set((
        planning_jobs::owner.eq(owner),
        planning_jobs::lease_until.eq(lease_until),
        planning_jobs::attempts.eq(planning_jobs::attempts + 1),
        planning_jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}

/// How a cutoff job ended.
#[derive(Debug, Clone)]
pub struct JobEnd {
    /// done or failed
    pub state: PlanningJobState,
    pub plan: Option<String>,
    pub outcome: String,
}

/// Records how the job ended, if `owner` still holds it.
pub fn finish_job(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
    owner: &str,
    end: &JobEnd,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        planning_jobs::table
            .find((area.to_string(), date))
            .filter(planning_jobs::owner.eq(owner))
            .filter(planning_jobs::state.eq(PlanningJobState::Running.as_str())),
    )
    .set((
        planning_jobs::state.eq(end.state.as_str()),
        planning_jobs::plan_id.eq(end.plan.as_deref()),
        planning_jobs::outcome.eq(&end.outcome),
        planning_jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn find_job(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
) -> Result<Option<PlanningJobRow>, AppError> {
    Ok(planning_jobs::table
        .find((area.to_string(), date))
        .select(PlanningJobRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Holds the run's row until the transaction ends, so that the handovers of one run follow
/// one another (each then sees the doors the others recorded). SQLite's one writer already
/// does.
pub fn lock_run(conn: &mut DbConnection, run: RunId) -> Result<(), AppError> {
    match conn {
        #[cfg(feature = "postgres")]
        DbConnection::Postgres(c) => {
            diesel::sql_query("SELECT id FROM runs WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Text, _>(run.to_string())
                .execute(c)?;
            Ok(())
        }
        #[cfg(feature = "sqlite")]
        DbConnection::Sqlite(_) => {
            let _ = run;
            Ok(())
        }
    }
}
