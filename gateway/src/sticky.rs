//! Conversations pinned to a capsule.
//!
//! An agent's conversation resends a long prefix every turn; the upstream that served the last
//! turn has that prefix in its prompt cache (a cache read costs about a tenth of fresh input)
//! and, for Anthropic, issued the thinking signatures the history carries. So a conversation —
//! named by what its client sends: Claude Code's `X-Claude-Code-Session-Id`, a Responses or Chat
//! request's `prompt_cache_key`, Codex's `session_id` header, Anthropic's `metadata.user_id` —
//! goes back to the capsule that served it while that capsule passes its probes and has room;
//! it moves only when that capsule fails, and then stays on the one that served instead.
//!
//! Keys are per session (two seekers sending the same key share nothing) and kept hashed; the
//! table holds at most [`MAX_CONVERSATIONS`] and forgets a conversation idle for [`IDLE`].

use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

/// Conversations remembered at most.
pub const MAX_CONVERSATIONS: usize = 100_000;
/// A conversation idle this long is forgotten (prompt caches live minutes to an hour).
pub const IDLE: Duration = Duration::from_secs(3_600);

/// Conversation → the capsule that served it last.
#[derive(Default)]
pub struct Sticky {
	pins: Mutex<HashMap<[u8; 16], (u64, Instant)>>,
}

fn key(session: u64, conversation: &str) -> [u8; 16] {
	let mut bytes = session.to_le_bytes().to_vec();
	bytes.extend_from_slice(conversation.as_bytes());
	sp_crypto_hashing::blake2_128(&bytes)
}

impl Sticky {
	/// The capsule `conversation` of `session` is pinned to.
	pub fn get(&self, session: u64, conversation: &str) -> Option<u64> {
		let pins = self.pins.lock().unwrap_or_else(|p| p.into_inner());
		pins.get(&key(session, conversation))
			.filter(|(_, at)| at.elapsed() < IDLE)
			.map(|(c, _)| *c)
	}

	/// Pins `conversation` of `session` to `capsule`.
	pub fn pin(&self, session: u64, conversation: &str, capsule: u64) {
		let mut pins = self.pins.lock().unwrap_or_else(|p| p.into_inner());
		if pins.len() >= MAX_CONVERSATIONS {
			pins.retain(|_, (_, at)| at.elapsed() < IDLE);
			if pins.len() >= MAX_CONVERSATIONS {
				// Still full of live conversations: forget the older half.
				let mut ages: Vec<Instant> = pins.values().map(|(_, at)| *at).collect();
				ages.sort_unstable();
				let cut = ages[ages.len() / 2];
				pins.retain(|_, (_, at)| *at > cut);
			}
		}
		pins.insert(key(session, conversation), (capsule, Instant::now()));
	}

	/// Conversations pinned now.
	pub fn len(&self) -> usize {
		self.pins.lock().unwrap_or_else(|p| p.into_inner()).len()
	}

	/// Whether none is pinned.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pins_are_per_session_and_bounded() {
		let s = Sticky::default();
		s.pin(1, "conv", 7);
		assert_eq!(s.get(1, "conv"), Some(7));
		assert_eq!(s.get(2, "conv"), None, "another session's conversation");
		s.pin(1, "conv", 8);
		assert_eq!(s.get(1, "conv"), Some(8), "moved after a failover");
		for i in 0..MAX_CONVERSATIONS + 10 {
			s.pin(3, &i.to_string(), 1);
		}
		assert!(s.len() <= MAX_CONVERSATIONS);
		assert_eq!(s.get(3, &(MAX_CONVERSATIONS + 9).to_string()), Some(1), "the newest stays");
	}
}
