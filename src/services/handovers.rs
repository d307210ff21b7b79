//! Recording the delivery day: each handover moves its requests one step (in the unit of work,
//! with the handover's row, audit and events), a retried one answers as the first time, and a
//! batch from a phone that was offline is applied in the order things happened.

use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::audit::Audit;
use super::caller::Caller;
use super::plans::PostLoadView;
use super::unit_of_work::{self, UnitOfWork};
use crate::db::handovers::HandoverRow;
use crate::db::plans::RunRow;
use crate::db::requests::RequestRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::area::parse_date;
use crate::domain::clock::Clock;
use crate::domain::error::{Cutoff, Message};
use crate::domain::handover::{
    self, Crates, FailureReason, HandoverKind, ProofMethod, RecipientKind, Standing,
};
use crate::domain::ids::{HandoverId, HubId, PostTripId, ProxyId, RequestId, RunId, UserId};
use crate::domain::request::{self as request_rules, RequestFacts};
use crate::domain::run::{self as run_rules, CarrierKind, RunActor, RunCommand, RunStatus};
use crate::domain::text::{Line, Note};
use crate::domain::time::wire_naive;
use crate::domain::watch_over::EscalationCause;
use crate::error::AppError;

pub const HANDOVER: &str = "handover";
/// A phone's batch of handovers recorded offline: at most this many.
pub const MAX_BATCH: usize = 100;
/// Signatures and photos: PNG or JPEG, at most 256 KiB.
pub const MAX_IMAGE_BYTES: usize = 256 * 1024;
/// Wrong codes before a request's code is locked until a coordinator resets it.
pub const MAX_CODE_FAILURES: i32 = 5;
/// How long images are kept where the area sets nothing.
pub const DEFAULT_IMAGE_RETENTION_DAYS: i64 = 90;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewHandover {
    pub id: HandoverId,
    pub kind: Line,
    pub occurred_at: Line,
    #[serde(default)]
    pub run_id: Option<RunId>,
    #[serde(default)]
    pub hub_id: Option<HubId>,
    pub request_ids: Vec<RequestId>,
    #[serde(default)]
    pub crates: Option<Crates>,
    #[serde(default)]
    pub recipient: Option<RecipientInput>,
    #[serde(default)]
    pub proof: Option<ProofInput>,
    #[serde(default)]
    pub reason: Option<Line>,
    #[serde(default)]
    pub note: Option<Note>,
    #[serde(default)]
    pub location: Option<LocationInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientInput {
    pub kind: Line,
    #[serde(default)]
    pub proxy_id: Option<uuid::Uuid>,
    #[serde(default)]
    pub name: Option<Line>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProofInput {
    pub method: Line,
    #[serde(default)]
    pub code: Option<Line>,
    /// Base64 of a PNG or JPEG.
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecipientView {
    pub kind: RecipientKind,
    pub proxy_id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProofView {
    pub method: ProofMethod,
    /// Handed over on the carrier's word alone: the coordinator's view shows it.
    pub flagged: bool,
    pub image: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverView {
    pub id: HandoverId,
    pub kind: HandoverKind,
    pub occurred_at: String,
    pub received_at: String,
    pub recorded_by: UserId,
    pub run_id: Option<RunId>,
    pub hub_id: Option<HubId>,
    pub request_ids: Vec<RequestId>,
    pub crates: Option<Crates>,
    /// On receipt: the crates the van was loaded with, when they differ from the count.
    pub discrepancy: Option<Crates>,
    pub recipient: Option<RecipientView>,
    pub proof: Option<ProofView>,
    pub reason: Option<FailureReason>,
    pub note: Option<String>,
    pub location: Option<LocationView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LocationView {
    pub lat: f64,
    pub lon: f64,
}

/// One step of a request's custody as its family sees it: what happened and when, who took
/// it (the kind of recipient) and who carried it (the carrier's public name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustodyStep {
    pub kind: HandoverKind,
    pub occurred_at: String,
    pub recipient_kind: Option<RecipientKind>,
    pub carrier_public_name: Option<String>,
}

/// A request's custody: the family's short form, or everything for staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Custody {
    Family {
        request_id: RequestId,
        steps: Vec<CustodyStep>,
    },
    Staff {
        request_id: RequestId,
        handovers: Vec<HandoverView>,
    },
}

/// What one handover came to: recorded now (201), the same one again (200), or refused.
#[derive(Debug)]
pub enum Recorded {
    Created(HandoverView),
    Replayed(HandoverView),
}

/// One entry of a batch as it went: its id when it had one, and what came of it.
#[derive(Debug)]
pub struct BatchEntry {
    pub id: Option<HandoverId>,
    pub outcome: Result<Recorded, AppError>,
}

#[derive(Clone)]
pub struct Handovers {
    db: Db,
    clock: Clock,
}

/// A handover checked against its kind, before anything is read.
struct Checked {
    kind: HandoverKind,
    occurred_at: DateTime<Utc>,
    crates: Option<Crates>,
    recipient: Option<(RecipientKind, Option<String>, Option<String>)>,
    proof: Option<CheckedProof>,
    reason: Option<FailureReason>,
    location: Option<LocationInput>,
}

struct CheckedProof {
    method: ProofMethod,
    code: Option<String>,
    /// Its type (from the bytes) and the base64 as sent.
    image: Option<(&'static str, String)>,
}

impl Handovers {
    pub fn new(db: Db, clock: Clock) -> Self {
        Handovers { db, clock }
    }

    /// Records one handover. A wrong handover code is counted (and the count kept) before the
    /// handover is refused.
    pub async fn record(&self, caller: &Caller, input: NewHandover) -> Result<Recorded, AppError> {
        let now = self.clock.now();
        let checked = check(&input, now)?;
        let hash = body_hash(&input)?;
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        let outcome = unit_of_work::write(
            &self.db,
            &self.clock,
            "handovers.record",
            audit,
            move |uow| record(uow, &caller, &input, checked, &hash),
        )
        .await?;
        match outcome {
            Outcome::Created(view) => Ok(Recorded::Created(view)),
            Outcome::Replayed(view) => Ok(Recorded::Replayed(view)),
            Outcome::WrongCode { locked } => Err(AppError::invalid(
                "proof.code",
                Message::new(if locked {
                    "invalid-handover-code-locked"
                } else {
                    "invalid-handover-code"
                }),
            )),
        }
    }

    /// A phone's offline handovers, applied in the order they happened (the order sent for
    /// equal times), each answered on its own: one refused never holds back the others.
    pub async fn record_batch(
        &self,
        caller: &Caller,
        entries: Vec<serde_json::Value>,
    ) -> Result<Vec<BatchEntry>, AppError> {
        if entries.is_empty() || entries.len() > MAX_BATCH {
            return Err(AppError::invalid(
                "handovers",
                Message::new("invalid-count")
                    .arg("min", 1)
                    .arg("max", MAX_BATCH),
            ));
        }
        let mut parsed: Vec<(usize, Result<NewHandover, AppError>)> = entries
            .into_iter()
            .enumerate()
            .map(|(index, entry)| (index, parse_entry(index, entry)))
            .collect();
        // Unparseable entries keep their place; the rest go by `occurred_at`.
        let order = |entry: &Result<NewHandover, AppError>| {
            entry
                .as_ref()
                .ok()
                .and_then(|h| DateTime::parse_from_rfc3339(&h.occurred_at).ok())
                .map(|at| at.with_timezone(&Utc))
        };
        parsed.sort_by_key(|(index, entry)| (order(entry), *index));
        let mut results: Vec<(usize, BatchEntry)> = Vec::with_capacity(parsed.len());
        for (index, entry) in parsed {
            let entry = match entry {
                Err(error) => BatchEntry {
                    id: None,
                    outcome: Err(error),
                },
                Ok(input) => BatchEntry {
                    id: Some(input.id),
                    outcome: self.record(caller, input).await,
                },
            };
            results.push((index, entry));
        }
        // Answered in the order sent, so that a phone matches each answer to its entry.
        results.sort_by_key(|(index, _)| *index);
        Ok(results.into_iter().map(|(_, r)| r).collect())
    }

    /// The request's handovers in order: the family's short form, or all of it for staff.
    /// Staff: a page of the area's handovers from `from` to before `until` (UTC), in the
    /// order they happened, after `after`, each with its exact sort key (the wire's time is
    /// cut to microseconds); for exports, which leave out what is personal in them
    /// (recipients' names, notes, places).
    pub async fn of_area(
        &self,
        caller: &Caller,
        period: (chrono::NaiveDateTime, chrono::NaiveDateTime),
        after: Option<(chrono::NaiveDateTime, HandoverId)>,
        limit: i64,
    ) -> Result<Vec<((chrono::NaiveDateTime, HandoverId), HandoverView)>, AppError> {
        if !caller.role.is_staff() {
            return Err(AppError::NotFound);
        }
        let area = caller.area()?;
        self.db
            .run("handovers.of_area", move |conn| {
                db::handovers::of_area(conn, area, period, after, limit)?
                    .into_iter()
                    .map(|row| Ok(((row.occurred_at, row.id), view(conn, row)?)))
                    .collect()
            })
            .await
    }

    pub async fn custody(&self, caller: &Caller, id: RequestId) -> Result<Custody, AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "handovers.custody",
            audit,
            move |uow| {
                let request = db::requests::find(uow.conn, id)?.ok_or(AppError::NotFound)?;
                let staff = caller.role.is_staff() && caller.works_in(request.area_id);
                if !staff {
                    super::requests::visible_request(uow.conn, &caller, id)?;
                }
                let rows = db::handovers::custody_of(uow.conn, id)?;
                if staff {
                    // Recipients' names, notes and places are personal: a staff read is audited.
                    if rows
                        .iter()
                        .any(|r| r.recipient_name.is_some() || r.note.is_some() || r.lat.is_some())
                    {
                        uow.in_area(request.area_id);
                        uow.audit("read_custody", super::unit_of_work::REQUEST, id)?;
                    }
                    let handovers = rows
                        .into_iter()
                        .map(|row| view(uow.conn, row))
                        .collect::<Result<_, _>>()?;
                    return Ok(Custody::Staff {
                        request_id: id,
                        handovers,
                    });
                }
                let steps = rows
                    .into_iter()
                    .map(|row| {
                        Ok(CustodyStep {
                            kind: row.kind,
                            occurred_at: wire_naive(row.occurred_at),
                            recipient_kind: row.recipient_kind,
                            carrier_public_name: carrier_public_name(uow.conn, &row)?,
                        })
                    })
                    .collect::<Result<_, AppError>>()?;
                Ok(Custody::Family {
                    request_id: id,
                    steps,
                })
            },
        )
        .await
    }
}

impl Handovers {
    /// The signature or photo of a handover, to staff of its area (each read audited).
    pub async fn proof_image(
        &self,
        caller: &Caller,
        id: HandoverId,
    ) -> Result<(String, Vec<u8>), AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "handovers.image",
            audit,
            move |uow| {
                let row = db::handovers::find(uow.conn, id)?.ok_or(AppError::NotFound)?;
                if !(caller.role.is_staff() && caller.works_in(row.area_id)) {
                    return Err(AppError::NotFound);
                }
                let (content_type, encoded) =
                    db::handovers::image_of(uow.conn, id)?.ok_or(AppError::NotFound)?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|e| AppError::internal(e.to_string()))?;
                uow.in_area(row.area_id);
                uow.audit("read_proof_image", HANDOVER, id)?;
                Ok((content_type, bytes))
            },
        )
        .await
    }

    /// A coordinator unlocks a request's handover code after five wrong tries (the code stays
    /// the one the family knows).
    pub async fn reset_code(&self, caller: &Caller, request: RequestId) -> Result<(), AppError> {
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(
            &self.db,
            &self.clock,
            "handovers.reset_code",
            audit,
            move |uow| {
                let row = db::requests::find(uow.conn, request)?.ok_or(AppError::NotFound)?;
                if !(caller.role.is_staff() && caller.works_in(row.area_id)) {
                    return Err(AppError::NotFound);
                }
                db::handovers::code_of(uow.conn, request)?.ok_or(AppError::NotFound)?;
                let now = uow.now();
                db::handovers::set_failures(uow.conn, request, 0, now)?;
                uow.in_area(row.area_id);
                uow.audit("reset_handover_code", super::unit_of_work::REQUEST, request)
            },
        )
        .await
    }
}

