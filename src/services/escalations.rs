//! Watch-over cases (見守り): opened when nobody answers the door or a pickup waits too long,
//! moved step by step by the jobs tick until someone of the step acknowledges, resolved with
//! an outcome. Every change goes through the unit of work with the case's version checked, so
//! a step moves once even when two Yui instances tick at the same moment.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::audit::Audit;
use super::caller::Caller;
use super::unit_of_work::{self, UnitOfWork};
use crate::db::escalations::{EscalationRow, EscalationScope, EscalationStepRow};
use crate::db::requests::RequestRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::clock::Clock;
use crate::domain::error::Message;
use crate::domain::ids::{EscalationId, HubId, RunId, UserId};
use crate::domain::request::{Fulfilment, RequestStatus};
use crate::domain::time::wire_naive;
use crate::domain::watch_over::{
    self, CaseState, EscalationCause, EscalationCommand, EscalationOutcome, EscalationStatus, Step,
    StepTo,
};
use crate::error::AppError;

pub const ESCALATION: &str = "escalation";
/// Cases moved per tick at most (the rest wait for the next tick).
const TICK_BATCH: i64 = 200;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    pub to: StepTo,
    pub due_at: String,
    pub reached_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<UserId>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationView {
    pub id: EscalationId,
    pub resident_id: crate::domain::ids::ResidentId,
    pub request_id: crate::domain::ids::RequestId,
    pub run_id: Option<RunId>,
    pub hub_id: Option<HubId>,
    pub cause: EscalationCause,
    pub status: EscalationStatus,
    /// The step the case has reached (0 is the first).
    pub step: i32,
    pub current_to: StepTo,
    pub opened_at: String,
    pub next_due_at: Option<String>,
    pub resolved_at: Option<String>,
    pub outcome: Option<EscalationOutcome>,
    pub note: Option<String>,
    pub steps: Vec<StepView>,
}

fn steps_of(row: &EscalationRow) -> Result<Vec<Step>, AppError> {
    serde_json::from_str(&row.steps).map_err(|e| AppError::internal(e.to_string()))
}

fn view(conn: &mut DbConnection, row: EscalationRow) -> Result<EscalationView, AppError> {
    let steps = db::escalations::steps_of(conn, row.id)?;
    let current_to = steps
        .get(usize::try_from(row.step).unwrap_or(0))
        .map_or(StepTo::Coordinator, |s| s.to_whom);
    Ok(EscalationView {
        id: row.id,
        resident_id: row.resident_id,
        request_id: row.request_id,
        run_id: row.run_id,
        hub_id: row.hub_id,
        cause: row.cause,
        status: row.status,
        step: row.step,
        current_to,
        opened_at: wire_naive(row.opened_at),
        next_due_at: row.next_due_at.map(wire_naive),
        resolved_at: row.resolved_at.map(wire_naive),
        outcome: row.outcome,
        note: row.note,
        steps: steps
            .into_iter()
            .map(|s| StepView {
                to: s.to_whom,
                due_at: wire_naive(s.due_at),
                reached_at: s.reached_at.map(wire_naive),
                acknowledged_at: s.acknowledged_at.map(wire_naive),
                acknowledged_by: s.acknowledged_by,
                note: s.note,
            })
            .collect(),
    })
}

