//! What the two load benchmarks (`bench.rs`, `bench_cluster.rs`) share.

use std::time::Duration;

/// One of 1,000 client addresses (`X-Forwarded-For`), so the per-client limits see a crowd.
pub fn client(n: usize) -> String {
    format!("198.51.{}.{}", 100 + n % 1000 / 250, n % 250 + 1)
}

/// The `p` quantile (0 to 1) of sorted durations; zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
