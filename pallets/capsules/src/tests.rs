//! Unit tests of the capsule registry: every call and error, invariants after each test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	mock::*, CapsuleStatus, Capsules as CapsuleMap, Error, Event, HoldReason, Offerings, Price,
	ProviderCapsules, QuotaWindow,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use nexus_primitives::traits::{CapsuleBondSlash, CapsuleHealth, Outcome, ProviderReputation};
use sp_runtime::{traits::BadOrigin, Permill};

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Capsules(reason), &who)
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Capsules(e) => Some(e),
			_ => None,
		})
		.expect("a Capsules event")
}

/// The spec's prices with each of the four, in turn, set to zero.
fn zero_prices() -> [Price<Balance>; 4] {
	let p = spec(0).price;
	[
		Price { per_1k_input: 0, ..p },
		Price { per_1k_output: 0, ..p },
		Price { per_1k_cache_read: 0, ..p },
		Price { per_1k_cache_write: 0, ..p },
	]
}

fn registered(owner: AccountId) -> u64 {
	assert_ok!(Capsules::register(RuntimeOrigin::signed(owner), spec(10)));
	crate::NextCapsuleId::<Test>::get() - 1
}

mod register {
	use super::*;

	#[test]
	fn register_should_hold_bond_and_deposit() {
		build_and_execute(|| {
			assert_ok!(Capsules::register(RuntimeOrigin::signed(1), spec(10)));
			assert_eq!(
				last_event(),
				Event::Registered { id: 0, owner: 1, bond: 1_000, deposit: 20 }
			);
			assert_eq!(held(1, HoldReason::CapsuleBond), 1_000);
			assert_eq!(held(1, HoldReason::MetadataDeposit), 20);
			assert_eq!(Balances::balance(&1), 10_000 - 1_020);
			let c = CapsuleMap::<Test>::get(0).unwrap();
			assert_eq!(c.status, CapsuleStatus::Active);
			assert_eq!((c.trust, c.uptime), (Permill::one(), Permill::one()));
			assert_eq!(ProviderCapsules::<Test>::get(1).to_vec(), vec![0]);
		});
	}

	#[test]
	fn register_should_reject_bad_specs() {
		build_and_execute(|| {
			let origin = || RuntimeOrigin::signed(1);
			let mut s = spec(0);
			s.offering = b"unknown".to_vec().try_into().unwrap();
			assert_noop!(Capsules::register(origin(), s), Error::<Test>::UnknownOffering);
			let mut s = spec(0);
			s.offering = Default::default();
			assert_noop!(Capsules::register(origin(), s), Error::<Test>::EmptyOffering);
			for zero in zero_prices() {
				let mut s = spec(0);
				s.price = zero;
				assert_noop!(Capsules::register(origin(), s), Error::<Test>::ZeroPrice);
			}
			let mut s = spec(0);
			s.capacity = 0;
			assert_noop!(Capsules::register(origin(), s), Error::<Test>::ZeroCapacity);
			let mut s = spec(0);
			s.concurrency = 0;
			assert_noop!(Capsules::register(origin(), s), Error::<Test>::ZeroConcurrency);
			assert_noop!(Capsules::register(RuntimeOrigin::none(), spec(0)), BadOrigin);
		});
	}

	#[test]
	fn register_should_fail_when_resale_not_permitted() {
		build_and_execute(|| {
			Offerings::<Test>::insert(offering(), false);
			assert_noop!(
				Capsules::register(RuntimeOrigin::signed(1), spec(0)),
				Error::<Test>::ResaleNotPermitted
			);
		});
	}

	#[test]
	fn register_should_fail_when_bond_unaffordable() {
		build_and_execute(|| {
			assert_noop!(
				Capsules::register(RuntimeOrigin::signed(4), spec(0)),
				Error::<Test>::InsufficientBalance
			);
		});
	}

	#[test]
	fn register_should_fail_past_the_per_provider_limit() {
		build_and_execute(|| {
			for _ in 0..3 {
				registered(1);
			}
			assert_noop!(
				Capsules::register(RuntimeOrigin::signed(1), spec(0)),
				Error::<Test>::TooManyCapsules
			);
		});
	}
}

mod owner_calls {
	use super::*;

