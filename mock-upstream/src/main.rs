//! `nexus-mock-upstream`: a deterministic AI upstream for the gateway's tests, its benchmark
//! and the demo network, speaking the three wire formats the gateway routes to:
//!
//! - `POST /v1/chat/completions` (OpenAI Chat Completions), plain and streaming ([`chat`]);
//! - `POST /v1/messages` and `/v1/messages/count_tokens` (Anthropic Messages), plain and streaming,
//!   with thinking blocks and their signatures ([`messages`]);
//! - `POST /v1/responses` (OpenAI Responses), plain and streaming, with reasoning items
//!   ([`responses`]);
//! - `GET /v1/models`: the configured models;
//! - `GET /stats`: how many requests it served and failed, by format (for tests).
//!
//! Every format streams, calls tools, and reports prompt-cache usage. Everything it answers is
//! a function of the request, the configuration and the prefixes it has cached ([`model`]).
//! `--error-rate r` fails requests `n` where `⌊(n+1)·r⌋ > ⌊n·r⌋` (so 0.25 fails every fourth
//! request, 1 fails all), with `--error-status`, in the format's own error shape.
//! `--credential` makes it demand the credential: `Authorization: Bearer <credential>` on the
//! OpenAI routes, `x-api-key: <credential>` on the Anthropic ones.

mod chat;
mod messages;
mod model;
mod responses;

use axum::{
	extract::State,
	http::{HeaderMap, StatusCode},
	response::{
		sse::{Event, Sse},
		IntoResponse, Response,
	},
	routing::{get, post},
	Json, Router,
};
use clap::Parser;
use serde_json::{json, Value};
use std::{
	convert::Infallible,
	net::SocketAddr,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::Duration,
};

/// A deterministic upstream speaking Chat Completions, Anthropic Messages and Responses.
#[derive(Parser, Debug, Clone)]
#[command(version, about)]
pub struct Opts {
	/// Address to listen on.
	#[arg(long, env = "MOCK_LISTEN", default_value = "127.0.0.1:8101")]
	listen: SocketAddr,
	/// A name reported as `system_fingerprint` (tells tests which upstream answered).
	#[arg(long, env = "MOCK_NAME", default_value = "mock")]
	pub name: String,
	/// The credential required from callers (none: anyone may call).
	#[arg(long, env = "MOCK_CREDENTIAL")]
	pub credential: Option<String>,
	/// Delay before answering, in milliseconds.
	#[arg(long, env = "MOCK_LATENCY_MS", default_value_t = 0)]
	latency_ms: u64,
	/// Delay between streamed events, in milliseconds.
	#[arg(long, env = "MOCK_CHUNK_LATENCY_MS", default_value_t = 0)]
	pub chunk_latency_ms: u64,
	/// Fraction of requests that fail (0 to 1), deterministically spread.
	#[arg(long, env = "MOCK_ERROR_RATE", default_value_t = 0.0)]
	error_rate: f64,
	/// The status failed requests get (e.g. 500, 429, 503).
	#[arg(long, env = "MOCK_ERROR_STATUS", default_value_t = 500)]
	error_status: u16,
	/// Completion tokens when the request sets no (smaller) limit.
	#[arg(long, env = "MOCK_COMPLETION_TOKENS", default_value_t = 32)]
	pub completion_tokens: u64,
	/// The smallest prefix (tokens) OpenAI-style automatic prompt caching caches.
	#[arg(long, env = "MOCK_CACHE_MIN_TOKENS", default_value_t = 1_024)]
	pub cache_min_tokens: u64,
	/// Models listed by `/v1/models` (comma separated); any model is served.
	#[arg(
		long,
		env = "MOCK_MODELS",
		default_value = "claude-opus,claude-sonnet,gpt-5,gpt-5-codex"
	)]
	models: String,
}

/// The mock's state.
pub struct Mock {
	pub opts: Opts,
	pub cache: model::Cache,
	requests: AtomicU64,
	served: AtomicU64,
	failed: AtomicU64,
	streamed: AtomicU64,
	by_format: [AtomicU64; 3],
}

pub type Shared = Arc<Mock>;

impl Mock {
	/// Counts a request; waits the configured latency; fails it as configured. Returns its
	/// number.
	pub async fn begin(&self) -> Result<u64, (StatusCode, String)> {
		let n = self.requests.fetch_add(1, Ordering::SeqCst);
		if self.opts.latency_ms > 0 {
			tokio::time::sleep(Duration::from_millis(self.opts.latency_ms)).await;
		}
		if fails(n, self.opts.error_rate) {
			self.failed.fetch_add(1, Ordering::SeqCst);
			let status = StatusCode::from_u16(self.opts.error_status)
				.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
			return Err((status, "mock upstream failure".into()));
		}
		self.served.fetch_add(1, Ordering::SeqCst);
		Ok(n)
	}

