//! What a period delivered, read for the impact figures: requests that ended, runs that were
//! completed, watch-over cases opened.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{escalations, grocery_requests, placements, residents, runs};
use super::text::Spelled;
use crate::domain::ids::{AreaId, NeighbourhoodId, ResidentId, RunId};
use crate::domain::request::RequestStatus;
use crate::domain::run::{CarrierKind, RunStatus};
use crate::error::AppError;

/// A request of the area between `from` and `to` (delivery dates, inclusive) that was
/// delivered, collected or failed, with its household's place and the run that carried it.
pub struct EndedRow {
    pub household: ResidentId,
    pub delivery_date: String,
    pub status: RequestStatus,
    pub home: Option<(f64, f64)>,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub run: Option<RunId>,
}

type Ended = (
    Spelled<ResidentId>,
    String,
    Spelled<RequestStatus>,
    Option<f64>,
    Option<f64>,
    Spelled<Option<NeighbourhoodId>>,
    Spelled<Option<RunId>>,
);

pub fn ended_requests(
    conn: &mut DbConnection,
    area: AreaId,
    from: &str,
    to: &str,
) -> Result<Vec<EndedRow>, AppError> {
    let ended = [
        RequestStatus::Delivered,
        RequestStatus::Collected,
        RequestStatus::Failed,
    ]
    .map(RequestStatus::as_str);
    let rows: Vec<Ended> = grocery_requests::table
        .inner_join(residents::table)
        .left_join(placements::table.on(placements::request_id.eq(grocery_requests::id)))
        .filter(grocery_requests::area_id.eq(area.to_string()))
        .filter(grocery_requests::delivery_date.ge(from))
        .filter(grocery_requests::delivery_date.le(to))
        .filter(grocery_requests::status.eq_any(ended))
        .select((
            grocery_requests::resident_id,
            grocery_requests::delivery_date,
            grocery_requests::status,
            residents::lat,
            residents::lon,
            residents::neighbourhood_id,
            placements::run_id.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(household, delivery_date, status, lat, lon, neighbourhood, run)| EndedRow {
                household: household.0,
                delivery_date,
                status: status.0,
                home: lat.zip(lon),
                neighbourhood: neighbourhood.0,
                run: run.0,
            },
        )
        .collect())
}

/// A completed run of the period.
pub struct CompletedRunRow {
    pub id: RunId,
    pub delivery_date: String,
    pub distance_m: i64,
    pub duration_s: i64,
    pub by_volunteer: bool,
}

type RunColumns = (Spelled<RunId>, String, i64, i64, Spelled<CarrierKind>);

pub fn completed_runs(
    conn: &mut DbConnection,
    area: AreaId,
    from: &str,
    to: &str,
) -> Result<Vec<CompletedRunRow>, AppError> {
    let rows: Vec<RunColumns> = runs::table
        .filter(runs::area_id.eq(area.to_string()))
        .filter(runs::delivery_date.ge(from))
        .filter(runs::delivery_date.le(to))
        .filter(runs::status.eq(RunStatus::Completed.as_str()))
        .select((
            runs::id,
            runs::delivery_date,
            runs::distance_m,
            runs::duration_s,
            runs::carrier_kind,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, delivery_date, distance_m, duration_s, kind)| CompletedRunRow {
                id: id.0,
                delivery_date,
                distance_m,
                duration_s,
                by_volunteer: kind.0 == CarrierKind::Volunteer,
            },
        )
        .collect())
}

/// A watch-over case: when it opened, the resident's neighbourhood, its outcome once resolved.
pub struct CaseRow {
    pub opened_at: NaiveDateTime,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub outcome: Option<String>,
}

type CaseColumns = (
    NaiveDateTime,
    Spelled<Option<NeighbourhoodId>>,
    Option<String>,
);

/// Watch-over cases opened in `[from, to)` (UTC).
pub fn cases_opened(
    conn: &mut DbConnection,
    area: AreaId,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<CaseRow>, AppError> {
    let rows: Vec<CaseColumns> = escalations::table
        .inner_join(residents::table.on(residents::id.eq(escalations::resident_id)))
        .filter(escalations::area_id.eq(area.to_string()))
        .filter(escalations::opened_at.ge(from))
        .filter(escalations::opened_at.lt(to))
        .select((
            escalations::opened_at,
            residents::neighbourhood_id,
            escalations::outcome,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(opened_at, neighbourhood, outcome)| CaseRow {
            opened_at,
            neighbourhood: neighbourhood.0,
            outcome,
        })
        .collect())
}

/// The names of the area's neighbourhoods, by id.
pub fn neighbourhood_names(
    conn: &mut DbConnection,
    area: AreaId,
) -> Result<Vec<(NeighbourhoodId, String)>, AppError> {
    use super::schema::neighbourhoods;
    let rows: Vec<(Spelled<NeighbourhoodId>, String)> = neighbourhoods::table
        .filter(neighbourhoods::area_id.eq(area.to_string()))
        .select((neighbourhoods::id, neighbourhoods::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, name)| (id.0, name)).collect())
}
