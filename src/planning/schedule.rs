//! What a route's timing and loads leave room for, so that the solver can test a job at every
//! position of a route in constant time each instead of walking the whole route again.
//!
//! For each position it keeps when the vehicle leaves (waiting included), the latest time it may
//! arrive without making any later stop or the end late, and the load on board; the cost,
//! travel time and distance of the whole route sit beside them. Built on feasible routes only.

use super::problem::{Problem, Seconds, TimeWindow, Vehicle};

#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// depart[i]: when the vehicle leaves job i, service done.
    depart: Vec<Seconds>,
    /// latest[i]: the latest arrival at job i that keeps every later stop and the end on time.
    latest: Vec<Seconds>,
    /// Running maxima of the load on board (`dimensions` values per point: before the first
    /// job, then after each) from the front and from the back.
    loads_max_before: Vec<i64>,
    loads_max_after: Vec<i64>,
    pub cost: i64,
    travel: Seconds,
    metres: i64,
}

/// Where a job would go and what it adds to the route's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insertion {
    pub position: usize,
    pub delta: i64,
}

/// The service start at a stop reached at `arrival`: the first window still open, waiting for
/// it to open; None when every window has closed.
pub fn service_start(windows: &[TimeWindow], arrival: Seconds) -> Option<Seconds> {
    if windows.is_empty() {
        return Some(arrival);
    }
    windows
        .iter()
        .find(|w| arrival <= w.end)
        .map(|w| arrival.max(w.start))
}

/// The latest arrival whose service can start by `latest_start`, or None.
fn latest_arrival(windows: &[TimeWindow], latest_start: Seconds) -> Option<Seconds> {
    if windows.is_empty() {
        return Some(latest_start);
    }
    windows
        .iter()
        .filter(|w| w.start <= latest_start)
        .map(|w| w.end.min(latest_start))
        .max()
}

struct Legs<'a> {
    problem: &'a Problem,
    vehicle: &'a Vehicle,
}

impl Legs<'_> {
    fn time(&self, from: Option<usize>, to: Option<usize>) -> Seconds {
        match (from, to) {
            (Some(a), Some(b)) => self.vehicle.travel_time(self.problem.durations.get(a, b)),
            _ => 0,
        }
    }
    fn metres(&self, from: Option<usize>, to: Option<usize>) -> i64 {
        match (from, to) {
            (Some(a), Some(b)) => self.problem.distances.get(a, b),
            _ => 0,
        }
    }
    fn cost(&self, from: Option<usize>, to: Option<usize>) -> i64 {
        match (from, to) {
            (Some(a), Some(b)) => self.problem.costs.get(a, b),
            _ => 0,
        }
    }
}

impl Schedule {
    /// The schedule of `vehicle` serving `jobs` in order; None when that is infeasible.
    pub fn build(problem: &Problem, vehicle: usize, jobs: &[usize]) -> Option<Schedule> {
        let v = &problem.vehicles[vehicle];
        let legs = Legs {
            problem,
            vehicle: v,
        };
        if v.max_tasks.is_some_and(|m| jobs.len() > m) {
            return None;
        }
        let dims = problem.dimensions;
        let amount = |values: &[i64], d: usize| values.get(d).copied().unwrap_or(0);
        let mut loads = vec![0i64; dims * (jobs.len() + 1)];
        for &j in jobs {
            for (d, load) in loads.iter_mut().take(dims).enumerate() {
                *load += amount(&problem.jobs[j].delivery, d);
            }
        }
        for (k, &j) in jobs.iter().enumerate() {
            let job = &problem.jobs[j];
            for d in 0..dims {
                loads[(k + 1) * dims + d] =
                    loads[k * dims + d] - amount(&job.delivery, d) + amount(&job.pickup, d);
            }
        }
        let capacity = |d: usize| v.capacity.get(d).copied().unwrap_or(0);
        if loads
            .chunks(dims.max(1))
            .any(|point| point.iter().enumerate().any(|(d, l)| *l > capacity(d)))
        {
            return None;
        }
        let mut loads_max_before = loads.clone();
        for k in 1..=jobs.len() {
            for d in 0..dims {
                loads_max_before[k * dims + d] =
                    loads_max_before[k * dims + d].max(loads_max_before[(k - 1) * dims + d]);
            }
        }
        let mut loads_max_after = loads;
        for k in (0..jobs.len()).rev() {
            for d in 0..dims {
                loads_max_after[k * dims + d] =
                    loads_max_after[k * dims + d].max(loads_max_after[(k + 1) * dims + d]);
            }
        }

        let mut depart = Vec::with_capacity(jobs.len());
        let (mut time, mut cost, mut travel, mut metres) = (v.time_window.start, 0, 0, 0);
        let mut here = v.start;
        for &j in jobs {
            let job = &problem.jobs[j];
            let to = Some(job.location);
            time += legs.time(here, to);
            travel += legs.time(here, to);
            metres += legs.metres(here, to);
            cost += legs.cost(here, to);
            time = service_start(&job.time_windows, time)? + job.service;
            depart.push(time);
            here = to;
        }
        // An unused vehicle stays at home: it costs nothing and breaks no limit (as VROOM and
        // the checker count it).
        let end = if jobs.is_empty() { None } else { v.end };
        time += legs.time(here, end);
        travel += legs.time(here, end);
        metres += legs.metres(here, end);
        cost += legs.cost(here, end);
        if (!jobs.is_empty() && time > v.time_window.end)
            || v.max_travel_time.is_some_and(|m| travel > m)
            || v.max_distance.is_some_and(|m| metres > m)
        {
            return None;
        }

        let mut latest = vec![0; jobs.len()];
        let mut next = v.end;
        let mut latest_next = v.time_window.end;
        for (k, &j) in jobs.iter().enumerate().rev() {
            let job = &problem.jobs[j];
            let latest_start = latest_next - legs.time(Some(job.location), next) - job.service;
            latest[k] = latest_arrival(&job.time_windows, latest_start)?;
            latest_next = latest[k];
            next = Some(job.location);
        }
        Some(Schedule {
            depart,
            latest,
            loads_max_before,
            loads_max_after,
            cost,
            travel,
            metres,
        })
    }

