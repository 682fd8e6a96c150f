//! Native tests of the composed runtime: presets, metadata, constants and a transfer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	configs::monetary::WeightToFee, genesis_config_presets as presets, AccountId, Aura, Balance,
	Balances, Grandpa, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Sudo, System,
	EXISTENTIAL_DEPOSIT, MILLI_NXV, NXV, VERSION,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::DispatchClass,
	traits::fungible::{Inspect, InspectHold},
	weights::{constants::ExtrinsicBaseWeight, WeightToFee as _},
};
use nexus_primitives::receipts::Units;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;

/// Test externalities holding the genesis state of the preset `name`.
pub(crate) fn ext_for_preset(name: &str) -> sp_io::TestExternalities {
	let mut ext =
		sp_io::TestExternalities::new(presets::preset_storage(name).expect("preset builds"));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

#[test]
fn preset_names_are_development_and_local_testnet() {
	assert_eq!(
		presets::preset_names(),
		vec!["development".to_string(), "local_testnet".to_string()]
	);
	assert!(presets::get_preset(&PresetId::from("no_such_preset")).is_none());
}

#[test]
fn development_preset_has_alice_as_authority_and_sudo() {
	ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		assert_eq!(aura.len(), 1);
		let alice: sp_consensus_aura::sr25519::AuthorityId = Sr25519Keyring::Alice.public().into();
		assert_eq!(aura[0], alice);
		assert_eq!(Grandpa::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(account(Sr25519Keyring::Alice)));
		let endowed = presets::endowed_accounts();
		for who in &endowed {
			// Bob's and Charlie's demo capsules hold part of it as bonds and deposits.
			assert_eq!(Balances::total_balance(who), presets::ENDOWMENT);
		}
		assert_eq!(Balances::total_issuance(), presets::TOTAL_SUPPLY);
	});
}

#[test]
fn local_testnet_preset_has_four_authorities_and_no_sudo() {
	ext_for_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected: Vec<sp_consensus_aura::sr25519::AuthorityId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.public().into())
		.collect();
		let mut got = pallet_aura::Authorities::<Runtime>::get().into_inner();
		got.sort();
		let mut expected = expected;
		expected.sort();
		assert_eq!(got, expected);
		assert_eq!(Grandpa::grandpa_authorities().len(), 4);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		// Nobody can use sudo on such a chain.
		let call = Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }));
		assert_noop!(
			Sudo::sudo(RuntimeOrigin::signed(account(Sr25519Keyring::Alice)), call),
			pallet_sudo::Error::<Runtime>::RequireSudo
		);
	});
}

#[test]
fn aura_slot_is_six_seconds() {
	ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(Aura::slot_duration(), 6_000);
	});
}

#[test]
fn transfer_moves_nxv_and_emits_event() {
	ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (alice, bob) = (account(Sr25519Keyring::Alice), account(Sr25519Keyring::Eve));
		let issuance = Balances::total_issuance();
		assert_ok!(Balances::transfer_keep_alive(
			RuntimeOrigin::signed(alice.clone()),
			bob.clone().into(),
			12 * NXV
		));
		assert_eq!(Balances::balance(&alice), presets::ENDOWMENT - 12 * NXV);
		assert_eq!(Balances::balance(&bob), presets::ENDOWMENT + 12 * NXV);
		assert_eq!(Balances::total_issuance(), issuance);
		System::assert_last_event(RuntimeEvent::Balances(pallet_balances::Event::Transfer {
			from: alice,
			to: bob,
			amount: 12 * NXV,
		}));
	});
}

#[test]
fn transfer_below_existential_deposit_to_new_account_fails() {
	ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let nobody = AccountId::from([7u8; 32]);
		assert_noop!(
			Balances::transfer_keep_alive(
				RuntimeOrigin::signed(alice),
				nobody.into(),
				EXISTENTIAL_DEPOSIT - 1
			),
			sp_runtime::TokenError::BelowMinimum
		);
	});
}

#[test]
fn base_extrinsic_costs_one_milli_nxv() {
	assert_eq!(WeightToFee::weight_to_fee(&ExtrinsicBaseWeight::get()), MILLI_NXV);
	// Linear above the base (the fractional coefficient is a `Perbill`, so a few planck of
	// rounding remain).
	let ten = WeightToFee::weight_to_fee(&ExtrinsicBaseWeight::get().saturating_mul(10));
	assert!(ten.abs_diff(10 * MILLI_NXV) <= 10, "10 base weights cost {ten}");
}

#[test]
fn metadata_v16_is_offered() {
	let versions = Runtime::metadata_versions();
	assert!(versions.contains(&14) && versions.contains(&15) && versions.contains(&16));
	assert_eq!(versions.iter().max(), Some(&16));
	// Some constants (sessions per era) are read from storage: build metadata in a state.
	let v16 = sp_io::TestExternalities::default()
		.execute_with(|| Runtime::metadata_at_version(16).expect("v16 exists"));
	// `RuntimeMetadataPrefixed`: the "meta" magic, then the variant byte of `RuntimeMetadata`.
	assert_eq!(&v16[..4], b"meta");
	assert_eq!(v16[4], 16);
	assert!(sp_io::TestExternalities::default()
		.execute_with(|| Runtime::metadata_at_version(17).is_none()));
}

#[test]
fn version_is_nexus_vault() {
	assert_eq!(VERSION.spec_name, "nexus-vault");
	const { assert!(VERSION.spec_version >= 100) };
}

#[test]
fn block_weights_and_lengths_are_sane() {
	let weights = crate::configs::RuntimeBlockWeights::get();
	// Two seconds of compute per six-second block.
	assert_eq!(
		weights.max_block.ref_time(),
		2 * frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND
	);
	let normal = weights.get(DispatchClass::Normal);
	assert!(normal.max_total.unwrap().ref_time() < weights.max_block.ref_time());
	assert!(ExtrinsicBaseWeight::get().ref_time() > 0);

	let length = crate::configs::RuntimeBlockLength::get();
	let max = crate::configs::system::MAX_BLOCK_LENGTH;
	assert_eq!(*length.max.get(DispatchClass::Operational), max);
	assert_eq!(*length.max.get(DispatchClass::Normal), max / 4 * 3);
}

mod marketplace {
	use super::*;
	use crate::{BlockNumber, Capsules, Tiers};
	use pallet_capsules::{
		runtime_api::{
			runtime_decl_for_capsules_api::CapsulesApiV2, CapsuleFilter, CapsuleInfo, CapsulePage,
			StatusFilter,
		},
		CapsuleSpec, CapsuleStatus, HoldReason as CapsuleHold, Lane, Price, QuotaWindow,
	};
	use pallet_tiers::runtime_api::runtime_decl_for_tiers_api::TiersApiV1;
	use sp_core::H256;

	/// The runtime APIs as a client calls them (here natively, without the node).
	struct TiersApi;
	impl TiersApi {
		fn tier_of(who: AccountId) -> pallet_tiers::runtime_api::SeekerTier<Balance, BlockNumber> {
			<Runtime as TiersApiV1<crate::Block, AccountId, Balance, BlockNumber>>::tier_of(who)
		}
		fn tier_table() -> Vec<pallet_tiers::TierParams<Balance>> {
			<Runtime as TiersApiV1<crate::Block, AccountId, Balance, BlockNumber>>::tier_table()
		}
		fn provider_multiplier(
			who: AccountId,
		) -> pallet_tiers::runtime_api::ProviderBoost<Balance> {
			<Runtime as TiersApiV1<crate::Block, AccountId, Balance, BlockNumber>>::provider_multiplier(who)
		}
	}
	struct CapsulesApi;
	impl CapsulesApi {
		fn capsule(id: u64) -> Option<CapsuleInfo<AccountId, Balance, BlockNumber>> {
			<Runtime as CapsulesApiV2<crate::Block, AccountId, Balance, BlockNumber>>::capsule(id)
		}
		fn capsules(
			filter: CapsuleFilter<AccountId>,
			from: u64,
			limit: u32,
		) -> CapsulePage<AccountId, Balance, BlockNumber> {
			<Runtime as CapsulesApiV2<crate::Block, AccountId, Balance, BlockNumber>>::capsules(
				filter, from, limit,
			)
		}
		fn offering(id: Vec<u8>) -> Option<bool> {
			<Runtime as CapsulesApiV2<crate::Block, AccountId, Balance, BlockNumber>>::offering(id)
		}
		fn offerings() -> Vec<pallet_capsules::runtime_api::OfferingInfo> {
			<Runtime as CapsulesApiV2<crate::Block, AccountId, Balance, BlockNumber>>::offerings()
		}
	}

