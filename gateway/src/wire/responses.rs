//! OpenAI Responses: `POST /v1/responses`, plain and streaming (named `response.*` events with
//! a `sequence_number`, ending in `response.completed` — or `response.incomplete` /
//! `response.failed` — which carries the usage).
//!
//! Codex's freeform tools (`"type": "custom"`, e.g. `apply_patch`) become functions taking one
//! string, `input`, when written to another format, and their calls come back as
//! `custom_tool_call`s. Reasoning and compaction items carry content encrypted for OpenAI only:
//! they are left out of a request translated to another upstream.

use super::{
	arguments_object, chat::push, count, malformed, openai_units, untranslatable, Block,
	BlockStart, Delta, Event, Format, Image, Malformed, ReadError, Reply, Request, Role, Stop,
	Tool, ToolChoice, Units,
};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};

/// Input items whose content another upstream cannot read (OpenAI-encrypted): left out.
const OPENAI_ONLY_ITEMS: [&str; 2] = ["reasoning", "compaction"];

/// The usage of a response or of a `response.completed`-like event.
pub fn usage(v: &Value) -> Option<Units> {
	let u = v
		.get("usage")
		.or_else(|| v.pointer("/response/usage"))
		.filter(|u| u.is_object())?;
	Some(openai_units(
		count(u, "/input_tokens"),
		count(u, "/input_tokens_details/cached_tokens"),
		count(u, "/input_tokens_details/cache_write_tokens"),
		count(u, "/output_tokens"),
	))
}

/// The usage object a seeker reads.
pub fn usage_json(u: &Units) -> Value {
	let input = u.input.saturating_add(u.cache_read).saturating_add(u.cache_write);
	json!({
		"input_tokens": input,
		"input_tokens_details": {"cached_tokens": u.cache_read, "cache_write_tokens": u.cache_write},
		"output_tokens": u.output,
		"output_tokens_details": {"reasoning_tokens": 0},
		"total_tokens": input.saturating_add(u.output),
	})
}

/// The names of a request's freeform (`custom`) tools.
pub fn custom_tools(body: &Value) -> BTreeSet<String> {
	body.get("tools")
		.and_then(Value::as_array)
		.into_iter()
		.flatten()
		.filter(|t| t.get("type").and_then(Value::as_str) == Some("custom"))
		.filter_map(|t| t.get("name").and_then(Value::as_str).map(Into::into))
		.collect()
}

fn parts_of(content: &Value, to: Format) -> Result<Vec<Block>, ReadError> {
	match content {
		Value::String(s) => Ok(vec![Block::Text(s.clone())]),
		Value::Array(parts) => parts
			.iter()
			.map(|p| {
				let text = || p.get("text").and_then(Value::as_str).unwrap_or("").to_string();
				Ok(match p.get("type").and_then(Value::as_str) {
					Some("input_text") | Some("output_text") => Block::Text(text()),
					Some("refusal") =>
						Block::Text(p.get("refusal").and_then(Value::as_str).unwrap_or("").into()),
					Some("input_image") => match p.get("image_url").and_then(Value::as_str) {
						Some(u) => Block::Image(Image::from_url(u)),
						None => return untranslatable("an image by file id", to),
					},
					Some(other) => return untranslatable(format!("a `{other}` content part"), to),
					None => return malformed("every content part needs a `type`"),
				})
			})
			.collect(),
		_ => malformed("`content` must be a string or an array of parts"),
	}
}

fn output_text(v: &Value, to: Format) -> Result<Vec<Block>, ReadError> {
	match v {
		Value::Null => Ok(vec![]),
		other => parts_of(other, to),
	}
}