    /// What putting `job` before position `position` of `jobs` (served by `vehicle`, whose
    /// schedule this is) adds to the cost, or None when the route would become infeasible.
    /// The caller has checked skills.
    pub fn insertion_delta(
        &self,
        problem: &Problem,
        vehicle: usize,
        jobs: &[usize],
        job: usize,
        position: usize,
    ) -> Option<i64> {
        let v = &problem.vehicles[vehicle];
        let legs = Legs {
            problem,
            vehicle: v,
        };
        let n = jobs.len();
        if v.max_tasks.is_some_and(|m| n + 1 > m) {
            return None;
        }
        let new = &problem.jobs[job];
        let dims = problem.dimensions;
        for d in 0..dims {
            let capacity = v.capacity.get(d).copied().unwrap_or(0);
            let delivery = new.delivery.get(d).copied().unwrap_or(0);
            let pickup = new.pickup.get(d).copied().unwrap_or(0);
            if self.loads_max_before[position * dims + d] + delivery > capacity
                || self.loads_max_after[position * dims + d] + pickup > capacity
            {
                return None;
            }
        }
        let (previous, depart_previous) = if position == 0 {
            (v.start, v.time_window.start)
        } else {
            (
                Some(problem.jobs[jobs[position - 1]].location),
                self.depart[position - 1],
            )
        };
        let (next, latest_next) = if position == n {
            (v.end, v.time_window.end)
        } else {
            (
                Some(problem.jobs[jobs[position]].location),
                self.latest[position],
            )
        };
        let here = Some(new.location);
        // The leg the new job replaces; an empty route has none (see `build`).
        let replaced = if n == 0 { None } else { next };
        let arrival = depart_previous + legs.time(previous, here);
        let depart = service_start(&new.time_windows, arrival)? + new.service;
        if depart + legs.time(here, next) > latest_next {
            return None;
        }
        if let Some(m) = v.max_travel_time {
            let travel = self.travel - legs.time(previous, replaced)
                + legs.time(previous, here)
                + legs.time(here, next);
            if travel > m {
                return None;
            }
        }
        if let Some(m) = v.max_distance {
            let metres = self.metres - legs.metres(previous, replaced)
                + legs.metres(previous, here)
                + legs.metres(here, next);
            if metres > m {
                return None;
            }
        }
        Some(legs.cost(previous, here) + legs.cost(here, next) - legs.cost(previous, replaced))
    }

    /// The cheapest place for `job` in the route, or None when it fits nowhere.
    pub fn best_insertion(
        &self,
        problem: &Problem,
        vehicle: usize,
        jobs: &[usize],
        job: usize,
    ) -> Option<Insertion> {
        self.best_insertion_among(problem, vehicle, jobs, job, || true)
    }

