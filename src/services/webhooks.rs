//! Webhook endpoints (a coordinator's, for their area; an admin's, for any) and their
//! deliveries: create (the secret shown once), list, read, delete, rotate the secret (the old
//! one signs alongside for 24 hours), the deliveries with their attempts, a retry, a ping;
//! and the delivery pass the jobs run: due deliveries taken with a lease, at most
//! `max_in_flight` per endpoint across instances, sent, and their outcome recorded.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::caller::Caller;
use super::dispatch::webhook_body;
use super::unit_of_work::{self, UnitOfWork};
use crate::clients::webhooks::{Attempt, WebhookSender, new_secret};
use crate::db::webhooks::{AttemptRow, DeliveryRow, EndpointRow};
use crate::db::{self, Db};
use crate::domain::account::Role;
use crate::domain::area::check_name;
use crate::domain::clock::Clock;
use crate::domain::ids::{AreaId, OutboxEventId, WebhookDeliveryId, WebhookEndpointId};
use crate::domain::text::Line;
use crate::domain::time::wire_naive;
use crate::domain::webhook::{
    self, AttemptResult, DeliveryCommand, DeliveryState, DeliveryStatus, EndpointCommand,
    EndpointStatus,
};
use crate::error::AppError;

pub const WEBHOOK: &str = "webhook";

/// A delivery pass stops taking deliveries after this (the rest wait for the next pass), so
/// that an instance told to stop finishes its pass well within the grace period.
pub const PASS_BUDGET: Duration = Duration::from_secs(4);

/// How long the old secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    pub url: Line,
    pub events: Vec<Line>,
    #[serde(default)]
    pub description: Option<Line>,
    /// An admin names the area; a coordinator's endpoint is for their own.
    #[serde(default)]
    pub area_id: Option<AreaId>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointView {
    pub id: WebhookEndpointId,
    pub area_id: AreaId,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub status: EndpointStatus,
    /// Until when the previous secret still signs, after a rotation.
    pub previous_secret_expires_at: Option<String>,
    pub failing_since: Option<String>,
    pub disabled_at: Option<String>,
    pub created_at: String,
}

/// An endpoint as created or rotated: the only answers that hold its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptView {
    pub attempt: i32,
    pub attempted_at: String,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryView {
    /// Also the `webhook-id` header of every attempt.
    pub id: WebhookDeliveryId,
    pub event_id: OutboxEventId,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<AttemptView>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

fn endpoint_view(row: &EndpointRow) -> Result<EndpointView, AppError> {
    Ok(EndpointView {
        id: row.id,
        area_id: row.area_id,
        url: row.url.clone(),
        description: row.description.clone(),
        events: row.event_types()?,
        status: row.status,
        previous_secret_expires_at: row.previous_secret_until.map(wire_naive),
        failing_since: row.failing_since.map(wire_naive),
        disabled_at: row.disabled_at.map(wire_naive),
        created_at: wire_naive(row.created_at),
    })
}

fn delivery_view(row: &DeliveryRow, attempts: &[AttemptRow]) -> DeliveryView {
    DeliveryView {
        id: row.id,
        event_id: row.event_id,
        event_type: row.event_type.clone(),
        status: row.status,
        attempts: attempts
            .iter()
            .filter(|a| a.delivery_id == row.id)
            .map(|a| AttemptView {
                attempt: a.attempt,
                attempted_at: wire_naive(a.attempted_at),
                response_status: a.response_status,
                error: a.error.clone(),
                latency_ms: a.latency_ms,
            })
            .collect(),
        next_attempt_at: row.next_attempt_at.map(wire_naive),
        delivered_at: row.delivered_at.map(wire_naive),
        created_at: wire_naive(row.created_at),
    }
}

/// The endpoint if the caller may manage it: staff of its area (admins of any); else 404.
fn visible_endpoint(
    conn: &mut crate::db::DbConnection,
    caller: &Caller,
    id: WebhookEndpointId,
) -> Result<EndpointRow, AppError> {
    db::webhooks::find_endpoint(conn, id)?
        .filter(|row| row.status != EndpointStatus::Deleted && caller.works_in(row.area_id))
        .ok_or(AppError::NotFound)
}

/// A number in [0, 1) for the retry schedule's jitter.
fn jitter() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() & 0xFFFF_FFFF;
    #[allow(clippy::cast_precision_loss)]
    let fraction = bits as f64 / 4_294_967_296.0;
    fraction
}

