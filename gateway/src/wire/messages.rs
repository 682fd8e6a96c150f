//! Anthropic Messages: `POST /v1/messages` (and `/v1/messages/count_tokens`), plain and
//! streaming (named events: `message_start`, `content_block_start/delta/stop`,
//! `message_delta` with the cumulative usage, `message_stop`; `ping` and `error`).

use super::{
	chat::push, count, malformed, untranslatable, Block, BlockStart, Delta, Event, Format, Image,
	Malformed, ReadError, Reply, Request, Role, Stop, Tool, ToolChoice, Units,
};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The `anthropic-version` the gateway speaks (and sends upstream when the seeker sent none).
pub const VERSION: &str = "2023-06-01";

/// Image types Anthropic takes inline.
const MEDIA_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// The usage of a message or of a `message_start` / `message_delta` event.
pub fn usage(v: &Value) -> Option<Units> {
	let u = v
		.get("usage")
		.or_else(|| v.pointer("/message/usage"))
		.filter(|u| u.is_object())?;
	Some(Units {
		input: count(u, "/input_tokens"),
		output: count(u, "/output_tokens"),
		cache_read: count(u, "/cache_read_input_tokens"),
		cache_write: count(u, "/cache_creation_input_tokens"),
	})
}

/// The usage object a seeker reads.
pub fn usage_json(u: &Units) -> Value {
	json!({
		"input_tokens": u.input,
		"output_tokens": u.output,
		"cache_creation_input_tokens": u.cache_write,
		"cache_read_input_tokens": u.cache_read,
	})
}

fn system_texts(v: &Value) -> Result<Vec<String>, ReadError> {
	match v {
		Value::Null => Ok(vec![]),
		Value::String(s) => Ok(vec![s.clone()]),
		Value::Array(blocks) => blocks
			.iter()
			.map(|b| {
				b.get("text")
					.and_then(Value::as_str)
					.map(String::from)
					.ok_or_else(|| Malformed("`system` blocks must be text".into()).into())
			})
			.collect(),
		_ => malformed("`system` must be a string or an array of text blocks"),
	}
}

fn image_of(source: &Value, to: Format) -> Result<Image, ReadError> {
	match source.get("type").and_then(Value::as_str) {
		Some("base64") => Ok(Image::Base64 {
			media_type: source.get("media_type").and_then(Value::as_str).unwrap_or("").into(),
			data: source.get("data").and_then(Value::as_str).unwrap_or("").into(),
		}),
		Some("url") =>
			Ok(Image::Url(source.get("url").and_then(Value::as_str).unwrap_or("").into())),
		Some(other) => untranslatable(format!("an image source of type {other:?}"), to),
		None => malformed("an image needs a `source` with a `type`"),
	}
}

fn blocks_of(content: &Value, to: Format) -> Result<Vec<Block>, ReadError> {
	let items = match content {
		Value::String(s) => return Ok(vec![Block::Text(s.clone())]),
		Value::Array(items) => items,
		_ => return malformed("`content` must be a string or an array of blocks"),
	};
	let mut out = Vec::new();
	for b in items {
		let kind = b.get("type").and_then(Value::as_str).unwrap_or_default();
		out.push(match kind {
			"text" => Block::Text(b.get("text").and_then(Value::as_str).unwrap_or("").into()),
			"image" => Block::Image(image_of(b.get("source").unwrap_or(&Value::Null), to)?),
			"tool_use" => Block::ToolCall {
				id: b.get("id").and_then(Value::as_str).unwrap_or("").into(),
				name: b.get("name").and_then(Value::as_str).unwrap_or("").into(),
				input: b.get("input").cloned().unwrap_or_else(|| json!({})),
			},
			"tool_result" => Block::ToolResult {
				id: b.get("tool_use_id").and_then(Value::as_str).unwrap_or("").into(),
				content: match b.get("content") {
					None | Some(Value::Null) => vec![],
					Some(c) => blocks_of(c, to)?,
				},
				is_error: b.get("is_error").and_then(Value::as_bool).unwrap_or(false),
			},
			"thinking" => Block::Thinking {
				text: b.get("thinking").and_then(Value::as_str).unwrap_or("").into(),
				signature: b.get("signature").and_then(Value::as_str).map(Into::into),
			},
			// Opaque, and valid only with Anthropic: nothing to carry elsewhere.
			"redacted_thinking" => continue,
			"" => return malformed("every content block needs a `type`"),
			other => return untranslatable(format!("a `{other}` block"), to),
		});
	}
	Ok(out)
}

