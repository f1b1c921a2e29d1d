//! Operations: status, telemetry, metrics, alert rules, dashboard, OpenAPI, CORS, static files,
//! the per-client limit.

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use common::*;
use serde_json::{Value, json};
use tower::ServiceExt;

fn temp_dir(name: &str) -> PathBuf {
    let n: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let dir = std::env::temp_dir().join(format!(
        "auth-server-test-{name}-{}-{n}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn status_defaults_to_operational() {
    let s = server(&[]).await;
    let a = s.get("/auth/status").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), json!({"state": "operational"}));
}

#[tokio::test]
async fn status_set_by_admin_put() {
    let s = server(&[]).await;
    let body = json!({"state": "degraded", "message": "Sign-in is slow.", "until": "2026-11-22T18:00:00Z"});
    let a = s.admin_put("/_admin/status", &body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(s.get("/auth/status").await.json(), body);
    let bad = s
        .admin_put("/_admin/status", &json!({"state": "on fire"}))
        .await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "state"
    );
    assert_eq!(
        s.get("/auth/status").await.json(),
        body,
        "a bad update changes nothing"
    );
}

#[tokio::test]
async fn status_file_is_reread_when_it_changes() {
    let dir = temp_dir("status");
    let file = dir.join("status.json");
    std::fs::write(
        &file,
        r#"{"state":"maintenance","message":"Back at 18:00."}"#,
    )
    .unwrap();
    let s = server(&["--status-file", file.to_str().unwrap()]).await;
    assert_eq!(
        s.get("/auth/status").await.json(),
        json!({"state": "maintenance", "message": "Back at 18:00."})
    );
    std::fs::write(&file, r#"{"state":"outage"}"#).unwrap();
    assert_eq!(
        s.get("/auth/status").await.json(),
        json!({"state": "outage"})
    );
    // A broken file is ignored; the last good status stays.
    std::fs::write(&file, "{not json at all").unwrap();
    assert_eq!(
        s.get("/auth/status").await.json(),
        json!({"state": "outage"})
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn metric_value(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .find(|l| labels.iter().all(|want| l.contains(want)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn metrics_count_attempts_by_flow_and_outcome_with_latency_histogram() {
    let s = server(&[]).await;
    s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    s.login(DEMO_EMAIL, "wrong password").await;
    s.login(DEMO_EMAIL, "wrong password").await;
    let a = s.admin_get("/metrics").await;
    assert_eq!(a.status, 200);
    assert!(a.content_type().starts_with("text/plain"));
    let m = a.text;
    let ok = ["flow=\"login\"", "outcome=\"success\""];
    let bad = ["flow=\"login\"", "outcome=\"invalid_credentials\""];
    assert_eq!(
        metric_value(&m, "auth_attempts_total", &ok),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        metric_value(&m, "auth_attempts_total", &bad),
        Some(2.0),
        "{m}"
    );
    let count = metric_value(
        &m,
        "auth_request_duration_seconds_count",
        &["flow=\"login\""],
    );
    assert_eq!(count, Some(3.0), "{m}");
    assert!(
        m.contains("auth_request_duration_seconds_bucket{"),
        "a histogram, not a summary"
    );
}

/// A telemetry report from this server's own pages.
async fn report(s: &Server, body: &Value) -> Answer {
    s.send(
        s.http
            .post(s.url("/auth/telemetry"))
            .header("origin", s.base.clone())
            .json(body),
    )
    .await
}

#[tokio::test]
async fn telemetry_reports_are_counted() {
    let s = server(&[]).await;
    let body = json!({"flow": "login", "outcome": "session_rejected", "status": 401,
                        "latency_ms": 120.5, "widget_version": "0.1.0"});
    let a = report(&s, &body).await;
    assert_eq!(a.status, 204, "{}", a.text);
    let b = report(&s, &body).await;
    assert_eq!(b.status, 204, "{}", b.text);
    let m = s.admin_get("/metrics").await.text;
    let labels = ["flow=\"login\"", "outcome=\"session_rejected\""];
    assert_eq!(
        metric_value(&m, "auth_widget_outcomes_total", &labels),
        Some(2.0),
        "{m}"
    );
    assert_eq!(
        metric_value(&m, "auth_widget_latency_seconds_count", &["flow=\"login\""]),
        Some(2.0)
    );
}

#[tokio::test]
async fn telemetry_refuses_bad_reports_and_secrets_have_nowhere_to_go() {
    let s = server(&[]).await;
    let bad_outcome = json!({"flow": "login", "outcome": "Robert'); DROP TABLE"});
    report(&s, &bad_outcome)
        .await
        .problem(422, "validation_failed");
    let bad_flow = json!({"flow": "everything", "outcome": "success"});
    report(&s, &bad_flow)
        .await
        .problem(422, "validation_failed");
    let with_password = json!({"flow": "login", "outcome": "success", "password": "hunter2"});
    report(&s, &with_password)
        .await
        .problem(400, "malformed_request");
    // Outcomes outside the known set are counted as `other`, bounding the label set.
    let novel = json!({"flow": "login", "outcome": "brand_new_kind"});
    assert_eq!(report(&s, &novel).await.status, 204);
    let m = s.admin_get("/metrics").await.text;
    assert!(!m.contains("hunter2") && !m.contains("DROP") && !m.contains("brand_new_kind"));
    let other = ["flow=\"login\"", "outcome=\"other\""];
    assert_eq!(
        metric_value(&m, "auth_widget_outcomes_total", &other),
        Some(1.0),
        "{m}"
    );
}

/// Metric names used in a PromQL expression: identifiers directly followed by `{` or `[`, or
/// alone in parentheses.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_alphabetic() || chars[i] == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let in_braces = chars[..start].iter().filter(|c| **c == '{').count()
                > chars[..start].iter().filter(|c| **c == '}').count();
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            let before: String = chars[..start].iter().collect();
            let before = before.trim_end();
            // A bare selector as a whole argument, `(name)`, unless it is a label list
            // (`by (instance)`).
            let bare_argument = next == Some(&')')
                && before.ends_with('(')
                && ![
                    "by",
                    "without",
                    "on",
                    "ignoring",
                    "group_left",
                    "group_right",
                ]
                .iter()
                .any(|k| before[..before.len() - 1].trim_end().ends_with(k));
            if !in_braces && (matches!(chars.get(i), Some('{') | Some('[')) || bare_argument) {
                names.insert(word);
            }
        } else {
            i += 1;
        }
    }
    names
}

/// The `expr:` values in ops/alerts.yml (block scalars or one-liners).
fn alert_expressions() -> Vec<(String, String)> {
    let text = include_str!("../ops/alerts.yml");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut alert = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if let Some(name) = line.strip_prefix("- alert:") {
            alert = name.trim().to_string();
        }
        if let Some(rest) = line.strip_prefix("expr:") {
            let indent = lines[i].len() - line.len();
            let rest = rest.trim();
            let mut expr = String::new();
            if rest == "|" || rest == ">" {
                i += 1;
                while i < lines.len()
                    && (lines[i].trim().is_empty()
                        || lines[i].len() - lines[i].trim_start().len() > indent)
                {
                    expr.push_str(lines[i].trim());
                    expr.push(' ');
                    i += 1;
                }
                out.push((alert.clone(), expr));
                continue;
            }
            out.push((alert.clone(), rest.to_string()));
        }
        i += 1;
    }
    out
}

#[tokio::test]
async fn alert_rules_name_metrics_the_server_exports() {
    let exprs = alert_expressions();
    assert!(exprs.len() >= 2, "{exprs:?}");
    assert!(
        exprs
            .iter()
            .any(|(a, e)| a.contains("Login") && e.contains("[5m]") && e.contains("success")),
        "a login success-rate alert over 5 minutes"
    );
    assert!(
        exprs
            .iter()
            .any(|(a, e)| a.contains("Signup") && e.contains("[5m]"))
    );
    let exported = exported_metric_names().await;
    for (alert, expr) in exprs {
        let names = metric_names(&expr);
        assert!(!names.is_empty(), "{alert}: no metric found in {expr}");
        for name in names {
            assert!(
                exported.contains(name.as_str()),
                "{alert} uses {name}, not exported: {exported:?}"
            );
        }
    }
}

/// The metric names a live server exports once every series has been produced.
async fn exported_metric_names() -> BTreeSet<String> {
    let s = server(&[]).await;
    s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    s.signup("x@example.com", "long enough password").await;
    let a = report(
        &s,
        &json!({"flow": "login", "outcome": "success", "latency_ms": 5}),
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.text);
    let exported = s.admin_get("/metrics").await.text;
    exported
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn grafana_dashboard_parses_and_charts_only_exported_metrics() {
    let dashboard: Value = serde_json::from_str(include_str!("../ops/dashboard.json"))
        .expect("ops/dashboard.json is JSON");
    assert!(dashboard["title"].is_string() && dashboard["uid"].is_string());
    // Importable: the data source is an input Grafana asks for on import.
    assert_eq!(dashboard["__inputs"][0]["name"], "DS_PROMETHEUS");
    assert_eq!(dashboard["__inputs"][0]["pluginId"], "prometheus");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 6, "{} panels", panels.len());
    let mut ids = BTreeSet::new();
    let mut charted = BTreeSet::new();
    let exported = exported_metric_names().await;
    for panel in panels {
        let title = panel["title"].as_str().expect("panel title");
        assert!(
            ids.insert(panel["id"].as_u64().expect("panel id")),
            "{title}: id repeated"
        );
        assert_eq!(panel["datasource"]["uid"], "${DS_PROMETHEUS}", "{title}");
        for key in ["x", "y", "w", "h"] {
            assert!(panel["gridPos"][key].is_u64(), "{title}: gridPos.{key}");
        }
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title}: no query");
        for target in targets {
            let expr = target["expr"].as_str().expect("expr");
            let names = metric_names(expr);
            assert!(!names.is_empty(), "{title}: no metric in {expr}");
            for name in names {
                assert!(
                    exported.contains(&name),
                    "{title} charts {name}, not exported"
                );
                charted.insert(name);
            }
        }
    }
    // Every metric an alert watches has a chart.
    for (alert, expr) in alert_expressions() {
        for name in metric_names(&expr) {
            assert!(charted.contains(&name), "{alert} watches {name}: no chart");
        }
    }
}

#[test]
fn metric_name_extraction_ignores_functions_and_labels() {
    let names = metric_names("sum(rate(a_total{flow=\"x\",o=~\"y\"}[5m])) / b_bucket[1m] > 2");
    assert_eq!(
        names,
        BTreeSet::from(["a_total".to_string(), "b_bucket".to_string()])
    );
    let names = metric_names("sum by (instance) (c_gauge) + max without ( le ) ( d )");
    assert_eq!(
        names,
        BTreeSet::from(["c_gauge".to_string(), "d".to_string()])
    );
}

#[tokio::test]
async fn dashboard_is_a_self_contained_svg_page() {
    let s = server(&[]).await;
    s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    s.login(DEMO_EMAIL, "wrong").await;
    let a = s.admin_get("/dashboard").await;
    assert_eq!(a.status, 200);
    assert!(a.content_type().starts_with("text/html"));
    assert!(
        a.text.contains("<svg") && a.text.contains("<polyline"),
        "plots a line"
    );
    assert!(a.text.contains("50.0 %"), "one of two logins succeeded");
    assert!(
        !a.text.contains("<script") && !a.text.contains("src=\"http"),
        "no external assets"
    );
}

#[tokio::test]
async fn openapi_31_document_matches_the_real_routes() {
    let s = server(&[]).await;
    let doc = s.get("/auth/openapi.json").await.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("post", "/auth/login"),
        ("post", "/auth/signup"),
        ("get", "/auth/session"),
        ("post", "/auth/logout"),
        ("post", "/auth/password-reset"),
        ("post", "/auth/password-reset/complete"),
        ("post", "/auth/verify-email"),
        ("post", "/auth/verify-email/resend"),
        ("post", "/auth/login/second-factor"),
        ("post", "/auth/totp/setup"),
        ("post", "/auth/totp/confirm"),
        ("post", "/auth/passkeys/register/start"),
        ("post", "/auth/passkeys/register/finish"),
        ("post", "/auth/passkeys/login/start"),
        ("post", "/auth/passkeys/login/finish"),
        ("get", "/auth/status"),
        ("post", "/auth/telemetry"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(documented, expected);
    // Every documented operation is really served: never 404/405.
    for (method, path) in &documented {
        let req = match method.as_str() {
            "get" => s.http.get(s.url(path)),
            _ => s.http.post(s.url(path)).json(&json!({})),
        };
        let a = s.send(req).await;
        assert!(
            ![404, 405].contains(&a.status),
            "{method} {path} answered {}",
            a.status
        );
        // And the wrong method is a problem+json 405.
        let wrong = match method.as_str() {
            "get" => s.http.delete(s.url(path)),
            _ => s.http.get(s.url(path)),
        };
        s.send(wrong).await.problem(405, "method_not_allowed");
    }
    // The security schemes the session operation refers to are declared.
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for scheme in paths["/auth/session"]["get"]["security"]
        .as_array()
        .unwrap()
    {
        for name in scheme.as_object().unwrap().keys() {
            assert!(schemes.contains_key(name), "{name} not declared");
        }
    }
    // Problem bodies are documented with their content type.
    let login_401 = &paths["/auth/login"]["post"]["responses"]["401"]["content"];
    assert!(
        login_401.get("application/problem+json").is_some(),
        "{login_401}"
    );
}

#[tokio::test]
async fn unknown_route_is_problem_404() {
    let s = server(&[]).await;
    s.get("/auth/nothing-here").await.problem(404, "not_found");
}

#[tokio::test]
async fn cors_allows_exactly_the_configured_origins_with_credentials() {
    let s = server(&[
        "--allow-origin",
        "http://localhost:3000",
        "--allow-origin",
        "https://app.example",
    ])
    .await;
    let pre = s
        .send(
            s.http
                .request(reqwest::Method::OPTIONS, s.url("/auth/login"))
                .header("origin", "https://app.example")
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type"),
        )
        .await;
    assert!(pre.status < 300, "{}", pre.status);
    assert_eq!(
        pre.header("access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(
        pre.header("access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let methods = pre
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_uppercase();
    for m in ["GET", "POST", "PUT", "DELETE", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    assert!(
        pre.header("access-control-allow-headers")
            .unwrap_or_default()
            .contains("content-type")
    );
    // A real cross-origin call can read Retry-After.
    let a = s
        .send(
            s.http
                .get(s.url("/auth/status"))
                .header("origin", "http://localhost:3000"),
        )
        .await;
    assert_eq!(
        a.header("access-control-allow-origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert!(
        a.header("access-control-expose-headers")
            .unwrap_or_default()
            .contains("retry-after")
    );
    // Any other origin gets no CORS grant.
    let other = s
        .send(
            s.http
                .get(s.url("/auth/status"))
                .header("origin", "https://evil.example"),
        )
        .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn static_dir_serves_index_and_embed_with_correct_mime_types() {
    let dir = temp_dir("static");
    std::fs::create_dir_all(dir.join("embed")).unwrap();
    std::fs::write(dir.join("index.html"), "<!DOCTYPE html><title>demo</title>").unwrap();
    std::fs::write(dir.join("embed/auth-widget.js"), "export default 1;").unwrap();
    std::fs::write(dir.join("embed/auth-widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("embed/auth-widget.css"), "a{}").unwrap();
    let s = server(&["--static-dir", dir.to_str().unwrap()]).await;
    let index = s.get("/").await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("<title>demo</title>"));
    assert!(index.content_type().starts_with("text/html"));
    for (path, mime) in [
        ("/embed/auth-widget.js", "text/javascript"),
        ("/embed/auth-widget_bg.wasm", "application/wasm"),
        ("/embed/auth-widget.css", "text/css"),
    ] {
        let a = s.get(path).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(
            a.content_type().starts_with(mime),
            "{path}: {}",
            a.content_type()
        );
    }
    assert_eq!(s.get("/embed/missing.js").await.status, 404);
    // The API still wins over static files.
    assert_eq!(s.get("/auth/status").await.status, 200);
    std::fs::remove_dir_all(dir).unwrap();
}

async fn oneshot_from(
    state: &auth_server::state::Shared,
    peer: &str,
    req: Request<Body>,
) -> (u16, Value) {
    let mut req = req;
    let addr: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let resp = auth_server::app::router(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn admin_endpoints_refuse_browser_calls_from_foreign_origins() {
    let s = server(&["--faults"]).await;
    let put = |origin: &str| {
        s.http
            .put(s.admin_url("/_admin/faults"))
            .header("origin", origin)
            .json(&json!({"fault": "unavailable"}))
    };
    s.send(put("https://evil.example"))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status,
        200,
        "no fault was set"
    );
    // A page served by the admin listener itself (same origin) may.
    let own = s.admin.clone();
    assert_eq!(s.send(put(&own)).await.status, 200);
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 503);
}

#[tokio::test]
async fn rate_limit_is_per_client_address() {
    let s = server(&["--rate-limit-per-minute", "2"]).await;
    let login = || {
        Request::post("/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"email":"a@b.example","password":"whatever"}"#,
            ))
            .unwrap()
    };
    for _ in 0..2 {
        assert_eq!(
            oneshot_from(&s.running.state, "198.51.100.1:1", login())
                .await
                .0,
            401
        );
    }
    let (status, body) = oneshot_from(&s.running.state, "198.51.100.1:1", login()).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
    // Another client is not affected.
    assert_eq!(
        oneshot_from(&s.running.state, "198.51.100.2:1", login())
            .await
            .0,
        401
    );
}

/// Designers preview copy live: the locale file is re-read on every request.
#[tokio::test]
async fn copy_json_serves_the_locale_file_live_as_flat_keys() {
    let dir = std::env::temp_dir().join(format!("aw-locales-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("en.toml");
    std::fs::write(&file, "[form]\nemail_label = \"Email\"\n[failure]\ncountdown = { one = \"{n} s\", other = \"{n} s\" }\n").unwrap();
    let s = server(&["--locales-dir", dir.to_str().unwrap()]).await;
    let a = s.get("/copy/en.json").await;
    assert_eq!(a.status, 200);
    let body = a.json();
    assert_eq!(body["form.email_label"], "Email");
    assert_eq!(body["failure.countdown"]["one"], "{n} s");
    std::fs::write(&file, "[form]\nemail_label = \"Your email\"\n").unwrap();
    assert_eq!(
        s.get("/copy/en.json").await.json()["form.email_label"],
        "Your email"
    );
    assert_eq!(s.get("/copy/xx.json").await.status, 404);
    assert_eq!(s.get("/copy/..%2Fsecret.json").await.status, 404);
    std::fs::remove_dir_all(&dir).ok();
}
