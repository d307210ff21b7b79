//! Queries on `outbox`: the events of each change, written in its transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::outbox;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub aggregate: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: String,
    pub area_id: Option<String>,
    pub actor_id: Option<String>,
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
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, row: &OutboxRow) -> Result<(), AppError> {
    diesel::insert_into(outbox::table)
        .values(row)
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