	fn dev() -> sp_io::TestExternalities {
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET)
	}

	fn spec(offering: &[u8]) -> pallet_capsules::SpecOf<Runtime> {
		CapsuleSpec {
			offering: offering.to_vec().try_into().unwrap(),
			lane: Lane::Standard,
			price: Price {
				per_1k_input: 1_000,
				per_1k_output: 4_000,
				per_1k_cache_read: 100,
				per_1k_cache_write: 1_250,
			},
			capacity: 100_000,
			window: QuotaWindow::Hour,
			concurrency: 2,
			region: b"ap-south".to_vec().try_into().unwrap(),
			endpoint_commitment: H256::repeat_byte(9),
			metadata: b"{}".to_vec().try_into().unwrap(),
		}
	}

	#[test]
	fn development_preset_lists_offerings_demo_capsules_and_tiers() {
		dev().execute_with(|| {
			assert_eq!(TiersApi::tier_table(), presets::default_tiers());
			let page = CapsulesApi::capsules(CapsuleFilter::default(), 0, 100);
			assert_eq!(page.next, None);
			assert_eq!(page.capsules.len(), presets::demo_capsules().len());
			assert!(page.capsules.iter().all(|c| c.status == CapsuleStatus::Active));
			let bob = account(Sr25519Keyring::Bob);
			let bonds = 2 * crate::configs::marketplace::CapsuleBond::get();
			assert_eq!(Balances::balance_on_hold(&CapsuleHold::CapsuleBond.into(), &bob), bonds);
			let premium = CapsulesApi::capsules(
				CapsuleFilter { lane: Some(Lane::Premium), ..Default::default() },
				0,
				100,
			);
			assert_eq!(premium.capsules.len(), 2);
			assert_eq!(CapsulesApi::offering(b"consumer-chat-plan".to_vec()), Some(false));
			assert_eq!(CapsulesApi::offering(b"nope".to_vec()), None);
			// The model ids clients send name offerings (governance-curated aliases).
			let offerings = CapsulesApi::offerings();
			let ids: Vec<&[u8]> = offerings.iter().map(|o| o.id.as_slice()).collect();
			assert_eq!(
				ids,
				vec![
					&b"claude-opus"[..],
					b"claude-sonnet",
					b"consumer-chat-plan",
					b"gpt-5",
					b"gpt-5-codex"
				]
			);
			let sonnet = offerings.iter().find(|o| o.id == b"claude-sonnet").unwrap();
			assert_eq!(
				sonnet.aliases,
				vec![b"claude-sonnet-4-6".to_vec(), b"claude-sonnet-4-5".to_vec()]
			);
			assert_eq!(
				Capsules::offering_of(b"claude-opus-4-8").map(|o| o.into_inner()),
				Some(b"claude-opus".to_vec())
			);
			assert_eq!(CapsulesApi::offering(vec![b'x'; 100]), None);
		});
	}

	#[test]
	fn local_testnet_preset_lists_offerings_and_tiers_but_no_capsules() {
		ext_for_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			assert_eq!(
				pallet_tiers::TierTable::<Runtime>::get().to_vec(),
				presets::default_tiers()
			);
			assert_eq!(pallet_capsules::NextCapsuleId::<Runtime>::get(), 0);
			assert_eq!(CapsulesApi::offering(b"gpt-5".to_vec()), Some(true));
		});
	}

	#[test]
	fn seeker_staking_ten_thousand_nxv_reaches_silver_through_the_runtime_api() {
		dev().execute_with(|| {
			let eve = account(Sr25519Keyring::Eve);
			let standing = TiersApi::tier_of(eve.clone());
			assert_eq!((standing.tier, standing.next_threshold), (0, Some(1_000 * NXV)));
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(eve.clone()), 10_000 * NXV));
			let standing = TiersApi::tier_of(eve);
			assert_eq!(standing.tier, 2, "Silver");
			assert!(standing.params.premium_lanes);
			assert_eq!(standing.params.rate_limit, 2_000_000);
			assert_eq!(standing.params.commitment_discount, sp_runtime::Permill::from_percent(4));
			assert_eq!(standing.next_threshold, Some(50_000 * NXV));
		});
	}

	#[test]
	fn provider_registers_capsule_and_reads_it_back() {
		dev().execute_with(|| {
			let dave = account(Sr25519Keyring::Dave);
			let next = pallet_capsules::NextCapsuleId::<Runtime>::get();
			assert_ok!(Capsules::register(RuntimeOrigin::signed(dave.clone()), spec(b"gpt-5")));
			let info = CapsulesApi::capsule(next).unwrap();
			assert_eq!(info.owner, dave.clone());
			assert_eq!(info.deposit, 2 * crate::configs::marketplace::DepositPerByte::get());
			let mine = CapsulesApi::capsules(
				CapsuleFilter {
					owner: Some(dave.clone()),
					status: Some(StatusFilter::Active),
					..Default::default()
				},
				0,
				10,
			);
			assert_eq!(mine.capsules, vec![info]);
			// The provider's reputation feeds the tiers multiplier: a fresh capsule is fully
			// trusted, so stake alone now boosts it.
			assert_ok!(Tiers::provider_stake(RuntimeOrigin::signed(dave.clone()), 100_000 * NXV));
			let boost = TiersApi::provider_multiplier(dave);
			assert_eq!(boost.multiplier, sp_runtime::FixedU128::from_rational(3, 2));
		});
	}

	#[test]
	fn capsule_on_a_non_resale_offering_is_rejected() {
		dev().execute_with(|| {
			let dave = account(Sr25519Keyring::Dave);
			assert_noop!(
				Capsules::register(RuntimeOrigin::signed(dave), spec(b"consumer-chat-plan")),
				pallet_capsules::Error::<Runtime>::ResaleNotPermitted
			);
		});
	}

	#[test]
	fn suspending_a_capsule_needs_root_or_the_emergency_track() {
		dev().execute_with(|| {
			let alice = account(Sr25519Keyring::Alice);
			assert_noop!(
				Capsules::suspend(RuntimeOrigin::signed(alice), 0),
				sp_runtime::DispatchError::BadOrigin
			);
			assert_ok!(Capsules::suspend(RuntimeOrigin::root(), 0));
			assert_eq!(CapsulesApi::capsule(0).unwrap().status, CapsuleStatus::Suspended);
		});
	}
}

pub(crate) mod supply_and_staking {
	use super::*;
	use crate::{
		AllPalletsWithSystem, BlockNumber, RewardPot, Session, SessionKeys, Staking, Timestamp,
		Vesting,
	};
	use frame_support::traits::{fungible::Mutate, OnFinalize, OnInitialize, VestingSchedule};
	use pallet_staking::RewardDestination;
	use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
	use std::sync::Arc;