	#[test]
	fn announced_price_applies_after_the_notice() {
		build_and_execute(|| {
			let id = registered(1);
			let new = prices(4, 20, 1, 5);
			assert_ok!(Capsules::announce_price(RuntimeOrigin::signed(1), id, new));
			assert_eq!(
				last_event(),
				Event::PriceAnnounced { id, price: new, effective_at: 1 + PRICE_NOTICE }
			);
			let c = CapsuleMap::<Test>::get(id).unwrap();
			assert_eq!(Capsules::price_at(&c, PRICE_NOTICE), spec(0).price);
			assert_eq!(Capsules::price_at(&c, 1 + PRICE_NOTICE), new);
			// A later announcement folds the matured one in first.
			System::set_block_number(1 + PRICE_NOTICE);
			let newer = prices(5, 25, 1, 6);
			assert_ok!(Capsules::announce_price(RuntimeOrigin::signed(1), id, newer));
			let c = CapsuleMap::<Test>::get(id).unwrap();
			assert_eq!(c.spec.price, new);
			assert_eq!(Capsules::price_at(&c, 1 + PRICE_NOTICE), new);
		});
	}

	#[test]
	fn terms_should_carry_the_four_prices_in_force() {
		use nexus_primitives::{settlement::UnitPrices, traits::CapsuleRegistry};
		build_and_execute(|| {
			let id = registered(1);
			let terms = || <Capsules as CapsuleRegistry<AccountId>>::terms(id).unwrap();
			assert_eq!(
				terms().prices,
				UnitPrices { input: 30, output: 150, cache_read: 3, cache_write: 37 }
			);
			assert_ok!(Capsules::announce_price(RuntimeOrigin::signed(1), id, prices(4, 20, 1, 5)));
			assert_eq!(terms().prices.cache_write, 37, "not before the notice has passed");
			System::set_block_number(1 + PRICE_NOTICE);
			assert_eq!(
				terms().prices,
				UnitPrices { input: 4, output: 20, cache_read: 1, cache_write: 5 }
			);
		});
	}

	#[test]
	fn owner_calls_should_fail_for_others_unknown_or_zero() {
		build_and_execute(|| {
			let id = registered(1);
			let p = prices(1, 1, 1, 1);
			assert_noop!(
				Capsules::announce_price(RuntimeOrigin::signed(2), id, p),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				Capsules::announce_price(RuntimeOrigin::signed(1), 99, p),
				Error::<Test>::UnknownCapsule
			);
			for zero in zero_prices() {
				assert_noop!(
					Capsules::announce_price(RuntimeOrigin::signed(1), id, zero),
					Error::<Test>::ZeroPrice
				);
			}
			assert_noop!(
				Capsules::set_capacity(RuntimeOrigin::signed(1), id, 0, QuotaWindow::Hour, 1),
				Error::<Test>::ZeroCapacity
			);
			assert_noop!(
				Capsules::set_capacity(RuntimeOrigin::signed(1), id, 1, QuotaWindow::Hour, 0),
				Error::<Test>::ZeroConcurrency
			);
			assert_noop!(Capsules::pause(RuntimeOrigin::signed(2), id), Error::<Test>::NotOwner);
		});
	}

