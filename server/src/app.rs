//! The router and its middleware; `build_state` makes the state, `start` binds and serves.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyDeadlineLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cli::Cli;
use crate::faults;
use crate::obs::Metrics;
use crate::passwords::Hasher;
use crate::problem::{Code, Outcome, Problem};
use crate::serve::Limits;
use crate::state::{AppState, Shared, client_ip};
use crate::status::StatusStore;
use crate::tokens::Keyring;
use crate::{admin, auth, db, factors, keyfile, links, ops, passkeys};

pub const DEMO_EMAIL: &str = "demo@example.com";
pub const DEMO_PASSWORD: &str = "correct horse battery staple";
/// A second demo account (same password) whose sign-in asks for a one-time code.
pub const DEMO_CODES_EMAIL: &str = "codes@example.com";
/// Its TOTP secret (RFC 6238, base32), published for the demo: add it to any authenticator
/// app, or compute codes from it in tests. Only `--seed-demo-user` ever uses it.
pub const DEMO_CODES_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "auth-widget reference auth API",
        description = "The auth API contract of auth-widget (docs/contract.md). Every error is RFC 9457 \
                       application/problem+json with a machine-readable `code`."
    ),
    tags((name = "auth", description = "The contract's endpoints")),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// Declares the two ways a session is presented: the cookie, or a bearer token (`--bearer`).
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::SecurityScheme;
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("session"))),
        );
    }
}

/// The contract's routes, documented and registered from the same handler list.
fn api_router() -> OpenApiRouter<Shared> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::signup))
        .routes(routes!(auth::session))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::password_reset))
        .routes(routes!(links::password_reset_complete))
        .routes(routes!(links::verify_email))
        .routes(routes!(links::verify_email_resend))
        .routes(routes!(factors::second_factor))
        .routes(routes!(factors::totp_setup))
        .routes(routes!(factors::totp_confirm))
        .routes(routes!(passkeys::register_start))
        .routes(routes!(passkeys::register_finish))
        .routes(routes!(passkeys::login_start))
        .routes(routes!(passkeys::login_finish))
        .routes(routes!(ops::status))
        .routes(routes!(ops::telemetry))
}

/// The OpenAPI 3.1 document of the API (also served at `/auth/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

