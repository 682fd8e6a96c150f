//! # Metering
//!
//! Settlement: gateways post signed usage receipts and the runtime turns each into money moving,
//! exactly and at most once.
//!
//! ## Overview
//!
//! ### Terminology
//! - **Gateway**: an operator account and an sr25519 signing key, registered by governance with an
//!   NXV bond. It routes seekers' requests to capsules off chain and posts receipts.
//! - **Escrow**: what a seeker has deposited per payment asset (NXV or the stable asset). It sits
//!   in this pallet's account; `free` can be withdrawn, `committed` backs sessions.
//! - **Session**: what a seeker lets one gateway charge: an asset, a spend cap (committed from
//!   escrow when the session opens) and an expiry block. The seeker closes it when done; the
//!   unspent cap returns to free escrow [`Config::SettlementGrace`] blocks after the close or the
//!   expiry, so receipts in flight can still arrive and nothing is ever stuck: the release happens
//!   by itself in `on_idle`, or by anyone's `release_session`, or on `withdraw`.
//! - **API key**: how a seeker's requests reach its session without any user database. The seeker
//!   binds `blake2_256(key)` to an open session ([`Pallet::bind_api_key`]); a gateway hashes the
//!   bearer key of each request and finds the session in [`ApiKeys`], chain state it follows block
//!   by block. One key per session (binding another rotates it), one session per key; the binding
//!   ends when the session is closed or released.
//! - **Receipt**: one request, reported by the gateway in a signed batch: its session and sequence
//!   number in that session, the capsule, four unit counts (input, output, cache read, cache
//!   write), the outcome (served / failed) and the gateway's time.
//!
//! ### Settlement of a batch (`submit_batch`)
//! [`nexus_primitives::receipts`] defines the format, its signing payload and its commitment, for
//! the pallet, the gateway and the clients alike. Receipts come grouped by session:
//! `(session, first_seq, receipts…)`, with a capsule table per batch and, per receipt, an
//! outcome, a capsule index, four compact unit counts and an age against the batch's time. One
//! signature of the gateway's key covers the batch, bound to the genesis hash; a bad signature
//! or a malformed batch fails the call before anything is written. Then every receipt of an
//! accepted group gets its own verdict, and one bad receipt never sinks the others:
//! - **served**: priced by [`Pallet::price`] — list price from the capsule's four prices, the
//!   discount `min(asset discount + tier discount, max)`, the net converted into the session's
//!   asset and split by the fee parameters (docs/token-model.md, "The formula"; the maths is
//!   [`nexus_primitives::settlement`]) — and charged from the session's committed escrow: the
//!   provider, treasury, buyback pot, validator reward pot and reserve are credited;
//! - **failed** (the upstream failed): nothing is charged; the capsule's trust falls;
//! - otherwise **rejected** with a [`nexus_primitives::receipts::Rejection`] (expired, in the
//!   future, session closed or expired, capsule unknown or inactive, lane not allowed, zero units,
//!   over the session's cap or the tier's usage cap, no price for the asset).
//!
//! - **Replay protection by dense sequence numbers.** A group is accepted only if `first_seq` is
//!   its session's last sequence number + 1 (else it is refused whole: `Replayed`, `SequenceGap`,
//!   `UnknownSession`, `WrongGateway`), and every receipt of an accepted group consumes its number,
//!   settled, recorded or rejected. Each `(session, seq)` is judged once, ever, and the chain keeps
//!   one number per session instead of one entry per receipt. A receipt's time must lie within
//!   [`Config::ReceiptWindowMs`] of chain time (and at most [`Config::ClockSkewMs`] ahead), and a
//!   session's receipts can never settle after the session is released (ids are never reused).
//! - **One read and one write per key per batch.** The capsule table's terms, each session, each
//!   seeker's tier terms, usage and escrow, each asset's rate and the fee parameters are read once;
//!   every receipt is judged in memory and its legs summed per destination; then each item is
//!   written once, and the usage programmes (buyback, emissions) hear of each seeker's and each
//!   provider's sum once. The call's weight is that of the receipts judged.
//! - **Every receipt stays disputable.** The chain commits to the judged receipts: one leaf per
//!   receipt (session, sequence number, seeker, asset, capsule, provider, units, outcome, time,
//!   verdict, charge and provider amount) in a binary Merkle tree whose root is kept in
//!   [`Commitments`] for the dispute window (plus the clock skew), then pruned in `on_idle`. The
//!   gateway rolls a settled receipt back (`roll_back`) and a seeker disputes one
//!   (`dispute_receipt`) with its leaf and proof; one [`Marks`] entry per leaf stops a second
//!   rollback or dispute of the same receipt.
//! - **One event per batch** ([`Event::BatchSettled`]): the fee parameters, each capsule's provider
//!   and prices, each accepted group's sequence range, seeker, asset, discount and spend, each
//!   asset's rate and legs, the rejected receipts and the refused groups. With the batch this
//!   rebuilds every leaf and every charge exactly
//!   ([`nexus_primitives::receipts::Settlement::leaves`]).
//!
//! ### Usage history and replay
//! Each batch also files what its served receipts paid into the day's usage history
//! ([`UsageDays`]): per payment asset, tier discount and fee regime (the block the fee
//! parameters in force were enacted at), the receipts, their units, the sum of their list prices
//! and what they paid with every leg; 90 days are kept ([`Config::UsageHistoryDays`]), a day
//! holds at most [`Config::MaxUsageLines`] lines. The `replay` runtime API re-prices a window
//! under proposed fee parameters with [`nexus_primitives::settlement::price_list`], the part of
//! the pricing function fee parameters act on (see `history.rs` and docs/dashboard.md).
//!
//! ### Usage caps
//! A seeker's served units (input, output and cache writes) per [`Config::UsageWindow`] blocks
//! are capped by its tier's rate limit (from the tiers pallet).
//!
//! ### Disputes
//! A seeker may dispute a charge within [`Config::DisputeWindowMs`] of its receipt's time,
//! holding [`Config::DisputeDeposit`]. [`Config::DisputeOrigin`] rules: upheld against the
//! provider or the gateway, the reserve refunds the seeker and the provider's capsule bond or the
//! gateway's bond is slashed into the reserve; rejected, the deposit goes to the reserve.
//!
//! ## Storage version and migrations
//!
//! Storage version 2. [`migrations`] lists each version and what changed. v1 → v2
//! ([`migrations::v2::MigrateV1ToV2`]) retires version-1 receipts (`submit_receipts`, receipt
//! ids remembered per receipt for the window): their ids are deleted by `on_idle` a bounded number
//! a block; disputes opened under version 1 stay open and `resolve_dispute` rules them.
//! `scripts/upgrade-check.sh` rehearses every upgrade on a snapshot of a running chain.
//!
//! ## Code layout
//! One file per subsystem: `gateways`, `escrow`, `sessions`, `pricing`, `settlement` (the batch,
//! and the in-memory ledgers it writes back once), `history` (the usage history and its
//! replay), `disputes` (commitments, rollbacks, disputes and rulings), `invariants`
//! (`try_state`); the tests follow the same split.
//!
//! ## Pallet API
//! Governance: `register_gateway`, `rotate_gateway_key`, `resume_gateway`, `remove_gateway`
//! ([`Config::AdminOrigin`]), `suspend_gateway` ([`Config::EmergencyOrigin`]),
//! `resolve_receipt_dispute` and `resolve_dispute` (version-1 disputes)
//! ([`Config::DisputeOrigin`]). Seekers: `deposit`, `withdraw`, `open_session`, `bind_api_key`,
//! `unbind_api_key`, `close_session`, `dispute_receipt`. Gateways: `submit_batch`, `roll_back`,
//! `report_uptime`. Anyone: `release_session`. Runtime API: [`runtime_api::MeteringApi`].

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod disputes;
mod escrow;
mod gateways;
mod history;
mod invariants;
pub mod migrations;
mod pricing;
pub mod runtime_api;
mod sessions;
mod settlement;
pub mod types;
pub mod weights;

