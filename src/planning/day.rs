//! A delivery day, planned: locate each request (neighbourhood → hub), consolidate the hub
//! loads onto post trips, route the last mile from each hub with the solver, and count what
//! it saves. Pure: the caller gathers the day and a travel-matrix provider; nothing here does
//! I/O except through that provider.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use geo::MultiPolygon;
use uuid::Uuid;

use super::problem::{Job, Metres, Problem, Route, Seconds, TimeWindow, Vehicle};
use super::solver::{self, Settings};
use super::travel::{GreatCircle, Legs, Mode, TravelTimes, great_circle_m};
use crate::domain::area::Location;
use crate::domain::geo::NeighbourhoodIndex;
use crate::domain::request::Fulfilment;

/// Amounts per temperature class: ambient, chilled, frozen.
pub type PerClass = [i64; 3];

/// The skill a cold box gives; chilled and frozen goods need it.
pub const COLD_SKILL: u64 = 1;
/// Handing a bag over at the door.
pub const HANDOVER_SECONDS: Seconds = 180;
/// A post van unloading at a hub.
pub const UNLOADING_SECONDS: Seconds = 600;
/// A volunteer loading their run at the hub.
pub const LOADING_SECONDS: Seconds = 300;
/// The window a family is told around the planned arrival (either side).
pub const WINDOW_HALF_SECONDS: Seconds = 1800;

#[derive(Debug, Clone)]
pub struct Hub {
    pub id: Uuid,
    pub location: Location,
    /// Storage slots per class.
    pub storage: PerClass,
    /// Seconds after local midnight of the delivery date.
    pub opens: Seconds,
    pub closes: Seconds,
}

#[derive(Debug, Clone)]
pub struct Neighbourhood {
    pub id: Uuid,
    pub boundary: MultiPolygon<f64>,
    pub hub: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub id: Uuid,
    /// The resident: one household however many requests it has that day.
    pub household: Uuid,
    pub location: Option<Location>,
    pub fulfilment: Fulfilment,
    /// Storage slots (crates) per class, for hubs and post vans.
    pub slots: PerClass,
    /// Volume for a carrier's bags and boxes.
    pub litres: i64,
    /// Holds chilled or frozen goods: only a carrier with a cold box may take it.
    pub cold: bool,
    /// Already on a run its carrier accepted: it needs line haul, not a new run.
    pub fixed: bool,
}

pub use crate::domain::run::CarrierKind;

#[derive(Debug, Clone)]
pub struct Carrier {
    pub id: Uuid,
    pub kind: CarrierKind,
    pub name: String,
    /// What families are told to call them (the volunteer chose it).
    pub public_name: String,
    pub home: Location,
    pub mode: Mode,
    pub capacity_litres: i64,
    pub cold_box: bool,
    /// When they are free on the delivery date (seconds after local midnight).
    pub available: TimeWindow,
    /// The longest whole run, home to home.
    pub max_distance_m: Metres,
    pub max_stops: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct PostTrip {
    pub id: Uuid,
    pub name: String,
    pub origin: Location,
    pub departure: Seconds,
    /// The hubs it calls at, in its order.
    pub hubs: Vec<Uuid>,
    /// Spare slots per class.
    pub spare: PerClass,
}

/// Everything the planner needs about one area's delivery date.
#[derive(Debug, Clone)]
pub struct Day {
    pub hubs: Vec<Hub>,
    pub neighbourhoods: Vec<Neighbourhood>,
    pub requests: Vec<Request>,
    pub carriers: Vec<Carrier>,
    pub post_trips: Vec<PostTrip>,
    pub circuity: f64,
    /// Where households would otherwise drive to shop.
    pub supermarket: Option<Location>,
    pub co2_kg_per_km: f64,
    /// A point outside every neighbourhood goes to the nearest hub within this distance.
    pub hub_reach_m: f64,
}

#[derive(Debug, Clone)]
pub struct PlanSettings {
    pub seed: u64,
    pub time_limit: Duration,
    /// Hubs solved side by side.
    pub threads: usize,
    /// Search rounds per job and hub: what makes a plan repeatable for a seed.
    pub iterations_per_job: u64,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            seed: 1,
            time_limit: Duration::from_secs(20),
            threads: 2,
            iterations_per_job: 300,
        }
    }
}

/// Why a request could not be placed, in words a coordinator can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    OutOfArea,
    NoLinehaulCapacity,
    HubStorageFull,
    NoCarrierInReach,
    TimeWindow,
    ColdChain,
    Capacity,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OutOfArea => "out_of_area",
            Reason::NoLinehaulCapacity => "no_linehaul_capacity",
            Reason::HubStorageFull => "hub_storage_full",
            Reason::NoCarrierInReach => "no_carrier_in_reach",
            Reason::TimeWindow => "time_window",
            Reason::ColdChain => "cold_chain",
            Reason::Capacity => "capacity",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopKind {
    Start,
    Hub,
    Delivery,
    End,
}

impl StopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StopKind::Start => "start",
            StopKind::Hub => "hub",
            StopKind::Delivery => "delivery",
            StopKind::End => "end",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    pub kind: StopKind,
    pub request: Option<Uuid>,
    pub hub: Option<Uuid>,
    pub location: Location,
    pub arrival: Seconds,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCarrier {
    pub kind: CarrierKind,
    /// A user id, or a post trip's id.
    pub id: Uuid,
    pub name: String,
    pub public_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub carrier: RunCarrier,
    /// The hub a last-mile run loads at; None for a post trip.
    pub hub: Option<Uuid>,
    pub stops: Vec<Stop>,
    pub distance_m: Metres,
    pub duration_s: Seconds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostLoad {
    pub trip: Uuid,
    pub hub: Uuid,
    pub arrival: Seconds,
    pub slots: PerClass,
    pub requests: Vec<Uuid>,
}

/// Where a planned request ends up, and the window its family is told.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub request: Uuid,
    pub hub: Uuid,
    /// Index into `DayPlan::runs` and the stop's index in it: the last-mile run for a home
    /// delivery, the post trip's hub stop for a pickup at the hub.
    pub run: usize,
    pub stop: usize,
    pub window: TimeWindow,
}

