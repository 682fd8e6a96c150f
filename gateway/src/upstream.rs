//! Calling an upstream in its own format: the body (the seeker's, passed through, or
//! translated), the path, the credential header, and what its refusals become.

use crate::{
	app::App,
	endpoints::Endpoint,
	errors::{echo, ApiError},
	seekers::Call,
	wire::{messages::VERSION, Format, ReadError, Request},
};
use axum::{
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use bytes::Bytes;
use serde_json::{json, Value};
use std::time::Duration;

/// Largest upstream answer read, largest upstream refusal passed on, longest frame of a stream
/// and longest stream: an upstream is the provider's, not the gateway's, and may not make it
/// buffer, or hold a seeker's admission, without bound.
pub const MAX_UPSTREAM_BODY: usize = 16 * 1024 * 1024;
pub const MAX_REFUSAL_BODY: usize = 64 * 1024;
pub const MAX_STREAM_FRAME: usize = 1024 * 1024;
pub const MAX_STREAM_DURATION: Duration = Duration::from_secs(30 * 60);

/// How a request goes to an upstream of a given format.
#[derive(Debug, Clone)]
pub enum Prepared {
	/// The same format: the seeker's body, with the model and the limit set.
	Pass,
	/// Another format: the request in neutral form, written out per attempt.
	Translate(Box<Request>),
}

/// Prepares `call` for `endpoint`'s format; what that format cannot carry is refused here,
/// before any upstream is called.
pub fn prepare(call: &Call, endpoint: &Endpoint) -> Result<Prepared, ReadError> {
	if endpoint.format == call.api {
		return Ok(Prepared::Pass);
	}
	let req = call.api.read_request(&call.body, endpoint.format)?;
	// Written once now so that a write-side refusal (e.g. stop sequences to Responses) comes
	// before any upstream call too.
	endpoint.format.write_request(&req, call.requested)?;
	Ok(Prepared::Translate(Box::new(req)))
}

impl Prepared {
	/// The upstream's body: its model id (the registration's, or the seeker's for a version-1
	/// endpoint), the clamped output limit in the field its format takes, and usage asked for
	/// in a Chat stream.
	pub fn body(
		&self,
		call: &Call,
		endpoint: &Endpoint,
		max_output: u64,
	) -> Result<Value, ReadError> {
		let model = endpoint.model.clone().unwrap_or_else(|| call.model.clone());
		match self {
			Prepared::Pass => {
				let mut v = call.body.clone();
				if let Some(o) = v.as_object_mut() {
					o.insert("model".into(), json!(model));
					o.insert(call.limit_field.into(), json!(max_output));
					if call.api == Format::Chat && call.stream {
						let mut opts = o
							.get("stream_options")
							.and_then(Value::as_object)
							.cloned()
							.unwrap_or_default();
						opts.insert("include_usage".into(), json!(true));
						o.insert("stream_options".into(), Value::Object(opts));
					}
				}
				Ok(v)
			},
			Prepared::Translate(req) => {
				let mut req = (**req).clone();
				req.model = model;
				req.max_output = Some(max_output);
				endpoint.format.write_request(&req, max_output)
			},
		}
	}
}

/// `request` with the upstream's credential as its format takes it: a Bearer token to
/// OpenAI's formats; `x-api-key` to Anthropic, with an Anthropic seeker's `anthropic-version`
/// and `anthropic-beta` (`forward`), or the gateway's own version.
pub fn authorized(
	request: reqwest::RequestBuilder,
	endpoint: &Endpoint,
	forward: &[(axum::http::HeaderName, axum::http::HeaderValue)],
) -> reqwest::RequestBuilder {
	match endpoint.format {
		Format::Messages => {
			let mut r = request.header("x-api-key", &endpoint.credential);
			if !forward.iter().any(|(n, _)| n == "anthropic-version") {
				r = r.header("anthropic-version", VERSION);
			}
			for (name, value) in forward {
				r = r.header(name.as_str(), value.as_bytes());
			}
			r
		},
		Format::Chat | Format::Responses => request.bearer_auth(&endpoint.credential),
	}
}

/// Posts `body` to the upstream (its format's path and credential header; for an Anthropic
/// upstream of an Anthropic seeker, the seeker's `anthropic-version` and `anthropic-beta`).
pub async fn send(
	app: &App,
	call: &Call,
	endpoint: &Endpoint,
	body: &Value,
) -> Result<reqwest::Response, &'static str> {
	let url = format!("{}{}", endpoint.url.trim_end_matches('/'), endpoint.format.path());
	let forward: &[_] = if call.api == Format::Messages { &call.forward } else { &[] };
	let request = authorized(app.http.post(url).json(body), endpoint, forward);
	match tokio::time::timeout(
		Duration::from_millis(app.config.upstream_timeout_ms),
		request.send(),
	)
	.await
	{
		Err(_) => Err("timeout"),
		Ok(Err(e)) if e.is_timeout() => Err("timeout"),
		Ok(Err(_)) => Err("error"),
		Ok(Ok(r)) => Ok(r),
	}
}