	#[test]
	fn set_capacity_applies_at_once() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(Capsules::set_capacity(
				RuntimeOrigin::signed(1),
				id,
				50,
				QuotaWindow::Week,
				2
			));
			assert_eq!(
				last_event(),
				Event::CapacitySet { id, capacity: 50, window: QuotaWindow::Week, concurrency: 2 }
			);
			let c = CapsuleMap::<Test>::get(id).unwrap();
			assert_eq!(
				(c.spec.capacity, c.spec.window, c.spec.concurrency),
				(50, QuotaWindow::Week, 2)
			);
		});
	}

	#[test]
	fn pause_resume_cycle() {
		build_and_execute(|| {
			let id = registered(1);
			assert_noop!(Capsules::resume(RuntimeOrigin::signed(1), id), Error::<Test>::NotPaused);
			assert_ok!(Capsules::pause(RuntimeOrigin::signed(1), id));
			assert_eq!(last_event(), Event::Paused { id });
			assert_noop!(Capsules::pause(RuntimeOrigin::signed(1), id), Error::<Test>::NotActive);
			assert_ok!(Capsules::resume(RuntimeOrigin::signed(1), id));
			assert_eq!(last_event(), Event::Resumed { id });
			assert_eq!(CapsuleMap::<Test>::get(id).unwrap().status, CapsuleStatus::Active);
		});
	}

	#[test]
	fn resume_should_fail_when_offering_no_longer_permits_resale() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(Capsules::pause(RuntimeOrigin::signed(1), id));
			assert_ok!(Capsules::set_offering(RuntimeOrigin::root(), offering(), false));
			assert_noop!(
				Capsules::resume(RuntimeOrigin::signed(1), id),
				Error::<Test>::ResaleNotPermitted
			);
		});
	}

	#[test]
	fn retire_then_release_returns_bond_and_deposit() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(Capsules::retire(RuntimeOrigin::signed(1), id));
			assert_eq!(last_event(), Event::Retired { id, bond_release_at: 1 + BOND_DELAY });
			assert_noop!(
				Capsules::retire(RuntimeOrigin::signed(1), id),
				Error::<Test>::AlreadyRetired
			);
			assert_noop!(Capsules::pause(RuntimeOrigin::signed(1), id), Error::<Test>::NotActive);
			assert_noop!(
				Capsules::release_bond(RuntimeOrigin::signed(1), id),
				Error::<Test>::BondLocked
			);
			assert_noop!(
				Capsules::release_bond(RuntimeOrigin::signed(2), id),
				Error::<Test>::NotOwner
			);
			System::set_block_number(1 + BOND_DELAY);
			assert_ok!(Capsules::release_bond(RuntimeOrigin::signed(1), id));
			assert_eq!(last_event(), Event::BondReleased { id, bond: 1_000, deposit: 20 });
			assert_eq!(Balances::balance(&1), 10_000);
			assert!(CapsuleMap::<Test>::get(id).is_none());
			assert!(ProviderCapsules::<Test>::get(1).is_empty());
		});
	}

	#[test]
	fn updates_should_fail_once_retired() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(Capsules::retire(RuntimeOrigin::signed(1), id));
			assert_noop!(
				Capsules::announce_price(RuntimeOrigin::signed(1), id, prices(1, 1, 1, 1)),
				Error::<Test>::AlreadyRetired
			);
			assert_noop!(
				Capsules::set_capacity(RuntimeOrigin::signed(1), id, 1, QuotaWindow::Hour, 1),
				Error::<Test>::AlreadyRetired
			);
			assert_noop!(Capsules::suspend(RuntimeOrigin::root(), id), Error::<Test>::NotActive);
		});
	}

	#[test]
	fn release_should_fail_unless_retired() {
		build_and_execute(|| {
			let id = registered(1);
			assert_noop!(
				Capsules::release_bond(RuntimeOrigin::signed(1), id),
				Error::<Test>::NotRetired
			);
			assert_noop!(
				Capsules::release_bond(RuntimeOrigin::signed(1), 99),
				Error::<Test>::UnknownCapsule
			);
		});
	}
}

mod governance {
	use super::*;

