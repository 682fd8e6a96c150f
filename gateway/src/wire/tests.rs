//! Every pair of formats: requests, whole replies and streams survive a round through the
//! neutral form, and what a target cannot carry is refused by name.

use super::*;
use serde_json::json;

/// A conversation with system text, an image, a tool, a tool call and its result.
fn request() -> Request {
	Request {
		model: "m".into(),
		system: vec!["Be terse.".into()],
		messages: vec![
			Message {
				role: Role::User,
				content: vec![
					Block::Text("Weather in Paris?".into()),
					Block::Image(Image::Base64 {
						media_type: "image/png".into(),
						data: "iVBOR".into(),
					}),
				],
			},
			Message {
				role: Role::Assistant,
				content: vec![
					Block::Text("Checking.".into()),
					Block::ToolCall {
						id: "call_1".into(),
						name: "weather".into(),
						input: json!({"city": "Paris"}),
					},
				],
			},
			Message {
				role: Role::User,
				content: vec![Block::ToolResult {
					id: "call_1".into(),
					content: vec![Block::Text("18C".into())],
					is_error: false,
				}],
			},
		],
		tools: vec![Tool {
			name: "weather".into(),
			description: Some("Current weather".into()),
			schema: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
		}],
		tool_choice: Some(ToolChoice::Auto),
		parallel_tool_calls: Some(false),
		max_output: Some(300),
		temperature: Some(0.5),
		top_p: None,
		stop: vec![],
		stream: true,
		user: Some("u-1".into()),
	}
}

fn reply() -> Reply {
	Reply {
		id: "x".into(),
		model: "m".into(),
		content: vec![
			Block::Text("It is".into()),
			Block::ToolCall {
				id: "call_2".into(),
				name: "weather".into(),
				input: json!({"city": "Lyon"}),
			},
		],
		stop: Stop::ToolUse,
		usage: Units { input: 12, output: 40, cache_read: 1_800, cache_write: 100 },
	}
}

#[test]
fn requests_survive_every_pair() {
	for from in Format::ALL {
		for to in Format::ALL {
			let req = request();
			// What a seeker of `from` would send …
			let sent = from.write_request(&req, 1_000).unwrap();
			// … read for `to`, written for `to`, and read back as `to`.
			let neutral = from.read_request(&sent, to).unwrap();
			assert_eq!(neutral, req, "{from:?} read");
			let upstream = to.write_request(&neutral, 1_000).unwrap();
			let back = to.read_request(&upstream, from).unwrap();
			assert_eq!(back, req, "{from:?} → {to:?}: {upstream}");
		}
	}
}

#[test]
fn replies_survive_every_pair() {
	for upstream in Format::ALL {
		for seeker in Format::ALL {
			let label =
				Label { id: "id-1".into(), model: "m".into(), created: 1, ..Default::default() };
			let from_upstream =
				upstream.read_reply(&upstream.write_reply(&reply(), &label)).unwrap();
			let to_seeker = seeker.read_reply(&seeker.write_reply(&from_upstream, &label)).unwrap();
			assert_eq!(to_seeker.content, reply().content, "{upstream:?} → {seeker:?}");
			assert_eq!(to_seeker.stop, Stop::ToolUse);
			assert_eq!(to_seeker.usage, reply().usage, "{upstream:?} → {seeker:?}");
		}
	}
}

/// Writes `events` as `format`'s stream and reads the frames back.
fn through(format: Format, events: &[Event], label: &Label) -> Vec<Event> {
	let mut enc = format.encoder(label, true);
	let mut bytes = Vec::new();
	let mut stop = None;
	for e in events {
		if let Event::Finish(s) = e {
			stop = Some(s.clone());
			continue;
		}
		for b in enc.push(e) {
			bytes.extend_from_slice(&b);
		}
	}
	bytes.extend_from_slice(&enc.finish(&stop.unwrap()));
	let mut parser = sse::Parser::new(1 << 20);
	let mut dec = format.decoder();
	let mut out = Vec::new();
	for f in parser.push(&bytes).unwrap() {
		out.extend(dec.push(&f.data));
	}
	assert!(dec.done(), "{format:?} stream not complete");
	out
}

fn collect(events: &[Event]) -> Reply {
	let mut c = Collector::default();
	events.iter().for_each(|e| c.push(e));
	assert!(c.finished && c.failed.is_none());
	c.reply
}

