//! The HTTP server: the API's router on hyper's HTTP/1 connections, with the limits a public
//! endpoint needs and `axum::serve` (axum 0.7) does not set:
//! - a client must send each request's head within `header_timeout` (a client trickling its
//!   headers, or holding an idle connection open, is disconnected);
//! - a client must take the response bytes it is sent: a write that cannot go out for
//!   `write_timeout` (the client stopped reading, or pipelines requests without reading the
//!   answers) closes the connection;
//! - at most `max_connections` connections are served at once; further ones wait in the kernel's
//!   accept queue;
//! - on shutdown the listener closes at once; open connections may finish the request they are in
//!   within `grace`, then they are aborted, so a stalled client cannot hold a shutdown.
//!
//! Request bodies have their own size and time limits, applied where the handlers read them
//! (`routes::read_body`).

use axum::Router;
use hyper_util::{
	rt::{TokioIo, TokioTimer},
	server::graceful::GracefulShutdown,
	service::TowerToHyperService,
};
use std::{
	future::Future,
	io,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
	time::Duration,
};
use tokio::{
	io::{AsyncRead, AsyncWrite, ReadBuf},
	net::TcpListener,
	sync::Semaphore,
	task::JoinSet,
	time::Sleep,
};

/// What the server allows a client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
	/// Time to send a request's head (request line and headers).
	pub header_timeout: Duration,
	/// Time a response write may wait for the client to read.
	pub write_timeout: Duration,
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
	let permits = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
	let mut connections = JoinSet::new();
	let graceful = GracefulShutdown::new();
	let mut http = hyper::server::conn::http1::Builder::new();
	http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
	tokio::pin!(shutdown);
	loop {
		// Forget the connections that ended.
		while connections.try_join_next().is_some() {}
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
		let stream = WriteDeadline::new(stream, limits.write_timeout);
		let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
		connections.spawn(async move {
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
			"{} connections still open {:?} after shutdown began: aborted",
			connections.len(),
			limits.grace
		);
	}
	connections.shutdown().await;
}

/// A client connection whose writes must make progress: a write or flush that stays pending
/// (the socket's send buffer full, the client not reading) for `timeout` fails with `TimedOut`,
/// which ends the connection. Waiting for the response itself (an upstream thinking) is not
/// writing and does not count.
struct WriteDeadline<S> {
	inner: S,
	timeout: Duration,
	stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
	fn new(inner: S, timeout: Duration) -> Self {
		Self { inner, timeout, stalled: None }
	}

	/// The write is pending: start the clock, or fail once it has run out.
	fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
		let timeout = self.timeout;
		let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
		match stalled.as_mut().poll(cx) {
			Poll::Ready(()) => {
				self.stalled = None;
				Poll::Ready(Err(io::Error::new(
					io::ErrorKind::TimedOut,
					"the client did not read the response in time",
				)))
			},
			Poll::Pending => Poll::Pending,
		}
	}

	fn progress<T>(
		&mut self,
		poll: Poll<io::Result<T>>,
		cx: &mut Context<'_>,
	) -> Poll<io::Result<T>> {
		match poll {
			Poll::Pending => self.pending(cx),
			ready => {
				self.stalled = None;
				ready
			},
		}
	}
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
	fn poll_read(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &mut ReadBuf<'_>,
	) -> Poll<io::Result<()>> {
		Pin::new(&mut self.inner).poll_read(cx, buf)
	}
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
	fn poll_write(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<io::Result<usize>> {
		let this = &mut *self;
		let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
		this.progress(poll, cx)
	}

	fn poll_write_vectored(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		bufs: &[io::IoSlice<'_>],
	) -> Poll<io::Result<usize>> {
		let this = &mut *self;
		let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
		this.progress(poll, cx)
	}

	fn is_write_vectored(&self) -> bool {
		self.inner.is_write_vectored()
	}

	fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = &mut *self;
		let poll = Pin::new(&mut this.inner).poll_flush(cx);
		this.progress(poll, cx)
	}

	fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = &mut *self;
		let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
		this.progress(poll, cx)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::{AsyncReadExt, AsyncWriteExt};

	const TIMEOUT: Duration = Duration::from_millis(200);

	#[tokio::test]
	async fn a_write_the_peer_does_not_read_fails_after_the_timeout() {
		let (ours, _theirs) = tokio::io::duplex(1024);
		let mut conn = WriteDeadline::new(ours, TIMEOUT);
		conn.write_all(&[0; 1024]).await.unwrap();
		let started = tokio::time::Instant::now();
		let e = conn.write_all(&[0; 1]).await.unwrap_err();
		assert_eq!(e.kind(), io::ErrorKind::TimedOut);
		assert!(started.elapsed() >= TIMEOUT);
	}

	/// A peer that reads slowly, but within the timeout each time, gets everything, however
	/// long the whole takes (here about twice the timeout). The reader pauses a quarter of the
	/// timeout, so that a test machine busy with other work cannot turn a pause into a stall.
	#[tokio::test]
	async fn a_peer_that_keeps_reading_is_never_cut_off() {
		const TIMEOUT: Duration = Duration::from_secs(1);
		let (ours, mut theirs) = tokio::io::duplex(1024);
		let mut conn = WriteDeadline::new(ours, TIMEOUT);
		let started = tokio::time::Instant::now();
		let reader = tokio::spawn(async move {
			let mut total = 0;
			let mut buf = [0; 1024];
			while total < 8 * 1024 {
				tokio::time::sleep(TIMEOUT / 4).await;
				total += theirs.read(&mut buf).await.unwrap();
			}
			total
		});
		conn.write_all(&[0; 8 * 1024]).await.unwrap();
		assert_eq!(reader.await.unwrap(), 8 * 1024);
		assert!(started.elapsed() > TIMEOUT);
	}
}
