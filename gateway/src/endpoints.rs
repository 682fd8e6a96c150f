//! Providers' upstream endpoints: registered by a call signed with the capsule owner's key,
//! checked against the capsule's on-chain endpoint commitment, and kept sealed
//! (ChaCha20-Poly1305 under the gateway's master key) in the store.
//!
//! The registration a provider signs (sr25519, with the account that owns the capsule) is
//! [`nexus_client::endpoint_registration_payload`]; the gateway accepts it within five minutes
//! of its timestamp, so a captured request cannot be replayed later, and only for this chain
//! and gateway.
//!
//! A version-2 registration names the upstream's wire format and model id, and must match a
//! version-2 commitment ([`nexus_primitives::endpoints`]). A version-1 registration (URL and
//! credential only, matching a version-1 commitment) is a Chat Completions upstream sent the
//! model id the seeker asked for — which is also how endpoints sealed before formats existed
//! open (their stored form lacks the two fields).

use crate::wire::Format;
use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	ChaCha20Poly1305, Key, Nonce,
};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, path::Path, sync::RwLock};

/// How far a registration's timestamp may be from the gateway's clock.
pub const REGISTRATION_WINDOW_MS: u64 = 5 * 60 * 1_000;

/// An upstream the gateway may call for a capsule.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
	/// The base URL (`…/v1`).
	pub url: String,
	/// Sent as `Authorization: Bearer <credential>` (`x-api-key` to an Anthropic upstream).
	pub credential: String,
	/// The wire format the upstream speaks (Chat Completions for a version-1 registration).
	#[serde(default)]
	pub format: Format,
	/// The model id the upstream is sent; `None` (version 1): the seeker's.
	#[serde(default)]
	pub model: Option<String>,
}

/// A registration as the admin API receives it.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
	pub capsule: u64,
	pub endpoint: String,
	pub credential: String,
	/// The upstream's wire format (version 2; with `model`).
	#[serde(default)]
	pub format: Option<String>,
	/// The upstream's model id (version 2; with `format`).
	#[serde(default)]
	pub model: Option<String>,
	pub timestamp_ms: u64,
	/// 0x-hex sr25519 signature by the capsule's owner.
	pub signature: String,
}

pub use nexus_client::endpoint_registration_payload as registration_payload;

/// The master key could not be loaded or a sealed endpoint could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
	#[error("master key {0}: {1}")]
	Key(String, String),
	#[error("a sealed endpoint does not open under this master key (capsule {0})")]
	Open(u64),
	#[error("sealing failed")]
	Seal,
}

/// Seals and opens endpoints; holds the opened ones in memory for routing.
pub struct Vault {
	cipher: ChaCha20Poly1305,
	open: RwLock<HashMap<u64, Endpoint>>,
}