/// Reads a seeker's request, to be written in format `to`.
pub fn read_request(body: &Value, to: Format) -> Result<Request, ReadError> {
	let obj = body
		.as_object()
		.ok_or_else(|| Malformed("the body must be a JSON object".into()))?;
	for field in ["previous_response_id", "conversation", "prompt"] {
		if obj.get(field).is_some_and(|v| !v.is_null()) {
			return untranslatable(format!("`{field}` (state kept by OpenAI)"), to);
		}
	}
	if body
		.pointer("/text/format/type")
		.and_then(Value::as_str)
		.is_some_and(|t| t != "text")
	{
		return untranslatable("a structured `text.format`", to);
	}
	let mut req = Request {
		model: obj.get("model").and_then(Value::as_str).unwrap_or_default().into(),
		max_output: obj.get("max_output_tokens").and_then(Value::as_u64),
		temperature: obj.get("temperature").and_then(Value::as_f64),
		top_p: obj.get("top_p").and_then(Value::as_f64),
		stream: obj.get("stream").and_then(Value::as_bool).unwrap_or(false),
		parallel_tool_calls: obj.get("parallel_tool_calls").and_then(Value::as_bool),
		user: obj
			.get("safety_identifier")
			.or_else(|| obj.get("user"))
			.and_then(Value::as_str)
			.map(Into::into),
		..Default::default()
	};
	if let Some(i) = obj.get("instructions").and_then(Value::as_str) {
		req.system.push(i.into());
	}
	match obj.get("input") {
		Some(Value::String(s)) => push(&mut req.messages, Role::User, vec![Block::Text(s.clone())]),
		Some(Value::Array(items)) =>
			for item in items {
				let kind = item.get("type").and_then(Value::as_str).unwrap_or("message");
				let s = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("").to_string();
				match kind {
					"message" => {
						let content = item.get("content").unwrap_or(&Value::Null);
						match item.get("role").and_then(Value::as_str) {
							Some("user") =>
								push(&mut req.messages, Role::User, parts_of(content, to)?),
							Some("assistant") =>
								push(&mut req.messages, Role::Assistant, output_text(content, to)?),
							Some("system") | Some("developer") => req.system.push(
								parts_of(content, to)?
									.into_iter()
									.filter_map(
										|b| if let Block::Text(t) = b { Some(t) } else { None },
									)
									.collect::<Vec<_>>()
									.join("\n"),
							),
							_ => return malformed("a message item needs a role"),
						}
					},
					"function_call" => push(
						&mut req.messages,
						Role::Assistant,
						vec![Block::ToolCall {
							id: s("call_id"),
							name: s("name"),
							input: arguments_object(&s("arguments"))?,
						}],
					),
					"custom_tool_call" => push(
						&mut req.messages,
						Role::Assistant,
						vec![Block::ToolCall {
							id: s("call_id"),
							name: s("name"),
							input: json!({"input": s("input")}),
						}],
					),
					"function_call_output" | "custom_tool_call_output" => push(
						&mut req.messages,
						Role::User,
						vec![Block::ToolResult {
							id: s("call_id"),
							content: parts_of(item.get("output").unwrap_or(&json!("")), to)?,
							is_error: false,
						}],
					),
					k if OPENAI_ONLY_ITEMS.contains(&k) => {},
					other => return untranslatable(format!("an input item of type `{other}`"), to),
				}
			},
		None | Some(Value::Null) => {},
		Some(_) => return malformed("`input` must be a string or an array of items"),
	}
	for t in obj.get("tools").and_then(Value::as_array).into_iter().flatten() {
		let name = t.get("name").and_then(Value::as_str).unwrap_or("");
		match t.get("type").and_then(Value::as_str) {
			Some("function") => req.tools.push(Tool {
				name: name.into(),
				description: t.get("description").and_then(Value::as_str).map(Into::into),
				schema: t
					.get("parameters")
					.filter(|p| !p.is_null())
					.cloned()
					.unwrap_or_else(|| json!({"type": "object", "properties": {}})),
			}),
			Some("custom") => req.tools.push(Tool {
				name: name.into(),
				description: t.get("description").and_then(Value::as_str).map(Into::into),
				schema: json!({
					"type": "object",
					"properties": {"input": {"type": "string", "description": "The tool's input, as free text."}},
					"required": ["input"],
				}),
			}),
			other => return untranslatable(format!("the built-in tool {other:?}"), to),
		}
	}
	req.tool_choice = match obj.get("tool_choice") {
		None | Some(Value::Null) => None,
		Some(Value::String(s)) => Some(ToolChoice::from_openai(s)?),
		Some(v) =>
			match (v.get("type").and_then(Value::as_str), v.get("name").and_then(Value::as_str)) {
				(Some("function") | Some("custom"), Some(n)) => Some(ToolChoice::Tool(n.into())),
				_ => return untranslatable("this `tool_choice`", to),
			},
	};
	Ok(req)
}

