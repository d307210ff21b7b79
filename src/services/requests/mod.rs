//! Grocery requests: ordering before the cutoff, idempotent creates, versioned edits, and the
//! life cycle through `domain::request::transition`.

mod views;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::audit::Audit;
use super::caller::Caller;
use super::precondition::{IfMatch, parse_if_match};
use super::residents::{may_see, visible_resident};
use super::unit_of_work::{self, UnitOfWork};
use crate::db::idempotency::IdempotencyRow;
use crate::db::requests::{ItemRow, RequestFilter, RequestRow};
use crate::db::residents::ResidentRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::area::{Area, parse_date};
use crate::domain::clock::Clock;
use crate::domain::error::{Cutoff, Message};
use crate::domain::idempotency::ClaimState;
use crate::domain::ids::{AreaId, HubId, ItemId, RequestId, ResidentId, RunId, UserId};
use crate::domain::plan::PlanStatus;
use crate::domain::request::{
    self, Fulfilment, Item, ItemOutcome, RequestCommand, RequestFacts, RequestStatus, Substitution,
    Temperature,
};
use crate::domain::run::CarrierKind;
use crate::domain::time::wire as wire_time;
use crate::error::AppError;
pub use views::{ItemInput, ItemView, NewRequest, PlannedView, RequestChanges, RequestView};
use views::{handed_over, planned, view, view_with};

/// How far ahead a family may order.
const MAX_DAYS_AHEAD: i64 = 60;

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
            .map_err(AppError::from)
        })
        .collect()
}

fn item_rows(request_id: RequestId, items: &[Item]) -> Vec<ItemRow> {
    items
        .iter()
        .enumerate()
        .map(|(position, item)| ItemRow {
            id: ItemId::new(),
            request_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            name: item.name.clone(),
            quantity: item.quantity,
            unit: item.unit.clone(),
            temperature: item.temperature,
            substitution: item.substitution,
            outcome: ItemOutcome::Pending,
            price_yen: None,
        })
        .collect()
}

fn check_notes(notes: Option<String>) -> Result<Option<String>, AppError> {
    let notes = notes.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::invalid(
            "notes",
            crate::domain::error::Message::new("invalid-too-long").arg("max", 1000),
        ));
    }
    Ok(notes)
}

/// When ordering for `date` of `area` closes.
fn cutoff_of(area: &Area, date: NaiveDate) -> Result<Cutoff, AppError> {
    Ok(Cutoff {
        at: area.cutoff.cutoff(date, area.time_zone)?,
        zone: area.time_zone,
    })
}

/// Whether families may still order for or change `date`: before its cutoff, and the
/// coordinator has not locked the date early.
fn ordering_open(
    conn: &mut DbConnection,
    area: &Area,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let date_text = date.format("%Y-%m-%d").to_string();
    let plan = db::plans::find_for_date(conn, area.id, &date_text)?.map(|p| p.status);
    ordering_open_with(area, date, plan, now)
}

/// `ordering_open` once the date's plan status (if any) is known.
fn ordering_open_with(
    area: &Area,
    date: NaiveDate,
    plan: Option<PlanStatus>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(now < cutoff_of(area, date)?.at && plan != Some(PlanStatus::Locked))
}

/// The delivery date `raw`, refused when ordering for it has closed (422 creating, 409
/// editing; with the cutoff) or when it is too far ahead.
fn open_date(
    conn: &mut DbConnection,
    area: &Area,
    raw: &str,
    editing: bool,
    now: DateTime<Utc>,
) -> Result<NaiveDate, AppError> {
    let date = parse_date("delivery_date", raw)?;
    let date_text = date.format("%Y-%m-%d").to_string();
    let plan = db::plans::find_for_date(conn, area.id, &date_text)?.map(|p| p.status);
    checked_open_date(area, date, plan, editing, now)
}

/// `open_date` once the date is parsed and its plan status (if any) is known.
fn checked_open_date(
    area: &Area,
    date: NaiveDate,
    plan: Option<PlanStatus>,
    editing: bool,
    now: DateTime<Utc>,
) -> Result<NaiveDate, AppError> {
    if !ordering_open_with(area, date, plan, now)? {
        return Err(AppError::CutoffPassed {
            cutoff: Some(cutoff_of(area, date)?),
            editing,
        });
    }
    let today = now.with_timezone(&area.time_zone).date_naive();
    if (date - today).num_days() > MAX_DAYS_AHEAD {
        return Err(AppError::invalid(
            "delivery_date",
            Message::new("invalid-too-far-ahead").arg("days", MAX_DAYS_AHEAD),
        ));
    }
    Ok(date)
}

