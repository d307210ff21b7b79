//! VROOM's JSON problem format (the supported subset) in, VROOM's solution shape out, and a
//! problem written back as VROOM input so that VROOM (or pyvroom) solves exactly what Yui did.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::FormatError;
use crate::planning::problem::{Job, Matrix, Problem, Solution, TimeWindow, Vehicle};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputJob {
    id: u64,
    location: Option<[f64; 2]>,
    location_index: Option<usize>,
    #[serde(default)]
    service: i64,
    #[serde(default)]
    delivery: Vec<i64>,
    #[serde(default)]
    pickup: Vec<i64>,
    #[serde(default)]
    skills: Vec<u64>,
    #[serde(default)]
    priority: u32,
    #[serde(default)]
    time_windows: Vec<[i64; 2]>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputVehicle {
    id: u64,
    start: Option<[f64; 2]>,
    end: Option<[f64; 2]>,
    start_index: Option<usize>,
    end_index: Option<usize>,
    #[serde(default)]
    capacity: Vec<i64>,
    #[serde(default)]
    skills: Vec<u64>,
    time_window: Option<[i64; 2]>,
    max_tasks: Option<usize>,
    max_travel_time: Option<i64>,
    max_distance: Option<i64>,
    /// Travel times are the matrix's divided by this (VROOM: 0 < factor <= 5).
    speed_factor: Option<f64>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputMatrices {
    durations: Option<Vec<Vec<i64>>>,
    distances: Option<Vec<Vec<i64>>>,
    costs: Option<Vec<Vec<i64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    #[serde(default)]
    jobs: Vec<InputJob>,
    vehicles: Vec<InputVehicle>,
    #[serde(default)]
    matrices: HashMap<String, InputMatrices>,
}

/// Metres per second for the great-circle fallback (50 km/h on mountain roads).
const FALLBACK_SPEED: f64 = 50_000.0 / 3600.0;

fn great_circle_metres(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (lon1, lat1, lon2, lat2) = (
        a[0].to_radians(),
        a[1].to_radians(),
        b[0].to_radians(),
        b[1].to_radians(),
    );
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

fn square(name: &str, rows: Vec<Vec<i64>>) -> Result<Matrix, FormatError> {
    let size = rows.len();
    if rows.iter().any(|r| r.len() != size) {
        return Err(FormatError(format!("matrices.{name} must be square")));
    }
    Ok(Matrix {
        size,
        values: rows.into_iter().flatten().collect(),
    })
}

/// Reads a VROOM problem. Anything outside the supported subset is refused by name.
pub fn parse_vroom(text: &str) -> Result<Problem, FormatError> {
    let input: Input = serde_json::from_str(text)
        .map_err(|e| FormatError(format!("unsupported or malformed input: {e}")))?;
    if input.vehicles.is_empty() {
        return Err(FormatError(
            "vehicles: at least one vehicle is needed".into(),
        ));
    }
    // Locations given as coordinates get indices of their own.
    let mut coordinates: Vec<[f64; 2]> = Vec::new();
    let mut index_of = |c: [f64; 2]| -> usize {
        match coordinates.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                coordinates.push(c);
                coordinates.len() - 1
            }
        }
    };
    let uses_matrix = !input.matrices.is_empty();
    let mut jobs = Vec::with_capacity(input.jobs.len());
    for job in &input.jobs {
        let location = match (job.location_index, job.location, uses_matrix) {
            (Some(i), _, true) => i,
            (_, Some(c), false) => index_of(c),
            (None, _, true) => {
                return Err(FormatError(format!(
                    "jobs[{}].location_index is needed with matrices",
                    job.id
                )));
            }
            (_, None, false) => {
                return Err(FormatError(format!(
                    "jobs[{}].location is needed without matrices",
                    job.id
                )));
            }
        };
        let _ = &job.description;
        let mut windows: Vec<TimeWindow> = job
            .time_windows
            .iter()
            .map(|w| TimeWindow {
                start: w[0],
                end: w[1],
            })
            .collect();
        windows.sort_by_key(|w| w.start);
        jobs.push(Job {
            id: job.id,
            location,
            service: job.service,
            delivery: job.delivery.clone(),
            pickup: job.pickup.clone(),
            skills: job.skills.clone(),
            priority: job.priority,
            time_windows: windows,
        });
    }
    let mut vehicles = Vec::with_capacity(input.vehicles.len());
    for v in &input.vehicles {
        let place = |index: Option<usize>,
                     coords: Option<[f64; 2]>,
                     index_of: &mut dyn FnMut([f64; 2]) -> usize| {
            if uses_matrix {
                index
            } else {
                coords.map(index_of)
            }
        };
        let start = place(v.start_index, v.start, &mut index_of);
        let end = place(v.end_index, v.end, &mut index_of);
        let _ = (&v.profile, &v.description);
        let speed_percent = match v.speed_factor {
            None => 100,
            Some(f) if f.is_finite() && f > 0.0 && f <= 5.0 => (f * 100.0).round().max(1.0) as i64,
            Some(_) => {
                return Err(FormatError(format!(
                    "vehicles[{}].speed_factor must be greater than 0 and at most 5",
                    v.id
                )));
            }
        };
        vehicles.push(Vehicle {
            id: v.id,
            start,
            end,
            capacity: v.capacity.clone(),
            skills: v.skills.clone(),
            time_window: v.time_window.map_or(TimeWindow::ALWAYS, |w| TimeWindow {
                start: w[0],
                end: w[1],
            }),
            max_tasks: v.max_tasks,
            max_travel_time: v.max_travel_time,
            max_distance: v.max_distance,
            speed_percent,
        });
    }
    let (durations, distances, costs) = if uses_matrix {
        let mut profiles = input.matrices.into_iter();
        let Some((profile, m)) = profiles.next() else {
            return Err(FormatError("matrices is empty".into()));
        };
        if profiles.next().is_some() {
            return Err(FormatError(
                "matrices: one profile only is supported".into(),
            ));
        }
        let durations = match m.durations {
            Some(d) => square("durations", d)?,
            None => {
                return Err(FormatError(format!(
                    "matrices.{profile}.durations is needed"
                )));
            }
        };
        let distances = match m.distances {
            Some(d) => square("distances", d)?,
            None => durations.clone(),
        };
        let costs = match m.costs {
            Some(c) => square("costs", c)?,
            None => durations.clone(),
        };
        (durations, distances, costs)
    } else {
        let size = coordinates.len();
        let metres: Vec<i64> = coordinates
            .iter()
            .flat_map(|a| {
                coordinates
                    .iter()
                    .map(move |b| great_circle_metres(*a, *b).round() as i64)
            })
            .collect();
        let seconds: Vec<i64> = metres
            .iter()
            .map(|m| (*m as f64 / FALLBACK_SPEED).round() as i64)
            .collect();
        let durations = Matrix {
            size,
            values: seconds,
        };
        (
            durations.clone(),
            Matrix {
                size,
                values: metres,
            },
            durations,
        )
    };
    let size = durations.size;
    let out_of_range = jobs
        .iter()
        .map(|j| Some(j.location))
        .chain(vehicles.iter().flat_map(|v| [v.start, v.end]))
        .flatten()
        .any(|i| i >= size);
    if out_of_range || distances.size != size || costs.size != size {
        return Err(FormatError(
            "a location_index is outside the matrices".into(),
        ));
    }
    let dimensions = jobs
        .iter()
        .map(|j| j.delivery.len().max(j.pickup.len()))
        .chain(vehicles.iter().map(|v| v.capacity.len()))
        .max()
        .unwrap_or(0);
    for v in &mut vehicles {
        if v.capacity.is_empty() {
            v.capacity = vec![i64::MAX / 4; dimensions];
        } else if v.capacity.len() != dimensions {
            return Err(FormatError(format!(
                "vehicles[{}].capacity must have {dimensions} amounts",
                v.id
            )));
        }
    }
    for j in &mut jobs {
        j.delivery.resize(dimensions, 0);
        j.pickup.resize(dimensions, 0);
    }
    Ok(Problem {
        jobs,
        vehicles,
        durations,
        distances,
        costs,
        dimensions,
    })
}

#[derive(Serialize)]
struct Step {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_index: Option<usize>,
    arrival: i64,
    load: Vec<i64>,
}

/// The solution in VROOM's output shape, with times recomputed along each route.
pub fn to_vroom_output(
    problem: &Problem,
    solution: &Solution,
    loading_ms: u128,
    solving_ms: u128,
) -> Value {
    let mut routes = Vec::new();
    let (mut total_cost, mut total_distance, mut total_duration) = (0i64, 0i64, 0i64);
    for route in &solution.routes {
        let vehicle = &problem.vehicles[route.vehicle];
        let mut load = vec![0i64; problem.dimensions];
        for &j in &route.jobs {
            for (d, a) in problem.jobs[j].delivery.iter().enumerate() {
                load[d] += a;
            }
        }
        let mut steps = Vec::new();
        let mut time = vehicle.time_window.start;
        let (mut cost, mut distance, mut duration) = (0i64, 0i64, 0i64);
        let mut here = vehicle.start;
        steps.push(Step {
            kind: "start",
            id: None,
            location_index: vehicle.start,
            arrival: time,
            load: load.clone(),
        });
        for &j in &route.jobs {
            let job = &problem.jobs[j];
            if let Some(from) = here {
                time += vehicle.travel_time(problem.durations.get(from, job.location));
                duration += vehicle.travel_time(problem.durations.get(from, job.location));
                distance += problem.distances.get(from, job.location);
                cost += problem.costs.get(from, job.location);
            }
            here = Some(job.location);
            let arrival = time;
            if let Some(w) = job.time_windows.iter().find(|w| time <= w.end) {
                time = time.max(w.start);
            }
            time += job.service;
            for (d, amount) in load.iter_mut().enumerate() {
                *amount += job.pickup[d] - job.delivery[d];
            }
            steps.push(Step {
                kind: "job",
                id: Some(job.id),
                location_index: Some(job.location),
                arrival,
                load: load.clone(),
            });
        }
        if let (Some(from), Some(end)) = (here, vehicle.end) {
            time += vehicle.travel_time(problem.durations.get(from, end));
            duration += vehicle.travel_time(problem.durations.get(from, end));
            distance += problem.distances.get(from, end);
            cost += problem.costs.get(from, end);
        }
        steps.push(Step {
            kind: "end",
            id: None,
            location_index: vehicle.end,
            arrival: time,
            load: load.clone(),
        });
        total_cost += cost;
        total_distance += distance;
        total_duration += duration;
        routes.push(json!({"vehicle": vehicle.id, "cost": cost, "distance": distance, "duration": duration, "steps": steps}));
    }
    json!({
        "code": 0,
        "summary": {
            "cost": total_cost,
            "routes": routes.len(),
            "unassigned": solution.unassigned.len(),
            "distance": total_distance,
            "duration": total_duration,
            "computing_times": {"loading": loading_ms, "solving": solving_ms},
        },
        "unassigned": solution.unassigned.iter().map(|&j| json!({"id": problem.jobs[j].id, "type": "job"})).collect::<Vec<_>>(),
        "routes": routes,
    })
}

/// Writes `problem` as a VROOM input with one `car` profile of matrices (costs as given), so
/// that VROOM (or pyvroom) can solve exactly what Yui solved.
pub fn to_vroom_input(problem: &Problem) -> Value {
    let rows = |m: &Matrix| -> Vec<Vec<i64>> {
        (0..m.size)
            .map(|r| m.values[r * m.size..(r + 1) * m.size].to_vec())
            .collect()
    };
    let vehicles: Vec<Value> = problem
        .vehicles
        .iter()
        .map(|v| {
            let mut o = json!({"id": v.id, "capacity": v.capacity, "skills": v.skills});
            if let Some(start) = v.start {
                o["start_index"] = json!(start);
            }
            if let Some(end) = v.end {
                o["end_index"] = json!(end);
            }
            if v.time_window != TimeWindow::ALWAYS {
                o["time_window"] = json!([v.time_window.start, v.time_window.end]);
            }
            if let Some(m) = v.max_tasks {
                o["max_tasks"] = json!(m);
            }
            if let Some(m) = v.max_travel_time {
                o["max_travel_time"] = json!(m);
            }
            if let Some(m) = v.max_distance {
                o["max_distance"] = json!(m);
            }
            if v.speed_percent != 100 {
                o["speed_factor"] = json!(v.speed_percent as f64 / 100.0);
            }
            o
        })
        .collect();
    let jobs: Vec<Value> = problem
        .jobs
        .iter()
        .map(|j| {
            let mut o = json!({
                "id": j.id,
                "location_index": j.location,
                "service": j.service,
                "delivery": j.delivery,
                "pickup": j.pickup,
                "skills": j.skills,
                "priority": j.priority,
            });
            if !j.time_windows.is_empty() {
                o["time_windows"] = json!(
                    j.time_windows
                        .iter()
                        .map(|w| [w.start, w.end])
                        .collect::<Vec<_>>()
                );
            }
            o
        })
        .collect();
    json!({
        "vehicles": vehicles,
        "jobs": jobs,
        "matrices": {"car": {
            "durations": rows(&problem.durations),
            "distances": rows(&problem.distances),
            "costs": rows(&problem.costs),
        }},
    })
}
