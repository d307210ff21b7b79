//! Pure types and rules. Nothing of the crate above `domain` is imported here, and neither
//! actix, diesel nor reqwest (a test in `tests/api/layers.rs` keeps it so).

pub mod account;
pub mod area;
pub mod carrier;
pub mod clock;
pub mod error;
pub mod geo;
pub mod handover;
pub mod idempotency;
pub mod ids;
pub mod lifecycle;
pub mod notification;
pub mod plan;
pub mod request;
pub mod resident;
pub mod run;
pub mod text;
pub mod time;
pub mod watch_over;
pub mod webhook;