	pub(crate) fn dev() -> sp_io::TestExternalities {
		let mut ext = ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET);
		ext.register_extension(KeystoreExt(Arc::new(MemoryKeystore::new())));
		ext.execute_with(|| {
			// `ext_for_preset` left block 1 half set up: start it properly.
			System::set_block_number(0);
			start_block(1);
		});
		ext
	}

	/// Starts block `n` in slot `n`, as block import does: the Aura pre-runtime digest (so
	/// the author is known), `on_initialize`, then the timestamp inherent.
	fn start_block(n: BlockNumber) {
		use codec::Encode;
		let slot = sp_consensus_aura::Slot::from(u64::from(n));
		let digest = sp_runtime::Digest {
			logs: vec![sp_runtime::DigestItem::PreRuntime(
				sp_consensus_aura::AURA_ENGINE_ID,
				slot.encode(),
			)],
		};
		System::initialize(&n, &System::parent_hash(), &digest);
		AllPalletsWithSystem::on_initialize(n);
		Timestamp::set_timestamp(u64::from(n) * 6_000);
	}

	/// Finalizes the current block and runs empty blocks up to `n`.
	pub(crate) fn run_to_block(n: BlockNumber) {
		while System::block_number() < n {
			let b = System::block_number();
			AllPalletsWithSystem::on_finalize(b);
			start_block(b + 1);
		}
	}

	fn active_era() -> u32 {
		pallet_staking::ActiveEra::<Runtime>::get().map(|e| e.index).unwrap_or_default()
	}

	/// Runs until era `era` is active.
	fn run_to_era(era: u32) {
		let mut guard = 0;
		while active_era() < era {
			run_to_block(System::block_number() + 1);
			guard += 1;
			assert!(guard < 10_000, "era {era} never started");
		}
	}

	/// Bonds `stake` from `who`, declares it a validator and registers fresh session keys.
	fn become_validator(who: &AccountId, stake: Balance) -> SessionKeys {
		assert_ok!(Staking::bond(
			RuntimeOrigin::signed(who.clone()),
			stake,
			RewardDestination::Stash
		));
		assert_ok!(Staking::validate(RuntimeOrigin::signed(who.clone()), Default::default()));
		let generated = SessionKeys::generate(&codec::Encode::encode(who), None);
		assert_ok!(Session::set_keys(
			RuntimeOrigin::signed(who.clone()),
			generated.keys.clone(),
			codec::Encode::encode(&generated.proof)
		));
		generated.keys
	}

	#[test]
	fn genesis_mints_exactly_the_fixed_supply_across_the_buckets() {
		for preset in ["development", "local_testnet"] {
			ext_for_preset(preset).execute_with(|| {
				assert_eq!(Balances::total_issuance(), presets::TOTAL_SUPPLY, "{preset}");
				let sum: Balance = [
					presets::EMISSIONS_POOL,
					presets::ECOSYSTEM_TREASURY,
					presets::TEAM,
					presets::INVESTORS,
					presets::COMMUNITY_AND_LIQUIDITY,
					presets::VALIDATOR_BONDS,
					presets::TEST_ACCOUNTS,
				]
				.iter()
				.sum();
				assert_eq!(sum, presets::TOTAL_SUPPLY);
				assert_eq!(
					Balances::total_balance(&crate::configs::accounts::TreasuryAccount::get()),
					presets::ECOSYSTEM_TREASURY
				);
				assert_eq!(
					Balances::total_balance(&presets::reward_pot_account()),
					EXISTENTIAL_DEPOSIT
				);
			});
		}
	}

	#[test]
	fn genesis_validators_are_bonded_and_in_the_session() {
		ext_for_preset(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			let validators = pallet_session::Validators::<Runtime>::get();
			assert_eq!(validators.len(), 4);
			let stash = account(Sr25519Keyring::AliceStash);
			assert!(validators.contains(&stash));
			let ledger = pallet_staking::Ledger::<Runtime>::get(&stash).unwrap();
			assert_eq!(ledger.active, presets::validator_share(4) - presets::STASH_FREE);
		});
	}

	#[test]
	fn vesting_releases_nothing_before_the_cliff_then_linearly() {
		dev().execute_with(|| {
			let team = presets::team_account();
			assert_eq!(Vesting::vesting_balance(&team), Some(presets::TEAM));
			// Locked: a transfer fails before the cliff.
			assert!(Balances::transfer_keep_alive(
				RuntimeOrigin::signed(team.clone()),
				account(Sr25519Keyring::Eve).into(),
				NXV
			)
			.is_err());
			// Halfway through the three-year vesting after the one-year cliff.
			System::set_block_number(presets::YEAR + 3 * presets::YEAR / 2);
			// Linear per block (the per-block amount is rounded down, so a few planck per block
			// stay locked until the end).
			let half = Vesting::vesting_balance(&team).unwrap();
			assert!(half.abs_diff(presets::TEAM / 2) <= Balance::from(3 * presets::YEAR), "{half}");
			// Fully vested once the rounded-down per-block amount has covered it all (a block
			// after the nominal end).
			System::set_block_number(presets::YEAR + 3 * presets::YEAR + 1);
			assert_eq!(Vesting::vesting_balance(&team), Some(0));
			assert_ok!(Vesting::vest(RuntimeOrigin::signed(team.clone())));
			assert_ok!(Balances::transfer_keep_alive(
				RuntimeOrigin::signed(team),
				account(Sr25519Keyring::Eve).into(),
				NXV
			));
		});
	}

	#[test]
	fn a_newly_bonded_validator_is_elected_in_the_next_era_and_an_underbonded_one_is_not() {
		dev().execute_with(|| {
			let bob = account(Sr25519Keyring::Bob);
			let charlie = account(Sr25519Keyring::Charlie);
			become_validator(&bob, 100_000 * NXV);
			// Below the 10,000 NXV minimum validator bond: `validate` refuses.
			assert_ok!(Staking::bond(
				RuntimeOrigin::signed(charlie.clone()),
				5_000 * NXV,
				RewardDestination::Stash
			));
			assert_noop!(
				Staking::validate(RuntimeOrigin::signed(charlie.clone()), Default::default()),
				pallet_staking::Error::<Runtime>::InsufficientBond
			);
			let era = active_era();
			run_to_era(era + 2);
			let validators = pallet_session::Validators::<Runtime>::get();
			assert!(validators.contains(&bob), "Bob is in the session set: {validators:?}");
			assert!(!validators.contains(&charlie));
			assert!(validators.contains(&account(Sr25519Keyring::AliceStash)));
			assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
		});
	}

	#[test]
	fn a_nominator_backs_a_new_validator_from_the_next_era() {
		dev().execute_with(|| {
			let bob = account(Sr25519Keyring::Bob);
			let dave = account(Sr25519Keyring::Dave);
			become_validator(&bob, 20_000 * NXV);
			assert_ok!(Staking::bond(
				RuntimeOrigin::signed(dave.clone()),
				5_000 * NXV,
				RewardDestination::Staked
			));
			assert_ok!(Staking::nominate(
				RuntimeOrigin::signed(dave.clone()),
				vec![bob.clone().into()]
			));
			let era = active_era();
			run_to_era(era + 2);
			let era = active_era();
			let overview = pallet_staking::ErasStakersOverview::<Runtime>::get(era, &bob)
				.expect("Bob is exposed in the active era");
			// The election works in vote weight (stake scaled down to u64 by `CurrencyToVote`),
			// so exposures come back rounded by a few hundred planck at most.
			let close = |a: Balance, b: Balance| a.abs_diff(b) <= 1_000;
			assert!(close(overview.own, 20_000 * NXV), "own {}", overview.own);
			assert!(close(overview.total, 25_000 * NXV), "own plus Dave's: {}", overview.total);
			assert_eq!(overview.nominator_count, 1);
		});
	}

	#[test]
	fn a_multisig_account_moves_funds_only_with_its_threshold() {
		dev().execute_with(|| {
			let (a, b, c) = (
				account(Sr25519Keyring::Alice),
				account(Sr25519Keyring::Bob),
				account(Sr25519Keyring::Charlie),
			);
			let mut signatories = vec![a.clone(), b.clone(), c.clone()];
			signatories.sort();
			let multi = crate::Multisig::multi_account_id(&signatories, 2);
			assert_ok!(Balances::transfer_keep_alive(
				RuntimeOrigin::signed(a.clone()),
				multi.clone().into(),
				100 * NXV
			));
			let eve = account(Sr25519Keyring::Eve);
			let eve_before = Balances::total_balance(&eve);
			let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: eve.clone().into(),
				value: 10 * NXV,
			});
			let others = |me: &AccountId| {
				signatories.iter().filter(|s| *s != me).cloned().collect::<Vec<_>>()
			};
			let weight = frame_support::weights::Weight::from_parts(1_000_000_000, 100_000);
			assert_ok!(crate::Multisig::as_multi(
				RuntimeOrigin::signed(a.clone()),
				2,
				others(&a),
				None,
				Box::new(call.clone()),
				weight
			));
			// One approval of two: nothing moved, a deposit is held from the first signatory.
			assert_eq!(Balances::total_balance(&eve), eve_before);
			let timepoint = crate::Multisig::timepoint();
			assert_ok!(crate::Multisig::as_multi(
				RuntimeOrigin::signed(b.clone()),
				2,
				others(&b),
				Some(timepoint),
				Box::new(call),
				weight
			));
			assert_eq!(Balances::total_balance(&eve), eve_before + 10 * NXV);
		});
	}

	#[test]
	fn bad_validator_input_fails_with_named_errors_and_moves_nothing() {
		dev().execute_with(|| {
			let eve = account(Sr25519Keyring::Eve);
			let before = Balances::total_balance(&eve);
			// Validating without a bond.
			assert_noop!(
				Staking::validate(RuntimeOrigin::signed(eve.clone()), Default::default()),
				pallet_staking::Error::<Runtime>::NotController
			);
			// Bonding below the existential deposit / minimum.
			assert_noop!(
				Staking::bond(RuntimeOrigin::signed(eve.clone()), 1, RewardDestination::Stash),
				pallet_staking::Error::<Runtime>::InsufficientBond
			);
			// Keys with a proof that does not sign the owner.
			let generated = SessionKeys::generate(b"someone else", None);
			assert_noop!(
				Session::set_keys(
					RuntimeOrigin::signed(eve.clone()),
					generated.keys,
					codec::Encode::encode(&generated.proof)
				),
				pallet_session::Error::<Runtime>::InvalidProof
			);
			// Malformed keys: bytes that do not decode.
			assert!(<SessionKeys as codec::Decode>::decode(&mut &[1u8, 2, 3][..]).is_err());
			assert_eq!(Balances::total_balance(&eve), before);
		});
	}

	#[test]
	fn era_payout_draws_only_from_the_pot_and_issuance_never_grows() {
		dev().execute_with(|| {
			let issuance = Balances::total_issuance();
			let pot = presets::reward_pot_account();
			let alice_stash = account(Sr25519Keyring::AliceStash);
			// An era with an empty pot pays nothing.
			let era = active_era();
			run_to_era(era + 1);
			assert_eq!(pallet_staking::ErasValidatorReward::<Runtime>::get(era), Some(0));
			// Fees arrive in the pot (here: 1,000 NXV moved in by a transfer).
			assert_ok!(Balances::transfer(
				&account(Sr25519Keyring::Dave),
				&pot,
				1_000 * NXV,
				frame_support::traits::tokens::Preservation::Preserve
			));
			let era = active_era();
			run_to_era(era + 1);
			assert_eq!(pallet_staking::ErasValidatorReward::<Runtime>::get(era), Some(1_000 * NXV));
			assert_eq!(Balances::total_balance(&pot), EXISTENTIAL_DEPOSIT);
			assert!(Balances::total_issuance() <= issuance);
			// Claiming mints the reward back to the validator: issuance returns to at most
			// where it was.
			let stash_before = Balances::total_balance(&alice_stash);
			assert_ok!(Staking::payout_stakers(
				RuntimeOrigin::signed(account(Sr25519Keyring::Eve)),
				alice_stash.clone(),
				era
			));
			let paid = Balances::total_balance(&alice_stash) - stash_before;
			assert!(paid > 0 && paid <= 1_000 * NXV, "paid {paid}");
			assert!(Balances::total_issuance() <= issuance);
			// Many more eras: issuance never grows.
			for _ in 0..10 {
				let era = active_era();
				run_to_era(era + 1);
				assert!(Balances::total_issuance() <= issuance);
			}
			assert_eq!(RewardPot::available(), 0);
		});
	}

	#[test]
	fn a_slash_is_deferred_and_root_can_cancel_it() {
		use sp_staking::offence::{OffenceDetails, OnOffenceHandler};
		dev().execute_with(|| {
			let stash = account(Sr25519Keyring::AliceStash);
			run_to_era(active_era() + 1);
			let era = active_era();
			let bonded = pallet_staking::Ledger::<Runtime>::get(&stash).unwrap().total;
			let session = pallet_session::CurrentIndex::<Runtime>::get();
			<Staking as OnOffenceHandler<
				AccountId,
				(AccountId, ()),
				frame_support::weights::Weight,
			>>::on_offence(
				&[OffenceDetails { offender: (stash.clone(), ()), reporters: vec![] }],
				&[sp_runtime::Perbill::from_percent(10)],
				session,
			);
			// Deferred: nothing is taken yet; the slash is applied at the start of the era after
			// `SlashDeferDuration` more.
			let apply_at = era + crate::configs::staking::SlashDeferDuration::get() + 1;
			assert_eq!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_at).len(), 1);
			assert_eq!(pallet_staking::Ledger::<Runtime>::get(&stash).unwrap().total, bonded);
			// Only the admin origin (Root) may cancel.
			assert_noop!(
				Staking::cancel_deferred_slash(
					RuntimeOrigin::signed(account(Sr25519Keyring::Bob)),
					apply_at,
					vec![0]
				),
				sp_runtime::DispatchError::BadOrigin
			);
			assert_ok!(Staking::cancel_deferred_slash(RuntimeOrigin::root(), apply_at, vec![0]));
			assert!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_at).is_empty());
			assert_eq!(pallet_staking::Ledger::<Runtime>::get(&stash).unwrap().total, bonded);
		});
	}

	#[test]
	fn treasury_spends_need_root_and_pay_from_the_pot() {
		dev().execute_with(|| {
			let eve = account(Sr25519Keyring::Eve);
			let treasury = crate::configs::accounts::TreasuryAccount::get();
			let before = Balances::total_balance(&eve);
			assert_noop!(
				crate::Treasury::spend(
					RuntimeOrigin::signed(eve.clone()),
					Box::new(()),
					1_000 * NXV,
					Box::new(eve.clone()),
					None
				),
				sp_runtime::DispatchError::BadOrigin
			);
			assert_ok!(crate::Treasury::spend(
				RuntimeOrigin::root(),
				Box::new(()),
				1_000 * NXV,
				Box::new(eve.clone()),
				None
			));
			assert_ok!(crate::Treasury::payout(RuntimeOrigin::signed(eve.clone()), 0));
			assert_eq!(Balances::total_balance(&eve), before + 1_000 * NXV);
			assert_eq!(
				Balances::total_balance(&treasury),
				presets::ECOSYSTEM_TREASURY - 1_000 * NXV
			);
		});
	}

	#[test]
	fn a_staking_proxy_can_validate_but_not_transfer() {
		use crate::configs::treasury::ProxyType;
		dev().execute_with(|| {
			let stash = account(Sr25519Keyring::Dave);
			let hot = account(Sr25519Keyring::Ferdie);
			assert_ok!(crate::Proxy::add_proxy(
				RuntimeOrigin::signed(stash.clone()),
				hot.clone().into(),
				ProxyType::Staking,
				0
			));
			let transfer =
				Box::new(RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
					dest: hot.clone().into(),
					value: NXV,
				}));
			assert_ok!(crate::Proxy::proxy(
				RuntimeOrigin::signed(hot.clone()),
				stash.clone().into(),
				None,
				transfer
			));
			// The proxied call was filtered: the proxy pallet reports it, no NXV moved.
			System::assert_last_event(RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted {
				result: Err(frame_system::Error::<Runtime>::CallFiltered.into()),
			}));
			let bond = Box::new(RuntimeCall::Staking(pallet_staking::Call::bond {
				value: 20_000 * NXV,
				payee: RewardDestination::Stash,
			}));
			assert_ok!(crate::Proxy::proxy(
				RuntimeOrigin::signed(hot),
				stash.clone().into(),
				None,
				bond
			));
			assert_eq!(
				pallet_staking::Ledger::<Runtime>::get(&stash).unwrap().active,
				20_000 * NXV
			);
		});
	}

	#[test]
	fn fees_go_to_the_pot_and_the_author_never_burned() {
		dev().execute_with(|| {
			use pallet_transaction_payment::OnChargeTransaction;
			let issuance = Balances::total_issuance();
			let pot = presets::reward_pot_account();
			let author = account(Sr25519Keyring::AliceStash);
			let author_before = Balances::total_balance(&author);
			let who = account(Sr25519Keyring::Eve);
			let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
			let info = frame_support::dispatch::DispatchInfo::default();
			let fee = 100 * MILLI_NXV;
			let liquidity = <<Runtime as pallet_transaction_payment::Config>::OnChargeTransaction as OnChargeTransaction<Runtime>>::withdraw_fee(&who, &call, &info, fee, 0).unwrap();
			let post = frame_support::dispatch::PostDispatchInfo::default();
			<<Runtime as pallet_transaction_payment::Config>::OnChargeTransaction as OnChargeTransaction<Runtime>>::correct_and_deposit_fee(&who, &info, &post, fee, 0, liquidity).unwrap();
			// 80% to the pot, 20% to the block author (Alice's stash, the only validator).
			assert_eq!(Balances::total_balance(&pot), EXISTENTIAL_DEPOSIT + fee / 5 * 4);
			assert_eq!(crate::Authorship::author(), Some(account(Sr25519Keyring::AliceStash)));
			assert_eq!(Balances::total_balance(&author), author_before + fee / 5);
			assert_eq!(Balances::total_issuance(), issuance);
		});
	}
}