/// Opens a case for `request` unless one of the same cause is open: its steps are the area's
/// (a home delivery left at the hub goes to the coordinator alone), the first reached now.
pub fn open(
    uow: &mut UnitOfWork<'_>,
    request: &RequestRow,
    cause: EscalationCause,
    run: Option<RunId>,
    hub: Option<HubId>,
) -> Result<Option<EscalationId>, AppError> {
    if db::escalations::has_open(uow.conn, request.id, cause)? {
        return Ok(None);
    }
    let area = db::areas::find(uow.conn, request.area_id)?.ok_or(AppError::NotFound)?;
    let steps = match cause {
        EscalationCause::NotHandedOn => vec![Step {
            to: StepTo::Coordinator,
            after_minutes: 0,
        }],
        _ => area.day_settings()?.watch_over.steps,
    };
    let now = uow.now();
    let id = EscalationId::new();
    let step_rows = steps
        .iter()
        .enumerate()
        .map(|(idx, step)| {
            Ok(EscalationStepRow {
                escalation_id: id,
                idx: i32::try_from(idx).map_err(|e| AppError::internal(e.to_string()))?,
                to_whom: step.to,
                due_at: watch_over::due_at(now, &steps, idx).unwrap_or(now),
                reached_at: (idx == 0).then_some(now),
                acknowledged_at: None,
                acknowledged_by: None,
                note: None,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let row = EscalationRow {
        id,
        area_id: request.area_id,
        resident_id: request.resident_id,
        request_id: request.id,
        run_id: run,
        hub_id: hub,
        cause,
        status: EscalationStatus::Open,
        step: 0,
        steps: serde_json::to_string(&steps).map_err(|e| AppError::internal(e.to_string()))?,
        opened_at: now,
        next_due_at: watch_over::due_at(now, &steps, 1),
        resolved_at: None,
        resolved_by: None,
        outcome: None,
        note: None,
        version: 1,
    };
    db::escalations::insert(uow.conn, &row, &step_rows)?;
    uow.audit("open", ESCALATION, id)?;
    if let Some(event) = watch_over::opened(cause, &steps) {
        uow.events(ESCALATION, id, &[event])?;
    }
    Ok(Some(id))
}

/// Applies a case's step: the row if its version is still the one read, the step's own
/// marks, the audit row and the events.
fn apply(
    uow: &mut UnitOfWork<'_>,
    row: &mut EscalationRow,
    command: EscalationCommand,
    by: Option<UserId>,
    outcome: Option<EscalationOutcome>,
    note: Option<String>,
) -> Result<bool, AppError> {
    let steps = steps_of(row)?;
    let from = CaseState {
        status: row.status,
        step: usize::try_from(row.step).map_err(|e| AppError::internal(e.to_string()))?,
    };
    let moved = watch_over::transition(from, command, &steps, outcome)?;
    if !moved.changes(from) {
        return Ok(false);
    }
    let expected = row.version;
    let now = uow.now();
    row.status = moved.next.status;
    row.step = i32::try_from(moved.next.step).map_err(|e| AppError::internal(e.to_string()))?;
    row.version += 1;
    row.next_due_at = match row.status {
        EscalationStatus::Open => watch_over::due_at(row.opened_at, &steps, moved.next.step + 1),
        _ => None,
    };
    match command {
        EscalationCommand::Resolve => {
            row.resolved_at = Some(now);
            row.resolved_by = by;
            row.outcome = outcome;
            row.note = note.clone();
        }
        EscalationCommand::Escalate | EscalationCommand::Acknowledge => {}
    }
    if !db::escalations::update_if_version(uow.conn, row, expected)? {
        return Err(AppError::conflict("conflict-changed-meanwhile"));
    }
    match (command, by) {
        (EscalationCommand::Escalate, _) => {
            db::escalations::mark_step(uow.conn, row.id, row.step, Some(now), None)?
        }
        (EscalationCommand::Acknowledge, Some(by)) => {
            db::escalations::mark_step(uow.conn, row.id, row.step, None, Some((now, by, note)))?
        }
        _ => {}
    }
    uow.in_area(row.area_id);
    uow.audit(command.as_str(), ESCALATION, row.id)?;
    uow.events(ESCALATION, row.id, &moved.events)?;
    Ok(true)
}

/// The people a step goes to, as the caller stands to the case.
fn is_of_step(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &EscalationRow,
    to: StepTo,
) -> Result<bool, AppError> {
    let keeper_of = |conn: &mut DbConnection, hub: Option<HubId>| -> Result<bool, AppError> {
        Ok(match hub {
            Some(hub) if caller.role == Role::HubKeeper => {
                db::areas::keepers_of(conn, hub)?.contains(&caller.user_id)
            }
            _ => false,
        })
    };
    let run_hub = match row.run_id {
        Some(run) => db::plans::find_run(conn, run)?.and_then(|r| r.hub_id),
        None => None,
    };
    Ok(match to {
        StepTo::Carrier => match row.run_id {
            Some(run) => db::plans::find_run(conn, run)?
                .is_some_and(|r| r.carrier_id == caller.user_id.cast()),
            // At a hub, the one on the spot is its keeper.
            None => keeper_of(conn, row.hub_id)?,
        },
        StepTo::Keeper => keeper_of(conn, row.hub_id.or(run_hub))?,
        StepTo::Family => {
            caller.role == Role::Family
                && db::residents::is_guardian(conn, row.resident_id, caller.user_id)?
        }
        // The welfare contact has no account: the coordinators act for them.
        StepTo::Coordinator | StepTo::Welfare => {
            caller.role.is_staff() && caller.works_in(row.area_id)
        }
    })
}

/// Whether the caller may see the case: staff of its area, the resident's family, or the
/// people of a step it has reached.
fn may_see(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &EscalationRow,
) -> Result<bool, AppError> {
    if caller.role.is_staff() {
        return Ok(caller.works_in(row.area_id));
    }
    if caller.role == Role::Family {
        return db::residents::is_guardian(conn, row.resident_id, caller.user_id);
    }
    let current = current_to(conn, row)?;
    is_of_step(conn, caller, row, current)
}

fn current_to(conn: &mut DbConnection, row: &EscalationRow) -> Result<StepTo, AppError> {
    Ok(db::escalations::steps_of(conn, row.id)?
        .into_iter()
        .find(|s| s.idx == row.step)
        .map_or(StepTo::Coordinator, |s| s.to_whom))
}

#[derive(Clone)]
pub struct Escalations {
    db: Db,
    clock: Clock,
}

impl Escalations {
    pub fn new(db: Db, clock: Clock) -> Self {
        Escalations { db, clock }
    }

    /// Coordinators: the area's cases; families: their residents'; carriers and keepers: the
    /// cases at their step.
    pub async fn list(
        &self,
        caller: &Caller,
        status: Option<EscalationStatus>,
        limit: i64,
    ) -> Result<Vec<EscalationView>, AppError> {
        let caller = caller.clone();
        self.db
            .run("escalations.list", move |conn| {
                let scope = match caller.role {
                    Role::Coordinator | Role::Admin => EscalationScope::Area(caller.area()?),
                    Role::Family => EscalationScope::Residents(
                        db::residents::of_guardian(conn, caller.user_id, None, 1000)?
                            .into_iter()
                            .map(|r| r.id)
                            .collect(),
                    ),
                    _ => {
                        let runs: Vec<RunId> = db::plans::list_runs(
                            conn,
                            &db::plans::RunScope::Carrier(vec![caller.user_id.cast()]),
                            None,
                            None,
                            1000,
                        )?
                        .into_iter()
                        .map(|r| r.id)
                        .collect();
                        let hubs = if caller.role == Role::HubKeeper {
                            db::areas::hubs_of_keeper(conn, caller.user_id)?
                        } else {
                            Vec::new()
                        };
                        let mut ids = Vec::new();
                        for row in db::escalations::open_at(conn, &runs, &hubs)? {
                            let to = current_to(conn, &row)?;
                            if is_of_step(conn, &caller, &row, to)? {
                                ids.push(row.id);
                            }
                        }
                        EscalationScope::Ids(ids)
                    }
                };
                db::escalations::list(conn, &scope, status, limit)?
                    .into_iter()
                    .map(|row| view(conn, row))
                    .collect()
            })
            .await
    }

    pub async fn get(&self, caller: &Caller, id: EscalationId) -> Result<EscalationView, AppError> {
        let caller = caller.clone();
        self.db
            .run("escalations.get", move |conn| {
                let row = db::escalations::find(conn, id)?.ok_or(AppError::NotFound)?;
                if !may_see(conn, &caller, &row)? {
                    return Err(AppError::NotFound);
                }
                view(conn, row)
            })
            .await
    }

    /// Someone of the current step (or a coordinator) takes the case: it stops moving on.
    pub async fn acknowledge(
        &self,
        caller: &Caller,
        id: EscalationId,
        note: Option<String>,
    ) -> Result<EscalationView, AppError> {
        let note = note.map(|n| check_note(&n)).transpose()?;
        self.act(caller, id, EscalationCommand::Acknowledge, None, note)
            .await
    }

    /// Closes the case with what became of the resident.
    pub async fn resolve(
        &self,
        caller: &Caller,
        id: EscalationId,
        outcome: EscalationOutcome,
        note: String,
    ) -> Result<EscalationView, AppError> {
        let note = check_note(&note)?;
        self.act(
            caller,
            id,
            EscalationCommand::Resolve,
            Some(outcome),
            Some(note),
        )
        .await
    }

    async fn act(
        &self,
        caller: &Caller,
        id: EscalationId,
        command: EscalationCommand,
        outcome: Option<EscalationOutcome>,
        note: Option<String>,
    ) -> Result<EscalationView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "escalations.act",
            audit,
            move |uow| {
                let mut row = db::escalations::find(uow.conn, id)?.ok_or(AppError::NotFound)?;
                if !may_see(uow.conn, &caller, &row)? {
                    return Err(AppError::NotFound);
                }
                let staff = caller.role.is_staff() && caller.works_in(row.area_id);
                let current = current_to(uow.conn, &row)?;
                if !staff && !is_of_step(uow.conn, &caller, &row, current)? {
                    return Err(AppError::Forbidden("forbidden-not-your-step".into()));
                }
                apply(uow, &mut row, command, Some(caller.user_id), outcome, note)?;
                view(uow.conn, row)
            },
        )
        .await
    }
}

fn check_note(raw: &str) -> Result<String, AppError> {
    let note = raw.trim();
    if note.is_empty() || note.chars().count() > 1000 {
        return Err(AppError::invalid(
            "note",
            Message::new("invalid-length")
                .arg("min", 1)
                .arg("max", 1000),
        ));
    }
    Ok(note.to_owned())
}

/// What one tick of the watch-over job did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickOutcome {
    pub opened: usize,
    pub escalated: usize,
}

/// One pass: goods past their `collect_by` open cases (flagged once, whichever instance gets
/// there first), and every case whose next step is due moves on (once: the version check).
pub async fn tick(db: &Db, clock: &Clock) -> Result<TickOutcome, AppError> {
    let now: NaiveDateTime = clock.now_naive();
    let mut outcome = TickOutcome::default();
    let overdue = db
        .run("watch_over.overdue", move |conn| {
            db::shelf::overdue(conn, now, TICK_BATCH)
        })
        .await?;
    for entry in overdue {
        let opened = unit_of_work::write(
            db,
            clock,
            "watch_over.flag",
            Audit::anonymous(None),
            move |uow| {
                if !db::shelf::flag(uow.conn, entry.request_id, uow.now())? {
                    return Ok(false);
                }
                let Some(request) = db::requests::find(uow.conn, entry.request_id)? else {
                    return Ok(false);
                };
                uow.in_area(request.area_id);
                let cause = match (request.status, request.fulfilment) {
                    (RequestStatus::ReadyForPickup, _) => EscalationCause::NotCollected,
                    (RequestStatus::AtHub, Fulfilment::HubPickup) => EscalationCause::NotCollected,
                    (RequestStatus::AtHub, Fulfilment::HomeDelivery) => {
                        EscalationCause::NotHandedOn
                    }
                    // Handed on meanwhile: nothing to watch.
                    _ => return Ok(false),
                };
                Ok(open(uow, &request, cause, None, Some(entry.hub_id))?.is_some())
            },
        )
        .await?;
        outcome.opened += usize::from(opened);
    }
    let due = db
        .run("watch_over.due", move |conn| {
            db::escalations::due(conn, now, TICK_BATCH)
        })
        .await?;
    for case in due {
        let moved = unit_of_work::write(
            db,
            clock,
            "watch_over.escalate",
            Audit::anonymous(Some(case.area_id)),
            move |uow| {
                let mut row = case;
                apply(uow, &mut row, EscalationCommand::Escalate, None, None, None)
            },
        )
        .await;
        match moved {
            Ok(true) => outcome.escalated += 1,
            Ok(false) => {}
            // Another instance moved it first: it moves once.
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(outcome)
}
