//! OpenAI Responses, as seekers (Codex, the `openai` SDKs) call it.
//!
//! The gateway keeps no responses: `background` is refused, and `previous_response_id` reaches
//! only an upstream of the same format. The conversation is `prompt_cache_key` (Codex sets it
//! to its conversation id), or Codex's session header.

use super::{header_key, key_of, limit_of, model_of, stream_of, Call};
use crate::{
	errors::ApiError,
	wire::{estimate, responses::custom_tools, Format},
};
use axum::http::HeaderMap;
use serde_json::Value;

/// Headers Codex names its session with (the name changed across releases).
const SESSION_HEADERS: [&str; 5] =
	["session_id", "session-id", "conversation_id", "thread_id", "thread-id"];

/// Reads a Responses request.
pub fn read(body: Value, headers: &HeaderMap, default_max: u64) -> Result<Call, ApiError> {
	let obj = body
		.as_object()
		.ok_or_else(|| ApiError::bad_request("The body must be a JSON object."))?;
	let model = model_of(&body)?;
	match obj.get("input") {
		Some(Value::String(_)) | Some(Value::Array(_)) => {},
		_ =>
			return Err(ApiError::bad_request("`input` is required: a string or an array of items.")),
	}
	if obj.get("background").and_then(Value::as_bool) == Some(true) {
		return Err(ApiError::bad_request(
			"`background` responses are not served: this gateway keeps no responses to poll.",
		));
	}
	let field = Format::Responses.limit_field();
	Ok(Call {
		api: Format::Responses,
		stream: stream_of(&body)?,
		want_usage: false,
		requested: limit_of(&body, field, default_max)?,
		limit_field: field,
		conversation: key_of(obj.get("prompt_cache_key"))
			.or_else(|| header_key(headers, &SESSION_HEADERS)),
		input: estimate::input_units(&body),
		forward: vec![],
		custom_tools: custom_tools(&body),
		model,
		body,
	})
}
