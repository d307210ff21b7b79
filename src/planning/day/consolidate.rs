//! Step 2 of the day: hub loads onto post trips within their spare capacity and the hubs'
//! storage, per temperature class.

use super::*;

/// What step 2 hands to step 3.
pub(super) struct LineHaul {
    /// Requests accepted at each hub, in input order.
    pub(super) accepted: Vec<Vec<usize>>,
    /// When each hub's last load for home delivery is on the shelf.
    pub(super) ready: Vec<Seconds>,
}

pub(super) fn fits(left: &PerClass, need: &PerClass) -> bool {
    left.iter().zip(need).all(|(l, n)| l >= n)
}

pub(super) fn take(left: &mut PerClass, need: &PerClass) {
    for (l, n) in left.iter_mut().zip(need) {
        *l -= n;
    }
}

/// Step 2: hub loads onto post trips within their spare capacity and the hubs' storage. Hubs
/// take turns, one request each, so a hub early in the list cannot starve the others.
pub(super) fn consolidate(
    day: &Day,
    hub_of: &[Option<usize>],
    travel: &dyn TravelTimes,
    fallback: &GreatCircle,
    failures: &mut Vec<String>,
    plan: &mut DayPlan,
) -> LineHaul {
    let hubs = day.hubs.len();
    let mut queues: Vec<VecDeque<usize>> = vec![VecDeque::new(); hubs];
    for (request, hub) in hub_of.iter().enumerate() {
        if let Some(h) = hub {
            queues[*h].push_back(request);
        }
    }
    let hub_index: HashMap<HubId, usize> = day
        .hubs
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    // Trips calling at each hub, earliest departure first.
    let mut trips_of: Vec<Vec<usize>> = vec![Vec::new(); hubs];
    let mut by_departure: Vec<usize> = (0..day.post_trips.len()).collect();
    by_departure.sort_by_key(|&t| (day.post_trips[t].departure, t));
    for &t in &by_departure {
        for hub in &day.post_trips[t].hubs {
            if let Some(&h) = hub_index.get(hub)
                && !trips_of[h].contains(&t)
            {
                trips_of[h].push(t);
            }
        }
    }
    let mut storage: Vec<PerClass> = day.hubs.iter().map(|h| h.storage).collect();
    let mut spare: Vec<PerClass> = day.post_trips.iter().map(|t| t.spare).collect();
    let mut loads: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    let mut accepted = vec![Vec::new(); hubs];
    while queues.iter().any(|q| !q.is_empty()) {
        for h in 0..hubs {
            let Some(r) = queues[h].pop_front() else {
                continue;
            };
            let request = &day.requests[r];
            if !fits(&storage[h], &request.slots) {
                plan.unassigned.push((request.id, Reason::HubStorageFull));
                continue;
            }
            let Some(&t) = trips_of[h]
                .iter()
                .find(|&&t| fits(&spare[t], &request.slots))
            else {
                plan.unassigned
                    .push((request.id, Reason::NoLinehaulCapacity));
                continue;
            };
            take(&mut storage[h], &request.slots);
            take(&mut spare[t], &request.slots);
            loads.entry((t, h)).or_default().push(r);
            accepted[h].push(r);
        }
    }
    for list in &mut accepted {
        list.sort_unstable();
    }

    // Each loaded trip: origin, its hubs in its own order, back to the origin.
    let mut arrival_at: HashMap<(usize, usize), (usize, usize, Seconds)> = HashMap::new();
    for (t, trip) in day.post_trips.iter().enumerate() {
        let calls: Vec<usize> = trip
            .hubs
            .iter()
            .filter_map(|id| hub_index.get(id).copied())
            .filter(|&h| loads.contains_key(&(t, h)))
            .fold(Vec::new(), |mut seen, h| {
                if !seen.contains(&h) {
                    seen.push(h);
                }
                seen
            });
        if calls.is_empty() {
            continue;
        }
        let mut points = vec![trip.origin];
        points.extend(calls.iter().map(|&h| day.hubs[h].location));
        let legs = legs_or_fallback(travel, fallback, &points, failures);
        let run_index = plan.runs.len();
        let mut stops = vec![Stop {
            kind: StopKind::Start,
            request: None,
            hub: None,
            location: trip.origin,
            arrival: trip.departure,
        }];
        let (mut time, mut metres, mut here) = (trip.departure, 0, 0);
        for (k, &h) in calls.iter().enumerate() {
            time += Mode::PostVan.travel(legs.durations.get(here, k + 1));
            metres += legs.distances.get(here, k + 1);
            here = k + 1;
            stops.push(Stop {
                kind: StopKind::Hub,
                request: None,
                hub: Some(day.hubs[h].id),
                location: day.hubs[h].location,
                arrival: time,
            });
            arrival_at.insert((t, h), (run_index, stops.len() - 1, time));
            time += UNLOADING_SECONDS;
        }
        time += Mode::PostVan.travel(legs.durations.get(here, 0));
        metres += legs.distances.get(here, 0);
        stops.push(Stop {
            kind: StopKind::End,
            request: None,
            hub: None,
            location: trip.origin,
            arrival: time,
        });
        plan.runs.push(Run {
            carrier: RunCarrier {
                kind: CarrierKind::PostTrip,
                id: trip.id.cast(),
                name: trip.name.clone(),
                public_name: trip.name.clone(),
            },
            hub: None,
            stops,
            distance_m: metres,
            duration_s: time - trip.departure,
        });
    }

    let mut ready: Vec<Seconds> = day.hubs.iter().map(|h| h.opens).collect();
    for ((t, h), requests) in &loads {
        let Some(&(run, stop, arrival)) = arrival_at.get(&(*t, *h)) else {
            continue;
        };
        let hub = &day.hubs[*h];
        let on_shelf = (arrival + UNLOADING_SECONDS).max(hub.opens);
        let mut slots = [0; 3];
        for &r in requests {
            let request = &day.requests[r];
            for (s, n) in slots.iter_mut().zip(&request.slots) {
                *s += n;
            }
            match request.fulfilment {
                Fulfilment::HubPickup => plan.placements.push(Placement {
                    request: request.id,
                    hub: hub.id,
                    run,
                    stop,
                    window: TimeWindow {
                        start: on_shelf,
                        end: hub.closes.max(on_shelf),
                    },
                }),
                Fulfilment::HomeDelivery if !request.fixed => {
                    ready[*h] = ready[*h].max(on_shelf);
                }
                Fulfilment::HomeDelivery => {}
            }
        }
        plan.post_loads.push(PostLoad {
            trip: day.post_trips[*t].id,
            hub: hub.id,
            arrival,
            slots,
            requests: requests.iter().map(|&r| day.requests[r].id).collect(),
        });
    }
    LineHaul { accepted, ready }
}
