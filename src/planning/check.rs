//! An independent feasibility checker: recomputes every route from the problem alone, sharing
//! no code with the solver, so that a solver bug cannot vouch for itself.

use std::collections::HashMap;

use crate::domain::ids::{HubId, PostTripId, RequestId};

use super::day::{Day, DayPlan, PerClass, Request};
use super::problem::{Problem, Solution};
use super::travel::GreatCircle;
use crate::domain::request::Fulfilment;

/// What a feasible solution costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub cost: i64,
    pub distance: i64,
    pub duration: i64,
    pub served: usize,
}

/// Checks `solution` against `problem`: every job exactly once (in a route or unassigned),
/// each vehicle at most once, skills, capacity at every point, time windows, and the vehicle
/// limits. Returns every violation found.
pub fn check(problem: &Problem, solution: &Solution) -> Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    let mut seen = vec![0usize; problem.jobs.len()];
    let mut vehicle_used = vec![false; problem.vehicles.len()];
    let (mut cost, mut distance, mut duration, mut served) = (0i64, 0i64, 0i64, 0usize);
    for &j in &solution.unassigned {
        match seen.get_mut(j) {
            Some(count) => *count += 1,
            None => problems.push(format!("unassigned job index {j} does not exist")),
        }
    }
    for route in &solution.routes {
        let Some(vehicle) = problem.vehicles.get(route.vehicle) else {
            problems.push(format!("vehicle index {} does not exist", route.vehicle));
            continue;
        };
        if std::mem::replace(&mut vehicle_used[route.vehicle], true) {
            problems.push(format!("vehicle {} has two routes", vehicle.id));
        }
        if route.jobs.is_empty() {
            continue;
        }
        if let Some(max) = vehicle.max_tasks
            && route.jobs.len() > max
        {
            problems.push(format!(
                "vehicle {}: {} tasks, at most {max}",
                vehicle.id,
                route.jobs.len()
            ));
        }
        let dims = problem.dimensions;
        let mut load = vec![0i64; dims];
        for &j in &route.jobs {
            let Some(job) = problem.jobs.get(j) else {
                problems.push(format!("job index {j} does not exist"));
                continue;
            };
            seen[j] += 1;
            if !job.skills.iter().all(|s| vehicle.skills.contains(s)) {
                problems.push(format!(
                    "vehicle {} lacks a skill of job {}",
                    vehicle.id, job.id
                ));
            }
            for (d, amount) in job.delivery.iter().enumerate().take(dims) {
                load[d] += amount;
            }
        }
        let over = |load: &[i64]| {
            load.iter().zip(&vehicle.capacity).any(|(l, c)| l > c) || load.iter().any(|l| *l < 0)
        };
        if over(&load) {
            problems.push(format!(
                "vehicle {}: starts over capacity {load:?}",
                vehicle.id
            ));
        }
        let mut time = vehicle.time_window.start;
        let mut here = vehicle.start;
        let (mut travel, mut metres, mut route_cost) = (0i64, 0i64, 0i64);
        for &j in &route.jobs {
            let Some(job) = problem.jobs.get(j) else {
                continue;
            };
            if let Some(from) = here {
                travel += vehicle.travel_time(problem.durations.get(from, job.location));
                metres += problem.distances.get(from, job.location);
                route_cost += problem.costs.get(from, job.location);
                time += vehicle.travel_time(problem.durations.get(from, job.location));
            }
            here = Some(job.location);
            if !job.time_windows.is_empty() {
                match job.time_windows.iter().find(|w| time <= w.end) {
                    Some(window) => time = time.max(window.start),
                    None => problems.push(format!(
                        "job {}: arrival {time} after every time window",
                        job.id
                    )),
                }
            }
            time += job.service;
            for (d, amount) in load.iter_mut().enumerate() {
                *amount += job.pickup.get(d).copied().unwrap_or(0)
                    - job.delivery.get(d).copied().unwrap_or(0);
            }
            if over(&load) {
                problems.push(format!(
                    "vehicle {}: over capacity after job {}",
                    vehicle.id, job.id
                ));
            }
        }
        if let (Some(from), Some(end)) = (here, vehicle.end) {
            travel += vehicle.travel_time(problem.durations.get(from, end));
            metres += problem.distances.get(from, end);
            route_cost += problem.costs.get(from, end);
            time += vehicle.travel_time(problem.durations.get(from, end));
        }
        if time > vehicle.time_window.end {
            problems.push(format!(
                "vehicle {}: back at {time}, after {}",
                vehicle.id, vehicle.time_window.end
            ));
        }
        if vehicle.max_travel_time.is_some_and(|max| travel > max) {
            problems.push(format!(
                "vehicle {}: travels {travel} s, over its limit",
                vehicle.id
            ));
        }
        if vehicle.max_distance.is_some_and(|max| metres > max) {
            problems.push(format!(
                "vehicle {}: drives {metres} m, over its limit",
                vehicle.id
            ));
        }
        cost += route_cost;
        distance += metres;
        duration += travel;
        served += route.jobs.len();
    }
    for (j, count) in seen.iter().enumerate() {
        if *count != 1 {
            problems.push(format!("job {} appears {count} times", problem.jobs[j].id));
        }
    }
    if problems.is_empty() {
        Ok(Checked {
            cost,
            distance,
            duration,
            served,
        })
    } else {
        Err(problems)
    }
}