#[test]
fn supply_breakdown_accounts_for_every_bucket_at_genesis() {
	ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let s = crate::supply::breakdown();
		assert_eq!(s.total, presets::TOTAL_SUPPLY);
		assert_eq!(s.emissions_pool, presets::EMISSIONS_POOL);
		assert_eq!(s.treasury, presets::ECOSYSTEM_TREASURY);
		assert_eq!(s.reward_pot, EXISTENTIAL_DEPOSIT);
		assert_eq!(s.vesting, presets::TEAM + presets::INVESTORS);
		assert_eq!(s.bonded, presets::VALIDATOR_BONDS - presets::STASH_FREE);
		let bonds = 4 * crate::configs::marketplace::CapsuleBond::get();
		assert!(s.marketplace_held > bonds);
		// Circulating: the test accounts and the stash's free part, less the demo capsules'
		// bonds and deposits.
		assert_eq!(
			s.circulating,
			presets::TEST_ACCOUNTS + presets::STASH_FREE - s.marketplace_held
		);
		assert_eq!(
			s.circulating +
				s.vesting + s.bonded +
				s.marketplace_held +
				s.emissions_pool +
				s.treasury + s.reward_pot +
				s.liquidity_reserve +
				s.settlement_pots +
				s.liquidity_pools,
			s.total
		);
		// The NXV/USDN pool holds the genesis liquidity, taken from the liquidity bucket.
		assert_eq!(s.liquidity_pools, presets::POOL_NXV);
	});
}

