//! The three wire formats the gateway speaks, to seekers and to upstreams: OpenAI Chat
//! Completions ([`chat`]), Anthropic Messages ([`messages`]) and OpenAI Responses
//! ([`responses`]).
//!
//! A request whose seeker API and upstream format agree is passed through (the body kept as
//! sent: thinking blocks and their signatures, `cache_control`, unknown fields and beta
//! features), with only the model id and the output limit set. Otherwise it is translated
//! through one neutral form defined here ([`Request`], [`Reply`], the stream [`Event`]s): each
//! format module reads its format into that form and writes it back out, so every pair of
//! formats is covered by six functions per format, not one translator per pair. What a format
//! has and the target cannot carry is refused before any upstream is called
//! ([`Untranslatable`]); what only shapes a reply (thinking text, citations) is dropped from
//! translated replies, never invented.
//!
//! Every format also reports its usage as [`nexus_client::Units`] (uncached input, output with
//! reasoning, prompt-cache reads and writes), which is what receipts meter.

pub mod chat;
pub mod estimate;
pub mod messages;
pub mod responses;
pub mod sse;

pub use nexus_client::Units;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A wire format, as an endpoint registration and its commitment name it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
	/// OpenAI Chat Completions (`POST …/chat/completions`).
	#[default]
	#[serde(rename = "chat-completions")]
	Chat,
	/// Anthropic Messages (`POST …/messages`).
	#[serde(rename = "anthropic-messages")]
	Messages,
	/// OpenAI Responses (`POST …/responses`).
	#[serde(rename = "openai-responses")]
	Responses,
}

impl Format {
	/// Every format.
	pub const ALL: [Format; 3] = [Format::Chat, Format::Messages, Format::Responses];

	/// The name registrations and commitments use (`chat-completions`, `anthropic-messages`,
	/// `openai-responses`).
	pub fn tag(self) -> &'static str {
		match self {
			Format::Chat => nexus_client::FORMAT_CHAT_COMPLETIONS,
			Format::Messages => nexus_client::FORMAT_ANTHROPIC_MESSAGES,
			Format::Responses => nexus_client::FORMAT_OPENAI_RESPONSES,
		}
	}

	/// The format named `tag`.
	pub fn from_tag(tag: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|f| f.tag() == tag)
	}

	/// The path under an upstream's base URL (`…/v1`).
	pub fn path(self) -> &'static str {
		match self {
			Format::Chat => "/chat/completions",
			Format::Messages => "/messages",
			Format::Responses => "/responses",
		}
	}

	/// The request field this format bounds its output with.
	pub fn limit_field(self) -> &'static str {
		match self {
			// OpenAI's current field; reasoning models refuse the older `max_tokens`.
			Format::Chat => "max_completion_tokens",
			Format::Messages => "max_tokens",
			Format::Responses => "max_output_tokens",
		}
	}
}

/// A request the target format cannot carry, named before any upstream is called.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} cannot be sent to a {to} upstream")]
pub struct Untranslatable {
	/// What the request has (e.g. "a `document` block", "the built-in tool `web_search`").
	pub what: String,
	/// The upstream's format.
	pub to: &'static str,
}

/// A request that is not of its API's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

/// Why a request could not be read or translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
	#[error(transparent)]
	Malformed(#[from] Malformed),
	#[error(transparent)]
	Untranslatable(#[from] Untranslatable),
}

/// Shorthand for a [`Malformed`] error.
pub fn malformed<T>(message: impl Into<String>) -> Result<T, ReadError> {
	Err(ReadError::Malformed(Malformed(message.into())))
}

/// Shorthand for an [`Untranslatable`] error.
pub fn untranslatable<T>(what: impl Into<String>, to: Format) -> Result<T, ReadError> {
	Err(ReadError::Untranslatable(Untranslatable { what: what.into(), to: to.tag() }))
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
	User,
	Assistant,
}

/// An image, inline or by URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
	Base64 { media_type: String, data: String },
	Url(String),
}

impl Image {
	/// The image as a URL (inline images as a `data:` URL).
	pub fn to_url(&self) -> String {
		match self {
			Image::Base64 { media_type, data } => format!("data:{media_type};base64,{data}"),
			Image::Url(u) => u.clone(),
		}
	}