	#[test]
	fn model_aliases_name_one_offering_and_are_replaced_whole() {
		build_and_execute(|| {
			let id = |s: &str| -> crate::OfferingIdOf<Test> {
				s.as_bytes().to_vec().try_into().unwrap()
			};
			let aliases = |l: &[&str]| -> crate::AliasesOf<Test> {
				l.iter().map(|a| id(a)).collect::<Vec<_>>().try_into().unwrap()
			};
			// From genesis: `claude-opus-4-8` names `claude-opus`.
			assert_eq!(Capsules::offering_of(b"claude-opus-4-8"), Some(offering()));
			assert_eq!(Capsules::offering_of(b"claude-opus"), Some(offering()));
			assert_eq!(Capsules::offering_of(b"claude-opus-9"), None);
			let new = aliases(&["claude-opus-4-9", "claude-opus-latest"]);
			assert_ok!(Capsules::set_model_aliases(RuntimeOrigin::root(), offering(), new.clone()));
			assert_eq!(
				last_event(),
				Event::ModelAliasesSet { offering: offering(), aliases: new.clone() }
			);
			// Replaced whole: the genesis alias is gone.
			assert_eq!(Capsules::offering_of(b"claude-opus-4-8"), None);
			assert_eq!(Capsules::offering_of(b"claude-opus-latest"), Some(offering()));
			assert_eq!(crate::OfferingAliases::<Test>::get(offering()), new);
			assert_ok!(Capsules::set_offering(RuntimeOrigin::root(), id("gpt-5"), true));
			assert_noop!(
				Capsules::set_model_aliases(
					RuntimeOrigin::root(),
					id("gpt-5"),
					aliases(&["claude-opus-4-9"])
				),
				Error::<Test>::AliasTaken
			);
			assert_noop!(
				Capsules::set_model_aliases(
					RuntimeOrigin::root(),
					id("gpt-5"),
					aliases(&["claude-opus"])
				),
				Error::<Test>::AliasIsOffering
			);
			assert_noop!(
				Capsules::set_model_aliases(
					RuntimeOrigin::root(),
					id("gpt-5"),
					aliases(&["a", "a"])
				),
				Error::<Test>::DuplicateAlias
			);
			assert_noop!(
				Capsules::set_model_aliases(RuntimeOrigin::root(), id("gpt-5"), aliases(&[""])),
				Error::<Test>::EmptyAlias
			);
			assert_noop!(
				Capsules::set_model_aliases(RuntimeOrigin::root(), id("nope"), aliases(&["x"])),
				Error::<Test>::UnknownOffering
			);
			assert_noop!(
				Capsules::set_model_aliases(RuntimeOrigin::signed(1), id("gpt-5"), aliases(&["x"])),
				BadOrigin
			);
			// An alias cannot become an offering id either.
			assert_noop!(
				Capsules::set_offering(RuntimeOrigin::root(), id("claude-opus-latest"), true),
				Error::<Test>::OfferingIsAlias
			);
			// An empty list removes them all.
			assert_ok!(Capsules::set_model_aliases(
				RuntimeOrigin::root(),
				offering(),
				aliases(&[])
			));
			assert_eq!(crate::ModelAliases::<Test>::iter().count(), 0);
			assert!(!crate::OfferingAliases::<Test>::contains_key(offering()));
		});
	}

	#[test]
	fn try_state_catches_an_alias_out_of_step() {
		build_and_execute(|| {
			let stray: crate::OfferingIdOf<Test> = b"stray".to_vec().try_into().unwrap();
			crate::ModelAliases::<Test>::insert(&stray, offering());
			assert!(Capsules::do_try_state().is_err());
			crate::ModelAliases::<Test>::remove(&stray);
		});
	}

	#[test]
	fn set_offering_lists_and_flips_resale() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(Capsules::set_offering(RuntimeOrigin::root(), offering(), false));
			assert_eq!(
				last_event(),
				Event::OfferingSet { offering: offering(), resale_permitted: false }
			);
			let c = CapsuleMap::<Test>::get(id).unwrap();
			assert_eq!(Capsules::effective_status(&c), CapsuleStatus::Suspended);
			assert_ok!(Capsules::set_offering(RuntimeOrigin::root(), offering(), true));
			assert_eq!(Capsules::effective_status(&c), CapsuleStatus::Active);
			assert_noop!(
				Capsules::set_offering(RuntimeOrigin::root(), Default::default(), true),
				Error::<Test>::EmptyOffering
			);
			assert_noop!(
				Capsules::set_offering(RuntimeOrigin::signed(1), offering(), true),
				BadOrigin
			);
		});
	}

	#[test]
	fn suspend_and_unsuspend() {
		build_and_execute(|| {
			let id = registered(1);
			assert_noop!(
				Capsules::unsuspend(RuntimeOrigin::root(), id),
				Error::<Test>::NotSuspended
			);
			assert_ok!(Capsules::suspend(RuntimeOrigin::root(), id));
			assert_eq!(last_event(), Event::Suspended { id });
			assert_noop!(Capsules::suspend(RuntimeOrigin::root(), id), Error::<Test>::NotActive);
			assert_noop!(Capsules::resume(RuntimeOrigin::signed(1), id), Error::<Test>::NotPaused);
			assert_ok!(Capsules::unsuspend(RuntimeOrigin::root(), id));
			assert_eq!(last_event(), Event::Unsuspended { id });
			assert_eq!(CapsuleMap::<Test>::get(id).unwrap().status, CapsuleStatus::Paused);
			assert_noop!(Capsules::suspend(RuntimeOrigin::signed(1), id), BadOrigin);
			assert_noop!(
				Capsules::suspend(RuntimeOrigin::root(), 99),
				Error::<Test>::UnknownCapsule
			);
		});
	}
}

