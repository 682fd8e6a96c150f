//! What the gateway reads from the chain, cached per best block.
//!
//! A follower task subscribes to best blocks; every new block clears the cache, so an API key
//! unbound, a session closed, a capsule paused or a tier changed takes effect at the next
//! request after the block that did it. While the node is unreachable the previous views stay
//! in force (requests keep being served and metered; receipts wait in the store).

use nexus_client::{
	rpc,
	runtime::{self},
	Client, Units,
};
use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};
use subxt::utils::{AccountId32, H256};

/// A seeker as the gateway authenticates it.
#[derive(Debug, Clone)]
pub struct Seeker {
	pub session: rpc::Session,
	pub account: AccountId32,
	pub tier: rpc::TierParams,
	/// The highest failover priority of the tier table.
	pub top_priority: u8,
	/// Units the chain counts against the tier's rate limit in the current window.
	pub used_units: u64,
}

/// Why a key does not authenticate, or why the chain could not tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
	/// No open session has this key.
	UnknownKey,
	/// The key's session belongs to another gateway.
	OtherGateway(u32),
	/// The key's session (this id) is closed or past its expiry.
	SessionEnded(u64),
	/// The node is unreachable and nothing is cached.
	Unavailable(String),
}

/// The runtime's price of one unit of each kind for a seeker, capsule and asset, scaled by
/// [`RATE_SCALE`] (four quotes of a million units each).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rates {
	pub input: u128,
	pub output: u128,
	pub cache_read: u128,
	pub cache_write: u128,
}

/// Units per rate quote.
pub const RATE_SCALE: u64 = 1_000_000;

impl Rates {
	/// The expected charge of a request of `units`: never below what settlement computes (each
	/// part is rounded up, plus one for the discount's rounding).
	pub fn estimate(&self, units: &Units) -> u128 {
		let scale = u128::from(RATE_SCALE);
		let part = |units: u64, rate: u128| u128::from(units).saturating_mul(rate).div_ceil(scale);
		part(units.input, self.input)
			.saturating_add(part(units.output, self.output))
			.saturating_add(part(units.cache_read, self.cache_read))
			.saturating_add(part(units.cache_write, self.cache_write))
			.saturating_add(1)
	}

	/// The highest price of an input unit: before the upstream answers, an estimated input unit
	/// may turn out plain, a cache read or a cache write.
	pub fn input_ceiling(&self) -> u128 {
		self.input.max(self.cache_read).max(self.cache_write)
	}

	/// What `input` estimated input units and `output` output units may cost at most.
	pub fn hold(&self, input: u64, output: u64) -> u128 {
		let ceiling = Rates { input: self.input_ceiling(), ..*self };
		ceiling.estimate(&Units { input, output, ..Default::default() })
	}

	/// Output units that `budget` still pays for after `input` estimated input units.
	pub fn affordable_output(&self, budget: u128, input: u64) -> u64 {
		let after_input = budget.saturating_sub(self.hold(input, 0));
		if self.output == 0 {
			return u64::MAX;
		}
		let units = after_input.saturating_mul(u128::from(RATE_SCALE)) / self.output;
		u64::try_from(units).unwrap_or(u64::MAX)
	}
}

#[derive(Default)]
struct Views {
	seekers: HashMap<[u8; 32], Result<Arc<Seeker>, AuthError>>,
	capsules: Option<Arc<Vec<rpc::Capsule>>>,
	offerings: Option<Arc<Vec<rpc::Offering>>>,
	tiers: Option<Arc<Vec<rpc::TierParams>>>,
	rates: HashMap<([u8; 32], u64, String), Rates>,
}

/// How long without a best block before the node counts as gone.
pub const BLOCK_SILENCE: Duration = Duration::from_secs(30);

/// How long a request waits, after a start, for the follower's first best block.
pub const FIRST_BLOCK_WAIT: Duration = Duration::from_secs(10);

/// Entries kept for the node's absences.
const MAX_STALE: usize = 10_000;

/// What was read at the best block (`fresh`), and what was read before it (`stale`: used only
/// while the node cannot answer).
#[derive(Default)]
struct Cache {
	block: Option<(H256, u64)>,
	fresh: Views,
	stale: Views,
}

