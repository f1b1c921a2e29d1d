use std::io::Write;
use std::process::ExitCode;

use auth_server::{Cli, start};
use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    // Bad flags or values: clap prints a clear message and exits with code 2.
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let running = match start(cli, shutdown_signal()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("auth-server: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    // Scripts parse exactly this line to find the port.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "auth-server listening on {}", running.url());
    // The admin listener (operator API, /metrics, /dashboard) on a line of its own.
    let _ = writeln!(
        out,
        "auth-server admin listening on {}",
        running.admin_url()
    );
    let _ = out.flush();
    drop(out);
    match running.task.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("auth-server: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("auth-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
