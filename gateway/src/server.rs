//! The HTTP server: the API's router on hyper's HTTP/1 connections, with the limits a public
//! endpoint needs and `axum::serve` (axum 0.7) does not set:
//! - a client must send each request's head within `header_timeout` (a client trickling its
//!   headers, or holding an idle connection open, is disconnected);
//! - at most `max_connections` connections are served at once; further ones wait in the kernel's
//!   accept queue;
//! - on shutdown the listener closes at once; open connections may finish the request they are in
//!   within `grace`, then they are dropped, so a stalled client cannot hold a shutdown.
//!
//! Request bodies have their own size and time limits, applied where the handlers read them
//! (`api::read_body`).

use axum::Router;
use hyper_util::{
	rt::{TokioIo, TokioTimer},
	server::graceful::GracefulShutdown,
	service::TowerToHyperService,
};
use std::{future::Future, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Semaphore};

/// What the server allows a client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
	/// Time to send a request's head (request line and headers).
	pub header_timeout: Duration,
	/// Connections served at once.
	pub max_connections: usize,
	/// Time open connections get to finish after shutdown begins.
	pub grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then drains (see the module docs).
pub async fn serve(
	listener: TcpListener,
	router: Router,
	limits: Limits,
	shutdown: impl Future<Output = ()>,
) {
	let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
	let graceful = GracefulShutdown::new();
	let mut http = hyper::server::conn::http1::Builder::new();
	http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
	tokio::pin!(shutdown);
	loop {
		let permit = tokio::select! {
			p = permits.clone().acquire_owned() => match p {
				Ok(p) => p,
				Err(_) => break,
			},
			() = &mut shutdown => break,
		};
		let (stream, peer) = tokio::select! {
			r = listener.accept() => match r {
				Ok(s) => s,
				Err(e) => {
					// E.g. out of file descriptors: wait a little rather than spin.
					tracing::warn!(target: "gateway", "accept failed: {e}");
					tokio::time::sleep(Duration::from_millis(100)).await;
					continue;
				},
			},
			() = &mut shutdown => break,
		};
		let service = TowerToHyperService::new(router.clone());
		let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
		tokio::spawn(async move {
			if let Err(e) = connection.await {
				tracing::debug!(target: "gateway", "connection from {peer}: {e}");
			}
			drop(permit);
		});
	}
	drop(listener);
	if tokio::time::timeout(limits.grace, graceful.shutdown()).await.is_err() {
		tracing::warn!(
			target: "gateway",
			"connections still open {:?} after shutdown began: dropped",
			limits.grace
		);
	}
}
