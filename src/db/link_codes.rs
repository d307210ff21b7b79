//! Queries on `link_codes`: a resident's short link codes, by digest.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::link_codes;
use super::text::{NullableText, Spelled};
use crate::domain::ids::{AreaId, ResidentId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = link_codes)]
pub struct LinkCodeRow {
    pub code_hash: String,
    #[diesel(deserialize_as = Spelled<ResidentId>, serialize_as = String)]
    pub resident_id: ResidentId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Spelled<Option<UserId>>, serialize_as = NullableText)]
    pub used_by: Option<UserId>,
}

pub fn insert(conn: &mut DbConnection, row: &LinkCodeRow) -> Result<(), AppError> {
    diesel::insert_into(link_codes::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, code_hash: &str) -> Result<Option<LinkCodeRow>, AppError> {
    Ok(link_codes::table
        .find(code_hash)
        .select(LinkCodeRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Uses the code once: false when it was used already (by a concurrent request too).
pub fn use_once(
    conn: &mut DbConnection,
    code_hash: &str,
    by: UserId,
    at: NaiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        link_codes::table
            .find(code_hash)
            .filter(link_codes::used_at.is_null()),
    )
    .set((link_codes::used_at.eq(at), link_codes::used_by.eq(by)))
    .execute(conn)?;
    Ok(changed == 1)
}
