//! Grocery requests: ordering before the cutoff, idempotent creates, versioned edits, and the
//! life cycle through `domain::request::transition`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::accounts::Caller;
use super::audit::Audit;
use super::residents::visible_resident;
use crate::db::idempotency::IdempotencyRow;
use crate::db::requests::{ItemRow, RequestFilter, RequestRow};
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::area::{Area, parse_date};
use crate::domain::request::{
    self, Fulfilment, Item, RequestStatus, Substitution, Temperature, Transition,
};
use crate::domain::time;
use crate::error::AppError;

/// How far ahead a family may order.
const MAX_DAYS_AHEAD: i64 = 60;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    pub temperature: String,
    pub substitution: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub resident_id: Uuid,
    pub delivery_date: String,
    pub fulfilment: String,
    pub notes: Option<String>,
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestChanges {
    pub delivery_date: Option<String>,
    pub fulfilment: Option<String>,
    pub notes: Option<String>,
    pub items: Option<Vec<ItemInput>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemView {
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    pub temperature: Temperature,
    pub substitution: Substitution,
    pub outcome: String,
    pub price_yen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestView {
    pub id: Uuid,
    pub area_id: Uuid,
    pub resident_id: Uuid,
    pub delivery_date: String,
    pub fulfilment: Fulfilment,
    pub notes: Option<String>,
    pub status: RequestStatus,
    pub version: i32,
    /// When ordering for this date closes (RFC 3339, UTC).
    pub cutoff: String,
    pub items: Vec<ItemView>,
    pub created_at: String,
    pub updated_at: String,
    /// Once the date is planned for real: when and where, and who by first name only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<PlannedView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedView {
    pub hub_id: Uuid,
    /// The window the family is told (RFC 3339, UTC): around the door for a home delivery,
    /// the hub's shelf hours for a pickup.
    pub window_start: String,
    pub window_end: String,
    /// The first word of the volunteer's or carrier's display name; none for a pickup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_first_name: Option<String>,
}

impl RequestView {
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

/// What a create answered: replayed when it comes from an earlier request with the same key.
#[derive(Debug, Clone)]
pub struct CreateOutcome {
    pub view: RequestView,
    pub replayed: bool,
}

fn checked_items(inputs: &[ItemInput]) -> Result<Vec<Item>, AppError> {
    request::check_item_count(inputs.len())?;
    inputs
        .iter()
        .enumerate()
        .map(|(i, it)| {
            Item::new(
                i,
                &it.name,
                it.quantity,
                &it.unit,
                &it.temperature,
                &it.substitution,
            )
        })
        .collect()
}

fn item_rows(request_id: &str, items: &[Item]) -> Vec<ItemRow> {
    items
        .iter()
        .enumerate()
        .map(|(position, item)| ItemRow {
            id: Uuid::new_v4().to_string(),
            request_id: request_id.to_owned(),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            name: item.name.clone(),
            quantity: item.quantity,
            unit: item.unit.clone(),
            temperature: item.temperature.as_str().to_owned(),
            substitution: item.substitution.as_str().to_owned(),
            outcome: "pending".to_owned(),
            price_yen: None,
        })
        .collect()
}

fn check_notes(notes: Option<String>) -> Result<Option<String>, AppError> {
    let notes = notes.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::invalid("notes", "at most 1000 characters"));
    }
    Ok(notes)
}

/// The delivery date, refused when ordering for it has closed (422, with the cutoff) or when
/// it is too far ahead.
/// A coordinator's locked plan closes its date early.
fn open_date(
    conn: &mut DbConnection,
    area: &Area,
    raw: &str,
    editing: bool,
) -> Result<NaiveDate, AppError> {
    let date = parse_date("delivery_date", raw)?;
    let now = Utc::now();
    let cutoff = area.cutoff.cutoff(date, area.time_zone)?;
    if now >= cutoff {
        return Err(AppError::CutoffPassed {
            cutoff: Some(cutoff),
            editing,
        });
    }
    let date_text = date.format("%Y-%m-%d").to_string();
    if db::plans::find_for_date(conn, area.id, &date_text)?.is_some_and(|p| p.status == "locked") {
        return Err(AppError::CutoffPassed {
            cutoff: None,
            editing,
        });
    }
    let today = now.with_timezone(&area.time_zone).date_naive();
    if (date - today).num_days() > MAX_DAYS_AHEAD {
        return Err(AppError::invalid(
            "delivery_date",
            "is more than 60 days ahead",
        ));
    }
    Ok(date)
}

fn area_of(conn: &mut DbConnection, id: &str) -> Result<Area, AppError> {
    let id = Uuid::parse_str(id).map_err(|e| AppError::internal(e.to_string()))?;
    db::areas::find(conn, id)?
        .ok_or(AppError::NotFound)?
        .into_area()
}

fn timestamp(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn view(conn: &mut DbConnection, row: &RequestRow, area: &Area) -> Result<RequestView, AppError> {
    let items = db::requests::items_of(conn, std::slice::from_ref(&row.id))?;
    let mut view = view_with(row, items, area)?;
    view.planned = planned(conn, std::slice::from_ref(row))?.remove(&row.id);
    Ok(view)
}

/// Where and when each planned request of `rows` will be delivered, by request id (two
/// queries whatever the number of rows).
fn planned(
    conn: &mut DbConnection,
    rows: &[RequestRow],
) -> Result<HashMap<String, PlannedView>, AppError> {
    let ids: Vec<String> = rows
        .iter()
        .filter(|r| r.status == RequestStatus::Planned.as_str())
        .map(|r| r.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placements = db::plans::placements_of(conn, &ids)?;
    let run_ids: Vec<String> = placements.iter().map(|p| p.run_id.clone()).collect();
    let runs: HashMap<String, db::plans::RunRow> = db::plans::runs_by_id(conn, &run_ids)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let as_time = |t: NaiveDateTime| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    placements
        .into_iter()
        .map(|placement| {
            let view = PlannedView {
                hub_id: Uuid::parse_str(&placement.hub_id)
                    .map_err(|e| AppError::internal(e.to_string()))?,
                window_start: as_time(placement.window_start),
                window_end: as_time(placement.window_end),
                carrier_first_name: runs
                    .get(&placement.run_id)
                    .filter(|r| r.carrier_kind != "post_trip")
                    .map(|r| super::plans::first_name(&r.carrier_name)),
            };
            Ok((placement.request_id, view))
        })
        .collect()
}

fn view_with(row: &RequestRow, items: Vec<ItemRow>, area: &Area) -> Result<RequestView, AppError> {
    let corrupt =
        |what: &str| AppError::internal(format!("grocery_requests row {}: bad {what}", row.id));
    let date = parse_date("delivery_date", &row.delivery_date).map_err(|_| corrupt("date"))?;
    Ok(RequestView {
        id: Uuid::parse_str(&row.id).map_err(|_| corrupt("id"))?,
        area_id: area.id,
        resident_id: Uuid::parse_str(&row.resident_id).map_err(|_| corrupt("resident"))?,
        delivery_date: row.delivery_date.clone(),
        fulfilment: Fulfilment::parse(&row.fulfilment).map_err(|_| corrupt("fulfilment"))?,
        notes: row.notes.clone(),
        status: RequestStatus::parse(&row.status).map_err(|_| corrupt("status"))?,
        version: row.version,
        cutoff: area.cutoff.cutoff(date, area.time_zone)?.to_rfc3339(),
        items: items
            .into_iter()
            .map(|i| {
                Ok(ItemView {
                    temperature: Temperature::parse(&i.temperature)
                        .map_err(|_| corrupt("temperature"))?,
                    substitution: Substitution::parse(&i.substitution)
                        .map_err(|_| corrupt("substitution"))?,
                    name: i.name,
                    quantity: i.quantity,
                    unit: i.unit,
                    outcome: i.outcome,
                    price_yen: i.price_yen,
                })
            })
            .collect::<Result<_, AppError>>()?,
        created_at: timestamp(row.created_at),
        updated_at: timestamp(row.updated_at),
        planned: None,
    })
}

/// The request `id` if `caller` may see it (its resident is visible to them), else 404.
fn visible_request(
    conn: &mut DbConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<RequestRow, AppError> {
    let row = db::requests::find(conn, id)?.ok_or(AppError::NotFound)?;
    let resident =
        Uuid::parse_str(&row.resident_id).map_err(|e| AppError::internal(e.to_string()))?;
    visible_resident(conn, caller, resident)?;
    Ok(row)
}

fn body_hash(input: &NewRequest) -> Result<String, AppError> {
    let canonical = serde_json::to_string(input).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

const MAX_KEY_CHARS: usize = 200;
/// A claim older than this whose request never finished belongs to a request that died.
const STALE_CLAIM: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

#[derive(Clone)]
pub struct Requests {
    db: Db,
}

impl Requests {
    pub fn new(db: Db) -> Self {
        Requests { db }
    }

    /// Creates a request once per `Idempotency-Key`: the same key and body replay the first
    /// answer, another body is refused (422), and a key still being processed answers 409.
    pub async fn create(
        &self,
        caller: &Caller,
        key: Option<String>,
        input: NewRequest,
    ) -> Result<CreateOutcome, AppError> {
        let key = key
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                AppError::Malformed("creating a request needs an Idempotency-Key header".into())
            })?;
        if key.chars().count() > MAX_KEY_CHARS {
            return Err(AppError::Malformed(
                "the Idempotency-Key is longer than 200 characters".into(),
            ));
        }
        let hash = body_hash(&input)?;
        let caller_id = caller.user_id;
        let claim = IdempotencyRow {
            caller_id: caller_id.to_string(),
            idempotency_key: key.clone(),
            body_hash: hash.clone(),
            state: "in_progress".to_owned(),
            response_status: None,
            response_body: None,
            created_at: time::now(),
        };
        let claim_key = key.clone();
        let earlier = self
            .db
            .transaction("idempotency.claim", move |conn| {
                if let Some(earlier) = db::idempotency::find(conn, caller_id, &claim_key)? {
                    // A claim left behind by a request that died midway (a crash, a lost
                    // connection) is taken over once it is clearly stale.
                    let stale = earlier.state == "in_progress"
                        && earlier.body_hash == claim.body_hash
                        && claim.created_at - earlier.created_at > STALE_CLAIM;
                    if stale && db::idempotency::take_over(conn, &earlier, claim.created_at)? {
                        return Ok(None);
                    }
                    return Ok(Some(earlier));
                }
                // A concurrent request with the same key can still win the insert; it is then
                // the one being processed. (On PostgreSQL the failed insert also ends this
                // transaction, so nothing else may run in it.)
                if db::idempotency::claim(conn, &claim)? {
                    Ok(None)
                } else {
                    Err(AppError::Conflict(
                        "this Idempotency-Key is being processed; retry shortly".into(),
                    ))
                }
            })
            .await?;
        if let Some(earlier) = earlier {
            if earlier.body_hash != hash {
                return Err(AppError::UnprocessableBody(
                    "this Idempotency-Key was used with another body; use a new key for a new request".into(),
                ));
            }
            return match (earlier.state.as_str(), earlier.response_body) {
                ("done", Some(body)) => {
                    let view = serde_json::from_str(&body)
                        .map_err(|e| AppError::internal(e.to_string()))?;
                    Ok(CreateOutcome {
                        view,
                        replayed: true,
                    })
                }
                _ => Err(AppError::Conflict(
                    "this Idempotency-Key is being processed; retry shortly".into(),
                )),
            };
        }
        let caller_for_work = caller.clone();
        let audit = Audit::by(caller, None);
        let done_key = key.clone();
        let created = self
            .db
            .transaction("requests.create", move |conn| {
                let view = Self::insert(conn, &caller_for_work, input, &audit)?;
                let body =
                    serde_json::to_string(&view).map_err(|e| AppError::internal(e.to_string()))?;
                db::idempotency::complete(conn, caller_id, &done_key, 201, &body)?;
                Ok(view)
            })
            .await;
        match created {
            Ok(view) => Ok(CreateOutcome {
                view,
                replayed: false,
            }),
            Err(error) => {
                // Nothing was created: free the key so that a corrected retry can use it.
                self.db
                    .transaction("idempotency.release", move |conn| {
                        db::idempotency::release(conn, caller_id, &key)
                    })
                    .await?;
                Err(error)
            }
        }
    }

    fn insert(
        conn: &mut DbConnection,
        caller: &Caller,
        input: NewRequest,
        audit: &Audit,
    ) -> Result<RequestView, AppError> {
        let resident = visible_resident(conn, caller, input.resident_id)?;
        let area = area_of(conn, &resident.area_id)?;
        let date = open_date(conn, &area, &input.delivery_date, false)?;
        let fulfilment = Fulfilment::parse(&input.fulfilment)?;
        let items = checked_items(&input.items)?;
        let now = time::now();
        let row = RequestRow {
            id: Uuid::new_v4().to_string(),
            area_id: area.id.to_string(),
            resident_id: resident.id.clone(),
            delivery_date: date.format("%Y-%m-%d").to_string(),
            fulfilment: fulfilment.as_str().to_owned(),
            notes: check_notes(input.notes)?,
            status: RequestStatus::Submitted.as_str().to_owned(),
            version: 1,
            created_by: caller.user_id.to_string(),
            created_at: now,
            updated_at: now,
        };
        let items = item_rows(&row.id, &items);
        db::requests::insert(conn, &row, &items)?;
        let view = view_with(&row, items, &area)?;
        audit
            .clone()
            .in_area(area.id)
            .record(conn, "create", "request", view.id)?;
        Ok(view)
    }

    pub async fn get(&self, caller: &Caller, id: Uuid) -> Result<RequestView, AppError> {
        let caller = caller.clone();
        self.db
            .run("requests.get", move |conn| {
                let row = visible_request(conn, &caller, id)?;
                let area = area_of(conn, &row.area_id)?;
                view(conn, &row, &area)
            })
            .await
    }

    /// Edits a submitted (or, by staff, locked) request whose version is still `if_match`.
    pub async fn update(
        &self,
        caller: &Caller,
        id: Uuid,
        if_match: Option<String>,
        changes: RequestChanges,
    ) -> Result<RequestView, AppError> {
        let expected = parse_if_match(if_match)?;
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        self.db
            .transaction("requests.update", move |conn| {
                let mut row = visible_request(conn, &caller, id)?;
                if row.version != expected {
                    return Err(AppError::PreconditionFailed);
                }
                let area = area_of(conn, &row.area_id)?;
                let status = RequestStatus::parse(&row.status)?;
                let editable = match caller.role {
                    Role::Family => status == RequestStatus::Submitted,
                    _ => matches!(status, RequestStatus::Submitted | RequestStatus::Locked),
                };
                if !editable {
                    return Err(AppError::StateConflict {
                        current: status.as_str(),
                        detail: format!("a {} request can no longer be edited", status.as_str()),
                    });
                }
                if caller.role == Role::Family {
                    // The family's window is the ordering window of the date it had.
                    open_date(conn, &area, &row.delivery_date, true)?;
                }
                if let Some(date) = &changes.delivery_date {
                    row.delivery_date = open_date(conn, &area, date, true)?
                        .format("%Y-%m-%d")
                        .to_string();
                }
                if let Some(fulfilment) = &changes.fulfilment {
                    row.fulfilment = Fulfilment::parse(fulfilment)?.as_str().to_owned();
                }
                if changes.notes.is_some() {
                    row.notes = check_notes(changes.notes)?;
                }
                let items = changes.items.as_deref().map(checked_items).transpose()?;
                row.version += 1;
                row.updated_at = time::now();
                if !db::requests::update_if_version(conn, &row, expected)? {
                    return Err(AppError::PreconditionFailed);
                }
                if let Some(items) = items {
                    db::requests::replace_items(conn, &row.id, &item_rows(&row.id, &items))?;
                }
                audit
                    .clone()
                    .in_area(area.id)
                    .record(conn, "update", "request", id)?;
                view(conn, &row, &area)
            })
            .await
    }

    /// Moves a request along its life cycle; the domain decides whether `step` is allowed.
    pub async fn transition(
        &self,
        caller: &Caller,
        id: Uuid,
        step: Transition,
    ) -> Result<RequestView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        self.db
            .transaction("requests.transition", move |conn| {
                let mut row = visible_request(conn, &caller, id)?;
                let area = area_of(conn, &row.area_id)?;
                let date = parse_date("delivery_date", &row.delivery_date)?;
                let before_cutoff = area.cutoff.is_open(date, area.time_zone, Utc::now())?;
                let from = RequestStatus::parse(&row.status)?;
                let to = match request::transition(from, step, caller.role, before_cutoff) {
                    Err(AppError::CutoffPassed { editing, .. }) => {
                        return Err(AppError::CutoffPassed {
                            cutoff: Some(area.cutoff.cutoff(date, area.time_zone)?),
                            editing,
                        });
                    }
                    other => other?,
                };
                let expected = row.version;
                row.status = to.as_str().to_owned();
                row.version += 1;
                row.updated_at = time::now();
                if !db::requests::update_if_version(conn, &row, expected)? {
                    return Err(AppError::Conflict(
                        "the request changed meanwhile; try again".into(),
                    ));
                }
                audit
                    .clone()
                    .in_area(area.id)
                    .record(conn, step.as_str(), "request", id)?;
                view(conn, &row, &area)
            })
            .await
    }

    /// A page of requests the caller may see, in (created_at, id) order.
    pub async fn list(
        &self,
        caller: &Caller,
        mut filter: RequestFilter,
        after: Option<(NaiveDateTime, String)>,
        limit: i64,
    ) -> Result<Vec<RequestView>, AppError> {
        let caller = caller.clone();
        self.db
            .run("requests.list", move |conn| {
                match caller.role {
                    Role::Family => {
                        let linked: Vec<String> =
                            db::residents::of_guardian(conn, caller.user_id, None, 10_000)?
                                .into_iter()
                                .map(|r| r.id)
                                .collect();
                        // A family member's own filter narrows their linked residents, never widens them.
                        filter.resident_ids = Some(match filter.resident_ids.take() {
                            Some(wanted) => linked
                                .into_iter()
                                .filter(|id| wanted.contains(id))
                                .collect(),
                            None => linked,
                        });
                    }
                    Role::Admin if caller.area_id.is_none() => {}
                    _ => filter.area_id = Some(caller.area()?),
                }
                let rows = db::requests::list(conn, &filter, after, limit)?;
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let mut items = db::requests::items_of(conn, &ids)?;
                let mut planned = planned(conn, &rows)?;
                let mut areas: Vec<Area> = Vec::new();
                let mut views = Vec::with_capacity(rows.len());
                for row in &rows {
                    let area = match areas.iter().find(|a| a.id.to_string() == row.area_id) {
                        Some(area) => area.clone(),
                        None => {
                            let area = area_of(conn, &row.area_id)?;
                            areas.push(area.clone());
                            area
                        }
                    };
                    let (mine, rest): (Vec<ItemRow>, Vec<ItemRow>) =
                        items.into_iter().partition(|i| i.request_id == row.id);
                    items = rest;
                    let mut view = view_with(row, mine, &area)?;
                    view.planned = planned.remove(&row.id);
                    views.push(view);
                }
                Ok(views)
            })
            .await
    }
}

/// `If-Match: "v3"` → 3. Missing → 428; malformed counts as stale (412).
fn parse_if_match(raw: Option<String>) -> Result<i32, AppError> {
    let raw = raw.ok_or(AppError::PreconditionRequired)?;
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .ok_or(AppError::PreconditionFailed)
}
