//! Endpoint commitments: what a capsule's on-chain `endpoint_commitment` hashes.
//!
//! A provider hands a gateway its capsule's upstream off chain; the chain holds only a hash of
//! it, so that any gateway can check that what it was handed is what the provider listed, and
//! nobody else learns the credential.
//!
//! - **Version 1** (capsules listed before upstream formats existed): blake2-256 of the SCALE
//!   encoding of `(ENDPOINT_COMMITMENT_TAG_V1, endpoint, credential)`. Such an upstream speaks
//!   OpenAI Chat Completions and is sent the model id the seeker asked for.
//! - **Version 2**: blake2-256 of the SCALE encoding of `(ENDPOINT_COMMITMENT_TAG_V2, format,
//!   endpoint, model, credential)`, where `format` is one of the [`FORMAT_TAGS`] (the wire format
//!   the upstream speaks) and `model` the upstream's own model id, which the gateway sends it.
//!
//! The two versions never collide (different tags), so a gateway tells them apart by which
//! one the registration it is handed matches.

use sp_core::H256;
use sp_runtime::traits::{BlakeTwo256, Hash};

/// The domain tag of version-1 commitments.
pub const ENDPOINT_COMMITMENT_TAG_V1: &str = "nexus-vault/endpoint/v1";
/// The domain tag of version-2 commitments.
pub const ENDPOINT_COMMITMENT_TAG_V2: &str = "nexus-vault/endpoint/v2";

/// OpenAI Chat Completions (`POST …/chat/completions`).
pub const FORMAT_CHAT_COMPLETIONS: &str = "chat-completions";
/// Anthropic Messages (`POST …/messages`).
pub const FORMAT_ANTHROPIC_MESSAGES: &str = "anthropic-messages";
/// OpenAI Responses (`POST …/responses`).
pub const FORMAT_OPENAI_RESPONSES: &str = "openai-responses";
/// Every wire format an upstream may speak.
pub const FORMAT_TAGS: [&str; 3] =
	[FORMAT_CHAT_COMPLETIONS, FORMAT_ANTHROPIC_MESSAGES, FORMAT_OPENAI_RESPONSES];

/// A version-1 commitment (a Chat Completions upstream, sent the seeker's model id).
pub fn endpoint_commitment_v1(endpoint: &str, credential: &str) -> H256 {
	use codec::Encode;
	BlakeTwo256::hash(&(ENDPOINT_COMMITMENT_TAG_V1, endpoint, credential).encode())
}

/// A version-2 commitment: the upstream's wire `format` (one of [`FORMAT_TAGS`]), base URL,
/// model id and credential.
pub fn endpoint_commitment_v2(format: &str, endpoint: &str, model: &str, credential: &str) -> H256 {
	use codec::Encode;
	BlakeTwo256::hash(&(ENDPOINT_COMMITMENT_TAG_V2, format, endpoint, model, credential).encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn versions_and_fields_are_bound() {
		let v2 = endpoint_commitment_v2(FORMAT_ANTHROPIC_MESSAGES, "https://u/v1", "m", "sk");
		assert_ne!(v2, endpoint_commitment_v2(FORMAT_OPENAI_RESPONSES, "https://u/v1", "m", "sk"));
		assert_ne!(
			v2,
			endpoint_commitment_v2(FORMAT_ANTHROPIC_MESSAGES, "https://u/v1", "n", "sk")
		);
		assert_ne!(
			v2,
			endpoint_commitment_v2(FORMAT_ANTHROPIC_MESSAGES, "https://u/v1", "m", "sl")
		);
		// A model id cannot be shifted into the endpoint (each field is length-prefixed).
		assert_ne!(
			endpoint_commitment_v2(FORMAT_CHAT_COMPLETIONS, "https://u/v1m", "", "sk"),
			endpoint_commitment_v2(FORMAT_CHAT_COMPLETIONS, "https://u/v1", "m", "sk")
		);
		assert_ne!(endpoint_commitment_v1("https://u/v1", "sk"), v2);
	}
}
