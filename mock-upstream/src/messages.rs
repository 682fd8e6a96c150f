//! `POST /v1/messages` (Anthropic Messages, plain and streaming with named events) and
//! `POST /v1/messages/count_tokens`. Requires `x-api-key` (with `--credential`) and
//! `anthropic-version`, as Anthropic does; refuses a thinking block whose signature it did not
//! give.

use crate::{
	model::{answer, sign, text_of, tokens, Caching, Turn},
	sse_stream, Shared,
};
use axum::{
	http::{HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use serde_json::{json, Value};

/// An error in Anthropic's shape.
pub fn error(status: StatusCode, kind: &str, message: &str) -> Response {
	(status, Json(json!({"type": "error", "error": {"type": kind, "message": message}})))
		.into_response()
}

/// `x-api-key` (with `--credential`) and `anthropic-version`.
#[allow(clippy::result_large_err)]
pub fn authorize(mock: &Shared, headers: &HeaderMap) -> Result<(), Response> {
	if let Some(cred) = &mock.opts.credential {
		if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(cred.as_str()) {
			return Err(error(
				StatusCode::UNAUTHORIZED,
				"authentication_error",
				"invalid x-api-key",
			));
		}
	}
	if !headers.contains_key("anthropic-version") {
		return Err(error(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"anthropic-version: header is required",
		));
	}
	Ok(())
}

fn system_text(req: &Value) -> String {
	text_of(req.get("system"))
}

fn has_cache_control(v: &Value) -> bool {
	match v {
		Value::Object(m) => m.contains_key("cache_control") || m.values().any(has_cache_control),
		Value::Array(a) => a.iter().any(has_cache_control),
		_ => false,
	}
}

fn input_of(req: &Value) -> Vec<u64> {
	req.get("messages")
		.and_then(Value::as_array)
		.into_iter()
		.flatten()
		.map(|m| tokens(&text_of(m.get("content"))).saturating_add(4))
		.collect()
}

fn preamble(req: &Value) -> u64 {
	tokens(&system_text(req)) + req.get("tools").map_or(0, |t| tokens(&t.to_string()))
}

/// A thinking block in the history whose signature the mock did not give, if any.
fn forged(req: &Value) -> Option<String> {
	for m in req.get("messages").and_then(Value::as_array).into_iter().flatten() {
		for b in m.get("content").and_then(Value::as_array).into_iter().flatten() {
			if b.get("type").and_then(Value::as_str) == Some("thinking") {
				let text = b.get("thinking").and_then(Value::as_str).unwrap_or("");
				let sig = b.get("signature").and_then(Value::as_str).unwrap_or("");
				if sig != sign(text) {
					return Some(sig.chars().take(40).collect());
				}
			}
		}
	}
	None
}

pub async fn count_tokens(mock: Shared, headers: HeaderMap, req: Value) -> Response {
	if let Err(e) = authorize(&mock, &headers) {
		return e;
	}
	let total: u64 = input_of(&req).iter().sum::<u64>() + preamble(&req);
	Json(json!({"input_tokens": total})).into_response()
}

pub async fn messages(mock: Shared, headers: HeaderMap, req: Value) -> Response {
	if let Err(e) = authorize(&mock, &headers) {
		return e;
	}
	let (Some(messages), Some(limit)) = (
		req.get("messages").and_then(Value::as_array),
		req.get("max_tokens").and_then(Value::as_u64),
	) else {
		return error(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"messages and max_tokens are required",
		);
	};
	if let Some(sig) = forged(&req) {
		return error(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			&format!("Invalid `signature` in `thinking` block: {sig}"),
		);
	}
	let n = match mock.begin().await {
		Ok(n) => n,
		Err((status, message)) => return error(status, "api_error", &message),
	};
	let model = req.get("model").and_then(Value::as_str).unwrap_or("mock").to_string();
	let turn = Turn {
		messages: input_of(&req).into_iter().zip(messages.iter().map(Value::to_string)).collect(),
		preamble: preamble(&req),
		preamble_key: format!("messages|{}|{}", system_text(&req), json!(req.get("tools"))),
		caching: Caching::Explicit(has_cache_control(&req)),
		last_user: messages
			.iter()
			.rev()
			.find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
			.map(|m| text_of(m.get("content")))
			.unwrap_or_default(),
		tools: req
			.get("tools")
			.and_then(Value::as_array)
			.into_iter()
			.flatten()
			.filter_map(|t| {
				Some((
					t.get("name")?.as_str()?.to_string(),
					t.get("input_schema").cloned().unwrap_or(Value::Null),
				))
			})
			.collect(),
		limit,
		thinking: matches!(
			req.pointer("/thinking/type").and_then(Value::as_str),
			Some("enabled" | "adaptive")
		),
	};
	let a = answer(&turn, mock.opts.completion_tokens, mock.opts.cache_min_tokens, &mock.cache, n);
	let u = a.usage;
	let usage = json!({
		"input_tokens": u.input,
		"cache_creation_input_tokens": u.cache_write,
		"cache_read_input_tokens": u.cache_read,
		"output_tokens": u.output,
	});
	let stop = if a.tool.is_some() {
		"tool_use"
	} else if a.truncated {
		"max_tokens"
	} else {
		"end_turn"
	};
	let id = format!("msg_mock_{n}");
	let mut content = Vec::new();
	if let Some((t, s)) = &a.thinking {
		content.push(json!({"type": "thinking", "thinking": t, "signature": s}));
	}
	if let Some(t) = &a.text {
		content.push(json!({"type": "text", "text": t}));
	}
	if let Some((id, name, args)) = &a.tool {
		content.push(json!({"type": "tool_use", "id": id, "name": name, "input": args}));
	}
	if !req.get("stream").and_then(Value::as_bool).unwrap_or(false) {
		return Json(json!({
			"id": id, "type": "message", "role": "assistant", "model": model, "content": content,
			"stop_reason": stop, "stop_sequence": null, "usage": usage,
		}))
		.into_response();
	}
	mock.streamed();
	let mut frames: Vec<Value> = vec![
		json!({"type": "message_start", "message": {
			"id": id, "type": "message", "role": "assistant", "model": model, "content": [],
			"stop_reason": null, "stop_sequence": null,
			"usage": {"input_tokens": u.input, "cache_creation_input_tokens": u.cache_write, "cache_read_input_tokens": u.cache_read, "output_tokens": 1},
		}}),
		json!({"type": "ping"}),
	];
	for (index, block) in content.iter().enumerate() {
		match block["type"].as_str() {
			Some("thinking") => {
				frames.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}));
				frames.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta", "thinking": block["thinking"]}}));
				frames.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}}));
			},
			Some("text") => {
				frames.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}));
				let text = block["text"].as_str().unwrap_or("");
				let mut first = true;
				for w in text.split(' ').filter(|w| !w.is_empty()) {
					let piece = if first { w.to_string() } else { format!(" {w}") };
					first = false;
					frames.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}}));
				}
			},
			_ => {
				frames.push(json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}));
				let args = block["input"].to_string();
				let mid = args
					.char_indices()
					.nth(args.chars().count() / 2)
					.map_or(args.len(), |(i, _)| i);
				let (a, b) = args.split_at(mid);
				for piece in [a, b] {
					frames.push(json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}}));
				}
			},
		}
		frames.push(json!({"type": "content_block_stop", "index": index}));
	}
	frames.push(json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": u.output}}));
	frames.push(json!({"type": "message_stop"}));
	let frames = frames
		.into_iter()
		.map(|v| (v["type"].as_str().map(String::from), v.to_string()))
		.collect();
	sse_stream(frames, mock.opts.chunk_latency_ms)
}