/// The resident a new request is for, if `caller` may see them (else 404), with their area
/// and the status of the area's plan for `date` (if any), read in one query.
fn orderable_resident(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ResidentId,
    date: &str,
) -> Result<(ResidentRow, Area, Option<PlanStatus>), AppError> {
    let (resident, area, plan) =
        db::residents::find_for_order(conn, id, date)?.ok_or(AppError::NotFound)?;
    if may_see(conn, caller, &resident)? {
        Ok((resident, area.into_area()?, plan))
    } else {
        Err(AppError::NotFound)
    }
}

fn area_of(conn: &mut DbConnection, id: AreaId) -> Result<Area, AppError> {
    db::areas::find(conn, id)?
        .ok_or(AppError::NotFound)?
        .into_area()
}

/// The request `id` if `caller` may see it (its resident is visible to them), else 404.
pub(crate) fn visible_request(
    conn: &mut DbConnection,
    caller: &Caller,
    id: RequestId,
) -> Result<RequestRow, AppError> {
    let row = db::requests::find(conn, id)?.ok_or(AppError::NotFound)?;
    visible_resident(conn, caller, row.resident_id)?;
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

/// The key as a phone sent it, checked: 1 to 200 printable ASCII characters.
fn checked_key(key: Option<String>) -> Result<String, AppError> {
    let key = key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| AppError::Malformed("malformed-idempotency-key-missing".into()))?;
    if !key.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(AppError::Malformed(
            "malformed-idempotency-key-chars".into(),
        ));
    }
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(AppError::Malformed(
            Message::new("malformed-idempotency-key-long").arg("max", MAX_KEY_CHARS),
        ));
    }
    Ok(key)
}

/// The message of a create whose key another create holds.
const CLAIMED_ELSEWHERE: &str = "conflict-idempotency-in-progress";

fn is_claimed_elsewhere(error: &AppError) -> bool {
    matches!(error, AppError::Conflict(m) if m.key == CLAIMED_ELSEWHERE)
}

/// The stored answer to `key`, if the caller used it before: with the same body it is
/// replayed; with another body the create is refused (422).
fn replay(
    conn: &mut DbConnection,
    caller: UserId,
    key: &str,
    hash: &str,
) -> Result<Option<RequestView>, AppError> {
    let Some(earlier) = db::idempotency::find(conn, caller, key)? else {
        return Ok(None);
    };
    if earlier.body_hash != hash {
        return Err(AppError::UnprocessableBody(
            "body-idempotency-key-reused".into(),
        ));
    }
    match (earlier.state, earlier.response_body) {
        (ClaimState::Done, Some(body)) => serde_json::from_str(&body)
            .map(Some)
            .map_err(|e| AppError::internal(e.to_string())),
        // A claim without an answer is a leftover of an older Yui that claimed keys in a
        // transaction of their own: its request never committed, so the key is free again.
        _ => {
            db::idempotency::release(conn, caller, key)?;
            Ok(None)
        }
    }
}

#[derive(Clone)]
pub struct Requests {
    db: Db,
    clock: Clock,
}

impl Requests {
    pub fn new(db: Db, clock: Clock) -> Self {
        Requests { db, clock }
    }

    /// Creates a request once per `Idempotency-Key`, in one write transaction: the same key
    /// and body replay the first answer, another body is refused (422). The key's row is
    /// written with the request, so a retry racing the original waits for it (PostgreSQL)
    /// or queues behind it (SQLite), then replays; nothing half-done is ever left behind.
    pub async fn create(
        &self,
        caller: &Caller,
        key: Option<String>,
        input: NewRequest,
    ) -> Result<CreateOutcome, AppError> {
        let key = checked_key(key)?;
        let hash = body_hash(&input)?;
        // A key left claimed without an answer (by an older Yui) is freed by the replay
        // below; the create is then tried once more.
        for _ in 0..2 {
            match self.create_once(caller, &key, &hash, input.clone()).await {
                Ok(view) => {
                    return Ok(CreateOutcome {
                        view,
                        replayed: false,
                    });
                }
                // The key was used before (or a retry raced its original and lost): the same
                // body gets the stored answer, another body is refused. A create refused by a
                // rule is answered from its key too: a retry after the cutoff of a create that
                // succeeded must see that success.
                Err(refusal) if refusal.is_refusal() => {
                    let (caller_id, key, hash) = (caller.user_id, key.clone(), hash.clone());
                    let earlier = self
                        .db
                        .run("idempotency.replay", move |conn| {
                            replay(conn, caller_id, &key, &hash)
                        })
                        .await?;
                    match earlier {
                        Some(view) => {
                            return Ok(CreateOutcome {
                                view,
                                replayed: true,
                            });
                        }
                        None if is_claimed_elsewhere(&refusal) => continue,
                        None => return Err(refusal),
                    }
                }
                Err(error) => return Err(error),
            }
        }
        Err(AppError::conflict(CLAIMED_ELSEWHERE))
    }

