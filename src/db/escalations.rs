//! Queries on `escalations` and `escalation_steps`: watch-over cases and how far each went.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{escalation_steps, escalations};
use super::text::{NullableText, Spelled};
use crate::domain::ids::{AreaId, EscalationId, HubId, RequestId, ResidentId, RunId, UserId};
use crate::domain::watch_over::{EscalationCause, EscalationOutcome, EscalationStatus, StepTo};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = escalations)]
pub struct EscalationRow {
    #[diesel(deserialize_as = Spelled<EscalationId>, serialize_as = String)]
    pub id: EscalationId,
    #[diesel(deserialize_as = Spelled<AreaId>, serialize_as = String)]
    pub area_id: AreaId,
    #[diesel(deserialize_as = Spelled<ResidentId>, serialize_as = String)]
    pub resident_id: ResidentId,
    #[diesel(deserialize_as = Spelled<RequestId>, serialize_as = String)]
    pub request_id: RequestId,
    #[diesel(deserialize_as = Spelled<Option<RunId>>, serialize_as = NullableText)]
    pub run_id: Option<RunId>,
    #[diesel(deserialize_as = Spelled<Option<HubId>>, serialize_as = NullableText)]
    pub hub_id: Option<HubId>,
    #[diesel(deserialize_as = Spelled<EscalationCause>, serialize_as = String)]
    pub cause: EscalationCause,
    #[diesel(deserialize_as = Spelled<EscalationStatus>, serialize_as = String)]
    pub status: EscalationStatus,
    pub step: i32,
    /// JSON `Vec<Step>`: the area's steps when the case opened.
    pub steps: String,
    pub opened_at: NaiveDateTime,
    pub next_due_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Spelled<Option<UserId>>, serialize_as = NullableText)]
    pub resolved_by: Option<UserId>,
    #[diesel(deserialize_as = Spelled<Option<EscalationOutcome>>, serialize_as = NullableText)]
    pub outcome: Option<EscalationOutcome>,
    pub note: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = escalation_steps)]
pub struct EscalationStepRow {
    #[diesel(deserialize_as = Spelled<EscalationId>, serialize_as = String)]
    pub escalation_id: EscalationId,
    pub idx: i32,
    #[diesel(deserialize_as = Spelled<StepTo>, serialize_as = String)]
    pub to_whom: StepTo,
    pub due_at: NaiveDateTime,
    pub reached_at: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Spelled<Option<UserId>>, serialize_as = NullableText)]
    pub acknowledged_by: Option<UserId>,
    pub note: Option<String>,
}

pub fn insert(
    conn: &mut DbConnection,
    row: &EscalationRow,
    steps: &[EscalationStepRow],
) -> Result<(), AppError> {
    diesel::insert_into(escalations::table)
        .values(row.clone())
        .execute(conn)?;
    for step in steps {
        diesel::insert_into(escalation_steps::table)
            .values(step.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: EscalationId) -> Result<Option<EscalationRow>, AppError> {
    Ok(escalations::table
        .find(id)
        .select(EscalationRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn steps_of(
    conn: &mut DbConnection,
    id: EscalationId,
) -> Result<Vec<EscalationStepRow>, AppError> {
    Ok(escalation_steps::table
        .filter(escalation_steps::escalation_id.eq(id))
        .select(EscalationStepRow::as_select())
        .order(escalation_steps::idx.asc())
        .load(conn)?)
}

/// Whether the request already has a case of this cause not resolved.
pub fn has_open(
    conn: &mut DbConnection,
    request: RequestId,
    cause: EscalationCause,
) -> Result<bool, AppError> {
    let count: i64 = escalations::table
        .filter(escalations::request_id.eq(request))
        .filter(escalations::cause.eq(cause.as_str()))
        .filter(escalations::status.ne(EscalationStatus::Resolved.as_str()))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Open cases whose next step is due by `now`, oldest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<EscalationRow>, AppError> {
    Ok(escalations::table
        .filter(escalations::status.eq(EscalationStatus::Open.as_str()))
        .filter(escalations::next_due_at.le(now))
        .select(EscalationRow::as_select())
        .order(escalations::next_due_at.asc())
        .limit(limit)
        .load(conn)?)
}

/// Writes the case's new state if it is still at `version`: the version check is what makes
/// a step move once when two instances look at the same case.
pub fn update_if_version(
    conn: &mut DbConnection,
    row: &EscalationRow,
    version: i32,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        escalations::table
            .find(row.id)
            .filter(escalations::version.eq(version)),
    )
    .set((
        escalations::status.eq(row.status.as_str()),
        escalations::step.eq(row.step),
        escalations::next_due_at.eq(row.next_due_at),
        escalations::resolved_at.eq(row.resolved_at),
        escalations::resolved_by.eq(row.resolved_by.map(|u| u.to_string())),
        escalations::outcome.eq(row.outcome.map(|o| o.as_str().to_owned())),
        escalations::note.eq(row.note.clone()),
        escalations::version.eq(row.version),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn mark_step(
    conn: &mut DbConnection,
    id: EscalationId,
    idx: i32,
    reached_at: Option<NaiveDateTime>,
    acknowledged: Option<(NaiveDateTime, UserId, Option<String>)>,
) -> Result<(), AppError> {
    let target = || escalation_steps::table.find((id.to_string(), idx));
    if let Some(at) = reached_at {
        diesel::update(target())
            .set(escalation_steps::reached_at.eq(Some(at)))
            .execute(conn)?;
    }
    if let Some((at, by, note)) = acknowledged {
        diesel::update(target())
            .set((
                escalation_steps::acknowledged_at.eq(Some(at)),
                escalation_steps::acknowledged_by.eq(Some(by.to_string())),
                escalation_steps::note.eq(note),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which cases a list shows.
pub enum EscalationScope {
    Area(AreaId),
    Residents(Vec<ResidentId>),
    /// Cases whose current step goes to these people (carriers' runs, keepers' hubs).
    Ids(Vec<EscalationId>),
}

pub fn list(
    conn: &mut DbConnection,
    scope: &EscalationScope,
    status: Option<EscalationStatus>,
    limit: i64,
) -> Result<Vec<EscalationRow>, AppError> {
    let mut query = escalations::table
        .select(EscalationRow::as_select())
        .into_boxed();
    query = match scope {
        EscalationScope::Area(area) => query.filter(escalations::area_id.eq(area.to_string())),
        EscalationScope::Residents(ids) => {
            query.filter(escalations::resident_id.eq_any(super::text::texts(ids)))
        }
        EscalationScope::Ids(ids) => query.filter(escalations::id.eq_any(super::text::texts(ids))),
    };
    if let Some(status) = status {
        query = query.filter(escalations::status.eq(status.as_str()));
    }
    Ok(query
        .order((escalations::opened_at.desc(), escalations::id.desc()))
        .limit(limit)
        .load(conn)?)
}

/// Cases not resolved of these runs or hubs.
pub fn open_at(
    conn: &mut DbConnection,
    runs: &[RunId],
    hubs: &[HubId],
) -> Result<Vec<EscalationRow>, AppError> {
    Ok(escalations::table
        .filter(escalations::status.ne(EscalationStatus::Resolved.as_str()))
        .filter(
            escalations::run_id
                .eq_any(super::text::texts(runs))
                .or(escalations::hub_id.eq_any(super::text::texts(hubs))),
        )
        .select(EscalationRow::as_select())
        .load(conn)?)
}
