//! Outbound HTTP: the services Yui asks (timeouts set, redirects off).

pub mod geocoder;
pub mod osrm;
pub mod webhooks;
