//! Anthropic Messages, as seekers (Claude Code, the `anthropic` SDKs) call it.
//!
//! `anthropic-version` is required, as Anthropic requires it, and must be one the gateway
//! speaks; it and `anthropic-beta` go on to an Anthropic upstream. `max_tokens` is required.
//! The conversation is Claude Code's `X-Claude-Code-Session-Id`, or `metadata.user_id`.

use super::{header_key, key_of, limit_of, model_of, stream_of, Call};
use crate::{
	errors::ApiError,
	wire::{estimate, Format},
};
use axum::http::{HeaderMap, HeaderName};
use serde_json::Value;

/// The `anthropic-version`s the gateway takes.
pub const VERSIONS: [&str; 2] = ["2023-06-01", "2023-01-01"];

/// Checks the `anthropic-version` header; returns the headers to pass on.
pub fn versioned(
	headers: &HeaderMap,
) -> Result<Vec<(HeaderName, axum::http::HeaderValue)>, ApiError> {
	let version = headers
		.get("anthropic-version")
		.ok_or_else(|| ApiError::bad_request("anthropic-version: header is required."))?;
	if !version.to_str().is_ok_and(|v| VERSIONS.contains(&v)) {
		return Err(ApiError::bad_request(format!(
			"anthropic-version: {} is not a version this gateway speaks ({}).",
			crate::errors::echo(&String::from_utf8_lossy(version.as_bytes())),
			VERSIONS.join(", ")
		)));
	}
	let mut forward = vec![(HeaderName::from_static("anthropic-version"), version.clone())];
	if let Some(beta) = headers.get("anthropic-beta") {
		forward.push((HeaderName::from_static("anthropic-beta"), beta.clone()));
	}
	Ok(forward)
}

/// Reads a Messages request.
pub fn read(body: Value, headers: &HeaderMap) -> Result<Call, ApiError> {
	let forward = versioned(headers)?;
	let obj = body
		.as_object()
		.ok_or_else(|| ApiError::bad_request("The body must be a JSON object."))?;
	let model = model_of(&body)?;
	if !obj.contains_key("max_tokens") {
		return Err(ApiError::bad_request("`max_tokens` is required."));
	}
	let requested = limit_of(&body, "max_tokens", 0)?;
	let messages = obj
		.get("messages")
		.and_then(Value::as_array)
		.filter(|m| !m.is_empty())
		.ok_or_else(|| ApiError::bad_request("`messages` must be a non-empty array."))?;
	if messages.iter().any(|m| {
		!matches!(m.get("role").and_then(Value::as_str), Some("user" | "assistant" | "system"))
	}) {
		return Err(ApiError::bad_request("Every message needs a role: `user` or `assistant`."));
	}
	if messages
		.iter()
		.any(|m| !matches!(m.get("content"), Some(Value::String(_) | Value::Array(_))))
	{
		return Err(ApiError::bad_request(
			"Every message needs `content`: a string or an array of blocks.",
		));
	}
	let stream = stream_of(&body)?;
	Ok(Call {
		api: Format::Messages,
		model,
		stream,
		want_usage: false,
		requested,
		limit_field: Format::Messages.limit_field(),
		conversation: header_key(headers, &["x-claude-code-session-id"])
			.or_else(|| key_of(body.pointer("/metadata/user_id"))),
		input: estimate::input_units(&body),
		forward,
		custom_tools: Default::default(),
		body,
	})
}