/// Checks a day plan against its day without the planner's code: every request placed or
/// unassigned exactly once (a request already on an accepted run may be neither), each
/// placement pointing at a stop that serves it, post loads within each trip's spare capacity
/// and each hub's storage per class, cold goods only with a cold box, and every last-mile run
/// within its carrier's capacity, range, stop limit and free hours, its distance recomputed
/// from its stops with `road`.
pub fn check_day(day: &Day, plan: &DayPlan, road: &GreatCircle) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let requests: HashMap<RequestId, &Request> = day.requests.iter().map(|r| (r.id, r)).collect();
    let mut seen: HashMap<RequestId, usize> = HashMap::new();
    for id in plan
        .placements
        .iter()
        .map(|p| p.request)
        .chain(plan.unassigned.iter().map(|(id, _)| *id))
    {
        *seen.entry(id).or_default() += 1;
    }
    for request in &day.requests {
        let count = seen.get(&request.id).copied().unwrap_or(0);
        let fixed_delivery = request.fixed && request.fulfilment == Fulfilment::HomeDelivery;
        if count > 1 || (count == 0 && !fixed_delivery) {
            problems.push(format!("request {} appears {count} times", request.id));
        }
    }
    for placement in &plan.placements {
        let stop = plan
            .runs
            .get(placement.run)
            .and_then(|run| run.stops.get(placement.stop));
        let serves = stop.is_some_and(|s| {
            s.request == Some(placement.request)
                || (s.hub == Some(placement.hub)
                    && requests
                        .get(&placement.request)
                        .is_some_and(|r| r.fulfilment == Fulfilment::HubPickup))
        });
        if !serves {
            problems.push(format!(
                "request {} points at a stop that does not serve it",
                placement.request
            ));
        }
        if placement.window.start > placement.window.end {
            problems.push(format!("request {} has an empty window", placement.request));
        }
    }

    let mut per_trip: HashMap<PostTripId, PerClass> = HashMap::new();
    let mut per_hub: HashMap<HubId, PerClass> = HashMap::new();
    for load in &plan.post_loads {
        let mut total = [0i64; 3];
        for id in &load.requests {
            match requests.get(id) {
                Some(r) => total.iter_mut().zip(&r.slots).for_each(|(t, s)| *t += s),
                None => problems.push(format!("post load carries unknown request {id}")),
            }
        }
        if total != load.slots {
            problems.push(format!(
                "post load {:?} != its requests {total:?}",
                load.slots
            ));
        }
        for sum in [
            per_trip.entry(load.trip).or_default(),
            per_hub.entry(load.hub).or_default(),
        ] {
            sum.iter_mut().zip(&total).for_each(|(s, a)| *s += a);
        }
    }
    for trip in &day.post_trips {
        if let Some(used) = per_trip.get(&trip.id)
            && used.iter().zip(&trip.spare).any(|(u, s)| u > s)
        {
            problems.push(format!(
                "trip {}: {used:?} over spare {:?}",
                trip.id, trip.spare
            ));
        }
    }
    for hub in &day.hubs {
        if let Some(used) = per_hub.get(&hub.id)
            && used.iter().zip(&hub.storage).any(|(u, s)| u > s)
        {
            problems.push(format!(
                "hub {}: {used:?} over storage {:?}",
                hub.id, hub.storage
            ));
        }
    }

    let mut delivered: HashMap<RequestId, usize> = HashMap::new();
    for run in &plan.runs {
        if run.carrier.kind == crate::domain::run::CarrierKind::PostTrip {
            continue;
        }
        let Some(carrier) = day.carriers.iter().find(|c| c.id == run.carrier.id) else {
            problems.push(format!("run for unknown carrier {}", run.carrier.id));
            continue;
        };
        let mut litres = 0;
        let mut metres = 0;
        let mut stops = 0;
        for pair in run.stops.windows(2) {
            metres += road.metres(pair[0].location, pair[1].location);
            if pair[1].arrival < pair[0].arrival {
                problems.push(format!("run of {}: arrivals go back in time", carrier.id));
            }
        }
        for stop in &run.stops {
            let Some(id) = stop.request else { continue };
            stops += 1;
            *delivered.entry(id).or_default() += 1;
            match requests.get(&id) {
                Some(r) => {
                    litres += r.litres;
                    if r.cold && !carrier.cold_box {
                        problems.push(format!(
                            "cold request {id} with {} (no cold box)",
                            carrier.id
                        ));
                    }
                }
                None => problems.push(format!("run delivers unknown request {id}")),
            }
        }
        if litres > carrier.capacity_litres {
            problems.push(format!(
                "carrier {}: {litres} l over {}",
                carrier.id, carrier.capacity_litres
            ));
        }
        if carrier.max_stops.is_some_and(|m| stops > m) {
            problems.push(format!(
                "carrier {}: {stops} stops over its limit",
                carrier.id
            ));
        }
        if (metres - run.distance_m).abs() > run.stops.len() as i64 {
            problems.push(format!(
                "carrier {}: run says {} m, stops give {metres} m",
                carrier.id, run.distance_m
            ));
        }
        if metres > carrier.max_distance_m {
            problems.push(format!(
                "carrier {}: {metres} m over range {}",
                carrier.id, carrier.max_distance_m
            ));
        }
        let (Some(first), Some(last)) = (run.stops.first(), run.stops.last()) else {
            problems.push(format!("carrier {}: a run without stops", carrier.id));
            continue;
        };
        if first.arrival < carrier.available.start || last.arrival > carrier.available.end {
            problems.push(format!(
                "carrier {}: out {}..{} outside free hours {}..{}",
                carrier.id,
                first.arrival,
                last.arrival,
                carrier.available.start,
                carrier.available.end
            ));
        }
    }
    for (id, count) in delivered {
        if count > 1 {
            problems.push(format!("request {id} delivered {count} times"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::problem::{Job, Matrix, Route, TimeWindow, Vehicle};

    /// Four places on a line, one unit apart; the depot is place 0.
    pub fn line_problem() -> Problem {
        let size = 4;
        let values = (0..size)
            .flat_map(|a: i64| (0..size).map(move |b: i64| (a - b).abs() * 10))
            .collect();
        let matrix = Matrix { size: 4, values };
        let job = |id: u64,
                   location: usize,
                   amount: i64,
                   window: Option<(i64, i64)>,
                   skills: Vec<u64>| Job {
            id,
            location,
            service: 5,
            delivery: vec![amount],
            pickup: vec![0],
            skills,
            priority: 0,
            time_windows: window
                .map(|(s, e)| vec![TimeWindow { start: s, end: e }])
                .unwrap_or_default(),
        };
        let vehicle = |id: u64, capacity: i64, skills: Vec<u64>| Vehicle {
            id,
            start: Some(0),
            end: Some(0),
            capacity: vec![capacity],
            skills,
            time_window: TimeWindow {
                start: 0,
                end: 1000,
            },
            max_tasks: None,
            max_travel_time: None,
            max_distance: None,
            speed_percent: 100,
        };
        Problem {
            jobs: vec![
                job(1, 1, 2, None, vec![]),
                job(2, 2, 2, Some((0, 40)), vec![]),
                job(3, 3, 2, None, vec![7]),
            ],
            vehicles: vec![vehicle(10, 6, vec![7]), vehicle(11, 3, vec![])],
            durations: matrix.clone(),
            distances: matrix.clone(),
            costs: matrix,
            dimensions: 1,
        }
    }

    #[test]
    fn a_good_solution_passes_with_its_cost() {
        let p = line_problem();
        let s = Solution {
            routes: vec![Route {
                vehicle: 0,
                jobs: vec![0, 1, 2],
            }],
            unassigned: vec![],
        };
        let checked = check(&p, &s).unwrap();
        assert_eq!(checked.cost, 60);
        assert_eq!(checked.served, 3);
    }

    #[test]
    fn every_kind_of_violation_is_found() {
        let p = line_problem();
        let cases = [
            (
                Solution {
                    routes: vec![Route {
                        vehicle: 0,
                        jobs: vec![0, 1],
                    }],
                    unassigned: vec![],
                },
                "appears 0 times",
            ),
            (
                Solution {
                    routes: vec![Route {
                        vehicle: 0,
                        jobs: vec![0, 1, 2, 0],
                    }],
                    unassigned: vec![],
                },
                "appears 2 times",
            ),
            (
                Solution {
                    routes: vec![Route {
                        vehicle: 1,
                        jobs: vec![0, 1],
                    }],
                    unassigned: vec![2],
                },
                "over capacity",
            ),
            (
                Solution {
                    routes: vec![
                        Route {
                            vehicle: 0,
                            jobs: vec![0, 1],
                        },
                        Route {
                            vehicle: 1,
                            jobs: vec![2],
                        },
                    ],
                    unassigned: vec![],
                },
                "lacks a skill",
            ),
            (
                Solution {
                    routes: vec![Route {
                        vehicle: 0,
                        jobs: vec![2, 0, 1],
                    }],
                    unassigned: vec![],
                },
                "after every time window",
            ),
            (
                Solution {
                    routes: vec![
                        Route {
                            vehicle: 0,
                            jobs: vec![0],
                        },
                        Route {
                            vehicle: 0,
                            jobs: vec![1, 2],
                        },
                    ],
                    unassigned: vec![],
                },
                "two routes",
            ),
        ];
        for (solution, expected) in cases {
            let problems = check(&p, &solution).unwrap_err();
            assert!(
                problems.iter().any(|m| m.contains(expected)),
                "{expected}: {problems:?}"
            );
        }
    }
}
