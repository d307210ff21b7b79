//! Reading a delivery day for the planner: the area, hubs, neighbourhoods, post trips,
//! carriers and requests, and what of the date is fixed already (runs carriers took).

use super::*;

/// What the planner is fed, read in one go.
pub(super) struct Snapshot {
    pub(super) area: Area,
    pub(super) day: Day,
    pub(super) existing: Option<PlanRow>,
    /// Runs their carriers had taken when the day was read.
    pub(super) accepted_runs: Vec<RunId>,
    /// Requests on accepted runs: they keep their place.
    pub(super) fixed: HashSet<RequestId>,
}

pub(super) fn mode_of(vehicle: Vehicle) -> Mode {
    match vehicle {
        Vehicle::Walk => Mode::Walk,
        Vehicle::Bicycle => Mode::Bicycle,
        Vehicle::Car => Mode::Car,
        Vehicle::KeiTruck => Mode::KeiTruck,
    }
}

/// Reads everything the planner needs about `date` of `area`.
pub(super) fn read_day(
    conn: &mut DbConnection,
    area_id: AreaId,
    date: NaiveDate,
    date_text: &str,
) -> Result<Snapshot, AppError> {
    let area = db::areas::find(conn, area_id)?
        .ok_or(AppError::NotFound)?
        .into_area()?;
    let weekday = date.weekday().num_days_from_monday();
    let hubs = db::areas::hubs_of(conn, area_id)?
        .into_iter()
        .map(|h| {
            let hours: Vec<OpeningHours> = from_json(&h.opening_hours)?;
            let today = hours.iter().find(|o| u32::from(o.weekday) == weekday);
            let (opens, closes) = match today {
                Some(o) => (
                    seconds_of_hhmm("open", &o.open)?,
                    seconds_of_hhmm("close", &o.close)?,
                ),
                // No hours that day: a keeper on call, any time.
                None => (0, 24 * 3600),
            };
            Ok(day::Hub {
                id: h.id,
                location: Location {
                    lat: h.lat,
                    lon: h.lon,
                },
                storage: [
                    i64::from(h.storage_ambient),
                    i64::from(h.storage_chilled),
                    i64::from(h.storage_frozen),
                ],
                opens,
                closes,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let neighbourhoods = db::neighbourhoods::of_area(conn, area_id)?
        .into_iter()
        .map(|n| {
            let boundary = parse_boundary(&from_json(&n.boundary)?)?;
            Ok(day::Neighbourhood {
                id: n.id,
                boundary,
                hub: n.default_hub_id,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let post_trips = db::carriers::trips_of(conn, area_id)?
        .into_iter()
        .filter_map(|t| {
            let weekdays: Vec<u32> = match from_json(&t.weekdays) {
                Ok(w) => w,
                Err(e) => return Some(Err(e)),
            };
            weekdays.contains(&weekday).then_some(t).map(Ok)
        })
        .map(|t| {
            let t = t?;
            let hubs: Vec<HubId> = from_json(&t.hub_ids)?;
            Ok(day::PostTrip {
                id: t.id,
                name: t.name,
                origin: Location {
                    lat: t.origin_lat,
                    lon: t.origin_lon,
                },
                departure: seconds_of_hhmm("departure", &t.departure)?,
                hubs,
                spare: [
                    i64::from(t.spare_ambient),
                    i64::from(t.spare_chilled),
                    i64::from(t.spare_frozen),
                ],
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let existing = db::plans::find_for_date(conn, area_id, date_text)?;
    let mut accepted_runs = Vec::new();
    let mut busy_carriers = HashSet::new();
    let mut fixed = HashSet::new();
    if let Some(plan) = &existing {
        for run in db::plans::runs_of(conn, plan.id)? {
            if run.status.taken() {
                busy_carriers.insert(run.carrier_id);
                for request in db::plans::requests_on_run(conn, run.id)? {
                    fixed.insert(request);
                }
                accepted_runs.push(run.id);
            }
        }
    }
    accepted_runs.sort();

    let carriers = db::plans::carriers_of(conn, area_id)?
        .into_iter()
        .filter(|(profile, _, _)| !busy_carriers.contains(&profile.user_id.cast()))
        .filter_map(|(profile, name, role)| {
            let windows: Vec<Availability> = match from_json(&profile.availability) {
                Ok(w) => w,
                Err(e) => return Some(Err(e)),
            };
            // The longest window of the day is the one offered.
            let window = windows
                .iter()
                .filter(|w| u32::from(w.weekday) == weekday)
                .filter_map(|w| {
                    let start = seconds_of_hhmm("start", &w.start).ok()?;
                    let end = seconds_of_hhmm("end", &w.end).ok()?;
                    (end > start).then_some(TimeWindow { start, end })
                })
                .max_by_key(|w| (w.end - w.start, -w.start))?;
            Some(Ok((profile, name, role, window)))
        })
        .map(|entry| {
            let (profile, name, role, available) = entry?;
            let role: Role = role.parse()?;
            Ok(day::Carrier {
                id: profile.user_id.cast(),
                kind: if role == Role::Carrier {
                    CarrierKind::Carrier
                } else {
                    CarrierKind::Volunteer
                },
                name,
                public_name: profile.public_name,
                home: Location {
                    lat: profile.home_lat,
                    lon: profile.home_lon,
                },
                mode: mode_of(profile.vehicle),
                capacity_litres: i64::from(profile.capacity_litres),
                cold_box: profile.cold_box,
                available,
                max_distance_m: (profile.max_distance_km * 1000.0).round() as i64,
                max_stops: None,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let mut litres: HashMap<RequestId, [i64; 3]> = HashMap::new();
    for item in db::plans::items_of_date(conn, area_id, date_text)? {
        let class = match item.temperature {
            Temperature::Ambient => 0,
            Temperature::Chilled => 1,
            Temperature::Frozen => 2,
        };
        litres.entry(item.request_id).or_default()[class] +=
            request_rules::line_litres(item.quantity, &item.unit);
    }
    let requests = db::plans::requests_to_plan(
        conn,
        area_id,
        date_text,
        &[
            RequestStatus::Submitted,
            RequestStatus::Locked,
            RequestStatus::Planned,
        ],
    )?
    .into_iter()
    .map(|(row, lat, lon)| {
        let id = row.id;
        let per_class = litres.get(&row.id).copied().unwrap_or_default();
        Ok(day::Request {
            id,
            household: row.resident_id,
            location: lat.zip(lon).map(|(lat, lon)| Location { lat, lon }),
            fulfilment: row.fulfilment,
            slots: per_class.map(request_rules::crates),
            litres: per_class.iter().sum(),
            cold: per_class[1] + per_class[2] > 0,
            fixed: fixed.contains(&id),
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;

    let day = Day {
        hubs,
        neighbourhoods,
        requests,
        carriers,
        post_trips,
        circuity: area.circuity_factor,
        supermarket: area.depot,
        co2_kg_per_km: area.co2_kg_per_km,
        hub_reach_m: HUB_REACH_M,
    };
    Ok(Snapshot {
        area,
        day,
        existing,
        accepted_runs,
        fixed,
    })
}
