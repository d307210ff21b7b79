//! Who the client is, network-wise: the address the per-address limits count.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::error::AppError;

/// Where the client's address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSource {
    /// The TCP peer: right when clients connect directly.
    Peer,
    /// The last entry of `X-Forwarded-For`, which the trusted reverse proxy appended; the
    /// entries before it are whatever the client sent and are not believed.
    LastForwardedFor,
}

/// The client's address, by the configured source.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

fn client_address(req: &HttpRequest) -> Result<IpAddr, AppError> {
    let source = req
        .app_data::<web::Data<AddressSource>>()
        .map(|s| *s.get_ref())
        .unwrap_or(AddressSource::Peer);
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded = || {
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|last| last.trim().parse::<IpAddr>().ok())
    };
    match source {
        AddressSource::LastForwardedFor => forwarded().or(peer),
        AddressSource::Peer => peer,
    }
    .ok_or_else(|| AppError::internal("request without a client address"))
}

impl FromRequest for ClientAddress {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(client_address(req).map(ClientAddress))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_forwarded_header_counts_only_behind_a_trusted_proxy() {
        let peer = "10.0.0.5:4000".parse().unwrap();
        let request = |source| {
            TestRequest::default()
                .peer_addr(peer)
                .insert_header(("x-forwarded-for", "203.0.113.9, 198.51.100.7"))
                .app_data(web::Data::new(source))
                .to_http_request()
        };
        let direct = client_address(&request(AddressSource::Peer)).unwrap();
        assert_eq!(direct, "10.0.0.5".parse::<IpAddr>().unwrap());
        let proxied = client_address(&request(AddressSource::LastForwardedFor)).unwrap();
        assert_eq!(
            proxied,
            "198.51.100.7".parse::<IpAddr>().unwrap(),
            "the proxy's entry, not the client's claim"
        );
    }
}