impl Vault {
	/// Loads the master key from `path` (hex), creating it (mode 0600) when absent.
	pub fn load(path: &Path) -> Result<Self, SealError> {
		let named =
			|e: &dyn std::fmt::Display| SealError::Key(path.display().to_string(), e.to_string());
		let key = match std::fs::read_to_string(path) {
			Ok(text) => {
				let bytes = hex::decode(text.trim()).map_err(|e| named(&e))?;
				<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| named(&"not 32 bytes of hex"))?
			},
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				let mut key = [0u8; 32];
				getrandom::getrandom(&mut key).map_err(|e| named(&e))?;
				write_private(path, hex::encode(key).as_bytes()).map_err(|e| named(&e))?;
				key
			},
			Err(e) => return Err(named(&e)),
		};
		Ok(Self {
			cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
			open: RwLock::new(HashMap::new()),
		})
	}

	/// `nonce ‖ ciphertext` of the endpoint, bound to the capsule id.
	pub fn seal(&self, capsule: u64, endpoint: &Endpoint) -> Result<Vec<u8>, SealError> {
		let mut nonce = [0u8; 12];
		getrandom::getrandom(&mut nonce).map_err(|_| SealError::Seal)?;
		let plain = serde_json::to_vec(endpoint).map_err(|_| SealError::Seal)?;
		let aad = capsule.to_le_bytes();
		let sealed = self
			.cipher
			.encrypt(Nonce::from_slice(&nonce), Payload { msg: &plain, aad: &aad })
			.map_err(|_| SealError::Seal)?;
		Ok([nonce.as_slice(), sealed.as_slice()].concat())
	}

	/// Opens what [`Vault::seal`] made.
	pub fn unseal(&self, capsule: u64, sealed: &[u8]) -> Result<Endpoint, SealError> {
		let (nonce, body) = sealed.split_at_checked(12).ok_or(SealError::Open(capsule))?;
		let aad = capsule.to_le_bytes();
		let plain = self
			.cipher
			.decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: &aad })
			.map_err(|_| SealError::Open(capsule))?;
		serde_json::from_slice(&plain).map_err(|_| SealError::Open(capsule))
	}

	/// Makes `endpoint` the one routed to for `capsule`.
	pub fn insert(&self, capsule: u64, endpoint: Endpoint) {
		self.open.write().unwrap_or_else(|p| p.into_inner()).insert(capsule, endpoint);
	}

	/// The endpoint of `capsule`, if registered.
	pub fn get(&self, capsule: u64) -> Option<Endpoint> {
		self.open.read().unwrap_or_else(|p| p.into_inner()).get(&capsule).cloned()
	}

	/// Capsules with an endpoint.
	pub fn capsules(&self) -> Vec<u64> {
		let mut ids: Vec<u64> =
			self.open.read().unwrap_or_else(|p| p.into_inner()).keys().copied().collect();
		ids.sort_unstable();
		ids
	}
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	use std::io::Write;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	{
		use std::os::unix::fs::OpenOptionsExt;
		options.mode(0o600);
	}
	let mut f = options.open(path)?;
	f.write_all(bytes)?;
	f.sync_all()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn sealed_endpoints_open_only_for_their_capsule_and_key() {
		let dir = std::env::temp_dir().join(format!("nexus-gw-key-{}", std::process::id()));
		let _ = std::fs::remove_file(&dir);
		let vault = Vault::load(&dir).unwrap();
		let ep = Endpoint {
			url: "http://127.0.0.1:1/v1".into(),
			credential: "sk-1".into(),
			format: Format::Messages,
			model: Some("claude-opus-4-8".into()),
		};
		let sealed = vault.seal(4, &ep).unwrap();
		assert!(!sealed.windows(4).any(|w| w == b"sk-1"));
		assert_eq!(vault.unseal(4, &sealed).unwrap(), ep);
		assert!(matches!(vault.unseal(5, &sealed), Err(SealError::Open(5))));
		// The same file gives the same key; another key cannot open it.
		assert_eq!(Vault::load(&dir).unwrap().unseal(4, &sealed).unwrap(), ep);
		let other = std::env::temp_dir().join(format!("nexus-gw-key2-{}", std::process::id()));
		let _ = std::fs::remove_file(&other);
		assert!(Vault::load(&other).unwrap().unseal(4, &sealed).is_err());
		let _ = std::fs::remove_file(&dir);
		let _ = std::fs::remove_file(&other);
	}

	#[test]
	fn the_registration_payload_binds_every_field() {
		let p = registration_payload([1; 32], 0, 4, "http://e/v1", "sk", None, 1_000);
		assert_ne!(p, registration_payload([1; 32], 1, 4, "http://e/v1", "sk", None, 1_000));
		assert_ne!(p, registration_payload([1; 32], 0, 4, "http://e/v1", "sk", None, 1_001));
		assert_ne!(p, registration_payload([2; 32], 0, 4, "http://e/v1", "sk", None, 1_000));
		let wire = |f: &str, m: &str| nexus_client::Wire::new(f, m).unwrap();
		let v2 = registration_payload(
			[1; 32],
			0,
			4,
			"http://e/v1",
			"sk",
			Some(&wire("anthropic-messages", "m")),
			1_000,
		);
		assert_ne!(p, v2);
		assert_ne!(
			v2,
			registration_payload(
				[1; 32],
				0,
				4,
				"http://e/v1",
				"sk",
				Some(&wire("openai-responses", "m")),
				1_000
			)
		);
		assert_ne!(
			v2,
			registration_payload(
				[1; 32],
				0,
				4,
				"http://e/v1",
				"sk",
				Some(&wire("anthropic-messages", "n")),
				1_000
			)
		);
	}

	/// Endpoints sealed before upstream formats existed (`{url, credential}`) open as version-1
	/// ones: Chat Completions, the seeker's model id.
	#[test]
	fn endpoints_stored_before_formats_open_as_chat_completions() {
		let old: Endpoint =
			serde_json::from_str(r#"{"url":"http://127.0.0.1:1/v1","credential":"sk"}"#).unwrap();
		assert_eq!((old.format, old.model), (Format::Chat, None));
	}
}