    /// One create transaction. The key is claimed last, inside it: a new key (nearly every
    /// create) costs no read of the claims; a key used before conflicts there and the whole
    /// transaction is void.
    async fn create_once(
        &self,
        caller: &Caller,
        key: &str,
        hash: &str,
        input: NewRequest,
    ) -> Result<RequestView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        let now = self.clock.now();
        let (key, hash) = (key.to_owned(), hash.to_owned());
        unit_of_work::write(
            &self.db,
            &self.clock,
            "requests.create",
            audit,
            move |uow| {
                let view = Self::insert(uow, &caller, input, now)?;
                let body =
                    serde_json::to_string(&view).map_err(|e| AppError::internal(e.to_string()))?;
                let claim = IdempotencyRow {
                    caller_id: caller.user_id,
                    idempotency_key: key,
                    body_hash: hash,
                    state: ClaimState::Done,
                    response_status: Some(201),
                    response_body: Some(body),
                    created_at: uow.now(),
                };
                if !db::idempotency::claim(uow.conn, &claim)? {
                    return Err(AppError::conflict(CLAIMED_ELSEWHERE));
                }
                Ok(view)
            },
        )
        .await
    }

    fn insert(
        uow: &mut UnitOfWork<'_>,
        caller: &Caller,
        input: NewRequest,
        now: DateTime<Utc>,
    ) -> Result<RequestView, AppError> {
        // The plan is looked up by the date as stored; a date that does not parse matches none
        // and is refused below, after the resident's visibility.
        let parsed = parse_date("delivery_date", &input.delivery_date);
        let date_text = match &parsed {
            Ok(date) => date.format("%Y-%m-%d").to_string(),
            Err(_) => input.delivery_date.to_string(),
        };
        let (resident, area, plan) =
            orderable_resident(uow.conn, caller, input.resident_id, &date_text)?;
        checked_open_date(&area, parsed?, plan, false, now)?;
        let fulfilment = Fulfilment::parse(&input.fulfilment)?;
        let items = checked_items(&input.items)?;
        let row = RequestRow {
            id: RequestId::new(),
            area_id: area.id,
            resident_id: resident.id,
            delivery_date: date_text,
            fulfilment,
            notes: check_notes(input.notes.map(String::from))?,
            status: RequestStatus::Submitted,
            version: 1,
            created_by: caller.user_id,
            created_at: uow.now(),
            updated_at: uow.now(),
        };
        let items = item_rows(row.id, &items);
        db::requests::insert(uow.conn, &row, &items)?;
        let view = view_with(&row, items, &area)?;
        uow.in_area(area.id);
        uow.request_created(view.id)?;
        Ok(view)
    }

    pub async fn get(&self, caller: &Caller, id: RequestId) -> Result<RequestView, AppError> {
        let caller = caller.clone();
        self.db
            .run("requests.get", move |conn| {
                let row = visible_request(conn, &caller, id)?;
                let area = area_of(conn, row.area_id)?;
                view(conn, &row, &area)
            })
            .await
    }

    /// Edits a submitted (or, by staff, locked) request whose version is still `if_match`.
    /// A family's edit after ordering closed is told the cutoff.
    pub async fn update(
        &self,
        caller: &Caller,
        id: RequestId,
        if_match: Option<String>,
        changes: RequestChanges,
    ) -> Result<RequestView, AppError> {
        // A malformed If-Match is a bad request whatever it names; a missing or stale one is
        // told only once the request is known to exist (and be visible) to the caller.
        let precondition = parse_if_match(if_match)?;
        // The changes' own rules first, as for a create: a body that breaks one is 422
        // whatever the request's version or state.
        if let Some(date) = &changes.delivery_date {
            parse_date("delivery_date", date)?;
        }
        let fulfilment = changes
            .fulfilment
            .as_deref()
            .map(Fulfilment::parse)
            .transpose()?;
        let notes = match changes.notes {
            Some(notes) => Some(check_notes(Some(notes.into()))?),
            None => None,
        };
        let items = changes.items.as_deref().map(checked_items).transpose()?;
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        let now = self.clock.now();
        unit_of_work::write(
            &self.db,
            &self.clock,
            "requests.update",
            audit,
            move |uow| {
                let mut row = visible_request(uow.conn, &caller, id)?;
                match precondition {
                    None => return Err(AppError::PreconditionRequired),
                    Some(IfMatch::Versions(versions)) if !versions.contains(&row.version) => {
                        return Err(AppError::PreconditionFailed);
                    }
                    Some(_) => {}
                }
                let expected = row.version;
                let area = area_of(uow.conn, row.area_id)?;
                let date = parse_date("delivery_date", &row.delivery_date)?;
                if caller.role == Role::Family {
                    // The family's window is the ordering window of the date it had.
                    if row.status != RequestStatus::Submitted
                        || !ordering_open(uow.conn, &area, date, now)?
                    {
                        return Err(AppError::CutoffPassed {
                            cutoff: Some(cutoff_of(&area, date)?),
                            editing: true,
                        });
                    }
                } else if !matches!(row.status, RequestStatus::Submitted | RequestStatus::Locked) {
                    return Err(AppError::Transition {
                        aggregate: "request",
                        current: row.status.as_str(),
                        command: "edit",
                        allowed: Vec::new(),
                    });
                }
                if let Some(date) = &changes.delivery_date {
                    row.delivery_date = open_date(uow.conn, &area, date, true, now)?
                        .format("%Y-%m-%d")
                        .to_string();
                }
                if let Some(fulfilment) = fulfilment {
                    row.fulfilment = fulfilment;
                }
                if let Some(notes) = notes {
                    row.notes = notes;
                }
                row.version += 1;
                row.updated_at = uow.now();
                if !db::requests::update_if_version(uow.conn, &row, expected)? {
                    return Err(AppError::PreconditionFailed);
                }
                if let Some(items) = items {
                    db::requests::replace_items(uow.conn, row.id, &item_rows(row.id, &items))?;
                }
                uow.in_area(area.id);
                uow.audit("update", unit_of_work::REQUEST, id)?;
                view(uow.conn, &row, &area)
            },
        )
        .await
    }

    /// Moves a request along its life cycle; the domain decides whether `command` is allowed.
    pub async fn transition(
        &self,
        caller: &Caller,
        id: RequestId,
        command: RequestCommand,
    ) -> Result<RequestView, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        let now = self.clock.now();
        unit_of_work::write(
            &self.db,
            &self.clock,
            "requests.transition",
            audit,
            move |uow| {
                let mut row = visible_request(uow.conn, &caller, id)?;
                let area = area_of(uow.conn, row.area_id)?;
                let date = parse_date("delivery_date", &row.delivery_date)?;
                let facts = RequestFacts {
                    cutoff: cutoff_of(&area, date)?,
                    ordering_open: ordering_open(uow.conn, &area, date, now)?,
                    fulfilment: row.fulfilment,
                };
                let step = request::transition(row.status, command, caller.role, facts)?;
                uow.in_area(area.id);
                uow.request_step(&mut row, step, command.as_str())?;
                view(uow.conn, &row, &area)
            },
        )
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
                        let linked: Vec<ResidentId> =
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
                let ids: Vec<RequestId> = rows.iter().map(|r| r.id).collect();
                let mut items = db::requests::items_of(conn, &ids)?;
                let mut planned = planned(conn, &rows)?;
                let mut areas: Vec<Area> = Vec::new();
                let mut views = Vec::with_capacity(rows.len());
                for row in &rows {
                    let area = match areas.iter().find(|a| a.id == row.area_id) {
                        Some(area) => area.clone(),
                        None => {
                            let area = area_of(conn, row.area_id)?;
                            areas.push(area.clone());
                            area
                        }
                    };
                    let (mine, rest): (Vec<ItemRow>, Vec<ItemRow>) =
                        items.into_iter().partition(|i| i.request_id == row.id);
                    items = rest;
                    let mut view = view_with(row, mine, &area)?;
                    view.planned = planned.remove(&row.id);
                    handed_over(conn, &mut view)?;
                    views.push(view);
                }
                Ok(views)
            })
            .await
    }
}
