//! The solver: regret insertion to build, then ruin and recreate under simulated annealing
//! until the time limit. A round removes either strings of consecutive jobs from routes that
//! pass near a random job or a ball of its neighbours, and inserts them again either by regret
//! or greedily in a random order. Insertions are priced in constant time per position from
//! each route's `Schedule`.
//! Deterministic for a seed and a limit on iterations; the time limit only stops it early.
//! Objective as VROOM's: serve as many jobs (by priority) as possible, then least cost.

use std::time::{Duration, Instant};

use super::problem::{Problem, Route, Solution};
use super::schedule::{Insertion, Schedule};

#[derive(Debug, Clone)]
pub struct Settings {
    pub time_limit: Duration,
    pub seed: u64,
    /// Stops after this many ruin-and-recreate rounds even with time left (for tests).
    pub max_iterations: Option<u64>,
    /// Independent searches run side by side (seeds `seed`, `seed + 1`, …); the best wins.
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_limit: Duration::from_secs(2),
            seed: 1,
            max_iterations: None,
            threads: 1,
        }
    }
}

/// xorshift64*: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % (n as u64)).unwrap_or(0)
        }
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const UNSERVED_PENALTY: i64 = 1_000_000_000;

struct Model<'a> {
    problem: &'a Problem,
    /// compatible[v][j]
    compatible: Vec<Vec<bool>>,
    /// For each job, the other jobs by increasing travel cost (for related removals).
    neighbours: Vec<Vec<usize>>,
    /// For each job, the cost from the nearest vehicle start (for insertion orders).
    reach: Vec<i64>,
}

impl<'a> Model<'a> {
    fn new(problem: &'a Problem) -> Self {
        let compatible = problem
            .vehicles
            .iter()
            .map(|v| problem.jobs.iter().map(|j| v.can_serve(j)).collect())
            .collect();
        let neighbours = problem
            .jobs
            .iter()
            .map(|a| {
                let mut others: Vec<usize> = (0..problem.jobs.len()).collect();
                others.sort_by_key(|&b| problem.costs.get(a.location, problem.jobs[b].location));
                others
            })
            .collect();
        let reach = problem
            .jobs
            .iter()
            .map(|j| {
                problem
                    .vehicles
                    .iter()
                    .filter_map(|v| v.start.map(|s| problem.costs.get(s, j.location)))
                    .min()
                    .unwrap_or(0)
            })
            .collect();
        Model {
            problem,
            compatible,
            neighbours,
            reach,
        }
    }

    /// The cheapest feasible insertion of `job` into route `r` of `state`.
    fn best_insertion(&self, state: &State, r: usize, job: usize) -> Option<Insertion> {
        let route = &state.routes[r];
        if !self.compatible[route.vehicle][job] {
            return None;
        }
        state.schedules[r]
            .as_ref()?
            .best_insertion(self.problem, route.vehicle, &route.jobs, job)
    }
}

#[derive(Clone)]
struct State {
    routes: Vec<Route>,
    /// One per route; None for a vehicle that cannot even drive from its start to its end.
    schedules: Vec<Option<Schedule>>,
    unassigned: Vec<usize>,
}

impl State {
    fn objective(&self, problem: &Problem) -> i64 {
        let unserved: i64 = self
            .unassigned
            .iter()
            .map(|&j| i64::from(problem.jobs[j].priority) + 1)
            .sum();
        unserved * UNSERVED_PENALTY + self.cost()
    }

    fn cost(&self) -> i64 {
        self.schedules.iter().flatten().map(|s| s.cost).sum()
    }

    /// Builds route `r`'s schedule again after its jobs changed; a route that became
    /// infeasible (possible where the matrix breaks the triangle inequality) gives its jobs
    /// back in `orphans`.
    fn refresh(&mut self, problem: &Problem, r: usize, orphans: &mut Vec<usize>) {
        let route = &mut self.routes[r];
        self.schedules[r] = Schedule::build(problem, route.vehicle, &route.jobs);
        if self.schedules[r].is_none() && !route.jobs.is_empty() {
            orphans.append(&mut route.jobs);
            self.schedules[r] = Schedule::build(problem, route.vehicle, &[]);
        }
    }
}

