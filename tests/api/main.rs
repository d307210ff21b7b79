//! Integration tests: one binary, the real app over HTTP, a fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_table;
mod auth;
mod cli;
mod common;
mod contract;
mod database;
mod district;
mod district_access;
mod errors;
mod geocoder;
mod layers;
mod link_codes;
mod logs;
mod messages;
mod osrm;
mod outbox;
mod plans;
mod solve;
