//! Native tests of the composed runtime: presets, metadata, constants and a transfer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	configs::monetary::WeightToFee, genesis_config_presets as presets, AccountId, Aura, Balance,
	Balances, Grandpa, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin,
	Sudo, System, EXISTENTIAL_DEPOSIT, MILLI_NXV, NXV, VERSION,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::DispatchClass,
	traits::fungible::{Inspect, InspectHold},
	weights::{constants::ExtrinsicBaseWeight, WeightToFee as _},
};
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;

/// Merges a preset's JSON patch into the default genesis config, as the chain-spec builder does.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(b), serde_json::Value::Object(p)) =>
			for (k, v) in p {
				merge(b.entry(k).or_insert(serde_json::Value::Null), v);
			},
		(b, p) => *b = p,
	}
}

/// Test externalities holding the genesis state of the preset `name`.
fn ext_for_preset(name: &str) -> sp_io::TestExternalities {
	let patch = presets::get_preset(&PresetId::from(name)).expect("preset exists");
	let patch: serde_json::Value = serde_json::from_slice(&patch).unwrap();
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	let json = serde_json::to_vec(&config).unwrap();
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(json).unwrap();
		System::set_block_number(1);
	});
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
		assert_eq!(Balances::total_issuance(), presets::ENDOWMENT * endowed.len() as Balance);
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
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), expected);
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
		let nobody = account(Sr25519Keyring::One);
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
	let v16 = Runtime::metadata_at_version(16).expect("v16 exists");
	// `RuntimeMetadataPrefixed`: the "meta" magic, then the variant byte of `RuntimeMetadata`.
	assert_eq!(&v16[..4], b"meta");
	assert_eq!(v16[4], 16);
	assert!(Runtime::metadata_at_version(17).is_none());
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
			runtime_decl_for_capsules_api::CapsulesApiV1, CapsuleFilter, CapsuleInfo, CapsulePage,
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
			<Runtime as CapsulesApiV1<crate::Block, AccountId, Balance, BlockNumber>>::capsule(id)
		}
		fn capsules(
			filter: CapsuleFilter<AccountId>,
			from: u64,
			limit: u32,
		) -> CapsulePage<AccountId, Balance, BlockNumber> {
			<Runtime as CapsulesApiV1<crate::Block, AccountId, Balance, BlockNumber>>::capsules(
				filter, from, limit,
			)
		}
		fn offering(id: Vec<u8>) -> Option<bool> {
			<Runtime as CapsulesApiV1<crate::Block, AccountId, Balance, BlockNumber>>::offering(id)
		}
	}

	fn dev() -> sp_io::TestExternalities {
		ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET)
	}

	fn spec(offering: &[u8]) -> pallet_capsules::SpecOf<Runtime> {
		CapsuleSpec {
			offering: offering.to_vec().try_into().unwrap(),
			lane: Lane::Standard,
			price: Price { per_1k_input: 1_000, per_1k_output: 4_000 },
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
	fn governance_origin_is_root_until_opengov() {
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