mod health_and_slashing {
	use super::*;

	#[test]
	fn trust_is_an_ewma_of_outcomes() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(<Capsules as CapsuleHealth<u64>>::record_outcome(id, Outcome::Failed));
			// 0.9 × 1 + 0.1 × 0
			assert_eq!(CapsuleMap::<Test>::get(id).unwrap().trust, Permill::from_percent(90));
			assert_ok!(<Capsules as CapsuleHealth<u64>>::record_outcome(id, Outcome::Served));
			assert_eq!(CapsuleMap::<Test>::get(id).unwrap().trust, Permill::from_percent(91));
			assert_ok!(<Capsules as CapsuleHealth<u64>>::record_outcome(id, Outcome::RolledBack));
			assert_eq!(CapsuleMap::<Test>::get(id).unwrap().trust, Permill::from_parts(819_000));
			assert!(<Capsules as CapsuleHealth<u64>>::record_outcome(99, Outcome::Served).is_err());
		});
	}

	#[test]
	fn reputation_averages_live_capsules() {
		build_and_execute(|| {
			let a = registered(1);
			let b = registered(1);
			assert_ok!(<Capsules as CapsuleHealth<u64>>::record_uptime(
				a,
				Permill::from_percent(50)
			));
			assert_eq!(
				<Capsules as ProviderReputation<AccountId>>::reputation(&1),
				(Permill::one(), Permill::from_percent(75))
			);
			assert_ok!(Capsules::retire(RuntimeOrigin::signed(1), b));
			assert_eq!(
				<Capsules as ProviderReputation<AccountId>>::reputation(&1),
				(Permill::one(), Permill::from_percent(50))
			);
			assert_eq!(
				<Capsules as ProviderReputation<AccountId>>::reputation(&2),
				(Permill::zero(), Permill::zero())
			);
		});
	}

	#[test]
	fn slash_moves_bond_to_destination_and_caps_at_bond() {
		build_and_execute(|| {
			let id = registered(1);
			let moved = <Capsules as CapsuleBondSlash<AccountId, Balance>>::slash_bond(id, 300, &3)
				.unwrap();
			assert_eq!(moved, 300);
			assert_eq!(Balances::balance(&3), 10_300);
			assert_eq!(held(1, HoldReason::CapsuleBond), 700);
			assert_eq!(CapsuleMap::<Test>::get(id).unwrap().bond, 700);
			let moved =
				<Capsules as CapsuleBondSlash<AccountId, Balance>>::slash_bond(id, 5_000, &3)
					.unwrap();
			assert_eq!(moved, 700);
			assert_eq!(held(1, HoldReason::CapsuleBond), 0);
			assert!(
				<Capsules as CapsuleBondSlash<AccountId, Balance>>::slash_bond(99, 1, &3).is_err()
			);
		});
	}
}

mod overflow {
	use super::*;

	#[test]
	fn register_should_fail_when_capsule_ids_are_exhausted() {
		build_and_execute(|| {
			crate::NextCapsuleId::<Test>::put(u64::MAX);
			assert_noop!(
				Capsules::register(RuntimeOrigin::signed(1), spec(0)),
				Error::<Test>::Overflow
			);
		});
	}
}

mod genesis {
	use super::*;
	use crate::{GenesisCapsule, Lane};
	use sp_core::H256;
	use sp_runtime::BuildStorage;

	fn genesis_capsule(owner: AccountId, offering: &[u8]) -> GenesisCapsule<AccountId, Balance> {
		GenesisCapsule {
			owner,
			offering: offering.to_vec(),
			lane: Lane::Standard,
			price: prices(1, 2, 1, 2),
			capacity: 10,
			window: QuotaWindow::Hour,
			concurrency: 1,
			region: b"us-east".to_vec(),
			endpoint_commitment: H256::repeat_byte(1),
			metadata: b"{}".to_vec(),
		}
	}

