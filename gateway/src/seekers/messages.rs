//! Anthropic Messages, as seekers (Claude Code, the `anthropic` SDKs) call it.
//!
//! `anthropic-version` is required, as Anthropic requires it, and must be a version date
//! (`YYYY-MM-DD`, 2023-01-01 or later: the SDKs move to newer dates, which only Anthropic
//! upstreams interpret); it and `anthropic-beta` go on to an Anthropic upstream. `max_tokens`
//! is required.
//! The conversation is Claude Code's `X-Claude-Code-Session-Id`, or `metadata.user_id`.

use super::{header_key, key_of, limit_of, model_of, stream_of, Call};
use crate::{
	errors::ApiError,
	wire::{estimate, Format},
};
use axum::http::{HeaderMap, HeaderName};
use serde_json::Value;

/// The first `anthropic-version`.
pub const FIRST_VERSION: &str = "2023-01-01";

/// Whether `v` is a version date (`YYYY-MM-DD`, not before [`FIRST_VERSION`]).
pub fn is_version(v: &str) -> bool {
	let b = v.as_bytes();
	let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
	b.len() == 10 &&
		b[4] == b'-' &&
		b[7] == b'-' &&
		digits(0..4) &&
		digits(5..7) &&
		digits(8..10) &&
		(1..=12).contains(&v[5..7].parse::<u8>().unwrap_or(0)) &&
		(1..=31).contains(&v[8..10].parse::<u8>().unwrap_or(0)) &&
		v >= FIRST_VERSION
}

/// Checks the `anthropic-version` header; returns the headers to pass on.
pub fn versioned(
	headers: &HeaderMap,
) -> Result<Vec<(HeaderName, axum::http::HeaderValue)>, ApiError> {
	let version = headers
		.get("anthropic-version")
		.ok_or_else(|| ApiError::bad_request("anthropic-version: header is required."))?;
	if !version.to_str().is_ok_and(is_version) {
		return Err(ApiError::bad_request(format!(
			"anthropic-version: {:?} is not a version (a date such as 2023-06-01).",
			crate::errors::echo(&String::from_utf8_lossy(version.as_bytes())),
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

#[cfg(test)]
mod tests {
	use super::is_version;

	#[test]
	fn versions_are_dates() {
		for ok in ["2023-06-01", "2023-01-01", "2026-10-21"] {
			assert!(is_version(ok), "{ok}");
		}
		for bad in
			["", "latest", "2022-12-31", "2023-13-01", "2023-06-00", "2023-6-1", "2023-06-01x"]
		{
			assert!(!is_version(bad), "{bad}");
		}
	}
}
