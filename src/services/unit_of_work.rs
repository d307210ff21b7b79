//! The unit of work: one write transaction that carries the connection, who acts and under
//! which request, and one instant for everything it writes. Every change of state goes
//! through it: the row (with its version checked), its audit row and one outbox row per
//! domain event, committed together or not at all.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::audit::Audit;
use crate::db::outbox::OutboxRow;
use crate::db::plans::{PlanRow, RunRow};
use crate::db::requests::RequestRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::clock::Clock;
use crate::domain::ids::{AreaId, Id, OutboxEventId, RequestId};
use crate::domain::lifecycle::{DomainEvent, Transitioned};
use crate::domain::plan::{PlanEvent, PlanStatus};
use crate::domain::request::{RequestEvent, RequestStatus};
use crate::domain::run::{RunEvent, RunStatus};
use crate::error::AppError;

/// The aggregates whose events land in the outbox, by the name they carry there.
pub const REQUEST: &str = "request";
pub const RUN: &str = "run";
pub const PLAN: &str = "plan";
pub const GUARDIAN_LINK: &str = "guardian_link";

pub struct UnitOfWork<'c> {
    pub conn: &'c mut DbConnection,
    origin: Audit,
    now: NaiveDateTime,
    /// The next sequence number per aggregate, once read.
    sequences: HashMap<(&'static str, String), i64>,
}

/// Runs `work` as one unit of work: one transaction, one instant (`clock` at its start).
pub async fn write<T, F>(
    db: &Db,
    clock: &Clock,
    operation: &'static str,
    origin: Audit,
    work: F,
) -> Result<T, AppError>
where
    F: FnOnce(&mut UnitOfWork<'_>) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let now = clock.now_naive();
    db.transaction(operation, move |conn| {
        let mut unit = UnitOfWork {
            conn,
            origin,
            now,
            sequences: HashMap::new(),
        };
        work(&mut unit)
    })
    .await
}

