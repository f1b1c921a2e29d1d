//! Operator endpoints under `/_admin`, `/metrics` and `/dashboard`: served on the admin
//! listener (loopback by default), never on the public one, so a reverse proxy on the same
//! host cannot expose them (OWASP ASVS 5.0 V13). The admin listener refuses a `Host` that is
//! not one of its own names (DNS rebinding) and a browser call from a foreign page.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use std::net::SocketAddr;
use std::sync::Arc;

use crate::db;
use crate::faults::FaultRequest;
use crate::input;
use crate::ops;
use crate::problem::{Code, Problem};
use crate::state::{OriginCheck, Shared, check_origin};
use crate::status::ServiceStatus;

/// The names a listener on `addr` answers to: the loopback names and its own address, each
/// with its port (what a browser or curl sends as `Host`).
pub fn own_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !addr.ip().is_unspecified() {
        hosts.push(addr.to_string());
    }
    hosts
}

/// The admin API, `/metrics`, `/dashboard` and the dev mailbox, guarded by `guard`.
pub fn router(state: Shared, guard: Guard) -> Router<Shared> {
    let guard = Arc::new(guard);
    Router::new()
        .route("/_admin/faults", get(get_faults).put(put_faults))
        .route("/_admin/status", get(get_status).put(put_status))
        .route("/_admin/users", put(put_user))
        .route("/_admin/keys/rotate", post(rotate_key))
        .route("/metrics", get(ops::metrics))
        .route("/dashboard", get(ops::dashboard))
        .route("/dev/mailbox", get(crate::mail::mailbox_page))
        .route("/dev/mailbox.json", get(crate::mail::mailbox_json))
        .route_layer(middleware::from_fn_with_state(
            (state, guard),
            |State((s, g)): State<(Shared, Arc<Guard>)>, req: Request, next: Next| async move {
                guarded(&s, &g, req, next).await
            },
        ))
}

/// Who may call the operator routes of one listener.
pub struct Guard {
    /// Accepted `Host` values (lowercase).
    pub hosts: Vec<String>,
    /// Only loopback peers (the demo mode on the public listener).
    pub loopback_peers_only: bool,
}

/// Refuses a foreign `Host` (DNS rebinding), a browser call from a foreign page, and (demo
/// mode on the public listener) a peer that is not loopback.
async fn guarded(s: &Shared, g: &Guard, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let host_ok = g.hosts.contains(&host);
    let origin_ok = check_origin(&s.cfg, req.headers()) != OriginCheck::Foreign;
    let peer = crate::state::peer_ip(&req);
    let peer_ok = !g.loopback_peers_only || peer.is_loopback();
    if !(host_ok && origin_ok && peer_ok) {
        tracing::warn!(%peer, %host, path = %req.uri().path(), "admin call refused");
        return Problem::new(Code::Forbidden).into_response();
    }
    next.run(req).await
}

fn parse<T: for<'de> Deserialize<'de>>(
    map: serde_json::Map<String, serde_json::Value>,
) -> Result<T, Problem> {
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| Problem::new(Code::MalformedRequest).detail(format!("Unexpected body: {e}")))
}

async fn get_faults(State(s): State<Shared>) -> Json<FaultRequest> {
    let current = s.faults.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Json(FaultRequest::from_setting(current.as_ref()))
}

/// `{"fault": "...", "endpoint": "..."}`; `{"fault": null}` clears. Refused without `--faults`.
async fn put_faults(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<FaultRequest>, Problem> {
    if !s.cfg.faults {
        return Err(Problem::new(Code::FaultsDisabled));
    }
    let map = input::json_object(&headers, body).await?;
    let req: FaultRequest = parse(map)?;
    let setting = req.into_setting()?;
    match &setting {
        Some(f) => {
            tracing::warn!(fault = %f.fault.name(), endpoint = ?f.endpoint, "fault injected")
        }
        None => tracing::info!("faults cleared"),
    }
    *s.faults.lock().unwrap_or_else(|e| e.into_inner()) = setting.clone();
    Ok(Json(FaultRequest::from_setting(setting.as_ref())))
}

async fn get_status(State(s): State<Shared>) -> Json<ServiceStatus> {
    Json(s.status.get())
}

/// `{"state","message"?,"until"?}`: replaces the status until the status file changes.
async fn put_status(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ServiceStatus>, Problem> {
    let map = input::json_object(&headers, body).await?;
    let status: ServiceStatus = parse(map)?;
    status.validate()?;
    tracing::info!(state = %status.state, "status set by operator");
    s.status.set(status.clone());
    Ok(Json(status))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFlags {
    email: String,
    verified: Option<bool>,
    disabled: Option<bool>,
    #[serde(default)]
    unlock: bool,
}

/// `{"email", "verified"?, "disabled"?, "unlock"?}`: 200 with the flags, 404 for no such user.
async fn put_user(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    let req: UserFlags = parse(map)?;
    let email = req.email.trim().to_lowercase();
    if !db::set_user_flags(&s.db, &email, req.verified, req.disabled, req.unlock).await? {
        return Err(Problem::new(Code::NotFound).detail("No account with that email."));
    }
    let user = db::user_by_email(&s.db, &email)
        .await?
        .ok_or(Problem::new(Code::NotFound))?;
    tracing::info!(user_id = %user.id, verified = user.verified, disabled = user.disabled, "user flags set by operator");
    Ok(Json(json!({
        "email": user.email,
        "verified": user.verified,
        "disabled": user.disabled,
        "failed_attempts": user.failed_attempts,
    }))
    .into_response())
}

/// Starts signing with a fresh random key; the previous one verifies until its tokens expire.
/// Refused on PostgreSQL: the key would exist in this instance only, and every other instance
/// on the database would refuse the sessions it signs. There, keys rotate through the key file.
async fn rotate_key(State(s): State<Shared>) -> Result<Response, Problem> {
    if db::is_postgres(&s.cfg.db) {
        return Err(Problem::new(Code::Forbidden).detail(
            "Instances sharing a database must sign with the same keys: add the new key to the \
             key file of every instance, restart them, then move it to the first line.",
        ));
    }
    let kid = s.keys.rotate(None).map_err(Problem::internal)?;
    tracing::info!(kid = %kid, "signing key rotated");
    Ok((StatusCode::OK, Json(json!({ "kid": kid }))).into_response())
}
