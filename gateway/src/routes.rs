//! The HTTP API's routes: the three seeker APIs (`/v1/chat/completions`, `/v1/messages` and
//! `/v1/messages/count_tokens`, `/v1/responses`), `/v1/models` (in OpenAI's or Anthropic's
//! shape, by the `anthropic-version` header), `/v1/receipts`, `/health`, `/metrics`, and the
//! `/admin/v1` calls of providers and the operator ([`crate::admin`]). Every answer carries a
//! request id (`request-id` and `x-request-id`); errors take the shape of the API called.

use crate::{admin, app::App, chain::AuthError, errors::ApiError, proxy, wire::Format};
use axum::{
	body::Body,
	extract::{Request, State},
	http::{header, HeaderMap, HeaderValue, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::{get, post},
	Extension, Json, Router,
};
use bytes::Bytes;
use serde_json::{json, Value};
use std::{
	sync::Arc,
	time::{Duration, Instant},
};

/// The id of a request, as its answer's `request-id` header gives it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The gateway's router over `app`.
pub fn app(state: Arc<App>) -> Router {
	let api = |format: Format| {
		move |State(app): State<Arc<App>>,
		      Extension(id): Extension<RequestId>,
		      headers: HeaderMap,
		      body: Body| { proxy::handle(app, format, id, headers, body) }
	};
	Router::new()
		.route("/v1/chat/completions", post(api(Format::Chat)).fallback(method_not_allowed))
		.route("/v1/messages", post(api(Format::Messages)).fallback(method_not_allowed))
		.route(
			"/v1/messages/count_tokens",
			post(
				|State(app): State<Arc<App>>,
				 Extension(id): Extension<RequestId>,
				 headers: HeaderMap,
				 body: Body| { proxy::count_tokens(app, id, headers, body) },
			)
			.fallback(method_not_allowed),
		)
		.route("/v1/responses", post(api(Format::Responses)).fallback(method_not_allowed))
		.route("/v1/models", get(models).fallback(method_not_allowed))
		.route("/health", get(health).fallback(method_not_allowed))
		.route("/metrics", get(metrics).fallback(method_not_allowed))
		.route(
			"/admin/v1/endpoints",
			post(admin::register_endpoint)
				.get(admin::list_endpoints)
				.fallback(method_not_allowed),
		)
		.route("/v1/receipts", get(admin::seeker_receipts).fallback(method_not_allowed))
		.route(
			"/admin/v1/sessions/:id/receipts",
			get(admin::session_receipts).fallback(method_not_allowed),
		)
		.fallback(not_found)
		.layer(middleware::from_fn(request_id))
		.with_state(state)
}

/// Gives every request an id (`req_` + 24 hex digits), seen by handlers as [`RequestId`] and
/// by clients as `request-id` (Anthropic's name) and `x-request-id` (OpenAI's).
async fn request_id(mut request: Request, next: Next) -> Response {
	let mut raw = [0u8; 12];
	let _ = getrandom::getrandom(&mut raw);
	let id = format!("req_{}", hex::encode(raw));
	request.extensions_mut().insert(RequestId(id.clone()));
	let mut response = next.run(request).await;
	if let Ok(v) = HeaderValue::from_str(&id) {
		response.headers_mut().insert("request-id", v.clone());
		response.headers_mut().insert("x-request-id", v);
	}
	response
}

/// The API whose error shape a request outside the seeker routes gets: Anthropic's when it
/// sent `anthropic-version`, else OpenAI's.
fn api_of(headers: &HeaderMap) -> Format {
	if headers.contains_key("anthropic-version") {
		Format::Messages
	} else {
		Format::Chat
	}
}

async fn not_found(uri: axum::http::Uri, headers: HeaderMap) -> Response {
	ApiError::request(
		StatusCode::NOT_FOUND,
		"unknown_route",
		format!(
			"There is no {} here: this gateway serves /v1/chat/completions, /v1/messages, /v1/responses, /v1/models and /v1/receipts.",
			crate::errors::echo(uri.path())
		),
	)
	.respond(api_of(&headers), None)
}

async fn method_not_allowed(
	method: axum::http::Method,
	uri: axum::http::Uri,
	headers: HeaderMap,
) -> Response {
	ApiError::request(
		StatusCode::METHOD_NOT_ALLOWED,
		"method_not_allowed",
		format!("{} does not take {method}.", uri.path()),
	)
	.respond(api_of(&headers), None)
}

/// Refuses a request body that is not declared JSON (415).
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
	let json = headers
		.get(header::CONTENT_TYPE)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.split(';').next())
		.is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
	if json {
		Ok(())
	} else {
		Err(ApiError::request(
			StatusCode::UNSUPPORTED_MEDIA_TYPE,
			"unsupported_media_type",
			"Send the request body as JSON, with `Content-Type: application/json`.",
		))
	}
}

/// Reads a request body: at most `limit` bytes (413 beyond), within `timeout` (408 after).
pub async fn read_body(body: Body, limit: usize, timeout: Duration) -> Result<Bytes, ApiError> {
	use http_body_util::BodyExt;
	match tokio::time::timeout(timeout, http_body_util::Limited::new(body, limit).collect()).await {
		Err(_) => Err(ApiError::request(
			StatusCode::REQUEST_TIMEOUT,
			"request_timeout",
			format!("The request body did not arrive within {} s.", timeout.as_secs()),
		)),
		Ok(Ok(collected)) => Ok(collected.to_bytes()),
		Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() =>
			Err(ApiError::request(
				StatusCode::PAYLOAD_TOO_LARGE,
				"request_too_large",
				format!("The request body is larger than {limit} bytes."),
			)),
		Ok(Err(e)) =>
			Err(ApiError::bad_request(format!("The request body could not be read: {e}"))),
	}
}

