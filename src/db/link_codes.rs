//! Queries on `link_codes`: a resident's short link codes, by digest.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::link_codes;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = link_codes)]
pub struct LinkCodeRow {
    pub code_hash: String,
    pub resident_id: String,
    pub area_id: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub used_by: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &LinkCodeRow) -> Result<(), AppError> {
    diesel::insert_into(link_codes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, code_hash: &str) -> Result<Option<LinkCodeRow>, AppError> {
    Ok(link_codes::table
        .find(code_hash)
        .select(LinkCodeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Uses the code once: false when it was used already (by a concurrent request too).
pub fn use_once(
    conn: &mut DbConnection,
    code_hash: &str,
    by: &str,
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
