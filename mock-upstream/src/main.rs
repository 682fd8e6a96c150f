//! `nexus-mock-upstream`: a deterministic OpenAI-compatible server for the gateway's tests, its
//! benchmark and the demo network.
//!
//! - `POST /v1/chat/completions`, plain and streaming (SSE, with the `usage` chunk when
//!   `stream_options.include_usage` is set, as OpenAI sends it).
//! - `GET /v1/models`: the configured models.
//! - `GET /stats`: how many requests it served and failed (for tests).
//!
//! Everything it answers is a function of the request and the configuration: the usage is
//! `prompt_tokens = Σ (⌈chars/4⌉ + 4)` over the messages and `completion_tokens =
//! min(max_tokens, --completion-tokens)`; the reply is that many words. `--error-rate r` fails
//! requests `n` where `⌊(n+1)·r⌋ > ⌊n·r⌋` (so 0.25 fails every fourth request, 1 fails all),
//! with `--error-status`. `--credential` makes it demand `Authorization: Bearer <credential>`.

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

/// A deterministic OpenAI-compatible upstream.
#[derive(Parser, Debug, Clone)]
#[command(version, about)]
struct Opts {
	/// Address to listen on.
	#[arg(long, env = "MOCK_LISTEN", default_value = "127.0.0.1:8101")]
	listen: SocketAddr,
	/// A name reported as `system_fingerprint` (tells tests which upstream answered).
	#[arg(long, env = "MOCK_NAME", default_value = "mock")]
	name: String,
	/// Bearer credential required from callers (none: anyone may call).
	#[arg(long, env = "MOCK_CREDENTIAL")]
	credential: Option<String>,
	/// Delay before answering, in milliseconds.
	#[arg(long, env = "MOCK_LATENCY_MS", default_value_t = 0)]
	latency_ms: u64,
	/// Delay between streamed chunks, in milliseconds.
	#[arg(long, env = "MOCK_CHUNK_LATENCY_MS", default_value_t = 0)]
	chunk_latency_ms: u64,
	/// Fraction of requests that fail (0 to 1), deterministically spread.
	#[arg(long, env = "MOCK_ERROR_RATE", default_value_t = 0.0)]
	error_rate: f64,
	/// The status failed requests get (e.g. 500, 429, 503).
	#[arg(long, env = "MOCK_ERROR_STATUS", default_value_t = 500)]
	error_status: u16,
	/// Completion tokens when the request sets no (smaller) `max_tokens`.
	#[arg(long, env = "MOCK_COMPLETION_TOKENS", default_value_t = 32)]
	completion_tokens: u64,
	/// Models listed by `/v1/models` (comma separated); any model is served.
	#[arg(
		long,
		env = "MOCK_MODELS",
		default_value = "claude-opus,claude-sonnet,gpt-5,gpt-5-codex"
	)]
	models: String,
}

struct Mock {
	opts: Opts,
	requests: AtomicU64,
	served: AtomicU64,
	failed: AtomicU64,
	streamed: AtomicU64,
}

type Shared = Arc<Mock>;

const WORDS: [&str; 8] = ["nexus", "vault", "routes", "idle", "access", "to", "routed", "demand"];

fn error(status: StatusCode, message: &str, kind: &str) -> Response {
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
		Err(error(StatusCode::UNAUTHORIZED, "invalid credential", "invalid_request_error"))
	}
}

/// `⌈chars/4⌉ + 4` per message, over string contents and text parts.
fn prompt_tokens(messages: &[Value]) -> u64 {
	messages
		.iter()
		.map(|m| {
			let chars: usize = match m.get("content") {
				Some(Value::String(s)) => s.chars().count(),
				Some(Value::Array(parts)) => parts
					.iter()
					.filter_map(|p| p.get("text").and_then(Value::as_str))
					.map(|s| s.chars().count())
					.sum(),
				_ => 0,
			};
			(chars as u64).div_ceil(4).saturating_add(4)
		})
		.fold(0u64, u64::saturating_add)
}

fn reply(tokens: u64) -> String {
	(0..tokens)
		.map(|i| WORDS[(i % WORDS.len() as u64) as usize])
		.collect::<Vec<_>>()
		.join(" ")
}