mod settlement {
	//! Settlement in the composed runtime: the development gateway (Dave) settles a receipt
	//! of a seeker (Eve) and every leg lands in its account.
	use super::*;
	use crate::{
		configs::{
			accounts::{BuybackAccount, TreasuryAccount},
			assets::{AssetKind, USDN, USDN_ID},
		},
		Metering, Reserve, RewardPot,
	};
	use frame_support::traits::fungibles::Inspect as _;

	type Both = crate::configs::assets::NativeAndAssets;

	fn usdn() -> AssetKind {
		AssetKind::WithId(USDN_ID)
	}

	#[test]
	fn a_signed_receipt_settles_every_leg_into_its_account() {
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// Chain time without an Aura slot check (no block is being built here).
			pallet_timestamp::Now::<Runtime>::put(1_700_000_000_000);
			let eve = account(Sr25519Keyring::Eve);
			assert_ok!(Metering::deposit(RuntimeOrigin::signed(eve.clone()), usdn(), 100 * USDN));
			assert_ok!(Metering::open_session(
				RuntimeOrigin::signed(eve.clone()),
				0,
				usdn(),
				50 * USDN,
				100
			));
			let dests = [
				TreasuryAccount::get(),
				BuybackAccount::get(),
				RewardPot::account_id(),
				Reserve::account_id(),
			];
			let before: Vec<u128> = dests.iter().map(|d| Both::balance(usdn(), d)).collect();
			// A standard-lane demo capsule (Eve has no stake: the Basic tier has no premium lanes).
			let capsule = (0..4)
				.find(|id| {
					pallet_capsules::Capsules::<Runtime>::get(id)
						.is_some_and(|c| c.spec.lane == pallet_capsules::Lane::Standard)
				})
				.unwrap();
			let q =
				Metering::quote(eve.clone(), capsule, Units::plain(1_000, 200), usdn()).unwrap();
			let b = crate::test_batches::batch(
				1_700_000_000_000,
				vec![capsule],
				vec![(0, 1, vec![crate::test_batches::served(0, Units::plain(1_000, 200), 0)])],
			);
			let settlement = crate::test_batches::post(&b);
			assert!(settlement.rejected.is_empty() && settlement.refused.is_empty());
			assert_eq!(settlement.assets[0].legs, q.legs, "the event's legs are the quote's");
			let after: Vec<u128> = dests.iter().map(|d| Both::balance(usdn(), d)).collect();
			let legs = [q.legs.treasury, q.legs.buyback, q.legs.validators, q.legs.reserve];
			for i in 0..4 {
				assert_eq!(after[i] - before[i], legs[i], "leg {i}");
			}
			assert!(q.net > 0 && q.legs.provider * 2 > q.net);
			assert_eq!(
				pallet_metering::Sessions::<Runtime>::get(0).unwrap().spent,
				q.net,
				"the seeker paid the quote"
			);
			assert_eq!(crate::invariants::violations(), Vec::<String>::new());

			// The seeker disputes it by its leaf and proof: the deposit is held, and the
			// runtime's holds invariant counts it against the open dispute.
			let leaves = settlement.leaves(&b).unwrap();
			let hashes: Vec<_> = leaves.iter().map(nexus_primitives::receipts::leaf_hash).collect();
			let proof = nexus_primitives::receipts::proof(&hashes, 0).unwrap();
			let batch = pallet_metering::NextBatchId::<Runtime>::get() - 1;
			assert_ok!(Metering::dispute_receipt(
				RuntimeOrigin::signed(eve),
				batch,
				Box::new(leaves[0].clone()),
				proof
			));
			assert!(pallet_metering::ReceiptDisputes::<Runtime>::contains_key(batch, 0));
			assert_eq!(crate::invariants::violations(), Vec::<String>::new());
		});
	}
}

mod exchange {
	//! The NXV/USDN pool created by the presets.
	use super::*;
	use crate::{
		configs::assets::{AssetKind, USDN, USDN_ID},
		AssetConversion,
	};
	use frame_support::traits::fungibles::Inspect as _;

	type Both = crate::configs::assets::NativeAndAssets;

	fn usdn() -> AssetKind {
		AssetKind::WithId(USDN_ID)
	}

	#[test]
	fn both_presets_create_the_pool_at_the_genesis_price() {
		for preset in ["development", "local_testnet"] {
			ext_for_preset(preset).execute_with(|| {
				let reserves = AssetConversion::get_reserves(AssetKind::Native, usdn()).unwrap();
				assert_eq!(reserves, (presets::POOL_NXV, presets::POOL_USDN), "{preset}");
				// One NXV quotes at just under one USDN (the 0.3% fee and the pool's depth).
				let out = AssetConversion::quote_price_exact_tokens_for_tokens(
					AssetKind::Native,
					usdn(),
					NXV,
					true,
				)
				.unwrap();
				assert!(out < USDN && out > USDN * 996 / 1_000, "{out}");
			});
		}
	}

	#[test]
	fn a_seeker_swaps_usdn_for_nxv_within_a_slippage_bound() {
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			let eve = account(Sr25519Keyring::Eve);
			let path = vec![Box::new(usdn()), Box::new(AssetKind::Native)];
			let quoted = AssetConversion::quote_price_exact_tokens_for_tokens(
				usdn(),
				AssetKind::Native,
				1_000 * USDN,
				true,
			)
			.unwrap();
			// Asking for more than the pool gives fails by name and moves nothing.
			assert_noop!(
				AssetConversion::swap_exact_tokens_for_tokens(
					RuntimeOrigin::signed(eve.clone()),
					path.clone(),
					1_000 * USDN,
					quoted + 1,
					eve.clone(),
					true
				),
				pallet_asset_conversion::Error::<Runtime>::ProvidedMinimumNotSufficientForSwap
			);
			let nxv0 = Balances::balance(&eve);
			let usdn0 = Both::balance(usdn(), &eve);
			assert_ok!(AssetConversion::swap_exact_tokens_for_tokens(
				RuntimeOrigin::signed(eve.clone()),
				path,
				1_000 * USDN,
				quoted,
				eve.clone(),
				true
			));
			assert_eq!(Balances::balance(&eve), nxv0 + quoted);
			assert_eq!(Both::balance(usdn(), &eve), usdn0 - 1_000 * USDN);
			let (nxv, usd) = AssetConversion::get_reserves(AssetKind::Native, usdn()).unwrap();
			assert_eq!((nxv, usd), (presets::POOL_NXV - quoted, presets::POOL_USDN + 1_000 * USDN));
		});
	}
}

