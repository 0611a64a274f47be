//! The client's address, for rate limits: the TCP peer of the connection.
//!
//! `X-Forwarded-For` and similar headers are not trusted: anyone can send
//! them. Behind a reverse proxy every client shares the proxy's address, so
//! the per-address limits then apply to the proxy as a whole (the
//! per-account limits still hold); trusting a configured proxy's header is
//! future work.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The peer address of the request's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Served by `startup::serve`, every request has its peer address. A
        // router driven in-process (no socket) shares one "unspecified"
        // client.
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        Ok(ClientAddr(ip))
    }
}
