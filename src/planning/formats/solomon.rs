//! The Solomon VRPTW text format, read into a problem.

use super::{FormatError, depot_problem};
use crate::planning::problem::{Job, Matrix, Problem, TimeWindow};

/// Reads a Solomon VRPTW file: node 0 is the depot; distance = time = Euclidean, scaled by
/// `scale` and rounded per arc (as the public solvers are fed); 25 vehicles unless the file
/// says fewer.
pub fn parse_solomon(text: &str, scale: f64) -> Result<Problem, FormatError> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut vehicles_and_capacity = None;
    let mut nodes: Vec<[f64; 7]> = Vec::new();
    while let Some(line) = lines.next() {
        if line.starts_with("NUMBER") {
            let numbers: Vec<i64> = lines
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            if numbers.len() == 2 {
                vehicles_and_capacity = Some((numbers[0], numbers[1]));
            }
        }
        let fields: Vec<f64> = line
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        if fields.len() == 7 && line.split_whitespace().count() == 7 {
            nodes.push([
                fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6],
            ]);
        }
    }
    let (fleet, capacity) = vehicles_and_capacity
        .ok_or_else(|| FormatError("solomon: no VEHICLE NUMBER/CAPACITY line".into()))?;
    if nodes.len() < 2 {
        return Err(FormatError("solomon: no customers".into()));
    }
    let size = nodes.len();
    let values: Vec<i64> = nodes
        .iter()
        .flat_map(|a| {
            nodes.iter().map(move |b| {
                (((a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt() * scale).round() as i64
            })
        })
        .collect();
    let matrix = Matrix { size, values };
    let depot = nodes[0];
    let scaled = |v: f64| (v * scale).round() as i64;
    let jobs = nodes[1..]
        .iter()
        .enumerate()
        .map(|(i, n)| Job {
            id: n[0] as u64,
            location: i + 1,
            service: scaled(n[6]),
            delivery: vec![n[3] as i64],
            pickup: vec![0],
            skills: Vec::new(),
            priority: 0,
            time_windows: vec![TimeWindow {
                start: scaled(n[4]),
                end: scaled(n[5]),
            }],
        })
        .collect();
    let window = TimeWindow {
        start: scaled(depot[4]),
        end: scaled(depot[5]),
    };
    let fleet = usize::try_from(fleet.min(25)).unwrap_or(0);
    if fleet == 0 {
        return Err(FormatError(
            "solomon: the VEHICLE NUMBER must be at least 1".into(),
        ));
    }
    Ok(depot_problem(jobs, fleet, 0, capacity, window, matrix))
}