mod incentives {
	//! The buyback/rebates pot and milestone emissions in the composed runtime, fed by real
	//! settlement and buying on the real NXV/USDN pool.
	use super::*;
	use crate::{
		configs::assets::{AssetKind, USDN, USDN_ID},
		genesis_config_presets as presets, Buyback, Emissions, Metering,
	};
	use frame_support::traits::fungibles::{Inspect as _, Mutate as _};
	use pallet_buyback::Programme;
	use supply_and_staking::{dev, run_to_block};

	type Both = crate::configs::assets::NativeAndAssets;

	fn usdn() -> AssetKind {
		AssetKind::WithId(USDN_ID)
	}

	fn buyback_events() -> Vec<pallet_buyback::Event<Runtime>> {
		System::events()
			.into_iter()
			.filter_map(|r| match r.event {
				RuntimeEvent::Buyback(e) => Some(e),
				_ => None,
			})
			.collect()
	}

	/// NXV's supply invariant: issuance + burned + era rewards not yet minted back == genesis.
	fn assert_supply_accounted() {
		let burned = pallet_buyback::ProgrammeTotals::<Runtime>::get().burned;
		let outstanding =
			<pallet_reward_pot::Outstanding<Runtime> as frame_support::traits::Get<Balance>>::get();
		assert_eq!(
			Balances::total_issuance() + burned + outstanding,
			pallet_buyback::InitialIssuance::<Runtime>::get()
		);
		assert_eq!(pallet_buyback::InitialIssuance::<Runtime>::get(), presets::TOTAL_SUPPLY);
	}

	/// A standard-lane demo capsule of the development genesis (any tier may use it) and its
	/// provider.
	fn standard_capsule() -> (u64, AccountId) {
		let capsule = (0..4)
			.find(|id| {
				pallet_capsules::Capsules::<Runtime>::get(id)
					.is_some_and(|c| c.spec.lane == pallet_capsules::Lane::Standard)
			})
			.unwrap();
		(capsule, pallet_capsules::Capsules::<Runtime>::get(capsule).unwrap().owner)
	}

	/// Eve settles one receipt of `input`/`output` units on a standard demo capsule through the
	/// development gateway; returns the capsule's provider and the net charged (USDN).
	fn settle(input: u64, output: u64) -> (AccountId, u128) {
		let now = pallet_timestamp::Now::<Runtime>::get();
		let eve = account(Sr25519Keyring::Eve);
		assert_ok!(Metering::deposit(RuntimeOrigin::signed(eve.clone()), usdn(), 100 * USDN));
		assert_ok!(Metering::open_session(
			RuntimeOrigin::signed(eve.clone()),
			0,
			usdn(),
			100 * USDN,
			1_000
		));
		let (capsule, provider) = standard_capsule();
		let q = Metering::quote(eve, capsule, Units::plain(input, output), usdn()).unwrap();
		let b = crate::test_batches::batch(
			now,
			vec![capsule],
			vec![(0, 1, vec![crate::test_batches::served(0, Units::plain(input, output), 0)])],
		);
		crate::test_batches::post(&b);
		assert_eq!(pallet_metering::Sessions::<Runtime>::get(0).unwrap().spent, q.net);
		(provider, q.net)
	}

	#[test]
	fn settlement_feeds_rebates_and_the_development_milestone_releases_once() {
		dev().execute_with(|| {
			let eve = account(Sr25519Keyring::Eve);
			let (provider, net) = settle(5_000, 1_000);
			assert!(
				net >= presets::DEV_MILESTONE.1,
				"the receipt reaches the first milestone: {net}"
			);
			// Both programmes saw the spend (USDN's smallest unit is the pricing unit).
			let tally = pallet_buyback::Tallies::<Runtime>::get(0);
			assert_eq!((tally.spend, tally.seekers), (net, 1));
			let p = pallet_emissions::MetricsProgress::<Runtime>::get();
			assert_eq!((p.settled_volume, p.seekers, p.providers), (net, 1, 1));

			// The milestone is reached: next block starts the release, the one after vests it.
			let balance = Balances::balance(&provider);
			let pool = Emissions::pool_balance();
			run_to_block(System::block_number() + 2);
			let tranche = presets::DEV_MILESTONE.2;
			assert_eq!(Balances::balance(&provider), balance + tranche);
			assert!(pallet_vesting::Vesting::<Runtime>::get(&provider).is_some());
			assert_eq!(Emissions::pool_balance(), pool - tranche);
			assert_eq!(pallet_emissions::Released::<Runtime>::get(), tranche);
			run_to_block(System::block_number() + 5);
			assert_eq!(pallet_emissions::Released::<Runtime>::get(), tranche, "released once");

			// The epoch closes: Eve, the only seeker, is owed everything the pot had.
			let end = Buyback::epoch_end();
			run_to_block(end + 1);
			let available = buyback_events()
				.into_iter()
				.find_map(|e| match e {
					pallet_buyback::Event::EpochClosed { available, .. } => Some(available),
					_ => None,
				})
				.unwrap();
			assert!(available.stable > 0);
			assert_eq!(pallet_buyback::Claimable::<Runtime>::get(&eve), available);
			let before = Both::balance(usdn(), &eve);
			assert_ok!(Buyback::claim_rebates(RuntimeOrigin::signed(eve.clone())));
			assert_eq!(Both::balance(usdn(), &eve), before + available.stable);
			assert_supply_accounted();
		});
	}

	/// The projection engine's buyback step on the same state as the runtime's epoch close: the
	/// same amount swapped within the slippage bound (the pallet's rule, on the engine's copy
	/// of asset-conversion's output formula), the same NXV bought, the same stable carried;
	/// from a pot the pool easily absorbs to one it is far too thin for.
	#[test]
	fn an_epochs_buyback_is_the_engines_buyback_step() {
		use nexus_primitives::economics::buyback::{amount_out, max_within_slippage};
		for pot_usdn in [10 * USDN, 40_000 * USDN, 49_622 * USDN, 300_000 * USDN, 2_000_000 * USDN]
		{
			dev().execute_with(|| {
				let slippage = sp_runtime::Permill::from_percent(5);
				assert_ok!(Buyback::set_programme(
					RuntimeOrigin::root(),
					Programme::Buyback { max_slippage: slippage }
				));
				assert_ok!(Both::mint_into(usdn(), &Buyback::account_id(), pot_usdn));
				let available = Buyback::available().stable;
				let reserves =
					crate::AssetConversion::get_reserves(usdn(), AssetKind::Native).unwrap();
				let fee = crate::AssetConversion::pool_fee(&(AssetKind::Native, usdn()));
				// The engine's step.
				let x = max_within_slippage(available, reserves, slippage, |x| {
					amount_out(x, reserves, fee)
				});
				let out = amount_out(x, reserves, fee).unwrap_or(0);
				// The runtime's epoch close.
				run_to_block(Buyback::epoch_end() + 1);
				let bought = buyback_events().into_iter().find_map(|e| match e {
					pallet_buyback::Event::BoughtBack {
						stable_in, native_out, stable_carried, ..
					} => Some((stable_in, native_out, stable_carried)),
					_ => None,
				});
				assert_eq!(bought, Some((x, out, available - x)), "pot {pot_usdn}");
				// The engine's output formula is asset-conversion's, on any amount.
				for amount in [1, 999, x, 7 * USDN, available, 10 * available] {
					assert_eq!(
						amount_out(amount, reserves, fee),
						<crate::configs::incentives::NxvUsdnPool as nexus_primitives::traits::StableForNative<AccountId>>::amount_out(amount, reserves),
						"amount {amount}"
					);
				}
			});
		}
	}

