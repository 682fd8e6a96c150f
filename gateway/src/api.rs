//! The HTTP API: OpenAI-compatible `/v1/chat/completions` and `/v1/models`, `/health`,
//! `/metrics`, and the `/admin/v1` calls of providers and the operator.
//!
//! A completion goes: authenticate (the bearer key's blake2_256 → `metering.apiKeys` → an
//! open session of this gateway), pick capsules (model, lane the tier reaches, Active, with an
//! endpoint, capacity and concurrency left for the seeker's failover priority; cheapest, then
//! most trusted), admit against the session's remaining cap and the tier's rate limit
//! (clamping `max_tokens` to what both still allow), then try the capsules in order. An attempt
//! that errs, times out or is rate limited becomes a failed-outcome receipt and the next
//! capsule is tried; the one that serves becomes a served receipt with the upstream's `usage`,
//! committed to the store before the response (or the stream's `[DONE]`) is sent.

use crate::{
	chain::{AuthError, Chain, Rates, Seeker},
	commit::Committer,
	config::Config,
	endpoints::{registration_payload, Endpoint, Registration, Vault, REGISTRATION_WINDOW_MS},
	errors::ApiError,
	metrics::Metrics,
	store::{NewReceipt, Outcome, ReceiptId, Store, Stored},
};
use axum::{
	body::Body,
	extract::{Path, Query, State},
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use bytes::Bytes;
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use std::{
	collections::{BTreeMap, HashMap},
	convert::Infallible,
	sync::{Arc, Mutex},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{mpsc, Notify};
use tokio_util::task::TaskTracker;

/// Money and units a request holds until its receipt is persisted.
#[derive(Default, Clone, Copy)]
struct Hold {
	money: u128,
	units: u64,
}

/// What the gateway has promised but the chain has not settled yet.
#[derive(Default)]
pub struct Ledger {
	/// session → seq → (expected charge, units) of persisted, unsettled receipts.
	pending: HashMap<u64, BTreeMap<u64, Hold>>,
	/// session → what requests in flight hold.
	held: HashMap<u64, Hold>,
	/// session → its seeker (the chain's rate limit is per account, across sessions).
	seekers: HashMap<u64, [u8; 32]>,
	/// capsule → (window index, units served in it).
	capsule_use: HashMap<u64, (u64, u64)>,
	/// capsule → requests in flight.
	inflight: HashMap<u64, u32>,
}

impl Ledger {
	/// Drops what is kept about a session with nothing pending or held (the ledger stays
	/// bounded by the sessions in use).
	fn forget_if_idle(&mut self, session: u64) {
		if !self.pending.contains_key(&session) && !self.held.contains_key(&session) {
			self.seekers.remove(&session);
		}
	}
}

/// Health-probe results of a capsule since the last uptime report.
#[derive(Default, Clone, Copy, Debug)]
pub struct Probes {
	pub ok: u32,
	pub total: u32,
	pub last_ok: bool,
}

/// The gateway's shared state.
pub struct App {
	pub config: Config,
	pub chain: Arc<Chain>,
	pub store: Store,
	/// Persists receipts, those of concurrent requests in one commit.
	pub receipts: Committer,
	pub vault: Vault,
	pub metrics: Metrics,
	pub http: reqwest::Client,
	/// Wakes the poster when a receipt is persisted.
	pub submit: Notify,
	/// Wakes the poster at each new best block.
	pub blocks: Notify,
	pub ledger: Mutex<Ledger>,
	pub probes: Mutex<HashMap<u64, Probes>>,
	/// Streams still copying from an upstream (a graceful shutdown waits for them).
	pub streams: TaskTracker,
	/// The operator's nonces (several transactions in flight).
	pub nonces: crate::settle::Nonces,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}

fn window_ms(window: &str) -> u64 {
	match window {
		"hour" => 3_600_000,
		"day" => 86_400_000,
		_ => 7 * 86_400_000,
	}
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
	m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The part (per mille) of a capsule's capacity and concurrency a seeker of failover priority
/// `p` may use when the top priority is `top`: all of it for the top tier, `1 − reserve` for
/// the lowest, linear between.
pub fn share_permille(p: u8, top: u8, reserve_percent: u8) -> u64 {
	if top == 0 || p >= top {
		return 1_000;
	}
	let reserve = u64::from(reserve_percent) * 10;
	1_000 - reserve * u64::from(top - p) / u64::from(top)
}

impl App {
	/// Rebuilds the in-memory ledger from the store's pending receipts (after a restart).
	pub fn load_ledger(&self) -> Result<(), crate::store::StoreError> {
		let pending = self.store.pending_all()?;
		let mut ledger = lock(&self.ledger);
		for r in &pending {
			ledger.seekers.insert(r.session, r.raw_seeker());
			ledger.pending.entry(r.session).or_default().insert(
				r.seq,
				Hold { money: r.estimate(), units: r.input_units.saturating_add(r.output_units) },
			);
		}
		self.metrics.pending.set(i64::try_from(pending.len()).unwrap_or(i64::MAX));
		Ok(())
	}

	/// Forgets receipts the chain has ruled on.
	pub fn settled(&self, ruled: &[Stored]) {
		let mut ledger = lock(&self.ledger);
		for r in ruled {
			if let Some(s) = ledger.pending.get_mut(&r.session) {
				s.remove(&r.seq);
				if s.is_empty() {
					ledger.pending.remove(&r.session);
				}
			}
			ledger.forget_if_idle(r.session);
		}
	}

	/// Persists a receipt (durably), then accounts for it.
	async fn persist(self: &Arc<Self>, new: NewReceipt) -> Result<Stored, ApiError> {
		let stored = self.receipts.record(new).await.map_err(|e| {
			tracing::error!(target: "gateway", "cannot persist a receipt: {e}");
			ApiError::internal("the receipt store failed; the request was not charged")
		})?;
		{
			let mut ledger = lock(&self.ledger);
			ledger.seekers.insert(stored.session, stored.raw_seeker());
			ledger.pending.entry(stored.session).or_default().insert(
				stored.seq,
				Hold {
					money: stored.estimate(),
					units: stored.input_units.saturating_add(stored.output_units),
				},
			);
			if stored.outcome == Outcome::Served {
				let w = window_of_now(&stored);
				let e = ledger.capsule_use.entry(stored.capsule).or_insert((w, 0));
				if e.0 != w {
					*e = (w, 0);
				}
				e.1 = e.1.saturating_add(stored.input_units.saturating_add(stored.output_units));
			}
		}
		let state = match stored.outcome {
			Outcome::Served => "served",
			Outcome::Failed => "failed",
		};
		self.metrics.receipts.with_label_values(&[state]).inc();
		self.metrics.pending.inc();
		self.submit.notify_one();
		Ok(stored)
	}
}

/// Capsule usage windows are counted by the hour; a capsule's window length scales its capacity.
fn window_of_now(r: &Stored) -> u64 {
	r.timestamp / 3_600_000
}

/// The routes. A path the gateway does not have is a 404, a method a route does not take a
/// 405, both in OpenAI's error shape.
pub fn router(app: Arc<App>) -> Router {
	Router::new()
		.route("/v1/chat/completions", post(completions).fallback(method_not_allowed))
		.route("/v1/models", get(models).fallback(method_not_allowed))
		.route("/health", get(health).fallback(method_not_allowed))
		.route("/metrics", get(metrics).fallback(method_not_allowed))
		.route(
			"/admin/v1/endpoints",
			post(register_endpoint).get(list_endpoints).fallback(method_not_allowed),
		)
		.route("/v1/receipts", get(seeker_receipts).fallback(method_not_allowed))
		.route(
			"/admin/v1/sessions/:id/receipts",
			get(session_receipts).fallback(method_not_allowed),
		)
		.fallback(not_found)
		.with_state(app)
}

async fn not_found(uri: axum::http::Uri) -> Response {
	ApiError::request(
		StatusCode::NOT_FOUND,
		"unknown_route",
		format!(
			"There is no {} here: this gateway serves /v1/chat/completions, /v1/models and /v1/receipts.",
			uri.path()
		),
	)
	.into_response()
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
	ApiError::request(
		StatusCode::METHOD_NOT_ALLOWED,
		"method_not_allowed",
		format!("{} does not take {method}.", uri.path()),
	)
	.into_response()
}

/// Refuses a request body that is not declared JSON (415).
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
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

fn bearer(headers: &HeaderMap) -> Option<&str> {
	headers
		.get(header::AUTHORIZATION)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.strip_prefix("Bearer "))
		.map(str::trim)
		.filter(|k| !k.is_empty())
}

async fn authenticate(app: &App, headers: &HeaderMap) -> Result<Arc<Seeker>, ApiError> {
	app.chain.seeker(key_hash(headers)?).await.map_err(auth_error)
}

/// The blake2-256 of the request's Bearer key (the chain's `metering.apiKeys` key).
fn key_hash(headers: &HeaderMap) -> Result<[u8; 32], ApiError> {
	let key = bearer(headers).ok_or_else(|| {
		ApiError::unauthorized("missing_api_key", "Send your session's API key as a Bearer token.")
	})?;
	Ok(sp_crypto_hashing::blake2_256(key.as_bytes()))
}

fn auth_error(e: AuthError) -> ApiError {
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

fn record_request(app: &App, route: &str, status: StatusCode, started: Instant) {
	app.metrics.requests.with_label_values(&[route, status.as_str()]).inc();
	app.metrics
		.latency
		.with_label_values(&[route])
		.observe(started.elapsed().as_secs_f64());
}

/// Capsules that could serve `model` for `seeker`, best first, and whether the model exists in
/// lanes the seeker may not use.
async fn candidates(
	app: &App,
	seeker: &Seeker,
	model: &str,
) -> Result<(Vec<nexus_client::rpc::Capsule>, bool), ApiError> {
	let all = app.chain.capsules().await.map_err(|e| match e {
		AuthError::Unavailable(m) => ApiError::unavailable("chain_unavailable", m),
		_ => ApiError::internal("capsules"),
	})?;
	let registered = app.vault.capsules();
	let mut forbidden = false;
	let probes = lock(&app.probes).clone();
	let mut list: Vec<_> = all
		.iter()
		.filter(|c| c.offering == model && registered.binary_search(&c.id).is_ok())
		.filter(|c| {
			let ok = c.lane != "premium" || seeker.tier.premium_lanes;
			forbidden |= !ok;
			ok
		})
		.cloned()
		.collect();
	let price = |c: &nexus_client::rpc::Capsule| {
		let p = |s: &str| s.parse::<u128>().unwrap_or(u128::MAX);
		p(&c.price.per1k_input).saturating_add(p(&c.price.per1k_output))
	};
	// Capsules failing their probes go last; then cheaper first, then more trusted.
	list.sort_by(|a, b| {
		let down = |c: &nexus_client::rpc::Capsule| probes.get(&c.id).is_some_and(|p| !p.last_ok);
		down(a)
			.cmp(&down(b))
			.then(price(a).cmp(&price(b)))
			.then(b.trust.cmp(&a.trust))
			.then(a.id.cmp(&b.id))
	});
	Ok((list, forbidden))
}

/// Input units a request will be metered at, estimated on the high side (⌈chars/3⌉ + 4 per
/// message) so that the clamp below does not let the real count overrun the cap.
fn estimate_input(messages: &[Value]) -> u64 {
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
			u64::try_from(chars).unwrap_or(u64::MAX).div_ceil(3).saturating_add(4)
		})
		.fold(0u64, u64::saturating_add)
}

/// A request admitted to one capsule: what it holds, released when dropped.
struct Admission {
	app: Arc<App>,
	session: u64,
	capsule: u64,
	hold: Hold,
	max_output: u64,
}

impl Drop for Admission {
	fn drop(&mut self) {
		let mut ledger = lock(&self.app.ledger);
		if let Some(h) = ledger.held.get_mut(&self.session) {
			h.money = h.money.saturating_sub(self.hold.money);
			h.units = h.units.saturating_sub(self.hold.units);
			if h.money == 0 && h.units == 0 {
				ledger.held.remove(&self.session);
			}
		}
		ledger.forget_if_idle(self.session);
		if let Some(n) = ledger.inflight.get_mut(&self.capsule) {
			*n = n.saturating_sub(1);
		}
	}
}

enum Refusal {
	Payment(String),
	Rate(String),
	Busy,
}

fn admit(
	app: &Arc<App>,
	seeker: &Seeker,
	capsule: &nexus_client::rpc::Capsule,
	rates: Rates,
	input: u64,
	requested: u64,
) -> Result<Admission, Refusal> {
	let s = &seeker.session;
	let cap: u128 = s.cap.parse().unwrap_or(0);
	let spent: u128 = s.spent.parse().unwrap_or(u128::MAX);
	let share = share_permille(
		seeker.tier.failover_priority,
		seeker.top_priority,
		app.config.priority_reserve_percent,
	);
	let mut ledger = lock(&app.ledger);
	let account = seeker.account.0;
	// This session's receipts the chain has not seen (above its `last_seq`) hold money and
	// units; the seeker's other sessions' pending receipts hold units (the chain's rate limit
	// counts the account), conservatively all of them.
	let mut pending_money = 0u128;
	let mut pending_units = 0u64;
	let mut held_money = 0u128;
	let mut held_units = 0u64;
	for (session, seqs) in &ledger.pending {
		if *session == s.id {
			for h in seqs.range(s.last_seq.saturating_add(1)..).map(|(_, h)| h) {
				pending_money = pending_money.saturating_add(h.money);
				pending_units = pending_units.saturating_add(h.units);
			}
		} else if ledger.seekers.get(session) == Some(&account) {
			let units = seqs.values().fold(0u64, |u, h| u.saturating_add(h.units));
			pending_units = pending_units.saturating_add(units);
		}
	}
	for (session, h) in &ledger.held {
		if *session == s.id {
			held_money = held_money.saturating_add(h.money);
		}
		if ledger.seekers.get(session) == Some(&account) {
			held_units = held_units.saturating_add(h.units);
		}
	}
	let budget = cap
		.saturating_sub(spent)
		.saturating_sub(pending_money)
		.saturating_sub(held_money);
	let units_left = seeker
		.tier
		.rate_limit
		.saturating_sub(seeker.used_units)
		.saturating_sub(pending_units)
		.saturating_sub(held_units);
	if units_left <= input {
		return Err(Refusal::Rate(format!(
			"Rate limit reached for your tier: {} metered units per window; {} left.",
			seeker.tier.rate_limit, units_left
		)));
	}
	let affordable = rates.affordable_output(budget, input);
	if affordable == 0 {
		return Err(Refusal::Payment(format!(
			"Session {} cannot pay for this request: {} of its cap of {} is left.",
			s.id, budget, cap
		)));
	}
	// Capacity and concurrency, with the top share kept for higher tiers.
	let now_window = now_ms() / 3_600_000;
	let per_hour = capsule
		.capacity
		.saturating_mul(3_600_000)
		.checked_div(window_ms(&capsule.window))
		.unwrap_or(0)
		.max(1);
	let allowed = per_hour.saturating_mul(share) / 1_000;
	let used = match ledger.capsule_use.get(&capsule.id) {
		Some((w, u)) if *w == now_window => *u,
		_ => 0,
	};
	let slots = (u64::from(capsule.concurrency).saturating_mul(share) / 1_000).max(1);
	let inflight = ledger.inflight.get(&capsule.id).copied().unwrap_or(0);
	if used >= allowed || u64::from(inflight) >= slots {
		return Err(Refusal::Busy);
	}
	let max_output = requested.min(affordable).min(units_left.saturating_sub(input));
	let hold =
		Hold { money: rates.estimate(input, max_output), units: input.saturating_add(max_output) };
	ledger.seekers.insert(s.id, account);
	let h = ledger.held.entry(s.id).or_default();
	h.money = h.money.saturating_add(hold.money);
	h.units = h.units.saturating_add(hold.units);
	let n = ledger.inflight.entry(capsule.id).or_default();
	*n = n.saturating_add(1);
	Ok(Admission { app: app.clone(), session: s.id, capsule: capsule.id, hold, max_output })
}

/// A fresh receipt id from the operating system's random source.
fn random_id() -> Result<ReceiptId, ApiError> {
	let mut id = [0u8; 16];
	getrandom::getrandom(&mut id)
		.map_err(|e| ApiError::internal(format!("no randomness for a receipt id: {e}")))?;
	Ok(id)
}

fn completion_id(id: &ReceiptId) -> String {
	format!("chatcmpl-{}", hex::encode(id))
}

/// How one upstream attempt ended.
enum Attempt {
	/// Served (non-streaming): the body to answer with.
	Done(Response),
	/// The upstream failed; try the next capsule.
	Failed(&'static str),
	/// The request itself is wrong (the upstream said 4xx): answer with this, no receipt.
	Refused(Response),
}

fn usage_of(v: &Value) -> Option<(u64, u64)> {
	let u = v.get("usage")?;
	if u.is_null() {
		return None;
	}
	Some((
		u.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0),
		u.get("completion_tokens").and_then(Value::as_u64).unwrap_or(0),
	))
}

fn receipt(
	id: ReceiptId,
	seeker: &Seeker,
	capsule: u64,
	units: (u64, u64),
	outcome: Outcome,
	estimate: u128,
) -> NewReceipt {
	NewReceipt {
		id,
		seeker: seeker.account.0,
		session: seeker.session.id,
		capsule,
		input_units: units.0,
		output_units: units.1,
		// Chat Completions usage is metered as plain input and output (its cached prompt
		// tokens are billed as input by the admission estimate too); the receipt's cache units
		// are filled where an upstream reports them apart (Anthropic Messages, Responses).
		cache_read_units: 0,
		cache_write_units: 0,
		outcome,
		timestamp: now_ms(),
		estimate,
		chain_last_seq: seeker.session.last_seq,
	}
}

async fn completions(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
	let started = Instant::now();
	let response = match serve(&app, &headers, body).await {
		Ok(r) => r,
		Err(e) => {
			tracing::debug!(target: "gateway", "refused: {} {}", e.status, e.message);
			e.into_response()
		},
	};
	record_request(&app, "chat_completions", response.status(), started);
	response
}

async fn serve(app: &Arc<App>, headers: &HeaderMap, body: Body) -> Result<Response, ApiError> {
	// The key first: a client without one never gets the gateway to buffer a body.
	let seeker = authenticate(app, headers).await?;
	require_json(headers)?;
	let body = read_body(
		body,
		app.config.max_body_bytes,
		Duration::from_secs(app.config.body_timeout_secs),
	)
	.await?;
	let mut request: Value = serde_json::from_slice(&body)
		.map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}")))?;
	let obj = request
		.as_object()
		.ok_or_else(|| ApiError::bad_request("The body must be a JSON object."))?;
	let model = obj
		.get("model")
		.and_then(Value::as_str)
		.filter(|m| !m.is_empty())
		.ok_or_else(|| ApiError::bad_request("`model` is required."))?
		.to_string();
	let messages = obj
		.get("messages")
		.and_then(Value::as_array)
		.filter(|m| !m.is_empty())
		.ok_or_else(|| ApiError::bad_request("`messages` must be a non-empty array."))?;
	if messages.iter().any(|m| m.get("role").and_then(Value::as_str).is_none()) {
		return Err(ApiError::bad_request("Every message needs a `role`."));
	}
	let stream = match obj.get("stream") {
		None | Some(Value::Null) => false,
		Some(Value::Bool(b)) => *b,
		Some(_) => return Err(ApiError::bad_request("`stream` must be a boolean.")),
	};
	let want_usage = obj
		.get("stream_options")
		.and_then(|o| o.get("include_usage"))
		.and_then(Value::as_bool)
		.unwrap_or(false);
	// One completion per request: the admission holds the budget of one, and the receipt
	// meters what the upstream's `usage` reports for the request.
	match obj.get("n") {
		None | Some(Value::Null) => {},
		Some(v) if v.as_u64() == Some(1) => {},
		Some(_) =>
			return Err(ApiError::bad_request(
				"`n` must be 1: this gateway serves one completion per request.",
			)),
	}
	// The limit the gateway clamps must be the one the upstream obeys: one field, not two.
	let limit_field =
		match (obj.contains_key("max_completion_tokens"), obj.contains_key("max_tokens")) {
			(true, true) =>
				return Err(ApiError::bad_request(
					"Set `max_completion_tokens` or `max_tokens`, not both.",
				)),
			(true, false) => "max_completion_tokens",
			(false, _) => "max_tokens",
		};
	let requested = match obj.get(limit_field) {
		None | Some(Value::Null) => app.config.default_max_tokens,
		Some(v) => v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
			ApiError::bad_request(format!("`{limit_field}` must be a positive integer."))
		})?,
	};
	let input = estimate_input(messages);

	let (capsules, forbidden) = candidates(app, &seeker, &model).await?;
	if capsules.is_empty() {
		return Err(if forbidden {
			ApiError::tier_forbidden(format!(
				"`{model}` is served only in premium lanes, which tier {} does not include: stake more NXV.",
				seeker.tier.index
			))
		} else {
			ApiError::model_not_found(&model)
		});
	}

	let mut last_refusal: Option<ApiError> = None;
	let mut attempts = 0u32;
	for capsule in capsules {
		if attempts >= app.config.max_attempts {
			break;
		}
		let Some(endpoint) = app.vault.get(capsule.id) else { continue };
		let rates = match app.chain.rates(&seeker.account, capsule.id, &seeker.session.asset).await
		{
			Ok(r) => r,
			Err(e) => {
				tracing::warn!(target: "gateway", "no quote for capsule {}: {e:?}", capsule.id);
				continue;
			},
		};
		let admission = match admit(app, &seeker, &capsule, rates, input, requested) {
			Ok(a) => a,
			Err(Refusal::Payment(m)) => return Err(ApiError::payment_required(m)),
			Err(Refusal::Rate(m)) => return Err(ApiError::rate_limited(m)),
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
		if let Some(o) = request.as_object_mut() {
			o.insert(limit_field.into(), json!(admission.max_output));
			if stream {
				o.insert("stream_options".into(), json!({"include_usage": true}));
			}
		}
		let id = random_id()?;
		let outcome = if stream {
			attempt_stream(
				app, &seeker, &capsule, &endpoint, &request, id, rates, admission, want_usage,
			)
			.await
		} else {
			// In a task of its own: a seeker who disconnects does not cancel it, so what the
			// upstream served is metered (as a stream's copy is).
			let (task_app, task_seeker, task_capsule, task_endpoint, task_request) =
				(app.clone(), seeker.clone(), capsule.clone(), endpoint.clone(), request.clone());
			let attempt = app.streams.spawn(async move {
				attempt_plain(
					&task_app,
					&task_seeker,
					&task_capsule,
					&task_endpoint,
					&task_request,
					id,
					rates,
					admission,
				)
				.await
			});
			attempt.await.unwrap_or(Attempt::Failed("error"))
		};
		match outcome {
			Attempt::Done(r) => return Ok(r),
			Attempt::Refused(r) => return Ok(r),
			Attempt::Failed(why) => {
				app.metrics.attempts.with_label_values(&[&capsule.id.to_string(), why]).inc();
				tracing::info!(target: "gateway", "capsule {} failed ({why}); failing over", capsule.id);
				// The failed attempt is metered: no charge, but the capsule's trust pays. In a
				// task of its own, so that a seeker who hangs up now does not cancel it.
				let failed = receipt(id, &seeker, capsule.id, (0, 0), Outcome::Failed, 0);
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

fn classify(status: StatusCode) -> Option<&'static str> {
	if status == StatusCode::TOO_MANY_REQUESTS {
		Some("rate_limited")
	} else if status.is_server_error() {
		Some("error")
	} else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
		// The provider's credential is wrong: its fault, not the seeker's.
		Some("unauthorized")
	} else {
		None
	}
}

async fn send(
	app: &App,
	endpoint: &Endpoint,
	request: &Value,
) -> Result<reqwest::Response, &'static str> {
	let url = format!("{}/chat/completions", endpoint.url.trim_end_matches('/'));
	let call = app.http.post(url).bearer_auth(&endpoint.credential).json(request).send();
	match tokio::time::timeout(Duration::from_millis(app.config.upstream_timeout_ms), call).await {
		Err(_) => Err("timeout"),
		Ok(Err(e)) if e.is_timeout() => Err("timeout"),
		Ok(Err(_)) => Err("error"),
		Ok(Ok(r)) => Ok(r),
	}
}

/// Sends the request upstream: the response when it succeeded, otherwise how the attempt ended
/// (a failure to fail over from, or the upstream's refusal of the request itself).
async fn open_upstream(
	app: &App,
	endpoint: &Endpoint,
	request: &Value,
) -> Result<reqwest::Response, Attempt> {
	let r = send(app, endpoint, request).await.map_err(Attempt::Failed)?;
	let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
	if status.is_success() {
		return Ok(r);
	}
	Err(match classify(status) {
		Some(why) => Attempt::Failed(why),
		None => Attempt::Refused(passthrough(app, r).await),
	})
}

/// The upstream's refusal of the request itself, passed on: its body read up to
/// [`MAX_REFUSAL_BODY`] within the upstream timeout (an upstream's error may not make the
/// gateway buffer or wait without bound).
async fn passthrough(app: &App, r: reqwest::Response) -> Response {
	let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
	let timeout = Duration::from_millis(app.config.upstream_timeout_ms);
	let body = tokio::time::timeout(timeout, upstream_body(r, MAX_REFUSAL_BODY))
		.await
		.ok()
		.flatten()
		.unwrap_or_default();
	match serde_json::from_slice::<Value>(&body) {
		Ok(v) if v.get("error").is_some() => (status, Json(v)).into_response(),
		_ => ApiError {
			status,
			kind: "invalid_request_error",
			code: "upstream_refused",
			message: String::from_utf8_lossy(&body).chars().take(500).collect(),
		}
		.into_response(),
	}
}

#[allow(clippy::too_many_arguments)]
async fn attempt_plain(
	app: &Arc<App>,
	seeker: &Seeker,
	capsule: &nexus_client::rpc::Capsule,
	endpoint: &Endpoint,
	request: &Value,
	id: ReceiptId,
	rates: Rates,
	admission: Admission,
) -> Attempt {
	let r = match open_upstream(app, endpoint, request).await {
		Ok(r) => r,
		Err(attempt) => return attempt,
	};
	let timeout = Duration::from_millis(app.config.upstream_timeout_ms);
	let body = match tokio::time::timeout(timeout, upstream_body(r, MAX_UPSTREAM_BODY)).await {
		Ok(Some(b)) => b,
		Ok(None) => return Attempt::Failed("error"),
		Err(_) => return Attempt::Failed("timeout"),
	};
	let Ok(mut v) = serde_json::from_slice::<Value>(&body) else {
		return Attempt::Failed("error");
	};
	let Some(units) = usage_of(&v).filter(|(i, o)| i.saturating_add(*o) > 0) else {
		// Nothing to meter: the upstream broke the protocol; fail over.
		return Attempt::Failed("no_usage");
	};
	app.metrics.attempts.with_label_values(&[&capsule.id.to_string(), "ok"]).inc();
	let estimate = rates.estimate(units.0, units.1);
	let stored = match app
		.persist(receipt(id, seeker, capsule.id, units, Outcome::Served, estimate))
		.await
	{
		Ok(s) => s,
		Err(e) => return Attempt::Refused(e.into_response()),
	};
	drop(admission);
	if let Some(o) = v.as_object_mut() {
		o.insert("id".into(), json!(completion_id(&id)));
		o.insert("model".into(), json!(capsule.offering));
	}
	let mut response = Json(v).into_response();
	annotate(response.headers_mut(), &stored);
	Attempt::Done(response)
}

/// Largest upstream answer read, largest upstream refusal passed on, longest line of a stream
/// and longest stream: an upstream is the provider's, not the gateway's, and may not make it
/// buffer, or hold a seeker's admission, without bound.
const MAX_UPSTREAM_BODY: usize = 16 * 1024 * 1024;
const MAX_REFUSAL_BODY: usize = 64 * 1024;
const MAX_STREAM_LINE: usize = 1024 * 1024;
const MAX_STREAM_DURATION: Duration = Duration::from_secs(30 * 60);

/// An upstream's whole answer, or `None` when it breaks off or exceeds `limit` bytes.
async fn upstream_body(mut r: reqwest::Response, limit: usize) -> Option<Bytes> {
	let mut body = Vec::new();
	while let Some(chunk) = r.chunk().await.ok()? {
		if body.len().saturating_add(chunk.len()) > limit {
			return None;
		}
		body.extend_from_slice(&chunk);
	}
	Some(Bytes::from(body))
}

fn annotate(headers: &mut HeaderMap, stored: &Stored) {
	if let Ok(v) = HeaderValue::from_str(&stored.id) {
		headers.insert("x-nexus-receipt", v);
	}
	if let Ok(v) = HeaderValue::from_str(&stored.capsule.to_string()) {
		headers.insert("x-nexus-capsule", v);
	}
	if let Ok(v) = HeaderValue::from_str(&stored.seq.to_string()) {
		headers.insert("x-nexus-receipt-seq", v);
	}
}

#[allow(clippy::too_many_arguments)]
async fn attempt_stream(
	app: &Arc<App>,
	seeker: &Seeker,
	capsule: &nexus_client::rpc::Capsule,
	endpoint: &Endpoint,
	request: &Value,
	id: ReceiptId,
	rates: Rates,
	admission: Admission,
	want_usage: bool,
) -> Attempt {
	let r = match open_upstream(app, endpoint, request).await {
		Ok(r) => r,
		Err(attempt) => return attempt,
	};
	app.metrics.attempts.with_label_values(&[&capsule.id.to_string(), "ok"]).inc();
	let (tx, rx) = mpsc::channel::<Bytes>(64);
	let task_app = app.clone();
	let seeker = seeker.clone();
	let capsule_id = capsule.id;
	let offering = capsule.offering.clone();
	let timeout = Duration::from_millis(app.config.upstream_timeout_ms);
	// The copy runs to the end even when the seeker goes away, so that what the upstream
	// served is metered; a shutdown waits for it.
	app.streams.spawn(async move {
		let deadline = tokio::time::Instant::now() + MAX_STREAM_DURATION;
		// The seeker's side of the stream: dropped when the seeker stops reading for as long
		// as an upstream may be silent, so that a client that never reads cannot pin the
		// admission (money, units, a concurrency slot); the copy goes on to meter.
		let mut tx = Some(tx);
		let mut upstream = r.bytes_stream();
		let mut buf: Vec<u8> = Vec::new();
		let mut usage = None;
		let mut done = false;
		let mut broken = false;
		'read: while !done {
			let wait = timeout.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
			let next = match tokio::time::timeout(wait, upstream.next()).await {
				Ok(Some(Ok(chunk))) => chunk,
				Ok(None) => break,
				Ok(Some(Err(_))) | Err(_) => {
					broken = true;
					break;
				},
			};
			buf.extend_from_slice(&next);
			if buf.len() > MAX_STREAM_LINE && !buf.contains(&b'\n') {
				broken = true;
				break;
			}
			while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
				let line: Vec<u8> = buf.drain(..=pos).collect();
				let line = String::from_utf8_lossy(&line);
				let Some(data) = line.trim_end().strip_prefix("data:") else { continue };
				let data = data.trim();
				if data == "[DONE]" {
					done = true;
					continue 'read;
				}
				let Ok(mut v) = serde_json::from_str::<Value>(data) else { continue };
				if let Some(u) = usage_of(&v) {
					usage = Some(u);
					let only_usage =
						v.get("choices").and_then(Value::as_array).is_some_and(|c| c.is_empty());
					if only_usage && !want_usage {
						continue;
					}
				}
				if let Some(o) = v.as_object_mut() {
					o.insert("id".into(), json!(completion_id(&id)));
					o.insert("model".into(), json!(offering));
					if !want_usage {
						o.remove("usage");
					}
				}
				let event = format!("data: {v}\n\n");
				// A seeker that went away is not an error: the copy goes on, to meter what
				// the upstream served.
				forward(&mut tx, Bytes::from(event), timeout).await;
			}
		}
		let served = usage.filter(|(i, o)| i.saturating_add(*o) > 0 && done && !broken);
		let new = match served {
			Some(units) => receipt(
				id,
				&seeker,
				capsule_id,
				units,
				Outcome::Served,
				rates.estimate(units.0, units.1),
			),
			None => receipt(id, &seeker, capsule_id, (0, 0), Outcome::Failed, 0),
		};
		let persisted = task_app.persist(new).await;
		// The receipt now holds what the admission held (as pending): release it before the
		// last event, which a slow seeker may take a while to accept.
		drop(admission);
		let last = match persisted {
			Ok(_) if served.is_some() => Bytes::from_static(b"data: [DONE]\n\n"),
			Ok(_) => {
				let e = ApiError::unavailable(
					"upstream_failed",
					"The upstream broke off the stream; you are not charged for it.",
				);
				Bytes::from(format!("data: {}\n\n", e.body()))
			},
			Err(e) => Bytes::from(format!("data: {}\n\n", e.body())),
		};
		forward(&mut tx, last, timeout).await;
	});
	let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
		rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
	}));
	let mut response = Response::new(body);
	let h = response.headers_mut();
	h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
	h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
	if let Ok(v) = HeaderValue::from_str(&format!("0x{}", hex::encode(id))) {
		h.insert("x-nexus-receipt", v);
	}
	if let Ok(v) = HeaderValue::from_str(&capsule_id.to_string()) {
		h.insert("x-nexus-capsule", v);
	}
	Attempt::Done(response)
}