	/// Counts a streamed answer.
	pub fn streamed(&self) {
		self.streamed.fetch_add(1, Ordering::SeqCst);
	}
}

/// An error in OpenAI's shape.
pub fn openai_error(status: StatusCode, message: &str, kind: &str) -> Response {
	(
		status,
		Json(json!({"error": {"message": message, "type": kind, "param": null, "code": null}})),
	)
		.into_response()
}

/// With `--credential`, the caller must send `Authorization: Bearer <credential>`.
#[allow(clippy::result_large_err)]
fn authorize(opts: &Opts, headers: &HeaderMap) -> Result<(), Response> {
	let Some(cred) = &opts.credential else { return Ok(()) };
	let given = headers
		.get("authorization")
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.strip_prefix("Bearer "));
	if given == Some(cred.as_str()) {
		Ok(())
	} else {
		Err(openai_error(StatusCode::UNAUTHORIZED, "invalid credential", "invalid_request_error"))
	}
}

fn fails(n: u64, rate: f64) -> bool {
	if rate <= 0.0 {
		return false;
	}
	let rate = rate.min(1.0);
	((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor()
}

/// An SSE response of `(event name, data)` frames, `pause` ms apart.
pub fn sse_stream(frames: Vec<(Option<String>, String)>, pause: u64) -> Response {
	let stream = futures::stream::unfold(frames.into_iter(), move |mut it| async move {
		let (name, data) = it.next()?;
		if pause > 0 {
			tokio::time::sleep(Duration::from_millis(pause)).await;
		}
		let mut event = Event::default().data(data);
		if let Some(n) = name {
			event = event.event(n);
		}
		Some((Ok::<_, Infallible>(event), it))
	});
	Sse::new(stream).into_response()
}

fn parse(body: &str) -> Result<Value, String> {
	serde_json::from_str(body).map_err(|e| e.to_string())
}

async fn chat_route(State(mock): State<Shared>, headers: HeaderMap, body: String) -> Response {
	if let Err(e) = authorize(&mock.opts, &headers) {
		return e;
	}
	mock.by_format[0].fetch_add(1, Ordering::SeqCst);
	match parse(&body) {
		Ok(v) => chat::completions(mock, v).await,
		Err(e) => openai_error(StatusCode::BAD_REQUEST, &e, "invalid_request_error"),
	}
}

async fn messages_route(State(mock): State<Shared>, headers: HeaderMap, body: String) -> Response {
	mock.by_format[1].fetch_add(1, Ordering::SeqCst);
	match parse(&body) {
		Ok(v) => messages::messages(mock, headers, v).await,
		Err(e) => messages::error(StatusCode::BAD_REQUEST, "invalid_request_error", &e),
	}
}

async fn count_route(State(mock): State<Shared>, headers: HeaderMap, body: String) -> Response {
	match parse(&body) {
		Ok(v) => messages::count_tokens(mock, headers, v).await,
		Err(e) => messages::error(StatusCode::BAD_REQUEST, "invalid_request_error", &e),
	}
}

async fn responses_route(State(mock): State<Shared>, headers: HeaderMap, body: String) -> Response {
	if let Err(e) = authorize(&mock.opts, &headers) {
		return e;
	}
	mock.by_format[2].fetch_add(1, Ordering::SeqCst);
	match parse(&body) {
		Ok(v) => responses::responses(mock, v).await,
		Err(e) => openai_error(StatusCode::BAD_REQUEST, &e, "invalid_request_error"),
	}
}

/// `GET /v1/models`, for either kind of credential (the gateway probes it).
async fn models(State(mock): State<Shared>, headers: HeaderMap) -> Response {
	if authorize(&mock.opts, &headers).is_err() && messages::authorize(&mock, &headers).is_err() {
		return openai_error(
			StatusCode::UNAUTHORIZED,
			"invalid credential",
			"invalid_request_error",
		);
	}
	let data: Vec<Value> = mock
		.opts
		.models
		.split(',')
		.filter(|m| !m.is_empty())
		.map(
			|m| json!({"id": m, "object": "model", "created": 1_764_000_000u64, "owned_by": mock.opts.name, "type": "model"}),
		)
		.collect();
	Json(json!({"object": "list", "data": data})).into_response()
}

async fn stats(State(mock): State<Shared>) -> Json<Value> {
	let n = |a: &AtomicU64| a.load(Ordering::SeqCst);
	Json(json!({
		"name": mock.opts.name,
		"requests": n(&mock.requests),
		"served": n(&mock.served),
		"failed": n(&mock.failed),
		"streamed": n(&mock.streamed),
		"chatCompletions": n(&mock.by_format[0]),
		"messages": n(&mock.by_format[1]),
		"responses": n(&mock.by_format[2]),
	}))
}

async fn shutdown() {
	let ctrl_c = async {
		let _ = tokio::signal::ctrl_c().await;
	};
	#[cfg(unix)]
	let term = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut s) => {
				s.recv().await;
			},
			Err(_) => std::future::pending::<()>().await,
		}
	};
	#[cfg(not(unix))]
	let term = std::future::pending::<()>();
	tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
	let opts = Opts::parse();
	if !(0.0..=1.0).contains(&opts.error_rate) {
		return Err("--error-rate must be between 0 and 1".into());
	}
	let listen = opts.listen;
	let mock = Arc::new(Mock {
		opts,
		cache: Default::default(),
		requests: AtomicU64::new(0),
		served: AtomicU64::new(0),
		failed: AtomicU64::new(0),
		streamed: AtomicU64::new(0),
		by_format: Default::default(),
	});
	let app = Router::new()
		.route("/v1/chat/completions", post(chat_route))
		.route("/v1/messages", post(messages_route))
		.route("/v1/messages/count_tokens", post(count_route))
		.route("/v1/responses", post(responses_route))
		.route("/v1/models", get(models))
		.route("/stats", get(stats))
		.with_state(mock);
	let listener = tokio::net::TcpListener::bind(listen).await?;
	eprintln!("nexus-mock-upstream listening on http://{}", listener.local_addr()?);
	axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use model::{answer, sign, Cache, Caching, Turn};

	#[test]
	fn errors_are_spread_deterministically() {
		let failed: Vec<u64> = (0..8).filter(|n| fails(*n, 0.25)).collect();
		assert_eq!(failed, vec![3, 7]);
		assert!((0..10).all(|n| fails(n, 1.0)));
		assert!((0..10).all(|n| !fails(n, 0.0)));
	}

	#[test]
	fn usage_is_a_function_of_the_prompt() {
		let msgs = vec![json!({"role": "user", "content": "12345"}), json!({"role": "system"})];
		assert_eq!(chat::prompt_tokens(&msgs), vec![2 + 4, 4]);
		assert_eq!(model::words(3), "nexus vault routes");
	}

	fn turn(caching: Caching, last_user: &str) -> Turn {
		Turn {
			messages: vec![(600, "a".into()), (600, "b".into()), (10, "c".into())],
			preamble: 0,
			preamble_key: "p".into(),
			caching,
			last_user: last_user.into(),
			tools: vec![("bash".into(), json!({"required": ["command"]}))],
			limit: 100,
			thinking: true,
		}
	}

	#[test]
	fn prefixes_are_written_then_read_and_tools_called_on_request() {
		let cache = Cache::default();
		let first = answer(&turn(Caching::Explicit(true), "hi"), 32, 1_024, &cache, 0);
		assert_eq!(
			(first.usage.cache_write, first.usage.cache_read, first.usage.input),
			(1_200, 0, 10)
		);
		let again = answer(&turn(Caching::Explicit(true), "hi"), 32, 1_024, &cache, 1);
		assert_eq!((again.usage.cache_write, again.usage.cache_read), (0, 1_200));
		let unmarked =
			answer(&turn(Caching::Explicit(false), "hi"), 32, 1_024, &Cache::default(), 2);
		assert_eq!(unmarked.usage.input, 1_210);
		let auto = answer(&turn(Caching::Automatic, "hi"), 32, 2_000, &Cache::default(), 3);
		assert_eq!(auto.usage.input, 1_210, "below the automatic minimum");
		// The next turn reads the prefix this one wrote and writes only what is new.
		let mut next = turn(Caching::Explicit(true), "hi");
		next.messages = vec![
			(600, "a".into()),
			(600, "b".into()),
			(10, "c".into()),
			(20, "d".into()),
			(5, "e".into()),
		];
		let a = answer(&next, 32, 1_024, &cache, 5);
		assert_eq!((a.usage.cache_read, a.usage.cache_write, a.usage.input), (1_200, 30, 5));
		let call = answer(&turn(Caching::Automatic, "please TOOL:bash"), 32, 1_024, &cache, 4);
		assert_eq!(
			call.tool.map(|(_, n, a)| (n, a)),
			Some(("bash".into(), json!({"command": "nexus"})))
		);
		let (text, sig) = first.thinking.unwrap();
		assert_eq!(sig, sign(&text));
		assert_ne!(sig, sign("another text"));
	}
}
