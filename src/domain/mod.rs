//! Pure types and rules. Neither actix nor diesel is imported here.

pub mod account;
pub mod area;
pub mod geo;
pub mod request;
pub mod time;
