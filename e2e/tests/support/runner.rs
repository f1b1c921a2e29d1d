//! The runner: per browser one driver, one session and one server, the journeys in order on
//! fresh page loads; both browsers at once. A journey's panic or time-out is caught, a
//! screenshot, the console and the page are saved under `target/e2e/`, and the next journey
//! goes on. Sessions, browsers, drivers and servers end on every path.

use super::browser::{Browser, Kind, set_dark};
use super::page::Ctx;
use super::procs::artifacts;
use super::server::{Server, dist};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Run = fn(Arc<Ctx>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// One journey: a sentence-like name and its body.
pub struct Journey {
    pub name: &'static str,
    pub run: Run,
    /// Longest it may take (the timeout journey waits out the widget's 15 s).
    pub limit: Duration,
}

/// `journey!(module::function)` or `journey!(module::function, seconds)`.
#[macro_export]
macro_rules! journey {
    ($m:ident :: $f:ident) => {
        $crate::journey!($m::$f, 60)
    };
    ($m:ident :: $f:ident, $secs:expr) => {
        $crate::support::runner::Journey {
            name: concat!(stringify!($m), "::", stringify!($f)),
            run: |cx| Box::pin($m::$f(cx)),
            limit: std::time::Duration::from_secs($secs),
        }
    };
}

/// The result of one journey in one browser.
pub struct Outcome {
    pub name: String,
    pub failure: Option<String>,
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".to_string())
}

/// Runs `journeys` in `kind`, printing a line per journey.
pub async fn run_browser(kind: Kind, journeys: Vec<&'static Journey>) -> Vec<Outcome> {
    let browser = Browser::start(kind).await;
    let server = Server::start(kind.name(), &dist(), &[]);
    let cx = Arc::new(Ctx::new(
        kind,
        browser.client.clone(),
        server,
        browser.log.clone(),
    ));
    let mut outcomes = Vec::new();
    for j in journeys {
        let name = format!("{}::{}", kind.name(), j.name);
        cx.server.reset().await;
        set_dark(&cx.client, kind, false).await;
        cx.clear_console().await;
        let started = Instant::now();
        let mut task = tokio::spawn((j.run)(cx.clone()));
        let failure = match tokio::time::timeout(j.limit, &mut task).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) if e.is_panic() => Some(panic_text(&*e.into_panic())),
            Ok(Err(e)) => Some(format!("journey task ended: {e}")),
            Err(_) => {
                task.abort();
                Some(format!("did not finish in {:?}", j.limit))
            }
        };
        let secs = started.elapsed().as_secs_f64();
        match &failure {
            None => println!("test {name} ... ok ({secs:.1} s)"),
            Some(why) => {
                save_artifacts(&cx, &name, why).await;
                println!("test {name} ... FAILED ({secs:.1} s)\n    {why}");
            }
        }
        outcomes.push(Outcome { name, failure });
    }
    drop(cx); // the server stops once no journey holds it
    browser.close().await;
    outcomes
}

/// Screenshot, console and page source of a failed journey.
async fn save_artifacts(cx: &Ctx, name: &str, why: &str) {
    let base = artifacts().join(name.replace("::", "-"));
    let _ = std::fs::write(base.with_extension("failure.txt"), why);
    if let Ok(png) = cx.client.screenshot().await {
        let _ = std::fs::write(base.with_extension("png"), png);
    }
    let console = cx.console().await.join("\n");
    let _ = std::fs::write(base.with_extension("console.txt"), console);
    if let Ok(html) = cx.client.source().await {
        let _ = std::fs::write(base.with_extension("html"), html);
    }
    eprintln!(
        "    saved {}.{{png,console.txt,html,failure.txt}}",
        base.display()
    );
}

/// Runs every selected journey in every selected browser (both at once) and prints the
/// per-browser counts. Returns whether all passed.
pub fn main(all: &'static [Journey]) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for j in all {
            println!("{}: test", j.name);
        }
        return true;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let browsers: Vec<Kind> = std::env::var("E2E_BROWSERS")
        .unwrap_or_else(|_| "chromium,firefox".to_string())
        .split(',')
        .filter_map(Kind::parse)
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("tokio runtime");
    super::procs::remove_old_artifacts();
    let started = Instant::now();
    let results: Vec<(Kind, Vec<Outcome>)> = rt.block_on(async {
        let tasks: Vec<_> = browsers
            .iter()
            .map(|&kind| {
                let selected: Vec<&'static Journey> = all
                    .iter()
                    .filter(|j| {
                        let full = format!("{}::{}", kind.name(), j.name);
                        filters.is_empty() || filters.iter().any(|f| full.contains(f.as_str()))
                    })
                    .collect();
                let names: Vec<String> = selected
                    .iter()
                    .map(|j| format!("{}::{}", kind.name(), j.name))
                    .collect();
                (kind, names, tokio::spawn(run_browser(kind, selected)))
            })
            .collect();
        let mut out = Vec::new();
        for (kind, names, task) in tasks {
            let outcomes = match task.await {
                Ok(o) => o,
                // The browser or its server never started: every journey counts as failed.
                Err(e) => {
                    let why = if e.is_panic() {
                        panic_text(&*e.into_panic())
                    } else {
                        e.to_string()
                    };
                    println!("{}: could not run: {why}", kind.name());
                    names
                        .into_iter()
                        .map(|name| Outcome {
                            name,
                            failure: Some(why.clone()),
                        })
                        .collect()
                }
            };
            out.push((kind, outcomes));
        }
        out
    });
    println!();
    let mut all_ok = true;
    for (kind, outcomes) in &results {
        let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
        all_ok &= failed.is_empty();
        println!(
            "{}: {} passed; {} failed",
            kind.name(),
            outcomes.len() - failed.len(),
            failed.len()
        );
        for f in failed {
            println!("    failed: {}", f.name);
        }
    }
    let total: usize = results.iter().map(|(_, o)| o.len()).sum();
    let failed: usize = results
        .iter()
        .map(|(_, o)| o.iter().filter(|x| x.failure.is_some()).count())
        .sum();
    println!(
        "\ntest result: {}. {} passed; {} failed; finished in {:.1}s",
        if all_ok { "ok" } else { "FAILED" },
        total - failed,
        failed,
        started.elapsed().as_secs_f64()
    );
    if all_ok {
        super::procs::remove_logs();
    } else {
        println!(
            "driver and server logs: {}",
            artifacts().join("logs").display()
        );
    }
    all_ok
}
