//! Where an event goes once it is in the outbox: in one transaction per event, it becomes a
//! webhook delivery for each enabled endpoint of its area that takes its type, and a
//! notification for each person it concerns (`domain/notification.rs` says who); then it
//! is marked dispatched. The unique keys (endpoint and event; person and event) and the mark
//! make this happen once, whichever instance gets there.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use crate::db::outbox::OutboxRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::clock::Clock;
use crate::domain::ids::{AreaId, HubId, NotificationId, ResidentId, RunId, UserId};
use crate::domain::notification::{Audience, EventFacts, notices};
use crate::domain::run::CarrierKind;
use crate::domain::time::wire_naive;
use crate::domain::watch_over::StepTo;
use crate::domain::webhook::EVENT_TYPES;
use crate::error::AppError;

/// Events read at a time, and dispatched per transaction (one commit for many events).
pub const BATCH: i64 = 200;
const PER_TRANSACTION: usize = 50;

/// A pass stops reading more events after this (the rest wait for the next pass).
pub const PASS_BUDGET: std::time::Duration = std::time::Duration::from_secs(4);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dispatched {
    pub events: usize,
    pub deliveries: usize,
    pub notifications: usize,
}

/// Dispatches the events not dispatched yet, oldest first, until there are none or the pass
/// has run `PASS_BUDGET`. Events go in groups of `PER_TRANSACTION`; a group that fails goes
/// again one event at a time, so that one event that cannot be dispatched (it is logged and
/// tried again next pass) holds up no other.
pub async fn dispatch(db: &Db, clock: &Clock) -> Result<Dispatched, AppError> {
    let until = std::time::Instant::now() + PASS_BUDGET;
    let mut done = Dispatched::default();
    let mut stuck: Vec<crate::domain::ids::OutboxEventId> = Vec::new();
    while std::time::Instant::now() < until {
        let events: Vec<OutboxRow> = db
            .run("outbox.undispatched", move |conn| {
                db::outbox::undispatched(conn, BATCH)
            })
            .await?
            .into_iter()
            .filter(|e| !stuck.contains(&e.id))
            .collect();
        if events.is_empty() {
            break;
        }
        for group in events.chunks(PER_TRANSACTION) {
            let now = clock.now_naive();
            let batch = group.to_vec();
            let whole = db
                .transaction("outbox.dispatch", move |conn| {
                    let mut counts = Dispatched::default();
                    for event in &batch {
                        let (deliveries, notifications) = dispatch_one(conn, event, now)?;
                        counts.events += 1;
                        counts.deliveries += deliveries;
                        counts.notifications += notifications;
                    }
                    Ok(counts)
                })
                .await;
            let counts = match whole {
                Ok(counts) => counts,
                Err(_) => {
                    let mut counts = Dispatched::default();
                    for event in group.iter().cloned() {
                        let id = event.id;
                        match db
                            .transaction("outbox.dispatch_one", move |conn| {
                                dispatch_one(conn, &event, now)
                            })
                            .await
                        {
                            Ok((deliveries, notifications)) => {
                                counts.events += 1;
                                counts.deliveries += deliveries;
                                counts.notifications += notifications;
                            }
                            Err(e) => {
                                tracing::error!(event = %id, error = %e, "event not dispatched");
                                stuck.push(id);
                            }
                        }
                    }
                    counts
                }
            };
            done.events += counts.events;
            done.deliveries += counts.deliveries;
            done.notifications += counts.notifications;
        }
    }
    Ok(done)
}

/// What the event is about, read once: the ids a receiver or a reader may open, the
/// people's places, and the facts that decide who is told.
#[derive(Default)]
struct Subject {
    area: Option<AreaId>,
    /// Ids and statuses for the webhook's `data` (never names, places or notes).
    data: Map<String, Value>,
    /// Arguments of the notification's text.
    args: Map<String, Value>,
    resident: Option<ResidentId>,
    run: Option<RunId>,
    hubs: Vec<HubId>,
    step_to: Option<StepTo>,
    handover_kind: Option<String>,
}

fn id_value(id: impl ToString) -> Value {
    Value::String(id.to_string())
}

