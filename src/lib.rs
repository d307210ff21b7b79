//! Yui: the backend of a mutual-aid grocery service for elderly residents of depopulating
//! districts. See `DESIGN.md` in the shared folder for the map of the layers below.

pub mod clients;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod planning;
pub mod server;
pub mod services;
pub mod telemetry;