#[derive(Clone)]
pub struct Webhooks {
    db: Db,
    clock: Clock,
    sender: WebhookSender,
    max_in_flight: i64,
    /// A delivery taken is held this long (the send's timeout and a margin): an instance
    /// that dies mid-send gives it up to another when it runs out.
    lease: Duration,
}

impl Webhooks {
    pub fn new(
        db: Db,
        clock: Clock,
        sender: WebhookSender,
        max_in_flight: usize,
        timeout: Duration,
    ) -> Self {
        Webhooks {
            db,
            clock,
            sender,
            max_in_flight: i64::try_from(max_in_flight).unwrap_or(4),
            lease: timeout + Duration::from_secs(5),
        }
    }

    pub async fn create(
        &self,
        caller: &Caller,
        input: NewEndpoint,
    ) -> Result<EndpointWithSecret, AppError> {
        let area = match (caller.role, input.area_id) {
            (Role::Admin, Some(area)) => area,
            (_, Some(area)) if caller.works_in(area) => area,
            (_, Some(_)) => return Err(AppError::NotFound),
            (_, None) => caller.area()?,
        };
        self.sender.check_endpoint(&input.url).await?;
        let events: Vec<String> = input.events.iter().map(|e| e.to_string()).collect();
        let events = webhook::check_events(&events)?;
        let description = match &input.description {
            Some(text) if !text.trim().is_empty() => check_name("description", text, 200)?,
            _ => String::new(),
        };
        let url = input.url.to_string();
        let caller = caller.clone();
        let audit = Audit::by(&caller, Some(area));
        unit_of_work::write(
            &self.db,
            &self.clock,
            "webhooks.create",
            audit,
            move |uow| {
                db::areas::find(uow.conn, area)?.ok_or(AppError::NotFound)?;
                let now = uow.now();
                let row = EndpointRow {
                    id: WebhookEndpointId::new(),
                    area_id: area,
                    url,
                    description,
                    events: serde_json::to_string(&events)
                        .map_err(|e| AppError::internal(e.to_string()))?,
                    secret: new_secret(),
                    previous_secret: None,
                    previous_secret_until: None,
                    status: EndpointStatus::Enabled,
                    failing_since: None,
                    disabled_at: None,
                    created_by: caller.user_id,
                    created_at: now,
                    updated_at: now,
                };
                db::webhooks::insert_endpoint(uow.conn, &row)?;
                uow.audit("create", WEBHOOK, row.id)?;
                Ok(EndpointWithSecret {
                    endpoint: endpoint_view(&row)?,
                    secret: row.secret,
                })
            },
        )
        .await
    }

    /// The caller's area's endpoints (an admin without an area: every area's).
    pub async fn list(&self, caller: &Caller) -> Result<Vec<EndpointView>, AppError> {
        let area = match (caller.role, caller.area_id) {
            (Role::Admin, area) => area,
            _ => Some(caller.area()?),
        };
        self.db
            .run("webhooks.list", move |conn| {
                db::webhooks::endpoints(conn, area)?
                    .iter()
                    .map(endpoint_view)
                    .collect()
            })
            .await
    }

    pub async fn get(
        &self,
        caller: &Caller,
        id: WebhookEndpointId,
    ) -> Result<EndpointView, AppError> {
        let caller = caller.clone();
        self.db
            .run("webhooks.get", move |conn| {
                endpoint_view(&visible_endpoint(conn, &caller, id)?)
            })
            .await
    }

    pub async fn delete(&self, caller: &Caller, id: WebhookEndpointId) -> Result<(), AppError> {
        self.endpoint_step(caller, id, EndpointCommand::Delete)
            .await
            .map(|_| ())
    }

