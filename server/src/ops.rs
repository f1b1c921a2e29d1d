//! Operational endpoints: status, telemetry, OpenAPI, metrics, dashboard.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use utoipa::ToSchema;

use crate::input;
use crate::problem::{CONTRACT_CODES, Code, FieldError, Problem, ProblemBody};
use crate::state::{OriginCheck, Shared, check_origin};
use crate::status::ServiceStatus;

/// The service status set by the operator.
#[utoipa::path(
    get,
    path = "/auth/status",
    tag = "auth",
    responses((status = 200, description = "Current service status", body = ServiceStatus))
)]
pub async fn status(State(s): State<Shared>) -> Response {
    let mut resp = Json(s.status.get()).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A widget's report of one attempt. Never contains a password or token.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TelemetryReport {
    /// `login`, `signup`, `session`, `logout`, `password_reset` or `status`.
    pub flow: String,
    /// `success` or a failure kind, `[a-z_]{1,40}`. Kinds outside `WIDGET_OUTCOMES` are
    /// counted as `other`, so reports cannot blow up the metric's label set.
    pub outcome: String,
    /// HTTP status seen, 0 when there was no answer.
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub widget_version: Option<String>,
}

/// Client-side outcomes the widget reports besides the contract's codes (defined once, in the
/// contract crate).
pub use auth_contract::CLIENT_OUTCOMES as WIDGET_OUTCOMES;

/// The flows a report may name (`password-reset` is counted as `password_reset`).
pub const WIDGET_FLOWS: [&str; 10] = [
    "login",
    "signup",
    "session",
    "logout",
    "password_reset",
    "password_reset_complete",
    "verify_email",
    "verify_email_resend",
    "login_second_factor",
    "status",
];

/// Every outcome label a report can produce: the widget's own kinds and the contract's codes.
pub fn widget_outcome_labels() -> Vec<&'static str> {
    WIDGET_OUTCOMES
        .iter()
        .copied()
        .chain(CONTRACT_CODES.iter().map(|c| c.as_str()))
        .collect()
}

