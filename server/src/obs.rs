//! Observability: Prometheus metrics (per server instance, not a global recorder) and the
//! per-minute success history behind `/dashboard`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use metrics::{Key, KeyName, Label, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// Server-side attempts: `auth_attempts_total{flow, outcome}`; outcome is `success` or the
/// problem code.
pub const ATTEMPTS: &str = "auth_attempts_total";
/// Server-side latency histogram: `auth_request_duration_seconds{flow}`.
pub const DURATION: &str = "auth_request_duration_seconds";
/// Outcomes reported by widgets: `auth_widget_outcomes_total{flow, outcome}`.
pub const WIDGET_OUTCOMES: &str = "auth_widget_outcomes_total";
/// Latency reported by widgets: `auth_widget_latency_seconds{flow}`.
pub const WIDGET_LATENCY: &str = "auth_widget_latency_seconds";
/// Connections the public listener is serving: `auth_open_connections`.
pub const OPEN_CONNECTIONS: &str = "auth_open_connections";
/// Emails by kind and outcome (`sent`, `failed`, `kept` in the dev mailbox).
pub const MAILS: &str = "auth_mails_total";

const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Attempts and successes of one flow in one minute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub success: u64,
    pub total: u64,
}

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// (unix minute, flow → tally), oldest first, at most 60 minutes.
    minutes: Mutex<VecDeque<(u64, BTreeMap<&'static str, Tally>)>>,
}

fn widget_key(flow: &'static str, outcome: &'static str) -> Key {
    Key::from_parts(
        WIDGET_OUTCOMES,
        vec![Label::new("flow", flow), Label::new("outcome", outcome)],
    )
}

/// Requests refused with 429 (`rate_limited`) or 503 (`service_unavailable`) since the last
/// summary. A flood of refusals would otherwise write a log line each; they are logged as one
/// summary per interval instead.
#[derive(Default)]
pub struct Refusals {
    rate_limited: AtomicU64,
    service_unavailable: AtomicU64,
}

impl Refusals {
    pub fn count(&self, code: &str) {
        match code {
            "rate_limited" => self.rate_limited.fetch_add(1, Ordering::Relaxed),
            _ => self.service_unavailable.fetch_add(1, Ordering::Relaxed),
        };
    }

    /// Logs and resets the counts, if there were any.
    pub fn log_summary(&self) {
        let limited = self.rate_limited.swap(0, Ordering::Relaxed);
        let shed = self.service_unavailable.swap(0, Ordering::Relaxed);
        if limited + shed > 0 {
            tracing::warn!(
                rate_limited = limited,
                service_unavailable = shed,
                "requests refused since the last summary"
            );
        }
    }
}

fn meta() -> Metadata<'static> {
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()))
}

impl Metrics {
    pub fn new() -> anyhow::Result<Metrics> {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .map_err(|e| anyhow::anyhow!("metrics buckets: {e}"))?
            .build_recorder();
        let handle = recorder.handle();
        let describe = |name: &'static str, unit: Option<Unit>, help: &'static str| {
            recorder.describe_counter(KeyName::from(name), unit, SharedString::from(help));
        };
        describe(
            ATTEMPTS,
            None,
            "Auth attempts answered by this server, by flow and outcome code.",
        );
        describe(
            MAILS,
            None,
            "Emails by kind (verify, reset, password_changed) and outcome (sent, failed, kept).",
        );
        describe(
            WIDGET_OUTCOMES,
            None,
            "Auth outcomes reported by widgets via /auth/telemetry.",
        );
        recorder.describe_histogram(
            KeyName::from(DURATION),
            Some(Unit::Seconds),
            SharedString::from("Time to answer an auth request, by flow."),
        );
        recorder.describe_histogram(
            KeyName::from(WIDGET_LATENCY),
            Some(Unit::Seconds),
            SharedString::from("Latency seen by widgets, by flow (reported via telemetry)."),
        );
        Ok(Metrics {
            recorder,
            handle,
            minutes: Mutex::new(VecDeque::new()),
        })
    }

    /// Records one server-side attempt.
    pub fn attempt(&self, flow: &'static str, outcome: &'static str, seconds: f64) {
        let labels = vec![Label::new("flow", flow), Label::new("outcome", outcome)];
        self.recorder
            .register_counter(&Key::from_parts(ATTEMPTS, labels), &meta())
            .increment(1);
        let key = Key::from_parts(DURATION, vec![Label::new("flow", flow)]);
        self.recorder
            .register_histogram(&key, &meta())
            .record(seconds);
        self.tally(flow, outcome == "success");
    }

    /// Creates every widget series at zero: telemetry can then only move existing series,
    /// never add one (the label values are `flows` × `outcomes`, fixed here).
    pub fn register_widget_series(&self, flows: &[&'static str], outcomes: &[&'static str]) {
        for flow in flows {
            for outcome in outcomes {
                self.recorder
                    .register_counter(&widget_key(flow, outcome), &meta())
                    .increment(0);
            }
        }
    }

    /// Records one widget-reported outcome; `flow` and `outcome` come from the fixed lists
    /// given to `register_widget_series`.
    pub fn widget_outcome(&self, flow: &'static str, outcome: &'static str, seconds: Option<f64>) {
        self.recorder
            .register_counter(&widget_key(flow, outcome), &meta())
            .increment(1);
        if let Some(s) = seconds {
            let key = Key::from_parts(WIDGET_LATENCY, vec![Label::new("flow", flow)]);
            self.recorder.register_histogram(&key, &meta()).record(s);
        }
    }

    /// Counts one email by kind and outcome.
    pub fn mail(&self, kind: &'static str, outcome: &'static str) {
        let labels = vec![Label::new("kind", kind), Label::new("outcome", outcome)];
        self.recorder
            .register_counter(&Key::from_parts(MAILS, labels), &meta())
            .increment(1);
    }

    /// Follows the number of connections the public listener serves.
    pub fn open_connections(&self, delta: i64) {
        let gauge = self
            .recorder
            .register_gauge(&Key::from_name(OPEN_CONNECTIONS), &meta());
        if delta >= 0 {
            gauge.increment(delta as f64);
        } else {
            gauge.decrement(-delta as f64);
        }
    }

    pub fn render(&self) -> String {
        self.handle.run_upkeep();
        self.handle.render()
    }

    fn tally(&self, flow: &'static str, success: bool) {
        let minute = crate::tokens::now() / 60;
        let mut minutes = self.minutes.lock().unwrap_or_else(|e| e.into_inner());
        if minutes.back().is_none_or(|(m, _)| *m != minute) {
            minutes.push_back((minute, BTreeMap::new()));
        }
        while minutes.front().is_some_and(|(m, _)| *m + 60 <= minute) {
            minutes.pop_front();
        }
        if let Some((_, flows)) = minutes.back_mut() {
            let t = flows.entry(flow).or_default();
            t.total += 1;
            t.success += u64::from(success);
        }
    }

    /// Per-minute tallies of the last hour, oldest first.
    pub fn history(&self) -> Vec<(u64, BTreeMap<&'static str, Tally>)> {
        let minute = crate::tokens::now() / 60;
        let minutes = self.minutes.lock().unwrap_or_else(|e| e.into_inner());
        minutes
            .iter()
            .filter(|(m, _)| *m + 60 > minute)
            .cloned()
            .collect()
    }
}