	/// An image from a URL (a `data:…;base64,` URL becomes an inline image).
	pub fn from_url(url: &str) -> Self {
		if let Some(rest) = url.strip_prefix("data:") {
			if let Some((media_type, data)) = rest.split_once(";base64,") {
				return Image::Base64 { media_type: media_type.into(), data: data.into() };
			}
		}
		Image::Url(url.into())
	}
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
	Text(String),
	Image(Image),
	/// The model calls a tool; `input` is the arguments as a JSON object.
	ToolCall {
		id: String,
		name: String,
		input: Value,
	},
	/// The result of the tool call `id`.
	ToolResult {
		id: String,
		content: Vec<Block>,
		is_error: bool,
	},
	/// The model's reasoning text, with the upstream's signature when it gave one. Only
	/// Anthropic Messages carries it back to an upstream (and only with its signature).
	Thinking {
		text: String,
		signature: Option<String>,
	},
}

/// A message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
	pub role: Role,
	pub content: Vec<Block>,
}

/// A function the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
	pub name: String,
	pub description: Option<String>,
	/// The JSON schema of its arguments.
	pub schema: Value,
}

/// Which tool the model must call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
	Auto,
	/// Some tool.
	Any,
	None,
	Tool(String),
}

impl ToolChoice {
	/// OpenAI's string choices (Chat Completions and Responses): `auto`, `required`, `none`.
	pub(crate) fn from_openai(s: &str) -> Result<Self, ReadError> {
		match s {
			"auto" => Ok(ToolChoice::Auto),
			"required" => Ok(ToolChoice::Any),
			"none" => Ok(ToolChoice::None),
			other => malformed(format!("unknown tool_choice {other:?}")),
		}
	}

	/// The choice in OpenAI's form; `named` writes the choice of one tool (its shape differs
	/// between Chat Completions and Responses).
	pub(crate) fn to_openai(&self, named: impl FnOnce(&str) -> Value) -> Value {
		match self {
			ToolChoice::Auto => Value::from("auto"),
			ToolChoice::Any => Value::from("required"),
			ToolChoice::None => Value::from("none"),
			ToolChoice::Tool(n) => named(n),
		}
	}
}

/// A request in neutral form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
	pub model: String,
	/// System instructions, in order.
	pub system: Vec<String>,
	pub messages: Vec<Message>,
	pub tools: Vec<Tool>,
	pub tool_choice: Option<ToolChoice>,
	pub parallel_tool_calls: Option<bool>,
	pub max_output: Option<u64>,
	pub temperature: Option<f64>,
	pub top_p: Option<f64>,
	pub stop: Vec<String>,
	pub stream: bool,
	/// An end-user id for the upstream's abuse monitoring.
	pub user: Option<String>,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Stop {
	#[default]
	EndTurn,
	MaxTokens,
	StopSequence(Option<String>),
	ToolUse,
	Refusal,
}

/// A reply in neutral form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
	pub id: String,
	pub model: String,
	pub content: Vec<Block>,
	pub stop: Stop,
	pub usage: Units,
}

/// The kind of a block as it starts in a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockStart {
	Text,
	ToolCall { id: String, name: String },
	Thinking,
}

/// A piece of a block in a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delta {
	Text(String),
	/// A piece of a tool call's arguments (JSON text).
	Arguments(String),
	Thinking(String),
	Signature(String),
}

/// A stream in neutral form: `Start`, then blocks (`BlockStart`, `Delta`s, `BlockStop`, one
/// block open at a time, indexes from 0 in order), `Usage` (cumulative: the latest replaces
/// what came before), then `Finish` — or `Failed` at any point.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
	Start {
		id: String,
		model: String,
	},
	BlockStart {
		index: usize,
		block: BlockStart,
	},
	Delta {
		index: usize,
		delta: Delta,
	},
	BlockStop {
		index: usize,
	},
	Usage(Units),
	Finish(Stop),
	/// The upstream reported an error mid-stream.
	Failed(String),
}

