//! OpenAI Chat Completions: `POST /v1/chat/completions`, plain and streaming (`data:` chunks,
//! usage in a last chunk with empty `choices` when `stream_options.include_usage` is set, then
//! `data: [DONE]`).

use super::{
	arguments_object, count, malformed, openai_units, untranslatable, Block, Event, Format, Image,
	Malformed, Message, ReadError, Reply, Request, Role, Stop, Tool, ToolChoice, Units,
};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Fields a translation cannot carry to another format (refused when set).
const UNTRANSLATABLE: [&str; 9] = [
	"logprobs",
	"top_logprobs",
	"logit_bias",
	"audio",
	"prediction",
	"web_search_options",
	"functions",
	"function_call",
	"response_format",
];

/// The usage of a body or chunk (`usage`), when it has one.
pub fn usage(v: &Value) -> Option<Units> {
	let u = v.get("usage").filter(|u| u.is_object())?;
	Some(openai_units(
		count(u, "/prompt_tokens"),
		count(u, "/prompt_tokens_details/cached_tokens"),
		count(u, "/prompt_tokens_details/cache_write_tokens"),
		count(u, "/completion_tokens"),
	))
}

/// The usage object a seeker reads.
pub fn usage_json(u: &Units) -> Value {
	let prompt = u.input.saturating_add(u.cache_read).saturating_add(u.cache_write);
	json!({
		"prompt_tokens": prompt,
		"completion_tokens": u.output,
		"total_tokens": prompt.saturating_add(u.output),
		"prompt_tokens_details": {"cached_tokens": u.cache_read, "cache_write_tokens": u.cache_write},
	})
}

fn text_of(content: &Value, what: &str) -> Result<String, ReadError> {
	match content {
		Value::String(s) => Ok(s.clone()),
		Value::Null => Ok(String::new()),
		Value::Array(parts) => {
			let mut out = Vec::new();
			for p in parts {
				match (p.get("type").and_then(Value::as_str), p.get("text").and_then(Value::as_str))
				{
					(Some("text"), Some(t)) => out.push(t.to_string()),
					_ => return malformed(format!("{what} content must be text")),
				}
			}
			Ok(out.join("\n"))
		},
		_ => malformed(format!("{what} content must be a string or an array of parts")),
	}
}

fn user_parts(content: &Value, to: Format) -> Result<Vec<Block>, ReadError> {
	match content {
		Value::String(s) => Ok(vec![Block::Text(s.clone())]),
		Value::Array(parts) => parts
			.iter()
			.map(|p| match p.get("type").and_then(Value::as_str) {
				Some("text") => p
					.get("text")
					.and_then(Value::as_str)
					.map(|t| Block::Text(t.into()))
					.map_or_else(|| malformed("a text part needs `text`"), Ok),
				Some("image_url") => p
					.pointer("/image_url/url")
					.and_then(Value::as_str)
					.map(|u| Block::Image(Image::from_url(u)))
					.map_or_else(|| malformed("an image_url part needs `image_url.url`"), Ok),
				Some(other) => untranslatable(format!("a `{other}` content part"), to),
				None => malformed("every content part needs a `type`"),
			})
			.collect(),
		_ => malformed("`content` must be a string or an array of parts"),
	}
}

