//! Counts for the coordinator's day at a glance: one query per queue, grouped in the database.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::handovers::HandoverRow;
use super::schema::{escalations, grocery_requests, handovers, residents, runs, users};
use super::text::Spelled;
use crate::domain::account::{Role, UserStatus};
use crate::domain::ids::AreaId;
use crate::domain::request::RequestStatus;
use crate::domain::run::RunStatus;
use crate::domain::watch_over::EscalationStatus;
use crate::error::AppError;

/// How many requests of each date are in each status.
pub fn requests_by_status(
    conn: &mut DbConnection,
    area: AreaId,
    dates: &[String],
) -> Result<Vec<(String, RequestStatus, i64)>, AppError> {
    let rows: Vec<(String, Spelled<RequestStatus>, i64)> = grocery_requests::table
        .filter(grocery_requests::area_id.eq(area.to_string()))
        .filter(grocery_requests::delivery_date.eq_any(dates))
        .group_by((grocery_requests::delivery_date, grocery_requests::status))
        .select((
            grocery_requests::delivery_date,
            grocery_requests::status,
            count_star(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(date, status, n)| (date, status.0, n))
        .collect())
}

/// How many runs of a date are in each status.
pub fn runs_by_status(
    conn: &mut DbConnection,
    area: AreaId,
    date: &str,
) -> Result<Vec<(RunStatus, i64)>, AppError> {
    let rows: Vec<(Spelled<RunStatus>, i64)> = runs::table
        .filter(runs::area_id.eq(area.to_string()))
        .filter(runs::delivery_date.eq(date))
        .group_by(runs::status)
        .select((runs::status, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(status, n)| (status.0, n)).collect())
}

/// Watch-over cases of the area not resolved yet.
pub fn unresolved_escalations(conn: &mut DbConnection, area: AreaId) -> Result<i64, AppError> {
    Ok(escalations::table
        .filter(escalations::area_id.eq(area.to_string()))
        .filter(escalations::status.ne(EscalationStatus::Resolved.as_str()))
        .count()
        .get_result(conn)?)
}

/// Counted handovers since `since` whose crates differ from what was expected, newest first.
pub fn discrepancies_since(
    conn: &mut DbConnection,
    area: AreaId,
    since: NaiveDateTime,
) -> Result<Vec<HandoverRow>, AppError> {
    let counted: Vec<HandoverRow> = handovers::table
        .filter(handovers::area_id.eq(area.to_string()))
        .filter(handovers::occurred_at.ge(since))
        .filter(handovers::expected_crates.is_not_null())
        .order((handovers::occurred_at.desc(), handovers::id))
        .select(HandoverRow::as_select())
        .load(conn)?;
    let read = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
    };
    Ok(counted
        .into_iter()
        .filter(|row| read(&row.crates) != read(&row.expected_crates))
        .collect())
}

/// Volunteers who registered and wait for a coordinator: those of the area and those who
/// named none yet (approval gives them the approver's area).
pub fn volunteers_waiting(conn: &mut DbConnection, area: AreaId) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::role.eq(Role::Volunteer.as_str()))
        .filter(users::status.eq(UserStatus::Pending.as_str()))
        .filter(
            users::area_id
                .eq(area.to_string())
                .or(users::area_id.is_null()),
        )
        .count()
        .get_result(conn)?)
}

/// Residents a coordinator must place: with no location, or on no neighbourhood's polygon
/// (the map's review list, `db::residents::of_area` with `review`).
pub fn residents_to_place(conn: &mut DbConnection, area: AreaId) -> Result<i64, AppError> {
    Ok(residents::table
        .filter(residents::area_id.eq(area.to_string()))
        .filter(residents::neighbourhood_id.is_null())
        .count()
        .get_result(conn)?)
}