/// Reads a JSON number field as a count.
pub(crate) fn count(v: &Value, pointer: &str) -> u64 {
	v.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

/// Units from OpenAI's usage numbers: `total_input` includes the cache's reads and writes.
pub(crate) fn openai_units(total_input: u64, cached: u64, cache_write: u64, output: u64) -> Units {
	let cache_read = cached.min(total_input);
	let cache_write = cache_write.min(total_input - cache_read);
	Units { input: total_input - cache_read - cache_write, output, cache_read, cache_write }
}

/// A tool call's arguments (JSON text) as an object; empty text is `{}`.
pub(crate) fn arguments_object(text: &str) -> Result<Value, Malformed> {
	if text.trim().is_empty() {
		return Ok(Value::Object(Default::default()));
	}
	match serde_json::from_str::<Value>(text) {
		Ok(v @ Value::Object(_)) => Ok(v),
		_ => Err(Malformed("a tool call's `arguments` must be a JSON object".into())),
	}
}

/// Accumulates a stream's events into the reply they make (what a translated non-streaming
/// answer is built from, and what tests compare streams with).
#[derive(Default)]
pub struct Collector {
	pub reply: Reply,
	arguments: Vec<String>,
	pub finished: bool,
	pub failed: Option<String>,
}

impl Collector {
	pub fn push(&mut self, event: &Event) {
		match event {
			Event::Start { id, model } => {
				self.reply.id = id.clone();
				self.reply.model = model.clone();
			},
			Event::BlockStart { block, .. } => {
				self.reply.content.push(match block {
					BlockStart::Text => Block::Text(String::new()),
					BlockStart::ToolCall { id, name } =>
						Block::ToolCall { id: id.clone(), name: name.clone(), input: Value::Null },
					BlockStart::Thinking =>
						Block::Thinking { text: String::new(), signature: None },
				});
				self.arguments.push(String::new());
			},
			Event::Delta { index, delta } => match (self.reply.content.get_mut(*index), delta) {
				(Some(Block::Text(t)), Delta::Text(d)) => t.push_str(d),
				(Some(Block::ToolCall { .. }), Delta::Arguments(d)) =>
					if let Some(a) = self.arguments.get_mut(*index) {
						a.push_str(d)
					},
				(Some(Block::Thinking { text, .. }), Delta::Thinking(d)) => text.push_str(d),
				(Some(Block::Thinking { signature, .. }), Delta::Signature(d)) =>
					signature.get_or_insert_with(String::new).push_str(d),
				_ => {},
			},
			Event::BlockStop { index } => {
				if let (Some(Block::ToolCall { input, .. }), Some(a)) =
					(self.reply.content.get_mut(*index), self.arguments.get(*index))
				{
					*input = arguments_object(a).unwrap_or(Value::Object(Default::default()));
				}
			},
			Event::Usage(u) => self.reply.usage = *u,
			Event::Finish(stop) => {
				self.reply.stop = stop.clone();
				self.finished = true;
			},
			Event::Failed(m) => self.failed = Some(m.clone()),
		}
	}
}

/// Turns a whole reply into the events that stream it (used to check that a format's stream
/// writer and reader agree, and to answer a streaming seeker from a reply read whole).
pub fn events_of(reply: &Reply) -> Vec<Event> {
	let mut out = vec![Event::Start { id: reply.id.clone(), model: reply.model.clone() }];
	let mut index = 0;
	for block in &reply.content {
		let (start, deltas) = match block {
			Block::Text(t) => (BlockStart::Text, vec![Delta::Text(t.clone())]),
			Block::ToolCall { id, name, input } => (
				BlockStart::ToolCall { id: id.clone(), name: name.clone() },
				vec![Delta::Arguments(input.to_string())],
			),
			Block::Thinking { text, signature } => {
				let mut d = vec![Delta::Thinking(text.clone())];
				if let Some(s) = signature {
					d.push(Delta::Signature(s.clone()));
				}
				(BlockStart::Thinking, d)
			},
			Block::Image(_) | Block::ToolResult { .. } => continue,
		};
		out.push(Event::BlockStart { index, block: start });
		out.extend(deltas.into_iter().map(|delta| Event::Delta { index, delta }));
		out.push(Event::BlockStop { index });
		index += 1;
	}
	out.push(Event::Usage(reply.usage));
	out.push(Event::Finish(reply.stop.clone()));
	out
}

/// What a reply written for a seeker is labelled with.
#[derive(Debug, Clone, Default)]
pub struct Label {
	/// The id the seeker sees (the receipt's, in the API's own id style).
	pub id: String,
	/// The model id the seeker asked for.
	pub model: String,
	/// Seconds since the Unix epoch.
	pub created: u64,
	/// A Responses request's freeform tools (their calls are written as `custom_tool_call`s).
	pub custom_tools: std::collections::BTreeSet<String>,
}

impl Format {
	/// Reads a seeker's request of this format, to be written as `to`.
	pub fn read_request(self, body: &Value, to: Format) -> Result<Request, ReadError> {
		match self {
			Format::Chat => chat::read_request(body, to),
			Format::Messages => messages::read_request(body, to),
			Format::Responses => responses::read_request(body, to),
		}
	}

	/// Writes a request for an upstream of this format (`default_max`: the output limit of a
	/// format that requires one, when the request has none).
	pub fn write_request(self, req: &Request, default_max: u64) -> Result<Value, ReadError> {
		match self {
			Format::Chat => chat::write_request(req),
			Format::Messages => messages::write_request(req, default_max),
			Format::Responses => responses::write_request(req),
		}
	}

	/// The usage in a body, chunk or event of this format.
	pub fn usage(self, v: &Value) -> Option<Units> {
		match self {
			Format::Chat => chat::usage(v),
			Format::Messages => messages::usage(v),
			Format::Responses => responses::usage(v),
		}
	}

	/// Reads an upstream's whole answer.
	pub fn read_reply(self, v: &Value) -> Result<Reply, Malformed> {
		match self {
			Format::Chat => chat::read_reply(v),
			Format::Messages => messages::read_reply(v),
			Format::Responses => responses::read_reply(v),
		}
	}

	/// Writes a whole answer for a seeker.
	pub fn write_reply(self, reply: &Reply, label: &Label) -> Value {
		match self {
			Format::Chat => chat::write_reply(reply, &label.id, &label.model, label.created),
			Format::Messages => messages::write_reply(reply, &label.id, &label.model),
			Format::Responses => responses::write_reply(
				reply,
				&label.id,
				&label.model,
				label.created,
				&label.custom_tools,
			),
		}
	}

	/// A reader of this format's stream.
	pub fn decoder(self) -> Decoder {
		match self {
			Format::Chat => Decoder::Chat(Default::default()),
			Format::Messages => Decoder::Messages(Default::default()),
			Format::Responses => Decoder::Responses(Default::default()),
		}
	}

	/// A writer of this format's stream (`include_usage`: a Chat seeker asked for the usage
	/// chunk).
	pub fn encoder(self, label: &Label, include_usage: bool) -> Encoder {
		match self {
			Format::Chat => Encoder::Chat(chat::Encoder::new(
				label.id.clone(),
				label.model.clone(),
				label.created,
				include_usage,
			)),
			Format::Messages =>
				Encoder::Messages(messages::Encoder::new(label.id.clone(), label.model.clone())),
			Format::Responses => Encoder::Responses(responses::Encoder::new(
				label.id.clone(),
				label.model.clone(),
				label.created,
				label.custom_tools.clone(),
			)),
		}
	}
}

/// Reads an upstream's stream, frame by frame, into [`Event`]s.
pub enum Decoder {
	Chat(chat::Decoder),
	Messages(messages::Decoder),
	Responses(responses::Decoder),
}

impl Decoder {
	/// The events of one frame's data.
	pub fn push(&mut self, data: &str) -> Vec<Event> {
		match self {
			Decoder::Chat(d) => d.push(data),
			Decoder::Messages(d) => d.push(data),
			Decoder::Responses(d) => d.push(data),
		}
	}

	/// Whether the stream has ended as its format ends a complete answer.
	pub fn done(&self) -> bool {
		match self {
			Decoder::Chat(d) => d.done,
			Decoder::Messages(d) => d.done,
			Decoder::Responses(d) => d.done,
		}
	}
}

/// Writes [`Event`]s as a seeker's stream.
pub enum Encoder {
	Chat(chat::Encoder),
	Messages(messages::Encoder),
	Responses(responses::Encoder),
}

impl Encoder {
	/// The bytes of one event (a `Finish` writes nothing: [`Encoder::finish`] ends the stream
	/// once the receipt is durable).
	pub fn push(&mut self, event: &Event) -> Vec<bytes::Bytes> {
		match self {
			Encoder::Chat(e) => e.push(event),
			Encoder::Messages(e) => e.push(event),
			Encoder::Responses(e) => e.push(event),
		}
	}

	/// A failure after the stream began, as the seeker's API reports one: an `error` event
	/// (Anthropic), `response.failed` (Responses), a `data:` error object (Chat).
	pub fn fail(&mut self, status: u16, code: &str, message: &str) -> bytes::Bytes {
		match self {
			Encoder::Chat(_) => sse::frame(
				None,
				&serde_json::json!({"error": {"message": message, "type": if status >= 500 { "server_error" } else { "invalid_request_error" }, "param": null, "code": code}}),
			),
			Encoder::Messages(_) => sse::frame(
				Some("error"),
				&serde_json::json!({"type": "error", "error": {"type": messages::error_type(status), "message": message}}),
			),
			Encoder::Responses(e) => e.failed(code, message),
		}
	}

	/// The stream's last bytes.
	pub fn finish(&mut self, stop: &Stop) -> bytes::Bytes {
		match self {
			Encoder::Chat(e) => e.finish(stop),
			Encoder::Messages(e) => e.finish(stop),
			Encoder::Responses(e) => e.finish(stop),
		}
	}
}

#[cfg(test)]
mod tests;
