//! A delivery day, planned: locate each request (neighbourhood → hub), consolidate the hub
//! loads onto post trips, route the last mile from each hub with the solver, and count what
//! it saves. Pure: the caller gathers the day and a travel-matrix provider; nothing here does
//! I/O except through that provider.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::domain::ids::{CarrierId, HubId, NeighbourhoodId, PostTripId, RequestId, ResidentId};
use geo::MultiPolygon;

use super::problem::{Job, Metres, Problem, Route, Seconds, TimeWindow, Vehicle};
use super::solver::{self, Settings};
use super::travel::{GreatCircle, Legs, Mode, TravelTimes, great_circle_m};
use crate::domain::area::Location;
use crate::domain::geo::NeighbourhoodIndex;
use crate::domain::request::Fulfilment;

mod consolidate;
mod crews;
mod diagnosis;
mod impact;
mod last_mile;
mod locate;

use consolidate::{LineHaul, consolidate};
use crews::{assign_carriers, in_reach};
use diagnosis::why_unplaced;
use impact::impact;
use last_mile::{home_deliveries, hub_problem, last_mile, legs_or_fallback};
use locate::locate;

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
    pub id: HubId,
    pub location: Location,
    /// Storage slots per class.
    pub storage: PerClass,
    /// Seconds after local midnight of the delivery date.
    pub opens: Seconds,
    pub closes: Seconds,
}