/// How `recreate` orders the pending jobs.
#[derive(Clone, Copy)]
enum Order {
    /// The job that would lose most by waiting goes first.
    Regret,
    /// The fleet cannot take every job: the job that uses least of it (detour against an
    /// average out-and-back, load against an average load) goes first, so that more fit.
    Frugal { arc: f64, load: f64 },
}

/// Inserts `pending` jobs one at a time in `order`, each where it costs least.
fn recreate(
    model: &Model,
    state: &mut State,
    mut pending: Vec<usize>,
    rng: &mut Rng,
    order: Order,
) {
    let routes = state.routes.len();
    // best[i][r]: cheapest insertion of pending[i] into route r.
    let mut best: Vec<Vec<Option<Insertion>>> = pending
        .iter()
        .map(|&j| {
            (0..routes)
                .map(|r| model.best_insertion(state, r, j))
                .collect()
        })
        .collect();
    while !pending.is_empty() {
        let mut choice: Option<(usize, usize, usize, i64)> = None; // (pending idx, route, pos, score)
        let mut score_best = i64::MIN;
        for (i, options) in best.iter().enumerate() {
            let mut first: Option<(i64, usize, usize)> = None;
            let mut second: Option<i64> = None;
            for (r, option) in options.iter().enumerate() {
                if let Some(Insertion {
                    position: pos,
                    delta,
                }) = option
                {
                    match first {
                        Some((f, _, _)) if *delta >= f => {
                            if second.is_none_or(|s| *delta < s) {
                                second = Some(*delta);
                            }
                        }
                        _ => {
                            second = first.map(|(f, _, _)| f);
                            first = Some((*delta, r, *pos));
                        }
                    }
                }
            }
            let Some((delta, r, pos)) = first else {
                continue;
            };
            let priority = i64::from(model.problem.jobs[pending[i]].priority);
            // A job with one option left must go now; a little noise breaks ties differently
            // on every round.
            let score = match order {
                Order::Regret => {
                    let regret = second.map_or(UNSERVED_PENALTY / 1000, |s| s - delta);
                    let noise = (rng.unit() * 0.1 * (delta.abs() as f64 + 1.0)) as i64;
                    priority * UNSERVED_PENALTY + regret * 2 - delta + noise
                }
                Order::Frugal { arc, load } => {
                    let size: i64 = model.problem.jobs[pending[i]].delivery.iter().sum();
                    let used = delta as f64 / arc + size as f64 / load;
                    priority * UNSERVED_PENALTY - ((used + rng.unit() * 0.3) * 1000.0) as i64
                }
            };
            if score > score_best {
                score_best = score;
                choice = Some((i, r, pos, delta));
            }
        }
        let Some((i, r, pos, _)) = choice else {
            state.unassigned.append(&mut pending);
            return;
        };
        let job = pending.swap_remove(i);
        best.swap_remove(i);
        state.routes[r].jobs.insert(pos, job);
        let mut orphans = Vec::new();
        state.refresh(model.problem, r, &mut orphans);
        // Orphans cannot arise here (the insertion was checked); if they did, they wait.
        state.unassigned.append(&mut orphans);
        for (k, &j) in pending.iter().enumerate() {
            best[k][r] = model.best_insertion(state, r, j);
        }
    }
}

/// How many jobs a string removal takes out on average (SISR's c-bar), and the longest string.
const AVERAGE_REMOVED: f64 = 10.0;
const LONGEST_STRING: f64 = 10.0;

