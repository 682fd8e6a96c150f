//! Server-sent events: reading an upstream's stream into frames and writing frames.

use bytes::Bytes;
use serde_json::Value;

/// One event of a stream: its `event:` name (Anthropic and Responses send one) and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
	pub event: Option<String>,
	pub data: String,
}

impl Frame {
	/// The frame as it goes on the wire.
	pub fn to_bytes(&self) -> Bytes {
		let mut out = String::with_capacity(self.data.len() + 32);
		if let Some(e) = &self.event {
			out.push_str("event: ");
			out.push_str(e);
			out.push('\n');
		}
		for line in self.data.split('\n') {
			out.push_str("data: ");
			out.push_str(line);
			out.push('\n');
		}
		out.push('\n');
		Bytes::from(out)
	}
}

/// A frame of `data` (JSON), named `event` when given.
pub fn frame(event: Option<&str>, data: &Value) -> Bytes {
	Frame { event: event.map(Into::into), data: data.to_string() }.to_bytes()
}

/// A frame longer than the parser's bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

/// Splits a byte stream into frames: `event:` and `data:` lines up to a blank line (`\n` or
/// `\r\n` line ends; comments and other fields ignored). A frame may not exceed `max_frame`
/// bytes, so that an upstream cannot make the gateway buffer without bound.
pub struct Parser {
	buf: Vec<u8>,
	event: Option<String>,
	data: Option<String>,
	max_frame: usize,
}

impl Parser {
	pub fn new(max_frame: usize) -> Self {
		Self { buf: Vec::new(), event: None, data: None, max_frame }
	}

	/// Takes a chunk; returns the frames it completes.
	pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Frame>, TooLong> {
		self.buf.extend_from_slice(chunk);
		let mut out = Vec::new();
		while let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
			let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
			line.pop();
			if line.last() == Some(&b'\r') {
				line.pop();
			}
			let line = String::from_utf8_lossy(&line);
			if line.is_empty() {
				if let Some(data) = self.data.take() {
					out.push(Frame { event: self.event.take(), data });
				}
				self.event = None;
				continue;
			}
			let (field, value) = match line.split_once(':') {
				Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
				None => (line.as_ref(), ""),
			};
			match field {
				"event" => self.event = Some(value.to_string()),
				"data" => match &mut self.data {
					Some(d) => {
						d.push('\n');
						d.push_str(value);
					},
					None => self.data = Some(value.to_string()),
				},
				_ => {},
			}
			let held = self.data.as_ref().map_or(0, String::len);
			if held > self.max_frame {
				return Err(TooLong);
			}
		}
		if self.buf.len() > self.max_frame {
			return Err(TooLong);
		}
		Ok(out)
	}

	/// At the end of the stream: a last frame not followed by a blank line.
	pub fn finish(&mut self) -> Option<Frame> {
		if !self.buf.is_empty() {
			let rest = std::mem::take(&mut self.buf);
			let _ = self.push(&[rest.as_slice(), b"\n"].concat());
		}
		self.data.take().map(|data| Frame { event: self.event.take(), data })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn frames_split_across_chunks_and_line_ends() {
		let mut p = Parser::new(1024);
		assert!(p.push(b"event: message_start\r\ndata: {\"a\"").unwrap().is_empty());
		let f = p.push(b":1}\r\n\r\n: comment\ndata: [DONE]\n\n").unwrap();
		assert_eq!(f.len(), 2);
		assert_eq!(f[0].event.as_deref(), Some("message_start"));
		assert_eq!(f[0].data, "{\"a\":1}");
		assert_eq!((f[1].event.as_deref(), f[1].data.as_str()), (None, "[DONE]"));
		assert!(p.push(b"data: x\n").unwrap().is_empty());
		assert_eq!(p.finish().map(|f| f.data), Some("x".into()));
	}

	#[test]
	fn oversized_frames_are_refused() {
		let mut p = Parser::new(16);
		assert_eq!(p.push(&[b'a'; 17]), Err(TooLong));
		let mut p = Parser::new(16);
		assert_eq!(p.push(b"data: 0123456789\ndata: 0123456789\n"), Err(TooLong));
	}

	#[test]
	fn written_frames_read_back() {
		let bytes = frame(Some("ping"), &serde_json::json!({"type": "ping"}));
		let mut p = Parser::new(1024);
		let f = p.push(&bytes).unwrap();
		assert_eq!(
			f,
			vec![Frame { event: Some("ping".into()), data: "{\"type\":\"ping\"}".into() }]
		);
	}
}
