//! The runtime APIs: everything the node and clients call into the runtime for.
//!
//! Standard set: `Core`, `Metadata` (versions 14, 15 and 16; 16 is the newest this release
//! offers), `RuntimeViewFunction`, `BlockBuilder`, `TaggedTransactionQueue`,
//! `OffchainWorkerApi`, `AuraApi`, `SessionKeys` (v2, keys with an ownership proof),
//! `GrandpaApi`, `AccountNonceApi`, `TransactionPaymentApi`, `TransactionPaymentCallApi` and
//! `GenesisBuilder`; `Benchmark` and `TryRuntime` behind their features.
//!
//! Nexus Vault: `TiersApi` (`tier_of`, `tier_table`, `provider_multiplier`) and `CapsulesApi`
//! (`capsule`, `capsules` filtered and paged, `offering`), each doing bounded work, so the node
//! may expose them over RPC; `SupplyApi` (`supply`: total, circulating, vesting, bonded, pots),
//! which reads every ledger once; `BuybackApi` (`buyback_status`: epoch, programme, pot,
//! owed, lifetime rebate/buyback/burn totals; `claimable`) and `EmissionsApi`
//! (`emissions_status`: milestones with progress, released, committed and uncommitted;
//! `provider_emissions`).

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

use crate::{
	AccountId, Aura, Balance, Block, BlockNumber, Capsules, Executive, Fees, Grandpa,
	InherentDataExt, Metering, Nonce, Reserve, Runtime, RuntimeCall, RuntimeGenesisConfig,
	SessionKeys, System, Tiers, TransactionPayment, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			let key_owner_proof = key_owner_proof.decode()?;
			Grandpa::submit_unsigned_equivocation_report(equivocation_proof, key_owner_proof)
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			use frame_support::traits::KeyOwnerProofSystem;
			crate::Historical::prove((sp_consensus_grandpa::KEY_TYPE, authority_id))
				.map(|p| p.encode())
				.map(sp_consensus_grandpa::OpaqueKeyOwnershipProof::new)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_tiers::runtime_api::TiersApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn tier_of(who: AccountId) -> pallet_tiers::runtime_api::SeekerTier<Balance, BlockNumber> {
			Tiers::seeker_standing(&who)
		}
		fn tier_table() -> Vec<pallet_tiers::TierParams<Balance>> {
			pallet_tiers::TierTable::<Runtime>::get().into_inner()
		}
		fn provider_multiplier(who: AccountId) -> pallet_tiers::runtime_api::ProviderBoost<Balance> {
			Tiers::provider_boost(&who)
		}
	}

	impl pallet_capsules::runtime_api::CapsulesApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn capsule(
			id: pallet_capsules::CapsuleId,
		) -> Option<pallet_capsules::runtime_api::CapsuleInfo<AccountId, Balance, BlockNumber>> {
			Capsules::capsule_info(id)
		}
		fn capsules(
			filter: pallet_capsules::runtime_api::CapsuleFilter<AccountId>,
			from: pallet_capsules::CapsuleId,
			limit: u32,
		) -> pallet_capsules::runtime_api::CapsulePage<AccountId, Balance, BlockNumber> {
			Capsules::capsules_page(filter, from, limit)
		}
		fn offering(offering: Vec<u8>) -> Option<bool> {
			let id: pallet_capsules::OfferingIdOf<Runtime> = offering.try_into().ok()?;
			pallet_capsules::Offerings::<Runtime>::get(id)
		}
		fn offerings() -> Vec<pallet_capsules::runtime_api::OfferingInfo> {
			Capsules::offerings()
		}
	}

	#[api_version(2)]
	impl pallet_fees::runtime_api::FeesApi<Block, crate::configs::assets::AssetKind, BlockNumber> for Runtime {
		fn fee_parameters() -> pallet_fees::FeeStatus<BlockNumber> {
			Fees::fee_status()
		}
		fn nxv_price() -> pallet_fees::PriceStatus<BlockNumber> {
			Fees::price_status()
		}
		fn flows(since: BlockNumber) -> Vec<(crate::configs::assets::AssetKind, pallet_fees::FlowTotals)> {
			Fees::flows_since(since)
		}
		fn flow_totals() -> Vec<(crate::configs::assets::AssetKind, pallet_fees::FlowTotals)> {
			Fees::lifetime_totals()
		}
		fn fee_path(
			target: nexus_primitives::settlement::FeeParams,
		) -> Result<Vec<pallet_fees::FeeStep<BlockNumber>>, nexus_primitives::fee_path::PathError> {
			Fees::fee_path(target)
		}
		fn fee_changes() -> Vec<pallet_fees::ParamsChange<BlockNumber>> {
			pallet_fees::ParamsHistory::<Runtime>::get().into_inner()
		}
	}

	impl pallet_reserve::runtime_api::ReserveApi<Block, AccountId, crate::configs::assets::AssetKind> for Runtime {
		fn reserve_status() -> pallet_reserve::runtime_api::ReserveStatus<AccountId, crate::configs::assets::AssetKind> {
			Reserve::status()
		}
	}

	impl pallet_buyback::runtime_api::BuybackApi<Block, AccountId, BlockNumber> for Runtime {
		fn buyback_status() -> pallet_buyback::runtime_api::BuybackStatus<AccountId, BlockNumber> {
			crate::Buyback::status()
		}
		fn claimable(who: AccountId) -> pallet_buyback::Amounts {
			pallet_buyback::Claimable::<Runtime>::get(who)
		}
	}

	impl pallet_emissions::runtime_api::EmissionsApi<Block, AccountId, BlockNumber> for Runtime {
		fn emissions_status() -> pallet_emissions::runtime_api::EmissionsStatus<AccountId, BlockNumber> {
			crate::Emissions::status()
		}
		fn provider_emissions(who: AccountId) -> (u128, u128) {
			crate::Emissions::provider_emissions(&who)
		}
	}

	impl pallet_asset_conversion::AssetConversionApi<Block, Balance, crate::configs::assets::AssetKind> for Runtime {
		fn quote_price_exact_tokens_for_tokens(
			asset1: crate::configs::assets::AssetKind,
			asset2: crate::configs::assets::AssetKind,
			amount: Balance,
			include_fee: bool,
		) -> Option<Balance> {
			crate::AssetConversion::quote_price_exact_tokens_for_tokens(asset1, asset2, amount, include_fee)
		}

		fn quote_price_tokens_for_exact_tokens(
			asset1: crate::configs::assets::AssetKind,
			asset2: crate::configs::assets::AssetKind,
			amount: Balance,
			include_fee: bool,
		) -> Option<Balance> {
			crate::AssetConversion::quote_price_tokens_for_exact_tokens(asset1, asset2, amount, include_fee)
		}

		fn get_reserves(
			asset1: crate::configs::assets::AssetKind,
			asset2: crate::configs::assets::AssetKind,
		) -> Option<(Balance, Balance)> {
			crate::AssetConversion::get_reserves(asset1, asset2).ok()
		}
	}

	#[api_version(5)]
	impl pallet_metering::runtime_api::MeteringApi<Block, AccountId, crate::configs::assets::AssetKind, BlockNumber> for Runtime {
		fn quote(
			seeker: AccountId,
			capsule: u64,
			units: nexus_primitives::receipts::Units,
			asset: crate::configs::assets::AssetKind,
		) -> Result<pallet_metering::QuoteBreakdown, pallet_metering::RejectReason> {
			Metering::quote(seeker, capsule, units, asset)
		}
		fn session(
			id: pallet_metering::SessionId,
		) -> Option<pallet_metering::SessionOf<Runtime>> {
			pallet_metering::Sessions::<Runtime>::get(id)
		}
		fn sessions_of(
			seeker: AccountId,
		) -> Vec<(pallet_metering::SessionId, pallet_metering::SessionOf<Runtime>)> {
			Metering::sessions_of(&seeker)
		}
		fn escrow(
			who: AccountId,
		) -> Vec<(crate::configs::assets::AssetKind, pallet_metering::EscrowLedger)> {
			Metering::escrow_of(&who)
		}
		fn gateway(id: u32) -> Option<pallet_metering::Gateway<AccountId>> {
			pallet_metering::Gateways::<Runtime>::get(id)
		}
		fn simulate(
			params: nexus_primitives::settlement::FeeParams,
			workload: Vec<pallet_metering::WorkloadLine<crate::configs::assets::AssetKind>>,
		) -> Result<
			pallet_metering::Simulation<crate::configs::assets::AssetKind>,
			pallet_metering::SimulationError,
		> {
			Metering::simulate(params, workload)
		}
		fn replay(
			params: nexus_primitives::settlement::FeeParams,
			days: u32,
		) -> Result<
			pallet_metering::Replay<crate::configs::assets::AssetKind>,
			pallet_metering::ReplayError,
		> {
			Metering::replay(params, days)
		}
	}

	impl crate::supply::SupplyApi<Block> for Runtime {
		fn supply() -> crate::supply::SupplyBreakdown {
			crate::supply::breakdown()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::{baseline, BenchmarkList};
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use baseline::Pallet as BaselineBench;
			use crate::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = AllPalletsWithSystem::storage_info();

			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::{baseline, BenchmarkBatch};
			use sp_storage::TrackedStorageKey;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use baseline::Pallet as BaselineBench;
			use crate::*;

			impl frame_system_benchmarking::Config for Runtime {}
			impl baseline::Config for Runtime {}

			use frame_support::traits::WhitelistedStorageKeys;
			let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();

			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);

			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		#[allow(clippy::unwrap_used)]
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime only: a failed pre/post check must stop right here with a backtrace.
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			// The cross-pallet invariants, on the state every migration and every pallet's
			// upgrade hook has left (Executive runs `Migrations` before the pallets' hooks).
			if checks.any() {
				crate::invariants::check_all().unwrap();
			}
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		#[allow(clippy::expect_used)]
		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect
		) -> Weight {
			// try-runtime only: stop with a backtrace on the first failure.
			let check_invariants = !matches!(select, frame_try_runtime::TryStateSelect::None);
			let weight =
				Executive::try_execute_block(block, state_root_check, signature_check, select)
					.expect("try-runtime: execute-block failed");
			if check_invariants {
				crate::invariants::check_all().expect("try-runtime: a runtime invariant is broken");
			}
			weight
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