/// What the plan achieves; see the README ("Impact") for the formulas.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Impact {
    pub households_reached: usize,
    pub household_km: f64,
    pub plan_km: f64,
    pub km_saved: f64,
    pub co2_avoided_kg: f64,
    pub trips_consolidated: i64,
    pub volunteer_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DayPlan {
    pub post_loads: Vec<PostLoad>,
    /// Post trips first, then last-mile runs hub by hub.
    pub runs: Vec<Run>,
    pub placements: Vec<Placement>,
    pub unassigned: Vec<(Uuid, Reason)>,
    pub impact: Impact,
    pub warnings: Vec<String>,
}

/// Plans the day. Deterministic for `settings.seed` unless the time limit cuts a search short.
pub fn plan(day: &Day, travel: &dyn TravelTimes, settings: &PlanSettings) -> DayPlan {
    let started = Instant::now();
    let fallback = GreatCircle {
        circuity: day.circuity,
    };
    let mut legs_failures = Vec::new();
    let mut plan = DayPlan::default();

    let hub_of = locate(day, &mut plan.unassigned);
    let line_haul = consolidate(
        day,
        &hub_of,
        travel,
        &fallback,
        &mut legs_failures,
        &mut plan,
    );

    let deadline = settings.time_limit.saturating_sub(started.elapsed());
    let outcomes = last_mile(
        day, &line_haul, travel, &fallback, settings, deadline, &mut plan,
    );
    for outcome in outcomes {
        legs_failures.extend(outcome.failure);
        let first = plan.runs.len();
        for (r, stop, request) in outcome.placed {
            let window = TimeWindow {
                start: (outcome.runs[r].stops[stop].arrival - WINDOW_HALF_SECONDS).max(0),
                end: outcome.runs[r].stops[stop].arrival + WINDOW_HALF_SECONDS,
            };
            plan.placements.push(Placement {
                request: day.requests[request].id,
                hub: day.hubs[outcome.hub].id,
                run: first + r,
                stop,
                window,
            });
        }
        plan.runs.extend(outcome.runs);
        for (request, reason) in outcome.unassigned {
            plan.unassigned.push((day.requests[request].id, reason));
        }
    }
    if let Some(first) = legs_failures.first() {
        plan.warnings.push(format!(
            "the road router failed for {} of the plan's travel matrices ({first}); those legs use great-circle distances",
            legs_failures.len()
        ));
    }
    if day.supermarket.is_none() {
        plan.warnings.push(
            "the area has no depot to stand for the households' supermarket: household kilometres are not counted".into(),
        );
    }
    plan.unassigned.sort_by_key(|(id, _)| *id);
    plan.impact = impact(day, &plan);
    plan
}

/// Step 1: each request's hub, or `out_of_area`.
fn locate(day: &Day, unassigned: &mut Vec<(Uuid, Reason)>) -> Vec<Option<usize>> {
    let hub_index: HashMap<Uuid, usize> = day
        .hubs
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    let index = NeighbourhoodIndex::new(
        day.neighbourhoods
            .iter()
            .map(|n| (n.hub, n.boundary.clone()))
            .collect(),
    );
    day.requests
        .iter()
        .map(|request| {
            let Some(point) = request.location else {
                unassigned.push((request.id, Reason::OutOfArea));
                return None;
            };
            let hub = index
                .locate(point.lon, point.lat)
                .flatten()
                .and_then(|id| hub_index.get(&id).copied())
                .or_else(|| nearest_hub(day, point));
            if hub.is_none() {
                unassigned.push((request.id, Reason::OutOfArea));
            }
            hub
        })
        .collect()
}