	/// A day of usage as the runtime settled it and as the projection engine's day step prices
	/// it: Eve pays for receipts in USDN and in NXV through the development gateway; the day's
	/// usage lines, read back from the metering pallet as the dashboard's Outlook reads them, go
	/// through the engine's `settle_day` at the chain's NXV price and fee parameters; each pot's
	/// inflow per asset equals what the runtime moved into its account, up to the rounding of
	/// each receipt (the engine prices a line's sum, the runtime each receipt).
	#[test]
	fn a_days_usage_is_the_engines_day() {
		use nexus_primitives::{
			economics::projection::{settle_day, HistoryLine, Pot},
			settlement::Rate,
			traits::FeePolicy,
		};
		dev().execute_with(|| {
			let now = pallet_timestamp::Now::<Runtime>::get();
			let eve = account(Sr25519Keyring::Eve);
			let nxv = AssetKind::Native;
			// Silver: its usage cap holds the day's receipts, and its commitment discount
			// (4 %) is a line's tier discount.
			assert_ok!(crate::Tiers::stake(RuntimeOrigin::signed(eve.clone()), 10_000 * NXV));
			for (session, asset, amount) in
				[(0, usdn(), 1_000 * USDN), (1, nxv.clone(), 5_000 * NXV)]
			{
				assert_ok!(Metering::deposit(
					RuntimeOrigin::signed(eve.clone()),
					asset.clone(),
					amount
				));
				assert_ok!(Metering::open_session(
					RuntimeOrigin::signed(eve.clone()),
					0,
					asset,
					amount,
					1_000
				));
				assert_eq!(pallet_metering::Sessions::<Runtime>::get(session).unwrap().spent, 0);
			}
			let (capsule, provider) = standard_capsule();
			let accounts = [
				provider,
				crate::configs::accounts::TreasuryAccount::get(),
				Buyback::account_id(),
				crate::RewardPot::account_id(),
				crate::Reserve::account_id(),
			];
			let holdings = || -> Vec<Pot> {
				accounts
					.iter()
					.map(|a| Pot {
						stable: Both::balance(usdn(), a),
						native: Both::balance(AssetKind::Native, a),
					})
					.collect()
			};
			let before = holdings();
			// Forty receipts in each asset, of assorted sizes, in two batches.
			let receipts = 40u64;
			let group = |session: u64, first: u64| {
				(
					session,
					first,
					(first..first + receipts / 2)
						.map(|i| {
							crate::test_batches::served(
								0,
								Units::plain(2_000 + i * 731, 300 + i * 97),
								0,
							)
						})
						.collect::<Vec<_>>(),
				)
			};
			for first in [1, 1 + receipts / 2] {
				let b = crate::test_batches::batch(
					now,
					vec![capsule],
					vec![group(0, first), group(1, first)],
				);
				let settlement = crate::test_batches::post(&b);
				assert!(
					settlement.rejected.is_empty() && settlement.refused.is_empty(),
					"rejected {:?}, refused {:?}",
					settlement.rejected,
					settlement.refused
				);
			}
			let after = holdings();

			// The day's usage lines, as the dashboard hands them to the engine.
			let day = *pallet_metering::UsageDayIndex::<Runtime>::get().last().unwrap();
			let lines: Vec<HistoryLine> = pallet_metering::UsageDays::<Runtime>::get(day)
				.iter()
				.map(|l| HistoryLine {
					native: l.asset == AssetKind::Native,
					tier_discount: l.tier_discount,
					list: l.list,
				})
				.collect();
			assert_eq!(lines.len(), 2, "one line per asset");
			assert!(lines.iter().all(|l| l.tier_discount == sp_runtime::Permill::from_percent(4)));
			let Ok(Rate::Token { price, one }) = crate::Fees::rate(&AssetKind::Native) else {
				panic!("the development chain prices NXV")
			};
			let engine = settle_day(&lines, 1.0, &crate::Fees::params(), price, one);

			// Rounding: per receipt, the discount (one pricing unit: `per_unit` planck in NXV),
			// the conversion to NXV (up) and each share (down), with the reserve taking the
			// remainder of each split.
			let n = u128::from(receipts);
			let per_unit = one.div_ceil(price) + 1;
			let engines = [
				engine.provider,
				engine.treasury,
				engine.buyback,
				engine.validators,
				engine.reserve,
			];
			let names = ["provider", "treasury", "buyback", "validators", "reserve"];
			for i in 0..accounts.len() {
				let moved = Pot {
					stable: after[i].stable - before[i].stable,
					native: after[i].native - before[i].native,
				};
				let tolerance = if names[i] == "reserve" { 6 * n } else { 2 * n };
				for (asset, runtime, engine, tolerance) in [
					("USDN", moved.stable, engines[i].stable, tolerance),
					("NXV", moved.native, engines[i].native, tolerance * per_unit),
				] {
					assert!(runtime > 100 * tolerance, "{} {asset}: {runtime} moved", names[i]);
					assert!(
						runtime.abs_diff(engine) <= tolerance,
						"{} {asset}: the runtime moved {runtime}, the engine {engine}",
						names[i]
					);
				}
			}
			let spent = |s| pallet_metering::Sessions::<Runtime>::get(s).unwrap().spent;
			assert!(spent(0).abs_diff(engine.net.stable) <= n, "USDN paid");
			assert!(spent(1).abs_diff(engine.net.native) <= n * per_unit, "NXV paid");
		});
	}

	#[test]
	fn buyback_swaps_on_the_pool_and_burns_exactly_what_issuance_loses() {
		dev().execute_with(|| {
			assert_ok!(Buyback::set_programme(
				RuntimeOrigin::root(),
				Programme::Buyback { max_slippage: sp_runtime::Permill::from_percent(2) }
			));
			// The pot's USDN (as if from fees) and NXV.
			let pot = Buyback::account_id();
			assert_ok!(Both::mint_into(usdn(), &pot, 1_000 * USDN));
			assert_ok!(Balances::transfer_keep_alive(
				RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
				pot.clone().into(),
				500 * NXV
			));
			let issuance = Balances::total_issuance();
			let (pool_usdn, pool_nxv) =
				crate::AssetConversion::get_reserves(usdn(), AssetKind::Native).unwrap();
			run_to_block(Buyback::epoch_end() + 1);
			let (stable_in, native_out, burned) = buyback_events()
				.into_iter()
				.find_map(|e| match e {
					pallet_buyback::Event::BoughtBack {
						stable_in,
						native_out,
						burned,
						stable_carried,
						..
					} => {
						assert_eq!(
							stable_in + stable_carried,
							Buyback::available().stable + stable_in
						);
						Some((stable_in, native_out, burned))
					},
					_ => None,
				})
				.unwrap();
			// 1,000 USDN against a 1M/1M pool is within 2%: all of it is swapped.
			assert_eq!(stable_in, 1_000 * USDN - 1);
			assert!(native_out >= 98 * stable_in * NXV / USDN / 100);
			assert_eq!(burned, 500 * NXV + native_out);
			assert_eq!(Balances::total_issuance(), issuance - burned);
			let (u, n) = crate::AssetConversion::get_reserves(usdn(), AssetKind::Native).unwrap();
			assert_eq!((u, n), (pool_usdn + stable_in, pool_nxv - native_out));
			assert_supply_accounted();
		});
	}

	#[test]
	fn nobody_burns_nxv_by_hand() {
		use sp_runtime::traits::Dispatchable;
		dev().execute_with(|| {
			let call =
				RuntimeCall::Balances(pallet_balances::Call::burn { value: NXV, keep_alive: true });
			let err = call
				.dispatch(RuntimeOrigin::signed(account(Sr25519Keyring::Alice)))
				.unwrap_err()
				.error;
			assert_eq!(err, frame_system::Error::<Runtime>::CallFiltered.into());
			assert_supply_accounted();
		});
	}
}

mod invariants {
	//! The runtime's cross-pallet invariants (`crate::invariants`): they hold on both presets'
	//! genesis and after settlement, and each one fails when what it checks is broken.
	use super::*;
	use crate::invariants::violations;

	#[test]
	fn the_runtime_invariants_hold_at_both_geneses() {
		for preset in [
			sp_genesis_builder::DEV_RUNTIME_PRESET,
			sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
		] {
			ext_for_preset(preset).execute_with(|| {
				assert_eq!(violations(), Vec::<String>::new(), "{preset}");
			});
		}
	}

