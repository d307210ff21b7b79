//! Background workers. Each runs on the server's runtime and does its work through services.

pub mod cutoff;
pub mod watch_over;