/// Writes a request for a Responses upstream.
pub fn write_request(req: &Request) -> Result<Value, ReadError> {
	let mut input = Vec::new();
	for m in &req.messages {
		let mut parts = Vec::new();
		let flush = |parts: &mut Vec<Value>, input: &mut Vec<Value>| {
			if !parts.is_empty() {
				let role = if m.role == Role::User { "user" } else { "assistant" };
				input.push(
					json!({"type": "message", "role": role, "content": std::mem::take(parts)}),
				);
			}
		};
		for b in &m.content {
			match b {
				Block::Text(t) if m.role == Role::User =>
					parts.push(json!({"type": "input_text", "text": t})),
				Block::Text(t) =>
					parts.push(json!({"type": "output_text", "text": t, "annotations": []})),
				Block::Image(i) => parts.push(
					json!({"type": "input_image", "image_url": i.to_url(), "detail": "auto"}),
				),
				Block::ToolCall { id, name, input: args } => {
					flush(&mut parts, &mut input);
					input.push(
						json!({"type": "function_call", "call_id": id, "name": name, "arguments": args.to_string()}),
					);
				},
				Block::ToolResult { id, content, .. } => {
					flush(&mut parts, &mut input);
					let output: Vec<Value> = content
						.iter()
						.filter_map(|c| match c {
							Block::Text(t) => Some(json!({"type": "input_text", "text": t})),
							Block::Image(i) => Some(
								json!({"type": "input_image", "image_url": i.to_url(), "detail": "auto"}),
							),
							_ => None,
						})
						.collect();
					input.push(
						json!({"type": "function_call_output", "call_id": id, "output": output}),
					);
				},
				Block::Thinking { .. } => {},
			}
		}
		flush(&mut parts, &mut input);
	}
	let mut out = Map::new();
	out.insert("model".into(), json!(req.model));
	out.insert("input".into(), json!(input));
	out.insert("store".into(), json!(false));
	if !req.system.is_empty() {
		out.insert("instructions".into(), json!(req.system.join("\n\n")));
	}
	if let Some(n) = req.max_output {
		out.insert("max_output_tokens".into(), json!(n));
	}
	if !req.tools.is_empty() {
		let tools: Vec<Value> = req
			.tools
			.iter()
			.map(|t| json!({"type": "function", "name": t.name, "description": t.description, "parameters": t.schema, "strict": false}))
			.collect();
		out.insert("tools".into(), json!(tools));
	}
	if let Some(c) = &req.tool_choice {
		out.insert("tool_choice".into(), c.to_openai(|n| json!({"type": "function", "name": n})));
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
		return untranslatable("stop sequences", Format::Responses);
	}
	if let Some(u) = &req.user {
		out.insert("safety_identifier".into(), json!(u));
	}
	if req.stream {
		out.insert("stream".into(), json!(true));
	}
	Ok(Value::Object(out))
}

fn stop_of(v: &Value, has_calls: bool) -> Stop {
	match (
		v.get("status").and_then(Value::as_str),
		v.pointer("/incomplete_details/reason").and_then(Value::as_str),
	) {
		(Some("incomplete"), Some("content_filter")) => Stop::Refusal,
		(Some("incomplete"), _) => Stop::MaxTokens,
		_ if has_calls => Stop::ToolUse,
		_ => Stop::EndTurn,
	}
}

/// Reads an upstream's (non-streaming) response.
pub fn read_reply(v: &Value) -> Result<Reply, Malformed> {
	let output = v
		.get("output")
		.and_then(Value::as_array)
		.ok_or_else(|| Malformed("the response has no `output`".into()))?;
	let mut content = Vec::new();
	for item in output {
		let s = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("").to_string();
		match item.get("type").and_then(Value::as_str) {
			Some("message") =>
				for p in item.get("content").and_then(Value::as_array).into_iter().flatten() {
					match p.get("type").and_then(Value::as_str) {
						Some("output_text") => content.push(Block::Text(
							p.get("text").and_then(Value::as_str).unwrap_or("").into(),
						)),
						Some("refusal") => content.push(Block::Text(
							p.get("refusal").and_then(Value::as_str).unwrap_or("").into(),
						)),
						_ => {},
					}
				},
			Some("function_call") => content.push(Block::ToolCall {
				id: s("call_id"),
				name: s("name"),
				input: arguments_object(&s("arguments"))?,
			}),
			Some("custom_tool_call") => content.push(Block::ToolCall {
				id: s("call_id"),
				name: s("name"),
				input: json!({"input": s("input")}),
			}),
			_ => {},
		}
	}
	let has_calls = content.iter().any(|b| matches!(b, Block::ToolCall { .. }));
	Ok(Reply {
		id: v.get("id").and_then(Value::as_str).unwrap_or_default().into(),
		model: v.get("model").and_then(Value::as_str).unwrap_or_default().into(),
		stop: stop_of(v, has_calls),
		content,
		usage: usage(v).unwrap_or_default(),
	})
}

