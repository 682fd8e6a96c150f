//! Serving a seeker's request, whichever API it came in: authenticate (the key's blake2_256 →
//! `metering.apiKeys` → an open session of this gateway), pick capsules (the model, a lane the
//! tier reaches, Active, with an endpoint whose format can carry the request; a conversation's
//! pinned capsule first, then failing capsules last, cheaper, more trusted), admit (session
//! cap, tier rate limit, capsule capacity; the output limit clamped), then try the capsules in
//! order. An attempt that errs, times out or is rate limited becomes a failed-outcome receipt
//! and the next capsule is tried; the one that serves becomes a served receipt with the
//! upstream's usage (input, output, cache reads and writes), committed to the store before the
//! response — or the stream's last event — is sent.

use crate::{
	admission::{admit, Admission, Refusal},
	app::{lock, now_ms, App},
	chain::{AuthError, Rates, Seeker},
	endpoints::Endpoint,
	errors::ApiError,
	routes::{authenticate, read_body, record_request, require_json, RequestId},
	seekers::{self, Call},
	store::{NewReceipt, Outcome, ReceiptId},
	upstream::{self, Prepared, MAX_STREAM_DURATION, MAX_STREAM_FRAME, MAX_UPSTREAM_BODY},
	wire::{sse, Event, Format, Label, ReadError, Stop, Units},
};
use axum::{
	body::Body,
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{json, Value};
use std::{
	convert::Infallible,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// Serves one request of `api` (the routes of the three seeker APIs).
pub async fn handle(
	app: Arc<App>,
	api: Format,
	id: RequestId,
	headers: HeaderMap,
	body: Body,
) -> Response {
	let started = Instant::now();
	let response = match serve(&app, api, &id, &headers, body).await {
		Ok(r) => r,
		Err(e) => {
			tracing::debug!(target: "gateway", "refused: {} {}", e.status, e.message);
			e.respond(api, Some(&id.0))
		},
	};
	let route = match api {
		Format::Chat => "chat_completions",
		Format::Messages => "messages",
		Format::Responses => "responses",
	};
	record_request(&app, route, response.status(), started);
	response
}

/// Reads the request body of `api` into a [`Call`] (authenticated first: a client without a key
/// never gets the gateway to buffer a body).
pub async fn read_call(
	app: &Arc<App>,
	api: Format,
	headers: &HeaderMap,
	body: Body,
) -> Result<(Arc<Seeker>, Call), ApiError> {
	let seeker = authenticate(app, headers).await?;
	require_json(headers)?;
	let body = read_body(
		body,
		app.config.max_body_bytes,
		Duration::from_secs(app.config.body_timeout_secs),
	)
	.await?;
	let value: Value = serde_json::from_slice(&body)
		.map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}")))?;
	let call = seekers::read(api, headers, value, app.config.default_max_tokens)?;
	Ok((seeker, call))
}

/// A capsule that can take the request, with its endpoint and how the request goes to it.
pub struct Route {
	pub capsule: nexus_client::rpc::Capsule,
	pub endpoint: Endpoint,
	pub prepared: Prepared,
}

/// The capsules that can serve `call` for `seeker`, best first.
pub async fn routes(app: &App, seeker: &Seeker, call: &Call) -> Result<Vec<Route>, ApiError> {
	let all = app.chain.capsules().await.map_err(|e| match e {
		AuthError::Unavailable(m) => ApiError::unavailable("chain_unavailable", m),
		_ => ApiError::internal("capsules"),
	})?;
	let offering = app.chain.offering_of(&call.model).await.map_err(crate::routes::auth_error)?;
	let probes = lock(&app.probes).clone();
	let down = |c: &nexus_client::rpc::Capsule| probes.get(&c.id).is_some_and(|p| !p.last_ok);
	let mut forbidden = false;
	let mut refused: Option<crate::wire::Untranslatable> = None;
	let mut list = Vec::new();
	for c in all.iter().filter(|c| c.offering == offering) {
		let Some(endpoint) = app.vault.get(c.id) else { continue };
		if c.lane == "premium" && !seeker.tier.premium_lanes {
			forbidden = true;
			continue;
		}
		match upstream::prepare(call, &endpoint) {
			Ok(prepared) => list.push(Route { capsule: c.clone(), endpoint, prepared }),
			Err(ReadError::Untranslatable(u)) => refused = Some(u),
			Err(ReadError::Malformed(m)) => return Err(ApiError::bad_request(m.0)),
		}
	}
	if list.is_empty() {
		return Err(match (refused, forbidden) {
			(Some(u), _) => ApiError::untranslatable(format!(
				"No capsule serving `{}` can take this request: {u}.",
				crate::errors::echo(&call.model)
			)),
			(None, true) => ApiError::tier_forbidden(format!(
				"`{}` is served only in premium lanes, which tier {} does not include: stake more NXV.",
				crate::errors::echo(&call.model),
				seeker.tier.index
			)),
			(None, false) => ApiError::model_not_found(&call.model),
		});
	}
	let price = |c: &nexus_client::rpc::Capsule| {
		let p = |s: &str| s.parse::<u128>().unwrap_or(u128::MAX);
		p(&c.price.per1k_input).saturating_add(p(&c.price.per1k_output))
	};
	let pinned = call.conversation.as_deref().and_then(|k| app.sticky.get(seeker.session.id, k));
	// The conversation's capsule first while it passes its probes; failing capsules last; then
	// cheaper first, then more trusted.
	list.sort_by(|a, b| {
		let (a, b) = (&a.capsule, &b.capsule);
		let first = |c: &nexus_client::rpc::Capsule| Some(c.id) != pinned || down(c);
		first(a)
			.cmp(&first(b))
			.then(down(a).cmp(&down(b)))
			.then(price(a).cmp(&price(b)))
			.then(b.trust.cmp(&a.trust))
			.then(a.id.cmp(&b.id))
	});
	Ok(list)
}

async fn serve(
	app: &Arc<App>,
	api: Format,
	id: &RequestId,
	headers: &HeaderMap,
	body: Body,
) -> Result<Response, ApiError> {
	let (seeker, call) = read_call(app, api, headers, body).await?;
	let call = Arc::new(call);
	let routes = routes(app, &seeker, &call).await?;
	let model = crate::errors::echo(&call.model);
	let mut last_refusal: Option<ApiError> = None;
	let mut attempts = 0u32;
	for route in routes {
		if attempts >= app.config.max_attempts {
			break;
		}
		let capsule = &route.capsule;
		let rates = match app.chain.rates(&seeker.account, capsule.id, &seeker.session.asset).await
		{
			Ok(r) => r,
			Err(e) => {
				tracing::warn!(target: "gateway", "no quote for capsule {}: {e:?}", capsule.id);
				continue;
			},
		};
		let admission = match admit(app, &seeker, capsule, rates, call.input, call.requested) {
			Ok(a) => a,
			Err(Refusal::Payment(m)) => return Err(ApiError::payment_required(m)),
			Err(Refusal::Rate(m)) => return Err(ApiError::rate_limited(m, rate_retry_secs(app))),
			Err(Refusal::Busy) => {
				last_refusal = Some(ApiError::unavailable(
					"capacity_exhausted",
					format!(
						"Every capsule serving `{model}` is at the capacity your tier may use."
					),
				));
				continue;
			},
		};
		attempts += 1;
		let body = route
			.prepared
			.body(&call, &route.endpoint, admission.max_output)
			.map_err(|e| ApiError::untranslatable(e.to_string()))?;
		let receipt = random_id()?;
		let attempt = Attempt {
			app: app.clone(),
			seeker: seeker.clone(),
			capsule: capsule.id,
			endpoint: route.endpoint.clone(),
			call: call.clone(),
			id: receipt,
			rates,
			request_id: id.0.clone(),
		};
		let outcome = if call.stream {
			attempt.stream(body, admission).await
		} else {
			// In a task of its own: a seeker who disconnects does not cancel it, so what the
			// upstream served is metered (as a stream's copy is).
			app.streams
				.spawn(attempt.plain(body, admission))
				.await
				.unwrap_or(Tried::Failed("error"))
		};
		match outcome {
			Tried::Done(r) => {
				if let Some(k) = &call.conversation {
					app.sticky.pin(seeker.session.id, k, capsule.id);
				}
				return Ok(r);
			},
			Tried::Refused(r) => return Ok(r),
			Tried::Failed(why) => {
				app.metrics.attempts.with_label_values(&[&capsule.id.to_string(), why]).inc();
				tracing::info!(target: "gateway", "capsule {} failed ({why}); failing over", capsule.id);
				// The failed attempt is metered: no charge, but the capsule's trust pays. In a
				// task of its own, so that a seeker who hangs up now does not cancel it.
				let failed =
					receipt_of(receipt, &seeker, capsule.id, Units::default(), Outcome::Failed, 0);
				let task_app = app.clone();
				app.streams
					.spawn(async move { task_app.persist(failed).await })
					.await
					.map_err(|e| ApiError::internal(format!("receipt task: {e}")))??;
				last_refusal = Some(ApiError::unavailable(
					"upstream_failed",
					format!("Every capsule tried for `{model}` failed ({why})."),
				));
			},
		}
	}
	Err(last_refusal.unwrap_or_else(|| {
		ApiError::unavailable("no_capsule", format!("No capsule can serve `{model}` right now."))
	}))
}

/// Seconds until the tier's usage window may have room again: the rest of the current window
/// (6-second blocks), at least one.
fn rate_retry_secs(app: &App) -> u64 {
	let window = app.chain.usage_window.max(1);
	let left = window - app.chain.best() % window;
	left.saturating_mul(6).max(1)
}

/// A fresh receipt id from the operating system's random source.
fn random_id() -> Result<ReceiptId, ApiError> {
	let mut id = [0u8; 16];
	getrandom::getrandom(&mut id)
		.map_err(|e| ApiError::internal(format!("no randomness for a receipt id: {e}")))?;
	Ok(id)
}

/// How one upstream attempt ended.
enum Tried {
	/// Served: the response to answer with.
	Done(Response),
	/// The upstream failed; try the next capsule.
	Failed(&'static str),
	/// The request itself is wrong (the upstream said 4xx): answer with this, no receipt.
	Refused(Response),
}

fn total(u: &Units) -> u64 {
	u.input
		.saturating_add(u.output)
		.saturating_add(u.cache_read)
		.saturating_add(u.cache_write)
}

fn receipt_of(
	id: ReceiptId,
	seeker: &Seeker,
	capsule: u64,
	units: Units,
	outcome: Outcome,
	estimate: u128,
) -> NewReceipt {
	NewReceipt {
		id,
		seeker: seeker.account.0,
		session: seeker.session.id,
		capsule,
		input_units: units.input,
		output_units: units.output,
		cache_read_units: units.cache_read,
		cache_write_units: units.cache_write,
		outcome,
		timestamp: now_ms(),
		estimate,
		chain_last_seq: seeker.session.last_seq,
	}
}

fn annotate(headers: &mut HeaderMap, id: &ReceiptId, capsule: u64, seq: Option<u64>) {
	if let Ok(v) = HeaderValue::from_str(&format!("0x{}", hex::encode(id))) {
		headers.insert("x-nexus-receipt", v);
	}
	headers.insert("x-nexus-capsule", HeaderValue::from(capsule));
	if let Some(seq) = seq {
		headers.insert("x-nexus-receipt-seq", HeaderValue::from(seq));
	}
}

/// One attempt at one capsule.
struct Attempt {
	app: Arc<App>,
	seeker: Arc<Seeker>,
	capsule: u64,
	endpoint: Endpoint,
	call: Arc<Call>,
	id: ReceiptId,
	rates: Rates,
	request_id: String,
}

impl Attempt {
	/// What the seeker's answer is labelled with: the receipt's id in its API's style.
	fn label(&self) -> Label {
		let hex = hex::encode(self.id);
		Label {
			id: match self.call.api {
				Format::Chat => format!("chatcmpl-{hex}"),
				Format::Messages => format!("msg_{hex}"),
				Format::Responses => format!("resp_{hex}"),
			},
			model: self.call.model.clone(),
			created: now_ms() / 1_000,
			custom_tools: self.call.custom_tools.clone(),
		}
	}

	/// Sends the request: the response when it succeeded, otherwise how the attempt ended.
	async fn open(&self, body: &Value) -> Result<reqwest::Response, Tried> {
		let r = upstream::send(&self.app, &self.call, &self.endpoint, body)
			.await
			.map_err(Tried::Failed)?;
		let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
		if status.is_success() {
			return Ok(r);
		}
		Err(match upstream::classify(status) {
			Some(why) => Tried::Failed(why),
			None => Tried::Refused(
				upstream::refusal(&self.app, &self.call, &self.endpoint, r, &self.request_id).await,
			),
		})
	}

	fn ok(&self) {
		self.app
			.metrics
			.attempts
			.with_label_values(&[&self.capsule.to_string(), "ok"])
			.inc();
	}

	/// A non-streaming attempt.
	async fn plain(self, body: Value, admission: Admission) -> Tried {
		let r = match self.open(&body).await {
			Ok(r) => r,
			Err(o) => return o,
		};
		let timeout = Duration::from_millis(self.app.config.upstream_timeout_ms);
		let bytes =
			match tokio::time::timeout(timeout, upstream::read_all(r, MAX_UPSTREAM_BODY)).await {
				Ok(Some(b)) => b,
				Ok(None) => return Tried::Failed("error"),
				Err(_) => return Tried::Failed("timeout"),
			};
		let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
			return Tried::Failed("error");
		};
		let Some(units) = self.endpoint.format.usage(&v).filter(|u| total(u) > 0) else {
			// Nothing to meter: the upstream broke the protocol; fail over.
			return Tried::Failed("no_usage");
		};
		let label = self.label();
		// The seeker's answer is made before the receipt: an answer that cannot be read fails
		// over instead of charging.
		let answer = if self.endpoint.format == self.call.api {
			if self.call.api == Format::Chat {
				if let Some(o) = v.as_object_mut() {
					o.insert("id".into(), json!(label.id));
					o.insert("model".into(), json!(label.model));
				}
			}
			v
		} else {
			match self.endpoint.format.read_reply(&v) {
				Ok(reply) => self.call.api.write_reply(&reply, &label),
				Err(_) => return Tried::Failed("error"),
			}
		};
		self.ok();
		let estimate = self.rates.estimate(&units);
		let stored = match self
			.app
			.persist(receipt_of(
				self.id,
				&self.seeker,
				self.capsule,
				units,
				Outcome::Served,
				estimate,
			))
			.await
		{
			Ok(s) => s,
			Err(e) => return Tried::Refused(e.respond(self.call.api, Some(&self.request_id))),
		};
		drop(admission);
		let mut response = Json(answer).into_response();
		annotate(response.headers_mut(), &self.id, self.capsule, Some(stored.seq));
		Tried::Done(response)
	}

	/// A streaming attempt: the copy runs in a task of its own to the end, even when the seeker
	/// goes away, so that what the upstream served is metered; a shutdown waits for it.
	async fn stream(self, body: Value, admission: Admission) -> Tried {
		let r = match self.open(&body).await {
			Ok(r) => r,
			Err(o) => return o,
		};
		self.ok();
		let (tx, rx) = mpsc::channel::<Bytes>(64);
		let (id, capsule) = (self.id, self.capsule);
		let app = self.app.clone();
		app.streams.spawn(self.copy(r, tx, admission));
		let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
			rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
		}));
		let mut response = Response::new(body);
		let h = response.headers_mut();
		h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
		h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
		annotate(h, &id, capsule, None);
		Tried::Done(response)
	}

	async fn copy(self, r: reqwest::Response, tx: mpsc::Sender<Bytes>, admission: Admission) {
		let timeout = Duration::from_millis(self.app.config.upstream_timeout_ms);
		let deadline = tokio::time::Instant::now() + MAX_STREAM_DURATION;
		let label = self.label();
		let pass = self.endpoint.format == self.call.api;
		let mut decoder = self.endpoint.format.decoder();
		let mut encoder = self.call.api.encoder(&label, self.call.want_usage);
		let mut parser = sse::Parser::new(MAX_STREAM_FRAME);
		// The seeker's side: dropped when the seeker stops reading for as long as an upstream
		// may be silent, so that a client that never reads cannot pin the admission (money,
		// units, a concurrency slot); the copy goes on to meter.
		let mut tx = Some(tx);
		let mut upstream = r.bytes_stream();
		let mut usage: Option<Units> = None;
		let mut stop = Stop::default();
		let mut broken = false;
		// A passed-through stream's last frames (from the one that completes it) wait for the
		// receipt.
		let mut held: Vec<u8> = Vec::new();
		'read: while !decoder.done() {
			let wait = timeout.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
			let chunk = match tokio::time::timeout(wait, upstream.next()).await {
				Ok(Some(Ok(chunk))) => chunk,
				Ok(None) => break,
				Ok(Some(Err(_))) | Err(_) => {
					broken = true;
					break;
				},
			};
			let frames = match parser.push(&chunk) {
				Ok(f) => f,
				Err(_) => {
					broken = true;
					break;
				},
			};
			for frame in frames {
				let events = decoder.push(&frame.data);
				for e in &events {
					match e {
						Event::Usage(u) => usage = Some(*u),
						Event::Finish(s) => stop = s.clone(),
						Event::Failed(m) => {
							tracing::info!(target: "gateway", "capsule {} failed mid-stream: {}", self.capsule, crate::errors::echo(m));
							broken = true;
							break 'read;
						},
						_ => {},
					}
				}
				if pass {
					let Some(bytes) = self.passed(&frame, &label) else { continue };
					if decoder.done() {
						held.extend_from_slice(&bytes);
					} else {
						forward(&mut tx, bytes, timeout).await;
					}
				} else {
					for e in events.iter().filter(|e| !matches!(e, Event::Finish(_))) {
						for bytes in encoder.push(e) {
							forward(&mut tx, bytes, timeout).await;
						}
					}
				}
			}
		}
		let served = usage.filter(|u| total(u) > 0 && decoder.done() && !broken);
		let new = match served {
			Some(units) => receipt_of(
				self.id,
				&self.seeker,
				self.capsule,
				units,
				Outcome::Served,
				self.rates.estimate(&units),
			),
			None => receipt_of(
				self.id,
				&self.seeker,
				self.capsule,
				Units::default(),
				Outcome::Failed,
				0,
			),
		};
		let persisted = self.app.persist(new).await;
		// The receipt now holds what the admission held (as pending): release it before the
		// last event, which a slow seeker may take a while to accept.
		drop(admission);
		let last = match persisted {
			Ok(_) if served.is_some() =>
				if pass {
					Bytes::from(held)
				} else {
					encoder.finish(&stop)
				},
			Ok(_) => encoder.fail(
				503,
				"upstream_failed",
				"The upstream broke off the stream; you are not charged for it.",
			),
			Err(e) => encoder.fail(e.status.as_u16(), e.code, &e.message),
		};
		forward(&mut tx, last, timeout).await;
	}

	/// A passed-through frame as the seeker gets it. Chat chunks are relabelled with the
	/// receipt's id and the model asked for, and lose the usage the seeker did not ask for;
	/// the other formats' frames pass as they came.
	fn passed(&self, frame: &sse::Frame, label: &Label) -> Option<Bytes> {
		if self.call.api != Format::Chat || frame.data.trim() == "[DONE]" {
			return Some(frame.to_bytes());
		}
		let mut v: Value = serde_json::from_str(&frame.data).ok()?;
		let has_usage = v.get("usage").is_some_and(|u| !u.is_null());
		let only_usage = v.get("choices").and_then(Value::as_array).is_some_and(|c| c.is_empty());
		if has_usage && only_usage && !self.call.want_usage {
			return None;
		}
		if let Some(o) = v.as_object_mut() {
			o.insert("id".into(), json!(label.id));
			o.insert("model".into(), json!(label.model));
			if !self.call.want_usage {
				o.remove("usage");
			}
		}
		Some(sse::frame(None, &v))
	}
}