#[test]
fn streams_survive_every_pair() {
	let label = Label { id: "resp_1".into(), model: "m".into(), created: 1, ..Default::default() };
	for upstream in Format::ALL {
		for seeker in Format::ALL {
			let from_upstream = through(upstream, &events_of(&reply()), &label);
			let to_seeker = collect(&through(seeker, &from_upstream, &label));
			assert_eq!(to_seeker.content, reply().content, "{upstream:?} → {seeker:?}");
			assert_eq!(to_seeker.stop, Stop::ToolUse, "{upstream:?} → {seeker:?}");
			assert_eq!(to_seeker.usage, reply().usage, "{upstream:?} → {seeker:?}");
		}
	}
}

#[test]
fn thinking_and_its_signature_survive_anthropic_to_anthropic_only() {
	let mut r = reply();
	r.content
		.insert(0, Block::Thinking { text: "hmm".into(), signature: Some("sig".into()) });
	let label = Label { id: "msg_1".into(), model: "m".into(), created: 1, ..Default::default() };
	let got = collect(&through(Format::Messages, &events_of(&r), &label));
	assert_eq!(got.content, r.content);
	for other in [Format::Chat, Format::Responses] {
		let got = collect(&through(other, &events_of(&r), &label));
		assert_eq!(got.content, reply().content, "{other:?} drops thinking");
	}
	// Signed thinking goes back to Anthropic in a request; unsigned thinking is dropped.
	let mut req = request();
	req.messages[1]
		.content
		.insert(0, Block::Thinking { text: "t".into(), signature: Some("s".into()) });
	req.messages[1]
		.content
		.insert(0, Block::Thinking { text: "u".into(), signature: None });
	let body = Format::Messages.write_request(&req, 1).unwrap();
	assert_eq!(
		body["messages"][1]["content"][0],
		json!({"type": "thinking", "thinking": "t", "signature": "s"})
	);
	assert_eq!(body["messages"][1]["content"].as_array().unwrap().len(), 3);
}

#[test]
fn usage_of_each_format_meters_cache_apart() {
	let chat = json!({"usage": {"prompt_tokens": 2_000, "completion_tokens": 50, "prompt_tokens_details": {"cached_tokens": 1_500}, "completion_tokens_details": {"reasoning_tokens": 30}}});
	assert_eq!(
		Format::Chat.usage(&chat),
		Some(Units { input: 500, output: 50, cache_read: 1_500, cache_write: 0 })
	);
	let responses = json!({"response": {"usage": {"input_tokens": 2_000, "input_tokens_details": {"cached_tokens": 1_800, "cache_write_tokens": 100}, "output_tokens": 9}}});
	assert_eq!(
		Format::Responses.usage(&responses),
		Some(Units { input: 100, output: 9, cache_read: 1_800, cache_write: 100 })
	);
	let messages = json!({"usage": {"input_tokens": 12, "output_tokens": 40, "cache_read_input_tokens": 1_800, "cache_creation_input_tokens": 100}});
	assert_eq!(
		Format::Messages.usage(&messages),
		Some(Units { input: 12, output: 40, cache_read: 1_800, cache_write: 100 })
	);
	// A cached count above the total (a broken upstream) cannot make input negative.
	let odd = json!({"usage": {"prompt_tokens": 10, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 50}}});
	assert_eq!(
		Format::Chat.usage(&odd),
		Some(Units { input: 0, output: 1, cache_read: 10, cache_write: 0 })
	);
}

#[test]
fn anthropic_streams_report_cumulative_usage() {
	let mut d = Format::Messages.decoder();
	let start = json!({"type": "message_start", "message": {"id": "msg_1", "model": "m", "usage": {"input_tokens": 20, "cache_read_input_tokens": 1_000, "output_tokens": 1}}});
	let delta = json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 48}});
	let mut events = d.push(&start.to_string());
	events.extend(d.push(&delta.to_string()));
	events.extend(d.push(r#"{"type":"message_stop"}"#));
	let r = collect(&events);
	assert_eq!(r.usage, Units { input: 20, output: 48, cache_read: 1_000, cache_write: 0 });
	assert!(d.done());
}

#[test]
fn what_a_target_cannot_carry_is_refused_by_name() {
	let refused = |from: Format, body: Value, to: Format| match from.read_request(&body, to) {
		Err(ReadError::Untranslatable(u)) => u.what,
		other => panic!("{body} → {to:?}: {other:?}"),
	};
	let doc = json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]}]});
	assert!(refused(Format::Messages, doc, Format::Chat).contains("document"));
	let server_tool = json!({"model": "m", "max_tokens": 5, "messages": [], "tools": [{"type": "web_search_20250305", "name": "web_search"}]});
	assert!(refused(Format::Messages, server_tool, Format::Responses).contains("web_search"));
	let previous = json!({"model": "m", "input": "hi", "previous_response_id": "resp_1"});
	assert!(refused(Format::Responses, previous, Format::Messages).contains("previous_response_id"));
	let builtin = json!({"model": "m", "input": "hi", "tools": [{"type": "web_search"}]});
	assert!(refused(Format::Responses, builtin, Format::Chat).contains("web_search"));
	let logprobs = json!({"model": "m", "messages": [], "logprobs": true});
	assert!(refused(Format::Chat, logprobs, Format::Messages).contains("logprobs"));
	// Writing: a temperature Anthropic does not take, stop sequences Responses has not.
	let mut hot = request();
	hot.temperature = Some(1.5);
	assert!(matches!(Format::Messages.write_request(&hot, 1), Err(ReadError::Untranslatable(_))));
	let mut stops = request();
	stops.stop = vec!["END".into()];
	assert!(matches!(
		Format::Responses.write_request(&stops, 1),
		Err(ReadError::Untranslatable(_))
	));
}