impl Views {
	/// Overlays `newer` on `self`, forgetting everything older once it holds more than
	/// [`MAX_STALE`] keys or rates (the fallback is bounded).
	fn absorb(&mut self, newer: Views) {
		if self.seekers.len() > MAX_STALE || self.rates.len() > MAX_STALE {
			self.seekers.clear();
			self.rates.clear();
		}
		self.seekers.extend(newer.seekers);
		self.rates.extend(newer.rates);
		if newer.capsules.is_some() {
			self.capsules = newer.capsules;
		}
		if newer.tiers.is_some() {
			self.tiers = newer.tiers;
		}
		if newer.offerings.is_some() {
			self.offerings = newer.offerings;
		}
	}
}

/// The chain as the gateway sees it.
pub struct Chain {
	pub client: Client,
	pub genesis: H256,
	pub gateway: u32,
	/// Blocks per usage window (`metering.UsageWindow`).
	pub usage_window: u64,
	cache: Mutex<Cache>,
	connected: AtomicBool,
	/// The best block the follower took last.
	best: AtomicU64,
}

fn unavailable(e: impl std::fmt::Display) -> AuthError {
	AuthError::Unavailable(e.to_string())
}

impl Chain {
	/// Connects and reads what does not change.
	pub async fn connect(url: &str, gateway: u32) -> Result<Arc<Self>, nexus_client::Error> {
		let client = Client::connect(url).await?;
		let genesis = client.api().genesis_hash();
		let at = client.api().at_current_block().await.map_err(|e| sx(e.into()))?;
		let usage_window = at
			.constants()
			.entry(runtime::constants().metering().usage_window())
			.map_err(|e| sx(e.into()))?;
		Ok(Arc::new(Self {
			client,
			genesis,
			gateway,
			usage_window: u64::from(usage_window).max(1),
			cache: Mutex::new(Cache::default()),
			connected: AtomicBool::new(true),
			best: AtomicU64::new(0),
		}))
	}

	/// Whether best blocks are arriving (one within [`BLOCK_SILENCE`]).
	pub fn connected(&self) -> bool {
		self.connected.load(Ordering::Relaxed)
	}

	/// The best block number the follower took last.
	pub fn best(&self) -> u64 {
		self.best.load(Ordering::Relaxed)
	}

	fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
		self.cache.lock().unwrap_or_else(|p| p.into_inner())
	}

	/// Follows best blocks for ever, clearing the cache at each. A stream that errs, or brings
	/// no block for [`BLOCK_SILENCE`] (a node gone away: the websocket reconnects by itself, but
	/// a subscription may stall), is dropped and the node asked again.
	pub async fn follow(self: Arc<Self>, on_block: impl Fn(u64)) {
		loop {
			// A (re)started subscription first reports blocks the node already had (from
			// genesis or an old finalized block on) before its head: reading a key there would
			// refuse a key bound since (401). So each subscription takes blocks only from the
			// node's head at the time it starts; after that, every best block it reports (a
			// node that came back with a lower head, or a reorg, included).
			let head = match self.client.best_number().await {
				Ok(n) => u64::from(n),
				Err(e) => {
					tracing::warn!(target: "gateway::chain", "cannot read the node's head: {e}");
					self.connected.store(false, Ordering::Relaxed);
					tokio::time::sleep(Duration::from_secs(1)).await;
					continue;
				},
			};
			let mut at_head = false;
			match self.client.api().stream_best_blocks().await {
				Ok(mut blocks) => loop {
					match tokio::time::timeout(BLOCK_SILENCE, blocks.next()).await {
						Ok(Some(Ok(b))) => {
							let (hash, number) = (b.hash(), b.number());
							if !at_head && number < head {
								continue;
							}
							at_head = true;
							self.best.store(number, Ordering::Relaxed);
							self.connected.store(true, Ordering::Relaxed);
							let mut cache = self.cache();
							let fresh = std::mem::take(&mut cache.fresh);
							cache.stale.absorb(fresh);
							cache.block = Some((hash, number));
							drop(cache);
							on_block(number);
						},
						Ok(Some(Err(e))) => {
							tracing::warn!(target: "gateway::chain", "block stream: {e}");
							break;
						},
						Ok(None) => break,
						Err(_) => {
							tracing::warn!(target: "gateway::chain", "no block for {BLOCK_SILENCE:?}: resubscribing");
							break;
						},
					}
				},
				Err(e) => tracing::warn!(target: "gateway::chain", "cannot follow blocks: {e}"),
			}
			self.connected.store(false, Ordering::Relaxed);
			tokio::time::sleep(Duration::from_secs(1)).await;
		}
	}

	/// The best block the follower has taken (see [`Chain::follow`]). Reads happen only there,
	/// at a block of the client's own subscription. Right after a start, until the follower has
	/// reached the node's head (at most [`FIRST_BLOCK_WAIT`]), requests wait; after that they are
	/// refused as unavailable (503), never as an unknown key.
	async fn best_block(&self) -> Result<(H256, u64), AuthError> {
		let deadline = tokio::time::Instant::now() + FIRST_BLOCK_WAIT;
		loop {
			if let Some(b) = self.cache().block {
				return Ok(b);
			}
			if tokio::time::Instant::now() >= deadline {
				return Err(unavailable("not following the chain yet: no best block received"));
			}
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
	}

	/// The seeker whose API key hashes to `key_hash`, at the best block.
	pub async fn seeker(&self, key_hash: [u8; 32]) -> Result<Arc<Seeker>, AuthError> {
		if let Some(found) = self.cache().fresh.seekers.get(&key_hash) {
			return found.clone();
		}
		let found = self.load_seeker(key_hash).await;
		if let Err(AuthError::Unavailable(_)) = found {
			return self.cache().stale.seekers.get(&key_hash).cloned().unwrap_or(found);
		}
		let mut cache = self.cache();
		// Unknown keys are remembered too (one chain read per key per block), but only up to
		// [`MAX_STALE`] per block: a client trying many random keys cannot grow the cache.
		if found.is_ok() || cache.fresh.seekers.len() < MAX_STALE {
			cache.fresh.seekers.insert(key_hash, found.clone());
		}
		drop(cache);
		found
	}

	async fn load_seeker(&self, key_hash: [u8; 32]) -> Result<Arc<Seeker>, AuthError> {
		let (hash, number) = self.best_block().await?;
		let at = self
			.client
			.api()
			.at_block_hash_and_number(hash, number)
			.await
			.map_err(unavailable)?;
		let session: u64 = match at
			.storage()
			.try_fetch(runtime::storage().metering().api_keys(), (H256(key_hash),))
			.await
			.map_err(unavailable)?
		{
			Some(v) => v.decode().map_err(unavailable)?,
			None => return Err(AuthError::UnknownKey),
		};
		let session = match self.client.session(session).await {
			Ok(s) => s,
			Err(nexus_client::Error::Rpc { code: 9011, .. }) => return Err(AuthError::UnknownKey),
			Err(e) => return Err(unavailable(e)),
		};
		if session.gateway != self.gateway {
			return Err(AuthError::OtherGateway(session.gateway));
		}
		if session.closed.is_some() || u64::from(session.expires_at) <= number {
			return Err(AuthError::SessionEnded(session.id));
		}
		let account = nexus_client::parse_account(&session.seeker).map_err(unavailable)?;
		let tier = self.client.tier(&account).await.map_err(unavailable)?.tier;
		let top_priority =
			self.tiers().await?.iter().map(|t| t.failover_priority).max().unwrap_or(0);
		let (window_start, units): (u32, u64) = match at
			.storage()
			.try_fetch(runtime::storage().metering().usage(), (account,))
			.await
			.map_err(unavailable)?
		{
			Some(v) => v.decode().map_err(unavailable)?,
			None => (0, 0),
		};
		let current = number / self.usage_window * self.usage_window;
		let used_units = if u64::from(window_start) == current { units } else { 0 };
		Ok(Arc::new(Seeker { session, account, tier, top_priority, used_units }))
	}

	/// The tier table.
	pub async fn tiers(&self) -> Result<Arc<Vec<rpc::TierParams>>, AuthError> {
		if let Some(t) = self.cache().fresh.tiers.clone() {
			return Ok(t);
		}
		let t = match self.client.tier_table().await {
			Ok(t) => Arc::new(t),
			Err(e) => return self.cache().stale.tiers.clone().ok_or_else(|| unavailable(e)),
		};
		self.cache().fresh.tiers = Some(t.clone());
		Ok(t)
	}

	/// Active capsules, at the best block.
	pub async fn capsules(&self) -> Result<Arc<Vec<rpc::Capsule>>, AuthError> {
		if let Some(c) = self.cache().fresh.capsules.clone() {
			return Ok(c);
		}
		let filter = rpc::CapsuleQuery { status: Some("active".into()), ..Default::default() };
		let c = match self.client.all_capsules(&filter).await {
			Ok(c) => Arc::new(c),
			Err(e) => return self.cache().stale.capsules.clone().ok_or_else(|| unavailable(e)),
		};
		self.cache().fresh.capsules = Some(c.clone());
		Ok(c)
	}

	/// The listed offerings with their model aliases, at the best block. A runtime without
	/// the list (`CapsulesApi` before version 2) has no aliases: an empty list.
	pub async fn offerings(&self) -> Result<Arc<Vec<rpc::Offering>>, AuthError> {
		if let Some(o) = self.cache().fresh.offerings.clone() {
			return Ok(o);
		}
		let o = match self.client.offerings().await {
			Ok(o) => Arc::new(o),
			Err(nexus_client::Error::Rpc { .. }) => Arc::new(Vec::new()),
			Err(e) => return self.cache().stale.offerings.clone().ok_or_else(|| unavailable(e)),
		};
		self.cache().fresh.offerings = Some(o.clone());
		Ok(o)
	}

	/// The offering a seeker's model id names: the id itself, or the offering it is a
	/// governance-curated alias of (`claude-opus-4-8` → `claude-opus`).
	pub async fn offering_of(&self, model: &str) -> Result<String, AuthError> {
		let offerings = self.offerings().await?;
		Ok(offerings
			.iter()
			.find(|o| o.id != model && o.aliases.iter().any(|a| a == model))
			.map_or_else(|| model.to_string(), |o| o.id.clone()))
	}

	/// The runtime's per-unit rates for `seeker` on `capsule` in `asset`.
	pub async fn rates(
		&self,
		seeker: &AccountId32,
		capsule: u64,
		asset: &str,
	) -> Result<Rates, AuthError> {
		let key = (seeker.0, capsule, asset.to_string());
		if let Some(r) = self.cache().fresh.rates.get(&key) {
			return Ok(*r);
		}
		let quote = |units: Units| self.client.quote_units(seeker, capsule, units, asset);
		let one = Units::default();
		let quotes = futures::future::try_join4(
			quote(Units { input: RATE_SCALE, ..one }),
			quote(Units { output: RATE_SCALE, ..one }),
			quote(Units { cache_read: RATE_SCALE, ..one }),
			quote(Units { cache_write: RATE_SCALE, ..one }),
		)
		.await;
		let (qi, qo, qr, qw) = match quotes {
			Ok(q) => q,
			Err(e) =>
				return self.cache().stale.rates.get(&key).copied().ok_or_else(|| unavailable(e)),
		};
		let rates = Rates {
			input: qi.net.parse().map_err(unavailable)?,
			output: qo.net.parse().map_err(unavailable)?,
			cache_read: qr.net.parse().map_err(unavailable)?,
			cache_write: qw.net.parse().map_err(unavailable)?,
		};
		self.cache().fresh.rates.insert(key, rates);
		Ok(rates)
	}

	/// One capsule (any status), at the best block.
	pub async fn capsule(&self, id: u64) -> Result<Option<rpc::Capsule>, AuthError> {
		match self.client.capsule(id).await {
			Ok(c) => Ok(Some(c)),
			Err(nexus_client::Error::Rpc { code: 9010, .. }) => Ok(None),
			Err(e) => Err(unavailable(e)),
		}
	}
}