/// Whether an upstream status is the upstream's failure (and which), rather than the
/// request's fault.
pub fn classify(status: StatusCode) -> Option<&'static str> {
	if status == StatusCode::TOO_MANY_REQUESTS {
		Some("rate_limited")
	} else if status.is_server_error() || status.as_u16() == 529 {
		Some("error")
	} else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
		// The provider's credential is wrong: its fault, not the seeker's.
		Some("unauthorized")
	} else {
		None
	}
}

/// An upstream's whole answer, or `None` when it breaks off or exceeds `limit` bytes.
pub async fn read_all(mut r: reqwest::Response, limit: usize) -> Option<Bytes> {
	let mut body = Vec::new();
	while let Some(chunk) = r.chunk().await.ok()? {
		if body.len().saturating_add(chunk.len()) > limit {
			return None;
		}
		body.extend_from_slice(&chunk);
	}
	Some(Bytes::from(body))
}

/// The upstream's refusal of the request itself, passed on in the seeker's API's shape: as
/// is when the formats agree and it is an error object, else its message (cut) under the
/// upstream's status. Read up to [`MAX_REFUSAL_BODY`] within the upstream timeout.
pub async fn refusal(
	app: &App,
	call: &Call,
	endpoint: &Endpoint,
	r: reqwest::Response,
	request_id: &str,
) -> Response {
	let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
	let timeout = Duration::from_millis(app.config.upstream_timeout_ms);
	let body = tokio::time::timeout(timeout, read_all(r, MAX_REFUSAL_BODY))
		.await
		.ok()
		.flatten()
		.unwrap_or_default();
	let parsed = serde_json::from_slice::<Value>(&body).ok();
	if endpoint.format == call.api {
		if let Some(v) = parsed.as_ref().filter(|v| v.get("error").is_some()) {
			return (status, Json(v.clone())).into_response();
		}
	}
	let message = parsed
		.as_ref()
		.and_then(|v| v.pointer("/error/message").and_then(Value::as_str).map(String::from))
		.unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(500).collect());
	ApiError::request(
		status,
		"upstream_refused",
		format!("The upstream refused the request: {}", echo_long(&message)),
	)
	.respond(call.api, Some(request_id))
}

fn echo_long(s: &str) -> String {
	if s.chars().count() <= 500 {
		s.to_string()
	} else {
		echo(s)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use axum::http::{HeaderName, HeaderValue};

	#[test]
	fn each_format_gets_its_credential_header_and_one_version() {
		let http = reqwest::Client::new();
		let endpoint = |format| Endpoint {
			url: "http://127.0.0.1:1/v1".into(),
			credential: "sk-up".into(),
			format,
			model: None,
		};
		let forward = [
			(HeaderName::from_static("anthropic-version"), HeaderValue::from_static("2026-10-21")),
			(HeaderName::from_static("anthropic-beta"), HeaderValue::from_static("a,b")),
		];
		let built = |format, forward: &[(HeaderName, HeaderValue)]| {
			authorized(http.post("http://127.0.0.1:1/v1/x"), &endpoint(format), forward)
				.build()
				.unwrap()
		};
		let r = built(Format::Messages, &forward);
		let versions: Vec<_> = r.headers().get_all("anthropic-version").iter().collect();
		assert_eq!(versions, vec!["2026-10-21"], "the seeker's version, once");
		assert_eq!(r.headers()["x-api-key"], "sk-up");
		assert_eq!(r.headers()["anthropic-beta"], "a,b");
		assert!(r.headers().get("authorization").is_none());
		let r = built(Format::Messages, &[]);
		assert_eq!(r.headers()["anthropic-version"], VERSION);
		for format in [Format::Chat, Format::Responses] {
			let r = built(format, &forward);
			assert_eq!(r.headers()["authorization"], "Bearer sk-up");
			assert!(
				r.headers().get("x-api-key").is_none() &&
					r.headers().get("anthropic-beta").is_none()
			);
		}
	}
}
