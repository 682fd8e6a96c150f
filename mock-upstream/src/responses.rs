//! `POST /v1/responses` (OpenAI Responses, plain and streaming: `response.created`, the output
//! items with their deltas, each `response.output_item.done` complete, `response.completed`
//! with the usage). With `reasoning` asked for, a reasoning item comes first (its
//! `encrypted_content` opaque, as OpenAI's is).

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

fn items(req: &Value) -> Vec<Value> {
	match req.get("input") {
		Some(Value::String(s)) => vec![json!({"type": "message", "role": "user", "content": s})],
		Some(Value::Array(a)) => a.clone(),
		_ => vec![],
	}
}

fn item_tokens(item: &Value) -> u64 {
	let text = match item.get("type").and_then(Value::as_str).unwrap_or("message") {
		"message" => text_of(item.get("content")),
		"function_call" => item.get("arguments").and_then(Value::as_str).unwrap_or("").to_string(),
		"function_call_output" | "custom_tool_call_output" => match item.get("output") {
			Some(Value::String(s)) => s.clone(),
			other => text_of(other),
		},
		"custom_tool_call" => item.get("input").and_then(Value::as_str).unwrap_or("").to_string(),
		_ => String::new(),
	};
	tokens(&text).saturating_add(4)
}

pub async fn responses(mock: Shared, req: Value) -> Response {
	let input = items(&req);
	if input.is_empty() {
		return openai_error(StatusCode::BAD_REQUEST, "input is required", "invalid_request_error");
	}
	let n = match mock.begin().await {
		Ok(n) => n,
		Err((status, message)) => return openai_error(status, &message, "server_error"),
	};
	let model = req.get("model").and_then(Value::as_str).unwrap_or("mock").to_string();
	let instructions = req.get("instructions").and_then(Value::as_str).unwrap_or("");
	let key = req.get("prompt_cache_key").and_then(Value::as_str).unwrap_or("");
	let turn = Turn {
		messages: input.iter().map(|i| (item_tokens(i), i.to_string())).collect(),
		preamble: tokens(instructions) + req.get("tools").map_or(0, |t| tokens(&t.to_string())),
		preamble_key: format!("responses|{key}|{instructions}|{}", json!(req.get("tools"))),
		caching: Caching::Automatic,
		last_user: input
			.iter()
			.rev()
			.find(|i| i.get("role").and_then(Value::as_str) == Some("user"))
			.map(|i| text_of(i.get("content")))
			.unwrap_or_default(),
		tools: req
			.get("tools")
			.and_then(Value::as_array)
			.into_iter()
			.flatten()
			.filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
			.filter_map(|t| {
				Some((
					t.get("name")?.as_str()?.to_string(),
					t.get("parameters").cloned().unwrap_or(Value::Null),
				))
			})
			.collect(),
		limit: req.get("max_output_tokens").and_then(Value::as_u64).unwrap_or(u64::MAX),
		thinking: req.get("reasoning").is_some_and(|r| {
			!r.is_null() && r.get("effort").and_then(Value::as_str) != Some("none")
		}),
	};
	let a = answer(&turn, mock.opts.completion_tokens, mock.opts.cache_min_tokens, &mock.cache, n);
	let u = a.usage;
	let prompt = u.input + u.cache_read + u.cache_write;
	let usage = json!({
		"input_tokens": prompt,
		"input_tokens_details": {"cached_tokens": u.cache_read},
		"output_tokens": u.output,
		"output_tokens_details": {"reasoning_tokens": u.reasoning},
		"total_tokens": prompt + u.output,
	});
	let id = format!("resp_mock_{n}");
	let mut output = Vec::new();
	if let Some((t, s)) = &a.thinking {
		output.push(json!({"type": "reasoning", "id": format!("rs_mock_{n}"), "summary": [{"type": "summary_text", "text": t}], "encrypted_content": format!("enc-{s}")}));
	}
	if let Some(t) = &a.text {
		output.push(json!({"type": "message", "id": format!("msg_mock_{n}"), "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": t, "annotations": []}]}));
	}
	if let Some((call, name, args)) = &a.tool {
		output.push(json!({"type": "function_call", "id": format!("fc_mock_{n}"), "call_id": call, "name": name, "arguments": args.to_string(), "status": "completed"}));
	}
	let (status, incomplete) = if a.truncated {
		("incomplete", json!({"reason": "max_output_tokens"}))
	} else {
		("completed", Value::Null)
	};
	let response = |status: &str, output: Value, usage: Value| {
		json!({
			"id": id, "object": "response", "created_at": 1_764_000_000u64 + n, "status": status, "model": model,
			"output": output, "usage": usage, "error": null,
			"incomplete_details": if status == "incomplete" { incomplete.clone() } else { Value::Null },
			"parallel_tool_calls": true, "tool_choice": "auto", "tools": [], "store": false,
		})
	};
	if !req.get("stream").and_then(Value::as_bool).unwrap_or(false) {
		return Json(response(status, json!(output), usage)).into_response();
	}
	mock.streamed();
	let mut events = vec![
		json!({"type": "response.created", "response": response("in_progress", json!([]), Value::Null)}),
		json!({"type": "response.in_progress", "response": response("in_progress", json!([]), Value::Null)}),
	];
	for (oi, item) in output.iter().enumerate() {
		let item_id = item["id"].clone();
		match item["type"].as_str() {
			Some("message") => {
				events.push(json!({"type": "response.output_item.added", "output_index": oi, "item": {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []}}));
				events.push(json!({"type": "response.content_part.added", "item_id": item_id, "output_index": oi, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}}));
				let text = item["content"][0]["text"].as_str().unwrap_or("");
				let mut first = true;
				for w in text.split(' ').filter(|w| !w.is_empty()) {
					let piece = if first { w.to_string() } else { format!(" {w}") };
					first = false;
					events.push(json!({"type": "response.output_text.delta", "item_id": item_id, "output_index": oi, "content_index": 0, "delta": piece, "logprobs": []}));
				}
				events.push(json!({"type": "response.output_text.done", "item_id": item_id, "output_index": oi, "content_index": 0, "text": text, "logprobs": []}));
				events.push(json!({"type": "response.content_part.done", "item_id": item_id, "output_index": oi, "content_index": 0, "part": {"type": "output_text", "text": text, "annotations": []}}));
			},
			Some("function_call") => {
				events.push(json!({"type": "response.output_item.added", "output_index": oi, "item": {"type": "function_call", "id": item_id, "call_id": item["call_id"], "name": item["name"], "arguments": "", "status": "in_progress"}}));
				events.push(json!({"type": "response.function_call_arguments.delta", "item_id": item_id, "output_index": oi, "delta": item["arguments"]}));
				events.push(json!({"type": "response.function_call_arguments.done", "item_id": item_id, "output_index": oi, "name": item["name"], "arguments": item["arguments"]}));
			},
			_ => {
				events.push(json!({"type": "response.output_item.added", "output_index": oi, "item": {"type": "reasoning", "id": item_id, "summary": []}}));
				let text = item["summary"][0]["text"].clone();
				events.push(json!({"type": "response.reasoning_summary_part.added", "item_id": item_id, "output_index": oi, "summary_index": 0, "part": {"type": "summary_text", "text": ""}}));
				events.push(json!({"type": "response.reasoning_summary_text.delta", "item_id": item_id, "output_index": oi, "summary_index": 0, "delta": text}));
				events.push(json!({"type": "response.reasoning_summary_text.done", "item_id": item_id, "output_index": oi, "summary_index": 0, "text": text}));
			},
		}
		events.push(json!({"type": "response.output_item.done", "output_index": oi, "item": item}));
	}
	let last = if status == "completed" { "response.completed" } else { "response.incomplete" };
	events.push(json!({"type": last, "response": response(status, json!(output), usage)}));
	let frames = events
		.into_iter()
		.enumerate()
		.map(|(i, mut v)| {
			v["sequence_number"] = json!(i);
			(v["type"].as_str().map(String::from), v.to_string())
		})
		.collect();
	sse_stream(frames, mock.opts.chunk_latency_ms)
}