fn subject_of(conn: &mut DbConnection, event: &OutboxRow) -> Result<Subject, AppError> {
    let mut subject = Subject {
        area: event.area_id,
        ..Subject::default()
    };
    let payload: Map<String, Value> = serde_json::from_str(&event.payload).unwrap_or_default();
    let id = event.aggregate_id.as_str();
    let data = &mut subject.data;
    match event.aggregate.as_str() {
        "request" => {
            if let Some(row) = db::requests::find(conn, parse(id)?)? {
                data.insert("request_id".into(), id_value(row.id));
                data.insert("resident_id".into(), id_value(row.resident_id));
                data.insert("delivery_date".into(), json!(row.delivery_date));
                data.insert("fulfilment".into(), json!(row.fulfilment.as_str()));
                subject.args.insert("date".into(), json!(row.delivery_date));
                subject.area = Some(row.area_id);
                subject.resident = Some(row.resident_id);
            }
        }
        "run" => {
            if let Some(row) = db::plans::find_run(conn, parse(id)?)? {
                data.insert("run_id".into(), id_value(row.id));
                data.insert("plan_id".into(), id_value(row.plan_id));
                data.insert("delivery_date".into(), json!(row.delivery_date));
                data.insert("carrier_kind".into(), json!(row.carrier_kind.as_str()));
                data.insert("hub_id".into(), json!(row.hub_id.map(|h| h.to_string())));
                subject.args.insert("date".into(), json!(row.delivery_date));
                subject.area = Some(row.area_id);
                subject.run = Some(row.id);
                subject.hubs.extend(row.hub_id);
            }
        }
        "plan" => {
            if let Some(row) = db::plans::find(conn, parse(id)?)? {
                data.insert("plan_id".into(), id_value(row.id));
                data.insert("delivery_date".into(), json!(row.delivery_date));
                subject.args.insert("date".into(), json!(row.delivery_date));
                subject.area = Some(row.area_id);
            }
        }
        "escalation" => {
            if let Some(row) = db::escalations::find(conn, parse(id)?)? {
                data.insert("escalation_id".into(), id_value(row.id));
                data.insert("resident_id".into(), id_value(row.resident_id));
                data.insert("request_id".into(), id_value(row.request_id));
                data.insert("run_id".into(), json!(row.run_id.map(|r| r.to_string())));
                data.insert("hub_id".into(), json!(row.hub_id.map(|h| h.to_string())));
                data.insert("cause".into(), json!(row.cause.as_str()));
                subject
                    .args
                    .insert("cause".into(), json!(row.cause.as_str()));
                if let Some(request) = db::requests::find(conn, row.request_id)? {
                    subject
                        .args
                        .insert("date".into(), json!(request.delivery_date));
                }
                subject.area = Some(row.area_id);
                subject.resident = Some(row.resident_id);
                subject.run = row.run_id;
                let run_hub = match row.run_id {
                    Some(run) => db::plans::find_run(conn, run)?.and_then(|r| r.hub_id),
                    None => None,
                };
                subject.hubs.extend(row.hub_id.or(run_hub));
                subject.step_to = payload
                    .get("to")
                    .and_then(Value::as_str)
                    .and_then(|to| StepTo::parse(to).ok());
            }
        }
        "handover" => {
            if let Some(row) = db::handovers::find(conn, parse(id)?)? {
                data.insert("handover_id".into(), id_value(row.id));
                data.insert("kind".into(), json!(row.kind.as_str()));
                data.insert("run_id".into(), json!(row.run_id.map(|r| r.to_string())));
                data.insert("hub_id".into(), json!(row.hub_id.map(|h| h.to_string())));
                subject.area = Some(row.area_id);
                subject.handover_kind = Some(row.kind.as_str().to_owned());
                subject.hubs.extend(row.hub_id);
                if row.hub_id.is_none() {
                    // A van load names its run: the hubs are those its requests go to.
                    let requests = db::handovers::requests_of(conn, row.id)?;
                    for placement in db::plans::placements_of(conn, &requests)? {
                        if !subject.hubs.contains(&placement.hub_id) {
                            subject.hubs.push(placement.hub_id);
                        }
                    }
                }
                subject.args.insert(
                    "count".into(),
                    json!(db::handovers::requests_of(conn, row.id)?.len()),
                );
            }
        }
        "webhook" => {
            if let Some(row) = db::webhooks::find_endpoint(conn, parse(id)?)? {
                data.insert("webhook_id".into(), id_value(row.id));
                subject.area = Some(row.area_id);
            }
        }
        _ => {}
    }
    if let Some(area) = subject.area {
        subject.data.insert("area_id".into(), id_value(area));
    }
    for key in ["status", "outcome", "to"] {
        if let Some(value) = payload.get(key) {
            subject.args.insert(key.into(), value.clone());
        }
    }
    // The event's own fields (statuses, steps, counts) after the context.
    for (key, value) in payload {
        subject.data.insert(key, value);
    }
    subject
        .data
        .insert("sequence".into(), json!(event.sequence));
    subject
        .data
        .insert("occurred_at".into(), json!(wire_naive(event.created_at)));
    Ok(subject)
}

