//! A hub's shelf: what its keeper holds now, by shelf number, with each request's crates per
//! temperature class and the time it must be handed on by (the cold chain, or the hub's
//! closing), and the hub's occupancy against its storage.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use serde::Serialize;

use super::audit::Audit;
use super::caller::Caller;
use super::plans::Slots;
use super::unit_of_work::{self, UnitOfWork};
use crate::db::areas::HubRow;
use crate::db::requests::RequestRow;
use crate::db::{self, Db, DbConnection};
use crate::domain::account::Role;
use crate::domain::area::{OpeningHours, parse_date};
use crate::domain::clock::Clock;
use crate::domain::ids::{HubId, RequestId, ResidentId};
use crate::domain::request::{RequestStatus, Temperature, crates, line_litres};
use crate::domain::time::wire_naive;
use crate::domain::watch_over::ColdChain;
use crate::error::AppError;

#[derive(Debug, Clone, Serialize)]
pub struct ShelfItem {
    pub request_id: RequestId,
    pub resident_id: ResidentId,
    pub resident_name: String,
    pub shelf_number: String,
    pub crates: Slots,
    pub collect_by: String,
    /// Past `collect_by` and still here: a case is open for it.
    pub overdue: bool,
    pub status: RequestStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct Occupancy {
    pub used: Slots,
    pub storage: Slots,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShelfView {
    pub hub_id: HubId,
    pub delivery_date: String,
    pub items: Vec<ShelfItem>,
    pub occupancy: Occupancy,
}

/// The crates of one request per temperature class.
pub fn crates_of(conn: &mut DbConnection, request: RequestId) -> Result<Slots, AppError> {
    let mut litres = [0i64; 3];
    for item in db::requests::items_of(conn, &[request])? {
        let class = match item.temperature {
            Temperature::Ambient => 0,
            Temperature::Chilled => 1,
            Temperature::Frozen => 2,
        };
        litres[class] += line_litres(item.quantity, &item.unit);
    }
    Ok(Slots {
        ambient: crates(litres[0]),
        chilled: crates(litres[1]),
        frozen: crates(litres[2]),
    })
}

/// When goods received at `received` must be handed on: the coldest class's time at a hub,
/// and never after the hub closes that day (the end of the day where it names no hours).
pub fn collect_by(
    hub: &HubRow,
    zone: chrono_tz::Tz,
    cold_chain: ColdChain,
    slots: &Slots,
    received: NaiveDateTime,
) -> Result<NaiveDateTime, AppError> {
    let local = zone.from_utc_datetime(&received);
    let hours: Vec<OpeningHours> = serde_json::from_str(&hub.opening_hours)
        .map_err(|e| AppError::internal(format!("hubs row {}: {e}", hub.id)))?;
    let weekday = u8::try_from(local.weekday().num_days_from_monday()).unwrap_or(0);
    let closes = hours
        .iter()
        .filter(|h| h.weekday == weekday)
        .filter_map(|h| NaiveTime::parse_from_str(&h.close, "%H:%M").ok())
        .max()
        .unwrap_or(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default());
    let closing = zone
        .from_local_datetime(&local.date_naive().and_time(closes))
        .earliest()
        .map_or(received, |t| t.naive_utc())
        .max(received);
    let cold = if slots.frozen > 0 {
        Some(cold_chain.frozen_minutes)
    } else if slots.chilled > 0 {
        Some(cold_chain.chilled_minutes)
    } else {
        None
    };
    Ok(match cold {
        Some(minutes) => (received + Duration::minutes(i64::from(minutes))).min(closing),
        None => closing,
    })
}

/// Puts each received (or returned) request on the hub's shelf with its `collect_by`.
pub fn shelve(
    uow: &mut UnitOfWork<'_>,
    hub: HubId,
    rows: &[RequestRow],
    received: NaiveDateTime,
) -> Result<(), AppError> {
    let hub_row = db::areas::find_hub(uow.conn, hub)?.ok_or(AppError::NotFound)?;
    let area = db::areas::find(uow.conn, hub_row.area_id)?.ok_or(AppError::NotFound)?;
    let cold_chain = area.day_settings()?.cold_chain;
    let zone = area.into_area()?.time_zone;
    for row in rows {
        let slots = crates_of(uow.conn, row.id)?;
        let by = collect_by(&hub_row, zone, cold_chain, &slots, received)?;
        db::shelf::shelve(uow.conn, row.id, hub, &row.delivery_date, received, by)?;
    }
    Ok(())
}

/// Whether goods are on a hub's shelf in this status.
fn on_shelf(status: RequestStatus) -> bool {
    matches!(status, RequestStatus::AtHub | RequestStatus::ReadyForPickup)
}

/// The crates per class on the hub's shelf now.
pub fn occupancy(conn: &mut DbConnection, hub: &HubRow) -> Result<Occupancy, AppError> {
    let mut used = Slots {
        ambient: 0,
        chilled: 0,
        frozen: 0,
    };
    for entry in db::shelf::all_of_hub(conn, hub.id)? {
        let Some(request) = db::requests::find(conn, entry.request_id)? else {
            continue;
        };
        if on_shelf(request.status) {
            let slots = crates_of(conn, request.id)?;
            used.ambient += slots.ambient;
            used.chilled += slots.chilled;
            used.frozen += slots.frozen;
        }
    }
    Ok(Occupancy {
        used,
        storage: Slots {
            ambient: i64::from(hub.storage_ambient),
            chilled: i64::from(hub.storage_chilled),
            frozen: i64::from(hub.storage_frozen),
        },
    })
}

#[derive(Clone)]
pub struct Shelf {
    db: Db,
    clock: Clock,
}

impl Shelf {
    pub fn new(db: Db, clock: Clock) -> Self {
        Shelf { db, clock }
    }

    /// The hub's shelf for a date, to its keepers and the area's coordinators (the read of
    /// residents' names is audited).
    pub async fn view(
        &self,
        caller: &Caller,
        hub: HubId,
        date: &str,
    ) -> Result<ShelfView, AppError> {
        let date: NaiveDate = parse_date("delivery_date", date)?;
        let date = date.format("%Y-%m-%d").to_string();
        let caller = caller.clone();
        let audit = Audit::by(&caller, None);
        unit_of_work::write(&self.db, &self.clock, "shelf.view", audit, move |uow| {
            let hub_row = db::areas::find_hub(uow.conn, hub)?.ok_or(AppError::NotFound)?;
            let keeper = caller.role == Role::HubKeeper
                && db::areas::keepers_of(uow.conn, hub)?.contains(&caller.user_id);
            let staff = caller.role.is_staff() && caller.works_in(hub_row.area_id);
            if !keeper && !staff {
                return Err(AppError::NotFound);
            }
            let now = uow.now();
            let mut items = Vec::new();
            for entry in db::shelf::of_hub(uow.conn, hub, &date)? {
                let Some(request) = db::requests::find(uow.conn, entry.request_id)? else {
                    continue;
                };
                if !on_shelf(request.status) {
                    continue;
                }
                let resident = db::residents::find(uow.conn, request.resident_id)?
                    .ok_or(AppError::NotFound)?;
                items.push(ShelfItem {
                    request_id: request.id,
                    resident_id: resident.id,
                    resident_name: resident.name,
                    shelf_number: format!("{:02}", entry.shelf_number),
                    crates: crates_of(uow.conn, request.id)?,
                    collect_by: wire_naive(entry.collect_by),
                    overdue: entry.collect_by <= now,
                    status: request.status,
                });
            }
            if !items.is_empty() {
                uow.in_area(hub_row.area_id);
                uow.audit("read_shelf", "hub", hub)?;
            }
            Ok(ShelfView {
                hub_id: hub,
                delivery_date: date,
                items,
                occupancy: occupancy(uow.conn, &hub_row)?,
            })
        })
        .await
    }
}
