//! # Nexus Vault runtime
//!
//! The state transition function of the Nexus Vault chain: an application L1 on which providers
//! sell idle premium AI access as *capsules*, seekers buy routed access through a gateway, and
//! the gateway's signed usage receipts settle in NXV (see `docs/architecture.md`).
//!
//! This crate composes the pallets (see [`runtime`]), configures them (`configs/`, one file per
//! domain), exposes the runtime APIs clients use (`apis.rs`) and ships the genesis presets
//! (`genesis_config_presets.rs`). Consensus is Aura block authoring with 6 s slots and GRANDPA
//! finality.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` needs a deep recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
pub mod invariants;
pub mod supply;

use alloc::vec::Vec;
use sp_runtime::{generic, impl_opaque_keys};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use nexus_primitives::{
	time::*, token::*, AccountId, Address, Balance, BlockNumber, Hash, Header, Nonce, Signature,
};
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, for the parts of the node that must not depend on the runtime's types (the
/// client, consensus, networking): they see blocks and extrinsics as bytes, so they keep syncing
/// across runtime upgrades that change those types.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::{BlakeTwo256, Hash as HashT};

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys a validator registers: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		/// Block authoring key (sr25519).
		pub aura: Aura,
		/// Finality voting key (ed25519).
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. `spec_version` must grow with every upgrade that changes behaviour;
/// `transaction_version` whenever call indices or extrinsic formats change.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("nexus-vault"),
	impl_name: alloc::borrow::Cow::Borrowed("nexus-vault-node"),
	authoring_version: 1,
	spec_version: 104,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// How many recent block hashes `frame_system` keeps (mortal transactions can live this long).
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A block signed with a justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions every signed extrinsic carries, in order. Clients sign over them,
/// so changing this list is a `transaction_version` bump.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions of an immortal transaction with `nonce` and no tip, as a wallet builds them:
/// for native tests and the runtime fuzzer, which sign real transactions.
#[cfg(feature = "std")]
pub fn immortal_tx_extension(nonce: Nonce) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(sp_runtime::generic::Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations of the runtime, in order. Each versioned one runs once (it checks the pallet's
/// on-chain storage version) and is removed once applied on every live network. The runtime's
/// cross-pallet invariants are asserted after all of them and the pallets' own upgrade hooks, by
/// the `TryRuntime` API (`runtime/src/apis.rs`).
type Migrations = (
	pallet_metering::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_metering::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_capsules::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Executive: dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The runtime: the pallets it composes, with their fixed indices. An index never changes once
/// a network has started (it is part of every call's and event's encoding).
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	/// The block's timestamp inherent.
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// Aura block authoring.
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	/// GRANDPA finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	/// NXV balances, holds and freezes.
	#[runtime::pallet_index(10)]
	pub type Balances = pallet_balances;

	/// Transaction fees in NXV.
	#[runtime::pallet_index(11)]
	pub type TransactionPayment = pallet_transaction_payment;

	/// Vesting schedules of the genesis allocations.
	#[runtime::pallet_index(12)]
	pub type Vesting = pallet_vesting;

	/// The treasury pot and its spends.
	#[runtime::pallet_index(13)]
	pub type Treasury = pallet_treasury;

	/// The block author, for era points and its fee share.
	#[runtime::pallet_index(40)]
	pub type Authorship = pallet_authorship;

	/// The validator reward pot and session timing.
	#[runtime::pallet_index(41)]
	pub type RewardPot = pallet_reward_pot;

	/// NPoS staking: bonds, nominations, elections, rewards and slashes.
	#[runtime::pallet_index(42)]
	pub type Staking = pallet_staking;

	/// Offence reports (GRANDPA equivocations) routed to staking.
	#[runtime::pallet_index(43)]
	pub type Offences = pallet_offences;

	/// Historical session data, for key-ownership proofs.
	#[runtime::pallet_index(44)]
	pub type Historical = pallet_session::historical;

	/// Session keys and validator-set rotation.
	#[runtime::pallet_index(45)]
	pub type Session = pallet_session;

	/// The sorted voter list the election reads.
	#[runtime::pallet_index(46)]
	pub type VoterList = pallet_bags_list<Instance1>;

	/// Batches and derivative dispatch.
	#[runtime::pallet_index(20)]
	pub type Utility = pallet_utility;

	/// Proxies: hot keys acting for cold accounts.
	#[runtime::pallet_index(21)]
	pub type Proxy = pallet_proxy;

	/// Multi-signature accounts.
	#[runtime::pallet_index(22)]
	pub type Multisig = pallet_multisig;

	/// The capsule registry: providers' listed AI access.
	#[runtime::pallet_index(30)]
	pub type Capsules = pallet_capsules;

	/// Seeker staking tiers and provider stake.
	#[runtime::pallet_index(31)]
	pub type Tiers = pallet_tiers;

	/// Payment assets besides NXV (the stable asset USDN).
	#[runtime::pallet_index(14)]
	pub type Assets = pallet_assets;

	/// Liquidity-provider tokens of the exchange's pools.
	#[runtime::pallet_index(15)]
	pub type PoolAssets = pallet_assets<Instance1>;

	/// The NXV/USDN exchange (constant-product pools).
	#[runtime::pallet_index(16)]
	pub type AssetConversion = pallet_asset_conversion;

	/// Gateways, seeker escrow and sessions, and settlement of usage receipts.
	#[runtime::pallet_index(32)]
	pub type Metering = pallet_metering;

	/// Fee parameters, the NXV price and the flow ledger.
	#[runtime::pallet_index(33)]
	pub type Fees = pallet_fees;

	/// The reserve: refunds, claims and coverage.
	#[runtime::pallet_index(34)]
	pub type Reserve = pallet_reserve;

	/// The buyback/rebates pot: per-epoch usage rebates or buyback-and-burn.
	#[runtime::pallet_index(35)]
	pub type Buyback = pallet_buyback;

	/// Milestone emissions: the locked allocation, released to providers into vesting.
	#[runtime::pallet_index(36)]
	pub type Emissions = pallet_emissions;

	/// Proposals' call data, noted by hash.
	#[runtime::pallet_index(50)]
	pub type Preimage = pallet_preimage;

	/// Enactment of passed referenda.
	#[runtime::pallet_index(51)]
	pub type Scheduler = pallet_scheduler;

	/// OpenGov referenda on four tracks.
	#[runtime::pallet_index(52)]
	pub type Referenda = pallet_referenda;

	/// Votes with conviction (locked NXV).
	#[runtime::pallet_index(53)]
	pub type ConvictionVoting = pallet_conviction_voting;

	/// The tracks' custom origins.
	#[runtime::pallet_index(54)]
	pub type Origins = governance::origins::pallet_nexus_origins;

	/// A superuser key; configured only in the `development` preset.
	#[runtime::pallet_index(255)]
	pub type Sudo = pallet_sudo;
}

/// Unsigned extrinsics the runtime creates itself (GRANDPA equivocation reports submitted by
/// the node).
impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod test_batches;
#[cfg(test)]
mod tests;