/// Passes bytes to the seeker, waiting at most `patience` for room; a seeker that takes
/// longer (or is gone) is dropped from the stream.
async fn forward(tx: &mut Option<mpsc::Sender<Bytes>>, bytes: Bytes, patience: Duration) {
	let Some(sender) = tx.as_ref() else { return };
	match tokio::time::timeout(patience, sender.send(bytes)).await {
		Ok(Ok(())) => {},
		Ok(Err(_)) => *tx = None,
		Err(_) => {
			tracing::info!(target: "gateway", "a seeker stopped reading its stream: dropped");
			*tx = None;
		},
	}
}

/// `POST /v1/messages/count_tokens`: the input tokens of a Messages request. Counted by an
/// Anthropic upstream serving the model when there is one (free, as Anthropic's is), else the
/// gateway's estimate (the one admission holds; on the high side).
pub async fn count_tokens(
	app: Arc<App>,
	id: RequestId,
	headers: HeaderMap,
	body: Body,
) -> Response {
	let started = Instant::now();
	let result = async {
		let seeker = authenticate(&app, &headers).await?;
		let forward = seekers::messages::versioned(&headers)?;
		require_json(&headers)?;
		let body = read_body(
			body,
			app.config.max_body_bytes,
			Duration::from_secs(app.config.body_timeout_secs),
		)
		.await?;
		let mut value: Value = serde_json::from_slice(&body)
			.map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}")))?;
		let model = seekers::model_of(&value)?;
		if !value.get("messages").is_some_and(Value::is_array) {
			return Err(ApiError::bad_request("`messages` must be an array."));
		}
		let estimate = crate::wire::estimate::input_units(&value);
		let all = app
			.chain
			.capsules()
			.await
			.map_err(|e| ApiError::unavailable("chain_unavailable", format!("{e:?}")))?;
		let offering = app.chain.offering_of(&model).await.map_err(crate::routes::auth_error)?;
		let anthropic = all
			.iter()
			.filter(|c| {
				c.offering == offering && (c.lane != "premium" || seeker.tier.premium_lanes)
			})
			.filter_map(|c| app.vault.get(c.id))
			.find(|e| e.format == Format::Messages);
		if let Some(endpoint) = anthropic {
			if let Some(m) = &endpoint.model {
				value["model"] = json!(m);
			}
			let url = format!("{}/messages/count_tokens", endpoint.url.trim_end_matches('/'));
			let request =
				crate::upstream::authorized(app.http.post(url).json(&value), &endpoint, &forward);
			let timeout = Duration::from_millis(app.config.upstream_timeout_ms);
			if let Ok(Ok(r)) = tokio::time::timeout(timeout, request.send()).await {
				if r.status().is_success() {
					if let Ok(Some(b)) =
						tokio::time::timeout(timeout, upstream::read_all(r, 64 * 1024)).await
					{
						if let Some(n) = serde_json::from_slice::<Value>(&b)
							.ok()
							.and_then(|v| v.get("input_tokens").and_then(Value::as_u64))
						{
							return Ok(Json(json!({"input_tokens": n})).into_response());
						}
					}
				}
			}
		}
		Ok(Json(json!({"input_tokens": estimate})).into_response())
	}
	.await;
	let response = result.unwrap_or_else(|e: ApiError| e.respond(Format::Messages, Some(&id.0)));
	record_request(&app, "count_tokens", response.status(), started);
	response
}