impl UnitOfWork<'_> {
    /// The instant of this unit of work: every row it writes carries it.
    pub fn now(&self) -> NaiveDateTime {
        self.now
    }

    /// From here on, audit and outbox rows belong to `area`.
    pub fn in_area(&mut self, area: AreaId) {
        self.origin = self.origin.clone().in_area(area);
    }

    pub fn audit<K>(&mut self, action: &str, entity: &str, id: Id<K>) -> Result<(), AppError> {
        self.origin.record(self.conn, self.now, action, entity, id)
    }

    /// One outbox row per event, numbered in the aggregate's own sequence.
    pub fn events<K, E: DomainEvent>(
        &mut self,
        aggregate: &'static str,
        id: Id<K>,
        events: &[E],
    ) -> Result<(), AppError> {
        for event in events {
            let key = (aggregate, id.to_string());
            let sequence = match self.sequences.get(&key) {
                Some(next) => *next,
                None => db::outbox::next_sequence(self.conn, aggregate, &key.1)?,
            };
            self.sequences.insert(key.clone(), sequence + 1);
            db::outbox::insert(
                self.conn,
                &OutboxRow {
                    id: OutboxEventId::new(),
                    aggregate: aggregate.to_owned(),
                    aggregate_id: key.1,
                    sequence,
                    event_type: event.event_type().to_owned(),
                    payload: event.payload().to_string(),
                    area_id: self.origin.area(),
                    actor_id: self.origin.actor(),
                    request_id: self.origin.request_id().map(str::to_owned),
                    created_at: self.now,
                    dispatched_at: None,
                },
            )?;
        }
        Ok(())
    }

    /// A new request: its row is written by the caller; here its audit row and event.
    pub fn request_created(&mut self, id: RequestId) -> Result<(), AppError> {
        self.audit("create", REQUEST, id)?;
        // A request created in this unit of work has no events before: its first is number 1,
        // with no read of the outbox (the unique sequence still guards it).
        self.sequences.insert((REQUEST, id.to_string()), 1);
        self.events(REQUEST, id, &[RequestEvent::submitted()])
    }

    /// Applies a request's step: the row if its version is still the one read (else 409),
    /// the audit row named `action`, the step's events.
    pub fn request_step(
        &mut self,
        row: &mut RequestRow,
        step: Transitioned<RequestStatus, RequestEvent>,
        action: &str,
    ) -> Result<(), AppError> {
        if !step.changes(row.status) {
            return Ok(());
        }
        let expected = row.version;
        row.status = step.next;
        row.version += 1;
        row.updated_at = self.now;
        if !db::requests::update_if_version(self.conn, row, expected)? {
            return Err(AppError::conflict("conflict-changed-meanwhile"));
        }
        let id = row.id;
        self.audit(action, REQUEST, id)?;
        self.events(REQUEST, id, &step.events)
    }

    /// Applies a run's step: written only if the run is still in the status read (else 409).
    pub fn run_step(
        &mut self,
        run: &mut RunRow,
        step: Transitioned<RunStatus, RunEvent>,
        action: &str,
    ) -> Result<(), AppError> {
        let next = step.next;
        self.run_step_written(run, step, action, |conn, from| {
            db::plans::set_run_status(conn, from.id, from.status, next)
        })
    }

    /// Like `run_step`, for a step that follows from something else (a handover moving its
    /// run along): if another unit of work moved the run first, this one leaves it be.
    pub fn run_step_unless_moved(
        &mut self,
        run: &mut RunRow,
        step: Transitioned<RunStatus, RunEvent>,
        action: &str,
    ) -> Result<bool, AppError> {
        let next = step.next;
        self.write_run_step(run, step, action, |conn, from| {
            db::plans::set_run_status(conn, from.id, from.status, next)
        })
    }

    /// Applies a run's step whose row `write` changes (with more than its status, a decline's
    /// reason say): `write` gets the run as read and answers whether it was still so.
    pub fn run_step_written(
        &mut self,
        run: &mut RunRow,
        step: Transitioned<RunStatus, RunEvent>,
        action: &str,
        write: impl FnOnce(&mut DbConnection, &RunRow) -> Result<bool, AppError>,
    ) -> Result<(), AppError> {
        let changes = step.changes(run.status);
        if self.write_run_step(run, step, action, write)? || !changes {
            Ok(())
        } else {
            Err(AppError::conflict("conflict-changed-meanwhile"))
        }
    }

    /// The step written (true), nothing to write, or the run no longer as read (false).
    fn write_run_step(
        &mut self,
        run: &mut RunRow,
        step: Transitioned<RunStatus, RunEvent>,
        action: &str,
        write: impl FnOnce(&mut DbConnection, &RunRow) -> Result<bool, AppError>,
    ) -> Result<bool, AppError> {
        if !step.changes(run.status) || !write(self.conn, run)? {
            return Ok(false);
        }
        run.status = step.next;
        let id = run.id;
        self.audit(action, RUN, id)?;
        self.events(RUN, id, &step.events)?;
        Ok(true)
    }

    /// Applies a plan's step: a new plan is inserted, an existing one updated if its version
    /// is still the one read (else 409).
    pub fn plan_step(
        &mut self,
        row: &mut PlanRow,
        existing_version: Option<i32>,
        step: Transitioned<PlanStatus, PlanEvent>,
        action: &str,
    ) -> Result<(), AppError> {
        row.status = step.next;
        row.updated_at = self.now;
        match existing_version {
            Some(version) => {
                row.version = version + 1;
                if !db::plans::update_if_version(self.conn, row, version)? {
                    return Err(AppError::conflict("conflict-changed-meanwhile"));
                }
            }
            None => {
                row.version = 1;
                db::plans::insert(self.conn, row)?;
            }
        }
        let id = row.id;
        self.audit(action, PLAN, id)?;
        self.events(PLAN, id, &step.events)
    }
}