fn nearest_hub(day: &Day, point: Location) -> Option<usize> {
    day.hubs
        .iter()
        .enumerate()
        .map(|(i, h)| (i, great_circle_m(point, h.location)))
        .filter(|(_, d)| *d <= day.hub_reach_m)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// What step 2 hands to step 3.
struct LineHaul {
    /// Requests accepted at each hub, in input order.
    accepted: Vec<Vec<usize>>,
    /// When each hub's last load for home delivery is on the shelf.
    ready: Vec<Seconds>,
}

fn fits(left: &PerClass, need: &PerClass) -> bool {
    left.iter().zip(need).all(|(l, n)| l >= n)
}

fn take(left: &mut PerClass, need: &PerClass) {
    for (l, n) in left.iter_mut().zip(need) {
        *l -= n;
    }
}

/// Step 2: hub loads onto post trips within their spare capacity and the hubs' storage. Hubs
/// take turns, one request each, so a hub early in the list cannot starve the others.
fn consolidate(
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
    let hub_index: HashMap<Uuid, usize> = day
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
                id: trip.id,
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

fn legs_or_fallback(
    travel: &dyn TravelTimes,
    fallback: &GreatCircle,
    points: &[Location],
    failures: &mut Vec<String>,
) -> Legs {
    match travel.legs(points) {
        Ok(legs) if legs.durations.size == points.len() && legs.distances.size == points.len() => {
            legs
        }
        Ok(_) => {
            failures.push(format!(
                "{} answered a matrix of the wrong size",
                travel.name()
            ));
            fallback.matrix(points)
        }
        Err(e) => {
            failures.push(format!("{}: {e}", travel.name()));
            fallback.matrix(points)
        }
    }
}

/// One hub's last mile, solved.
struct HubOutcome {
    hub: usize,
    /// The carriers (indices into `Day::carriers`) whose runs are in `runs`.
    used: Vec<usize>,
    runs: Vec<Run>,
    /// (run, stop, request) for every delivery.
    placed: Vec<(usize, usize, usize)>,
    unassigned: Vec<(usize, Reason)>,
    failure: Option<String>,
}

/// Whether `carrier` could ever work from `hub`: out and back within range, and free at all.
fn in_reach(day: &Day, carrier: &Carrier, hub: &Hub) -> bool {
    let there_and_back = 2.0 * great_circle_m(carrier.home, hub.location) * day.circuity;
    there_and_back < carrier.max_distance_m as f64
        && carrier.available.end > carrier.available.start
}

/// Gives each carrier one hub: the most constrained carriers first, each to the hub in reach
/// with the most volume still uncovered per kilometre from home, cold boxes where cold goods
/// wait.
fn assign_carriers(day: &Day, jobs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let hubs = day.hubs.len();
    let mut volume: Vec<i64> = jobs
        .iter()
        .map(|list| list.iter().map(|&r| day.requests[r].litres).sum())
        .collect();
    let mut cold: Vec<i64> = jobs
        .iter()
        .map(|list| {
            list.iter()
                .filter(|&&r| day.requests[r].cold)
                .map(|&r| day.requests[r].litres)
                .sum()
        })
        .collect();
    let reach: Vec<Vec<usize>> = day
        .carriers
        .iter()
        .map(|c| {
            (0..hubs)
                .filter(|&h| !jobs[h].is_empty() && in_reach(day, c, &day.hubs[h]))
                .collect()
        })
        .collect();
    let mut order: Vec<usize> = (0..day.carriers.len()).collect();
    order.sort_by_key(|&c| (reach[c].len(), c));
    let mut crews = vec![Vec::new(); hubs];
    for c in order {
        let carrier = &day.carriers[c];
        let score = |h: usize| {
            let km = great_circle_m(carrier.home, day.hubs[h].location) / 1000.0;
            let useful = if carrier.cold_box && cold[h] > 0 {
                volume[h] + cold[h]
            } else {
                volume[h]
            };
            useful as f64 / (1.0 + km)
        };
        let best = reach[c]
            .iter()
            .copied()
            .filter(|&h| volume[h] > 0)
            .max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)));
        if let Some(h) = best {
            volume[h] -= carrier.capacity_litres;
            if carrier.cold_box {
                cold[h] -= carrier.capacity_litres;
            }
            crews[h].push(c);
        }
    }
    crews
}

/// Each hub's home deliveries that need a new run.
fn home_deliveries(day: &Day, line_haul: &LineHaul) -> Vec<Vec<usize>> {
    line_haul
        .accepted
        .iter()
        .map(|list| {
            list.iter()
                .copied()
                .filter(|&r| {
                    let request = &day.requests[r];
                    request.fulfilment == Fulfilment::HomeDelivery && !request.fixed
                })
                .collect()
        })
        .collect()
}

/// The last-mile sub-problems the planner solves first (each hub with its first crew), for
/// running another solver on the same zones.
pub fn zones(day: &Day, travel: &dyn TravelTimes) -> Vec<(Uuid, Problem)> {
    let fallback = GreatCircle {
        circuity: day.circuity,
    };
    let mut scratch = DayPlan::default();
    let mut failures = Vec::new();
    let hub_of = locate(day, &mut scratch.unassigned);
    let line_haul = consolidate(day, &hub_of, travel, &fallback, &mut failures, &mut scratch);
    let jobs = home_deliveries(day, &line_haul);
    let crews = assign_carriers(day, &jobs);
    (0..day.hubs.len())
        .filter(|&h| !jobs[h].is_empty())
        .map(|h| {
            let (problem, _) = hub_problem(
                day,
                h,
                &jobs[h],
                &crews[h],
                line_haul.ready[h],
                travel,
                &fallback,
            );
            (day.hubs[h].id, problem)
        })
        .collect()
}

