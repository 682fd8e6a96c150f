//! OpenAI Chat Completions, as seekers call it.

use super::{key_of, limit_of, model_of, stream_of, Call};
use crate::{
	errors::ApiError,
	wire::{estimate, Format},
};
use axum::http::HeaderMap;
use serde_json::Value;

/// Reads a chat completion request.
pub fn read(body: Value, _headers: &HeaderMap, default_max: u64) -> Result<Call, ApiError> {
	let obj = body
		.as_object()
		.ok_or_else(|| ApiError::bad_request("The body must be a JSON object."))?;
	let model = model_of(&body)?;
	let messages = obj
		.get("messages")
		.and_then(Value::as_array)
		.filter(|m| !m.is_empty())
		.ok_or_else(|| ApiError::bad_request("`messages` must be a non-empty array."))?;
	if messages.iter().any(|m| m.get("role").and_then(Value::as_str).is_none()) {
		return Err(ApiError::bad_request("Every message needs a `role`."));
	}
	let stream = stream_of(&body)?;
	let want_usage = match obj.get("stream_options") {
		None | Some(Value::Null) => false,
		Some(Value::Object(o)) => match o.get("include_usage") {
			None | Some(Value::Null) => false,
			Some(Value::Bool(b)) => *b,
			Some(_) =>
				return Err(ApiError::bad_request(
					"`stream_options.include_usage` must be a boolean.",
				)),
		},
		Some(_) => return Err(ApiError::bad_request("`stream_options` must be an object.")),
	};
	if !stream && obj.get("stream_options").is_some_and(|o| !o.is_null()) {
		return Err(ApiError::bad_request("`stream_options` is only allowed with `stream: true`."));
	}
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
			(false, true) => "max_tokens",
			_ => Format::Chat.limit_field(),
		};
	let requested = limit_of(&body, limit_field, default_max)?;
	Ok(Call {
		api: Format::Chat,
		model,
		stream,
		want_usage,
		requested,
		limit_field,
		conversation: key_of(obj.get("prompt_cache_key")),
		input: estimate::input_units(&body),
		forward: vec![],
		custom_tools: Default::default(),
		body,
	})
}
