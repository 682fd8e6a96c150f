//! `frame_system`, timestamp, utility and sudo.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::ConstU32,
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use crate::{
	AccountId, Aura, Balance, Block, BlockNumber, Hash, Nonce, OriginCaller, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, BLOCK_HASH_COUNT, SLOT_DURATION,
	SS58_PREFIX, VERSION,
};

/// Share of a block that normal (user) extrinsics may fill; the rest is kept for operational
/// extrinsics and inherents.
pub const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Maximum encoded size of a block: 5 MiB.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	/// See [`BLOCK_HASH_COUNT`].
	pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
	/// The runtime's version, for `frame_system`.
	pub const Version: RuntimeVersion = VERSION;

	/// Two seconds of compute per 6 s block, leaving time to import and gossip it.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// Block length limits: [`MAX_BLOCK_LENGTH`] in all, of which normal extrinsics may use
	/// [`NORMAL_DISPATCH_RATIO`].
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO.mul_floor(*max)
		})
		.build();
	/// SS58 prefix of addresses (see `nexus_primitives::token::SS58_PREFIX`).
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// Defaults come from the solochain preset of `frame_system`; everything chain-specific is set.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores its state in ParityDB.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	/// Every call but `balances.burn`.
	type BaseCallFilter = NoVoluntaryBurn;
}

/// NXV's supply is fixed and falls only by the buyback's burns, which the supply invariant
/// accounts for (`pallet-buyback`); a holder cannot burn NXV with `balances.burn` (sending it
/// to the treasury is the way to give it up).
pub struct NoVoluntaryBurn;
impl frame_support::traits::Contains<crate::RuntimeCall> for NoVoluntaryBurn {
	fn contains(call: &crate::RuntimeCall) -> bool {
		!matches!(call, crate::RuntimeCall::Balances(pallet_balances::Call::burn { .. }))
	}
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	/// Aura's slot duration is twice this.
	type MinimumPeriod = frame_support::traits::ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// Sudo exists in the runtime, but only the `development` preset sets a key. Chains built from
/// the `local_testnet` preset (and every later live preset) have no sudo key, so no one can use
/// it there; governance replaces it (see the governance issue).
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
