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
