//! Pure planning code: no database, no HTTP. The problem model, the VROOM file format, an
//! independent feasibility checker, and the solver behind `yui solve` (and, later, the plans).

pub mod check;
pub mod day;
pub mod problem;
pub mod schedule;
pub mod solver;
pub mod synthetic;
pub mod travel;
pub mod vroom;
