//! Operator endpoints live on their own listener (loopback by default), never on the public one,
//! so a reverse proxy on the same host cannot expose them, and the admin listener refuses a
//! foreign `Host` (DNS rebinding). OWASP ASVS 5.0 V13 (configuration).

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn the_public_listener_answers_404_for_operator_paths_even_from_loopback() {
    let s = server(&["--faults"]).await;
    // What a same-host reverse proxy forwards: loopback peer, the public Host.
    let put = s
        .send(
            s.http
                .put(s.url("/_admin/faults"))
                .json(&json!({"fault": "unavailable"})),
        )
        .await;
    put.problem(404, "not_found");
    for path in ["/_admin/faults", "/_admin/status", "/metrics", "/dashboard"] {
        assert_eq!(
            s.get(path).await.status,
            404,
            "{path} on the public listener"
        );
    }
    let rotate = s.send(s.http.post(s.url("/_admin/keys/rotate"))).await;
    assert_eq!(rotate.status, 404);
    assert_eq!(
        s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status,
        200,
        "no fault was set through the public listener"
    );
}

#[tokio::test]
async fn the_admin_listener_serves_faults_status_metrics_and_dashboard() {
    let s = server(&["--faults"]).await;
    assert_ne!(s.admin, s.base, "a listener of its own");
    assert!(s.admin.starts_with("http://127.0.0.1:"), "{}", s.admin);
    let a = s
        .admin_put("/_admin/faults", &json!({"fault": "unavailable"}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    s.login(DEMO_EMAIL, DEMO_PASSWORD)
        .await
        .problem(503, "service_unavailable");
    assert_eq!(s.admin_get("/metrics").await.status, 200);
    assert_eq!(s.admin_get("/dashboard").await.status, 200);
    assert_eq!(s.admin_get("/_admin/status").await.status, 200);
}

#[tokio::test]
async fn the_admin_listener_refuses_a_foreign_host_header() {
    let s = server(&["--faults"]).await;
    let port = s.admin.rsplit(':').next().unwrap().to_string();
    // DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1 sends
    // its own host name, and its own origin.
    let rebound = s
        .send(
            s.http
                .put(s.admin_url("/_admin/faults"))
                .header("host", format!("attacker.example:{port}"))
                .header("origin", format!("http://attacker.example:{port}"))
                .json(&json!({"fault": "unavailable"})),
        )
        .await;
    rebound.problem(403, "forbidden");
    let no_origin = s
        .send(
            s.http
                .get(s.admin_url("/metrics"))
                .header("host", "attacker.example"),
        )
        .await;
    assert_eq!(no_origin.status, 403);
    assert_eq!(
        s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status,
        200,
        "no fault was set"
    );
    // The loopback names of the admin port itself are accepted.
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let a = s
            .send(
                s.http
                    .get(s.admin_url("/_admin/faults"))
                    .header("host", host.clone()),
            )
            .await;
        assert_eq!(a.status, 200, "{host}: {}", a.text);
    }
}

#[tokio::test]
async fn the_demo_flag_also_serves_the_admin_api_on_the_public_listener() {
    let s = server(&["--faults", "--demo-admin-on-public"]).await;
    let a = s
        .send(
            s.http
                .put(s.url("/_admin/faults"))
                .json(&json!({"fault": "unavailable"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    // Still refused to a foreign page and a foreign Host.
    let foreign = s
        .send(
            s.http
                .put(s.url("/_admin/faults"))
                .header("origin", "https://evil.example")
                .json(&json!({"fault": null})),
        )
        .await;
    foreign.problem(403, "forbidden");
    let rebound = s
        .send(
            s.http
                .get(s.url("/_admin/faults"))
                .header("host", "attacker.example"),
        )
        .await;
    rebound.problem(403, "forbidden");
}
