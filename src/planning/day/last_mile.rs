//! Step 3 of the day: each hub's home deliveries as a vehicle routing problem, solved side
//! by side, and the solved routes as runs.

use super::*;

pub(super) fn legs_or_fallback(
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
pub(super) struct HubOutcome {
    pub(super) hub: usize,
    /// The carriers (indices into `Day::carriers`) whose runs are in `runs`.
    pub(super) used: Vec<usize>,
    pub(super) runs: Vec<Run>,
    /// (run, stop, request) for every delivery.
    pub(super) placed: Vec<(usize, usize, usize)>,
    pub(super) unassigned: Vec<(usize, Reason)>,
    pub(super) failure: Option<String>,
    /// The hub's search stopped unexpectedly (a fault of ours): its deliveries are unassigned.
    pub(super) search_failed: bool,
}
/// Each hub's home deliveries that need a new run.
pub(super) fn home_deliveries(day: &Day, line_haul: &LineHaul) -> Vec<Vec<usize>> {
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
/// Step 3: each hub's home deliveries as a vehicle routing problem, hubs side by side.
pub(super) fn last_mile(
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

    for outcome in outcomes.iter().filter(|o| o.search_failed) {
        plan.warnings.push(format!(
            "the search for hub {} stopped unexpectedly; its home deliveries are unassigned (search_failed): plan the date again",
            day.hubs[outcome.hub].id
        ));
    }
    // A hub with no outcome at all (its worker died outside the search): the same, so that
    // no request is ever left out of both the placements and the unassigned list.
    let solved: HashSet<usize> = outcomes.iter().map(|o| o.hub).collect();
    for (h, _) in &work {
        if !solved.contains(h) {
            plan.warnings.push(format!(
                "the last mile of hub {} could not be planned; plan the date again",
                day.hubs[*h].id
            ));
            for &r in &jobs[*h] {
                plan.unassigned
                    .push((day.requests[r].id, Reason::SearchFailed));
            }
        }
    }
    outcomes
}

/// What every hub's sub-problem shares.
pub(super) struct HubContext<'a> {
    pub(super) day: &'a Day,
    pub(super) jobs: &'a [Vec<usize>],
    pub(super) ready: &'a [Seconds],
    pub(super) travel: &'a dyn TravelTimes,
    pub(super) fallback: &'a GreatCircle,
    pub(super) settings: &'a PlanSettings,
}

/// Solves `work` (hub, crew) side by side within `budget`, each hub its share by deliveries.
pub(super) fn solve_hubs(
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
            // One hub's failure must not take the other hubs, or its own requests, with it.
            let solved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                solve_hub(
                    context.day,
                    *h,
                    jobs,
                    crew,
                    context.ready[*h],
                    context.travel,
                    context.fallback,
                    context.settings,
                    limit,
                )
            }));
            done.push(solved.unwrap_or_else(|_| HubOutcome {
                hub: *h,
                used: Vec::new(),
                runs: Vec::new(),
                placed: Vec::new(),
                unassigned: jobs.iter().map(|&r| (r, Reason::SearchFailed)).collect(),
                failure: None,
                search_failed: true,
            }));
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
pub(super) fn hub_problem(
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
pub(super) fn solve_hub(
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
        search_failed: false,
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
pub(super) fn to_run(
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