/// Step 3: each hub's home deliveries as a vehicle routing problem, hubs side by side.
fn last_mile(
    day: &Day,
    line_haul: &LineHaul,
    travel: &dyn TravelTimes,
    fallback: &GreatCircle,
    settings: &PlanSettings,
    budget: Duration,
    plan: &mut DayPlan,
) -> Vec<HubOutcome> {
    let jobs = home_deliveries(day, line_haul);
    let crews = assign_carriers(day, &jobs);
    let started = Instant::now();
    let work: Vec<(usize, Vec<usize>)> = (0..day.hubs.len())
        .filter(|&h| !jobs[h].is_empty())
        .map(|h| (h, crews[h].clone()))
        .collect();
    let context = HubContext {
        day,
        jobs: &jobs,
        ready: &line_haul.ready,
        travel,
        fallback,
        settings,
    };
    let mut outcomes = solve_hubs(&context, &work, budget.mul_f64(0.75));

    // Repair: carriers no run used go, nearest first, to hubs where deliveries are left.
    let used: HashSet<usize> = outcomes.iter().flat_map(|o| o.used.clone()).collect();
    let mut idle: Vec<usize> = (0..day.carriers.len())
        .filter(|c| !used.contains(c))
        .collect();
    let mut short: Vec<&HubOutcome> = outcomes
        .iter()
        .filter(|o| !o.unassigned.is_empty())
        .collect();
    short.sort_by_key(|o| (std::cmp::Reverse(o.unassigned.len()), o.hub));
    let mut retry = Vec::new();
    for outcome in short {
        let hub = &day.hubs[outcome.hub];
        let left: Vec<&Request> = outcome
            .unassigned
            .iter()
            .map(|(r, _)| &day.requests[*r])
            .collect();
        let need: i64 = left.iter().map(|r| r.litres).sum();
        let cold = left.iter().any(|r| r.cold);
        let mut candidates: Vec<usize> = idle
            .iter()
            .copied()
            .filter(|&c| in_reach(day, &day.carriers[c], hub))
            .collect();
        candidates.sort_by(|&a, &b| {
            let (ca, cb) = (&day.carriers[a], &day.carriers[b]);
            (cold && !ca.cold_box)
                .cmp(&(cold && !cb.cold_box))
                .then(
                    great_circle_m(ca.home, hub.location)
                        .total_cmp(&great_circle_m(cb.home, hub.location)),
                )
                .then(a.cmp(&b))
        });
        let mut added = Vec::new();
        let mut capacity = 0;
        for c in candidates {
            if capacity >= need {
                break;
            }
            capacity += day.carriers[c].capacity_litres;
            added.push(c);
        }
        if added.is_empty() {
            continue;
        }
        idle.retain(|c| !added.contains(c));
        let mut crew = outcome.used.clone();
        crew.extend(added);
        retry.push((outcome.hub, crew));
    }
    if !retry.is_empty() {
        let again = solve_hubs(&context, &retry, budget.saturating_sub(started.elapsed()));
        for better in again {
            if let Some(slot) = outcomes.iter_mut().find(|o| o.hub == better.hub) {
                let distance = |o: &HubOutcome| o.runs.iter().map(|r| r.distance_m).sum::<i64>();
                if (better.unassigned.len(), distance(&better))
                    < (slot.unassigned.len(), distance(slot))
                {
                    *slot = better;
                }
            }
        }
    }

    let solved: HashSet<usize> = outcomes.iter().map(|o| o.hub).collect();
    for (h, _) in &work {
        if !solved.contains(h) {
            plan.warnings.push(format!(
                "the last mile of hub {} could not be planned",
                day.hubs[*h].id
            ));
            for &r in &jobs[*h] {
                plan.unassigned.push((day.requests[r].id, Reason::Capacity));
            }
        }
    }
    outcomes
}

/// What every hub's sub-problem shares.
struct HubContext<'a> {
    day: &'a Day,
    jobs: &'a [Vec<usize>],
    ready: &'a [Seconds],
    travel: &'a dyn TravelTimes,
    fallback: &'a GreatCircle,
    settings: &'a PlanSettings,
}

/// Solves `work` (hub, crew) side by side within `budget`, each hub its share by deliveries.
fn solve_hubs(
    context: &HubContext<'_>,
    work: &[(usize, Vec<usize>)],
    budget: Duration,
) -> Vec<HubOutcome> {
    let total_jobs: usize = work
        .iter()
        .map(|(h, _)| context.jobs[*h].len())
        .sum::<usize>()
        .max(1);
    let next = AtomicUsize::new(0);
    let threads = context.settings.threads.clamp(1, work.len().max(1));
    let started = Instant::now();
    let worker = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some((h, crew)) = work.get(k) else {
                break;
            };
            let jobs = &context.jobs[*h];
            let share = budget.mul_f64(jobs.len() as f64 / total_jobs as f64 * threads as f64);
            let limit = share.min(budget.saturating_sub(started.elapsed()));
            done.push(solve_hub(
                context.day,
                *h,
                jobs,
                crew,
                context.ready[*h],
                context.travel,
                context.fallback,
                context.settings,
                limit,
            ));
        }
        done
    };
    let mut outcomes: Vec<HubOutcome> = if threads == 1 {
        worker()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    };
    outcomes.sort_by_key(|o| o.hub);
    outcomes
}

/// One hub's home deliveries as a routing problem: place 0 is the hub, then each carrier's
/// home, then the doors; a vehicle starts at the hub once both it and the goods are there and
/// ends at home. Also the road router's failure, if it failed.
fn hub_problem(
    day: &Day,
    h: usize,
    jobs: &[usize],
    crew: &[usize],
    ready: Seconds,
    travel: &dyn TravelTimes,
    fallback: &GreatCircle,
) -> (Problem, Option<String>) {
    let hub = &day.hubs[h];
    let mut points = vec![hub.location];
    points.extend(crew.iter().map(|&c| day.carriers[c].home));
    points.extend(
        jobs.iter()
            .map(|&r| day.requests[r].location.unwrap_or(hub.location)),
    );
    let mut failures = Vec::new();
    let legs = legs_or_fallback(travel, fallback, &points, &mut failures);
    let homes = 1;
    let first_job = 1 + crew.len();

    let vehicles: Vec<Vehicle> = crew
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let carrier = &day.carriers[c];
            let to_hub = carrier.mode.travel(legs.durations.get(homes + k, 0));
            let start = (carrier.available.start + to_hub).max(ready) + LOADING_SECONDS;
            Vehicle {
                id: k as u64,
                start: Some(0),
                end: Some(homes + k),
                capacity: vec![carrier.capacity_litres],
                skills: if carrier.cold_box {
                    vec![COLD_SKILL]
                } else {
                    Vec::new()
                },
                time_window: TimeWindow {
                    start,
                    end: carrier.available.end.max(start - 1),
                },
                max_tasks: carrier.max_stops,
                max_travel_time: None,
                max_distance: Some(carrier.max_distance_m - legs.distances.get(homes + k, 0)),
                speed_percent: carrier.mode.speed_percent(),
            }
        })
        .collect();
    let problem = Problem {
        jobs: jobs
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                let request = &day.requests[r];
                Job {
                    id: i as u64,
                    location: first_job + i,
                    service: HANDOVER_SECONDS,
                    delivery: vec![request.litres],
                    pickup: vec![0],
                    skills: if request.cold {
                        vec![COLD_SKILL]
                    } else {
                        Vec::new()
                    },
                    priority: 0,
                    time_windows: Vec::new(),
                }
            })
            .collect(),
        vehicles,
        costs: legs.distances.clone(),
        durations: legs.durations,
        distances: legs.distances,
        dimensions: 1,
    };
    (problem, failures.pop())
}