#[derive(Debug, Clone)]
pub struct Neighbourhood {
    pub id: NeighbourhoodId,
    pub boundary: MultiPolygon<f64>,
    pub hub: Option<HubId>,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    /// The resident: one household however many requests it has that day.
    pub household: ResidentId,
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
    pub id: CarrierId,
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
    pub id: PostTripId,
    pub name: String,
    pub origin: Location,
    pub departure: Seconds,
    /// The hubs it calls at, in its order.
    pub hubs: Vec<HubId>,
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
    /// The search for the request's hub stopped unexpectedly: planning again may place it.
    SearchFailed,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::OutOfArea,
        Reason::NoLinehaulCapacity,
        Reason::HubStorageFull,
        Reason::NoCarrierInReach,
        Reason::TimeWindow,
        Reason::ColdChain,
        Reason::Capacity,
        Reason::SearchFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OutOfArea => "out_of_area",
            Reason::NoLinehaulCapacity => "no_linehaul_capacity",
            Reason::HubStorageFull => "hub_storage_full",
            Reason::NoCarrierInReach => "no_carrier_in_reach",
            Reason::TimeWindow => "time_window",
            Reason::ColdChain => "cold_chain",
            Reason::Capacity => "capacity",
            Reason::SearchFailed => "search_failed",
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
    pub const ALL: [StopKind; 4] = [
        StopKind::Start,
        StopKind::Hub,
        StopKind::Delivery,
        StopKind::End,
    ];

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
    pub request: Option<RequestId>,
    pub hub: Option<HubId>,
    pub location: Location,
    pub arrival: Seconds,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCarrier {
    pub kind: CarrierKind,
    /// A user id, or a post trip's id.
    pub id: CarrierId,
    pub name: String,
    pub public_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub carrier: RunCarrier,
    /// The hub a last-mile run loads at; None for a post trip.
    pub hub: Option<HubId>,
    pub stops: Vec<Stop>,
    pub distance_m: Metres,
    pub duration_s: Seconds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostLoad {
    pub trip: PostTripId,
    pub hub: HubId,
    pub arrival: Seconds,
    pub slots: PerClass,
    pub requests: Vec<RequestId>,
}

/// Where a planned request ends up, and the window its family is told.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub request: RequestId,
    pub hub: HubId,
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
    pub unassigned: Vec<(RequestId, Reason)>,
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
            let run = &outcome.runs[r];
            let arrival = run.stops[stop].arrival;
            // The family is told a window around the arrival that never opens before the goods
            // can be at the door: the run leaves the hub with them after loading.
            let leaves_hub = run
                .stops
                .iter()
                .find(|s| s.kind == StopKind::Hub)
                .map_or(0, |s| s.arrival + LOADING_SECONDS);
            let window = TimeWindow {
                start: (arrival - WINDOW_HALF_SECONDS).max(leaves_hub).min(arrival),
                end: arrival + WINDOW_HALF_SECONDS,
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
    unload_unplaced(day, &mut plan);
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

/// Takes off the vans the home deliveries that reached a hub's load but found no carrier on
/// the last mile: they are not planned, so the van carries (and the hub receives) only what
/// the plan delivers. A load left empty stays, with no crates, as its hub stays on the van's
/// route (the route is not planned again; the room freed is not offered to others).
fn unload_unplaced(day: &Day, plan: &mut DayPlan) {
    let left: HashSet<RequestId> = plan.unassigned.iter().map(|(id, _)| *id).collect();
    if left.is_empty() {
        return;
    }
    let slots_of: HashMap<RequestId, &PerClass> = day
        .requests
        .iter()
        .filter(|r| left.contains(&r.id))
        .map(|r| (r.id, &r.slots))
        .collect();
    for load in &mut plan.post_loads {
        let slots = &mut load.slots;
        load.requests.retain(|id| match slots_of.get(id) {
            Some(taken_off) => {
                for (slot, n) in slots.iter_mut().zip(taken_off.iter()) {
                    *slot -= n;
                }
                false
            }
            None => true,
        });
    }
}

/// The last-mile sub-problems the planner solves first (each hub with its first crew), for
/// running another solver on the same zones.
pub fn zones(day: &Day, travel: &dyn TravelTimes) -> Vec<(HubId, Problem)> {
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

#[cfg(test)]
mod tests {
    use geo::{LineString, Polygon};

    use uuid::Uuid;

    use super::*;
    use crate::domain::ids::Id;
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

    fn id<K>(n: u128) -> Id<K> {
        Id::from_uuid(Uuid::from_u128(n))
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

    fn reason_of(plan: &DayPlan, request: RequestId) -> Option<Reason> {
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
        let van_at: HashMap<HubId, Seconds> = plan.runs[0]
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
    fn the_vans_carry_only_what_the_plan_delivers() {
        // One small walking crew for sixty households: the last mile leaves home deliveries
        // that reached a hub's load without a carrier.
        // Every order to the door, and no one at the first hub: its load empties.
        let mut day = village(2, 60);
        for request in &mut day.requests {
            request.fulfilment = Fulfilment::HomeDelivery;
        }
        day.carriers = vec![Carrier {
            capacity_litres: 20,
            ..carrier(3, 1, true, Mode::Walk)
        }];
        let plan = run_plan(&day);
        let left: HashSet<RequestId> = plan.unassigned.iter().map(|(id, _)| *id).collect();
        let home_left = day
            .requests
            .iter()
            .filter(|r| r.fulfilment == Fulfilment::HomeDelivery && left.contains(&r.id))
            .count();
        assert!(home_left > 0, "the case needs home deliveries left over");
        // Every hub the van stops at keeps its load, empty or not.
        let van_hubs: HashSet<HubId> = plan
            .runs
            .iter()
            .filter(|r| r.carrier.kind == CarrierKind::PostTrip)
            .flat_map(|r| r.stops.iter().filter_map(|s| s.hub))
            .collect();
        let loaded_hubs: HashSet<HubId> = plan.post_loads.iter().map(|l| l.hub).collect();
        assert_eq!(van_hubs, loaded_hubs);
        assert!(plan.post_loads.iter().any(|l| l.requests.is_empty()));
        for load in &plan.post_loads {
            let mut slots = [0; 3];
            for id in &load.requests {
                assert!(!left.contains(id), "{id} is on a van but not planned");
                let request = day.requests.iter().find(|r| r.id == *id).unwrap();
                for (s, n) in slots.iter_mut().zip(&request.slots) {
                    *s += n;
                }
            }
            assert_eq!(load.slots, slots, "the crates are those of what is carried");
        }
    }

    #[test]
    fn no_family_window_opens_before_the_goods_can_be_at_the_door() {
        for seed in 1..=6 {
            let day = village(seed, 30);
            let plan = run_plan(&day);
            let van_at: HashMap<HubId, Seconds> = plan
                .runs
                .iter()
                .filter(|r| r.carrier.kind == CarrierKind::PostTrip)
                .flat_map(|r| r.stops.iter().filter_map(|s| s.hub.map(|h| (h, s.arrival))))
                .collect();
            let mut home = 0;
            for placement in &plan.placements {
                let run = &plan.runs[placement.run];
                if run.carrier.kind == CarrierKind::PostTrip {
                    continue;
                }
                home += 1;
                let arrival = run.stops[placement.stop].arrival;
                let earliest = van_at[&placement.hub] + UNLOADING_SECONDS + LOADING_SECONDS;
                assert!(
                    placement.window.start >= earliest,
                    "seed {seed}: the window opens at {} but the goods leave the hub at {earliest}",
                    placement.window.start
                );
                assert!(placement.window.start <= arrival && arrival <= placement.window.end);
            }
            assert!(home > 0, "seed {seed} has no home delivery to check");
        }
    }

    /// Two hubs 5.4 km apart and a volunteer living 0.3 km from each; the first hub has ten
    /// times the deliveries, and one volunteer can carry either hub's.
    fn two_neighbours(swap_ids: bool, mirror: bool) -> (Day, Vec<Vec<usize>>) {
        // Mirrored, the busy hub lies east: neither the order of ids nor of homes may decide.
        let (west, east) = (135.90, 135.959);
        let (a_lon, b_lon) = if mirror { (east, west) } else { (west, east) };
        let a = Location {
            lon: a_lon,
            lat: 34.68,
        };
        let b = Location {
            lon: b_lon,
            lat: 34.68,
        };
        let hub_at = |n: usize, location: Location| Hub { location, ..hub(n) };
        let volunteer = |n: u128, lon: f64| Carrier {
            home: Location { lon, lat: 34.68 },
            capacity_litres: 200,
            ..carrier(n, 0, true, Mode::Car)
        };
        // Ids decide nothing: the volunteer by hub A has the larger id or the smaller.
        let (by_a, by_b) = if swap_ids { (2, 1) } else { (1, 2) };
        let toward = |from: f64, to: f64| from + (to - from) * 0.3 / 5.4;
        let mut carriers = vec![
            volunteer(by_a, toward(a_lon, b_lon)),
            volunteer(by_b, toward(b_lon, a_lon)),
        ];
        carriers.sort_by_key(|c| c.id);
        let requests: Vec<Request> = (0..11)
            .map(|i| {
                let at = if i < 10 { a } else { b };
                request(i, at.lon + 0.001, at.lat + 0.001, true, false)
            })
            .collect();
        let jobs = vec![(0..10).collect(), vec![10]];
        let day = Day {
            hubs: vec![hub_at(0, a), hub_at(1, b)],
            requests,
            carriers,
            ..village(1, 0)
        };
        (day, jobs)
    }

    #[test]
    fn neighbours_work_from_their_own_hubs_whatever_their_ids() {
        for (swap_ids, mirror) in [(false, false), (true, false), (false, true), (true, true)] {
            let (day, jobs) = two_neighbours(swap_ids, mirror);
            let crews = assign_carriers(&day, &jobs);
            assert_eq!((crews[0].len(), crews[1].len()), (1, 1), "{crews:?}");
            for (h, crew) in crews.iter().enumerate() {
                let km = great_circle_m(day.carriers[crew[0]].home, day.hubs[h].location) / 1000.0;
                assert!(
                    km < 0.5,
                    "ids swapped {swap_ids}, mirrored {mirror}: {km:.1} km to hub {h}"
                );
            }
        }
    }

    #[test]
    fn no_move_or_swap_of_one_carrier_improves_the_crews() {
        for seed in 1..=20 {
            let mut day = village(seed, 24);
            let mut random = Lcg(seed * 31);
            for c in &mut day.carriers {
                c.capacity_litres = 20 + (random.unit() * 150.0) as i64;
                c.cold_box = random.unit() < 0.5;
                c.home.lon += (random.unit() - 0.5) * 0.05;
            }
            let jobs: Vec<Vec<usize>> = (0..2)
                .map(|h| {
                    (0..day.requests.len())
                        .filter(|&r| r % 2 == h)
                        .filter(|&r| day.requests[r].fulfilment == Fulfilment::HomeDelivery)
                        .collect()
                })
                .collect();
            let crews = assign_carriers(&day, &jobs);
            let mut hub_of = vec![None; day.carriers.len()];
            for (h, crew) in crews.iter().enumerate() {
                for &c in crew {
                    hub_of[c] = Some(h);
                }
            }
            let demand = crews::Demand::of(&day, &jobs);
            let best = demand.cost(&day, &hub_of);
            let reach = |c: usize, h: usize| {
                !jobs[h].is_empty() && in_reach(&day, &day.carriers[c], &day.hubs[h])
            };
            for c in 0..day.carriers.len() {
                for h in 0..2 {
                    if hub_of[c] == Some(h) || !reach(c, h) {
                        continue;
                    }
                    let mut moved = hub_of.clone();
                    moved[c] = Some(h);
                    assert!(
                        demand.cost(&day, &moved) >= best,
                        "seed {seed}: moving {c} to {h}"
                    );
                }
                for d in 0..day.carriers.len() {
                    let (Some(hc), Some(hd)) = (hub_of[c], hub_of[d]) else {
                        continue;
                    };
                    if hc != hd && reach(c, hd) && reach(d, hc) {
                        let mut swapped = hub_of.clone();
                        swapped.swap(c, d);
                        assert!(
                            demand.cost(&day, &swapped) >= best,
                            "seed {seed}: swapping {c}, {d}"
                        );
                    }
                }
            }
            // Deterministic: the same day, the same crews.
            assert_eq!(assign_carriers(&day, &jobs), crews);
        }
    }

    /// Great-circle travel, except that any matrix starting at `at` makes the search panic.
    struct PanicsAt(Location);
    impl TravelTimes for PanicsAt {
        fn name(&self) -> &'static str {
            "panics"
        }
        fn legs(&self, points: &[Location]) -> Result<Legs, String> {
            if points.first() == Some(&self.0) {
                panic!("a fault in one hub's search");
            }
            GreatCircle { circuity: 1.3 }.legs(points)
        }
    }

    #[test]
    fn a_hub_whose_search_fails_leaves_its_requests_unassigned_with_a_reason() {
        let day = village(3, 30);
        let broken = day.hubs[1].location;
        for threads in [1, 2] {
            let plan = super::plan(
                &day,
                &PanicsAt(broken),
                &PlanSettings {
                    threads,
                    ..settings()
                },
            );
            let placed: HashSet<RequestId> = plan.placements.iter().map(|p| p.request).collect();
            let unassigned: HashMap<RequestId, Reason> = plan.unassigned.iter().copied().collect();
            // Every request is accounted for, once.
            for request in &day.requests {
                assert!(
                    placed.contains(&request.id) ^ unassigned.contains_key(&request.id),
                    "threads {threads}: request {} lost or doubled",
                    request.id
                );
            }
            let failed: Vec<&RequestId> = unassigned
                .iter()
                .filter(|(_, r)| **r == Reason::SearchFailed)
                .map(|(id, _)| id)
                .collect();
            assert!(
                !failed.is_empty(),
                "threads {threads}: {:?}",
                plan.unassigned
            );
            assert!(
                plan.warnings
                    .iter()
                    .any(|w| w.contains("stopped unexpectedly")),
                "{:?}",
                plan.warnings
            );
            // The other hub was planned as usual.
            assert!(plan.runs.iter().any(|r| r.hub == Some(day.hubs[0].id)));
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
        let hub_of = |r: RequestId| {
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
