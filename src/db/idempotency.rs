//! Idempotency keys: the first answer to a create, kept so that a phone's retry gets it again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::idempotency_keys;
use super::text::Spelled;
use crate::domain::idempotency::ClaimState;
use crate::domain::ids::UserId;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub caller_id: UserId,
    pub idempotency_key: String,
    pub body_hash: String,
    #[diesel(deserialize_as = Spelled<ClaimState>, serialize_as = String)]
    pub state: ClaimState,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find(
    conn: &mut DbConnection,
    caller: UserId,
    key: &str,
) -> Result<Option<IdempotencyRow>, AppError> {
    Ok(idempotency_keys::table
        .find((caller.to_string(), key))
        .select(IdempotencyRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Claims the key; false when another request holds it already.
pub fn claim(conn: &mut DbConnection, row: &IdempotencyRow) -> Result<bool, AppError> {
    match diesel::insert_into(idempotency_keys::table)
        .values(row.clone())
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

pub fn release(conn: &mut DbConnection, caller: UserId, key: &str) -> Result<(), AppError> {
    diesel::delete(idempotency_keys::table.find((caller.to_string(), key))).execute(conn)?;
    Ok(())
}

/// Retention: keys (and the answers they hold, with what was ordered) made before `before`.
pub fn delete_before(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, AppError> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
            .execute(conn)?,
    )
}