fn sx(e: subxt::Error) -> nexus_client::Error {
	nexus_client::Error::Subxt(Box::new(e))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn estimates_round_up_and_budget_output() {
		// 0.0018 per input unit, 0.009 per output unit (scaled by a million).
		let r = Rates { input: 1_800_000, output: 9_000_000, ..Default::default() };
		let units = |input, output| Units { input, output, ..Default::default() };
		assert_eq!(r.estimate(&units(1_000, 1_000)), 1_800 + 9_000 + 1);
		assert_eq!(r.estimate(&units(1, 0)), 2 + 1);
		// 10,000 after 1,000 input units (1,801) leaves 8,199 → 911 output units.
		assert_eq!(r.affordable_output(10_000, 1_000), 911);
		assert_eq!(r.affordable_output(100, 1_000), 0);
		// Cache reads at a tenth, writes at 1.25×: metered apart, and the hold prices every
		// estimated input unit as the dearest kind.
		let r = Rates { cache_read: 180_000, cache_write: 2_250_000, ..r };
		let cached = Units { input: 10, output: 0, cache_read: 1_000, cache_write: 0 };
		assert_eq!(r.estimate(&cached), 18 + 180 + 1);
		assert_eq!(r.hold(1_000, 0), 2_250 + 1);
		assert_eq!(r.affordable_output(10_000, 1_000), (10_000 - 2_251) * 1_000_000 / 9_000_000);
	}
}