/// Builds the state: opens and migrates the database, seeds, prepares keys and limits.
pub async fn build_state(cfg: Cli) -> anyhow::Result<Shared> {
    let env_keys = std::env::var(keyfile::ENV).ok();
    if db::is_postgres(&cfg.db)
        && cfg.jwt_keys.is_empty()
        && cfg.jwt_key_file.is_none()
        && env_keys.is_none()
    {
        anyhow::bail!(
            "a PostgreSQL database is shared by several instances, which must sign with the same \
             keys: name a key file with --jwt-key-file, or set {}",
            keyfile::ENV
        );
    }
    let webauthn = passkeys::relying_party(&cfg.webauthn_rp_id, &cfg.webauthn_origins)?;
    let db = db::connect(&cfg.db).await?;
    let hasher = Hasher::new(
        cfg.argon2_m_cost,
        cfg.argon2_t_cost,
        cfg.argon2_p_cost,
        cfg.max_concurrent_hashes,
        Duration::from_millis(cfg.hash_queue_timeout_ms),
    )?;
    let keys = if cfg.jwt_keys.is_empty() {
        keyfile::load(
            cfg.jwt_key_file.as_deref(),
            env_keys,
            &cfg.db,
            crate::tokens::random_key,
        )?
    } else {
        cfg.jwt_keys.clone()
    };
    let keys = Keyring::new(
        &keys,
        &cfg.jwt_issuer,
        &cfg.jwt_audience,
        cfg.session_ttl_secs,
        cfg.jwt_leeway_secs,
    )?;
    let limiter = std::num::NonZeroU32::new(cfg.rate_limit_per_minute).map(|n| {
        let burst = std::num::NonZeroU32::new(cfg.rate_limit_burst.min(n.get())).unwrap_or(n);
        RateLimiter::keyed(Quota::per_minute(n).allow_burst(burst))
    });
    let shared_pace = db::Pace::per_minute(cfg.rate_limit_per_minute, cfg.rate_limit_burst);
    let telemetry_limiter = std::num::NonZeroU32::new(cfg.telemetry_per_minute).map(|n| {
        let burst = std::num::NonZeroU32::new(n.get().min(10)).unwrap_or(n);
        RateLimiter::keyed(Quota::per_minute(n).allow_burst(burst))
    });
    if cfg.seed_demo_user && db::user_by_email(&db, DEMO_EMAIL).await?.is_none() {
        let hash = hasher
            .hash(DEMO_PASSWORD.to_string())
            .await
            .map_err(|p| anyhow::anyhow!("cannot hash the demo password: {}", p.code.as_str()))?;
        db::insert_user(&db, DEMO_EMAIL, &hash, true, crate::tokens::now() as i64).await?;
        tracing::info!(email = DEMO_EMAIL, "demo user created");
    }
    if cfg.seed_demo_user && db::user_by_email(&db, DEMO_CODES_EMAIL).await?.is_none() {
        // The same demo password, then a code from an app with the published demo secret.
        let hash = hasher
            .hash(DEMO_PASSWORD.to_string())
            .await
            .map_err(|p| anyhow::anyhow!("cannot hash the demo password: {}", p.code.as_str()))?;
        let now = crate::tokens::now_i64();
        // None: another instance on the same database created it first.
        if let Some(id) = db::insert_user(&db, DEMO_CODES_EMAIL, &hash, true, now).await? {
            db::start_totp_setup(&db, &id, DEMO_CODES_SECRET, now).await?;
            db::confirm_totp(&db, &id, 0, now).await?;
            tracing::info!(
                email = DEMO_CODES_EMAIL,
                "demo user with one-time codes created"
            );
        }
    }
    let openapi = openapi().to_json().context("OpenAPI document")?;
    let mailer = crate::mail::Mailer::new(&cfg)?;
    if !mailer.sends_smtp() {
        tracing::warn!(
            "no --smtp-url: emails are not sent, only kept in the dev mailbox (/dev/mailbox on \
             the admin listener)"
        );
    }
    let metrics = Metrics::new()?;
    metrics.register_widget_series(&ops::WIDGET_FLOWS, &ops::widget_outcome_labels());
    Ok(Arc::new(AppState {
        status: StatusStore::new(cfg.status_file.clone()),
        cfg,
        db,
        hasher,
        keys,
        metrics,
        faults: Mutex::new(None),
        limiter,
        shared_pace,
        telemetry_limiter,
        refusals: crate::obs::Refusals::default(),
        openapi,
        mailer,
        webauthn,
    }))
}

/// The public HTTP application (no operator routes).
pub fn router(state: Shared) -> Router {
    public_router(state, None)
}

/// The public application; with `demo_admin`, the operator routes too (`--demo-admin-on-public`).
fn public_router(state: Shared, demo_admin: Option<admin::Guard>) -> Router {
    let (api, _) = api_router().split_for_parts();
    let api = api
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .route_layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .route_layer(middleware::from_fn_with_state(state.clone(), observe));
    let mut app = Router::new()
        .merge(api)
        .route("/auth/openapi.json", axum::routing::get(ops::openapi_json))
        .route("/copy/{file}", axum::routing::get(crate::copy::locale_json))
        .method_not_allowed_fallback(|| async { Problem::new(Code::MethodNotAllowed) });
    if let Some(guard) = demo_admin {
        app = app.merge(admin::router(state.clone(), guard));
    }
    app = match &state.cfg.static_dir {
        Some(dir) => {
            let files = ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .not_found_service(ServeFile::new(dir.join("__missing__")));
            app.fallback_service(files)
        }
        None => app.fallback(|| async { Problem::new(Code::NotFound) }),
    };
    let cors = cors(&state.cfg.allow_origins);
    let body_deadline = Duration::from_secs(state.cfg.body_timeout_secs);
    app.with_state(state)
        .layer(RequestBodyDeadlineLayer::new(body_deadline))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        // The pages served here open with a reset or verification token in their fragment:
        // they never send a Referer (recovery-30).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(middleware::from_fn(fix_mime))
        .layer(cors)
        .layer(CatchPanicLayer::custom(|_| {
            Problem::internal("handler panicked").into_response()
        }))
}

/// The admin listener's application: the operator API, `/metrics` and `/dashboard`, answered
/// only with one of the listener's own `Host` names.
pub fn admin_app(state: Shared, addr: SocketAddr) -> Router {
    let guard = admin::Guard {
        hosts: admin::own_hosts(addr),
        loopback_peers_only: false,
    };
    let body_deadline = Duration::from_secs(state.cfg.body_timeout_secs);
    admin::router(state.clone(), guard)
        .method_not_allowed_fallback(|| async { Problem::new(Code::MethodNotAllowed) })
        .fallback(|| async { Problem::new(Code::NotFound) })
        .with_state(state)
        .layer(RequestBodyDeadlineLayer::new(body_deadline))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            Problem::internal("handler panicked").into_response()
        }))
}

