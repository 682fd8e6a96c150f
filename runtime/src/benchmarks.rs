//! The pallets whose benchmarks `nexus-node benchmark pallet` runs (feature `runtime-benchmarks`).
//!
//! The OpenGov pallets (preimage, scheduler, referenda, conviction voting) are listed so their
//! benchmarks can be run on our runtime; they are charged the SDK's reference weights
//! (`SubstrateWeight`) for now. Staking, session, bags-list, offences and GRANDPA use the SDK's
//! reference weights
//! (`SubstrateWeight`): their benchmarks need the separate session/offences benchmarking
//! crates and a staking genesis of their own, which are not wired yet.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_utility, Utility]
	[pallet_sudo, Sudo]
	[pallet_capsules, Capsules]
	[pallet_tiers, Tiers]
	[pallet_fees, Fees]
	[pallet_reserve, Reserve]
	[pallet_buyback, Buyback]
	[pallet_emissions, Emissions]
	[pallet_metering, Metering]
	[pallet_reward_pot, RewardPot]
	[pallet_treasury, Treasury]
	[pallet_vesting, Vesting]
	[pallet_proxy, Proxy]
	[pallet_multisig, Multisig]
	[pallet_asset_conversion, AssetConversion]
	[pallet_preimage, Preimage]
	[pallet_scheduler, Scheduler]
	[pallet_referenda, Referenda]
	[pallet_conviction_voting, ConvictionVoting]
);
