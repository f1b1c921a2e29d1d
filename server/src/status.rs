//! `GET /auth/status`: the operator's incident message, from `--status-file` (re-read when the
//! file changes) or `PUT /_admin/status`.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::{FieldError, Problem};

/// `{"state","message"?,"until"?}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceStatus {
    /// `operational`, `degraded`, `outage` or `maintenance`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the incident is expected to end (RFC 3339 text, shown as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

pub const STATES: [&str; 4] = ["operational", "degraded", "outage", "maintenance"];

impl ServiceStatus {
    pub fn operational() -> Self {
        ServiceStatus {
            state: "operational".into(),
            message: None,
            until: None,
        }
    }

    /// Checks the values; problems are reported as `validation_failed` field errors.
    pub fn validate(&self) -> Result<(), Problem> {
        let mut errors = Vec::new();
        if !STATES.contains(&self.state.as_str()) {
            errors.push(FieldError::new("state", "malformed"));
        }
        if self
            .message
            .as_ref()
            .is_some_and(|m| m.chars().count() > 500)
        {
            errors.push(FieldError {
                max: Some(500),
                ..FieldError::new("message", "too_long")
            });
        }
        if self.until.as_ref().is_some_and(|u| u.chars().count() > 64) {
            errors.push(FieldError {
                max: Some(64),
                ..FieldError::new("until", "too_long")
            });
        }
        crate::input::finish(errors)
    }
}

struct Inner {
    current: ServiceStatus,
    /// Modification time and length of the status file when last read.
    seen: Option<(SystemTime, u64)>,
}

pub struct StatusStore {
    file: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl StatusStore {
    pub fn new(file: Option<PathBuf>) -> StatusStore {
        let store = StatusStore {
            file,
            inner: Mutex::new(Inner {
                current: ServiceStatus::operational(),
                seen: None,
            }),
        };
        store.refresh();
        store
    }

    /// Re-reads the file if its modification time or length changed. A file that does not
    /// parse is logged and ignored (the last good status stays).
    fn refresh(&self) {
        let Some(path) = &self.file else { return };
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.seen == Some(stamp) {
            return;
        }
        inner.seen = Some(stamp);
        let parsed = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<ServiceStatus>(&b).map_err(|e| e.to_string()))
            .and_then(|s| {
                s.validate()
                    .map(|_| s)
                    .map_err(|_| "bad values".to_string())
            });
        match parsed {
            Ok(status) => {
                tracing::info!(state = %status.state, "status file loaded");
                inner.current = status;
            }
            Err(e) => tracing::warn!(file = %path.display(), error = %e, "status file ignored"),
        }
    }

    pub fn get(&self) -> ServiceStatus {
        self.refresh();
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .current
            .clone()
    }

    pub fn set(&self, status: ServiceStatus) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).current = status;
    }
}
