//! The `/admin/v1` calls — a provider registering its capsule's upstream (signed by the
//! capsule's owner), the operator's views of endpoints and receipts — and the seeker's own
//! receipts at `/v1/receipts`.

use crate::{
	app::{lock, now_ms, App},
	chain::AuthError,
	endpoints::{registration_payload, Endpoint, Registration, REGISTRATION_WINDOW_MS},
	errors::ApiError,
	routes::{auth_error, bearer, key_hash, read_body, record_request, require_json},
	wire::Format,
};
use axum::{
	body::Body,
	extract::{Path, Query, State},
	http::{HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::{
	sync::Arc,
	time::{Duration, Instant},
};

/// Largest endpoint registration: an URL of 512 bytes, a credential of 4096, a signature.
const MAX_REGISTRATION_BYTES: usize = 16 * 1024;

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
	(status, Json(json!({"error": {"message": message.into()}}))).into_response()
}

/// `POST /admin/v1/endpoints`: a provider registers its capsule's upstream (see
/// [`crate::endpoints`]).
pub async fn register_endpoint(
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
	let wire = match (&reg.format, &reg.model) {
		(None, None) => None,
		(Some(f), Some(m)) => match nexus_client::Wire::new(f, m) {
			Ok(w) => Some(w),
			Err(e) => return admin_error(StatusCode::BAD_REQUEST, e.to_string()),
		},
		_ =>
			return admin_error(
				StatusCode::BAD_REQUEST,
				"a version-2 registration names both `format` and `model`",
			),
	};
	let payload = registration_payload(
		app.chain.genesis.0,
		app.chain.gateway,
		reg.capsule,
		&reg.endpoint,
		&reg.credential,
		wire.as_ref(),
		reg.timestamp_ms,
	);
	let public = subxt_signer::sr25519::PublicKey(owner.0);
	if !subxt_signer::sr25519::verify(&subxt_signer::sr25519::Signature(sig), payload, &public) {
		return admin_error(StatusCode::UNAUTHORIZED, "the signature is not the capsule owner's");
	}
	let commitment = nexus_client::commitment_of(&reg.endpoint, &reg.credential, wire.as_ref());
	if format!("{commitment:?}") != capsule.endpoint_commitment {
		return admin_error(
			StatusCode::CONFLICT,
			format!(
				"the endpoint and credential hash to {commitment:?}, but capsule {} commits to {}",
				reg.capsule, capsule.endpoint_commitment
			),
		);
	}
	let endpoint = Endpoint {
		url: reg.endpoint,
		credential: reg.credential,
		format: wire.as_ref().and_then(|w| Format::from_tag(&w.format)).unwrap_or_default(),
		model: wire.map(|w| w.model),
	};
	let (format, model) = (endpoint.format, endpoint.model.clone());
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
	tracing::info!(target: "gateway", "capsule {} endpoint ({}) registered by its owner", reg.capsule, format.tag());
	Json(json!({
		"capsule": reg.capsule,
		"commitment": capsule.endpoint_commitment,
		"format": format.tag(),
		"model": model,
	}))
	.into_response()
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
pub async fn list_endpoints(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
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
			let e = app.vault.get(c);
			json!({
				"capsule": c,
				"format": e.as_ref().map(|e| e.format.tag()),
				"model": e.and_then(|e| e.model),
				"probes": {"ok": p.ok, "total": p.total, "lastOk": p.last_ok},
			})
		})
		.collect();
	Json(json!(list)).into_response()
}

/// A page of receipts: from a sequence number, at most `limit`.
#[derive(Deserialize)]
pub struct Page {
	pub from: Option<u64>,
	pub limit: Option<usize>,
}

/// `GET /v1/receipts?from=SEQ&limit=N` (seeker, by its session's API key, also once the
/// session has ended): the session's receipts in sequence order, each with what the chain ruled
/// and, once judged in a batch, its leaf and proof, which `metering.dispute_receipt` takes.
pub async fn seeker_receipts(
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
pub async fn session_receipts(
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