#[allow(clippy::too_many_arguments)]
fn solve_hub(
    day: &Day,
    h: usize,
    jobs: &[usize],
    crew: &[usize],
    ready: Seconds,
    travel: &dyn TravelTimes,
    fallback: &GreatCircle,
    settings: &PlanSettings,
    limit: Duration,
) -> HubOutcome {
    let (problem, failure) = hub_problem(day, h, jobs, crew, ready, travel, fallback);
    let iterations = (settings.iterations_per_job * jobs.len() as u64).max(200);
    let solution = solver::solve(
        &problem,
        &Settings {
            time_limit: limit.max(Duration::from_millis(5)),
            seed: settings.seed ^ (h as u64).wrapping_mul(0x9E37_79B9),
            max_iterations: Some(iterations),
            threads: 1,
        },
    );

    let mut outcome = HubOutcome {
        hub: h,
        used: solution.routes.iter().map(|r| crew[r.vehicle]).collect(),
        runs: Vec::new(),
        placed: Vec::new(),
        unassigned: solution
            .unassigned
            .iter()
            .map(|&j| (jobs[j], why_unplaced(day, h, &problem, crew, j)))
            .collect(),
        failure,
    };
    for route in &solution.routes {
        let run = to_run(day, h, &problem, crew, jobs, route);
        for (stop, s) in run.stops.iter().enumerate() {
            if let Some(request) = s.request
                && let Some(&r) = jobs.iter().find(|&&r| day.requests[r].id == request)
            {
                outcome.placed.push((outcome.runs.len(), stop, r));
            }
        }
        outcome.runs.push(run);
    }
    outcome
}

/// A solved route as a run: home, hub, doors, home.
fn to_run(
    day: &Day,
    h: usize,
    problem: &Problem,
    crew: &[usize],
    jobs: &[usize],
    route: &Route,
) -> Run {
    let vehicle = &problem.vehicles[route.vehicle];
    let carrier = &day.carriers[crew[route.vehicle]];
    let home = vehicle.end.unwrap_or(0);
    let to_hub = vehicle.travel_time(problem.durations.get(home, 0));
    let leave_home = vehicle.time_window.start - LOADING_SECONDS - to_hub;
    let hub = &day.hubs[h];
    let mut stops = vec![
        Stop {
            kind: StopKind::Start,
            request: None,
            hub: None,
            location: carrier.home,
            arrival: leave_home,
        },
        Stop {
            kind: StopKind::Hub,
            request: None,
            hub: Some(hub.id),
            location: hub.location,
            arrival: vehicle.time_window.start - LOADING_SECONDS,
        },
    ];
    let (mut time, mut metres, mut here) = (
        vehicle.time_window.start,
        problem.distances.get(home, 0),
        0usize,
    );
    for &j in &route.jobs {
        let job = &problem.jobs[j];
        time += vehicle.travel_time(problem.durations.get(here, job.location));
        metres += problem.distances.get(here, job.location);
        here = job.location;
        let request = &day.requests[jobs[j]];
        stops.push(Stop {
            kind: StopKind::Delivery,
            request: Some(request.id),
            hub: None,
            location: request.location.unwrap_or(hub.location),
            arrival: time,
        });
        time += job.service;
    }
    time += vehicle.travel_time(problem.durations.get(here, home));
    metres += problem.distances.get(here, home);
    stops.push(Stop {
        kind: StopKind::End,
        request: None,
        hub: None,
        location: carrier.home,
        arrival: time,
    });
    Run {
        carrier: RunCarrier {
            kind: carrier.kind,
            id: carrier.id,
            name: carrier.name.clone(),
            public_name: carrier.public_name.clone(),
        },
        hub: Some(hub.id),
        stops,
        distance_m: metres,
        duration_s: time - leave_home,
    }
}

/// The reason a coordinator can act on for a home delivery no run took.
fn why_unplaced(day: &Day, h: usize, problem: &Problem, crew: &[usize], j: usize) -> Reason {
    let job = &problem.jobs[j];
    if crew.is_empty() {
        let anyone = day.carriers.iter().any(|c| in_reach(day, c, &day.hubs[h]));
        return if anyone {
            Reason::Capacity
        } else {
            Reason::NoCarrierInReach
        };
    }
    let compatible: Vec<&Vehicle> = problem
        .vehicles
        .iter()
        .filter(|v| v.can_serve(job))
        .collect();
    if compatible.is_empty() {
        return Reason::ColdChain;
    }
    // (too far, too late, too big) for `v` taking the job alone.
    let alone = |v: &Vehicle| {
        let home = v.end.unwrap_or(0);
        let metres =
            problem.distances.get(0, job.location) + problem.distances.get(job.location, home);
        let back = v.time_window.start
            + v.travel_time(problem.durations.get(0, job.location))
            + job.service
            + v.travel_time(problem.durations.get(job.location, home));
        (
            v.max_distance.is_some_and(|m| metres > m),
            back > v.time_window.end,
            job.delivery.iter().zip(&v.capacity).any(|(d, c)| d > c),
        )
    };
    let mut only_time = false;
    let mut only_distance = false;
    for v in compatible {
        match alone(v) {
            (false, false, false) => {
                // The cold boxes are full while a carrier without one could have gone.
                let cold_boxes_short = !job.skills.is_empty()
                    && problem
                        .vehicles
                        .iter()
                        .any(|o| !o.can_serve(job) && alone(o) == (false, false, false));
                return if cold_boxes_short {
                    Reason::ColdChain
                } else {
                    Reason::Capacity
                };
            }
            (false, true, false) => only_time = true,
            (true, false, false) => only_distance = true,
            _ => {}
        }
    }
    if only_time {
        Reason::TimeWindow
    } else if only_distance {
        Reason::NoCarrierInReach
    } else {
        Reason::Capacity
    }
}

