//! Queries on `notifications`: the in-app feed, one row per person and event.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::notifications;
use super::text::Spelled;
use crate::domain::ids::{NotificationId, OutboxEventId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    #[diesel(deserialize_as = Spelled<NotificationId>, serialize_as = String)]
    pub id: NotificationId,
    #[diesel(deserialize_as = Spelled<UserId>, serialize_as = String)]
    pub user_id: UserId,
    #[diesel(deserialize_as = Spelled<OutboxEventId>, serialize_as = String)]
    pub event_id: OutboxEventId,
    pub event_type: String,
    /// The catalogue key of its title and body.
    pub message: String,
    /// JSON object: the message's arguments.
    pub args: String,
    /// JSON object: the ids to open.
    pub subject: String,
    pub read_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &NotificationRow) -> Result<(), AppError> {
    diesel::insert_into(notifications::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// `user`'s notifications, newest first, before the cursor `(created_at, id)`.
pub fn of_user(
    conn: &mut DbConnection,
    user: UserId,
    unread_only: bool,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<NotificationRow>, AppError> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user.to_string()))
        .select(NotificationRow::as_select())
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some((at, id)) = before {
        query = query.filter(
            notifications::created_at
                .lt(at)
                .or(notifications::created_at
                    .eq(at)
                    .and(notifications::id.lt(id))),
        );
    }
    Ok(query
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .load(conn)?)
}

pub fn find(
    conn: &mut DbConnection,
    id: NotificationId,
) -> Result<Option<NotificationRow>, AppError> {
    Ok(notifications::table
        .find(id.to_string())
        .select(NotificationRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn unread_count(conn: &mut DbConnection, user: UserId) -> Result<i64, AppError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user.to_string()))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of `user`'s notifications read (once: a second read keeps the first time).
pub fn mark_read(
    conn: &mut DbConnection,
    user: UserId,
    id: NotificationId,
    at: NaiveDateTime,
) -> Result<usize, AppError> {
    Ok(diesel::update(
        notifications::table
            .find(id.to_string())
            .filter(notifications::user_id.eq(user.to_string()))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(at))
    .execute(conn)?)
}

pub fn mark_all_read(
    conn: &mut DbConnection,
    user: UserId,
    at: NaiveDateTime,
) -> Result<usize, AppError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user.to_string()))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(at))
    .execute(conn)?)
}

/// Retention: notifications made before `before`.
pub fn delete_before(conn: &mut DbConnection, before: NaiveDateTime) -> Result<usize, AppError> {
    Ok(
        diesel::delete(notifications::table.filter(notifications::created_at.lt(before)))
            .execute(conn)?,
    )
}