/// Reads a seeker's request, to be written in format `to`.
pub fn read_request(body: &Value, to: Format) -> Result<Request, ReadError> {
	let obj = body
		.as_object()
		.ok_or_else(|| Malformed("the body must be a JSON object".into()))?;
	if obj
		.get("output_config")
		.and_then(|o| o.get("format"))
		.is_some_and(|f| !f.is_null())
	{
		return untranslatable("`output_config.format`", to);
	}
	let mut req = Request {
		model: obj.get("model").and_then(Value::as_str).unwrap_or_default().into(),
		system: system_texts(obj.get("system").unwrap_or(&Value::Null))?,
		max_output: obj.get("max_tokens").and_then(Value::as_u64),
		temperature: obj.get("temperature").and_then(Value::as_f64),
		top_p: obj.get("top_p").and_then(Value::as_f64),
		stream: obj.get("stream").and_then(Value::as_bool).unwrap_or(false),
		stop: obj
			.get("stop_sequences")
			.and_then(Value::as_array)
			.map(|a| a.iter().filter_map(Value::as_str).map(Into::into).collect())
			.unwrap_or_default(),
		user: body.pointer("/metadata/user_id").and_then(Value::as_str).map(Into::into),
		..Default::default()
	};
	let messages = obj
		.get("messages")
		.and_then(Value::as_array)
		.ok_or_else(|| Malformed("`messages` must be an array".into()))?;
	for m in messages {
		let content = m.get("content").unwrap_or(&Value::Null);
		match m.get("role").and_then(Value::as_str) {
			Some("user") => push(&mut req.messages, Role::User, blocks_of(content, to)?),
			Some("assistant") => push(&mut req.messages, Role::Assistant, blocks_of(content, to)?),
			Some("system") => req.system.extend(system_texts(content)?),
			_ => return malformed("every message needs a role: user, assistant or system"),
		}
	}
	for t in obj.get("tools").and_then(Value::as_array).into_iter().flatten() {
		let (Some(name), Some(schema)) =
			(t.get("name").and_then(Value::as_str), t.get("input_schema"))
		else {
			let kind = t.get("type").and_then(Value::as_str).unwrap_or("?");
			return untranslatable(format!("the server tool `{kind}`"), to);
		};
		req.tools.push(Tool {
			name: name.into(),
			description: t.get("description").and_then(Value::as_str).map(Into::into),
			schema: schema.clone(),
		});
	}
	if let Some(c) = obj.get("tool_choice").filter(|c| !c.is_null()) {
		req.tool_choice = Some(match c.get("type").and_then(Value::as_str) {
			Some("auto") => ToolChoice::Auto,
			Some("any") => ToolChoice::Any,
			Some("none") => ToolChoice::None,
			Some("tool") =>
				ToolChoice::Tool(c.get("name").and_then(Value::as_str).unwrap_or("").into()),
			_ => return malformed("unknown `tool_choice`"),
		});
		if let Some(d) = c.get("disable_parallel_tool_use").and_then(Value::as_bool) {
			req.parallel_tool_calls = Some(!d);
		}
	}
	Ok(req)
}

