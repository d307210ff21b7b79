//! Queries on `proxies`: who may receive or collect for a resident.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::proxies;
use super::text::Spelled;
use crate::domain::ids::{AreaId, ProxyId, ResidentId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = proxies)]
pub struct ProxyRow {
    #[diesel(deserialize_as = Spelled<ProxyId>, serialize_as = String)]
    pub id: ProxyId,
    #[diesel(deserialize_as = Spelled<ResidentId>, serialize_as = String)]
    pub resident_id: ResidentId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub consent_given_by: String,
    pub consent_basis: String,
    pub consent_text_version: String,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &ProxyRow) -> Result<(), AppError> {
    diesel::insert_into(proxies::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The resident's proxies not removed, oldest first.
pub fn of_resident(
    conn: &mut DbConnection,
    resident: ResidentId,
) -> Result<Vec<ProxyRow>, AppError> {
    Ok(proxies::table
        .filter(proxies::resident_id.eq(resident))
        .filter(proxies::removed_at.is_null())
        .select(ProxyRow::as_select())
        .order((proxies::created_at.asc(), proxies::id.asc()))
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: ProxyId) -> Result<Option<ProxyRow>, AppError> {
    Ok(proxies::table
        .find(id)
        .select(ProxyRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Marks the proxy removed; false if it was not there (or removed already).
pub fn remove(conn: &mut DbConnection, id: ProxyId, at: NaiveDateTime) -> Result<bool, AppError> {
    let changed = diesel::update(
        proxies::table
            .find(id)
            .filter(proxies::removed_at.is_null()),
    )
    .set(proxies::removed_at.eq(Some(at)))
    .execute(conn)?;
    Ok(changed == 1)
}
