//! Unauthenticated telemetry cannot be forged or flooded: JSON only, from allowed origins only,
//! rate-limited per client, and it cannot create metric series (only known flows × known
//! outcomes, all present from the start). OWASP ASVS 5.0 V13; OWASP Denial of Service CS.

mod common;

use common::*;
use serde_json::json;

fn report() -> serde_json::Value {
    json!({"flow": "login", "outcome": "success", "status": 200, "latency_ms": 12.0,
           "widget_version": "0.1.0"})
}

fn series(metrics: &str, name: &str) -> Vec<String> {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with('{'))
        .map(|l| l.rsplit_once(' ').map_or(l, |(k, _)| k).to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn telemetry_sent_as_text_plain_is_refused_with_415() {
    let s = server(&[]).await;
    let a = s
        .send(
            s.http
                .post(s.url("/auth/telemetry"))
                .header("origin", s.base.clone())
                .header("content-type", "text/plain;charset=UTF-8")
                .body(report().to_string()),
        )
        .await;
    a.problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn telemetry_from_a_foreign_or_missing_origin_is_refused() {
    let s = server(&["--allow-origin", "https://app.example"]).await;
    let send = |origin: Option<&str>| {
        let mut req = s.http.post(s.url("/auth/telemetry")).json(&report());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req
    };
    s.send(send(Some("https://evil.example")))
        .await
        .problem(403, "forbidden");
    s.send(send(None)).await.problem(403, "forbidden");
    assert_eq!(s.send(send(Some("https://app.example"))).await.status, 204);
    assert_eq!(s.send(send(Some(&s.base))).await.status, 204, "own pages");
    let m = s.admin_get("/metrics").await.text;
    let counted = m
        .lines()
        .find(|l| {
            l.starts_with("auth_widget_outcomes_total{")
                && l.contains("flow=\"login\"")
                && l.contains("outcome=\"success\"")
        })
        .unwrap_or_default()
        .to_string();
    assert!(
        counted.ends_with(" 2"),
        "only the two allowed reports: {counted}"
    );
}

#[tokio::test]
async fn one_client_flooding_telemetry_is_rate_limited() {
    let s = server(&["--telemetry-per-minute", "30"]).await;
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let a = s
            .send(
                s.http
                    .post(s.url("/auth/telemetry"))
                    .header("origin", s.base.clone())
                    .json(&report()),
            )
            .await;
        statuses.push(a.status);
    }
    let counted = statuses.iter().filter(|s| **s == 204).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(counted <= 31, "{counted} of 100 counted");
    assert_eq!(counted + limited, 100, "{statuses:?}");
    // The contract's endpoints have their own budget.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn telemetry_cannot_create_new_metric_series() {
    let s = server(&["--telemetry-per-minute", "0"]).await;
    let before = series(
        &s.admin_get("/metrics").await.text,
        "auth_widget_outcomes_total",
    );
    assert!(
        !before.is_empty(),
        "every known series exists from the start"
    );
    for (i, outcome) in ["brand_new_kind", "other", "success", "timeout"]
        .iter()
        .enumerate()
    {
        for flow in ["login", "signup", "password_reset"] {
            let body = json!({"flow": flow, "outcome": format!("{outcome}"), "status": i});
            let a = s
                .send(
                    s.http
                        .post(s.url("/auth/telemetry"))
                        .header("origin", s.base.clone())
                        .json(&body),
                )
                .await;
            assert_eq!(a.status, 204, "{}", a.text);
        }
    }
    let after = series(
        &s.admin_get("/metrics").await.text,
        "auth_widget_outcomes_total",
    );
    assert_eq!(before, after, "the same series, only their values moved");
}
