//! The coordinator's console: pages rendered on the server under `/console`, calling the same
//! services as the API. Its routes are in `http::console_routes`, beside the API's, each
//! with its access declared.

pub mod assets;
pub mod audit;
pub mod exports;
pub mod field;
pub mod impact;
pub mod map;
pub mod page;
pub mod people;
pub mod planning;
pub mod requests;
pub mod residents;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod today;