/// The output item of a block, complete; freeform tools' calls as `custom_tool_call`s.
fn item_json(b: &Block, item_id: &str, custom: &BTreeSet<String>) -> Option<Value> {
	Some(match b {
		Block::Text(t) => json!({
			"type": "message", "id": item_id, "role": "assistant", "status": "completed",
			"content": [{"type": "output_text", "text": t, "annotations": []}],
		}),
		Block::ToolCall { id, name, input } if custom.contains(name) => json!({
			"type": "custom_tool_call", "id": item_id, "call_id": id, "name": name,
			"input": input.get("input").and_then(Value::as_str).unwrap_or(""), "status": "completed",
		}),
		Block::ToolCall { id, name, input } => json!({
			"type": "function_call", "id": item_id, "call_id": id, "name": name,
			"arguments": input.to_string(), "status": "completed",
		}),
		Block::Thinking { .. } | Block::Image(_) | Block::ToolResult { .. } => return None,
	})
}

/// The response object.
fn response_json(
	id: &str,
	model: &str,
	created: u64,
	status: &str,
	output: Vec<Value>,
	usage: Option<&Units>,
	stop: Option<&Stop>,
) -> Value {
	let incomplete = match stop {
		Some(Stop::MaxTokens) => json!({"reason": "max_output_tokens"}),
		Some(Stop::Refusal) => json!({"reason": "content_filter"}),
		_ => Value::Null,
	};
	json!({
		"id": id, "object": "response", "created_at": created, "status": status, "model": model,
		"output": output, "usage": usage.map(usage_json), "error": null,
		"incomplete_details": incomplete, "parallel_tool_calls": true, "tool_choice": "auto",
		"tools": [], "store": false,
	})
}

fn status_of(stop: &Stop) -> &'static str {
	match stop {
		Stop::MaxTokens | Stop::Refusal => "incomplete",
		_ => "completed",
	}
}

/// Writes a reply for a Responses seeker.
pub fn write_reply(
	reply: &Reply,
	id: &str,
	model: &str,
	created: u64,
	custom: &BTreeSet<String>,
) -> Value {
	let output = reply
		.content
		.iter()
		.enumerate()
		.filter_map(|(i, b)| item_json(b, &format!("{}_{i}", item_prefix(b, id)), custom))
		.collect();
	response_json(
		id,
		model,
		created,
		status_of(&reply.stop),
		output,
		Some(&reply.usage),
		Some(&reply.stop),
	)
}

fn item_prefix(b: &Block, id: &str) -> String {
	let kind = match b {
		Block::ToolCall { .. } => "fc",
		_ => "msg",
	};
	format!("{kind}_{}", id.trim_start_matches("resp_"))
}

/// Reads an upstream's stream of events.
#[derive(Default)]
pub struct Decoder {
	/// Output index → block index (items carried over).
	items: HashMap<u64, usize>,
	/// Output indexes whose arguments arrived as deltas.
	streamed: BTreeSet<u64>,
	next: usize,
	calls: bool,
	pub done: bool,
}

