//! Plans and runs as their readers see them (the wire shapes), built from the rows.

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Slots {
    pub ambient: i64,
    pub chilled: i64,
    pub frozen: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PostLoadView {
    pub post_trip_id: PostTripId,
    pub hub_id: HubId,
    pub arrival: String,
    pub slots: Slots,
    pub request_ids: Vec<RequestId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnassignedView {
    pub request_id: RequestId,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CarrierView {
    pub kind: CarrierKind,
    pub id: CarrierId,
    pub name: String,
}

/// One line of a stop's request, as the carrier hands it over.
#[derive(Debug, Clone, Serialize)]
pub struct DoorItem {
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    pub temperature: crate::domain::request::Temperature,
}

/// What the run's carrier sees of a door.
#[derive(Default)]
struct Door {
    resident_name: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    door_notes: Option<String>,
    items: Option<Vec<DoorItem>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StopView {
    pub seq: i32,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_id: Option<HubId>,
    pub arrival: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Only for the carrier of the run, and only for deliveries, from the evening before
    /// until the run is completed (`domain::run::door_details_visible`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resident_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What the family asked the carrier to know at the door.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub door_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<DoorItem>>,
    /// On a post trip's hub stop: the crates per temperature class to hand over there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crates: Option<Slots>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: RunId,
    pub plan_id: PlanId,
    pub area_id: AreaId,
    pub delivery_date: String,
    pub carrier: CarrierView,
    pub hub_id: Option<HubId>,
    pub status: RunStatus,
    /// When the run sets off (RFC 3339, UTC).
    pub starts_at: String,
    pub stops: Vec<StopView>,
    pub distance_km: f64,
    pub duration_min: f64,
    /// Why its carrier declined it (shown until it is offered to someone else).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub id: PlanId,
    pub area_id: AreaId,
    pub delivery_date: String,
    pub status: PlanStatus,
    pub version: i32,
    pub runs: Vec<RunView>,
    pub post_loads: Vec<PostLoadView>,
    pub unassigned: Vec<UnassignedView>,
    pub impact: Impact,
    pub warnings: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The plan as its reader sees it (stop locations for staff; never addresses here).
pub(super) fn plan_view(conn: &mut DbConnection, plan: &PlanRow) -> Result<PlanView, AppError> {
    let runs = db::plans::runs_of(conn, plan.id)?;
    let runs = run_views(conn, runs)?;
    Ok(PlanView {
        id: plan.id,
        area_id: plan.area_id,
        delivery_date: plan.delivery_date.clone(),
        status: plan.status,
        version: plan.version,
        runs,
        post_loads: from_json(&plan.post_loads)?,
        unassigned: from_json(&plan.unassigned)?,
        impact: from_json(&plan.impact)?,
        warnings: from_json(&plan.warnings)?,
        created_at: timestamp(plan.created_at),
        updated_at: timestamp(plan.updated_at),
    })
}

/// A run with its stops and where each stop is; `with_contacts` (for the run's own carrier
/// only, and audited by the caller) adds the address and phone of each door.
pub fn run_view(
    conn: &mut DbConnection,
    run: RunRow,
    with_contacts: bool,
) -> Result<RunView, AppError> {
    let stops = db::plans::stops_of(conn, run.id)?;
    assemble_run(conn, run, stops, with_contacts)
}

/// Several runs without contacts, their stops read together.
pub fn run_views(conn: &mut DbConnection, runs: Vec<RunRow>) -> Result<Vec<RunView>, AppError> {
    let ids: Vec<RunId> = runs.iter().map(|r| r.id).collect();
    let mut stops = db::plans::stops_of_runs(conn, &ids)?;
    runs.into_iter()
        .map(|run| {
            let own = stops.remove(&run.id).unwrap_or_default();
            assemble_run(conn, run, own, false)
        })
        .collect()
}

pub(super) fn assemble_run(
    conn: &mut DbConnection,
    run: RunRow,
    stops: Vec<StopRow>,
    own: bool,
) -> Result<RunView, AppError> {
    // A post trip's crates per hub, from its plan's loads: what it loads at the post office
    // and hands over at each hub.
    let loads: Vec<PostLoadView> = if run.carrier_kind == CarrierKind::PostTrip {
        match db::plans::find(conn, run.plan_id)? {
            Some(plan) => serde_json::from_str::<Vec<PostLoadView>>(&plan.post_loads)
                .map_err(|e| AppError::internal(e.to_string()))?
                .into_iter()
                .filter(|l| l.post_trip_id == run.carrier_id.cast())
                .collect(),
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let stops = stops
        .into_iter()
        .map(|s| {
            let request_id = s.request_id;
            let starts = s.kind == StopKind::Start.as_str();
            let door = match (own, s.kind == StopKind::Delivery.as_str(), request_id) {
                (true, true, Some(id)) => {
                    let request = db::requests::find(conn, id)?.ok_or(AppError::NotFound)?;
                    let resident = db::residents::find(conn, request.resident_id)?
                        .ok_or(AppError::NotFound)?;
                    let items = db::requests::items_of(conn, &[id])?
                        .into_iter()
                        .map(|i| DoorItem {
                            name: i.name,
                            quantity: i.quantity,
                            unit: i.unit,
                            temperature: i.temperature,
                        })
                        .collect();
                    Door {
                        resident_name: Some(resident.name),
                        address: Some(resident.address),
                        phone: Some(resident.phone),
                        door_notes: request.notes,
                        items: Some(items),
                    }
                }
                _ => Door::default(),
            };
            Ok(StopView {
                seq: s.seq,
                kind: s.kind,
                request_id,
                hub_id: s.hub_id,
                arrival: timestamp(s.arrival),
                location: Some(Location {
                    lat: s.lat,
                    lon: s.lon,
                }),
                resident_name: door.resident_name,
                address: door.address,
                phone: door.phone,
                door_notes: door.door_notes,
                items: door.items,
                // A post trip loads at its start what it hands over at its hubs.
                crates: match s.hub_id {
                    Some(hub) => loads
                        .iter()
                        .find(|l| l.hub_id == hub)
                        .map(|l| l.slots.clone()),
                    None if starts && !loads.is_empty() => Some(Slots {
                        ambient: loads.iter().map(|l| l.slots.ambient).sum(),
                        chilled: loads.iter().map(|l| l.slots.chilled).sum(),
                        frozen: loads.iter().map(|l| l.slots.frozen).sum(),
                    }),
                    None => None,
                },
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(RunView {
        id: run.id,
        plan_id: run.plan_id,
        area_id: run.area_id,
        delivery_date: run.delivery_date,
        carrier: CarrierView {
            kind: run.carrier_kind,
            id: run.carrier_id,
            name: run.carrier_name,
        },
        hub_id: run.hub_id,
        status: run.status,
        starts_at: timestamp(run.starts_at),
        stops,
        distance_km: (run.distance_m as f64 / 10.0).round() / 100.0,
        duration_min: (run.duration_s as f64 / 6.0).round() / 10.0,
        decline_reason: run.decline_reason,
    })
}