/// Passes one event to the seeker, waiting at most `patience` for room; a seeker that takes
/// longer (or is gone) is dropped from the stream.
async fn forward(tx: &mut Option<mpsc::Sender<Bytes>>, event: Bytes, patience: Duration) {
	let Some(sender) = tx.as_ref() else { return };
	match tokio::time::timeout(patience, sender.send(event)).await {
		Ok(Ok(())) => {},
		Ok(Err(_)) => *tx = None,
		Err(_) => {
			tracing::info!(target: "gateway", "a seeker stopped reading its stream: dropped");
			*tx = None;
		},
	}
}

async fn models(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
	let started = Instant::now();
	let result = async {
		let seeker = authenticate(&app, &headers).await?;
		let all = app
			.chain
			.capsules()
			.await
			.map_err(|e| ApiError::unavailable("chain_unavailable", format!("{e:?}")))?;
		let registered = app.vault.capsules();
		let mut ids: Vec<&str> = all
			.iter()
			.filter(|c| registered.binary_search(&c.id).is_ok())
			.filter(|c| c.lane != "premium" || seeker.tier.premium_lanes)
			.map(|c| c.offering.as_str())
			.collect();
		ids.sort_unstable();
		ids.dedup();
		let data: Vec<Value> = ids
			.into_iter()
			.map(|id| json!({"id": id, "object": "model", "created": 0, "owned_by": "nexus-vault"}))
			.collect();
		Ok::<_, ApiError>(Json(json!({"object": "list", "data": data})).into_response())
	}
	.await;
	let response = result.unwrap_or_else(IntoResponse::into_response);
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
	});
	let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
	(status, Json(body)).into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
	app.metrics.chain_connected.set(i64::from(app.chain.connected()));
	app.metrics.best_block.set(i64::try_from(app.chain.best()).unwrap_or(i64::MAX));
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}