/// Deletes the images whose retention ran out; answers how many.
pub async fn delete_expired_images(db: &Db, clock: &Clock) -> Result<usize, AppError> {
    let now = clock.now_naive();
    db.transaction("handovers.expire_images", move |conn| {
        db::handovers::delete_images_before(conn, now)
    })
    .await
}

enum Outcome {
    Created(HandoverView),
    Replayed(HandoverView),
    WrongCode { locked: bool },
}

/// An entry of a batch as a handover, or why it is not one (named by its place).
fn parse_entry(index: usize, entry: serde_json::Value) -> Result<NewHandover, AppError> {
    serde_path_to_error::deserialize(entry).map_err(|e| {
        let path = e.path().to_string();
        let field = match path.as_str() {
            "." => format!("handovers[{index}]"),
            nested if nested.starts_with('[') => format!("handovers[{index}]{nested}"),
            nested => format!("handovers[{index}].{nested}"),
        };
        AppError::invalid(
            field,
            Message::new("invalid-value").arg("reason", e.into_inner().to_string()),
        )
    })
}

fn body_hash(input: &NewHandover) -> Result<String, AppError> {
    let canonical = serde_json::to_string(input).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn not_for_kind(field: &str) -> AppError {
    AppError::invalid(field, Message::new("invalid-not-for-kind"))
}

fn required(field: &str) -> AppError {
    AppError::invalid(field, Message::new("invalid-required"))
}

/// The handover's own rules: what its kind needs and allows, and the shape of each part.
fn check(input: &NewHandover, now: DateTime<Utc>) -> Result<Checked, AppError> {
    let kind = HandoverKind::parse(&input.kind)?;
    // Kept to the microsecond, as every stored time is, so that the time on the wire finds
    // the same row again.
    let occurred_at = DateTime::parse_from_rfc3339(&input.occurred_at)
        .map_err(|_| AppError::invalid("occurred_at", Message::new("invalid-instant")))?
        .with_timezone(&Utc)
        .trunc_subsecs(6);
    handover::check_occurred_at(occurred_at, now)?;
    handover::check_requests(&input.request_ids)?;
    let needs = kind.needs();
    if needs.run && input.run_id.is_none() {
        return Err(required("run_id"));
    }
    if needs.hub && input.hub_id.is_none() {
        return Err(required("hub_id"));
    }
    let crates = match (needs.crates, input.crates) {
        (true, Some(crates)) => Some(crates.check()?),
        (true, None) => return Err(required("crates")),
        (false, Some(_)) => return Err(not_for_kind("crates")),
        (false, None) => None,
    };
    let recipient = match (needs.recipient, &input.recipient) {
        (true, Some(r)) => {
            let kind = RecipientKind::parse(&r.kind)?;
            let name = r.name.as_ref().map(|n| n.trim().to_owned());
            if name
                .as_ref()
                .is_some_and(|n| !(1..=100).contains(&n.chars().count()))
            {
                return Err(AppError::invalid(
                    "recipient.name",
                    Message::new("invalid-length").arg("min", 1).arg("max", 100),
                ));
            }
            match kind {
                RecipientKind::Proxy if r.proxy_id.is_none() => {
                    return Err(required("recipient.proxy_id"));
                }
                RecipientKind::Neighbour if name.is_none() => {
                    return Err(required("recipient.name"));
                }
                _ => {}
            }
            Some((kind, r.proxy_id.map(|p| p.to_string()), name))
        }
        (true, None) => return Err(required("recipient")),
        (false, Some(_)) => return Err(not_for_kind("recipient")),
        (false, None) => None,
    };
    let proof = match (needs.recipient, &input.proof) {
        (true, Some(p)) => Some(check_proof(p)?),
        (true, None) => return Err(required("proof")),
        (false, Some(_)) => return Err(not_for_kind("proof")),
        (false, None) => None,
    };
    let reason = match (needs.reason, &input.reason) {
        (true, Some(r)) => Some(FailureReason::parse(r)?),
        (true, None) => return Err(required("reason")),
        (false, Some(_)) => return Err(not_for_kind("reason")),
        (false, None) => None,
    };
    if let Some(note) = &input.note
        && note.chars().count() > 1000
    {
        return Err(AppError::invalid(
            "note",
            Message::new("invalid-too-long").arg("max", 1000),
        ));
    }
    if let Some(at) = input.location {
        if !(at.lat.is_finite() && (-90.0..=90.0).contains(&at.lat)) {
            return Err(AppError::invalid(
                "location.lat",
                Message::new("invalid-latitude"),
            ));
        }
        if !(at.lon.is_finite() && (-180.0..=180.0).contains(&at.lon)) {
            return Err(AppError::invalid(
                "location.lon",
                Message::new("invalid-longitude"),
            ));
        }
    }
    Ok(Checked {
        kind,
        occurred_at,
        crates,
        recipient,
        proof,
        reason,
        location: input.location,
    })
}

fn check_proof(proof: &ProofInput) -> Result<CheckedProof, AppError> {
    let method = ProofMethod::parse(&proof.method)?;
    let code = match (method, &proof.code) {
        (ProofMethod::Code, Some(code)) => {
            if !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())) {
                return Err(AppError::invalid(
                    "proof.code",
                    Message::new("invalid-handover-code-format"),
                ));
            }
            Some(code.to_string())
        }
        (ProofMethod::Code, None) => return Err(required("proof.code")),
        (_, Some(_)) => return Err(not_for_kind("proof.code")),
        (_, None) => None,
    };
    let image = match (method, &proof.image) {
        (ProofMethod::Signature | ProofMethod::Photo, Some(encoded)) => Some(image(encoded)?),
        (ProofMethod::Signature | ProofMethod::Photo, None) => {
            return Err(required("proof.image"));
        }
        (_, Some(_)) => return Err(not_for_kind("proof.image")),
        (_, None) => None,
    };
    Ok(CheckedProof {
        method,
        code,
        image,
    })
}

