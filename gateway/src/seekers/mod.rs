//! The seeker APIs: what each one requires of a request and how it names a conversation. Each
//! module reads its API's request into a [`Call`], which the proxy ([`crate::proxy`]) routes,
//! meters and answers in the same API.
//!
//! - [`chat`]: OpenAI Chat Completions, `POST /v1/chat/completions`.
//! - [`messages`]: Anthropic Messages, `POST /v1/messages` and `/v1/messages/count_tokens` (what
//!   Claude Code and the `anthropic` SDKs speak).
//! - [`responses`]: OpenAI Responses, `POST /v1/responses` (what Codex and the `openai` SDKs'
//!   `responses` speak).

pub mod chat;
pub mod messages;
pub mod responses;

use crate::{errors::ApiError, wire::Format};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::collections::BTreeSet;

/// A seeker's request, read by its API's module.
#[derive(Debug, Clone)]
pub struct Call {
	/// The API the seeker called (its answer and errors take this shape).
	pub api: Format,
	/// The body as sent (passed through to an upstream of the same format).
	pub body: Value,
	/// The model id asked for.
	pub model: String,
	pub stream: bool,
	/// A Chat seeker asked for the usage chunk (`stream_options.include_usage`).
	pub want_usage: bool,
	/// The output limit asked for, or the gateway's default.
	pub requested: u64,
	/// The field the seeker's API bounds output with (Chat: the one the seeker used).
	pub limit_field: &'static str,
	/// What names the conversation (see [`crate::sticky`]).
	pub conversation: Option<String>,
	/// Input units, estimated over the whole body ([`crate::wire::estimate`]).
	pub input: u64,
	/// Headers passed on to an upstream of the same format (`anthropic-version`,
	/// `anthropic-beta`).
	pub forward: Vec<(HeaderName, HeaderValue)>,
	/// A Responses request's freeform tools.
	pub custom_tools: BTreeSet<String>,
}

/// Reads a request of `api`.
pub fn read(
	api: Format,
	headers: &HeaderMap,
	body: Value,
	default_max: u64,
) -> Result<Call, ApiError> {
	match api {
		Format::Chat => chat::read(body, headers, default_max),
		Format::Messages => messages::read(body, headers),
		Format::Responses => responses::read(body, headers, default_max),
	}
}

/// The model id, required and non-empty.
pub(crate) fn model_of(body: &Value) -> Result<String, ApiError> {
	match body.get("model") {
		Some(Value::String(m)) if !m.is_empty() => Ok(m.clone()),
		_ => Err(ApiError::bad_request("`model` is required (a non-empty string).")),
	}
}

/// `stream`: absent, null or a boolean.
pub(crate) fn stream_of(body: &Value) -> Result<bool, ApiError> {
	match body.get("stream") {
		None | Some(Value::Null) => Ok(false),
		Some(Value::Bool(b)) => Ok(*b),
		Some(_) => Err(ApiError::bad_request("`stream` must be a boolean.")),
	}
}

/// An output limit field: absent or null (the default), else a positive integer.
pub(crate) fn limit_of(body: &Value, field: &str, default: u64) -> Result<u64, ApiError> {
	match body.get(field) {
		None | Some(Value::Null) => Ok(default),
		Some(v) => v
			.as_u64()
			.filter(|n| *n > 0)
			.ok_or_else(|| ApiError::bad_request(format!("`{field}` must be a positive integer."))),
	}
}

/// A string field used as a conversation key, bounded (longer keys are hashed anyway, but a
/// key is no place for megabytes).
pub(crate) fn key_of(v: Option<&Value>) -> Option<String> {
	v.and_then(Value::as_str)
		.filter(|s| !s.is_empty() && s.len() <= 1_024)
		.map(Into::into)
}

/// The first of `names` the request has as a header, as a conversation key.
pub(crate) fn header_key(headers: &HeaderMap, names: &[&str]) -> Option<String> {
	names.iter().find_map(|n| {
		headers
			.get(*n)
			.and_then(|v| v.to_str().ok())
			.filter(|s| !s.is_empty() && s.len() <= 1_024)
			.map(Into::into)
	})
}
