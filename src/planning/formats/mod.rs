//! The problem files Yui reads and writes: VROOM's JSON (in and out), and the benchmark
//! families' text formats (Solomon, CVRPLIB). One module per format.

pub mod cvrplib;
pub mod solomon;
pub mod vroom;

use super::problem::{Job, Matrix, Problem, TimeWindow, Vehicle};

pub use cvrplib::parse_cvrplib;
pub use solomon::parse_solomon;
pub use vroom::{parse_vroom, to_vroom_input, to_vroom_output};

/// Why a problem file was refused; the message names the field.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// The benchmark families' shape: one depot, identical vehicles, one capacity dimension, and
/// one matrix for time, distance and cost.
fn depot_problem(
    jobs: Vec<Job>,
    fleet: usize,
    depot: usize,
    capacity: i64,
    window: TimeWindow,
    matrix: Matrix,
) -> Problem {
    let vehicles = (0..fleet)
        .map(|v| Vehicle {
            id: v as u64,
            start: Some(depot),
            end: Some(depot),
            capacity: vec![capacity],
            skills: Vec::new(),
            time_window: window.clone(),
            max_tasks: None,
            max_travel_time: None,
            max_distance: None,
            speed_percent: 100,
        })
        .collect();
    Problem {
        jobs,
        vehicles,
        durations: matrix.clone(),
        distances: matrix.clone(),
        costs: matrix,
        dimensions: 1,
    }
}