/// Removes strings of consecutive jobs from a few routes that pass near a random job
/// (Christiaens and Vanden Berghe's "slack induction by string removals").
fn ruin_strings(model: &Model, state: &mut State, rng: &mut Rng) -> Vec<usize> {
    let used: Vec<usize> = (0..state.routes.len())
        .filter(|&r| !state.routes[r].jobs.is_empty())
        .collect();
    if used.is_empty() {
        return Vec::new();
    }
    let served: usize = used.iter().map(|&r| state.routes[r].jobs.len()).sum();
    let longest = LONGEST_STRING.min(served as f64 / used.len() as f64);
    let most_strings = 4.0 * AVERAGE_REMOVED / (1.0 + longest) - 1.0;
    let strings = (rng.unit() * most_strings) as usize + 1;
    let seed_route = used[rng.below(used.len())];
    let seed = state.routes[seed_route].jobs[rng.below(state.routes[seed_route].jobs.len())];
    let mut removed = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    for &j in &model.neighbours[seed] {
        if touched.len() >= strings {
            break;
        }
        let Some(r) = state
            .routes
            .iter()
            .position(|route| route.jobs.contains(&j))
        else {
            continue;
        };
        if touched.contains(&r) {
            continue;
        }
        let route = &mut state.routes[r];
        let at = route.jobs.iter().position(|&x| x == j).unwrap_or(0);
        let cap = longest.min(route.jobs.len() as f64);
        let length = ((rng.unit() * cap) as usize + 1).min(route.jobs.len());
        // A string of `length` that holds `at`, placed at random around it.
        let lowest = (at + 1).saturating_sub(length);
        let highest = at.min(route.jobs.len() - length);
        let from = lowest + rng.below(highest - lowest + 1);
        removed.extend(route.jobs.drain(from..from + length));
        touched.push(r);
    }
    for r in touched {
        state.refresh(model.problem, r, &mut removed);
    }
    removed
}

/// Inserts `pending` one job at a time in a random one of SISR's orders (at random, largest
/// first, farthest first, closest first), each where it costs least, skipping a few positions
/// at random.
fn recreate_greedy(model: &Model, state: &mut State, mut pending: Vec<usize>, rng: &mut Rng) {
    let problem = model.problem;
    let size = |j: usize| -> i64 {
        problem.jobs[j].delivery.iter().sum::<i64>() + problem.jobs[j].pickup.iter().sum::<i64>()
    };
    let reach = |j: usize| -> i64 { model.reach[j] };
    match rng.below(11) {
        0..4 => {
            for i in (1..pending.len()).rev() {
                pending.swap(i, rng.below(i + 1));
            }
        }
        4..8 => pending.sort_by_key(|&j| std::cmp::Reverse(size(j))),
        8..10 => pending.sort_by_key(|&j| std::cmp::Reverse(reach(j))),
        _ => pending.sort_by_key(|&j| reach(j)),
    }
    // Priorities first, whatever the order.
    pending.sort_by_key(|&j| std::cmp::Reverse(problem.jobs[j].priority));
    for job in pending {
        let mut best: Option<(usize, Insertion)> = None;
        for r in 0..state.routes.len() {
            let route = &state.routes[r];
            if !model.compatible[route.vehicle][job] {
                continue;
            }
            let Some(schedule) = state.schedules[r].as_ref() else {
                continue;
            };
            if let Some(insertion) =
                schedule.best_insertion_among(problem, route.vehicle, &route.jobs, job, || {
                    rng.unit() >= BLINK
                })
                && best.is_none_or(|(_, b)| insertion.delta < b.delta)
            {
                best = Some((r, insertion));
            }
        }
        match best {
            Some((r, insertion)) => {
                state.routes[r].jobs.insert(insertion.position, job);
                let mut orphans = Vec::new();
                state.refresh(problem, r, &mut orphans);
                state.unassigned.append(&mut orphans);
            }
            None => state.unassigned.push(job),
        }
    }
}

/// The share of positions greedy insertion skips.
const BLINK: f64 = 0.01;

/// Removes about `count` jobs that lie close to a random one (and to each other).
fn ruin(model: &Model, state: &mut State, count: usize, rng: &mut Rng) -> Vec<usize> {
    let assigned: Vec<usize> = state
        .routes
        .iter()
        .flat_map(|r| r.jobs.iter().copied())
        .collect();
    if assigned.is_empty() {
        return Vec::new();
    }
    let seed = assigned[rng.below(assigned.len())];
    let mut removed = Vec::with_capacity(count);
    let mut touched = Vec::new();
    for &j in &model.neighbours[seed] {
        if removed.len() >= count {
            break;
        }
        // Skip some neighbours so that the ruined set is not always the same ball.
        if rng.unit() < 0.2 {
            continue;
        }
        for (r, route) in state.routes.iter_mut().enumerate() {
            if let Some(pos) = route.jobs.iter().position(|&x| x == j) {
                route.jobs.remove(pos);
                if !touched.contains(&r) {
                    touched.push(r);
                }
                removed.push(j);
                break;
            }
        }
    }
    for r in touched {
        state.refresh(model.problem, r, &mut removed);
    }
    removed
}

