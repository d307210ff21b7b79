//! Requests as the API reads and writes them (the wire shapes), and the views built from the
//! rows.

use super::*;
use crate::domain::text::{Line, Note};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub name: Line,
    pub quantity: f64,
    pub unit: Line,
    pub temperature: Line,
    pub substitution: Line,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub resident_id: ResidentId,
    pub delivery_date: Line,
    pub fulfilment: Line,
    pub notes: Option<Note>,
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestChanges {
    pub delivery_date: Option<Line>,
    pub fulfilment: Option<Line>,
    pub notes: Option<Note>,
    pub items: Option<Vec<ItemInput>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemView {
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    pub temperature: Temperature,
    pub substitution: Substitution,
    pub outcome: ItemOutcome,
    pub price_yen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestView {
    pub id: RequestId,
    pub area_id: AreaId,
    pub resident_id: ResidentId,
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
    /// Once handed over at the door: when, and to whom (the kind of recipient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// Once collected at the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_kind: Option<crate::domain::handover::RecipientKind>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedView {
    pub hub_id: HubId,
    /// The window the family is told (RFC 3339, UTC): around the door for a home delivery,
    /// the hub's shelf hours for a pickup.
    pub window_start: String,
    pub window_end: String,
    /// The name the volunteer or carrier chose to show families; none for a pickup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_public_name: Option<String>,
    /// The six digits the family says to whoever hands the goods over (and a coordinator
    /// can read out on the phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover_code: Option<String>,
}

impl RequestView {
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

pub(super) fn timestamp(t: NaiveDateTime) -> String {
    wire_time(t.and_utc())
}

pub(super) fn view(
    conn: &mut DbConnection,
    row: &RequestRow,
    area: &Area,
) -> Result<RequestView, AppError> {
    let items = db::requests::items_of(conn, std::slice::from_ref(&row.id))?;
    let mut view = view_with(row, items, area)?;
    view.planned = planned(conn, std::slice::from_ref(row))?.remove(&row.id);
    handed_over(conn, &mut view)?;
    Ok(view)
}

/// A delivered or collected request's handover: when, and the kind of recipient.
pub(super) fn handed_over(conn: &mut DbConnection, view: &mut RequestView) -> Result<(), AppError> {
    use crate::domain::handover::HandoverKind;
    if !matches!(
        view.status,
        RequestStatus::Delivered | RequestStatus::Collected
    ) {
        return Ok(());
    }
    for handover in db::handovers::custody_of(conn, view.id)?.into_iter().rev() {
        let at = wire_time(handover.occurred_at.and_utc());
        match handover.kind {
            HandoverKind::DoorDelivered => view.delivered_at = Some(at),
            HandoverKind::HubCollected => view.collected_at = Some(at),
            _ => continue,
        }
        view.recipient_kind = handover.recipient_kind;
        break;
    }
    Ok(())
}

/// Where and when each planned request of `rows` will be delivered, by request id (two
/// queries whatever the number of rows).
pub(super) fn planned(
    conn: &mut DbConnection,
    rows: &[RequestRow],
) -> Result<HashMap<RequestId, PlannedView>, AppError> {
    let ids: Vec<RequestId> = rows
        .iter()
        .filter(|r| r.status.is_on_its_way())
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let codes = db::handovers::codes_of(conn, &ids)?;
    let placements = db::plans::placements_of(conn, &ids)?;
    let run_ids: Vec<RunId> = placements.iter().map(|p| p.run_id).collect();
    let runs: HashMap<RunId, db::plans::RunRow> = db::plans::runs_by_id(conn, &run_ids)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let as_time = |t: NaiveDateTime| wire_time(t.and_utc());
    placements
        .into_iter()
        .map(|placement| {
            let view = PlannedView {
                hub_id: placement.hub_id,
                window_start: as_time(placement.window_start),
                window_end: as_time(placement.window_end),
                carrier_public_name: runs
                    .get(&placement.run_id)
                    .filter(|r| r.carrier_kind != CarrierKind::PostTrip)
                    .map(|r| r.carrier_public_name.clone())
                    .filter(|name| !name.is_empty()),
                handover_code: codes.get(&placement.request_id).cloned(),
            };
            Ok((placement.request_id, view))
        })
        .collect()
}

pub(super) fn view_with(
    row: &RequestRow,
    items: Vec<ItemRow>,
    area: &Area,
) -> Result<RequestView, AppError> {
    let corrupt =
        |what: &str| AppError::internal(format!("grocery_requests row {}: bad {what}", row.id));
    let date = parse_date("delivery_date", &row.delivery_date).map_err(|_| corrupt("date"))?;
    Ok(RequestView {
        id: row.id,
        area_id: area.id,
        resident_id: row.resident_id,
        delivery_date: row.delivery_date.clone(),
        fulfilment: row.fulfilment,
        notes: row.notes.clone(),
        status: row.status,
        version: row.version,
        cutoff: wire_time(area.cutoff.cutoff(date, area.time_zone)?),
        items: items
            .into_iter()
            .map(|i| {
                Ok(ItemView {
                    temperature: i.temperature,
                    substitution: i.substitution,
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
        delivered_at: None,
        collected_at: None,
        recipient_kind: None,
    })
}