/// Reads a seeker's request, to be written in format `to`.
pub fn read_request(body: &Value, to: Format) -> Result<Request, ReadError> {
	let obj = body
		.as_object()
		.ok_or_else(|| Malformed("the body must be a JSON object".into()))?;
	for field in UNTRANSLATABLE {
		match obj.get(field) {
			None | Some(Value::Null) | Some(Value::Bool(false)) => {},
			Some(v) if field == "response_format" && v.get("type") == Some(&json!("text")) => {},
			Some(_) => return untranslatable(format!("`{field}`"), to),
		}
	}
	if obj
		.get("modalities")
		.and_then(Value::as_array)
		.is_some_and(|m| m.iter().any(|x| x != "text"))
	{
		return untranslatable("a modality other than text", to);
	}
	let mut req = Request {
		model: obj.get("model").and_then(Value::as_str).unwrap_or_default().into(),
		stream: obj.get("stream").and_then(Value::as_bool).unwrap_or(false),
		max_output: obj
			.get("max_completion_tokens")
			.or_else(|| obj.get("max_tokens"))
			.and_then(Value::as_u64),
		temperature: obj.get("temperature").and_then(Value::as_f64),
		top_p: obj.get("top_p").and_then(Value::as_f64),
		parallel_tool_calls: obj.get("parallel_tool_calls").and_then(Value::as_bool),
		user: obj
			.get("safety_identifier")
			.or_else(|| obj.get("user"))
			.and_then(Value::as_str)
			.map(Into::into),
		..Default::default()
	};
	req.stop = match obj.get("stop") {
		None | Some(Value::Null) => vec![],
		Some(Value::String(s)) => vec![s.clone()],
		Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(Into::into).collect(),
		Some(_) => return malformed("`stop` must be a string or an array of strings"),
	};
	let messages = obj
		.get("messages")
		.and_then(Value::as_array)
		.ok_or_else(|| Malformed("`messages` must be an array".into()))?;
	for m in messages {
		let role = m.get("role").and_then(Value::as_str).unwrap_or_default();
		let content = m.get("content").unwrap_or(&Value::Null);
		match role {
			"system" | "developer" => req.system.push(text_of(content, "a system message's")?),
			"user" => push(&mut req.messages, Role::User, user_parts(content, to)?),
			"assistant" => {
				let mut blocks = Vec::new();
				let text = text_of(content, "an assistant message's")?;
				if !text.is_empty() {
					blocks.push(Block::Text(text));
				}
				for call in m.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
					if call.get("type").and_then(Value::as_str).unwrap_or("function") != "function"
					{
						return untranslatable("a tool call other than a function", to);
					}
					let (Some(id), Some(name)) = (
						call.get("id").and_then(Value::as_str),
						call.pointer("/function/name").and_then(Value::as_str),
					) else {
						return malformed("a tool call needs `id` and `function.name`");
					};
					let args =
						call.pointer("/function/arguments").and_then(Value::as_str).unwrap_or("");
					blocks.push(Block::ToolCall {
						id: id.into(),
						name: name.into(),
						input: arguments_object(args)?,
					});
				}
				push(&mut req.messages, Role::Assistant, blocks);
			},
			"tool" => {
				let id = m
					.get("tool_call_id")
					.and_then(Value::as_str)
					.ok_or_else(|| Malformed("a tool message needs `tool_call_id`".into()))?;
				let text = text_of(content, "a tool message's")?;
				push(
					&mut req.messages,
					Role::User,
					vec![Block::ToolResult {
						id: id.into(),
						content: vec![Block::Text(text)],
						is_error: false,
					}],
				);
			},
			other => return malformed(format!("unknown message role {other:?}")),
		}
	}
	for t in obj.get("tools").and_then(Value::as_array).into_iter().flatten() {
		match t.get("type").and_then(Value::as_str) {
			Some("function") => {
				let f = t.get("function").unwrap_or(&Value::Null);
				let name = f
					.get("name")
					.and_then(Value::as_str)
					.ok_or_else(|| Malformed("a function tool needs `function.name`".into()))?;
				req.tools.push(Tool {
					name: name.into(),
					description: f.get("description").and_then(Value::as_str).map(Into::into),
					schema: f
						.get("parameters")
						.cloned()
						.unwrap_or_else(|| json!({"type": "object", "properties": {}})),
				});
			},
			other => return untranslatable(format!("a tool of type {other:?}"), to),
		}
	}
	req.tool_choice = match obj.get("tool_choice") {
		None | Some(Value::Null) => None,
		Some(Value::String(s)) => Some(ToolChoice::from_openai(s)?),
		Some(v) => match v.pointer("/function/name").and_then(Value::as_str) {
			Some(n) => Some(ToolChoice::Tool(n.into())),
			None => return untranslatable("this `tool_choice`", to),
		},
	};
	Ok(req)
}

/// Appends blocks to the conversation, joining a message of the same role.
pub(crate) fn push(messages: &mut Vec<Message>, role: Role, blocks: Vec<Block>) {
	match messages.last_mut() {
		Some(last) if last.role == role => last.content.extend(blocks),
		_ => messages.push(Message { role, content: blocks }),
	}
}