    async fn endpoint_step(
        &self,
        caller: &Caller,
        id: WebhookEndpointId,
        command: EndpointCommand,
    ) -> Result<EndpointView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "webhooks.step", audit, move |uow| {
            let mut row = visible_endpoint(uow.conn, &caller, id)?;
            apply_endpoint_step(uow, &mut row, command)?;
            endpoint_view(&row)
        })
        .await
    }

    /// A new secret; the old one keeps signing beside it for `ROTATION_OVERLAP_HOURS`.
    pub async fn rotate_secret(
        &self,
        caller: &Caller,
        id: WebhookEndpointId,
    ) -> Result<EndpointWithSecret, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "webhooks.rotate",
            audit,
            move |uow| {
                let mut row = visible_endpoint(uow.conn, &caller, id)?;
                let now = uow.now();
                row.previous_secret = Some(std::mem::replace(&mut row.secret, new_secret()));
                row.previous_secret_until =
                    Some(now + chrono::Duration::hours(ROTATION_OVERLAP_HOURS));
                row.updated_at = now;
                db::webhooks::update_endpoint(uow.conn, &row)?;
                uow.in_area(row.area_id);
                uow.audit("rotate_secret", WEBHOOK, row.id)?;
                Ok(EndpointWithSecret {
                    endpoint: endpoint_view(&row)?,
                    secret: row.secret,
                })
            },
        )
        .await
    }

    /// An endpoint's deliveries, newest first, before `(created_at, id)`: each with the
    /// time its cursor is made of.
    pub async fn deliveries(
        &self,
        caller: &Caller,
        id: WebhookEndpointId,
        before: Option<(NaiveDateTime, String)>,
        limit: i64,
    ) -> Result<Vec<(NaiveDateTime, DeliveryView)>, AppError> {
        let caller = caller.clone();
        self.db
            .run("webhooks.deliveries", move |conn| {
                let endpoint = visible_endpoint(conn, &caller, id)?;
                let rows = db::webhooks::deliveries_of(conn, endpoint.id, before, limit)?;
                let ids: Vec<WebhookDeliveryId> = rows.iter().map(|r| r.id).collect();
                let attempts = db::webhooks::attempts_of(conn, &ids)?;
                Ok(rows
                    .iter()
                    .map(|row| (row.created_at, delivery_view(row, &attempts)))
                    .collect())
            })
            .await
    }

    /// One more attempt now, whatever the delivery's status. A disabled endpoint is enabled
    /// again: the coordinator has mended the receiver and asks to try.
    pub async fn retry(
        &self,
        caller: &Caller,
        id: WebhookEndpointId,
        delivery: WebhookDeliveryId,
    ) -> Result<DeliveryView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "webhooks.retry", audit, move |uow| {
            let mut endpoint = visible_endpoint(uow.conn, &caller, id)?;
            let mut row = db::webhooks::find_delivery(uow.conn, delivery)?
                .filter(|d| d.endpoint_id == endpoint.id)
                .ok_or(AppError::NotFound)?;
            let now = uow.now();
            let next = webhook::delivery_transition(
                DeliveryState {
                    status: row.status,
                    attempts: row.attempts,
                    next_attempt_at: row.next_attempt_at,
                },
                DeliveryCommand::Retry,
                now,
                0.0,
            )?;
            row.status = next.status;
            row.next_attempt_at = next.next_attempt_at;
            db::webhooks::set_delivery_state(uow.conn, &row)?;
            if endpoint.status == EndpointStatus::Disabled {
                apply_endpoint_step(uow, &mut endpoint, EndpointCommand::Enable)?;
            }
            uow.in_area(endpoint.area_id);
            uow.audit("retry_delivery", WEBHOOK, endpoint.id)?;
            let attempts = db::webhooks::attempts_of(uow.conn, &[row.id])?;
            Ok(delivery_view(&row, &attempts))
        })
        .await
    }

    /// A `ping` to the endpoint, sent by the next delivery pass like any event.
    pub async fn ping(
        &self,
        caller: &Caller,
        id: WebhookEndpointId,
    ) -> Result<DeliveryView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "webhooks.ping", audit, move |uow| {
            let endpoint = visible_endpoint(uow.conn, &caller, id)?;
            if endpoint.status != EndpointStatus::Enabled {
                return Err(AppError::conflict("conflict-webhook-disabled"));
            }
            let now = uow.now();
            let event = OutboxEventId::new();
            let body = webhook_body(
                webhook::PING,
                now,
                serde_json::json!({"webhook_id": endpoint.id.to_string(), "area_id": endpoint.area_id.to_string()}),
            );
            let row = DeliveryRow::pending(endpoint.id, event, webhook::PING, body, now);
            db::webhooks::insert_delivery(uow.conn, &row)?;
            uow.in_area(endpoint.area_id);
            uow.audit("ping", WEBHOOK, endpoint.id)?;
            Ok(delivery_view(&row, &[]))
        })
        .await
    }

    /// One delivery pass for instance `owner`: for every endpoint with deliveries due,
    /// `max_in_flight` lanes, each taking the next due delivery (while fewer than
    /// `max_in_flight` of that endpoint are held, by any instance), sending it and recording
    /// the outcome, until none is due or the pass has run `PASS_BUDGET`. Returns how many
    /// were attempted.
    pub async fn deliver(&self, owner: &str) -> Result<usize, AppError> {
        let now = self.clock.now_naive();
        let endpoints = self
            .db
            .run("webhooks.due", move |conn| {
                db::webhooks::endpoints_with_due(conn, now)
            })
            .await?;
        let until = std::time::Instant::now() + PASS_BUDGET;
        let lanes = endpoints.iter().flat_map(|endpoint| {
            (0..self.max_in_flight).map(move |_| self.lane(owner, *endpoint, until))
        });
        let mut attempted = 0;
        for lane in futures_util::future::join_all(lanes).await {
            attempted += lane?;
        }
        Ok(attempted)
    }

    async fn lane(
        &self,
        owner: &str,
        endpoint: WebhookEndpointId,
        until: std::time::Instant,
    ) -> Result<usize, AppError> {
        let mut attempted = 0;
        while std::time::Instant::now() < until {
            let Some((row, delivery)) = self.take(owner, endpoint).await? else {
                break;
            };
            let attempt = self.send(&row, &delivery).await;
            self.record(owner, delivery.id, attempt).await?;
            attempted += 1;
        }
        Ok(attempted)
    }

    /// The endpoint's next due delivery, leased to `owner`, if it is enabled and fewer than
    /// `max_in_flight` of its deliveries are held.
    async fn take(
        &self,
        owner: &str,
        endpoint: WebhookEndpointId,
    ) -> Result<Option<(EndpointRow, DeliveryRow)>, AppError> {
        let now = self.clock.now_naive();
        let until = now
            + chrono::Duration::from_std(self.lease)
                .map_err(|e| AppError::internal(e.to_string()))?;
        let (owner, room) = (owner.to_owned(), self.max_in_flight);
        self.db
            .transaction("webhooks.take", move |conn| {
                db::webhooks::lock_endpoint(conn, endpoint)?;
                let Some(row) = db::webhooks::find_endpoint(conn, endpoint)?
                    .filter(|e| e.status == EndpointStatus::Enabled)
                else {
                    return Ok(None);
                };
                if db::webhooks::in_flight(conn, endpoint, now)? >= room {
                    return Ok(None);
                }
                for delivery in db::webhooks::due_of(conn, endpoint, now, 1)? {
                    if db::webhooks::lease(conn, delivery.id, &owner, now, until)? {
                        return Ok(Some((row, delivery)));
                    }
                }
                Ok(None)
            })
            .await
    }

    async fn send(&self, endpoint: &EndpointRow, delivery: &DeliveryRow) -> Attempt {
        let now = self.clock.now_naive();
        let mut secrets = vec![endpoint.secret.clone()];
        if let (Some(previous), Some(until)) =
            (&endpoint.previous_secret, endpoint.previous_secret_until)
            && until > now
        {
            secrets.push(previous.clone());
        }
        self.sender
            .send(
                &endpoint.url,
                &delivery.id.to_string(),
                now.and_utc().timestamp(),
                &delivery.body,
                &secrets,
            )
            .await
    }

    /// Records an attempt, unless another instance took the delivery over meanwhile; a 2xx
    /// mends the endpoint, a failure past `disable_after` disables it (the coordinators are
    /// told through the outbox).
    async fn record(
        &self,
        owner: &str,
        delivery: WebhookDeliveryId,
        attempt: Attempt,
    ) -> Result<(), AppError> {
        let owner = owner.to_owned();
        unit_of_work::write(
            &self.db,
            &self.clock,
            "webhooks.record",
            Audit::anonymous(None),
            move |uow| {
                let Some(mut row) = db::webhooks::find_delivery(uow.conn, delivery)? else {
                    return Ok(());
                };
                if row.lease_owner.as_deref() != Some(owner.as_str())
                    || row.status != DeliveryStatus::Pending
                {
                    return Ok(());
                }
                let now = uow.now();
                db::webhooks::insert_attempt(
                    uow.conn,
                    &AttemptRow {
                        delivery_id: row.id,
                        attempt: row.attempts + 1,
                        attempted_at: now,
                        response_status: attempt.status.map(i32::from),
                        error: attempt.error.clone(),
                        latency_ms: attempt.latency_ms,
                    },
                )?;
                let result = if attempt.accepted() {
                    AttemptResult::Accepted
                } else {
                    AttemptResult::Refused
                };
                let next = webhook::delivery_transition(
                    DeliveryState {
                        status: row.status,
                        attempts: row.attempts,
                        next_attempt_at: row.next_attempt_at,
                    },
                    DeliveryCommand::Attempted(result),
                    now,
                    jitter(),
                )?;
                row.status = next.status;
                row.attempts = next.attempts;
                row.next_attempt_at = next.next_attempt_at;
                if next.status == DeliveryStatus::Delivered {
                    row.delivered_at = Some(now);
                }
                db::webhooks::set_delivery_state(uow.conn, &row)?;
                // Outcomes of one endpoint are recorded one after another, so that its health
                // (and a disabling) is judged on what the last one wrote.
                db::webhooks::lock_endpoint(uow.conn, row.endpoint_id)?;
                let Some(mut endpoint) = db::webhooks::find_endpoint(uow.conn, row.endpoint_id)?
                else {
                    return Ok(());
                };
                uow.in_area(endpoint.area_id);
                match result {
                    AttemptResult::Accepted if endpoint.failing_since.is_some() => {
                        endpoint.failing_since = None;
                        endpoint.updated_at = now;
                        db::webhooks::update_endpoint(uow.conn, &endpoint)?;
                    }
                    AttemptResult::Accepted => {}
                    AttemptResult::Refused => {
                        let since = *endpoint.failing_since.get_or_insert(now);
                        endpoint.updated_at = now;
                        if webhook::should_disable(Some(since), now)
                            && endpoint.status == EndpointStatus::Enabled
                        {
                            apply_endpoint_step(uow, &mut endpoint, EndpointCommand::Disable)?;
                        } else {
                            db::webhooks::update_endpoint(uow.conn, &endpoint)?;
                        }
                    }
                }
                Ok(())
            },
        )
        .await
    }

    /// Gives back every delivery `owner` holds (an instance shutting down).
    pub async fn release(&self, owner: &str) -> Result<usize, AppError> {
        let owner = owner.to_owned();
        self.db
            .transaction("webhooks.release", move |conn| {
                db::webhooks::release_leases(conn, &owner)
            })
            .await
    }
}

/// An endpoint's step: the row, its audit row and its event.
fn apply_endpoint_step(
    uow: &mut UnitOfWork<'_>,
    row: &mut EndpointRow,
    command: EndpointCommand,
) -> Result<(), AppError> {
    let step = webhook::endpoint_transition(row.status, command)?;
    if !step.changes(row.status) {
        return Ok(());
    }
    let now: NaiveDateTime = uow.now();
    row.status = step.next;
    row.updated_at = now;
    match step.next {
        EndpointStatus::Disabled => row.disabled_at = Some(now),
        EndpointStatus::Enabled => {
            row.disabled_at = None;
            row.failing_since = None;
        }
        EndpointStatus::Deleted => {}
    }
    db::webhooks::update_endpoint(uow.conn, row)?;
    uow.in_area(row.area_id);
    uow.audit(command.as_str(), WEBHOOK, row.id)?;
    uow.events(WEBHOOK, row.id, &step.events)
}
