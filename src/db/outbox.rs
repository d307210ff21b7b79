//! Queries on `outbox`: the events of each change, written in its transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::outbox;
use super::text::{NullableText, Spelled};
use crate::domain::ids::{AreaId, OutboxEventId, UserId};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    #[diesel(deserialize_as = Spelled<OutboxEventId>, serialize_as = String)]
    pub id: OutboxEventId,
    pub aggregate: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: String,
    #[diesel(deserialize_as = Spelled<Option<AreaId>>, serialize_as = NullableText)]
    pub area_id: Option<AreaId>,
    #[diesel(deserialize_as = Spelled<Option<UserId>>, serialize_as = NullableText)]
    pub actor_id: Option<UserId>,
    pub request_id: Option<String>,
    pub created_at: NaiveDateTime,
    /// When its deliveries and notifications were written (once).
    pub dispatched_at: Option<NaiveDateTime>,
}

/// The sequence number the next event of this aggregate takes.
pub fn next_sequence(
    conn: &mut DbConnection,
    aggregate: &str,
    aggregate_id: &str,
) -> Result<i64, AppError> {
    let last: Option<i64> = outbox::table
        .filter(outbox::aggregate.eq(aggregate))
        .filter(outbox::aggregate_id.eq(aggregate_id))
        .select(diesel::dsl::max(outbox::sequence))
        .get_result(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, row: &OutboxRow) -> Result<(), AppError> {
    diesel::insert_into(outbox::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The events of one aggregate in order.
pub fn of_aggregate(
    conn: &mut DbConnection,
    aggregate: &str,
    aggregate_id: &str,
) -> Result<Vec<OutboxRow>, AppError> {
    Ok(outbox::table
        .filter(outbox::aggregate.eq(aggregate))
        .filter(outbox::aggregate_id.eq(aggregate_id))
        .select(OutboxRow::as_select())
        .order(outbox::sequence.asc())
        .load(conn)?)
}

/// Events not dispatched yet, in the order they were made.
pub fn undispatched(conn: &mut DbConnection, limit: i64) -> Result<Vec<OutboxRow>, AppError> {
    Ok(outbox::table
        .filter(outbox::dispatched_at.is_null())
        .select(OutboxRow::as_select())
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .limit(limit)
        .load(conn)?)
}

/// Marks an event dispatched unless it already is: false when another got there first.
pub fn mark_dispatched(
    conn: &mut DbConnection,
    id: OutboxEventId,
    at: NaiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        outbox::table
            .find(id.to_string())
            .filter(outbox::dispatched_at.is_null()),
    )
    .set(outbox::dispatched_at.eq(at))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Retention: events dispatched before `before`, but never an aggregate's last event (its
/// sequence number is where the aggregate's next event counts on from).
pub fn delete_dispatched_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<usize, AppError> {
    let later = diesel::alias!(outbox as later);
    let has_later = later
        .filter(later.field(outbox::aggregate).eq(outbox::aggregate))
        .filter(later.field(outbox::aggregate_id).eq(outbox::aggregate_id))
        .filter(later.field(outbox::sequence).gt(outbox::sequence));
    Ok(diesel::delete(
        outbox::table
            .filter(outbox::dispatched_at.lt(before))
            .filter(diesel::dsl::exists(has_later)),
    )
    .execute(conn)?)
}