/// Writes a request for a Chat Completions upstream.
pub fn write_request(req: &Request) -> Result<Value, ReadError> {
	let to = Format::Chat;
	let mut messages = Vec::new();
	if !req.system.is_empty() {
		messages.push(json!({"role": "system", "content": req.system.join("\n\n")}));
	}
	for m in &req.messages {
		match m.role {
			Role::User => {
				let mut parts = Vec::new();
				for b in &m.content {
					match b {
						Block::Text(t) => parts.push(json!({"type": "text", "text": t})),
						Block::Image(i) => parts
							.push(json!({"type": "image_url", "image_url": {"url": i.to_url()}})),
						Block::ToolResult { id, content, .. } => {
							let mut text = Vec::new();
							for c in content {
								match c {
									Block::Text(t) => text.push(t.as_str()),
									_ => return untranslatable("an image in a tool result", to),
								}
							}
							messages.push(
								json!({"role": "tool", "tool_call_id": id, "content": text.join("\n")}),
							);
						},
						Block::ToolCall { .. } | Block::Thinking { .. } => {},
					}
				}
				if !parts.is_empty() {
					messages.push(json!({"role": "user", "content": parts}));
				}
			},
			Role::Assistant => {
				let text: Vec<&str> = m
					.content
					.iter()
					.filter_map(|b| if let Block::Text(t) = b { Some(t.as_str()) } else { None })
					.collect();
				let calls: Vec<Value> = m
					.content
					.iter()
					.filter_map(|b| match b {
						Block::ToolCall { id, name, input } => Some(json!({
							"id": id, "type": "function",
							"function": {"name": name, "arguments": input.to_string()},
						})),
						_ => None,
					})
					.collect();
				let mut msg = json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { json!(text.join("")) }});
				if !calls.is_empty() {
					msg["tool_calls"] = json!(calls);
				}
				messages.push(msg);
			},
		}
	}
	let mut out = Map::new();
	out.insert("model".into(), json!(req.model));
	out.insert("messages".into(), json!(messages));
	if let Some(n) = req.max_output {
		out.insert("max_completion_tokens".into(), json!(n));
	}
	if !req.tools.is_empty() {
		let tools: Vec<Value> = req
			.tools
			.iter()
			.map(|t| {
				let mut f = json!({"name": t.name, "parameters": t.schema});
				if let Some(d) = &t.description {
					f["description"] = json!(d);
				}
				json!({"type": "function", "function": f})
			})
			.collect();
		out.insert("tools".into(), json!(tools));
	}
	if let Some(c) = &req.tool_choice {
		out.insert(
			"tool_choice".into(),
			c.to_openai(|n| json!({"type": "function", "function": {"name": n}})),
		);
	}
	if let Some(p) = req.parallel_tool_calls.filter(|_| !req.tools.is_empty()) {
		out.insert("parallel_tool_calls".into(), json!(p));
	}
	if let Some(t) = req.temperature {
		out.insert("temperature".into(), json!(t));
	}
	if let Some(t) = req.top_p {
		out.insert("top_p".into(), json!(t));
	}
	if !req.stop.is_empty() {
		out.insert("stop".into(), json!(req.stop));
	}
	if let Some(u) = &req.user {
		out.insert("safety_identifier".into(), json!(u));
	}
	if req.stream {
		out.insert("stream".into(), json!(true));
		out.insert("stream_options".into(), json!({"include_usage": true}));
	}
	Ok(Value::Object(out))
}

fn stop_of(finish: Option<&str>) -> Stop {
	match finish {
		Some("length") => Stop::MaxTokens,
		Some("tool_calls") | Some("function_call") => Stop::ToolUse,
		Some("content_filter") => Stop::Refusal,
		_ => Stop::EndTurn,
	}
}

fn finish_of(stop: &Stop) -> &'static str {
	match stop {
		Stop::EndTurn | Stop::StopSequence(_) => "stop",
		Stop::MaxTokens => "length",
		Stop::ToolUse => "tool_calls",
		Stop::Refusal => "content_filter",
	}
}

