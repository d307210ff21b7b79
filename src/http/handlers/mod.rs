pub mod audit;
pub mod auth;
pub mod district;
pub mod health;
pub mod neighbourhoods;
pub mod requests;
pub mod residents;
pub mod users;