    /// As `best_insertion`, looking only at the positions `look` says yes to (the solver
    /// skips a few at random so that repeated rebuilds differ).
    pub fn best_insertion_among(
        &self,
        problem: &Problem,
        vehicle: usize,
        jobs: &[usize],
        job: usize,
        mut look: impl FnMut() -> bool,
    ) -> Option<Insertion> {
        let mut best: Option<Insertion> = None;
        for position in 0..=jobs.len() {
            if !look() {
                continue;
            }
            if let Some(delta) = self.insertion_delta(problem, vehicle, jobs, job, position)
                && best.is_none_or(|b| delta < b.delta)
            {
                best = Some(Insertion { position, delta });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::problem::{Job, Matrix};

    /// xorshift, enough for test data.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Random small problems with tight windows (some with two), pickups and deliveries in
    /// two dimensions, range and travel limits, a slower vehicle and one without an end.
    fn random_problem(seed: u64) -> Problem {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut below = |n: u64| next(&mut s) % n;
        let size = 12;
        let points: Vec<(i64, i64)> = (0..size)
            .map(|_| (below(50) as i64, below(50) as i64))
            .collect();
        let values = points
            .iter()
            .flat_map(|a| {
                points
                    .iter()
                    .map(move |b| (a.0 - b.0).abs() + (a.1 - b.1).abs())
            })
            .collect();
        let matrix = Matrix { size, values };
        let jobs = (1..size)
            .map(|i| {
                let start = below(200) as i64;
                let mut time_windows = vec![TimeWindow {
                    start,
                    end: start + 10 + below(60) as i64,
                }];
                if below(3) == 0 {
                    let later = time_windows[0].end + 20 + below(50) as i64;
                    time_windows.push(TimeWindow {
                        start: later,
                        end: later + 30,
                    });
                }
                if below(4) == 0 {
                    time_windows.clear();
                }
                Job {
                    id: i as u64,
                    location: i,
                    service: below(6) as i64,
                    delivery: vec![below(4) as i64, below(2) as i64],
                    pickup: vec![below(3) as i64, below(2) as i64],
                    skills: vec![],
                    priority: 0,
                    time_windows,
                }
            })
            .collect();
        let vehicles = (0..3)
            .map(|v| Vehicle {
                id: v,
                start: Some(0),
                // One ends where it started, one elsewhere (a volunteer going home), one
                // wherever its last stop is.
                end: [Some(0), Some(size - 1), None][v as usize],
                capacity: vec![10 + 2 * v as i64, 4],
                skills: vec![],
                time_window: TimeWindow {
                    start: 0,
                    end: 300 + 50 * v as i64,
                },
                max_tasks: if v == 1 { Some(5) } else { None },
                max_travel_time: if v == 0 { Some(250) } else { None },
                max_distance: if v == 2 { Some(200) } else { None },
                speed_percent: if v == 1 { 50 } else { 100 },
            })
            .collect();
        Problem {
            jobs,
            vehicles,
            durations: matrix.clone(),
            distances: matrix.clone(),
            costs: matrix,
            dimensions: 2,
        }
    }

    #[test]
    fn an_insertion_is_priced_as_building_the_longer_route_again() {
        let (mut checked, mut feasible) = (0, 0);
        for seed in 1..300u64 {
            let problem = random_problem(seed);
            let mut s = seed;
            for vehicle in 0..problem.vehicles.len() {
                // A feasible route grown at random, then every job at every position.
                let mut route: Vec<usize> = Vec::new();
                for _ in 0..20 {
                    let job = (next(&mut s) % problem.jobs.len() as u64) as usize;
                    if route.contains(&job) {
                        continue;
                    }
                    let position = (next(&mut s) % (route.len() as u64 + 1)) as usize;
                    let mut longer = route.clone();
                    longer.insert(position, job);
                    if Schedule::build(&problem, vehicle, &longer).is_some() {
                        route = longer;
                    }
                }
                let Some(schedule) = Schedule::build(&problem, vehicle, &route) else {
                    continue;
                };
                for job in (0..problem.jobs.len()).filter(|j| !route.contains(j)) {
                    for position in 0..=route.len() {
                        let mut longer = route.clone();
                        longer.insert(position, job);
                        let rebuilt = Schedule::build(&problem, vehicle, &longer);
                        let priced =
                            schedule.insertion_delta(&problem, vehicle, &route, job, position);
                        assert_eq!(
                            priced,
                            rebuilt.as_ref().map(|r| r.cost - schedule.cost),
                            "seed {seed}, vehicle {vehicle}, {job} at {position} of {route:?}"
                        );
                        checked += 1;
                        feasible += usize::from(rebuilt.is_some());
                    }
                }
            }
        }
        // Both answers occur often, so the comparison means something either way.
        assert!(
            feasible > 1000 && checked - feasible > 1000,
            "{feasible} of {checked}"
        );
    }

    #[test]
    fn a_schedule_agrees_with_the_independent_checker() {
        use crate::planning::check::check;
        use crate::planning::problem::{Route, Solution};
        for seed in 1..200u64 {
            let problem = random_problem(seed);
            let mut s = seed;
            // Every tenth route is empty: an unused vehicle costs nothing.
            let jobs: Vec<usize> = if seed % 10 == 0 {
                Vec::new()
            } else {
                (0..problem.jobs.len())
                    .filter(|_| next(&mut s).is_multiple_of(3))
                    .collect()
            };
            for vehicle in 0..problem.vehicles.len() {
                let solution = Solution {
                    routes: vec![Route {
                        vehicle,
                        jobs: jobs.clone(),
                    }],
                    unassigned: (0..problem.jobs.len())
                        .filter(|j| !jobs.contains(j))
                        .collect(),
                };
                let checked = check(&problem, &solution).ok().map(|c| c.cost);
                let built = Schedule::build(&problem, vehicle, &jobs).map(|b| b.cost);
                assert_eq!(built, checked, "seed {seed}, vehicle {vehicle}, {jobs:?}");
            }
        }
    }
}
