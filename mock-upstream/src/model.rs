//! The mock's "model": every answer is a function of the request and the configuration.
//!
//! - Input tokens: `⌈chars/4⌉ + 4` per message (its text parts), plus `⌈chars/4⌉` of the system
//!   prompt and of the tool definitions (their JSON).
//! - Output: `min(limit, --completion-tokens)` words of a fixed text; or, when the request has
//!   tools and its last user text names one as `TOOL:<name>`, a call of that tool (its required
//!   string arguments set to `"nexus"`), 16 tokens.
//! - Thinking (Anthropic, when asked for): a first block signed with [`sign`]; a request whose
//!   history carries a thinking block with a wrong signature is refused, as Anthropic refuses one —
//!   so a gateway that alters thinking blocks is caught.
//! - Prompt caching: Anthropic-style when the request marks `cache_control` (the prefix — all but
//!   the last message — is written to the cache the first time and read after), or OpenAI-style
//!   automatically for prefixes of at least `--cache-min-tokens`. The cache is per mock process, so
//!   a conversation kept on one upstream hits it and one moved does not.

use serde_json::Value;
use std::{collections::HashSet, sync::Mutex};

const WORDS: [&str; 8] = ["nexus", "vault", "routes", "idle", "access", "to", "routed", "demand"];

/// Prefixes remembered at most.
const MAX_CACHED: usize = 10_000;

/// `n` words of the fixed text.
pub fn words(n: u64) -> String {
	(0..n)
		.map(|i| WORDS[(i % WORDS.len() as u64) as usize])
		.collect::<Vec<_>>()
		.join(" ")
}

/// `⌈chars/4⌉`.
pub fn tokens(s: &str) -> u64 {
	(s.chars().count() as u64).div_ceil(4)
}

/// FNV-1a, 64 bits: a stable hash without dependencies.
pub fn fnv(bytes: &[u8]) -> u64 {
	bytes
		.iter()
		.fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

/// The signature the mock gives a thinking block's text.
pub fn sign(text: &str) -> String {
	format!("mock-sig-{:016x}", fnv(format!("nexus-mock-thinking:{text}").as_bytes()))
}

/// The text of a message's content: a string, or its parts' `text` fields.
pub fn text_of(content: Option<&Value>) -> String {
	match content {
		Some(Value::String(s)) => s.clone(),
		Some(Value::Array(parts)) => parts
			.iter()
			.filter_map(|p| p.get("text").and_then(Value::as_str))
			.collect::<Vec<_>>()
			.join(" "),
		_ => String::new(),
	}
}

/// How a format asks for caching.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caching {
	/// Only what `cache_control` marks (Anthropic).
	Explicit(bool),
	/// Automatic above a size (OpenAI).
	Automatic,
}

/// A request, as the mock model sees it.
pub struct Turn {
	/// Each message: its input tokens and its JSON (what the cache matches).
	pub messages: Vec<(u64, String)>,
	/// Input tokens of the system prompt and tools.
	pub preamble: u64,
	/// What the preamble is (system prompt, tools, the client's cache key), for the cache.
	pub preamble_key: String,
	pub caching: Caching,
	/// The text of the last user message.
	pub last_user: String,
	/// The tools offered: (name, JSON schema).
	pub tools: Vec<(String, Value)>,
	/// The output limit.
	pub limit: u64,
	pub thinking: bool,
}

/// Usage in neutral form: `input` is uncached.
#[derive(Default, Clone, Copy)]
pub struct Usage {
	pub input: u64,
	pub cache_read: u64,
	pub cache_write: u64,
	pub output: u64,
	pub reasoning: u64,
}

/// What the mock answers.
pub struct Answer {
	pub thinking: Option<(String, String)>,
	pub text: Option<String>,
	/// (call id, name, arguments).
	pub tool: Option<(String, String, Value)>,
	/// The limit cut the answer short.
	pub truncated: bool,
	pub usage: Usage,
}

/// The prompt caches of this mock.
#[derive(Default)]
pub struct Cache {
	seen: Mutex<HashSet<u64>>,
}

impl Cache {
	fn seen(&self, key: u64) -> bool {
		self.seen.lock().unwrap_or_else(|p| p.into_inner()).contains(&key)
	}

	fn insert(&self, key: u64) {
		let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
		if seen.len() >= MAX_CACHED {
			seen.clear();
		}
		seen.insert(key);
	}
}

/// Arguments for a tool: its required string fields set to "nexus".
fn arguments(schema: &Value) -> Value {
	let mut args = serde_json::Map::new();
	for field in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
		if let Some(name) = field.as_str() {
			args.insert(name.into(), Value::String("nexus".into()));
		}
	}
	Value::Object(args)
}

/// The answer to `turn`.
pub fn answer(
	turn: &Turn,
	completion_tokens: u64,
	cache_min: u64,
	cache: &Cache,
	id: u64,
) -> Answer {
	let n = turn.messages.len();
	let total: u64 = turn.messages.iter().map(|(t, _)| t).sum::<u64>() + turn.preamble;
	// hashes[k], tokens[k]: the prefix of the preamble and the first k messages.
	let mut hashes = vec![fnv(turn.preamble_key.as_bytes())];
	let mut sizes = vec![turn.preamble];
	for (t, json) in turn.messages.iter().take(n.saturating_sub(1)) {
		let last = hashes[hashes.len() - 1];
		hashes.push(fnv(format!("{last:x}|{json}").as_bytes()));
		sizes.push(sizes[sizes.len() - 1] + t);
	}
	let prefix = sizes[sizes.len() - 1];
	let cacheable = match turn.caching {
		Caching::Explicit(marked) => marked && prefix > 0,
		Caching::Automatic => prefix >= cache_min,
	};
	let mut usage = Usage { input: total, ..Default::default() };
	if cacheable {
		let read = (0..hashes.len()).rev().find(|k| cache.seen(hashes[*k])).map_or(0, |k| sizes[k]);
		hashes.iter().for_each(|h| cache.insert(*h));
		usage.cache_read = read;
		// OpenAI bills no cache writes apart (they are plain input).
		if turn.caching != Caching::Automatic {
			usage.cache_write = prefix - read;
		}
		usage.input = total - usage.cache_read - usage.cache_write;
	}
	let thinking = turn.thinking.then(|| {
		let text = format!(
			"The user asked {} tokens' worth.",
			turn.messages.last().map_or(0, |(t, _)| *t)
		);
		let sig = sign(&text);
		(text, sig)
	});
	let wanted = turn
		.tools
		.iter()
		.find(|(name, _)| turn.last_user.contains(&format!("TOOL:{name}")));
	let (text, tool, output, truncated) = match wanted {
		Some((name, schema)) => {
			let out = 16.min(turn.limit);
			(
				None,
				Some((format!("call_mock_{id}"), name.clone(), arguments(schema))),
				out,
				out < 16,
			)
		},
		None => {
			let out = completion_tokens.min(turn.limit);
			(Some(words(out)), None, out, out < completion_tokens)
		},
	};
	usage.output = output + thinking.as_ref().map_or(0, |(t, _)| tokens(t));
	usage.reasoning = thinking.as_ref().map_or(0, |(t, _)| tokens(t));
	Answer { thinking, text, tool, truncated, usage }
}
