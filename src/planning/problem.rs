//! A vehicle routing problem with time windows, capacities, skills and a mixed fleet, over
//! travel matrices indexed by location.

/// Seconds (durations, times) and metres (distances), as VROOM counts them.
pub type Seconds = i64;
pub type Metres = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct TimeWindow {
    pub start: Seconds,
    pub end: Seconds,
}

impl TimeWindow {
    pub const ALWAYS: TimeWindow = TimeWindow {
        start: 0,
        end: i64::MAX / 4,
    };
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: u64,
    pub location: usize,
    pub service: Seconds,
    /// Amounts dropped at the job (loaded at the start).
    pub delivery: Vec<i64>,
    /// Amounts picked up at the job (carried to the end).
    pub pickup: Vec<i64>,
    pub skills: Vec<u64>,
    pub priority: u32,
    /// Sorted, disjoint; empty means always.
    pub time_windows: Vec<TimeWindow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vehicle {
    pub id: u64,
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub capacity: Vec<i64>,
    pub skills: Vec<u64>,
    pub time_window: TimeWindow,
    pub max_tasks: Option<usize>,
    pub max_travel_time: Option<Seconds>,
    pub max_distance: Option<Metres>,
    /// Travel times are the duration matrix scaled by 100 / this (100: as the matrix says;
    /// 25: four times slower, a walker against a car's matrix).
    pub speed_percent: i64,
}

impl Vehicle {
    /// How long this vehicle takes for a leg the duration matrix gives as `matrix_seconds`.
    pub fn travel_time(&self, matrix_seconds: Seconds) -> Seconds {
        if self.speed_percent == 100 || self.speed_percent <= 0 {
            matrix_seconds
        } else {
            matrix_seconds.saturating_mul(100) / self.speed_percent
        }
    }

    /// Whether this vehicle has every skill `job` needs.
    pub fn can_serve(&self, job: &Job) -> bool {
        job.skills.iter().all(|s| self.skills.contains(s))
    }
}

/// A square matrix stored row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub size: usize,
    pub values: Vec<i64>,
}

impl Matrix {
    pub fn get(&self, from: usize, to: usize) -> i64 {
        self.values[from * self.size + to]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub jobs: Vec<Job>,
    pub vehicles: Vec<Vehicle>,
    pub durations: Matrix,
    pub distances: Matrix,
    /// What travel costs: VROOM's default is the duration.
    pub costs: Matrix,
    /// The number of capacity dimensions.
    pub dimensions: usize,
}

/// One route: the vehicle (index into `Problem::vehicles`) and its jobs (indices into
/// `Problem::jobs`) in visiting order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solution {
    pub routes: Vec<Route>,
    pub unassigned: Vec<usize>,
}