impl Decoder {
	/// The events of one frame.
	pub fn push(&mut self, data: &str) -> Vec<Event> {
		let mut out = Vec::new();
		let Ok(v) = serde_json::from_str::<Value>(data) else { return out };
		let oi = v.get("output_index").and_then(Value::as_u64).unwrap_or(0);
		match v.get("type").and_then(Value::as_str) {
			Some("response.created") => out.push(Event::Start {
				id: v.pointer("/response/id").and_then(Value::as_str).unwrap_or("").into(),
				model: v.pointer("/response/model").and_then(Value::as_str).unwrap_or("").into(),
			}),
			Some("response.output_item.added") => {
				let item = v.get("item").unwrap_or(&Value::Null);
				let s = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("").to_string();
				let block = match item.get("type").and_then(Value::as_str) {
					Some("message") => BlockStart::Text,
					Some("function_call") | Some("custom_tool_call") => {
						self.calls = true;
						BlockStart::ToolCall { id: s("call_id"), name: s("name") }
					},
					_ => return out,
				};
				let i = self.next;
				self.next += 1;
				self.items.insert(oi, i);
				out.push(Event::BlockStart { index: i, block });
			},
			Some("response.output_text.delta") | Some("response.refusal.delta") =>
				if let Some(&i) = self.items.get(&oi) {
					let d = v.get("delta").and_then(Value::as_str).unwrap_or("");
					out.push(Event::Delta { index: i, delta: Delta::Text(d.into()) });
				},
			Some("response.function_call_arguments.delta") =>
				if let Some(&i) = self.items.get(&oi) {
					self.streamed.insert(oi);
					let d = v.get("delta").and_then(Value::as_str).unwrap_or("");
					out.push(Event::Delta { index: i, delta: Delta::Arguments(d.into()) });
				},
			Some("response.output_item.done") =>
				if let Some(&i) = self.items.get(&oi) {
					let item = v.get("item").unwrap_or(&Value::Null);
					// Arguments (or a freeform input) not streamed come whole with the item.
					if !self.streamed.contains(&oi) {
						match item.get("type").and_then(Value::as_str) {
							Some("function_call") => {
								let a = item.get("arguments").and_then(Value::as_str).unwrap_or("");
								out.push(Event::Delta {
									index: i,
									delta: Delta::Arguments(a.into()),
								});
							},
							Some("custom_tool_call") => {
								let input = item.get("input").and_then(Value::as_str).unwrap_or("");
								let a = json!({"input": input}).to_string();
								out.push(Event::Delta { index: i, delta: Delta::Arguments(a) });
							},
							_ => {},
						}
					}
					out.push(Event::BlockStop { index: i });
				},
			Some("response.completed") | Some("response.incomplete") => {
				let r = v.get("response").unwrap_or(&Value::Null);
				if let Some(u) = usage(r) {
					out.push(Event::Usage(u));
				}
				self.done = true;
				out.push(Event::Finish(stop_of(r, self.calls)));
			},
			Some("response.failed") => out.push(Event::Failed(
				v.pointer("/response/error/message")
					.and_then(Value::as_str)
					.unwrap_or("the response failed")
					.into(),
			)),
			Some("error") => out.push(Event::Failed(
				v.get("message").and_then(Value::as_str).unwrap_or("upstream error").into(),
			)),
			_ => {},
		}
		out
	}
}

/// Writes events as a Responses stream for a seeker.
pub struct Encoder {
	id: String,
	model: String,
	created: u64,
	custom: BTreeSet<String>,
	seq: u64,
	/// Block index → (output index, item id, block so far, arguments so far).
	open: HashMap<usize, (usize, String, Block, String)>,
	output: Vec<Value>,
	usage: Units,
}

impl Encoder {
	pub fn new(id: String, model: String, created: u64, custom: BTreeSet<String>) -> Self {
		Self {
			id,
			model,
			created,
			custom,
			seq: 0,
			open: HashMap::new(),
			output: Vec::new(),
			usage: Units::default(),
		}
	}

	fn event(&mut self, mut data: Value) -> Bytes {
		data["sequence_number"] = json!(self.seq);
		self.seq += 1;
		let name = data.get("type").and_then(Value::as_str).unwrap_or("").to_string();
		super::sse::frame(Some(&name), &data)
	}

	fn response(&self, status: &str, usage: Option<&Units>, stop: Option<&Stop>) -> Value {
		response_json(&self.id, &self.model, self.created, status, self.output.clone(), usage, stop)
	}