/// Reads an upstream's (non-streaming) answer.
pub fn read_reply(v: &Value) -> Result<Reply, Malformed> {
	let choice = v
		.pointer("/choices/0")
		.ok_or_else(|| Malformed("the completion has no choice".into()))?;
	let msg = choice.get("message").unwrap_or(&Value::Null);
	let mut content = Vec::new();
	if let Some(t) = msg.get("content").and_then(Value::as_str).filter(|t| !t.is_empty()) {
		content.push(Block::Text(t.into()));
	}
	if let Some(t) = msg.get("refusal").and_then(Value::as_str) {
		content.push(Block::Text(t.into()));
	}
	for call in msg.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
		content.push(Block::ToolCall {
			id: call.get("id").and_then(Value::as_str).unwrap_or_default().into(),
			name: call
				.pointer("/function/name")
				.and_then(Value::as_str)
				.unwrap_or_default()
				.into(),
			input: arguments_object(
				call.pointer("/function/arguments").and_then(Value::as_str).unwrap_or(""),
			)?,
		});
	}
	Ok(Reply {
		id: v.get("id").and_then(Value::as_str).unwrap_or_default().into(),
		model: v.get("model").and_then(Value::as_str).unwrap_or_default().into(),
		content,
		stop: stop_of(choice.get("finish_reason").and_then(Value::as_str)),
		usage: usage(v).unwrap_or_default(),
	})
}

/// Writes a reply for a Chat Completions seeker.
pub fn write_reply(reply: &Reply, id: &str, model: &str, created: u64) -> Value {
	let text: String = reply
		.content
		.iter()
		.filter_map(|b| if let Block::Text(t) = b { Some(t.as_str()) } else { None })
		.collect();
	let calls: Vec<Value> = reply
		.content
		.iter()
		.filter_map(|b| match b {
			Block::ToolCall { id, name, input } => Some(json!({
				"id": id, "type": "function", "function": {"name": name, "arguments": input.to_string()},
			})),
			_ => None,
		})
		.collect();
	let mut message = json!({"role": "assistant", "content": if text.is_empty() && !calls.is_empty() { Value::Null } else { json!(text) }});
	if !calls.is_empty() {
		message["tool_calls"] = json!(calls);
	}
	json!({
		"id": id,
		"object": "chat.completion",
		"created": created,
		"model": model,
		"choices": [{"index": 0, "message": message, "finish_reason": finish_of(&reply.stop)}],
		"usage": usage_json(&reply.usage),
	})
}

/// Reads an upstream's stream of chunks into events.
#[derive(Default)]
pub struct Decoder {
	started: bool,
	/// The open block: (index, is text).
	open: Option<(usize, bool)>,
	next: usize,
	/// Chunk tool-call index → block index.
	calls: HashMap<u64, usize>,
	finish: Option<Stop>,
	pub done: bool,
}

impl Decoder {
	fn close(&mut self, out: &mut Vec<Event>) {
		if let Some((index, _)) = self.open.take() {
			out.push(Event::BlockStop { index });
		}
	}

