//! `POST /v1/chat/completions`, plain and streaming (the usage chunk when
//! `stream_options.include_usage` is set, as OpenAI sends it).

use crate::{
	model::{answer, text_of, tokens, Caching, Turn},
	openai_error, sse_stream, Shared,
};
use axum::{
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use serde_json::{json, Value};

/// `⌈chars/4⌉ + 4` per message, over string contents and text parts.
pub fn prompt_tokens(messages: &[Value]) -> Vec<u64> {
	messages
		.iter()
		.map(|m| tokens(&text_of(m.get("content"))).saturating_add(4))
		.collect()
}

fn turn(req: &Value, messages: &[Value]) -> Turn {
	let tools: Vec<(String, Value)> = req
		.get("tools")
		.and_then(Value::as_array)
		.into_iter()
		.flatten()
		.filter_map(|t| {
			let f = t.get("function")?;
			Some((
				f.get("name")?.as_str()?.to_string(),
				f.get("parameters").cloned().unwrap_or(Value::Null),
			))
		})
		.collect();
	let key = req.get("prompt_cache_key").and_then(Value::as_str).unwrap_or("");
	Turn {
		messages: prompt_tokens(messages)
			.into_iter()
			.zip(messages.iter().map(Value::to_string))
			.collect(),
		preamble: req.get("tools").map_or(0, |t| tokens(&t.to_string())),
		preamble_key: format!("chat|{key}|{}", json!(req.get("tools"))),
		caching: Caching::Automatic,
		last_user: messages
			.iter()
			.rev()
			.find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
			.map(|m| text_of(m.get("content")))
			.unwrap_or_default(),
		tools,
		limit: req
			.get("max_completion_tokens")
			.or_else(|| req.get("max_tokens"))
			.and_then(Value::as_u64)
			.unwrap_or(u64::MAX),
		thinking: req.get("reasoning_effort").and_then(Value::as_str).is_some_and(|e| e != "none"),
	}
}

pub async fn completions(mock: Shared, req: Value) -> Response {
	let Some(messages) = req.get("messages").and_then(Value::as_array) else {
		return openai_error(
			StatusCode::BAD_REQUEST,
			"messages is required",
			"invalid_request_error",
		);
	};
	let model = req.get("model").and_then(Value::as_str).unwrap_or("mock").to_string();
	let n = match mock.begin().await {
		Ok(n) => n,
		Err((status, message)) => return openai_error(status, &message, "server_error"),
	};
	let a = answer(
		&turn(&req, messages),
		mock.opts.completion_tokens,
		mock.opts.cache_min_tokens,
		&mock.cache,
		n,
	);
	let u = a.usage;
	let prompt = u.input + u.cache_read + u.cache_write;
	let usage = json!({
		"prompt_tokens": prompt,
		"completion_tokens": u.output,
		"total_tokens": prompt + u.output,
		"prompt_tokens_details": {"cached_tokens": u.cache_read},
		"completion_tokens_details": {"reasoning_tokens": u.reasoning},
	});
	let id = format!("chatcmpl-mock-{n}");
	let created = 1_764_000_000u64.saturating_add(n);
	let fingerprint = format!("mock-{}", mock.opts.name);
	let finish = if a.tool.is_some() {
		"tool_calls"
	} else if a.truncated {
		"length"
	} else {
		"stop"
	};
	let calls: Vec<Value> = a
		.tool
		.iter()
		.map(|(id, name, args)| json!({"id": id, "type": "function", "function": {"name": name, "arguments": args.to_string()}}))
		.collect();
	let stream = req.get("stream").and_then(Value::as_bool).unwrap_or(false);
	if !stream {
		let mut message = json!({"role": "assistant", "content": a.text});
		if !calls.is_empty() {
			message["tool_calls"] = json!(calls);
		}
		return Json(json!({
			"id": id, "object": "chat.completion", "created": created, "model": model,
			"system_fingerprint": fingerprint,
			"choices": [{"index": 0, "message": message, "finish_reason": finish}],
			"usage": usage,
		}))
		.into_response();
	}
	mock.streamed();
	let include_usage = req
		.pointer("/stream_options/include_usage")
		.and_then(Value::as_bool)
		.unwrap_or(false);
	let chunk = |delta: Value, finish: Value, usage: Value| {
		json!({
			"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
			"system_fingerprint": fingerprint,
			"choices": if usage.is_null() { json!([{"index": 0, "delta": delta, "finish_reason": finish}]) } else { json!([]) },
			"usage": usage,
		})
	};
	let mut events =
		vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null, Value::Null)];
	if let Some(text) = &a.text {
		let mut first = true;
		for w in text.split(' ').filter(|w| !w.is_empty()) {
			let piece = if first { w.to_string() } else { format!(" {w}") };
			first = false;
			events.push(chunk(json!({"content": piece}), Value::Null, Value::Null));
		}
	}
	for (i, (id, name, args)) in a.tool.iter().enumerate() {
		events.push(chunk(json!({"tool_calls": [{"index": i, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}), Value::Null, Value::Null));
		events.push(chunk(
			json!({"tool_calls": [{"index": i, "function": {"arguments": args.to_string()}}]}),
			Value::Null,
			Value::Null,
		));
	}
	events.push(chunk(json!({}), json!(finish), Value::Null));
	if include_usage {
		events.push(chunk(Value::Null, Value::Null, usage));
	}
	let mut frames: Vec<(Option<String>, String)> =
		events.into_iter().map(|v| (None, v.to_string())).collect();
	frames.push((None, "[DONE]".into()));
	sse_stream(frames, mock.opts.chunk_latency_ms)
}