fn fails(n: u64, rate: f64) -> bool {
	if rate <= 0.0 {
		return false;
	}
	let rate = rate.min(1.0);
	((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor()
}

async fn completions(State(mock): State<Shared>, headers: HeaderMap, body: String) -> Response {
	let opts = &mock.opts;
	if let Err(e) = authorize(opts, &headers) {
		return e;
	}
	let req: Value = match serde_json::from_str(&body) {
		Ok(v) => v,
		Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string(), "invalid_request_error"),
	};
	let Some(messages) = req.get("messages").and_then(Value::as_array) else {
		return error(StatusCode::BAD_REQUEST, "messages is required", "invalid_request_error");
	};
	let model = req.get("model").and_then(Value::as_str).unwrap_or("mock").to_string();
	let n = mock.requests.fetch_add(1, Ordering::SeqCst);
	if opts.latency_ms > 0 {
		tokio::time::sleep(Duration::from_millis(opts.latency_ms)).await;
	}
	if fails(n, opts.error_rate) {
		mock.failed.fetch_add(1, Ordering::SeqCst);
		let status =
			StatusCode::from_u16(opts.error_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
		return error(status, "mock upstream failure", "server_error");
	}
	let limit = req
		.get("max_completion_tokens")
		.or_else(|| req.get("max_tokens"))
		.and_then(Value::as_u64)
		.unwrap_or(u64::MAX);
	let prompt = prompt_tokens(messages);
	let completion = opts.completion_tokens.min(limit);
	let usage = json!({
		"prompt_tokens": prompt,
		"completion_tokens": completion,
		"total_tokens": prompt.saturating_add(completion),
	});
	let id = format!("chatcmpl-mock-{n}");
	let created = 1_764_000_000u64.saturating_add(n);
	let fingerprint = format!("mock-{}", opts.name);
	let stream = req.get("stream").and_then(Value::as_bool).unwrap_or(false);
	mock.served.fetch_add(1, Ordering::SeqCst);
	if !stream {
		return Json(json!({
			"id": id,
			"object": "chat.completion",
			"created": created,
			"model": model,
			"system_fingerprint": fingerprint,
			"choices": [{
				"index": 0,
				"message": {"role": "assistant", "content": reply(completion)},
				"finish_reason": if completion < opts.completion_tokens { "length" } else { "stop" },
			}],
			"usage": usage,
		}))
		.into_response();
	}
	mock.streamed.fetch_add(1, Ordering::SeqCst);
	let include_usage = req
		.pointer("/stream_options/include_usage")
		.and_then(Value::as_bool)
		.unwrap_or(false);
	let chunk = move |delta: Value, finish: Value, usage: Value| {
		json!({
			"id": id,
			"object": "chat.completion.chunk",
			"created": created,
			"model": model,
			"system_fingerprint": fingerprint,
			"choices": if usage.is_null() {
				json!([{"index": 0, "delta": delta, "finish_reason": finish}])
			} else {
				json!([])
			},
			"usage": usage,
		})
	};
	let mut events: Vec<Value> =
		vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null, Value::Null)];
	let words = reply(completion);
	let mut first = true;
	for w in words.split(' ').filter(|w| !w.is_empty()) {
		let text = if first { w.to_string() } else { format!(" {w}") };
		first = false;
		events.push(chunk(json!({"content": text}), Value::Null, Value::Null));
	}
	events.push(chunk(json!({}), json!("stop"), Value::Null));
	if include_usage {
		events.push(chunk(Value::Null, Value::Null, usage));
	}
	let pause = opts.chunk_latency_ms;
	let stream =
		futures::stream::unfold((events.into_iter(), false), move |(mut it, done)| async move {
			if done {
				return None;
			}
			if pause > 0 {
				tokio::time::sleep(Duration::from_millis(pause)).await;
			}
			match it.next() {
				Some(v) =>
					Some((Ok::<_, Infallible>(Event::default().data(v.to_string())), (it, false))),
				None => Some((Ok(Event::default().data("[DONE]")), (it, true))),
			}
		});
	Sse::new(stream).into_response()
}

async fn models(State(mock): State<Shared>, headers: HeaderMap) -> Response {
	if let Err(e) = authorize(&mock.opts, &headers) {
		return e;
	}
	let data: Vec<Value> = mock
		.opts
		.models
		.split(',')
		.filter(|m| !m.is_empty())
		.map(
			|m| json!({"id": m, "object": "model", "created": 1_764_000_000u64, "owned_by": mock.opts.name}),
		)
		.collect();
	Json(json!({"object": "list", "data": data})).into_response()
}

async fn stats(State(mock): State<Shared>) -> Json<Value> {
	Json(json!({
		"name": mock.opts.name,
		"requests": mock.requests.load(Ordering::SeqCst),
		"served": mock.served.load(Ordering::SeqCst),
		"failed": mock.failed.load(Ordering::SeqCst),
		"streamed": mock.streamed.load(Ordering::SeqCst),
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
		requests: AtomicU64::new(0),
		served: AtomicU64::new(0),
		failed: AtomicU64::new(0),
		streamed: AtomicU64::new(0),
	});
	let app = Router::new()
		.route("/v1/chat/completions", post(completions))
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
		assert_eq!(prompt_tokens(&msgs), 2 + 4 + 4);
		assert_eq!(reply(3), "nexus vault routes");
	}
}