/// A PNG or JPEG, its type told by its first bytes (not by what the phone says).
fn image(encoded: &str) -> Result<(&'static str, String), AppError> {
    let invalid = |key| AppError::invalid("proof.image", Message::new(key));
    if encoded.len() > MAX_IMAGE_BYTES.div_ceil(3) * 4 + 4 {
        return Err(AppError::invalid(
            "proof.image",
            Message::new("invalid-image-too-large").arg("kib", MAX_IMAGE_BYTES / 1024),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| invalid("invalid-base64"))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::invalid(
            "proof.image",
            Message::new("invalid-image-too-large").arg("kib", MAX_IMAGE_BYTES / 1024),
        ));
    }
    let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else {
        return Err(invalid("invalid-image-type"));
    };
    Ok((content_type, encoded.to_owned()))
}

fn record(
    uow: &mut UnitOfWork<'_>,
    caller: &Caller,
    input: &NewHandover,
    checked: Checked,
    hash: &str,
) -> Result<Outcome, AppError> {
    if let Some(existing) = db::handovers::find(uow.conn, input.id)? {
        // The same handover again (a phone that lost the answer): the same answer. Another
        // body under the id is a client's mistake, not a second handover.
        if existing.body_hash != hash || existing.recorded_by != caller.user_id {
            return Err(AppError::invalid(
                "id",
                Message::new("invalid-handover-id-reused"),
            ));
        }
        return Ok(Outcome::Replayed(view(uow.conn, existing)?));
    }
    let kind = checked.kind;
    let mut run = match input.run_id {
        Some(id) => {
            // One run's handovers one after another: whether its last door is done is then
            // seen by exactly one of them.
            db::plans::lock_run(uow.conn, id)?;
            Some(db::plans::find_run(uow.conn, id)?.ok_or(AppError::NotFound)?)
        }
        None => None,
    };
    let hub_id = input.hub_id.or(run.as_ref().and_then(|r| r.hub_id));
    let hub = match hub_id {
        Some(id) => Some(db::areas::find_hub(uow.conn, id)?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let area = match (&run, &hub) {
        (Some(run), _) => run.area_id,
        (None, Some(hub)) => hub.area_id,
        (None, None) => return Err(required("hub_id")),
    };
    if hub.as_ref().is_some_and(|h| h.area_id != area) {
        return Err(AppError::NotFound);
    }
    let standing = standing(uow.conn, caller, run.as_ref(), hub_id, area)?;
    if standing == Standing::default() {
        // A run or hub the caller has nothing to do with is not there for them.
        return Err(AppError::NotFound);
    }
    if !kind.may_record(standing) {
        return Err(AppError::Forbidden("forbidden-handover-kind".into()));
    }
    if kind == HandoverKind::VanLoaded
        && run
            .as_ref()
            .is_some_and(|r| r.carrier_kind != CarrierKind::PostTrip)
    {
        return Err(AppError::invalid(
            "run_id",
            Message::new("invalid-not-a-post-trip"),
        ));
    }
    if kind.on_last_mile_run()
        && run
            .as_ref()
            .is_some_and(|r| r.carrier_kind == CarrierKind::PostTrip)
    {
        return Err(AppError::invalid(
            "run_id",
            Message::new("invalid-not-a-last-mile-run"),
        ));
    }
    uow.in_area(area);
    let area_row = db::areas::find(uow.conn, area)?
        .ok_or(AppError::NotFound)?
        .into_area()?;

    // Every request must be one this handover can carry: on its run, at its hub, or in the
    // van's load for the hub.
    let post_load = match (kind, &run) {
        (HandoverKind::VanLoaded, Some(run)) => Some(load_of(uow.conn, run, hub_id)?),
        _ => None,
    };
    let mut rows: Vec<RequestRow> = Vec::with_capacity(input.request_ids.len());
    for (index, id) in input.request_ids.iter().enumerate() {
        let not_here = || {
            AppError::invalid(
                format!("request_ids[{index}]"),
                Message::new("invalid-not-in-handover"),
            )
        };
        let row = db::requests::find(uow.conn, *id)?.ok_or_else(not_here)?;
        let placement = db::plans::placement_of(uow.conn, *id)?;
        let carried = match kind {
            HandoverKind::VanLoaded => post_load
                .as_ref()
                .is_some_and(|l| l.request_ids.contains(id)),
            k if k.on_last_mile_run() => placement.is_some_and(|p| Some(p.run_id) == input.run_id),
            // At a hub: the one it is placed at, or the one the van took it to.
            _ => {
                placement.is_some_and(|p| Some(p.hub_id) == hub_id)
                    || taken_to(uow.conn, *id, hub_id)?
            }
        };
        if row.area_id != area || !carried {
            return Err(not_here());
        }
        rows.push(row);
    }

    // The code said at the door is each request's own; a wrong one is counted.
    if let Some(code) = checked.proof.as_ref().and_then(|p| p.code.as_deref()) {
        for row in &rows {
            let Some(stored) = db::handovers::code_of(uow.conn, row.id)? else {
                return Ok(Outcome::WrongCode { locked: false });
            };
            if stored.failures >= MAX_CODE_FAILURES {
                return Ok(Outcome::WrongCode { locked: true });
            }
            if stored.code != code {
                let failures = stored.failures + 1;
                db::handovers::set_failures(uow.conn, row.id, failures, uow.now())?;
                return Ok(Outcome::WrongCode {
                    locked: failures >= MAX_CODE_FAILURES,
                });
            }
        }
    }
    if let Some((RecipientKind::Proxy, Some(proxy), _)) = &checked.recipient {
        // Only a proxy registered (with consent) for each request's resident receives for them.
        let proxy: ProxyId = proxy.parse().map_err(|_| {
            AppError::invalid("recipient.proxy_id", Message::new("invalid-not-a-proxy"))
        })?;
        for row in &rows {
            if !super::proxies::is_proxy_of(uow.conn, proxy, row.resident_id)? {
                return Err(AppError::invalid(
                    "recipient.proxy_id",
                    Message::new("invalid-not-a-proxy"),
                ));
            }
        }
    }

    let expected = match kind {
        HandoverKind::HubReceived => Some(expected_crates(uow.conn, &rows, hub_id)?),
        _ => None,
    };
    for row in &mut rows {
        let date = parse_date("delivery_date", &row.delivery_date)?;
        let facts = RequestFacts {
            cutoff: cutoff_of(&area_row, date)?,
            ordering_open: false,
            fulfilment: row.fulfilment,
        };
        let step = request_rules::transition(row.status, kind.command(), caller.role, facts)?;
        uow.request_step(row, step, kind.as_str())?;
    }

    let json = |crates: Option<Crates>| {
        crates
            .map(|c| serde_json::to_string(&c))
            .transpose()
            .map_err(|e| AppError::internal(e.to_string()))
    };
    let (recipient_kind, recipient_proxy_id, recipient_name) = match checked.recipient {
        Some((kind, proxy, name)) => (Some(kind), proxy, name),
        None => (None, None, None),
    };
    let row = HandoverRow {
        id: input.id,
        area_id: area,
        kind,
        occurred_at: checked.occurred_at.naive_utc(),
        received_at: uow.now(),
        recorded_by: caller.user_id,
        run_id: input.run_id,
        hub_id,
        crates: json(checked.crates)?,
        expected_crates: json(expected)?,
        recipient_kind,
        recipient_proxy_id,
        recipient_name,
        proof_method: checked.proof.as_ref().map(|p| p.method),
        reason: checked.reason,
        note: input.note.as_ref().map(|n| n.to_string()),
        lat: checked.location.map(|l| l.lat),
        lon: checked.location.map(|l| l.lon),
        body_hash: hash.to_owned(),
    };
    db::handovers::insert(uow.conn, &row, &input.request_ids)?;
    if let Some((content_type, bytes)) = checked.proof.as_ref().and_then(|p| p.image.as_ref()) {
        let days = db::areas::find(uow.conn, area)?
            .map(|a| a.day_settings())
            .transpose()?
            .map_or(DEFAULT_IMAGE_RETENTION_DAYS, |s| {
                i64::from(s.image_retention_days)
            });
        let keep = Duration::days(days);
        db::handovers::insert_image(uow.conn, row.id, content_type, bytes, uow.now() + keep)?;
    }
    if let Some(run) = run.as_mut()
        && kind.on_last_mile_run()
    {
        advance_run(uow, run, kind, standing)?;
    }
    let mut over_capacity = false;
    match (kind, hub_id) {
        // On the shelf with the time to hand it on by; the hub's storage checked.
        (HandoverKind::HubReceived | HandoverKind::HubReturned, Some(hub)) => {
            super::shelf::shelve(uow, hub, &rows, row.occurred_at)?;
            let hub_row = db::areas::find_hub(uow.conn, hub)?.ok_or(AppError::NotFound)?;
            let occupancy = super::shelf::occupancy(uow.conn, &hub_row)?;
            over_capacity = occupancy.used.ambient > occupancy.storage.ambient
                || occupancy.used.chilled > occupancy.storage.chilled
                || occupancy.used.frozen > occupancy.storage.frozen;
        }
        // Nobody answered: watch-over starts for the resident.
        (HandoverKind::DoorFailed, _) if checked.reason == Some(FailureReason::NoAnswer) => {
            let run_hub = run.as_ref().and_then(|r| r.hub_id);
            for request in &rows {
                super::escalations::open(
                    uow,
                    request,
                    EscalationCause::NoAnswer,
                    input.run_id,
                    run_hub,
                )?;
            }
            uow.in_area(area);
        }
        _ => {}
    }
    uow.audit("record", HANDOVER, row.id)?;
    let mut events = handover::events(
        kind,
        rows.len(),
        expected.zip(checked.crates),
        row.proof_method,
    );
    if over_capacity {
        events.push(handover::HandoverEvent::OverCapacity);
    }
    uow.events(HANDOVER, row.id, &events)?;
    Ok(Outcome::Created(view(uow.conn, row)?))
}

/// A run moves with its handovers: picked up at the hub it has started (taken, if its carrier
/// had not said so yet); once every door has a handover it is completed.
fn advance_run(
    uow: &mut UnitOfWork<'_>,
    run: &mut RunRow,
    kind: HandoverKind,
    standing: Standing,
) -> Result<(), AppError> {
    let actor = if standing.run_carrier {
        RunActor::OwnCarrier
    } else if standing.area_staff {
        RunActor::Staff
    } else {
        // A keeper records the pickup; the run's own steps are its carrier's.
        return Ok(());
    };
    let mut commands = Vec::new();
    match kind {
        HandoverKind::RunPickedUp => {
            if run.status == RunStatus::Offered && actor == RunActor::OwnCarrier {
                commands.push(RunCommand::Accept);
            }
            commands.push(RunCommand::Start);
        }
        _ => {
            let doors = db::plans::stops_of(uow.conn, run.id)?
                .into_iter()
                .filter_map(|s| s.request_id)
                .collect::<Vec<_>>();
            let mut all_done = true;
            for door in doors {
                let done = db::handovers::custody_of(uow.conn, door)?.iter().any(|h| {
                    h.run_id == Some(run.id)
                        && matches!(
                            h.kind,
                            HandoverKind::DoorDelivered | HandoverKind::DoorFailed
                        )
                });
                all_done &= done;
            }
            if all_done {
                commands.push(RunCommand::Complete);
            }
        }
    }
    for command in commands {
        // A step the run is not ready for (a pickup recorded for a run nobody took) leaves
        // the run as it is: the goods' custody is what the handover records.
        if let Ok(step) = run_rules::transition(run.status, command, actor)
            && !uow.run_step_unless_moved(run, step, command.as_str())?
        {
            break;
        }
    }
    Ok(())
}

fn cutoff_of(area: &crate::domain::area::Area, date: NaiveDate) -> Result<Cutoff, AppError> {
    Ok(Cutoff {
        at: area.cutoff.cutoff(date, area.time_zone)?,
        zone: area.time_zone,
    })
}

/// How `caller` stands to the handover's run and hub.
fn standing(
    conn: &mut DbConnection,
    caller: &Caller,
    run: Option<&RunRow>,
    hub: Option<HubId>,
    area: crate::domain::ids::AreaId,
) -> Result<Standing, AppError> {
    let me = caller.user_id;
    let run_carrier = run.is_some_and(|r| {
        matches!(
            r.carrier_kind,
            CarrierKind::Volunteer | CarrierKind::Carrier
        ) && r.carrier_id == me.cast()
            && matches!(caller.role, Role::Volunteer | Role::Carrier)
            // A run given back (or cancelled) is no longer theirs to record on.
            && matches!(
                r.status,
                RunStatus::Offered | RunStatus::Accepted | RunStatus::Started | RunStatus::Completed
            )
    });
    let post_trip_carrier = match run {
        Some(r) if r.carrier_kind == CarrierKind::PostTrip && caller.role == Role::Carrier => {
            let trip: PostTripId = r.carrier_id.cast();
            db::carriers::is_trip_carrier(conn, trip, me)?
        }
        _ => false,
    };
    let hub_keeper = match hub {
        Some(hub) if caller.role == Role::HubKeeper => {
            db::areas::keepers_of(conn, hub)?.contains(&me)
        }
        _ => false,
    };
    Ok(Standing {
        post_trip_carrier,
        hub_keeper,
        run_carrier,
        area_staff: caller.role.is_staff() && caller.works_in(area),
    })
}

/// The post trip's load for `hub` in the run's plan.
fn load_of(
    conn: &mut DbConnection,
    run: &RunRow,
    hub: Option<HubId>,
) -> Result<PostLoadView, AppError> {
    let plan = db::plans::find(conn, run.plan_id)?.ok_or(AppError::NotFound)?;
    let loads: Vec<PostLoadView> =
        serde_json::from_str(&plan.post_loads).map_err(|e| AppError::internal(e.to_string()))?;
    loads
        .into_iter()
        .find(|l| l.post_trip_id == run.carrier_id.cast() && Some(l.hub_id) == hub)
        .ok_or_else(|| AppError::invalid("hub_id", Message::new("invalid-not-on-post-trip")))
}

/// Whether the van (or a keeper) took the request to `hub`.
fn taken_to(
    conn: &mut DbConnection,
    request: RequestId,
    hub: Option<HubId>,
) -> Result<bool, AppError> {
    Ok(db::handovers::custody_of(conn, request)?.iter().any(|h| {
        matches!(h.kind, HandoverKind::VanLoaded | HandoverKind::HubReceived) && h.hub_id == hub
    }))
}

/// What the keeper should count: the crates the van was recorded loaded with for these
/// requests, else what the plan loaded for them.
fn expected_crates(
    conn: &mut DbConnection,
    rows: &[RequestRow],
    hub: Option<HubId>,
) -> Result<Crates, AppError> {
    let mut loaded: Vec<HandoverRow> = Vec::new();
    for row in rows {
        for handover in db::handovers::custody_of(conn, row.id)? {
            if handover.kind == HandoverKind::VanLoaded
                && handover.hub_id == hub
                && !loaded.iter().any(|l| l.id == handover.id)
            {
                loaded.push(handover);
            }
        }
    }
    let mut sum = Crates::default();
    for handover in loaded {
        let crates: Crates = handover
            .crates
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| AppError::internal(e.to_string()))?
            .unwrap_or_default();
        sum.ambient += crates.ambient;
        sum.chilled += crates.chilled;
        sum.frozen += crates.frozen;
    }
    Ok(sum)
}

fn carrier_public_name(
    conn: &mut DbConnection,
    row: &HandoverRow,
) -> Result<Option<String>, AppError> {
    let Some(run) = row.run_id else {
        return Ok(None);
    };
    Ok(db::plans::find_run(conn, run)?.map(|r| r.carrier_public_name))
}

pub fn view(conn: &mut DbConnection, row: HandoverRow) -> Result<HandoverView, AppError> {
    let parse = |raw: Option<&str>| -> Result<Option<Crates>, AppError> {
        raw.map(serde_json::from_str)
            .transpose()
            .map_err(|e| AppError::internal(e.to_string()))
    };
    let crates = parse(row.crates.as_deref())?;
    let expected = parse(row.expected_crates.as_deref())?;
    let image = match row.proof_method {
        Some(ProofMethod::Signature | ProofMethod::Photo) => {
            db::handovers::has_image(conn, row.id)?
        }
        _ => false,
    };
    Ok(HandoverView {
        id: row.id,
        kind: row.kind,
        occurred_at: wire_naive(row.occurred_at),
        received_at: wire_naive(row.received_at),
        recorded_by: row.recorded_by,
        run_id: row.run_id,
        hub_id: row.hub_id,
        request_ids: db::handovers::requests_of(conn, row.id)?,
        discrepancy: expected.filter(|e| Some(*e) != crates),
        crates,
        recipient: row.recipient_kind.map(|kind| RecipientView {
            kind,
            proxy_id: row.recipient_proxy_id.clone(),
            name: row.recipient_name.clone(),
        }),
        proof: row.proof_method.map(|method| ProofView {
            method,
            flagged: method == ProofMethod::Attested,
            image,
        }),
        reason: row.reason,
        note: row.note,
        location: row
            .lat
            .zip(row.lon)
            .map(|(lat, lon)| LocationView { lat, lon }),
    })
}
