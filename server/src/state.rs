//! The state every handler shares, and what handlers read from a request besides its body.
//! Its own module so that the handlers and the router that lists them do not import each other.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Request};
use governor::DefaultKeyedRateLimiter;
use sqlx::SqlitePool;

use crate::cli::Cli;
use crate::faults::FaultSetting;
use crate::obs::Metrics;
use crate::passwords::Hasher;
use crate::status::StatusStore;
use crate::tokens::Keyring;

pub struct AppState {
    pub cfg: Cli,
    pub db: SqlitePool,
    pub hasher: Hasher,
    pub keys: Keyring,
    pub metrics: Metrics,
    pub faults: Mutex<Option<FaultSetting>>,
    pub status: StatusStore,
    pub limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    pub openapi: String,
}

pub type Shared = Arc<AppState>;

/// The peer's address (the reference server does not trust `X-Forwarded-For`).
pub fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