/// Largest endpoint registration: an URL of 512 bytes, a credential of 4096, a signature.
const MAX_REGISTRATION_BYTES: usize = 16 * 1024;

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
	(status, Json(json!({"error": {"message": message.into()}}))).into_response()
}

/// `POST /admin/v1/endpoints`: a provider registers its capsule's upstream (see
/// [`crate::endpoints`]).
async fn register_endpoint(
	State(app): State<Arc<App>>,
	headers: HeaderMap,
	body: Body,
) -> Response {
	if let Err(e) = require_json(&headers) {
		return admin_error(e.status, e.message);
	}
	let body = match read_body(
		body,
		MAX_REGISTRATION_BYTES,
		Duration::from_secs(app.config.body_timeout_secs),
	)
	.await
	{
		Ok(b) => b,
		Err(e) => return admin_error(e.status, e.message),
	};
	let reg: Registration = match serde_json::from_slice(&body) {
		Ok(r) => r,
		Err(e) =>
			return admin_error(StatusCode::BAD_REQUEST, format!("malformed registration: {e}")),
	};
	if !(reg.endpoint.starts_with("http://") || reg.endpoint.starts_with("https://")) ||
		reg.endpoint.len() > 512 ||
		reg.credential.len() > 4_096
	{
		return admin_error(
			StatusCode::BAD_REQUEST,
			"the endpoint must be an http(s) URL (≤ 512 bytes), the credential ≤ 4096 bytes",
		);
	}
	if now_ms().abs_diff(reg.timestamp_ms) > REGISTRATION_WINDOW_MS {
		return admin_error(
			StatusCode::BAD_REQUEST,
			"the registration's timestamp is not within 5 minutes of the gateway's clock",
		);
	}
	let capsule = match app.chain.capsule(reg.capsule).await {
		Ok(Some(c)) => c,
		Ok(None) =>
			return admin_error(StatusCode::NOT_FOUND, format!("no capsule {}", reg.capsule)),
		Err(e) => return admin_error(StatusCode::SERVICE_UNAVAILABLE, format!("{e:?}")),
	};
	let Ok(owner) = nexus_client::parse_account(&capsule.owner) else {
		return admin_error(StatusCode::INTERNAL_SERVER_ERROR, "unreadable capsule owner");
	};
	let sig = match hex::decode(reg.signature.trim_start_matches("0x"))
		.ok()
		.and_then(|b| <[u8; 64]>::try_from(b).ok())
	{
		Some(s) => s,
		None =>
			return admin_error(StatusCode::BAD_REQUEST, "the signature must be 64 bytes of hex"),
	};
	let payload = registration_payload(
		app.chain.genesis.0,
		app.chain.gateway,
		reg.capsule,
		&reg.endpoint,
		&reg.credential,
		reg.timestamp_ms,
	);
	let public = subxt_signer::sr25519::PublicKey(owner.0);
	if !subxt_signer::sr25519::verify(&subxt_signer::sr25519::Signature(sig), payload, &public) {
		return admin_error(StatusCode::UNAUTHORIZED, "the signature is not the capsule owner's");
	}
	let commitment = nexus_client::endpoint_commitment(&reg.endpoint, &reg.credential);
	if format!("{commitment:?}") != capsule.endpoint_commitment {
		return admin_error(
			StatusCode::CONFLICT,
			format!(
				"the endpoint and credential hash to {commitment:?}, but capsule {} commits to {}",
				reg.capsule, capsule.endpoint_commitment
			),
		);
	}
	let endpoint = Endpoint { url: reg.endpoint, credential: reg.credential };
	let sealed = match app.vault.seal(reg.capsule, &endpoint) {
		Ok(s) => s,
		Err(e) => return admin_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
	};
	let store = app.store.clone();
	let id = reg.capsule;
	match tokio::task::spawn_blocking(move || store.put_endpoint(id, &sealed)).await {
		Ok(Ok(())) => {},
		_ => return admin_error(StatusCode::INTERNAL_SERVER_ERROR, "cannot store the endpoint"),
	}
	app.vault.insert(reg.capsule, endpoint);
	tracing::info!(target: "gateway", "capsule {} endpoint registered by its owner", reg.capsule);
	Json(json!({"capsule": reg.capsule, "commitment": capsule.endpoint_commitment})).into_response()
}