	/// The events of one neutral event (none for a `Finish`: see [`Encoder::finish`]).
	pub fn push(&mut self, event: &Event) -> Vec<Bytes> {
		match event {
			Event::Start { .. } => {
				let r = self.response("in_progress", None, None);
				vec![
					self.event(json!({"type": "response.created", "response": r})),
					self.event(json!({"type": "response.in_progress", "response": r})),
				]
			},
			Event::BlockStart { index, block } => {
				let oi = self.output.len() + self.open.len();
				let (item, block) = match block {
					BlockStart::Text => {
						let id = format!("msg_{}_{oi}", self.id.trim_start_matches("resp_"));
						(
							json!({"type": "message", "id": id, "role": "assistant", "status": "in_progress", "content": []}),
							Block::Text(String::new()),
						)
					},
					BlockStart::ToolCall { id, name } => {
						let item_id = format!("fc_{}_{oi}", self.id.trim_start_matches("resp_"));
						let item = if self.custom.contains(name) {
							json!({"type": "custom_tool_call", "id": item_id, "call_id": id, "name": name, "input": "", "status": "in_progress"})
						} else {
							json!({"type": "function_call", "id": item_id, "call_id": id, "name": name, "arguments": "", "status": "in_progress"})
						};
						(
							item,
							Block::ToolCall {
								id: id.clone(),
								name: name.clone(),
								input: Value::Null,
							},
						)
					},
					// Reasoning is not carried into Responses output (its items are OpenAI's).
					BlockStart::Thinking => return vec![],
				};
				let item_id = item["id"].as_str().unwrap_or("").to_string();
				let is_text = matches!(block, Block::Text(_));
				self.open.insert(*index, (oi, item_id.clone(), block, String::new()));
				let mut out = vec![self.event(
					json!({"type": "response.output_item.added", "output_index": oi, "item": item}),
				)];
				if is_text {
					out.push(self.event(json!({"type": "response.content_part.added", "item_id": item_id, "output_index": oi, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}})));
				}
				out
			},
			Event::Delta { index, delta } => {
				let Some((oi, item_id, block, args)) = self.open.get_mut(index) else {
					return vec![]
				};
				let (oi, item_id) = (*oi, item_id.clone());
				match (block, delta) {
					(Block::Text(t), Delta::Text(d)) => {
						t.push_str(d);
						vec![self.event(json!({"type": "response.output_text.delta", "item_id": item_id, "output_index": oi, "content_index": 0, "delta": d, "logprobs": []}))]
					},
					(Block::ToolCall { name, .. }, Delta::Arguments(d)) => {
						args.push_str(d);
						// A freeform call's input is only known whole (it is a field of the
						// arguments): it comes with the item's end.
						if self.custom.contains(name.as_str()) {
							return vec![];
						}
						vec![self.event(json!({"type": "response.function_call_arguments.delta", "item_id": item_id, "output_index": oi, "delta": d}))]
					},
					_ => vec![],
				}
			},
			Event::BlockStop { index } => {
				let Some((oi, item_id, mut block, args)) = self.open.remove(index) else {
					return vec![]
				};
				let mut out = Vec::new();
				match &mut block {
					Block::Text(t) => {
						let text = t.clone();
						out.push(self.event(json!({"type": "response.output_text.done", "item_id": item_id, "output_index": oi, "content_index": 0, "text": text, "logprobs": []})));
						out.push(self.event(json!({"type": "response.content_part.done", "item_id": item_id, "output_index": oi, "content_index": 0, "part": {"type": "output_text", "text": text, "annotations": []}})));
					},
					Block::ToolCall { name, input, .. } => {
						*input = arguments_object(&args).unwrap_or_else(|_| json!({}));
						if self.custom.contains(name.as_str()) {
							let text = input
								.get("input")
								.and_then(Value::as_str)
								.unwrap_or("")
								.to_string();
							out.push(self.event(json!({"type": "response.custom_tool_call_input.done", "item_id": item_id, "output_index": oi, "input": text})));
						} else {
							let name = name.clone();
							out.push(self.event(json!({"type": "response.function_call_arguments.done", "item_id": item_id, "output_index": oi, "name": name, "arguments": args})));
						}
					},
					_ => {},
				}
				if let Some(item) = item_json(&block, &item_id, &self.custom) {
					self.output.push(item.clone());
					out.push(self.event(
						json!({"type": "response.output_item.done", "output_index": oi, "item": item}),
					));
				}
				out
			},
			Event::Usage(u) => {
				self.usage = *u;
				vec![]
			},
			Event::Finish(_) | Event::Failed(_) => vec![],
		}
	}

	/// The stream's end: `response.completed` (or `response.incomplete`) with the usage.
	pub fn finish(&mut self, stop: &Stop) -> Bytes {
		let status = status_of(stop);
		let r = self.response(status, Some(&self.usage.clone()), Some(stop));
		let kind = if status == "completed" { "response.completed" } else { "response.incomplete" };
		self.event(json!({"type": kind, "response": r}))
	}

	/// A failure mid-stream: `response.failed` with the error.
	pub fn failed(&mut self, code: &str, message: &str) -> Bytes {
		let mut r = self.response("failed", None, None);
		r["error"] = json!({"code": code, "message": message});
		self.event(json!({"type": "response.failed", "response": r}))
	}
}
