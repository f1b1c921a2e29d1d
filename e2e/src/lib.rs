//! Tests only: see `tests/journeys.rs` and `scripts/e2e.sh`.