	fn build(config: crate::GenesisConfig<Test>) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![(1, 10_000), (4, 500)],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		config.assimilate_storage(&mut storage).unwrap();
		storage.into()
	}

	#[test]
	fn genesis_should_list_offerings_and_register_capsules_with_holds() {
		build(crate::GenesisConfig {
			aliases: vec![],
			offerings: vec![(b"gpt-5".to_vec(), true), (b"consumer".to_vec(), false)],
			capsules: vec![genesis_capsule(1, b"gpt-5"), genesis_capsule(1, b"gpt-5")],
		})
		.execute_with(|| {
			let consumer: crate::OfferingIdOf<Test> = b"consumer".to_vec().try_into().unwrap();
			assert_eq!(Offerings::<Test>::get(consumer), Some(false));
			assert_eq!(ProviderCapsules::<Test>::get(1).to_vec(), vec![0, 1]);
			assert_eq!(crate::NextCapsuleId::<Test>::get(), 2);
			assert_eq!(held(1, HoldReason::CapsuleBond), 2_000);
			assert_eq!(held(1, HoldReason::MetadataDeposit), 8);
			Capsules::do_try_state().unwrap();
		});
	}

	#[test]
	#[should_panic(expected = "genesis capsule cannot be registered")]
	fn genesis_should_reject_a_capsule_on_a_non_permitted_offering() {
		build(crate::GenesisConfig {
			aliases: vec![],
			offerings: vec![(b"consumer".to_vec(), false)],
			capsules: vec![genesis_capsule(1, b"consumer")],
		});
	}

	#[test]
	#[should_panic(expected = "genesis capsule cannot be registered")]
	fn genesis_should_reject_a_capsule_its_owner_cannot_bond() {
		build(crate::GenesisConfig {
			aliases: vec![],
			offerings: vec![(b"gpt-5".to_vec(), true)],
			capsules: vec![genesis_capsule(4, b"gpt-5")],
		});
	}

	#[test]
	#[should_panic(expected = "genesis offering id is empty")]
	fn genesis_should_reject_an_empty_offering_id() {
		build(crate::GenesisConfig {
			aliases: vec![],
			offerings: vec![(vec![], true)],
			capsules: vec![],
		});
	}
}

mod runtime_api {
	use super::*;
	use crate::{
		runtime_api::{CapsuleFilter, StatusFilter, MAX_PAGE, MAX_SCAN},
		Lane, PendingPrice,
	};

	fn ids(page: &crate::runtime_api::CapsulePage<AccountId, Balance, u64>) -> Vec<u64> {
		page.capsules.iter().map(|c| c.id).collect()
	}

	#[test]
	fn capsule_should_show_price_in_force_and_pending_price() {
		build_and_execute(|| {
			assert_eq!(Capsules::capsule_info(0), None);
			let id = registered(1);
			let new = prices(4, 16, 1, 5);
			assert_ok!(Capsules::announce_price(RuntimeOrigin::signed(1), id, new));
			let info = Capsules::capsule_info(id).unwrap();
			assert_eq!(info.owner, 1);
			assert_eq!(info.offering, b"claude-opus".to_vec());
			assert_eq!(info.region, b"eu-west".to_vec());
			assert_eq!(info.metadata.len(), 10);
			assert_eq!((info.bond, info.deposit), (1_000, 20));
			assert_eq!(info.price, spec(0).price);
			assert_eq!(
				info.pending_price,
				Some(PendingPrice { price: new, effective_at: 1 + PRICE_NOTICE })
			);
			System::set_block_number(1 + PRICE_NOTICE);
			let info = Capsules::capsule_info(id).unwrap();
			assert_eq!(info.price, new);
			assert_eq!(info.pending_price, None);
		});
	}

	#[test]
	fn capsule_should_show_effective_status_when_offering_flag_flips() {
		build_and_execute(|| {
			let id = registered(1);
			assert_ok!(Capsules::set_offering(RuntimeOrigin::root(), offering(), false));
			assert_eq!(Capsules::capsule_info(id).unwrap().status, CapsuleStatus::Suspended);
		});
	}