/// Solves with `settings.threads` independent searches and keeps the best plan (ties go to
/// the lowest seed, so the answer does not depend on which thread finishes first).
pub fn solve(problem: &Problem, settings: &Settings) -> Solution {
    let threads = settings.threads.max(1);
    if threads == 1 {
        return search(problem, settings, settings.seed).1;
    }
    let results: Vec<(i64, Solution)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|t| scope.spawn(move || search(problem, settings, settings.seed.wrapping_add(t))))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    results
        .into_iter()
        .min_by_key(|(objective, _)| *objective)
        .map(|(_, s)| s)
        .unwrap_or_default()
}

/// One search from `seed`: (objective, plan).
fn search(problem: &Problem, settings: &Settings, seed: u64) -> (i64, Solution) {
    let started = Instant::now();
    let model = Model::new(problem);
    let mut rng = Rng::new(seed);
    let mut state = State {
        routes: (0..problem.vehicles.len())
            .map(|v| Route {
                vehicle: v,
                jobs: Vec::new(),
            })
            .collect(),
        schedules: (0..problem.vehicles.len())
            .map(|v| Schedule::build(problem, v, &[]))
            .collect(),
        unassigned: Vec::new(),
    };
    recreate(
        &model,
        &mut state,
        (0..problem.jobs.len()).collect(),
        &mut rng,
        Order::Regret,
    );
    let mut best = state.clone();
    let mut best_objective = state.objective(problem);
    let mut current = best_objective;
    let jobs = problem.jobs.len().max(1);
    let mut iteration = 0u64;
    // Annealing from four times the first plan's cost per job down to a twenty-fifth of it
    // (measured on whole families: Solomon C1/R1/RC1, Augerat A, type-2-like long routes and
    // the mixed fleet; a tenth of this was as good on Augerat and clearly worse on the rest).
    let average_arc = (best.cost() as f64 / jobs as f64).max(1.0);
    let (hot, cold) = (4.0 * average_arc, 0.04 * average_arc);
    // When the first construction leaves jobs out, the fleet may be short: insert frugally.
    let order = if state.unassigned.is_empty() {
        Order::Regret
    } else {
        let loads: i64 = problem
            .jobs
            .iter()
            .map(|j| j.delivery.iter().sum::<i64>())
            .sum();
        // A job's own cost: out and back from the nearest vehicle's start, on average.
        let out_and_back: i64 = problem
            .jobs
            .iter()
            .map(|j| {
                problem
                    .vehicles
                    .iter()
                    .map(|v| {
                        v.start.map_or(0, |s| problem.costs.get(s, j.location))
                            + v.end.map_or(0, |e| problem.costs.get(j.location, e))
                    })
                    .min()
                    .unwrap_or(0)
            })
            .sum();
        Order::Frugal {
            arc: (out_and_back as f64 / jobs as f64).max(1.0),
            load: (loads as f64 / jobs as f64).max(1.0),
        }
    };
    while started.elapsed() < settings.time_limit
        && settings.max_iterations.is_none_or(|m| iteration < m)
    {
        iteration += 1;
        let progress = match settings.max_iterations {
            Some(m) => iteration as f64 / m as f64,
            None => started.elapsed().as_secs_f64() / settings.time_limit.as_secs_f64().max(1e-9),
        };
        let temperature = hot * (cold / hot).powf(progress.min(1.0));
        let saved = state.clone();
        let count = 2 + rng.below((jobs / 8).clamp(1, 30));
        // Frugal only while jobs are left out; once all fit, regret makes cheaper routes.
        let this_round = if state.unassigned.is_empty() {
            Order::Regret
        } else {
            order
        };
        // Half the rounds take strings out of a few routes, half a ball of neighbours; half
        // rebuild by regret, half greedily in a random order (measured on the public sets as
        // a whole: either alone is worse on one family).
        let mut removed = if rng.unit() < 0.5 {
            ruin_strings(&model, &mut state, &mut rng)
        } else {
            ruin(&model, &mut state, count, &mut rng)
        };
        removed.append(&mut state.unassigned);
        if matches!(this_round, Order::Regret) && rng.unit() < 0.5 {
            recreate_greedy(&model, &mut state, removed, &mut rng);
        } else {
            recreate(&model, &mut state, removed, &mut rng, this_round);
        }
        let candidate = state.objective(problem);
        let accept = candidate <= current
            || rng.unit() < (-((candidate - current) as f64) / temperature).exp();
        if accept {
            current = candidate;
            if candidate < best_objective {
                best_objective = candidate;
                best = state.clone();
            }
        } else {
            state = saved;
        }
    }
    let mut unassigned = best.unassigned;
    unassigned.sort_unstable();
    let routes = best
        .routes
        .into_iter()
        .filter(|r| !r.jobs.is_empty())
        .collect();
    (best_objective, Solution { routes, unassigned })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::check::check;
    use crate::planning::problem::{Job, Matrix, TimeWindow, Vehicle};

    /// A random instance: `n` jobs on a 100 x 100 grid, a mixed fleet with skills and time
    /// windows, from `seed`.
    fn random_problem(seed: u64, n: usize) -> Problem {
        let mut rng = Rng::new(seed);
        let size = n + 2;
        let points: Vec<(i64, i64)> = (0..size)
            .map(|_| (rng.below(100) as i64, rng.below(100) as i64))
            .collect();
        let values = points
            .iter()
            .flat_map(|a| {
                points.iter().map(move |b| {
                    (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64)
                        .sqrt()
                        .round() as i64
                })
            })
            .collect();
        let matrix = Matrix { size, values };
        let jobs = (0..n)
            .map(|i| {
                let start = rng.below(300) as i64;
                Job {
                    id: i as u64 + 1,
                    location: i + 2,
                    service: 5,
                    delivery: vec![1 + rng.below(4) as i64, rng.below(2) as i64],
                    pickup: vec![0, rng.below(2) as i64],
                    skills: if rng.below(4) == 0 { vec![1] } else { vec![] },
                    priority: rng.below(3) as u32,
                    time_windows: if rng.below(2) == 0 {
                        vec![TimeWindow {
                            start,
                            end: start + 60 + rng.below(200) as i64,
                        }]
                    } else {
                        vec![]
                    },
                }
            })
            .collect();
        let vehicles = (0..3)
            .map(|v| Vehicle {
                id: v,
                start: Some(usize::try_from(v % 2).unwrap_or(0)),
                end: Some(0),
                capacity: vec![8 + 4 * v as i64, 3],
                skills: if v == 0 { vec![1] } else { vec![] },
                time_window: TimeWindow { start: 0, end: 600 },
                max_tasks: if v == 2 { Some(4) } else { None },
                max_travel_time: None,
                max_distance: if v == 1 { Some(400) } else { None },
                speed_percent: 100,
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

    fn settings(seed: u64) -> Settings {
        Settings {
            time_limit: Duration::from_secs(60),
            seed,
            max_iterations: Some(150),
            threads: 1,
        }
    }

    #[test]
    fn every_solution_on_random_instances_is_feasible() {
        for seed in 0..25 {
            let problem = random_problem(seed, 8 + (seed as usize % 13));
            let solution = solve(&problem, &settings(seed));
            if let Err(problems) = check(&problem, &solution) {
                panic!("seed {seed}: {problems:?}");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_plan() {
        let problem = random_problem(42, 15);
        assert_eq!(solve(&problem, &settings(7)), solve(&problem, &settings(7)));
        let two = Settings {
            threads: 2,
            ..settings(7)
        };
        assert_eq!(
            solve(&problem, &two),
            solve(&problem, &two),
            "with two threads too"
        );
    }

    #[test]
    fn two_searches_are_never_worse_than_one() {
        for seed in 0..5 {
            let problem = random_problem(100 + seed, 20);
            // VROOM's order: unserved jobs weighted by priority first, then cost.
            let rank = |solution: &Solution| {
                let unserved: i64 = solution
                    .unassigned
                    .iter()
                    .map(|&j| i64::from(problem.jobs[j].priority) + 1)
                    .sum();
                (unserved, check(&problem, solution).unwrap().cost)
            };
            let one = rank(&solve(&problem, &settings(seed)));
            let two = rank(&solve(
                &problem,
                &Settings {
                    threads: 2,
                    ..settings(seed)
                },
            ));
            // The first of the two searches is the single one; the other can only replace it
            // with a better plan.
            assert!(two <= one, "seed {seed}: {one:?} vs {two:?}");
        }
    }

    /// `places` points on a line, 10 apart; a one-unit job at each of `jobs`; vehicles from
    /// place 0 to the given ends with the given capacity.
    fn on_a_line(places: usize, jobs: &[usize], ends: &[usize], capacity: i64) -> Problem {
        let size = places as i64;
        let values = (0..size)
            .flat_map(|a| (0..size).map(move |b| (a - b).abs() * 10))
            .collect();
        let matrix = Matrix {
            size: places,
            values,
        };
        Problem {
            jobs: jobs
                .iter()
                .map(|&at| Job {
                    id: at as u64,
                    location: at,
                    service: 0,
                    delivery: vec![1],
                    pickup: vec![0],
                    skills: vec![],
                    priority: 0,
                    time_windows: vec![],
                })
                .collect(),
            vehicles: ends
                .iter()
                .enumerate()
                .map(|(id, &end)| Vehicle {
                    id: id as u64 + 1,
                    start: Some(0),
                    end: Some(end),
                    capacity: vec![capacity],
                    skills: vec![],
                    time_window: TimeWindow::ALWAYS,
                    max_tasks: None,
                    max_travel_time: None,
                    max_distance: None,
                    speed_percent: 100,
                })
                .collect(),
            durations: matrix.clone(),
            distances: matrix.clone(),
            costs: matrix,
            dimensions: 1,
        }
    }

    #[test]
    fn it_finds_the_optimum_of_a_small_line() {
        // Depot at 0, jobs at 1, 2, 3: one of two vehicles out and back, 60.
        let problem = on_a_line(4, &[1, 2, 3], &[0, 0], 3);
        let solution = solve(&problem, &settings(1));
        assert_eq!(check(&problem, &solution).unwrap().cost, 60);
    }

    #[test]
    fn an_unused_vehicle_costs_nothing() {
        // A job at 4; one vehicle out of 0 and back, one from 0 to its home at 10. The job
        // lies on the second one's way home, but that vehicle would not drive at all without
        // it: 0-4-0 (80) beats 0-4-10 (100).
        let problem = on_a_line(11, &[4], &[0, 10], 1);
        let solution = solve(&problem, &settings(1));
        assert_eq!(check(&problem, &solution).unwrap().cost, 80, "{solution:?}");
    }

    #[test]
    fn a_short_fleet_serves_as_many_jobs_as_fit() {
        // One vehicle of capacity 10 at place 0; a 10-unit job right next door (place 1) and
        // five 2-unit jobs a little further (place 2): cheapest-first takes the big one and
        // serves one job; serving the five small ones is what VROOM's objective asks for.
        let at = [0i64, 1, 3];
        let size = 8;
        let place = |i: usize| if i < 2 { at[i] } else { at[2] };
        let values = (0..size)
            .flat_map(|a| (0..size).map(move |b| (place(a) - place(b)).abs() * 10))
            .collect();
        let matrix = Matrix { size, values };
        let jobs = (1..size)
            .map(|i| Job {
                id: i as u64,
                location: i,
                service: 0,
                delivery: vec![if i == 1 { 10 } else { 2 }],
                pickup: vec![0],
                skills: vec![],
                priority: 0,
                time_windows: vec![],
            })
            .collect();
        let problem = Problem {
            jobs,
            vehicles: vec![Vehicle {
                id: 1,
                start: Some(0),
                end: Some(0),
                capacity: vec![10],
                skills: vec![],
                time_window: TimeWindow::ALWAYS,
                max_tasks: None,
                max_travel_time: None,
                max_distance: None,
                speed_percent: 100,
            }],
            durations: matrix.clone(),
            distances: matrix.clone(),
            costs: matrix,
            dimensions: 1,
        };
        let solution = solve(&problem, &settings(1));
        let checked = check(&problem, &solution).unwrap();
        assert_eq!(checked.served, 5);
        // The big job and one of the small ones wait.
        assert_eq!(solution.unassigned.len(), 2);
        assert_eq!(solution.unassigned[0], 0);
    }
}