/// Widget telemetry: JSON only (a `text/plain` post needs no CORS preflight, so any page could
/// send one), from this server's own pages or an `--allow-origin` origin only, rate-limited
/// per client (`--telemetry-per-minute`). Counted in `/metrics` as
/// `auth_widget_outcomes_total` and `auth_widget_latency_seconds`, whose series all exist from
/// the start: a report moves a counter, it never adds one.
#[utoipa::path(
    post,
    path = "/auth/telemetry",
    tag = "auth",
    request_body(content = TelemetryReport, content_type = "application/json"),
    responses(
        (status = 204, description = "Counted"),
        (status = 403, description = "forbidden (no Origin, or a foreign one)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 415, description = "unsupported_media_type (not JSON)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn telemetry(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, Problem> {
    if check_origin(&s.cfg, &headers) != OriginCheck::Allowed {
        return Err(Problem::new(Code::Forbidden)
            .detail("Telemetry is taken from this server's pages and allowed origins only."));
    }
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(
        &map,
        &["flow", "outcome", "status", "latency_ms", "widget_version"],
    )?;
    let mut errors = Vec::new();
    let flow = input::string_field(&map, "flow", &mut errors);
    let flow_label = flow
        .as_deref()
        .map(|f| {
            if f == "password-reset" {
                "password_reset"
            } else {
                f
            }
        })
        .and_then(|f| WIDGET_FLOWS.iter().copied().find(|k| *k == f));
    if flow.is_some() && flow_label.is_none() {
        errors.push(FieldError::new("flow", "malformed"));
    }
    let outcome = input::string_field(&map, "outcome", &mut errors);
    let label_ok = |o: &str| {
        (1..=40).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    };
    if outcome.as_deref().is_some_and(|o| !label_ok(o)) {
        errors.push(FieldError::new("outcome", "malformed"));
    }
    let latency = match map.get("latency_ms") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(ms) if (0.0..=3_600_000.0).contains(&ms) => Some(ms / 1000.0),
            _ => {
                errors.push(FieldError::new("latency_ms", "malformed"));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new("latency_ms", "malformed"));
            None
        }
    };
    if map
        .get("status")
        .is_some_and(|v| !(v.is_null() || v.as_u64().is_some_and(|n| n < 1000)))
    {
        errors.push(FieldError::new("status", "malformed"));
    }
    if map
        .get("widget_version")
        .is_some_and(|v| !(v.is_null() || v.as_str().is_some_and(|t| t.len() <= 64)))
    {
        errors.push(FieldError::new("widget_version", "malformed"));
    }
    input::finish(errors)?;
    let (Some(flow), Some(outcome)) = (flow_label, outcome) else {
        return Err(Problem::internal(
            "telemetry fields missing after validation",
        ));
    };
    // Outcomes outside the known set are counted as `other`: the label set stays fixed.
    let outcome = widget_outcome_labels()
        .into_iter()
        .find(|k| *k == outcome)
        .unwrap_or("other");
    tracing::debug!(flow, outcome, "widget outcome reported");
    s.metrics.widget_outcome(flow, outcome, latency);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn openapi_json(State(s): State<Shared>) -> Response {
    let mut resp = s.openapi.clone().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub async fn metrics(State(s): State<Shared>) -> Response {
    let mut resp = s.metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

/// Success rate per minute of login and sign-up over the last hour, as inline SVG.
pub async fn dashboard(State(s): State<Shared>) -> Html<String> {
    let now_min = crate::tokens::now() / 60;
    let history = s.metrics.history();
    let (w, h, pad) = (600.0_f64, 200.0_f64, 30.0_f64);
    let x = |minute: u64| pad + (60 - (now_min - minute).min(59)) as f64 / 60.0 * (w - 2.0 * pad);
    let y = |rate: f64| h - pad - rate * (h - 2.0 * pad);
    let mut lines = String::new();
    let mut table = String::new();
    for (flow, colour) in [("login", "#0b5cad"), ("signup", "#8a3c00")] {
        let points: Vec<String> = history
            .iter()
            .filter_map(|(m, flows)| flows.get(flow).map(|t| (m, t)))
            .filter(|(_, t)| t.total > 0)
            .map(|(m, t)| format!("{:.1},{:.1}", x(*m), y(t.success as f64 / t.total as f64)))
            .collect();
        if !points.is_empty() {
            lines.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
                points.join(" ")
            ));
        }
        let (ok, total) = history
            .iter()
            .filter_map(|(_, f)| f.get(flow))
            .fold((0, 0), |(a, b), t| (a + t.success, b + t.total));
        let rate = if total > 0 {
            format!("{:.1} %", ok as f64 * 100.0 / total as f64)
        } else {
            "–".into()
        };
        table.push_str(&format!(
            "<tr><th scope=\"row\"><span style=\"color:{colour}\">■</span> {flow}</th>\
             <td>{ok}</td><td>{total}</td><td>{rate}</td></tr>"
        ));
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>auth-server dashboard</title><meta http-equiv=\"refresh\" content=\"30\">\
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}}\
table{{border-collapse:collapse}}td,th{{padding:.25rem .75rem;text-align:left}}</style></head>\
<body><h1>Auth success rate, last hour</h1>\
<svg role=\"img\" aria-labelledby=\"t\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\
<title id=\"t\">Success rate per minute for login and sign-up</title>\
<rect x=\"{pad}\" y=\"{pad}\" width=\"{iw}\" height=\"{ih}\" fill=\"#f4f6f8\" stroke=\"#767676\"/>\
<text x=\"2\" y=\"{ty}\" font-size=\"10\">100%</text><text x=\"8\" y=\"{by}\" font-size=\"10\">0%</text>\
<text x=\"{pad}\" y=\"{lab}\" font-size=\"10\">-60 min</text>\
<text x=\"{nx}\" y=\"{lab}\" font-size=\"10\">now</text>{lines}</svg>\
<table><thead><tr><th>flow</th><th>successes</th><th>attempts</th><th>rate</th></tr></thead>\
<tbody>{table}</tbody></table><p>Raw counters: <a href=\"/metrics\">/metrics</a></p></body></html>",
        iw = w - 2.0 * pad,
        ih = h - 2.0 * pad,
        ty = pad + 4.0,
        by = h - pad,
        lab = h - 8.0,
        nx = w - pad - 16.0,
    );
    Html(page)
}