	#[test]
	fn capsules_should_filter_by_lane_offering_status_and_owner() {
		build_and_execute(|| {
			let a = registered(1);
			let b = registered(2);
			let mut s = spec(0);
			s.lane = Lane::Standard;
			assert_ok!(Capsules::register(RuntimeOrigin::signed(2), s));
			let c = b + 1;
			assert_ok!(Capsules::pause(RuntimeOrigin::signed(1), a));
			let page = |f: CapsuleFilter<AccountId>| Capsules::capsules_page(f, 0, 10);

			let all = page(CapsuleFilter::default());
			assert_eq!((ids(&all), all.next), (vec![a, b, c], None));
			let f = CapsuleFilter { lane: Some(Lane::Standard), ..Default::default() };
			assert_eq!(ids(&page(f)), vec![c]);
			let f = CapsuleFilter { status: Some(StatusFilter::Paused), ..Default::default() };
			assert_eq!(ids(&page(f)), vec![a]);
			let f = CapsuleFilter { status: Some(StatusFilter::Active), ..Default::default() };
			assert_eq!(ids(&page(f)), vec![b, c]);
			let f = CapsuleFilter { owner: Some(2), ..Default::default() };
			assert_eq!(ids(&page(f)), vec![b, c]);
			let f = CapsuleFilter { offering: Some(b"gpt-5".to_vec()), ..Default::default() };
			assert!(page(f).capsules.is_empty());
			assert_ok!(Capsules::retire(RuntimeOrigin::signed(2), b));
			let f = CapsuleFilter { status: Some(StatusFilter::Retired), ..Default::default() };
			assert_eq!(ids(&page(f)), vec![b]);
		});
	}

	#[test]
	fn capsules_should_page_with_a_cursor() {
		build_and_execute(|| {
			let a = registered(1);
			let b = registered(2);
			let c = registered(3);
			let first = Capsules::capsules_page(CapsuleFilter::default(), 0, 2);
			assert_eq!((ids(&first), first.next), (vec![a, b], Some(c)));
			let second = Capsules::capsules_page(CapsuleFilter::default(), c, 2);
			assert_eq!((ids(&second), second.next), (vec![c], None));
			let none = Capsules::capsules_page(CapsuleFilter::default(), 0, 0);
			assert_eq!((ids(&none), none.next), (vec![], Some(0)));
		});
	}

	#[test]
	fn capsules_should_bound_page_size_and_scanned_ids() {
		build_and_execute(|| {
			let a = registered(1);
			// Ids far beyond the existing ones: the gap is scanned at most MAX_SCAN at a time.
			crate::NextCapsuleId::<Test>::put(10 * MAX_SCAN);
			let first = Capsules::capsules_page(CapsuleFilter::default(), 0, u32::MAX);
			assert_eq!((ids(&first), first.next), (vec![a], Some(MAX_SCAN)));
			let last = Capsules::capsules_page(CapsuleFilter::default(), 9 * MAX_SCAN, 5);
			assert_eq!((ids(&last), last.next), (vec![], None));
			// A huge limit is capped at MAX_PAGE.
			for id in 0..u64::from(MAX_PAGE) + 5 {
				let mut c = CapsuleMap::<Test>::get(a).unwrap();
				c.owner = 1;
				CapsuleMap::<Test>::insert(id, c);
			}
			let capped = Capsules::capsules_page(CapsuleFilter::default(), 0, u32::MAX);
			assert_eq!(capped.capsules.len(), MAX_PAGE as usize);
			assert_eq!(capped.next, Some(u64::from(MAX_PAGE)));
			// Undo the direct writes so that the invariants hold again.
			for id in 1..u64::from(MAX_PAGE) + 5 {
				CapsuleMap::<Test>::remove(id);
			}
		});
	}
}

mod migrations {
	use super::*;
	use crate::migrations::v1::{v0, MigrateV0ToV1};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	fn v0_price(p: Price<Balance>) -> v0::Price<Balance> {
		v0::Price { per_1k_input: p.per_1k_input, per_1k_output: p.per_1k_output }
	}