fn cors(origins: &[String]) -> CorsLayer {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// Serves `.wasm`, `.js`, `.mjs` and `.css` with the MIME types browsers insist on.
async fn fix_mime(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let forced = if path.ends_with(".wasm") {
        Some("application/wasm")
    } else if path.ends_with(".js") || path.ends_with(".mjs") {
        Some("text/javascript; charset=utf-8")
    } else if path.ends_with(".css") {
        Some("text/css; charset=utf-8")
    } else {
        None
    };
    if let Some(m) = forced.filter(|_| resp.status().is_success()) {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(m));
    }
    resp
}

/// The flow an `/auth/...` path belongs to (also the fault endpoint name).
fn endpoint_of(path: &str) -> Option<&'static str> {
    Some(match path.strip_prefix("/auth/")? {
        "login" => "login",
        "signup" => "signup",
        "session" => "session",
        "logout" => "logout",
        "password-reset" => "password-reset",
        "password-reset/complete" => "password-reset-complete",
        "verify-email" => "verify-email",
        "verify-email/resend" => "verify-email-resend",
        "login/second-factor" => "login-second-factor",
        "passkeys/register/start" => "passkey-register-start",
        "passkeys/register/finish" => "passkey-register-finish",
        "passkeys/login/start" => "passkey-login-start",
        "passkeys/login/finish" => "passkey-login-finish",
        "status" => "status",
        _ => return None,
    })
}

fn flow_label(endpoint: &str) -> &'static str {
    match endpoint {
        "login" => "login",
        "signup" => "signup",
        "session" => "session",
        "logout" => "logout",
        "password-reset" => "password_reset",
        "password-reset-complete" => "password_reset_complete",
        "verify-email" => "verify_email",
        "verify-email-resend" => "verify_email_resend",
        "login-second-factor" => "login_second_factor",
        "passkey-register-start" | "passkey-register-finish" => "passkey_register",
        "passkey-login-start" | "passkey-login-finish" => "passkey_login",
        _ => "status",
    }
}

/// Counts every auth outcome by flow and code, times it, and logs it (never a password or a
/// token: only flow, outcome, status, latency and the reference id of errors).
async fn observe(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let Some(endpoint) = endpoint_of(req.uri().path()) else {
        return next.run(req).await;
    };
    let flow = flow_label(endpoint);
    let started = Instant::now();
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    let outcome = match resp.extensions().get::<Outcome>() {
        Some(o) => o.0,
        None if resp.status().is_success() => "success",
        None if resp.status().is_server_error() => "unexpected_5xx",
        None => "unexpected_response",
    };
    if flow != "status" {
        s.metrics.attempt(flow, outcome, elapsed.as_secs_f64());
    }
    if matches!(outcome, "rate_limited" | "service_unavailable") {
        // Refusals come in floods: counted, and logged as one summary per interval.
        s.refusals.count(outcome);
        return resp;
    }
    tracing::info!(
        flow,
        outcome,
        status = resp.status().as_u16(),
        latency_ms = elapsed.as_millis() as u64,
        "auth outcome"
    );
    resp
}

async fn inject_faults(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let setting = s.faults.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (Some(setting), Some(endpoint)) = (setting, endpoint_of(req.uri().path())) else {
        return next.run(req).await;
    };
    match faults::apply(&setting, endpoint, s.cfg.fault_retry_after_secs) {
        faults::Action::Answer(resp) => resp,
        faults::Action::Pass(delay) => {
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            next.run(req).await
        }
    }
}