#[test]
fn codex_freeform_tools_round_trip_as_functions() {
	let body = json!({
		"model": "gpt-5-codex", "instructions": "You are Codex.", "stream": true, "store": false,
		"input": [
			{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "patch it"}]},
			{"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAA"},
			{"type": "custom_tool_call", "call_id": "call_9", "name": "apply_patch", "input": "*** Begin Patch"},
			{"type": "custom_tool_call_output", "call_id": "call_9", "output": "Done"},
		],
		"tools": [{"type": "custom", "name": "apply_patch", "description": "Patch files", "format": {"type": "grammar", "syntax": "lark", "definition": "start: x"}}],
		"prompt_cache_key": "conv-1", "include": ["reasoning.encrypted_content"],
	});
	let req = Format::Responses.read_request(&body, Format::Messages).unwrap();
	assert_eq!(req.system, vec!["You are Codex.".to_string()]);
	assert_eq!(req.tools[0].schema["required"], json!(["input"]));
	assert_eq!(req.messages.len(), 3, "the reasoning item is left out");
	let upstream = Format::Messages.write_request(&req, 100).unwrap();
	assert_eq!(upstream["messages"][1]["content"][0]["input"], json!({"input": "*** Begin Patch"}));
	// The upstream's call of the freeform tool comes back as a custom_tool_call.
	let label = Label {
		id: "resp_1".into(),
		model: "gpt-5-codex".into(),
		created: 1,
		custom_tools: super::responses::custom_tools(&body),
	};
	let call = Reply {
		content: vec![Block::ToolCall {
			id: "toolu_1".into(),
			name: "apply_patch".into(),
			input: json!({"input": "*** Begin Patch\n"}),
		}],
		stop: Stop::ToolUse,
		..Default::default()
	};
	let out = Format::Responses.write_reply(&call, &label);
	assert_eq!(out["output"][0]["type"], "custom_tool_call");
	assert_eq!(out["output"][0]["input"], "*** Begin Patch\n");
	let streamed = through(Format::Responses, &events_of(&call), &label);
	assert_eq!(collect(&streamed).content, call.content);
}

#[test]
fn garbage_and_truncated_upstream_streams_are_not_complete() {
	for format in Format::ALL {
		let label =
			Label { id: "resp_1".into(), model: "m".into(), created: 1, ..Default::default() };
		let mut enc = format.encoder(&label, true);
		let mut bytes = Vec::new();
		for e in events_of(&reply()).iter().filter(|e| !matches!(e, Event::Finish(_))) {
			enc.push(e).iter().for_each(|b| bytes.extend_from_slice(b));
		}
		// No last event: the stream was cut before it completed.
		let mut dec = format.decoder();
		let frames = sse::Parser::new(1 << 20).push(&bytes).unwrap();
		let events: Vec<Event> = frames.iter().flat_map(|f| dec.push(&f.data)).collect();
		assert!(!dec.done(), "{format:?}: a truncated stream is not complete");
		assert!(!events.iter().any(|e| matches!(e, Event::Finish(_))), "{format:?}");
		// Garbage frames are ignored, not taken for an ending.
		let mut dec = format.decoder();
		for junk in ["", "{", "[1,2]", "null", "{\"type\": 5}", "{\"choices\": 7}", "\u{0}"] {
			dec.push(junk);
		}
		assert!(!dec.done(), "{format:?}: garbage completed a stream");
		// An error event fails the stream.
		let error = match format {
			Format::Chat => r#"{"error": {"message": "overloaded"}}"#,
			Format::Messages =>
				r#"{"type": "error", "error": {"type": "overloaded_error", "message": "overloaded"}}"#,
			Format::Responses =>
				r#"{"type": "response.failed", "response": {"error": {"code": "server_error", "message": "overloaded"}}}"#,
		};
		assert_eq!(
			format.decoder().push(error),
			vec![Event::Failed("overloaded".into())],
			"{format:?}"
		);
	}
}