/// The bearer token of a request.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
	headers
		.get(header::AUTHORIZATION)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.strip_prefix("Bearer "))
		.map(str::trim)
		.filter(|k| !k.is_empty())
}

/// The seeker's API key: `x-api-key` (Anthropic's clients) or a Bearer token (OpenAI's).
fn api_key(headers: &HeaderMap) -> Option<&str> {
	headers
		.get("x-api-key")
		.and_then(|v| v.to_str().ok())
		.map(str::trim)
		.filter(|k| !k.is_empty())
		.or_else(|| bearer(headers))
}

/// The blake2-256 of the request's API key (the chain's `metering.apiKeys` key).
pub fn key_hash(headers: &HeaderMap) -> Result<[u8; 32], ApiError> {
	let key = api_key(headers).ok_or_else(|| {
		ApiError::unauthorized(
			"missing_api_key",
			"Send your session's API key as `x-api-key` or as a Bearer token.",
		)
	})?;
	Ok(sp_crypto_hashing::blake2_256(key.as_bytes()))
}

/// The seeker whose key the request carries.
pub async fn authenticate(
	app: &App,
	headers: &HeaderMap,
) -> Result<Arc<crate::chain::Seeker>, ApiError> {
	app.chain.seeker(key_hash(headers)?).await.map_err(auth_error)
}

/// What an authentication failure answers.
pub fn auth_error(e: AuthError) -> ApiError {
	match e {
		AuthError::UnknownKey => ApiError::unauthorized(
			"invalid_api_key",
			"Incorrect API key: no open session on this gateway is bound to it.",
		),
		AuthError::OtherGateway(g) => ApiError::unauthorized(
			"invalid_api_key",
			format!("This key's session is with gateway {g}, not this one."),
		),
		AuthError::SessionEnded(_) =>
			ApiError::unauthorized("session_ended", "This key's session is closed or expired."),
		AuthError::Unavailable(m) =>
			ApiError::unavailable("chain_unavailable", format!("cannot read the chain: {m}")),
	}
}

/// Counts a request in the metrics.
pub fn record_request(app: &App, route: &str, status: StatusCode, started: Instant) {
	app.metrics.requests.with_label_values(&[route, status.as_str()]).inc();
	app.metrics
		.latency
		.with_label_values(&[route])
		.observe(started.elapsed().as_secs_f64());
}

/// `GET /v1/models`: the models this seeker can be served (lanes its tier reaches, capsules
/// with an endpoint), in Anthropic's list shape to a client that sent `anthropic-version`,
/// else OpenAI's.
async fn models(
	State(app): State<Arc<App>>,
	Extension(id): Extension<RequestId>,
	headers: HeaderMap,
) -> Response {
	let started = Instant::now();
	let api = api_of(&headers);
	let result = async {
		let seeker = authenticate(&app, &headers).await?;
		let all = app
			.chain
			.capsules()
			.await
			.map_err(|e| ApiError::unavailable("chain_unavailable", format!("{e:?}")))?;
		let offerings = app
			.chain
			.offerings()
			.await
			.map_err(|e| ApiError::unavailable("chain_unavailable", format!("{e:?}")))?;
		let registered = app.vault.capsules();
		// The offerings served here, and the model ids (aliases) that name them.
		let served: Vec<&str> = all
			.iter()
			.filter(|c| registered.binary_search(&c.id).is_ok())
			.filter(|c| c.lane != "premium" || seeker.tier.premium_lanes)
			.map(|c| c.offering.as_str())
			.collect();
		let mut ids: Vec<&str> = served.clone();
		for o in offerings.iter().filter(|o| served.contains(&o.id.as_str())) {
			ids.extend(o.aliases.iter().map(String::as_str));
		}
		ids.sort_unstable();
		ids.dedup();
		let body = match api {
			Format::Messages => {
				let data: Vec<Value> = ids
					.iter()
					.map(|id| json!({"type": "model", "id": id, "display_name": id, "created_at": "1970-01-01T00:00:00Z"}))
					.collect();
				json!({"data": data, "has_more": false, "first_id": ids.first(), "last_id": ids.last()})
			},
			_ => {
				let data: Vec<Value> = ids
					.into_iter()
					.map(|id| json!({"id": id, "object": "model", "created": 0, "owned_by": "nexus-vault"}))
					.collect();
				json!({"object": "list", "data": data})
			},
		};
		Ok::<_, ApiError>(Json(body).into_response())
	}
	.await;
	let response = result.unwrap_or_else(|e| e.respond(api, Some(&id.0)));
	record_request(&app, "models", response.status(), started);
	response
}

async fn health(State(app): State<Arc<App>>) -> Response {
	let counts = app.store.counts();
	let ok = counts.is_ok();
	let body = json!({
		"status": if ok && app.chain.connected() { "ok" } else { "degraded" },
		"gateway": app.chain.gateway,
		"chain": {
			"connected": app.chain.connected(),
			"bestBlock": app.chain.best(),
			"genesis": format!("{:?}", app.chain.genesis),
		},
		"receipts": counts.unwrap_or_default(),
		"endpoints": app.vault.capsules().len(),
		"conversations": app.sticky.len(),
	});
	let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
	(status, Json(body)).into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
	app.metrics.chain_connected.set(i64::from(app.chain.connected()));
	app.metrics.best_block.set(i64::try_from(app.chain.best()).unwrap_or(i64::MAX));
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}
