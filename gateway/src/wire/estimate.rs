//! The admission estimate of a request's input units, over its whole body.
//!
//! The gateway holds a request's price before calling an upstream, so the estimate must not
//! fall short of what the upstream will meter: every string of the body counts (system
//! prompts, tool definitions and their schemas, tool results, keys), at a token per three
//! characters — real tokenizers average about four — plus one unit per object for its
//! structure; an image counts [`IMAGE_UNITS`] however it is encoded (its base64 text is not
//! tokenized by any upstream).

use serde_json::Value;

/// Input units an image is held at: the most an upstream bills for one image (Anthropic
/// bills about (width × height) / 750 tokens and scales images down to ~1.15 megapixels).
pub const IMAGE_UNITS: u64 = 1_600;

/// The types of image parts in the three formats.
const IMAGE_TYPES: [&str; 3] = ["image", "image_url", "input_image"];

/// Input units of `body`, on the high side.
pub fn input_units(body: &Value) -> u64 {
	let mut chars = 0u64;
	let mut extra = 0u64;
	walk(body, &mut chars, &mut extra);
	chars.div_ceil(3).saturating_add(extra)
}

fn walk(v: &Value, chars: &mut u64, extra: &mut u64) {
	match v {
		Value::String(s) => *chars = chars.saturating_add(s.chars().count() as u64),
		Value::Array(items) => items.iter().for_each(|i| walk(i, chars, extra)),
		Value::Object(map) => {
			let kind = map.get("type").and_then(Value::as_str);
			if kind.is_some_and(|k| IMAGE_TYPES.contains(&k)) {
				*extra = extra.saturating_add(IMAGE_UNITS);
				return;
			}
			*extra = extra.saturating_add(1);
			for (k, v) in map {
				*chars = chars.saturating_add(k.chars().count() as u64);
				walk(v, chars, extra);
			}
		},
		Value::Number(n) => *chars = chars.saturating_add(n.to_string().len() as u64),
		Value::Bool(_) | Value::Null => *chars = chars.saturating_add(4),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	#[test]
	fn everything_in_the_body_counts_and_images_count_once() {
		let plain = json!({"messages": [{"role": "user", "content": "hello"}]});
		let with_system =
			json!({"system": "x".repeat(300), "messages": [{"role": "user", "content": "hello"}]});
		assert!(input_units(&with_system) >= input_units(&plain) + 100);
		let tools = json!({"tools": [{"name": "bash", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}}]});
		assert!(input_units(&tools) > 10);
		let image = |data: &str| json!({"messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}]}]});
		assert_eq!(input_units(&image("a")), input_units(&image(&"a".repeat(100_000))));
		assert!(input_units(&image("a")) >= IMAGE_UNITS);
		// `{"a": "123456"}`: 7 characters of text → 3 units, one object → 1.
		assert_eq!(input_units(&json!({"a": "123456"})), 3 + 1);
	}
}