fn operator(app: &App, headers: &HeaderMap) -> Result<(), Box<Response>> {
	match (&app.config.admin_token, bearer(headers)) {
		(Some(t), Some(given)) if t == given => Ok(()),
		(None, _) => Err(Box::new(admin_error(
			StatusCode::NOT_FOUND,
			"the operator API is off (no admin_token)",
		))),
		_ => Err(Box::new(admin_error(StatusCode::UNAUTHORIZED, "wrong admin token"))),
	}
}

/// `GET /admin/v1/endpoints` (operator): capsules with an endpoint, and their probes.
async fn list_endpoints(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
	if let Err(r) = operator(&app, &headers) {
		return *r;
	}
	let probes = lock(&app.probes).clone();
	let list: Vec<Value> = app
		.vault
		.capsules()
		.into_iter()
		.map(|c| {
			let p = probes.get(&c).copied().unwrap_or_default();
			json!({"capsule": c, "probes": {"ok": p.ok, "total": p.total, "lastOk": p.last_ok}})
		})
		.collect();
	Json(json!(list)).into_response()
}

#[derive(Deserialize)]
struct Page {
	from: Option<u64>,
	limit: Option<usize>,
}

/// `GET /v1/receipts?from=SEQ&limit=N` (seeker, by its session's API key, also once the
/// session has ended): the session's receipts in sequence order, each with what the chain ruled
/// and, once judged in a batch, its leaf and proof, which `metering.dispute_receipt` takes.
async fn seeker_receipts(
	State(app): State<Arc<App>>,
	headers: HeaderMap,
	page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Response {
	let started = Instant::now();
	let result = async {
		let session = match app.chain.seeker(key_hash(&headers)?).await {
			Ok(s) => s.session.id,
			Err(AuthError::SessionEnded(id)) => id,
			Err(e) => return Err(auth_error(e)),
		};
		let Ok(Query(page)) = page else {
			return Err(ApiError::bad_request(
				"`from` must be an unsigned integer, `limit` a count.",
			));
		};
		let limit = page.limit.unwrap_or(100).min(1_000);
		let store = app.store.clone();
		let list = tokio::task::spawn_blocking(move || {
			store.session_receipts(session, page.from.unwrap_or(0), limit)
		})
		.await
		.map_err(|e| ApiError::internal(e.to_string()))?
		.map_err(|e| ApiError::internal(format!("cannot read the receipts: {e}")))?;
		Ok(Json(json!({"object": "list", "session": session, "data": list})).into_response())
	}
	.await;
	let response = result.unwrap_or_else(IntoResponse::into_response);
	record_request(&app, "receipts", response.status(), started);
	response
}

/// `GET /admin/v1/sessions/{id}/receipts?from=SEQ&limit=N` (operator): a session's receipts
/// and what the chain ruled.
async fn session_receipts(
	State(app): State<Arc<App>>,
	headers: HeaderMap,
	id: Result<Path<u64>, axum::extract::rejection::PathRejection>,
	page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Response {
	// The token first: without it, nothing about the request is answered.
	if let Err(r) = operator(&app, &headers) {
		return *r;
	}
	let (Ok(Path(id)), Ok(Query(page))) = (id, page) else {
		return admin_error(
			StatusCode::BAD_REQUEST,
			"the session id and `from` must be unsigned integers, `limit` a count",
		);
	};
	let limit = page.limit.unwrap_or(1_000).min(10_000);
	let store = app.store.clone();
	match tokio::task::spawn_blocking(move || {
		store.session_receipts(id, page.from.unwrap_or(0), limit)
	})
	.await
	{
		Ok(Ok(list)) => Json(json!(list)).into_response(),
		_ => admin_error(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the store"),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn higher_tiers_keep_the_reserved_share() {
		assert_eq!(share_permille(0, 4, 20), 800);
		assert_eq!(share_permille(2, 4, 20), 900);
		assert_eq!(share_permille(4, 4, 20), 1_000);
		assert_eq!(share_permille(0, 0, 20), 1_000);
	}

	#[test]
	fn input_is_estimated_on_the_high_side() {
		let m = vec![
			json!({"role": "user", "content": "123456"}),
			json!({"role": "user", "content": [{"type": "text", "text": "abc"}]}),
		];
		assert_eq!(estimate_input(&m), 2 + 4 + 1 + 4);
	}
}
