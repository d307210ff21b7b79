//! Integration tests: one binary, the real app over HTTP, a fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_table;
mod audit;
mod auth;
mod carriers;
mod cli;
mod common;
mod contract;
mod cutoff;
mod database;
mod delivery_day;
mod district_access;
mod errors;
mod fixtures;
mod geocoder;
mod guardians;
mod handovers;
mod hostile;
mod hubs;
mod instances;
mod layers;
mod link_codes;
mod logs;
mod messages;
mod neighbourhoods;
mod osrm;
mod outbox;
mod plans;
mod receiver;
mod requests;
mod residents;
mod slow_clients;
mod solve;
mod text;
mod watch_over;
mod webhooks;