	/// Rewrites capsule `id` in the v0 layout (what a chain before cache prices stored) and
	/// marks the pallet's storage as version 0.
	fn downgrade(id: u64) {
		let c = CapsuleMap::<Test>::get(id).unwrap();
		let old = v0::Capsule {
			owner: c.owner,
			offering: c.spec.offering,
			lane: c.spec.lane,
			price: v0_price(c.spec.price),
			capacity: c.spec.capacity,
			window: c.spec.window,
			concurrency: c.spec.concurrency,
			region: c.spec.region,
			endpoint_commitment: c.spec.endpoint_commitment,
			metadata: c.spec.metadata,
			pending_price: c.pending_price.map(|p| v0::PendingPrice {
				price: v0_price(p.price),
				effective_at: p.effective_at,
			}),
			status: c.status,
			bond: c.bond,
			deposit: c.deposit,
			trust: c.trust,
			uptime: c.uptime,
		};
		frame_support::storage::unhashed::put_raw(
			&CapsuleMap::<Test>::hashed_key_for(id),
			&old.encode(),
		);
		StorageVersion::new(0).put::<Capsules>();
	}

	/// Two capsules of a v0 chain, one with a price announced; returns them as they were.
	fn a_v0_chain() -> [crate::CapsuleOf<Test>; 2] {
		let (a, b) = (registered(1), registered(2));
		assert_ok!(Capsules::announce_price(RuntimeOrigin::signed(2), b, prices(40, 160, 4, 50)));
		let before = [CapsuleMap::<Test>::get(a).unwrap(), CapsuleMap::<Test>::get(b).unwrap()];
		downgrade(a);
		downgrade(b);
		assert_eq!(CapsuleMap::<Test>::get(a), None, "a v0 capsule does not decode as v1");
		before
	}

	/// `p` as v0 priced it: every input unit, cached or not, at the input price.
	fn as_v0_priced(p: Price<Balance>) -> Price<Balance> {
		prices(p.per_1k_input, p.per_1k_output, p.per_1k_input, p.per_1k_input)
	}

	#[test]
	fn v1_prices_cache_units_as_plain_input_and_keeps_everything_else() {
		build_and_execute(|| {
			let before = a_v0_chain();
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Capsules::on_chain_storage_version(), StorageVersion::new(1));
			for (id, was) in before.into_iter().enumerate() {
				let now = CapsuleMap::<Test>::get(id as u64).unwrap();
				let mut expected = was.clone();
				expected.spec.price = as_v0_priced(was.spec.price);
				expected.pending_price = was.pending_price.map(|p| crate::PendingPrice {
					price: as_v0_priced(p.price),
					effective_at: p.effective_at,
				});
				assert_eq!(now, expected);
			}
			let pending = CapsuleMap::<Test>::get(1).unwrap().pending_price.unwrap();
			assert_eq!(pending.price, prices(40, 160, 40, 40));

			// Once applied, it does nothing.
			assert_ok!(Capsules::announce_price(RuntimeOrigin::signed(1), 0, prices(7, 8, 1, 9)));
			let after = CapsuleMap::<Test>::get(0).unwrap();
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(CapsuleMap::<Test>::get(0).unwrap(), after);
		});
	}

	/// The migration as an upgrade check runs it: `pre_upgrade`, the migration, `post_upgrade`
	/// (which also runs `try_state`); the post-upgrade check catches a capsule priced wrong.
	#[cfg(feature = "try-runtime")]
	#[test]
	fn v1_passes_its_own_upgrade_checks_and_they_catch_a_wrong_cache_price() {
		use crate::migrations::v1::InnerMigrateV0ToV1;
		use frame_support::traits::UncheckedOnRuntimeUpgrade;
		build_and_execute(|| {
			a_v0_chain();
			assert_ok!(MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true));

			a_v0_chain_again();
			let state = InnerMigrateV0ToV1::<Test>::pre_upgrade().unwrap();
			InnerMigrateV0ToV1::<Test>::on_runtime_upgrade();
			CapsuleMap::<Test>::mutate(0, |c| c.as_mut().unwrap().spec.price.per_1k_cache_read = 1);
			assert!(InnerMigrateV0ToV1::<Test>::post_upgrade(state).is_err());
		});
	}

	/// The same two capsules back in the v0 layout.
	#[cfg(feature = "try-runtime")]
	fn a_v0_chain_again() {
		downgrade(0);
		downgrade(1);
	}
}