	#[test]
	fn each_invariant_fails_when_what_it_checks_is_broken() {
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// A capsule's recorded bond no longer matches what is held.
			pallet_capsules::Capsules::<Runtime>::mutate(0, |c| {
				c.as_mut().unwrap().bond += 1;
			});
			let v = violations();
			assert!(v.iter().any(|m| m.contains("holds differ from the ledgers")), "{v:?}");
		});
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// The escrow ledger says more than the escrow account holds.
			let eve = account(Sr25519Keyring::Eve);
			pallet_metering::Escrow::<Runtime>::insert(
				&eve,
				crate::configs::assets::AssetKind::Native,
				pallet_metering::EscrowLedger { free: 5 * NXV, committed: 0 },
			);
			let v = violations();
			assert!(v.iter().any(|m| m.contains("the escrow (NXV) holds")), "{v:?}");
		});
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// Issuance that no account holds.
			pallet_balances::TotalIssuance::<Runtime>::mutate(|i| *i += 1);
			let v = violations();
			assert!(v.iter().any(|m| m.contains("but the accounts hold")), "{v:?}");
		});
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// Issuance (every planck of it held by an account) above genesis.
			pallet_buyback::InitialIssuance::<Runtime>::mutate(|i| *i -= 1);
			let v = violations();
			assert!(v.iter().any(|m| m.contains("above genesis")), "{v:?}");
		});
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// A hold no ledger explains (the other direction of the first case).
			use frame_support::traits::fungible::MutateHold;
			let eve = account(Sr25519Keyring::Eve);
			let reason: crate::RuntimeHoldReason = pallet_tiers::HoldReason::SeekerStake.into();
			assert_ok!(Balances::hold(&reason, &eve, NXV));
			let v = violations();
			assert!(v.iter().any(|m| m.contains("holds differ from the ledgers")), "{v:?}");
		});
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// The emissions pool owes more than it holds.
			pallet_emissions::DeferredTotal::<Runtime>::mutate(|d| *d += NXV);
			let v = violations();
			assert!(v.iter().any(|m| m.contains("the emissions pool holds")), "{v:?}");
		});
		// (No case for a freeze: the runtime declares no freeze reason, so `MaxFreezes` is 0 and
		// no freeze can be stored; the check guards a future freeze reason nobody accounted for.)
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// A consumer reference without a provider.
			let ghost = AccountId::new([42; 32]);
			frame_system::Account::<Runtime>::mutate(&ghost, |a| a.consumers = 1);
			let v = violations();
			assert!(v.iter().any(|m| m.contains("consumers and no provider")), "{v:?}");
		});
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			// A frozen balance no lock explains.
			let eve = account(Sr25519Keyring::Eve);
			frame_system::Account::<Runtime>::mutate(&eve, |a| a.data.frozen = 1);
			let v = violations();
			assert!(v.iter().any(|m| m.contains("largest lock")), "{v:?}");
		});
	}
}

mod weights_audit {
	//! Every weight that grows with an input was benchmarked over that input's whole range in
	//! this runtime: the range each generated `weights.rs` records (`The range of component …
	//! is [a, b]`, written by `nexus-node benchmark pallet` from the runtime's own constants)
	//! must reach the runtime's bound, or the worst case would be an extrapolation (the one
	//! exception, `submit_batch`, measured over half of each bound, says why at its entry). A
	//! bound raised without regenerating the weights fails here. (How long a block actually takes
	//! against its weight is the runtime fuzzer's check, `fuzz/`.)
	use super::*;
	use frame_support::traits::Get;

	/// `(function, component) → (low, high)` of a generated weights file.
	fn ranges(weights: &str) -> std::collections::BTreeMap<(String, String), (u32, u32)> {
		let mut out = std::collections::BTreeMap::new();
		let mut pending: Vec<(String, u32, u32)> = Vec::new();
		for line in weights.lines().map(str::trim) {
			if let Some(rest) = line.strip_prefix("/// The range of component `") {
				let (name, rest) = rest.split_once('`').unwrap();
				let range = rest.split_once('[').unwrap().1.split_once(']').unwrap().0;
				let (lo, hi) = range.split_once(", ").unwrap();
				pending.push((name.into(), lo.parse().unwrap(), hi.parse().unwrap()));
			} else if let Some(rest) = line.strip_prefix("fn ") {
				let function = rest.split_once('(').unwrap().0.to_string();
				for (component, lo, hi) in pending.drain(..) {
					out.insert((function.clone(), component), (lo, hi));
				}
			}
		}
		out
	}

	#[test]
	fn every_benchmarked_component_reaches_the_runtimes_bound() {
		let expected: [(&str, &str, &str, u32); 14] = [
			(
				"capsules",
				"set_model_aliases",
				"o",
				<Runtime as pallet_capsules::Config>::MaxAliasesPerOffering::get(),
			),
			(
				"capsules",
				"set_model_aliases",
				"n",
				<Runtime as pallet_capsules::Config>::MaxAliasesPerOffering::get(),
			),
			(
				"capsules",
				"register",
				"m",
				<Runtime as pallet_capsules::Config>::MaxMetadataLen::get(),
			),
			(
				"capsules",
				"release_bond",
				"c",
				<Runtime as pallet_capsules::Config>::MaxCapsulesPerProvider::get(),
			),
			("tiers", "rebond", "c", <Runtime as pallet_tiers::Config>::MaxUnlockingChunks::get()),
			(
				"tiers",
				"withdraw_unbonded",
				"c",
				<Runtime as pallet_tiers::Config>::MaxUnlockingChunks::get(),
			),
			("tiers", "set_tier_table", "t", <Runtime as pallet_tiers::Config>::MaxTiers::get()),
			(
				"metering",
				"withdraw",
				"s",
				<Runtime as pallet_metering::Config>::MaxSessionsPerSeeker::get(),
			),
			// `submit_batch` is measured over half of each bound (a repetition's setup registers
			// a seeker per session and a provider per capsule; the full ranges take hours on the
			// reference machine) and its weight extrapolates linearly, with the larger of the
			// least-squares and median-slope fits (docs/token-model.md, "What settlement
			// costs"): the audit holds it to half of each bound.
			("metering", "submit_batch", "r", {
				let receipts: u32 = <Runtime as pallet_metering::Config>::MaxBatchReceipts::get();
				let sessions: u32 = <Runtime as pallet_metering::Config>::MaxBatchSessions::get();
				let capsules: u32 = <Runtime as pallet_metering::Config>::MaxBatchCapsules::get();
				(receipts / 2).min(receipts - sessions / 2 - capsules / 2)
			}),
			(
				"metering",
				"submit_batch",
				"s",
				<<Runtime as pallet_metering::Config>::MaxBatchSessions as Get<u32>>::get() / 2,
			),
			(
				"metering",
				"submit_batch",
				"c",
				<<Runtime as pallet_metering::Config>::MaxBatchCapsules as Get<u32>>::get() / 2,
			),
			(
				"metering",
				"book_usage_day",
				"d",
				<Runtime as pallet_metering::Config>::UsageHistoryDays::get(),
			),
			(
				"buyback",
				"advance_pass",
				"n",
				<Runtime as pallet_buyback::Config>::FinalizePerBlock::get(),
			),
			(
				"emissions",
				"advance_release",
				"n",
				<Runtime as pallet_emissions::Config>::DistributePerBlock::get(),
			),
		];
		let files = [
			("capsules", include_str!("../../pallets/capsules/src/weights.rs")),
			("tiers", include_str!("../../pallets/tiers/src/weights.rs")),
			("metering", include_str!("../../pallets/metering/src/weights.rs")),
			("buyback", include_str!("../../pallets/buyback/src/weights.rs")),
			("emissions", include_str!("../../pallets/emissions/src/weights.rs")),
			("fees", include_str!("../../pallets/fees/src/weights.rs")),
			("reserve", include_str!("../../pallets/reserve/src/weights.rs")),
			("reward-pot", include_str!("../../pallets/reward-pot/src/weights.rs")),
		];
		let mut seen = 0;
		for (pallet, text) in files {
			for ((function, component), (_, high)) in ranges(text) {
				let bound = expected
					.iter()
					.find(|(p, f, c, _)| *p == pallet && *f == function && *c == component)
					.map(|e| e.3)
					.unwrap_or_else(|| {
						panic!("{pallet}::{function}({component}) has a component this audit does not know: add its bound")
					});
				assert!(
					high >= bound,
					"{pallet}::{function} was benchmarked up to {component} = {high}, but the runtime allows {bound}: regenerate the weights (scripts/bench-weights.sh)"
				);
				seen += 1;
			}
		}
		assert_eq!(seen, expected.len(), "every bounded component was found in the weights");
	}
}
