//! Queries on `grocery_requests` and `request_items`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{grocery_requests, neighbourhoods, request_items, residents};
use super::text::Spelled;
use crate::domain::ids::{AreaId, HubId, ItemId, NeighbourhoodId, RequestId, ResidentId, UserId};
use crate::domain::request::{Fulfilment, ItemOutcome, RequestStatus, Substitution, Temperature};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grocery_requests)]
pub struct RequestRow {
    #[diesel(deserialize_as = Spelled<RequestId>, serialize_as = String)]
    pub id: RequestId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    #[diesel(deserialize_as = Spelled<ResidentId>, serialize_as = String)]
    pub resident_id: ResidentId,
    pub delivery_date: String,
    #[diesel(deserialize_as = Spelled<Fulfilment>, serialize_as = String)]
    pub fulfilment: Fulfilment,
    pub notes: Option<String>,
    #[diesel(deserialize_as = Spelled<RequestStatus>, serialize_as = String)]
    pub status: RequestStatus,
    pub version: i32,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_items)]
pub struct ItemRow {
    #[diesel(deserialize_as = Spelled<ItemId>, serialize_as = String)]
    pub id: ItemId,
    #[diesel(deserialize_as = Spelled<RequestId>, serialize_as = String)]
    pub request_id: RequestId,
    pub position: i32,
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    #[diesel(deserialize_as = Spelled<Temperature>, serialize_as = String)]
    pub temperature: Temperature,
    #[diesel(deserialize_as = Spelled<Substitution>, serialize_as = String)]
    pub substitution: Substitution,
    #[diesel(deserialize_as = Spelled<ItemOutcome>, serialize_as = String)]
    pub outcome: ItemOutcome,
    pub price_yen: Option<i64>,
}

pub fn insert(
    conn: &mut DbConnection,
    row: &RequestRow,
    items: &[ItemRow],
) -> Result<(), AppError> {
    diesel::insert_into(grocery_requests::table)
        .values(row.clone())
        .execute(conn)?;
    insert_items(conn, items)
}

/// One statement per item: SQLite caps bound parameters per statement.
fn insert_items(conn: &mut DbConnection, items: &[ItemRow]) -> Result<(), AppError> {
    for item in items {
        diesel::insert_into(request_items::table)
            .values(item.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn replace_items(
    conn: &mut DbConnection,
    request_id: RequestId,
    items: &[ItemRow],
) -> Result<(), AppError> {
    diesel::delete(request_items::table.filter(request_items::request_id.eq(request_id)))
        .execute(conn)?;
    insert_items(conn, items)
}

pub fn find(conn: &mut DbConnection, id: RequestId) -> Result<Option<RequestRow>, AppError> {
    Ok(grocery_requests::table
        .find(id.to_string())
        .select(RequestRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn items_of(
    conn: &mut DbConnection,
    request_ids: &[RequestId],
) -> Result<Vec<ItemRow>, AppError> {
    Ok(request_items::table
        .filter(request_items::request_id.eq_any(super::text::texts(request_ids)))
        .select(ItemRow::as_select())
        .order((
            request_items::request_id.asc(),
            request_items::position.asc(),
        ))
        .load(conn)?)
}

/// Writes `row` if its stored version is still `expected_version`; false when it is not.
pub fn update_if_version(
    conn: &mut DbConnection,
    row: &RequestRow,
    expected_version: i32,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        grocery_requests::table
            .find(&row.id)
            .filter(grocery_requests::version.eq(expected_version)),
    )
    .set((
        grocery_requests::delivery_date.eq(&row.delivery_date),
        grocery_requests::fulfilment.eq(row.fulfilment.as_str()),
        grocery_requests::notes.eq(&row.notes),
        grocery_requests::status.eq(row.status.as_str()),
        grocery_requests::version.eq(row.version),
        grocery_requests::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Filters of the request list; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub area_id: Option<AreaId>,
    /// Only requests of these residents (a family member's linked residents).
    pub resident_ids: Option<Vec<ResidentId>>,
    pub delivery_date: Option<String>,
    pub status: Option<RequestStatus>,
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// Requests of residents whose neighbourhood's default hub this is.
    pub hub_id: Option<HubId>,
}

/// A page in (created_at, id) order after `after`.
pub fn list(
    conn: &mut DbConnection,
    filter: &RequestFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<RequestRow>, AppError> {
    let mut query = grocery_requests::table
        .inner_join(residents::table)
        .select(RequestRow::as_select())
        .into_boxed();
    if let Some(area) = filter.area_id {
        query = query.filter(grocery_requests::area_id.eq(area.to_string()));
    }
    if let Some(ids) = &filter.resident_ids {
        query = query.filter(grocery_requests::resident_id.eq_any(super::text::texts(ids)));
    }
    if let Some(date) = &filter.delivery_date {
        query = query.filter(grocery_requests::delivery_date.eq(date.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(grocery_requests::status.eq(status.as_str()));
    }
    if let Some(neighbourhood) = filter.neighbourhood_id {
        query = query.filter(residents::neighbourhood_id.eq(neighbourhood.to_string()));
    }
    if let Some(hub) = filter.hub_id {
        let served = neighbourhoods::table
            .filter(neighbourhoods::default_hub_id.eq(hub.to_string()))
            .select(neighbourhoods::id.nullable());
        query = query.filter(residents::neighbourhood_id.eq_any(served));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            grocery_requests::created_at
                .gt(at)
                .or(grocery_requests::created_at
                    .eq(at)
                    .and(grocery_requests::id.gt(id))),
        );
    }
    Ok(query
        .order((
            grocery_requests::created_at.asc(),
            grocery_requests::id.asc(),
        ))
        .limit(limit)
        .load(conn)?)
}