	/// The events of one `data:` payload.
	pub fn push(&mut self, data: &str) -> Vec<Event> {
		let mut out = Vec::new();
		if data.trim() == "[DONE]" {
			self.close(&mut out);
			out.push(Event::Finish(self.finish.take().unwrap_or_default()));
			self.done = true;
			return out;
		}
		let Ok(v) = serde_json::from_str::<Value>(data) else { return out };
		if let Some(e) = v.get("error") {
			out.push(Event::Failed(
				e.get("message").and_then(Value::as_str).unwrap_or("upstream error").into(),
			));
			return out;
		}
		if !self.started {
			self.started = true;
			out.push(Event::Start {
				id: v.get("id").and_then(Value::as_str).unwrap_or_default().into(),
				model: v.get("model").and_then(Value::as_str).unwrap_or_default().into(),
			});
		}
		if let Some(choice) = v.pointer("/choices/0") {
			let delta = choice.get("delta").unwrap_or(&Value::Null);
			if let Some(t) = delta.get("content").and_then(Value::as_str).filter(|t| !t.is_empty())
			{
				if !matches!(self.open, Some((_, true))) {
					self.close(&mut out);
					self.open = Some((self.next, true));
					out.push(Event::BlockStart {
						index: self.next,
						block: super::BlockStart::Text,
					});
					self.next += 1;
				}
				if let Some((index, _)) = self.open {
					out.push(Event::Delta { index, delta: super::Delta::Text(t.into()) });
				}
			}
			for call in delta.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
				let k = call.get("index").and_then(Value::as_u64).unwrap_or(0);
				let index = match self.calls.get(&k) {
					Some(i) => *i,
					None => {
						self.close(&mut out);
						let index = self.next;
						self.next += 1;
						self.calls.insert(k, index);
						self.open = Some((index, false));
						out.push(Event::BlockStart {
							index,
							block: super::BlockStart::ToolCall {
								id: call
									.get("id")
									.and_then(Value::as_str)
									.unwrap_or_default()
									.into(),
								name: call
									.pointer("/function/name")
									.and_then(Value::as_str)
									.unwrap_or_default()
									.into(),
							},
						});
						index
					},
				};
				if let Some(a) = call
					.pointer("/function/arguments")
					.and_then(Value::as_str)
					.filter(|a| !a.is_empty())
				{
					out.push(Event::Delta { index, delta: super::Delta::Arguments(a.into()) });
				}
			}
			if let Some(f) = choice.get("finish_reason").and_then(Value::as_str) {
				self.finish = Some(stop_of(Some(f)));
			}
		}
		if let Some(u) = usage(&v) {
			out.push(Event::Usage(u));
		}
		out
	}
}

/// Writes events as a Chat Completions stream for a seeker.
pub struct Encoder {
	id: String,
	model: String,
	created: u64,
	include_usage: bool,
	/// Block index → tool-call index.
	calls: HashMap<usize, usize>,
	usage: Units,
}

impl Encoder {
	pub fn new(id: String, model: String, created: u64, include_usage: bool) -> Self {
		Self { id, model, created, include_usage, calls: HashMap::new(), usage: Units::default() }
	}

	fn chunk(&self, delta: Value, finish: Value) -> Bytes {
		super::sse::frame(
			None,
			&json!({
				"id": self.id, "object": "chat.completion.chunk", "created": self.created,
				"model": self.model,
				"choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
			}),
		)
	}

	/// The chunks of one event (none for a `Finish`: see [`Encoder::finish`]).
	pub fn push(&mut self, event: &Event) -> Vec<Bytes> {
		match event {
			Event::Start { .. } =>
				vec![self.chunk(json!({"role": "assistant", "content": ""}), Value::Null)],
			Event::BlockStart { index, block: super::BlockStart::ToolCall { id, name } } => {
				let k = self.calls.len();
				self.calls.insert(*index, k);
				vec![self.chunk(
					json!({"tool_calls": [{"index": k, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
					Value::Null,
				)]
			},
			Event::Delta { delta: super::Delta::Text(t), .. } =>
				vec![self.chunk(json!({"content": t}), Value::Null)],
			Event::Delta { index, delta: super::Delta::Arguments(a) } => {
				let k = self.calls.get(index).copied().unwrap_or(0);
				vec![self.chunk(
					json!({"tool_calls": [{"index": k, "function": {"arguments": a}}]}),
					Value::Null,
				)]
			},
			Event::Usage(u) => {
				self.usage = *u;
				vec![]
			},
			_ => vec![],
		}
	}

	/// The stream's end: the finish reason, the usage chunk when asked for, `[DONE]`.
	pub fn finish(&self, stop: &Stop) -> Bytes {
		let mut out = self.chunk(json!({}), json!(finish_of(stop))).to_vec();
		if self.include_usage {
			let usage = json!({
				"id": self.id, "object": "chat.completion.chunk", "created": self.created,
				"model": self.model, "choices": [], "usage": usage_json(&self.usage),
			});
			out.extend_from_slice(&super::sse::frame(None, &usage));
		}
		out.extend_from_slice(b"data: [DONE]\n\n");
		Bytes::from(out)
	}
}