/// Per-client limit on the contract's endpoints except `status`: the in-memory limiter of this
/// instance first, then the shared counter in the database.
async fn rate_limit(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let limited = endpoint_of(req.uri().path()).is_some_and(|e| e != "status");
    let telemetry = req.uri().path() == "/auth/telemetry";
    let limiter = if telemetry {
        &s.telemetry_limiter
    } else if limited {
        &s.limiter
    } else {
        &None
    };
    let Some(limiter) = limiter else {
        return next.run(req).await;
    };
    let ip = client_ip(&s.cfg, &req);
    if let Err(not_until) = limiter.check_key(&ip) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        if telemetry {
            s.refusals.count("rate_limited");
        }
        return rate_limited(wait);
    }
    // The first line passed: now the limit every instance on this database shares (several
    // instances behind one proxy each give a client the whole in-memory budget). Telemetry
    // keeps its per-instance budget only.
    if let Some(pace) = s.shared_pace.filter(|_| !telemetry) {
        match db::rate_limit(&s.db, &ip.to_string(), now_us(), pace).await {
            Ok(None) => {}
            Ok(Some(wait_us)) => {
                return rate_limited(Duration::from_micros(wait_us.unsigned_abs()));
            }
            // The request goes on: the handler needs the same database and answers for it,
            // and the in-memory limit still holds.
            Err(e) => tracing::warn!("shared rate limit unavailable: {e}"),
        }
    }
    next.run(req).await
}

/// 429 `rate_limited` with the wait, in whole seconds rounded up, as Retry-After.
fn rate_limited(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Problem::new(Code::RateLimited)
        .retry_after(secs.max(1))
        .into_response()
}

/// Microseconds since the Unix epoch (the shared limit's clock; instances keep theirs in step
/// with NTP, as token expiry already needs).
fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub state: Shared,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The admin listener's base URL.
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }
}

/// Runs `f(state)` every `every` while the server lives.
fn every(state: &Shared, every: Duration, f: impl Fn(&AppState) + Send + 'static) {
    let weak = Arc::downgrade(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(s) = weak.upgrade() else { break };
            f(&s);
        }
    });
}

/// Builds the state, binds `cfg.addr` and the admin address, and serves both in a background
/// task until `shutdown`.
pub async fn start(
    cfg: Cli,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let (addr, admin_addr) = (cfg.addr, cfg.admin_addr());
    let state = build_state(cfg).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let admin_listener = tokio::net::TcpListener::bind(admin_addr)
        .await
        .with_context(|| format!("cannot listen on {admin_addr} (admin listener)"))?;
    let addr = listener.local_addr()?;
    let admin_addr = admin_listener.local_addr()?;
    let demo_admin = state.cfg.demo_admin_on_public.then(|| {
        tracing::warn!(
            "--demo-admin-on-public: the operator API answers on the public listener (local demo only)"
        );
        admin::Guard {
            hosts: admin::own_hosts(addr),
            loopback_peers_only: true,
        }
    });
    let host = if addr.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    state.mailer.default_app_url(format!("http://{host}/"));
    let app = public_router(state.clone(), demo_admin);
    let admin = admin_app(state.clone(), admin_addr);
    // Forget idle clients now and then so the limiters' memory stays bounded.
    every(&state, Duration::from_secs(60), |s| {
        if let Some(l) = &s.limiter {
            l.retain_recent();
        }
        if let Some(l) = &s.telemetry_limiter {
            l.retain_recent();
        }
    });
    let refusal_every = Duration::from_secs(state.cfg.refusal_log_interval_secs);
    every(&state, refusal_every, |s| s.refusals.log_summary());
    purge_task(&state);
    let limits = Limits {
        max_connections: state.cfg.max_connections as usize,
        header_timeout: Duration::from_secs(state.cfg.header_timeout_secs),
    };
    let admin_limits = Limits {
        max_connections: 64,
        ..limits
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let gauge_state = Arc::downgrade(&state);
    let public = crate::serve::serve(listener, app, limits, stopped.clone(), move |d| {
        if let Some(s) = gauge_state.upgrade() {
            s.metrics.open_connections(d);
        }
    });
    let admin = crate::serve::serve(admin_listener, admin, admin_limits, stopped, |_| {});
    let task = tokio::spawn(async move {
        let (a, b) = tokio::join!(public, admin);
        a.and(b)
    });
    Ok(Running {
        addr,
        admin_addr,
        state,
        task,
    })
}

/// Deletes expired sessions, reset requests and stale failure counters every
/// `--purge-interval-secs`.
fn purge_task(state: &Shared) {
    let weak = Arc::downgrade(state);
    let every = Duration::from_secs(state.cfg.purge_interval_secs);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(s) = weak.upgrade() else { break };
            let leeway = i64::try_from(s.keys.leeway()).unwrap_or(0);
            let now = crate::tokens::now() as i64;
            match db::purge(&s.db, now, leeway).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "expired rows purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!("purge failed: {e}"),
            }
        }
    });
}
