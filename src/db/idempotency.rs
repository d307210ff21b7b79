//! Idempotency keys: the first answer to a create, kept so that a phone's retry gets it again.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConnection;
use super::schema::idempotency_keys;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub caller_id: String,
    pub idempotency_key: String,
    pub body_hash: String,
    pub state: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find(
    conn: &mut DbConnection,
    caller: Uuid,
    key: &str,
) -> Result<Option<IdempotencyRow>, AppError> {
    Ok(idempotency_keys::table
        .find((caller.to_string(), key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Claims the key; false when another request holds it already.
pub fn claim(conn: &mut DbConnection, row: &IdempotencyRow) -> Result<bool, AppError> {
    match diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub fn complete(
    conn: &mut DbConnection,
    caller: Uuid,
    key: &str,
    status: i32,
    body: &str,
) -> Result<(), AppError> {
    diesel::update(idempotency_keys::table.find((caller.to_string(), key)))
        .set((
            idempotency_keys::state.eq("done"),
            idempotency_keys::response_status.eq(Some(status)),
            idempotency_keys::response_body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn release(conn: &mut DbConnection, caller: Uuid, key: &str) -> Result<(), AppError> {
    diesel::delete(idempotency_keys::table.find((caller.to_string(), key))).execute(conn)?;
    Ok(())
}

/// Takes over a claim still `in_progress` from `earlier.created_at`; false when someone else
/// took it first.
pub fn take_over(
    conn: &mut DbConnection,
    earlier: &IdempotencyRow,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        idempotency_keys::table
            .find((&earlier.caller_id, &earlier.idempotency_key))
            .filter(idempotency_keys::state.eq("in_progress"))
            .filter(idempotency_keys::created_at.eq(earlier.created_at)),
    )
    .set(idempotency_keys::created_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}