/// Step 4: the impact figures (formulas in the README, "Impact").
fn impact(day: &Day, plan: &DayPlan) -> Impact {
    let unplaced: HashSet<Uuid> = plan.unassigned.iter().map(|(id, _)| *id).collect();
    let mut households: BTreeMap<Uuid, Location> = BTreeMap::new();
    for request in &day.requests {
        if unplaced.contains(&request.id) {
            continue;
        }
        if let Some(point) = request.location {
            households.entry(request.household).or_insert(point);
        }
    }
    let household_km: f64 = match day.supermarket {
        Some(shop) => households
            .values()
            .map(|&home| 2.0 * great_circle_m(home, shop) * day.circuity / 1000.0)
            .sum(),
        None => 0.0,
    };
    let plan_km = plan.runs.iter().map(|r| r.distance_m).sum::<i64>() as f64 / 1000.0;
    let km_saved = household_km - plan_km;
    let volunteer_hours = plan
        .runs
        .iter()
        .filter(|r| r.carrier.kind == CarrierKind::Volunteer)
        .map(|r| r.duration_s)
        .sum::<i64>() as f64
        / 3600.0;
    Impact {
        households_reached: households.len(),
        household_km: round2(household_km),
        plan_km: round2(plan_km),
        km_saved: round2(km_saved),
        co2_avoided_kg: round2(km_saved * day.co2_kg_per_km),
        trips_consolidated: (households.len() as i64 - plan.runs.len() as i64).max(0),
        volunteer_hours: round2(volunteer_hours),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use geo::{LineString, Polygon};

    use super::*;
    use crate::planning::check::check_day;

    const HOUR: Seconds = 3600;

    fn square(lon: f64, lat: f64, half: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (lon - half, lat - half),
                (lon + half, lat - half),
                (lon + half, lat + half),
                (lon - half, lat + half),
                (lon - half, lat - half),
            ]),
            vec![],
        )])
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// Small, fast and the same everywhere.
    struct Lcg(u64);
    impl Lcg {
        fn unit(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    const HUBS: [(f64, f64); 2] = [(135.90, 34.68), (135.93, 34.69)];

    fn hub(n: usize) -> Hub {
        Hub {
            id: id(100 + n as u128),
            location: Location {
                lon: HUBS[n].0,
                lat: HUBS[n].1,
            },
            storage: [40, 12, 4],
            opens: 9 * HOUR,
            closes: 17 * HOUR,
        }
    }

    fn request(n: u128, lon: f64, lat: f64, home: bool, cold: bool) -> Request {
        Request {
            id: id(1000 + n),
            household: id(5000 + n),
            location: Some(Location { lon, lat }),
            fulfilment: if home {
                Fulfilment::HomeDelivery
            } else {
                Fulfilment::HubPickup
            },
            slots: if cold { [1, 1, 0] } else { [1, 0, 0] },
            litres: 12,
            cold,
            fixed: false,
        }
    }

    fn carrier(n: u128, at: usize, cold_box: bool, mode: Mode) -> Carrier {
        Carrier {
            id: id(200 + n),
            kind: CarrierKind::Volunteer,
            name: format!("volunteer {n}"),
            public_name: format!("v{n}"),
            home: Location {
                lon: HUBS[at].0 + 0.004,
                lat: HUBS[at].1 - 0.003,
            },
            mode,
            capacity_litres: 120,
            cold_box,
            available: TimeWindow {
                start: 9 * HOUR,
                end: 13 * HOUR,
            },
            max_distance_m: 25_000,
            max_stops: None,
        }
    }

    /// Two hubs with a neighbourhood each, `n` requests inside them, four volunteers and a
    /// post trip calling at both hubs.
    fn village(seed: u64, n: usize) -> Day {
        let mut random = Lcg(seed);
        let requests = (0..n)
            .map(|i| {
                let (lon, lat) = HUBS[i % 2];
                let (dx, dy) = (random.unit() - 0.5, random.unit() - 0.5);
                let cold = random.unit() < 0.4;
                let home = random.unit() < 0.7;
                request(i as u128, lon + dx * 0.018, lat + dy * 0.018, home, cold)
            })
            .collect();
        Day {
            hubs: vec![hub(0), hub(1)],
            neighbourhoods: (0..2)
                .map(|n| Neighbourhood {
                    id: id(300 + n as u128),
                    boundary: square(HUBS[n].0, HUBS[n].1, 0.01),
                    hub: Some(id(100 + n as u128)),
                })
                .collect(),
            requests,
            carriers: vec![
                carrier(0, 0, true, Mode::Car),
                carrier(1, 0, false, Mode::Bicycle),
                carrier(2, 1, true, Mode::KeiTruck),
                carrier(3, 1, false, Mode::Walk),
            ],
            post_trips: vec![PostTrip {
                id: id(400),
                name: "morning van".into(),
                origin: Location {
                    lon: 135.83,
                    lat: 34.684,
                },
                departure: 8 * HOUR + HOUR / 2,
                hubs: vec![id(100), id(101)],
                spare: [100, 40, 10],
            }],
            circuity: 1.4,
            supermarket: Some(Location {
                lon: 135.83,
                lat: 34.684,
            }),
            co2_kg_per_km: 0.13,
            hub_reach_m: 3_000.0,
        }
    }

    fn settings() -> PlanSettings {
        PlanSettings {
            seed: 7,
            time_limit: Duration::from_secs(30),
            threads: 2,
            iterations_per_job: 100,
        }
    }

    fn run_plan(day: &Day) -> DayPlan {
        let road = GreatCircle {
            circuity: day.circuity,
        };
        let plan = plan(day, &road, &settings());
        if let Err(problems) = check_day(day, &plan, &road) {
            panic!("infeasible plan: {problems:#?}");
        }
        plan
    }

    fn reason_of(plan: &DayPlan, request: Uuid) -> Option<Reason> {
        plan.unassigned
            .iter()
            .find(|(id, _)| *id == request)
            .map(|(_, r)| *r)
    }

    #[test]
    fn a_village_day_is_planned_whole_and_feasible() {
        let day = village(1, 30);
        let plan = run_plan(&day);
        assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
        assert_eq!(plan.placements.len(), 30);
        assert_eq!(plan.runs[0].carrier.kind, CarrierKind::PostTrip);
        assert!(
            plan.runs
                .iter()
                .skip(1)
                .all(|r| r.carrier.kind == CarrierKind::Volunteer)
        );
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
        // Every delivery is on the run of a hub's own crew, after the van reached that hub.
        let van_at: HashMap<Uuid, Seconds> = plan.runs[0]
            .stops
            .iter()
            .filter_map(|s| s.hub.map(|h| (h, s.arrival)))
            .collect();
        for run in plan.runs.iter().skip(1) {
            let hub = run.hub.unwrap();
            let loading = run.stops.iter().find(|s| s.kind == StopKind::Hub).unwrap();
            assert!(loading.arrival >= van_at[&hub] + UNLOADING_SECONDS);
        }
    }

    #[test]
    fn points_are_located_by_polygon_then_nearest_hub_in_reach() {
        let mut day = village(2, 0);
        let (lon, lat) = HUBS[0];
        day.requests = vec![
            // On the western edge of hub 0's square: inside.
            request(1, lon - 0.01, lat, false, false),
            // Just outside every square but 1.4 km from hub 0: the nearest hub in reach.
            request(2, lon - 0.0155, lat, false, false),
            // 20 km away: nowhere.
            request(3, lon - 0.2, lat, false, false),
            Request {
                location: None,
                ..request(4, lon, lat, false, false)
            },
        ];
        // Hub 1's square has a hole around a point that then belongs to no polygon.
        let (lon1, lat1) = HUBS[1];
        let hole = square(lon1, lat1 + 0.005, 0.002).0[0].exterior().clone();
        day.neighbourhoods[1].boundary = MultiPolygon(vec![Polygon::new(
            square(lon1, lat1, 0.01).0[0].exterior().clone(),
            vec![hole],
        )]);
        day.requests
            .push(request(5, lon1, lat1 + 0.005, false, false));
        let plan = run_plan(&day);
        let hub_of = |r: Uuid| {
            plan.placements
                .iter()
                .find(|p| p.request == r)
                .map(|p| p.hub)
        };
        assert_eq!(hub_of(id(1001)), Some(id(100)));
        assert_eq!(hub_of(id(1002)), Some(id(100)));
        assert_eq!(reason_of(&plan, id(1003)), Some(Reason::OutOfArea));
        assert_eq!(reason_of(&plan, id(1004)), Some(Reason::OutOfArea));
        // In the hole, 550 m from hub 1: placed by distance instead.
        assert_eq!(hub_of(id(1005)), Some(id(101)));
    }

    #[test]
    fn consolidation_respects_spare_capacity_per_class_and_hub_storage() {
        let mut day = village(3, 0);
        let (lon, lat) = HUBS[0];
        day.hubs[0].storage = [10, 2, 10];
        day.post_trips[0].spare = [10, 10, 1];
        day.requests = (0..4)
            .map(|i| request(i, lon + 0.001 * i as f64, lat, false, true))
            .collect();
        day.requests.extend((4..6).map(|i| Request {
            slots: [0, 0, 1],
            ..request(i, lon - 0.001 * i as f64, lat, false, false)
        }));
        let plan = run_plan(&day);
        let reasons: Vec<Reason> = plan.unassigned.iter().map(|(_, r)| *r).collect();
        assert_eq!(
            reasons
                .iter()
                .filter(|r| **r == Reason::HubStorageFull)
                .count(),
            2,
            "two chilled slots at the hub: {reasons:?}"
        );
        assert_eq!(
            reasons
                .iter()
                .filter(|r| **r == Reason::NoLinehaulCapacity)
                .count(),
            1,
            "one frozen slot on the van: {reasons:?}"
        );
        let chilled: i64 = plan.post_loads.iter().map(|l| l.slots[1]).sum();
        let frozen: i64 = plan.post_loads.iter().map(|l| l.slots[2]).sum();
        assert_eq!((chilled, frozen), (2, 1));
    }

    #[test]
    fn hubs_take_turns_for_scarce_van_space() {
        let mut day = village(4, 20);
        day.post_trips[0].spare = [6, 6, 6];
        for r in &mut day.requests {
            r.slots = [1, 0, 0];
        }
        let plan = run_plan(&day);
        let per_hub: Vec<usize> = plan.post_loads.iter().map(|l| l.requests.len()).collect();
        assert_eq!(per_hub, vec![3, 3]);
        let no_van = plan
            .unassigned
            .iter()
            .filter(|(_, r)| *r == Reason::NoLinehaulCapacity)
            .count();
        assert_eq!(no_van, 14);
    }

    #[test]
    fn cold_goods_never_go_without_a_cold_box() {
        let mut day = village(5, 24);
        for c in &mut day.carriers {
            c.cold_box = false;
        }
        let plan = run_plan(&day);
        for request in &day.requests {
            let on_run = plan
                .runs
                .iter()
                .any(|run| run.stops.iter().any(|s| s.request == Some(request.id)));
            if request.cold && request.fulfilment == Fulfilment::HomeDelivery {
                assert!(!on_run);
                assert_eq!(reason_of(&plan, request.id), Some(Reason::ColdChain));
            }
        }
        assert!(plan.runs.len() > 1, "the ambient ones still go");
    }

    #[test]
    fn reasons_name_what_is_missing() {
        // Nobody lives near hub 1.
        let mut day = village(6, 10);
        day.carriers.retain(|c| c.home.lon < 135.92);
        for c in &mut day.carriers {
            c.max_distance_m = 6_000;
        }
        let plan = run_plan(&day);
        for request in &day.requests {
            let at_hub_1 = request.location.unwrap().lon > 135.92;
            if at_hub_1 && request.fulfilment == Fulfilment::HomeDelivery {
                assert_eq!(reason_of(&plan, request.id), Some(Reason::NoCarrierInReach));
            }
        }

        // Free for ten minutes only.
        let mut day = village(7, 6);
        for c in &mut day.carriers {
            c.available = TimeWindow {
                start: 9 * HOUR,
                end: 9 * HOUR + 600,
            };
        }
        let plan = run_plan(&day);
        assert!(
            plan.unassigned
                .iter()
                .any(|(_, r)| *r == Reason::TimeWindow)
        );
        assert!(
            plan.runs
                .iter()
                .all(|r| r.carrier.kind == CarrierKind::PostTrip)
        );

        // One small bicycle basket for many bags.
        let mut day = village(8, 16);
        day.carriers = vec![Carrier {
            capacity_litres: 30,
            ..carrier(1, 0, true, Mode::Bicycle)
        }];
        let plan = run_plan(&day);
        assert!(plan.unassigned.iter().any(|(_, r)| *r == Reason::Capacity));
    }

    #[test]
    fn the_same_seed_gives_the_same_plan() {
        let day = village(9, 40);
        assert_eq!(run_plan(&day), run_plan(&day));
    }

    #[test]
    fn random_small_days_always_give_feasible_plans() {
        for seed in 0..25 {
            let mut day = village(100 + seed, 5 + (seed as usize * 7) % 50);
            let mut random = Lcg(seed);
            for c in &mut day.carriers {
                c.capacity_litres = 20 + (random.unit() * 100.0) as i64;
                c.max_distance_m = 3_000 + (random.unit() * 20_000.0) as i64;
                c.max_stops = (random.unit() < 0.3).then_some(3);
            }
            day.hubs[0].storage = [(random.unit() * 30.0) as i64, 5, 2];
            day.post_trips[0].spare = [30, (random.unit() * 20.0) as i64, 5];
            // run_plan checks every plan with the independent checker.
            let plan = run_plan(&day);
            assert_eq!(
                plan.placements.len() + plan.unassigned.len(),
                day.requests.len()
            );
        }
    }

    #[test]
    fn impact_follows_the_readme_formulas() {
        let mut day = village(10, 0);
        let (lon, lat) = HUBS[0];
        day.requests = vec![
            request(1, lon, lat + 0.002, false, false),
            // The same household twice counts once.
            Request {
                household: id(5001),
                ..request(2, lon, lat + 0.002, false, false)
            },
            request(3, lon + 0.003, lat, true, false),
        ];
        let plan = run_plan(&day);
        let shop = day.supermarket.unwrap();
        let households: f64 = [day.requests[0].location, day.requests[2].location]
            .iter()
            .map(|p| 2.0 * great_circle_m(p.unwrap(), shop) * 1.4 / 1000.0)
            .sum();
        let plan_km: f64 = plan.runs.iter().map(|r| r.distance_m).sum::<i64>() as f64 / 1000.0;
        let impact = &plan.impact;
        assert_eq!(impact.households_reached, 2);
        assert!((impact.household_km - households).abs() < 0.01);
        assert!((impact.plan_km - plan_km).abs() < 0.01);
        assert!((impact.km_saved - (households - plan_km)).abs() < 0.02);
        assert!((impact.co2_avoided_kg - impact.km_saved * 0.13).abs() < 0.01);
        assert_eq!(impact.trips_consolidated, 2 - plan.runs.len() as i64);
        let hours = plan.runs[1].duration_s as f64 / 3600.0;
        assert!((impact.volunteer_hours - hours).abs() < 0.01);
    }

    struct Broken;
    impl TravelTimes for Broken {
        fn name(&self) -> &'static str {
            "OSRM"
        }
        fn legs(&self, _: &[Location]) -> Result<Legs, String> {
            Err("connection refused".into())
        }
    }

    #[test]
    fn a_failing_road_router_falls_back_to_great_circle_with_a_warning() {
        let day = village(11, 12);
        let plan = plan(&day, &Broken, &settings());
        let road = GreatCircle { circuity: 1.4 };
        assert_eq!(plan, {
            let mut expected = run_plan(&day);
            expected.warnings = plan.warnings.clone();
            expected
        });
        assert!(check_day(&day, &plan, &road).is_ok());
        assert_eq!(plan.warnings.len(), 1);
        assert!(
            plan.warnings[0].contains("OSRM: connection refused"),
            "{:?}",
            plan.warnings
        );
    }
}