pub use settlement::{BatchShape, SettledBatch};

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// What benchmarks need from the runtime: capsules they cannot create generically.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers an Active standard-lane capsule for `provider` (funding it); returns its id.
	fn register_capsule(provider: &AccountId) -> u64;
}

// The FRAME macros expand to code with `expect` on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate as FnMutate, MutateHold},
			fungibles, BuildGenesisConfig, UnixTime,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use nexus_primitives::traits::{
		CapsuleBondSlash, CapsuleHealth, CapsuleRegistry, FeeDestinations, FeePolicy, ReserveFund,
		TierProvider, UsageObserver,
	};
	use sp_core::sr25519;
	use sp_runtime::{traits::Zero, Permill};

	/// A receipt batch of this pallet.
	pub type BatchOf<T> = nexus_primitives::receipts::ReceiptBatch<
		<T as Config>::MaxBatchCapsules,
		<T as Config>::MaxBatchSessions,
		<T as Config>::MaxGroupReceipts,
	>;

	/// A receipt's leaf in its batch's commitment, in this pallet's types.
	pub type LeafOf<T> = nexus_primitives::receipts::Leaf<
		<T as frame_system::Config>::AccountId,
		<T as Config>::AssetKind,
	>;

	/// A session of this pallet.
	pub type SessionOf<T> = Session<
		<T as frame_system::Config>::AccountId,
		<T as Config>::AssetKind,
		BlockNumberFor<T>,
	>;
	/// A charge record of this pallet.
	pub type ChargeOf<T> = Charge<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind>;
	/// A dispute of this pallet.
	pub type DisputeOf<T> =
		Dispute<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind>;

	/// The current storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds NXV.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A gateway's bond.
		GatewayBond,
		/// A session's storage deposit.
		SessionDeposit,
		/// A dispute's deposit.
		DisputeDeposit,
	}

	/// Configuration of the metering pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// A payment asset's identifier.
		type AssetKind: Parameter + MaxEncodedLen + Ord;
		/// NXV and the stable asset, as one `fungibles` (escrow and settlement transfers).
		type Assets: fungibles::Mutate<Self::AccountId, AssetId = Self::AssetKind, Balance = u128>;
		/// NXV as a payment asset.
		type NativeAsset: Get<Self::AssetKind>;
		/// NXV, in which bonds and deposits are held.
		type Currency: MutateHold<Self::AccountId, Balance = u128, Reason = Self::RuntimeHoldReason>
			+ FnMutate<Self::AccountId>;
		/// Chain time, to judge receipts' gateway time.
		type Time: UnixTime;
		/// The capsule registry: terms, trust and bonds.
		type Capsules: CapsuleRegistry<Self::AccountId>
			+ CapsuleHealth<u64>
			+ CapsuleBondSlash<Self::AccountId, u128>;
		/// Seekers' tiers: discount, usage cap, lanes.
		type Tiers: TierProvider<Self::AccountId>;
		/// Fee parameters, conversion and the flow ledger.
		type Policy: FeePolicy<Self::AssetKind>;
		/// Where the protocol's legs go.
		type Destinations: FeeDestinations<Self::AccountId>;
		/// The reserve that pays refunds.
		type Reserve: ReserveFund<Self::AccountId, Self::AssetKind>;
		/// The programmes rewarding settled usage (rebates, milestone emissions): told each
		/// batch's spend per seeker and provider, and every refund.
		type Usage: UsageObserver<Self::AccountId>;
		/// The escrow account's id.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Who registers, rotates, resumes and removes gateways.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Who may suspend a gateway in an emergency.
		type EmergencyOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Who rules on disputes.
		type DisputeOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The least bond a gateway holds.
		#[pallet::constant]
		type MinGatewayBond: Get<u128>;
		/// NXV held per open session.
		#[pallet::constant]
		type SessionDeposit: Get<u128>;
		/// NXV held per open dispute.
		#[pallet::constant]
		type DisputeDeposit: Get<u128>;
		/// The most receipts in one batch.
		#[pallet::constant]
		type MaxBatchReceipts: Get<u32>;
		/// The most sessions (groups) in one batch.
		#[pallet::constant]
		type MaxBatchSessions: Get<u32>;
		/// The most receipts of one session in one batch.
		#[pallet::constant]
		type MaxGroupReceipts: Get<u32>;
		/// The most capsules in one batch's capsule table.
		#[pallet::constant]
		type MaxBatchCapsules: Get<u32>;
		/// The most sessions a seeker has at once (open or awaiting release).
		#[pallet::constant]
		type MaxSessionsPerSeeker: Get<u32>;
		/// The longest a session may run.
		#[pallet::constant]
		type MaxSessionDuration: Get<BlockNumberFor<Self>>;
		/// Blocks after a close or expiry during which receipts in flight still settle.
		#[pallet::constant]
		type SettlementGrace: Get<BlockNumberFor<Self>>;
		/// The length of a usage-cap window, in blocks.
		#[pallet::constant]
		type UsageWindow: Get<BlockNumberFor<Self>>;
		/// How old (ms) a receipt's gateway time may be when its batch settles.
		#[pallet::constant]
		type ReceiptWindowMs: Get<u64>;
		/// How far (ms) a receipt's gateway time may run ahead of chain time.
		#[pallet::constant]
		type ClockSkewMs: Get<u64>;
		/// How long (ms after the receipt's gateway time) a charge can be disputed.
		#[pallet::constant]
		type DisputeWindowMs: Get<u64>;
		/// Days of usage history kept for replays ([`UsageDays`]).
		#[pallet::constant]
		type UsageHistoryDays: Get<u32>;
		/// The most lines (payment asset × tier discount) one day of usage history files.
		#[pallet::constant]
		type MaxUsageLines: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Creates capsules and tiers for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The next gateway id.
	#[pallet::storage]
	pub type NextGatewayId<T> = StorageValue<_, GatewayId, ValueQuery>;

	/// Registered gateways.
	// Hasher: Twox64Concat: sequential ids, not chosen by users.
	#[pallet::storage]
	pub type Gateways<T: Config> =
		StorageMap<_, Twox64Concat, GatewayId, Gateway<T::AccountId>, OptionQuery>;

	/// The gateway each operator runs (one per operator).
	// Hasher: Blake2_128Concat: accounts are user-chosen keys.
	#[pallet::storage]
	pub type GatewayOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, GatewayId, OptionQuery>;

	/// Seekers' escrow per asset.
	// Hasher: Blake2_128Concat for the user-chosen account; Blake2_128Concat for the asset.
	#[pallet::storage]
	pub type Escrow<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AssetKind,
		EscrowLedger,
		ValueQuery,
	>;

	/// The next session id.
	#[pallet::storage]
	pub type NextSessionId<T> = StorageValue<_, SessionId, ValueQuery>;

	/// Sessions, open or awaiting release.
	// Hasher: Twox64Concat: sequential ids.
	#[pallet::storage]
	pub type Sessions<T: Config> =
		StorageMap<_, Twox64Concat, SessionId, SessionOf<T>, OptionQuery>;

	/// Each seeker's sessions.
	// Hasher: Blake2_128Concat: user-chosen keys.
	#[pallet::storage]
	pub type SeekerSessions<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<SessionId, T::MaxSessionsPerSeeker>,
		ValueQuery,
	>;

	/// The API key bound to a session, as `blake2_256(key)`: how a seeker lets the gateway
	/// charge requests bearing the key to this session without any user database (see
	/// [`Pallet::bind_api_key`]). At most one per session, so bounded by the sessions.
	// Hasher: Twox64Concat: sequential ids.
	#[pallet::storage]
	pub type SessionKeys<T: Config> =
		StorageMap<_, Twox64Concat, SessionId, sp_core::H256, OptionQuery>;

	/// Sessions by bound API-key hash: the gateway hashes a request's bearer key and looks it up
	/// here. A binding ends when its session is closed or released, so a key never outlives it.
	// Hasher: Blake2_128Concat: the hashes are chosen by seekers.
	#[pallet::storage]
	pub type ApiKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, sp_core::H256, SessionId, OptionQuery>;

	/// Sessions by the block at which they are released.
	// Hasher: Twox64Concat for both: block numbers and sequential ids.
	#[pallet::storage]
	pub type ReleaseQueue<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, SessionId, ()>;

	/// The first block whose release queue has not been fully processed.
	#[pallet::storage]
	pub type ReleaseCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Served units per seeker in the current usage window: `(window index, units)`.
	// Hasher: Blake2_128Concat: user-chosen keys.
	#[pallet::storage]
	pub type Usage<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (BlockNumberFor<T>, u64), ValueQuery>;

	/// Disputes opened under version 1 of the receipt format (by receipt id) and not yet ruled.
	/// None can be opened any more (storage version 2 retired version-1 receipts); they are
	/// ruled by [`Pallet::resolve_dispute`] as before.
	// Hasher: Blake2_128Concat: ids are chosen by gateways.
	#[pallet::storage]
	pub type Disputes<T: Config> =
		StorageMap<_, Blake2_128Concat, ReceiptId, DisputeOf<T>, OptionQuery>;

	/// The next batch id.
	#[pallet::storage]
	pub type NextBatchId<T> = StorageValue<_, BatchId, ValueQuery>;

	/// Settled batches' commitments, kept until their dispute window has passed.
	// Hasher: Twox64Concat: sequential ids.
	#[pallet::storage]
	pub type Commitments<T: Config> = StorageMap<_, Twox64Concat, BatchId, Commitment, OptionQuery>;

	/// The oldest batch id whose commitment may still be held (pruning starts here).
	#[pallet::storage]
	pub type CommitmentCursor<T> = StorageValue<_, BatchId, ValueQuery>;

	/// What happened to a settled receipt after its batch, by batch id and leaf index: one
	/// marker per `(session, seq)`. Pruned with the batch's commitment.
	// Hasher: Twox64Concat for both: sequential ids and indices.
	#[pallet::storage]
	pub type Marks<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BatchId, Twox64Concat, u32, Mark, OptionQuery>;

	/// Version-1 receipt records the storage-version-2 migration left to `on_idle` to delete, a
	/// bounded number per block ([`migrations::v2`]); false once they are all gone.
	#[pallet::storage]
	pub type LegacyReceiptsLeft<T> = StorageValue<_, bool, ValueQuery>;

	/// Open disputes of receipts, by batch id and leaf index (a copy of the charge:
	/// the commitment may be pruned before the ruling).
	// Hasher: Twox64Concat for both: sequential ids and indices.
	#[pallet::storage]
	pub type ReceiptDisputes<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BatchId, Twox64Concat, u32, DisputeOf<T>, OptionQuery>;

	/// What the served receipts of each day paid, per payment asset and tier discount
	/// ([`history`](crate::history)): one entry per day, for the days in [`UsageDayIndex`].
	// Hasher: Twox64Concat: day numbers, not chosen by users.
	#[pallet::storage]
	pub type UsageDays<T: Config> = StorageMap<
		_,
		Twox64Concat,
		u32,
		BoundedVec<UsageLine<T::AssetKind>, T::MaxUsageLines>,
		ValueQuery,
	>;

	/// Served receipts of a day that its full [`UsageDays`] entry could not file.
	// Hasher: Twox64Concat: day numbers.
	#[pallet::storage]
	pub type UsageUnbooked<T: Config> = StorageMap<_, Twox64Concat, u32, u64, ValueQuery>;

	/// The days [`UsageDays`] holds, ascending, at most [`Config::UsageHistoryDays`].
	#[pallet::storage]
	pub type UsageDayIndex<T: Config> =
		StorageValue<_, BoundedVec<u32, T::UsageHistoryDays>, ValueQuery>;

	/// Makes the escrow account exist from genesis; optionally registers gateways.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Gateways: operator, sr25519 key (32 bytes), bond (held from the operator).
		pub gateways: alloc::vec::Vec<(T::AccountId, [u8; 32], u128)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec.
		#[allow(clippy::panic)]
		fn build(&self) {
			let account = Pallet::<T>::account_id();
			if !frame_system::Pallet::<T>::account_exists(&account) {
				frame_system::Pallet::<T>::inc_providers(&account);
			}
			for (operator, key, bond) in &self.gateways {
				if let Err(e) = Pallet::<T>::do_register_gateway(
					operator.clone(),
					sr25519::Public::from_raw(*key),
					*bond,
				) {
					panic!("genesis gateway cannot be registered: {e:?}");
				}
			}
		}
	}

	/// Events of the metering pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A gateway was registered.
		GatewayRegistered {
			/// Its id.
			id: GatewayId,
			/// Its operator.
			operator: T::AccountId,
			/// Its signing key.
			key: sr25519::Public,
			/// Bond held.
			bond: u128,
		},
		/// A gateway's signing key changed.
		GatewayKeyRotated {
			/// The gateway.
			id: GatewayId,
			/// The new key.
			key: sr25519::Public,
		},
		/// A gateway was suspended.
		GatewaySuspended {
			/// The gateway.
			id: GatewayId,
		},
		/// A gateway was resumed.
		GatewayResumed {
			/// The gateway.
			id: GatewayId,
		},
		/// A gateway was removed and its bond returned.
		GatewayRemoved {
			/// The gateway.
			id: GatewayId,
			/// Bond returned.
			bond: u128,
		},
		/// A seeker deposited escrow.
		Deposited {
			/// The seeker.
			who: T::AccountId,
			/// The asset.
			asset: T::AssetKind,
			/// How much.
			amount: u128,
		},
		/// A seeker withdrew free escrow.
		Withdrawn {
			/// The seeker.
			who: T::AccountId,
			/// The asset.
			asset: T::AssetKind,
			/// How much.
			amount: u128,
		},
		/// A session was opened.
		SessionOpened {
			/// Its id.
			id: SessionId,
			/// The seeker.
			seeker: T::AccountId,
			/// The gateway allowed to charge it.
			gateway: GatewayId,
			/// The asset.
			asset: T::AssetKind,
			/// The spend cap (committed from escrow).
			cap: u128,
			/// The expiry block.
			expires_at: BlockNumberFor<T>,
			/// NXV deposit held.
			deposit: u128,
		},
		/// A seeker closed a session.
		SessionClosed {
			/// The session.
			id: SessionId,
			/// When its unspent cap returns to free escrow.
			release_at: BlockNumberFor<T>,
		},
		/// A session was released: unspent cap back to free escrow, deposit returned.
		/// An API key was bound to a session.
		ApiKeyBound {
			/// The session.
			session: SessionId,
			/// `blake2_256` of the key.
			key_hash: sp_core::H256,
		},
		/// A session's API key was unbound (by its seeker, or because the session was closed or
		/// released).
		ApiKeyUnbound {
			/// The session.
			session: SessionId,
			/// `blake2_256` of the key.
			key_hash: sp_core::H256,
		},
		/// A session's grace period passed: its unspent cap is free escrow again.
		SessionReleased {
			/// The session.
			id: SessionId,
			/// The seeker.
			seeker: T::AccountId,
			/// Charged in total.
			spent: u128,
			/// Returned to free escrow.
			returned: u128,
		},
		/// A batch was settled. With the batch itself, this is enough to rebuild
		/// every receipt's leaf, charge and legs exactly
		/// ([`nexus_primitives::receipts::Settlement::leaves`]): each receipt of an accepted
		/// group that is not rejected was settled (served) or recorded (failed); a settled one
		/// was charged [`nexus_primitives::settlement::price_request`] of its units at its
		/// capsule's prices, its group's discount, its asset's rate and the fee parameters.
		BatchSettled {
			/// The gateway.
			gateway: GatewayId,
			/// The batch's id, under which its commitment is kept (`None` when every group
			/// was refused: nothing was judged, nothing is committed).
			batch: Option<BatchId>,
			/// The commitment: the Merkle root over the judged receipts' leaves.
			root: sp_core::H256,
			/// Receipts judged (the commitment's leaves).
			leaves: u32,
			/// The fee parameters, each known capsule's provider and prices, each accepted
			/// group's sequence range, seeker, asset, discount and spend, each asset's rate and
			/// legs, the rejected receipts (leaf index, reason) and the refused groups (group
			/// index, reason).
			settlement: nexus_primitives::receipts::Settlement<T::AccountId, T::AssetKind>,
		},
		/// A gateway rolled back a settled receipt: refunded from the reserve, the
		/// provider's bond slashed.
		LeafRolledBack {
			/// The batch.
			batch: BatchId,
			/// The receipt's leaf index.
			index: u32,
			/// Its session.
			session: SessionId,
			/// Its sequence number.
			seq: u64,
			/// Refunded to the seeker's free escrow.
			refunded: u128,
			/// NXV slashed from the capsule's bond into the reserve.
			slashed: u128,
		},
		/// A seeker disputed a settled receipt.
		LeafDisputed {
			/// The batch.
			batch: BatchId,
			/// The receipt's leaf index.
			index: u32,
			/// Its session.
			session: SessionId,
			/// Its sequence number.
			seq: u64,
			/// The seeker.
			seeker: T::AccountId,
			/// NXV deposit held.
			deposit: u128,
		},
		/// A dispute of a receipt was decided.
		LeafDisputeResolved {
			/// The batch.
			batch: BatchId,
			/// The receipt's leaf index.
			index: u32,
			/// The ruling.
			ruling: Ruling,
			/// Refunded to the seeker's free escrow.
			refunded: u128,
			/// NXV slashed into the reserve.
			slashed: u128,
		},
		/// A gateway reported a capsule's uptime.
		UptimeReported {
			/// The capsule.
			capsule: u64,
			/// Share of probes answered.
			uptime: Permill,
		},
		/// A dispute opened under version 1 of the receipt format was decided.
		DisputeResolved {
			/// The receipt.
			id: ReceiptId,
			/// The ruling.
			ruling: Ruling,
			/// Refunded to the seeker's free escrow.
			refunded: u128,
			/// NXV slashed into the reserve.
			slashed: u128,
		},
	}

	/// Errors of the metering pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// No gateway has this id.
		UnknownGateway,
		/// The operator already runs a gateway.
		OperatorAlreadyRegistered,
		/// The bond is below `MinGatewayBond`.
		BondTooLow,
		/// The account cannot pay the bond or deposit.
		InsufficientBalance,
		/// The caller is not the gateway's operator.
		NotOperator,
		/// The gateway is suspended.
		GatewaySuspended,
		/// The gateway is not suspended.
		GatewayNotSuspended,
		/// The gateway still has sessions.
		GatewayBusy,
		/// A zero amount.
		ZeroAmount,
		/// The asset is not a payment asset.
		UnsupportedAsset,
		/// Not enough free escrow.
		InsufficientEscrow,
		/// The spend cap is zero.
		ZeroCap,
		/// The expiry is not in the future, or too far.
		BadExpiry,
		/// The seeker has `MaxSessionsPerSeeker` sessions already.
		TooManySessions,
		/// No session has this id.
		UnknownSession,
		/// The caller is not the session's seeker.
		NotSessionOwner,
		/// The session is already closed.
		AlreadyClosed,
		/// The session's grace period has not passed.
		NotYetReleasable,
		/// The batch is empty.
		EmptyBatch,
		/// The batch has more than `MaxBatchReceipts` receipts.
		BatchTooLarge,
		/// The batch's signature does not verify with the gateway's key for this chain.
		BadSignature,
		/// The receipt charged nothing.
		NotCharged,
		/// The receipt was charged to someone else.
		NotYourReceipt,
		/// The dispute window has passed.
		DisputeWindowClosed,
		/// The charge was already refunded.
		AlreadyRefunded,
		/// The charge is already disputed.
		AlreadyDisputed,
		/// No dispute for this receipt.
		UnknownDispute,
		/// No capsule has this id.
		UnknownCapsule,
		/// The API key is already bound to a session.
		ApiKeyInUse,
		/// The session has no API key bound.
		NoApiKey,
		/// The session is past its expiry.
		SessionExpired,
		/// A counter or sum overflowed.
		Overflow,
		/// A session group of the batch has no receipt.
		EmptyGroup,
		/// Two groups of the batch are for the same session.
		DuplicateSession,
		/// A receipt's capsule index is past the batch's capsule table.
		UnknownCapsuleIndex,
		/// The batch's capsule table names a capsule twice, or one no receipt uses.
		UnusedOrRepeatedCapsule,
		/// A group's sequence numbers run past `u64::MAX`.
		SequenceOverflow,
		/// A receipt's age is greater than the batch's time.
		TimeUnderflow,
		/// No commitment is kept for this batch (never settled, or its dispute window passed).
		UnknownBatch,
		/// The proof does not show the leaf in the batch's commitment.
		BadProof,
		/// The reserve cannot refund the charge in full now; it stays refundable later.
		ReserveShortfall,
	}

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// The domain tag of a receipt batch's signing payload:
		/// `blake2_256(batchContext ‖ genesis hash ‖ SCALE(batch))` (see
		/// [`nexus_primitives::receipts::signing_payload`]); published so that clients sign
		/// with the chain's own tag.
		pub fn batch_context() -> alloc::vec::Vec<u8> {
			nexus_primitives::receipts::BATCH_CONTEXT.to_vec()
		}

		/// The domain tag of a receipt's leaf in its batch's commitment:
		/// `blake2_256(leafContext ‖ SCALE(leaf))` (see
		/// [`nexus_primitives::receipts::leaf_hash`]).
		pub fn leaf_context() -> alloc::vec::Vec<u8> {
			nexus_primitives::receipts::LEAF_CONTEXT.to_vec()
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut used = Self::release_due(n, remaining);
			used.saturating_accrue(migrations::v2::drain_legacy_receipts::<T>(
				remaining.saturating_sub(used),
			));
			used.saturating_accrue(Self::prune_commitments(remaining.saturating_sub(used)));
			used
		}

		fn integrity_test() {
			assert!(T::MaxBatchReceipts::get() > 0, "MaxBatchReceipts must be positive");
			assert!(T::MaxBatchSessions::get() > 0, "MaxBatchSessions must be positive");
			assert!(T::MaxGroupReceipts::get() > 0, "MaxGroupReceipts must be positive");
			assert!(T::MaxBatchCapsules::get() > 0, "MaxBatchCapsules must be positive");
			assert!(T::MaxSessionsPerSeeker::get() > 0, "MaxSessionsPerSeeker must be positive");
			assert!(!T::MaxSessionDuration::get().is_zero(), "MaxSessionDuration must be positive");
			assert!(!T::UsageWindow::get().is_zero(), "UsageWindow must be positive");
			assert!(T::ReceiptWindowMs::get() > 0, "ReceiptWindowMs must be positive");
			assert!(T::DisputeWindowMs::get() > 0, "DisputeWindowMs must be positive");
			assert!(T::MinGatewayBond::get() > 0, "a gateway bond of zero cannot be slashed");
			assert!(T::UsageHistoryDays::get() > 0, "UsageHistoryDays must be positive");
			assert!(T::MaxUsageLines::get() > 0, "MaxUsageLines must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a gateway.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// Holds `bond` (at least [`Config::MinGatewayBond`]) from `operator`, who must not run
		/// another gateway. `key` signs the gateway's receipt batches.
		///
		/// ## Events
		/// [`Event::GatewayRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_gateway())]
		pub fn register_gateway(
			origin: OriginFor<T>,
			operator: T::AccountId,
			key: sr25519::Public,
			bond: u128,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_register_gateway(operator, key, bond).map(|_| ())
		}

		/// Replaces a gateway's signing key.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::GatewayKeyRotated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::rotate_gateway_key())]
		pub fn rotate_gateway_key(
			origin: OriginFor<T>,
			id: GatewayId,
			key: sr25519::Public,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Gateways::<T>::try_mutate(id, |g| {
				let g = g.as_mut().ok_or(Error::<T>::UnknownGateway)?;
				g.key = key;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::GatewayKeyRotated { id, key });
			Ok(())
		}

		/// Suspends a gateway: it can open no session and post no receipt.
		///
		/// ## Dispatch Origin
		/// [`Config::EmergencyOrigin`].
		///
		/// ## Events
		/// [`Event::GatewaySuspended`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::suspend_gateway())]
		pub fn suspend_gateway(origin: OriginFor<T>, id: GatewayId) -> DispatchResult {
			T::EmergencyOrigin::ensure_origin(origin)?;
			Self::set_gateway_status(id, GatewayStatus::Suspended)?;
			Self::deposit_event(Event::GatewaySuspended { id });
			Ok(())
		}

		/// Lifts a suspension.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::GatewayResumed`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::resume_gateway())]
		pub fn resume_gateway(origin: OriginFor<T>, id: GatewayId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let status = Gateways::<T>::get(id).ok_or(Error::<T>::UnknownGateway)?.status;
			ensure!(status == GatewayStatus::Suspended, Error::<T>::GatewayNotSuspended);
			Self::set_gateway_status(id, GatewayStatus::Active)?;
			Self::deposit_event(Event::GatewayResumed { id });
			Ok(())
		}

		/// Removes a gateway without sessions and returns its bond.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// Fails with `GatewayBusy` while any session names it (suspend it first; sessions
		/// release by their expiry at the latest).
		///
		/// ## Events
		/// [`Event::GatewayRemoved`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_gateway())]
		pub fn remove_gateway(origin: OriginFor<T>, id: GatewayId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_gateway(id)
		}

		/// Deposits escrow.
		///
		/// ## Dispatch Origin
		/// Signed (the seeker).
		///
		/// ## Details
		/// Moves `amount` of `asset` (a payment asset) into escrow, as free escrow. The
		/// seeker's account is kept alive.
		///
		/// ## Events
		/// [`Event::Deposited`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::deposit())]
		pub fn deposit(origin: OriginFor<T>, asset: T::AssetKind, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(who, asset, amount)
		}

		/// Withdraws free escrow.
		///
		/// ## Dispatch Origin
		/// Signed (the seeker).
		///
		/// ## Details
		/// First releases the seeker's sessions whose grace period has passed, then pays
		/// `amount` of free escrow back.
		///
		/// ## Events
		/// [`Event::SessionReleased`] per session released, [`Event::Withdrawn`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw(T::MaxSessionsPerSeeker::get()))]
		pub fn withdraw(origin: OriginFor<T>, asset: T::AssetKind, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, asset, amount)
		}

		/// Opens a session.
		///
		/// ## Dispatch Origin
		/// Signed (the seeker).
		///
		/// ## Details
		/// Commits `cap` of free escrow in `asset` to `gateway` (active) until `expires_at`
		/// (after now, at most [`Config::MaxSessionDuration`] ahead), and holds
		/// [`Config::SessionDeposit`] NXV.
		///
		/// ## Events
		/// [`Event::SessionOpened`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::open_session())]
		pub fn open_session(
			origin: OriginFor<T>,
			gateway: GatewayId,
			asset: T::AssetKind,
			cap: u128,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_session(who, gateway, asset, cap, expires_at).map(|_| ())
		}

		/// Closes a session: no request after now may be charged to it.
		///
		/// ## Dispatch Origin
		/// Signed (the session's seeker).
		///
		/// ## Details
		/// Receipts stamped before the close settle during [`Config::SettlementGrace`] blocks;
		/// then the unspent cap returns to free escrow.
		///
		/// ## Events
		/// [`Event::SessionClosed`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::close_session())]
		pub fn close_session(origin: OriginFor<T>, id: SessionId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_session(who, id)
		}

		/// Releases a session whose grace period has passed.
		///
		/// ## Dispatch Origin
		/// Signed, by anyone (the fee is refunded).
		///
		/// ## Events
		/// [`Event::SessionReleased`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::release_session())]
		pub fn release_session(origin: OriginFor<T>, id: SessionId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let session = Sessions::<T>::get(id).ok_or(Error::<T>::UnknownSession)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= session.release_at, Error::<T>::NotYetReleasable);
			Self::do_release(id, session)?;
			Ok(Pays::No.into())
		}

		/// Reports a capsule's uptime from the gateway's health probes.
		///
		/// ## Dispatch Origin
		/// Signed (an active gateway's operator).
		///
		/// ## Events
		/// [`Event::UptimeReported`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::report_uptime())]
		pub fn report_uptime(
			origin: OriginFor<T>,
			gateway: GatewayId,
			capsule: u64,
			uptime: Permill,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::active_gateway_of(&who, gateway)?;
			T::Capsules::record_uptime(capsule, uptime).map_err(|_| Error::<T>::UnknownCapsule)?;
			Self::deposit_event(Event::UptimeReported { capsule, uptime });
			Ok(())
		}

		/// Rules on a dispute opened under version 1 of the receipt format (see [`Disputes`];
		/// version-2 disputes are ruled by [`Pallet::resolve_receipt_dispute`]).
		///
		/// ## Dispatch Origin
		/// [`Config::DisputeOrigin`].
		///
		/// ## Details
		/// Upheld: the reserve refunds the net into the seeker's free escrow, the provider's
		/// capsule bond (for what it was paid) or the gateway's bond (for the net) is slashed
		/// into the reserve, and the deposit is returned. Rejected: the deposit goes to the
		/// reserve.
		///
		/// ## Events
		/// [`Event::DisputeResolved`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			id: ReceiptId,
			ruling: Ruling,
		) -> DispatchResult {
			T::DisputeOrigin::ensure_origin(origin)?;
			Self::do_resolve_dispute(id, ruling)
		}

		/// Settles a batch of receipts, grouped by session (see the pallet docs).
		///
		/// ## Dispatch Origin
		/// Signed (the operator of the gateway the batch names).
		///
		/// ## Details
		/// `signature` is the gateway key's sr25519 signature of
		/// [`nexus_primitives::receipts::signing_payload`]. An unknown or suspended gateway, a
		/// malformed batch (empty, too large, an empty or repeated group, a bad capsule table, a
		/// sequence or time out of range) or a bad signature fail the call before any write.
		/// Otherwise each group is accepted or refused whole and every receipt of an accepted
		/// group gets a verdict; the batch's commitment is kept for the dispute window. The
		/// weight charged is that of the receipts actually judged and of the usage history
		/// booked (benchmark `book_usage_day`: the call declares every kept day dropped, and is
		/// charged the days the batch actually dropped).
		///
		/// ## Events
		/// [`Event::BatchSettled`].
		#[pallet::call_index(16)]
		#[pallet::weight(Pallet::<T>::batch_weight(
			u32::try_from(batch.len()).unwrap_or(u32::MAX),
			u32::try_from(batch.groups.len()).unwrap_or(u32::MAX),
			u32::try_from(batch.capsules.len()).unwrap_or(u32::MAX),
		).saturating_add(Pallet::<T>::history_weight(Some(T::UsageHistoryDays::get()))))]
		pub fn submit_batch(
			origin: OriginFor<T>,
			batch: alloc::boxed::Box<BatchOf<T>>,
			signature: sr25519::Signature,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let done = Self::do_submit_batch(who, &batch, signature)?;
			let shape = done.shape;
			Self::deposit_event(Event::BatchSettled {
				gateway: batch.gateway,
				batch: done.id,
				root: done.root,
				leaves: done.leaves,
				settlement: done.settlement,
			});
			Ok(Some(
				Self::batch_weight(shape.receipts, shape.sessions, shape.capsules)
					.saturating_add(Self::history_weight(shape.days_dropped)),
			)
			.into())
		}

		/// Rolls back a settled receipt: the reserve refunds the seeker in full and
		/// the capsule's bond is slashed for what the provider was paid.
		///
		/// ## Dispatch Origin
		/// Signed (the operator of the gateway that posted the batch).
		///
		/// ## Details
		/// `leaf` and `proof` show the receipt in the batch's commitment (kept for the dispute
		/// window). A receipt is rolled back or disputed at most once. When the reserve cannot
		/// refund in full the call fails (`ReserveShortfall`) and the receipt stays refundable.
		///
		/// ## Events
		/// [`Event::LeafRolledBack`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::roll_back())]
		pub fn roll_back(
			origin: OriginFor<T>,
			batch: BatchId,
			leaf: alloc::boxed::Box<LeafOf<T>>,
			proof: nexus_primitives::receipts::Proof,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_roll_back(who, batch, *leaf, proof)
		}

		/// Disputes a settled receipt.
		///
		/// ## Dispatch Origin
		/// Signed (the seeker charged).
		///
		/// ## Details
		/// `leaf` and `proof` (the gateway serves both to the seeker) show the receipt in the
		/// batch's commitment. Within [`Config::DisputeWindowMs`] of the receipt's time; holds
		/// [`Config::DisputeDeposit`] NXV until the ruling. A receipt is disputed or rolled back
		/// at most once.
		///
		/// ## Events
		/// [`Event::LeafDisputed`].
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::dispute_receipt())]
		pub fn dispute_receipt(
			origin: OriginFor<T>,
			batch: BatchId,
			leaf: alloc::boxed::Box<LeafOf<T>>,
			proof: nexus_primitives::receipts::Proof,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_dispute_receipt(who, batch, *leaf, proof)
		}

		/// Rules on a dispute of a receipt.
		///
		/// ## Dispatch Origin
		/// [`Config::DisputeOrigin`].
		///
		/// ## Details
		/// Upheld: the reserve refunds the net into the seeker's free escrow, the provider's
		/// capsule bond (for what it was paid) or the gateway's bond (for the net) is slashed
		/// into the reserve, and the deposit is returned. Rejected: the deposit goes to the
		/// reserve.
		///
		/// ## Events
		/// [`Event::LeafDisputeResolved`].
		#[pallet::call_index(19)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_receipt_dispute(
			origin: OriginFor<T>,
			batch: BatchId,
			index: u32,
			ruling: Ruling,
		) -> DispatchResult {
			T::DisputeOrigin::ensure_origin(origin)?;
			Self::do_resolve_receipt_dispute(batch, index, ruling)
		}

		/// Binds an API key to an open session: the gateway authenticates a request bearing the
		/// key by the key's hash and charges it to this session. No user database: the binding
		/// is chain state every gateway follows.
		///
		/// ## Dispatch Origin
		/// Signed (the session's seeker).
		///
		/// ## Details
		/// `key_hash` is `blake2_256` of the key's bytes; the key itself never goes on chain.
		/// A session has at most one key: binding another replaces it (rotation), and the old
		/// key stops working at once. A key serves one session only. The binding ends when the
		/// session is closed or released, or with [`Pallet::unbind_api_key`].
		///
		/// ## Errors
		/// `UnknownSession`, `NotSessionOwner`, `AlreadyClosed`, `SessionExpired`, `ApiKeyInUse`.
		///
		/// ## Events
		/// [`Event::ApiKeyUnbound`] for a replaced key, then [`Event::ApiKeyBound`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::bind_api_key())]
		pub fn bind_api_key(
			origin: OriginFor<T>,
			session: SessionId,
			key_hash: sp_core::H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bind_api_key(who, session, key_hash)
		}

		/// Unbinds a session's API key: the gateway refuses the key from the next block on.
		///
		/// ## Dispatch Origin
		/// Signed (the session's seeker).
		///
		/// ## Errors
		/// `UnknownSession`, `NotSessionOwner`, `NoApiKey`.
		///
		/// ## Events
		/// [`Event::ApiKeyUnbound`].
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::unbind_api_key())]
		pub fn unbind_api_key(origin: OriginFor<T>, session: SessionId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let s = Sessions::<T>::get(session).ok_or(Error::<T>::UnknownSession)?;
			ensure!(s.seeker == who, Error::<T>::NotSessionOwner);
			Self::unbind_key(session).ok_or(Error::<T>::NoApiKey)?;
			Ok(())
		}
	}
}
