//! Queries on `refresh_tokens`: one row per token, grouped in families by the login that
//! started them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::refresh_tokens;
use super::text::{NullableText, Spelled};
use crate::domain::ids::{RefreshTokenId, TokenFamilyId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    #[diesel(deserialize_as = Spelled<RefreshTokenId>, serialize_as = String)]
    pub id: RefreshTokenId,
    #[diesel(deserialize_as = Spelled<TokenFamilyId>, serialize_as = String)]
    pub family_id: TokenFamilyId,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub user_id: UserId,
    pub token_hash: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Spelled<Option<RefreshTokenId>>, serialize_as = NullableText)]
    pub successor_id: Option<RefreshTokenId>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &RefreshTokenRow) -> Result<(), AppError> {
    diesel::insert_into(refresh_tokens::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<RefreshTokenRow>, AppError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find(
    conn: &mut DbConnection,
    id: RefreshTokenId,
) -> Result<Option<RefreshTokenRow>, AppError> {
    Ok(refresh_tokens::table
        .find(id)
        .select(RefreshTokenRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Marks `id` rotated to `successor_id` unless another request did first; says whether this
/// call won.
pub fn mark_rotated(
    conn: &mut DbConnection,
    id: RefreshTokenId,
    successor_id: RefreshTokenId,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::rotated_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set((
        refresh_tokens::rotated_at.eq(Some(now)),
        refresh_tokens::successor_id.eq(Some(successor_id.to_string())),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: TokenFamilyId,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

pub fn revoke_all_of_user(
    conn: &mut DbConnection,
    user_id: UserId,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

/// Retention: tokens that expired before `before` (none of them can be presented any more).
pub fn delete_expired(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, AppError> {
    Ok(
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(before)))
            .execute(conn)?,
    )
}