fn parse<K>(raw: &str) -> Result<crate::domain::ids::Id<K>, AppError> {
    raw.parse()
        .map_err(|_| AppError::internal(format!("outbox: bad aggregate id {raw}")))
}

/// The body a webhook receives for an event (Standard Webhooks: type, timestamp, data).
pub fn webhook_body(event_type: &str, at: NaiveDateTime, data: Value) -> String {
    json!({"type": event_type, "timestamp": wire_naive(at), "data": data}).to_string()
}

/// The people an audience names for this subject.
fn people(
    conn: &mut DbConnection,
    subject: &Subject,
    audience: Audience,
) -> Result<Vec<UserId>, AppError> {
    Ok(match audience {
        Audience::Family => match subject.resident {
            Some(resident) => db::residents::guardians_of(conn, resident)?,
            None => Vec::new(),
        },
        Audience::RunCarrier => match subject.run {
            Some(run) => match db::plans::find_run(conn, run)? {
                Some(row) if row.carrier_kind == CarrierKind::PostTrip => {
                    db::carriers::trip_carriers(conn, row.carrier_id.cast())?
                }
                Some(row) => vec![row.carrier_id.cast()],
                None => Vec::new(),
            },
            None => Vec::new(),
        },
        Audience::HubKeepers => {
            let mut keepers = Vec::new();
            for hub in &subject.hubs {
                keepers.extend(db::areas::keepers_of(conn, *hub)?);
            }
            keepers
        }
        Audience::Coordinators => match subject.area {
            Some(area) => db::users::coordinators_of(conn, area)?,
            None => Vec::new(),
        },
    })
}

/// Dispatches one event: (deliveries written, notifications written).
fn dispatch_one(
    conn: &mut DbConnection,
    event: &OutboxRow,
    now: NaiveDateTime,
) -> Result<(usize, usize), AppError> {
    if !db::outbox::mark_dispatched(conn, event.id, now)? {
        return Ok((0, 0));
    }
    let subject = subject_of(conn, event)?;
    let event_type = event.event_type.as_str();
    let mut deliveries = 0;
    if EVENT_TYPES.contains(&event_type)
        && let Some(area) = subject.area
    {
        let body = webhook_body(
            event_type,
            event.created_at,
            Value::Object(subject.data.clone()),
        );
        for endpoint in db::webhooks::enabled_in(conn, area)? {
            if !endpoint
                .event_types()?
                .iter()
                .any(|t| t.as_str() == event_type)
            {
                continue;
            }
            db::webhooks::insert_delivery(
                conn,
                &db::webhooks::DeliveryRow::pending(
                    endpoint.id,
                    event.id,
                    event_type,
                    body.clone(),
                    now,
                ),
            )?;
            deliveries += 1;
        }
    }
    let facts = EventFacts {
        step_to: subject.step_to,
        at_door: subject.run.is_some(),
        handover_kind: subject.handover_kind.as_deref(),
    };
    let mut told: HashSet<UserId> = HashSet::new();
    let mut notifications = 0;
    for (audience, message) in notices(event_type, facts) {
        for user in people(conn, &subject, audience)? {
            // One notice per person and event: the first audience that names them.
            if !told.insert(user) {
                continue;
            }
            db::notifications::insert(
                conn,
                &db::notifications::NotificationRow {
                    id: NotificationId::new(),
                    user_id: user,
                    event_id: event.id,
                    event_type: event_type.to_owned(),
                    message: message.to_owned(),
                    args: Value::Object(subject.args.clone()).to_string(),
                    subject: Value::Object(opened_ids(&subject.data)).to_string(),
                    read_at: None,
                    created_at: now,
                },
            )?;
            notifications += 1;
        }
    }
    Ok((deliveries, notifications))
}

/// The ids a notification opens: those of the event's data that name something.
fn opened_ids(data: &Map<String, Value>) -> Map<String, Value> {
    data.iter()
        .filter(|(key, value)| {
            key.ends_with("_id") && key.as_str() != "area_id" && value.is_string()
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}
