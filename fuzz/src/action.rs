//! What an input says: a SCALE stream of [`Action`]s.

use codec::{Decode, DecodeLimit, Encode};
use nexus_runtime::RuntimeCall;
use sp_keyring::Sr25519Keyring;

/// Actions taken from one input at most: inputs stay fast, the fuzzer explores breadth.
pub const MAX_ACTIONS: usize = 48;
/// How deep a decoded call may nest (`utility.batch` of `proxy.proxy` of …).
pub const MAX_CALL_DEPTH: u32 = 16;
/// The largest scale of an [`Action::Jump`]: jumps reach up to 2^19 − 1 blocks (about 36 days of
/// 6 s blocks: the 7-day unbonding and bond release, the 1-day price staleness, 7-day vote locks).
/// A jump costs one executed block per session boundary (every 2,400 blocks), so longer ones
/// would cost more than the input's [`crate::chain::MAX_BLOCKS`] anyway.
pub const MAX_JUMP_SCALE: u8 = 18;
/// How far back (or, for the top bit, forward) a receipt's timestamp may be set from chain time.
const RECEIPT_AGE_RANGE_MS: u64 = 7 * 3_600_000;
const RECEIPT_SKEW_RANGE_MS: u64 = 300_000;

/// The signers: the development preset's endowed accounts, plus the vesting team and investor
/// accounts. //Alice is a validator's controller and (in `development`) the sudo key and the
/// USDN owner; //Bob and //Charlie own the demo capsules; //Dave operates gateway 0.
pub const SIGNERS: [Sr25519Keyring; 8] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
	Sr25519Keyring::One,
	Sr25519Keyring::Two,
];

/// One step of an input.
#[derive(Encode, Decode, Debug, Clone)]
pub enum Action {
	/// `call`, signed by `SIGNERS[origin % 8]`.
	#[codec(index = 0)]
	Call { origin: u8, call: RuntimeCall },
	// Index 1 was version-1 receipts (`submit_receipts`, retired): inputs of the corpus that
	// hold one stop decoding there. The other indices stay, so the rest still decode as before.
	/// Ends the block; the next one is `blocks + 1` numbers and `blocks + 1 + 10 × minutes`
	/// slots later (`blocks: 0, minutes: 0` is the next block). The blocks in between are
	/// skipped, except those a live chain could not skip (see [`crate::chain`]'s stops).
	#[codec(index = 2)]
	Advance { blocks: u8, minutes: u16 },
	/// [`Action::Advance`] over long windows (7-day unbonding and bond release, 1-day price
	/// staleness, vote locks …): [`Action::jump_blocks`] blocks, `minutes` of slots on top. The
	/// length is encoded on a log scale, so that the lengths random mutations make are spread
	/// over every scale instead of mostly the longest (a long jump costs its session stops).
	#[codec(index = 3)]
	Jump { scale: u8, fraction: u32, minutes: u16 },
	/// `metering.submit_batch(batch, signature)` (receipt batches v2) sent by
	/// `SIGNERS[origin % 8]`, signed by gateway 0's key (//Dave) or, when `forged`, by //Eve.
	/// The batch's `time_ms` is read as an offset from chain time (see [`receipt_time`]).
	#[codec(index = 4)]
	Batch { origin: u8, batch: pallet_metering::BatchOf<nexus_runtime::Runtime>, forged: bool },
	/// Takes back receipt `index` (mod the leaves) of the last batch settled in this input, by
	/// its leaf and proof as the gateway serves them: `metering.roll_back` when `roll_back`,
	/// else `metering.dispute_receipt`, sent by `SIGNERS[origin % 8]` (Dave operates gateway 0;
	/// the receipt's seeker disputes it). Skipped when no batch has settled yet.
	#[codec(index = 5)]
	Evidence { origin: u8, index: u16, roll_back: bool },
}

impl Action {
	/// A [`Action::Jump`] of `blocks` (at least 1, below 2^19) blocks, the canonical encoding.
	pub fn jump(blocks: u32, minutes: u16) -> Self {
		let scale = u8::try_from(blocks.max(1).ilog2()).unwrap_or(MAX_JUMP_SCALE);
		let fraction = blocks - (1 << scale);
		Action::Jump { scale, fraction, minutes }
	}

	/// The blocks a [`Action::Jump`] of `scale` and `fraction` skips: `2^k + fraction mod 2^k`,
	/// `k = scale mod (MAX_JUMP_SCALE + 1)`: every length from 1 to 2^19 − 1.
	pub fn jump_blocks(scale: u8, fraction: u32) -> u32 {
		let k = u32::from(scale % (MAX_JUMP_SCALE + 1));
		(1u32 << k) + fraction % (1u32 << k)
	}
}

/// Decodes an input into actions: a SCALE stream, read until it no longer decodes.
pub fn decode_actions(mut data: &[u8]) -> Vec<Action> {
	let mut out = Vec::new();
	while out.len() < MAX_ACTIONS && !data.is_empty() {
		match Action::decode_with_depth_limit(MAX_CALL_DEPTH, &mut data) {
			Ok(a) => out.push(a),
			Err(_) => break,
		}
	}
	out
}

/// Encodes actions as an input.
pub fn encode_actions(actions: &[Action]) -> Vec<u8> {
	actions.iter().flat_map(Encode::encode).collect()
}

/// Whether `call` could be dispatched by a signed account of a live chain: everything except
/// sudo, Root-track referenda and the USDN owner's administrative calls, looking inside the
/// calls that wrap calls.
pub fn allowed(call: &RuntimeCall) -> bool {
	use pallet_assets::Call as A;
	use pallet_multisig::Call as M;
	use pallet_proxy::Call as P;
	use pallet_utility::Call as U;
	match call {
		RuntimeCall::Sudo(_) => false,
		RuntimeCall::Referenda(pallet_referenda::Call::submit { proposal_origin, .. }) =>
			!matches!(
				**proposal_origin,
				nexus_runtime::OriginCaller::system(frame_system::RawOrigin::Root)
			),
		RuntimeCall::Assets(c) => matches!(
			c,
			A::transfer { .. } |
				A::transfer_keep_alive { .. } |
				A::transfer_all { .. } |
				A::approve_transfer { .. } |
				A::cancel_approval { .. } |
				A::transfer_approved { .. } |
				A::touch { .. } |
				A::refund { .. }
		),
		RuntimeCall::Utility(c) => match c {
			U::batch { calls } | U::batch_all { calls } | U::force_batch { calls } =>
				calls.iter().all(allowed),
			U::as_derivative { call, .. } |
			U::dispatch_as { call, .. } |
			U::with_weight { call, .. } |
			U::dispatch_as_fallible { call, .. } => allowed(call),
			U::if_else { main, fallback } => allowed(main) && allowed(fallback),
			_ => true,
		},
		RuntimeCall::Proxy(P::proxy { call, .. } | P::proxy_announced { call, .. }) =>
			allowed(call),
		RuntimeCall::Multisig(M::as_multi { call, .. } | M::as_multi_threshold_1 { call, .. }) =>
			allowed(call),
		_ => true,
	}
}

/// A receipt's timestamp as the harness sets it: `now − (t mod 7 h)`, or, when the top bit of
/// `t` is set, `now + (t mod 5 min)` (ahead of chain time, beyond the clock-skew allowance for
/// some).
pub fn receipt_time(now_ms: u64, t: u64) -> u64 {
	if t >> 63 == 1 {
		now_ms.saturating_add(t % RECEIPT_SKEW_RANGE_MS)
	} else {
		now_ms.saturating_sub(t % RECEIPT_AGE_RANGE_MS)
	}
}
