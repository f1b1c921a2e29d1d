//! The accept loop: HTTP/1.1 with a header-read timeout (which also closes idle keep-alive
//! connections), a cap on connections served at once, and graceful shutdown. A request body
//! that stops arriving is cut off by the router's body timeout. OWASP Denial of Service Cheat
//! Sheet: every connection has a deadline, and the number of them is bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Limits of one listener.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; further ones wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Time to receive a request's headers, and the longest a connection may sit idle
    /// between requests.
    pub header_timeout: Duration,
}

/// Resolves once `stop` turns true (never, if its sender is gone).
async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    let stopped = stop.wait_for(|s| *s).await.is_ok();
    if !stopped {
        std::future::pending::<()>().await;
    }
}

/// Serves `app` on `listener` until `stop` turns true, then lets open requests finish (at most
/// 10 s). `on_open(+1/-1)` follows the number of connections served.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    on_open: impl Fn(i64) + Send + Sync + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let on_open = Arc::new(on_open);
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = until_stopped(&mut stop) => break,
        };
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = until_stopped(&mut stop) => break,
        };
        // A response written in two segments (headers, then the body) must not wait for the
        // client's delayed ACK: with Nagle's algorithm on, that stalls ~40 ms.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {e}");
        }
        let app = app
            .clone()
            .map_request(move |mut req: axum::extract::Request| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            });
        let svc = TowerToHyperService::new(app.map_request(
            |req: hyper::Request<hyper::body::Incoming>| req.map(axum::body::Body::new),
        ));
        let conn = graceful.watch(http.serve_connection(TokioIo::new(tcp), svc));
        let on_open = on_open.clone();
        on_open(1);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
            on_open(-1);
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(Duration::from_secs(10)) => {
            tracing::warn!("connections still open after 10 s of shutdown: closing them");
        }
    }
    Ok(())
}
