//! The state every handler shares, and what handlers read from a request besides its body.
//! Its own module so that the handlers and the router that lists them do not import each other.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, header};
use governor::DefaultKeyedRateLimiter;
use ipnet::IpNet;
use sqlx::AnyPool;

use crate::cli::Cli;
use crate::faults::FaultSetting;
use crate::obs::Metrics;
use crate::passwords::Hasher;
use crate::status::StatusStore;
use crate::tokens::Keyring;

pub struct AppState {
    pub cfg: Cli,
    pub db: AnyPool,
    pub hasher: Hasher,
    pub keys: Keyring,
    pub metrics: Metrics,
    pub faults: Mutex<Option<FaultSetting>>,
    pub status: StatusStore,
    /// This instance's per-client limit, in memory: the first line, before the database.
    pub limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// The same limit counted in the database, shared by every instance on it.
    pub shared_pace: Option<crate::db::Pace>,
    /// Per-client limit on `/auth/telemetry` (its own budget).
    pub telemetry_limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Refusals since the last log summary.
    pub refusals: crate::obs::Refusals,
    pub openapi: String,
    pub mailer: crate::mail::Mailer,
    /// The WebAuthn relying party (`--webauthn-rp-id`, `--webauthn-origin`).
    pub webauthn: webauthn_rs::Webauthn,
}

pub type Shared = Arc<AppState>;

/// The TCP peer's address.
pub fn peer_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The client's address: the peer, or, when the peer is a `--trusted-proxy`, the right-most
/// `X-Forwarded-For` address that is not itself a trusted proxy (the left part of the header
/// is whatever the client chose to send).
pub fn client_ip(cfg: &Cli, req: &Request) -> IpAddr {
    forwarded_client(peer_ip(req), req.headers(), &cfg.trusted_proxies)
}

pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        // Garbage in the header: the last trusted hop is all that is known.
        let Some(ip) = parse_forwarded(entry) else {
            return client;
        };
        client = ip;
        if !is_trusted(&ip) {
            return ip;
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, maybe with a port (`192.0.2.1:5000`, `[2001:db8::1]:5000`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// Where a browser request comes from, judged by its `Origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginCheck {
    /// No `Origin` header (not a browser, or a same-origin GET).
    Absent,
    /// This server's own pages (`Origin` matches `Host`) or an `--allow-origin` origin.
    Allowed,
    /// Any other page, or `Origin: null`.
    Foreign,
}

pub fn check_origin(cfg: &Cli, headers: &HeaderMap) -> OriginCheck {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return OriginCheck::Absent;
    };
    let Ok(origin) = origin.to_str() else {
        return OriginCheck::Foreign;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let same_origin = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|h| !host.is_empty() && h.eq_ignore_ascii_case(host));
    if same_origin || cfg.allow_origins.iter().any(|a| a == origin) {
        OriginCheck::Allowed
    } else {
        OriginCheck::Foreign
    }
}
