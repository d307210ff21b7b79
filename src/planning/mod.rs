//! Pure planning code: no database, no HTTP. The problem model, the file formats it is read
//! from and written to, an independent feasibility checker, the solver behind `yui solve`, and
//! the delivery day's planner.

pub mod check;
pub mod day;
pub mod delivered;
pub mod formats;
pub mod problem;
pub mod schedule;
pub mod solver;
pub mod synthetic;
pub mod travel;