fn write_blocks(blocks: &[Block], to: Format) -> Result<Vec<Value>, ReadError> {
	let mut out = Vec::new();
	for b in blocks {
		out.push(match b {
			Block::Text(t) if t.is_empty() => continue,
			Block::Text(t) => json!({"type": "text", "text": t}),
			Block::Image(Image::Base64 { media_type, data }) => {
				if !MEDIA_TYPES.contains(&media_type.as_str()) {
					return untranslatable(format!("an image of type {media_type:?}"), to);
				}
				json!({"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}})
			},
			Block::Image(Image::Url(u)) =>
				json!({"type": "image", "source": {"type": "url", "url": u}}),
			Block::ToolCall { id, name, input } =>
				json!({"type": "tool_use", "id": id, "name": name, "input": input}),
			Block::ToolResult { id, content, is_error } => {
				let mut r = json!({"type": "tool_result", "tool_use_id": id, "content": write_blocks(content, to)?});
				if *is_error {
					r["is_error"] = json!(true);
				}
				r
			},
			// Only signed thinking can go back to Anthropic; unsigned text came from elsewhere.
			Block::Thinking { text, signature: Some(s) } =>
				json!({"type": "thinking", "thinking": text, "signature": s}),
			Block::Thinking { signature: None, .. } => continue,
		});
	}
	Ok(out)
}

/// Writes a request for an Anthropic Messages upstream; `default_max` when the seeker set no
/// limit (Anthropic requires one).
pub fn write_request(req: &Request, default_max: u64) -> Result<Value, ReadError> {
	let to = Format::Messages;
	if req.temperature.is_some_and(|t| t > 1.0) {
		return untranslatable("a temperature above 1", to);
	}
	let mut messages = Vec::new();
	for m in &req.messages {
		let mut content = write_blocks(&m.content, to)?;
		// Anthropic wants a user turn's tool results before anything else in it.
		content.sort_by_key(|b| b.get("type") != Some(&json!("tool_result")));
		if content.is_empty() {
			continue;
		}
		let role = if m.role == Role::User { "user" } else { "assistant" };
		messages.push(json!({"role": role, "content": content}));
	}
	let mut out = Map::new();
	out.insert("model".into(), json!(req.model));
	out.insert("max_tokens".into(), json!(req.max_output.unwrap_or(default_max)));
	out.insert("messages".into(), json!(messages));
	if !req.system.is_empty() {
		out.insert("system".into(), json!(req.system.join("\n\n")));
	}
	if !req.tools.is_empty() {
		let tools: Vec<Value> = req
			.tools
			.iter()
			.map(|t| {
				let mut v = json!({"name": t.name, "input_schema": t.schema});
				if let Some(d) = &t.description {
					v["description"] = json!(d);
				}
				v
			})
			.collect();
		out.insert("tools".into(), json!(tools));
	}
	let parallel = req.parallel_tool_calls.filter(|_| !req.tools.is_empty());
	if req.tool_choice.is_some() || parallel.is_some() {
		let mut c = match req.tool_choice.as_ref().unwrap_or(&ToolChoice::Auto) {
			ToolChoice::Auto => json!({"type": "auto"}),
			ToolChoice::Any => json!({"type": "any"}),
			ToolChoice::None => json!({"type": "none"}),
			ToolChoice::Tool(n) => json!({"type": "tool", "name": n}),
		};
		if let Some(p) = parallel {
			c["disable_parallel_tool_use"] = json!(!p);
		}
		out.insert("tool_choice".into(), c);
	}
	if let Some(t) = req.temperature {
		out.insert("temperature".into(), json!(t));
	}
	if let Some(t) = req.top_p {
		out.insert("top_p".into(), json!(t));
	}
	if !req.stop.is_empty() {
		out.insert("stop_sequences".into(), json!(req.stop));
	}
	if let Some(u) = &req.user {
		out.insert("metadata".into(), json!({"user_id": u}));
	}
	if req.stream {
		out.insert("stream".into(), json!(true));
	}
	Ok(Value::Object(out))
}

fn stop_of(reason: Option<&str>, sequence: Option<&str>) -> Stop {
	match reason {
		Some("max_tokens") | Some("model_context_window_exceeded") => Stop::MaxTokens,
		Some("stop_sequence") => Stop::StopSequence(sequence.map(Into::into)),
		Some("tool_use") => Stop::ToolUse,
		Some("refusal") => Stop::Refusal,
		_ => Stop::EndTurn,
	}
}

fn stop_json(stop: &Stop) -> (Value, Value) {
	match stop {
		Stop::EndTurn => (json!("end_turn"), Value::Null),
		Stop::MaxTokens => (json!("max_tokens"), Value::Null),
		Stop::StopSequence(s) => (json!("stop_sequence"), json!(s)),
		Stop::ToolUse => (json!("tool_use"), Value::Null),
		Stop::Refusal => (json!("refusal"), Value::Null),
	}
}

/// Reads an upstream's (non-streaming) message.
pub fn read_reply(v: &Value) -> Result<Reply, Malformed> {
	let content = v
		.get("content")
		.and_then(Value::as_array)
		.ok_or_else(|| Malformed("the message has no `content`".into()))?;
	let mut blocks = Vec::new();
	for b in content {
		match b.get("type").and_then(Value::as_str) {
			Some("text") =>
				blocks.push(Block::Text(b.get("text").and_then(Value::as_str).unwrap_or("").into())),
			Some("tool_use") => blocks.push(Block::ToolCall {
				id: b.get("id").and_then(Value::as_str).unwrap_or("").into(),
				name: b.get("name").and_then(Value::as_str).unwrap_or("").into(),
				input: b.get("input").cloned().unwrap_or_else(|| json!({})),
			}),
			Some("thinking") => blocks.push(Block::Thinking {
				text: b.get("thinking").and_then(Value::as_str).unwrap_or("").into(),
				signature: b.get("signature").and_then(Value::as_str).map(Into::into),
			}),
			_ => {},
		}
	}
	Ok(Reply {
		id: v.get("id").and_then(Value::as_str).unwrap_or_default().into(),
		model: v.get("model").and_then(Value::as_str).unwrap_or_default().into(),
		content: blocks,
		stop: stop_of(
			v.get("stop_reason").and_then(Value::as_str),
			v.get("stop_sequence").and_then(Value::as_str),
		),
		usage: usage(v).unwrap_or_default(),
	})
}

fn block_json(b: &Block) -> Option<Value> {
	Some(match b {
		Block::Text(t) => json!({"type": "text", "text": t}),
		Block::ToolCall { id, name, input } =>
			json!({"type": "tool_use", "id": id, "name": name, "input": input}),
		Block::Thinking { text, signature } =>
			json!({"type": "thinking", "thinking": text, "signature": signature.clone().unwrap_or_default()}),
		Block::Image(_) | Block::ToolResult { .. } => return None,
	})
}

/// Writes a reply for an Anthropic Messages seeker.
pub fn write_reply(reply: &Reply, id: &str, model: &str) -> Value {
	let (reason, sequence) = stop_json(&reply.stop);
	json!({
		"id": id,
		"type": "message",
		"role": "assistant",
		"model": model,
		"content": reply.content.iter().filter_map(block_json).collect::<Vec<_>>(),
		"stop_reason": reason,
		"stop_sequence": sequence,
		"usage": usage_json(&reply.usage),
	})
}

/// Reads an upstream's stream of events.
#[derive(Default)]
pub struct Decoder {
	/// Upstream block index → event block index (blocks carried over).
	blocks: HashMap<u64, usize>,
	next: usize,
	usage: Units,
	stop: Option<Stop>,
	pub done: bool,
}

impl Decoder {
	/// The events of one frame (its data; its `type` names it).
	pub fn push(&mut self, data: &str) -> Vec<Event> {
		let mut out = Vec::new();
		let Ok(v) = serde_json::from_str::<Value>(data) else { return out };
		let index = |v: &Value| v.get("index").and_then(Value::as_u64).unwrap_or(0);
		match v.get("type").and_then(Value::as_str) {
			Some("message_start") => {
				out.push(Event::Start {
					id: v.pointer("/message/id").and_then(Value::as_str).unwrap_or("").into(),
					model: v.pointer("/message/model").and_then(Value::as_str).unwrap_or("").into(),
				});
				if let Some(u) = usage(&v) {
					self.usage = u;
					out.push(Event::Usage(u));
				}
			},
			Some("content_block_start") => {
				let b = v.get("content_block").unwrap_or(&Value::Null);
				let block = match b.get("type").and_then(Value::as_str) {
					Some("text") => BlockStart::Text,
					Some("thinking") => BlockStart::Thinking,
					Some("tool_use") => BlockStart::ToolCall {
						id: b.get("id").and_then(Value::as_str).unwrap_or("").into(),
						name: b.get("name").and_then(Value::as_str).unwrap_or("").into(),
					},
					_ => return out,
				};
				let i = self.next;
				self.next += 1;
				self.blocks.insert(index(&v), i);
				out.push(Event::BlockStart { index: i, block });
				if let Some(t) = b.get("text").and_then(Value::as_str).filter(|t| !t.is_empty()) {
					out.push(Event::Delta { index: i, delta: Delta::Text(t.into()) });
				}
			},
			Some("content_block_delta") => {
				let Some(&i) = self.blocks.get(&index(&v)) else { return out };
				let d = v.get("delta").unwrap_or(&Value::Null);
				let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
				let delta = match d.get("type").and_then(Value::as_str) {
					Some("text_delta") => Delta::Text(s("text")),
					Some("input_json_delta") => Delta::Arguments(s("partial_json")),
					Some("thinking_delta") => Delta::Thinking(s("thinking")),
					Some("signature_delta") => Delta::Signature(s("signature")),
					_ => return out,
				};
				out.push(Event::Delta { index: i, delta });
			},
			Some("content_block_stop") =>
				if let Some(i) = self.blocks.get(&index(&v)) {
					out.push(Event::BlockStop { index: *i });
				},
			Some("message_delta") => {
				self.stop = Some(stop_of(
					v.pointer("/delta/stop_reason").and_then(Value::as_str),
					v.pointer("/delta/stop_sequence").and_then(Value::as_str),
				));
				// Cumulative: the fields it has replace those of `message_start`.
				if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
					let take =
						|field: &str, old: u64| u.get(field).and_then(Value::as_u64).unwrap_or(old);
					self.usage = Units {
						input: take("input_tokens", self.usage.input),
						output: take("output_tokens", self.usage.output),
						cache_read: take("cache_read_input_tokens", self.usage.cache_read),
						cache_write: take("cache_creation_input_tokens", self.usage.cache_write),
					};
					out.push(Event::Usage(self.usage));
				}
			},
			Some("message_stop") => {
				self.done = true;
				out.push(Event::Finish(self.stop.take().unwrap_or_default()));
			},
			Some("error") => out.push(Event::Failed(
				v.pointer("/error/message")
					.and_then(Value::as_str)
					.unwrap_or("upstream error")
					.into(),
			)),
			_ => {},
		}
		out
	}
}

/// Writes events as an Anthropic Messages stream for a seeker.
pub struct Encoder {
	id: String,
	model: String,
	usage: Units,
}

fn named(data: Value) -> Bytes {
	let name = data.get("type").and_then(Value::as_str).unwrap_or("").to_string();
	super::sse::frame(Some(&name), &data)
}

impl Encoder {
	pub fn new(id: String, model: String) -> Self {
		Self { id, model, usage: Units::default() }
	}

	/// The frames of one event (none for a `Finish`: see [`Encoder::finish`]).
	pub fn push(&mut self, event: &Event) -> Vec<Bytes> {
		match event {
			Event::Start { .. } => vec![named(json!({
				"type": "message_start",
				"message": {
					"id": self.id, "type": "message", "role": "assistant", "model": self.model,
					"content": [], "stop_reason": null, "stop_sequence": null,
					"usage": usage_json(&self.usage),
				},
			}))],
			Event::BlockStart { index, block } => {
				let b = match block {
					BlockStart::Text => json!({"type": "text", "text": ""}),
					BlockStart::Thinking =>
						json!({"type": "thinking", "thinking": "", "signature": ""}),
					BlockStart::ToolCall { id, name } =>
						json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
				};
				vec![named(
					json!({"type": "content_block_start", "index": index, "content_block": b}),
				)]
			},
			Event::Delta { index, delta } => {
				let d = match delta {
					Delta::Text(t) => json!({"type": "text_delta", "text": t}),
					Delta::Arguments(a) => json!({"type": "input_json_delta", "partial_json": a}),
					Delta::Thinking(t) => json!({"type": "thinking_delta", "thinking": t}),
					Delta::Signature(s) => json!({"type": "signature_delta", "signature": s}),
				};
				vec![named(json!({"type": "content_block_delta", "index": index, "delta": d}))]
			},
			Event::BlockStop { index } =>
				vec![named(json!({"type": "content_block_stop", "index": index}))],
			Event::Usage(u) => {
				self.usage = *u;
				vec![]
			},
			Event::Finish(_) | Event::Failed(_) => vec![],
		}
	}

	/// The stream's end: `message_delta` (stop reason, whole usage) and `message_stop`.
	pub fn finish(&self, stop: &Stop) -> Bytes {
		let (reason, sequence) = stop_json(stop);
		let mut out = named(json!({
			"type": "message_delta",
			"delta": {"stop_reason": reason, "stop_sequence": sequence},
			"usage": usage_json(&self.usage),
		}))
		.to_vec();
		out.extend_from_slice(&named(json!({"type": "message_stop"})));
		Bytes::from(out)
	}
}

/// Anthropic's error type for an HTTP status.
pub fn error_type(status: u16) -> &'static str {
	match status {
		400 | 405 | 408 | 409 | 415 | 422 => "invalid_request_error",
		401 => "authentication_error",
		402 => "billing_error",
		403 => "permission_error",
		404 => "not_found_error",
		413 => "request_too_large",
		429 => "rate_limit_error",
		503 | 529 => "overloaded_error",
		504 => "timeout_error",
		_ => "api_error",
	}
}
