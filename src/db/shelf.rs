//! Queries on `shelf_entries`: what a hub's keeper holds, with its shelf number and the time
//! it must be handed on by.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::shelf_entries;
use super::text::Spelled;
use crate::domain::ids::{HubId, RequestId};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = shelf_entries)]
pub struct ShelfRow {
    #[diesel(deserialize_as = Spelled<RequestId>, serialize_as = String)]
    pub request_id: RequestId,
    #[diesel(deserialize_as = Spelled<HubId>, serialize_as = String)]
    pub hub_id: HubId,
    pub delivery_date: String,
    pub shelf_number: i32,
    pub received_at: NaiveDateTime,
    pub collect_by: NaiveDateTime,
    pub flagged_at: Option<NaiveDateTime>,
}

pub fn find(conn: &mut DbConnection, request: RequestId) -> Result<Option<ShelfRow>, AppError> {
    Ok(shelf_entries::table
        .find(request)
        .select(ShelfRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Puts a request on the hub's shelf under the next free number of the date (a request
/// received again keeps its number and gets a new time to be handed on by).
pub fn shelve(
    conn: &mut DbConnection,
    request: RequestId,
    hub: HubId,
    date: &str,
    received_at: NaiveDateTime,
    collect_by: NaiveDateTime,
) -> Result<ShelfRow, AppError> {
    if let Some(existing) = find(conn, request)?
        && existing.hub_id == hub
    {
        diesel::update(shelf_entries::table.find(request))
            .set((
                shelf_entries::received_at.eq(received_at),
                shelf_entries::collect_by.eq(collect_by),
                shelf_entries::flagged_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        return Ok(ShelfRow {
            received_at,
            collect_by,
            flagged_at: None,
            ..existing
        });
    }
    diesel::delete(shelf_entries::table.find(request)).execute(conn)?;
    let last: Option<i32> = shelf_entries::table
        .filter(shelf_entries::hub_id.eq(hub))
        .filter(shelf_entries::delivery_date.eq(date))
        .select(diesel::dsl::max(shelf_entries::shelf_number))
        .get_result(conn)?;
    let row = ShelfRow {
        request_id: request,
        hub_id: hub,
        delivery_date: date.to_owned(),
        shelf_number: last.unwrap_or(0) + 1,
        received_at,
        collect_by,
        flagged_at: None,
    };
    diesel::insert_into(shelf_entries::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(row)
}

/// The hub's entries for a date, by shelf number.
pub fn of_hub(conn: &mut DbConnection, hub: HubId, date: &str) -> Result<Vec<ShelfRow>, AppError> {
    Ok(shelf_entries::table
        .filter(shelf_entries::hub_id.eq(hub))
        .filter(shelf_entries::delivery_date.eq(date))
        .select(ShelfRow::as_select())
        .order(shelf_entries::shelf_number.asc())
        .load(conn)?)
}

/// Entries past their `collect_by` and not flagged yet, oldest first.
pub fn overdue(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<ShelfRow>, AppError> {
    Ok(shelf_entries::table
        .filter(shelf_entries::collect_by.le(now))
        .filter(shelf_entries::flagged_at.is_null())
        .select(ShelfRow::as_select())
        .order(shelf_entries::collect_by.asc())
        .limit(limit)
        .load(conn)?)
}

/// Flags the entry once; false if another instance flagged it first.
pub fn flag(
    conn: &mut DbConnection,
    request: RequestId,
    at: NaiveDateTime,
) -> Result<bool, AppError> {
    Ok(diesel::update(
        shelf_entries::table
            .find(request)
            .filter(shelf_entries::flagged_at.is_null()),
    )
    .set(shelf_entries::flagged_at.eq(Some(at)))
    .execute(conn)?
        == 1)
}

/// Every entry of the hub (whatever its date: goods returned from another day stay on it).
pub fn all_of_hub(conn: &mut DbConnection, hub: HubId) -> Result<Vec<ShelfRow>, AppError> {
    Ok(shelf_entries::table
        .filter(shelf_entries::hub_id.eq(hub))
        .select(ShelfRow::as_select())
        .load(conn)?)
}
