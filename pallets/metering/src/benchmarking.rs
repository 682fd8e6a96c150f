//! Benchmarks of metering (FRAME v2), each at its worst case. `submit_batch` is parameterised by
//! the receipts beyond one per session and one per capsule, the sessions and the capsules, each
//! varying on its own: its slopes are the marginal cost of a receipt, of a session (with its
//! receipt) and of a capsule (with its receipt).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]
#![allow(clippy::indexing_slicing)]

use super::*;
use crate::pallet::{
	ApiKeys, BatchOf, Config, Gateways, LeafOf, Pallet as Metering, ReceiptDisputes, SessionKeys,
	Sessions,
};
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate as _, fungibles::Mutate as _, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use nexus_primitives::traits::FeeDestinations;
use sp_core::{crypto::KeyTypeId, sr25519, H256};
use sp_runtime::{traits::One, Permill};

const KEY: KeyTypeId = KeyTypeId(*b"nxvg");
const NXV: u128 = 1_000_000_000_000;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	T::Currency::set_balance(&who, 1_000_000_000 * NXV);
	who
}

/// A registered gateway with a key in the keystore; returns (id, operator, key).
fn gateway<T: Config>() -> (GatewayId, T::AccountId, sr25519::Public) {
	let operator = funded::<T>("operator", 0);
	let key = sp_io::crypto::sr25519_generate(KEY, None);
	let id = Metering::<T>::do_register_gateway(operator.clone(), key, T::MinGatewayBond::get())
		.unwrap();
	(id, operator, key)
}

/// A seeker with `10^6` NXV in escrow and one open session on `gw`; returns (seeker, id).
fn seeker_with_session<T: Config>(gw: GatewayId, i: u32) -> (T::AccountId, SessionId) {
	let who = funded::<T>("seeker", i);
	Metering::<T>::do_deposit(who.clone(), T::NativeAsset::get(), 1_000_000 * NXV).unwrap();
	let expiry = frame_system::Pallet::<T>::block_number() + 100u32.into();
	let id =
		Metering::<T>::do_open_session(who.clone(), gw, T::NativeAsset::get(), 1_000 * NXV, expiry)
			.unwrap();
	(who, id)
}

/// The receipts a version-2 batch may hold beyond one per session and one per capsule, with
/// one session and one capsule.
fn max_extra<T: Config>() -> u32 {
	T::MaxBatchReceipts::get().saturating_sub(2)
}

/// The ranges `submit_batch` is measured over: half of each bound (the sessions, the capsules,
/// and the receipts beyond one per session and capsule, which must fit beside them). The cost is
/// linear in each (every item is read and written once; per-receipt work is in memory), so the
/// weight function extrapolates to the bounds; measuring the full ranges would take hours, the
/// setup of every repetition registering a seeker per session and a provider per capsule.
fn bench_sessions<T: Config>() -> u32 {
	T::MaxBatchSessions::get() / 2
}
fn bench_capsules<T: Config>() -> u32 {
	T::MaxBatchCapsules::get() / 2
}
fn bench_extra<T: Config>() -> u32 {
	(T::MaxBatchReceipts::get() / 2).min(
		T::MaxBatchReceipts::get()
			.saturating_sub(bench_sessions::<T>())
			.saturating_sub(bench_capsules::<T>()),
	)
}

/// A signed version-2 batch for gateway `gw` (key `key`): `s` sessions, each of its own seeker,
/// and `c` capsules, each of its own provider, and `s + c + r` receipts, receipt `i` the `k`-th
/// (`k = i / s`) of group `g = i mod s`, on capsule `(g + k) mod c`: every group and capsule is
/// used, each component varies on its own, and a group's receipts go to as many capsules as
/// there are (the most (group, capsule) pairs, each booked apart: the worst case). Every
/// receipt settles, with one unit of each kind (well inside every usage cap and session cap).
fn batch_v2<T: Config>(
	gw: GatewayId,
	key: &sr25519::Public,
	r: u32,
	s: u32,
	c: u32,
) -> (BatchOf<T>, sr25519::Signature) {
	use nexus_primitives::receipts::{CompactReceipt, ReceiptOutcome, SessionGroup, Units};
	let sessions: Vec<SessionId> = (0..s).map(|i| seeker_with_session::<T>(gw, i).1).collect();
	let capsules: Vec<u64> = (0..c)
		.map(|i| T::BenchmarkHelper::register_capsule(&funded::<T>("provider", i)))
		.collect();
	let mut groups: Vec<Vec<CompactReceipt>> = sessions.iter().map(|_| Vec::new()).collect();
	for i in 0..s + c + r {
		let (group, k) = (i % s, i / s);
		groups[group as usize].push(CompactReceipt {
			outcome: ReceiptOutcome::Served,
			capsule: (group + k) % c,
			units: Units { input: 1, output: 1, cache_read: 1, cache_write: 1 },
			age_ms: 0,
		});
	}
	let batch = BatchOf::<T> {
		gateway: gw,
		time_ms: Metering::<T>::now_ms(),
		capsules: capsules.try_into().unwrap(),
		groups: sessions
			.into_iter()
			.zip(groups)
			.map(|(session, receipts)| SessionGroup {
				session,
				first_seq: 1,
				receipts: receipts.try_into().unwrap(),
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	};
	let payload =
		nexus_primitives::receipts::signing_payload(&Metering::<T>::genesis_hash(), &batch);
	(batch, sp_io::crypto::sr25519_sign(KEY, key, &payload).unwrap())
}

/// A settled version-2 batch of the most receipts on one session and capsule (the deepest
/// proof); returns its gateway's operator, the seeker, the first receipt's leaf and its proof.
fn settled_batch<T: Config>(
) -> (T::AccountId, T::AccountId, LeafOf<T>, nexus_primitives::receipts::Proof) {
	let (gw, operator, key) = gateway::<T>();
	let (batch, signature) = batch_v2::<T>(gw, &key, max_extra::<T>(), 1, 1);
	let done = Metering::<T>::do_submit_batch(operator.clone(), &batch, signature).unwrap();
	let leaves = done.settlement.leaves(&batch).unwrap();
	let hashes: Vec<H256> = leaves.iter().map(nexus_primitives::receipts::leaf_hash).collect();
	let proof = nexus_primitives::receipts::proof(&hashes, 0).unwrap();
	(operator, leaves[0].seeker.clone(), leaves[0].clone(), proof)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_gateway() {
		let origin = T::AdminOrigin::try_successful_origin().unwrap();
		let operator = funded::<T>("operator", 1);
		let key = sr25519::Public::from_raw([1; 32]);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, operator.clone(), key, T::MinGatewayBond::get());
		assert!(crate::pallet::GatewayOf::<T>::contains_key(&operator));
	}

	#[benchmark]
	fn rotate_gateway_key() {
		let origin = T::AdminOrigin::try_successful_origin().unwrap();
		let (id, _, _) = gateway::<T>();
		let key = sr25519::Public::from_raw([2; 32]);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, key);
		assert_eq!(Gateways::<T>::get(id).unwrap().key, key);
	}

	#[benchmark]
	fn suspend_gateway() {
		let origin = T::EmergencyOrigin::try_successful_origin().unwrap();
		let (id, _, _) = gateway::<T>();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Gateways::<T>::get(id).unwrap().status, GatewayStatus::Suspended);
	}

	#[benchmark]
	fn resume_gateway() {
		let origin = T::AdminOrigin::try_successful_origin().unwrap();
		let (id, _, _) = gateway::<T>();
		Metering::<T>::set_gateway_status(id, GatewayStatus::Suspended).unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Gateways::<T>::get(id).unwrap().status, GatewayStatus::Active);
	}

	#[benchmark]
	fn remove_gateway() {
		let origin = T::AdminOrigin::try_successful_origin().unwrap();
		let (id, _, _) = gateway::<T>();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert!(Gateways::<T>::get(id).is_none());
	}

	#[benchmark]
	fn deposit() {
		let who = funded::<T>("seeker", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::NativeAsset::get(), 1_000 * NXV);
		assert_eq!(Escrow::<T>::get(&who, T::NativeAsset::get()).free, 1_000 * NXV);
	}

	#[benchmark]
	fn withdraw(s: Linear<0, { T::MaxSessionsPerSeeker::get() }>) {
		let (gw, _, _) = gateway::<T>();
		let who = funded::<T>("seeker", 0);
		Metering::<T>::do_deposit(who.clone(), T::NativeAsset::get(), 1_000_000 * NXV).unwrap();
		let expiry = frame_system::Pallet::<T>::block_number() + 10u32.into();
		for _ in 0..s {
			Metering::<T>::do_open_session(who.clone(), gw, T::NativeAsset::get(), NXV, expiry)
				.unwrap();
		}
		// Every session is due for release.
		let later: BlockNumberFor<T> = expiry + T::SettlementGrace::get() + One::one();
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::NativeAsset::get(), 1_000_000 * NXV);
		assert_eq!(SeekerSessions::<T>::get(&who).len(), 0);
	}

	#[benchmark]
	fn open_session() {
		let (gw, _, _) = gateway::<T>();
		let who = funded::<T>("seeker", 0);
		Metering::<T>::do_deposit(who.clone(), T::NativeAsset::get(), 1_000_000 * NXV).unwrap();
		let expiry = frame_system::Pallet::<T>::block_number() + 10u32.into();
		// One short of the limit: the push is the largest.
		for _ in 1..T::MaxSessionsPerSeeker::get() {
			Metering::<T>::do_open_session(who.clone(), gw, T::NativeAsset::get(), NXV, expiry)
				.unwrap();
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), gw, T::NativeAsset::get(), NXV, expiry);
		assert_eq!(SeekerSessions::<T>::get(&who).len() as u32, T::MaxSessionsPerSeeker::get());
	}

	#[benchmark]
	fn close_session() {
		// With an API key bound, which the close unbinds.
		let (gw, _, _) = gateway::<T>();
		let (who, id) = seeker_with_session::<T>(gw, 0);
		Metering::<T>::do_bind_api_key(who.clone(), id, H256::repeat_byte(1)).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert!(Sessions::<T>::get(id).unwrap().closed.is_some());
		assert!(ApiKeys::<T>::get(H256::repeat_byte(1)).is_none());
	}

	#[benchmark]
	fn bind_api_key() {
		// Rotation, the larger case: the session's old key is unbound first.
		let (gw, _, _) = gateway::<T>();
		let (who, id) = seeker_with_session::<T>(gw, 0);
		Metering::<T>::do_bind_api_key(who.clone(), id, H256::repeat_byte(1)).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, H256::repeat_byte(2));
		assert_eq!(ApiKeys::<T>::get(H256::repeat_byte(2)), Some(id));
		assert!(ApiKeys::<T>::get(H256::repeat_byte(1)).is_none());
	}

	#[benchmark]
	fn unbind_api_key() {
		let (gw, _, _) = gateway::<T>();
		let (who, id) = seeker_with_session::<T>(gw, 0);
		Metering::<T>::do_bind_api_key(who.clone(), id, H256::repeat_byte(1)).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert!(SessionKeys::<T>::get(id).is_none());
	}

	#[benchmark]
	fn release_session() {
		// An expired session that still has its API key (it was never closed).
		let (gw, _, _) = gateway::<T>();
		let (who, id) = seeker_with_session::<T>(gw, 0);
		Metering::<T>::do_bind_api_key(who, id, H256::repeat_byte(1)).unwrap();
		let at = Sessions::<T>::get(id).unwrap().release_at;
		frame_system::Pallet::<T>::set_block_number(at);
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(Sessions::<T>::get(id).is_none());
	}

	#[benchmark]
	fn report_uptime() {
		let (gw, operator, _) = gateway::<T>();
		let provider = funded::<T>("provider", 0);
		let capsule = T::BenchmarkHelper::register_capsule(&provider);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), gw, capsule, Permill::from_percent(99));
	}

	#[benchmark]
	fn resolve_dispute() {
		// Worst case: upheld against the provider (a refund from the reserve, a bond slash, the
		// receipt's mark rewritten). Version-1 disputes (`resolve_dispute`) do less: no mark.
		let origin = T::DisputeOrigin::try_successful_origin().unwrap();
		let (_, seeker, leaf, proof) = settled_batch::<T>();
		T::Assets::set_balance(T::NativeAsset::get(), &T::Destinations::reserve(), 1_000 * NXV);
		Metering::<T>::do_dispute_receipt(seeker, 0, leaf, proof).unwrap();
		#[extrinsic_call]
		resolve_receipt_dispute(origin as T::RuntimeOrigin, 0, 0, Ruling::ProviderAtFault);
		assert!(!ReceiptDisputes::<T>::contains_key(0, 0));
		assert_eq!(crate::pallet::Marks::<T>::get(0, 0), Some(Mark::DisputeUpheld));
	}

	#[benchmark]
	fn submit_batch(
		r: Linear<0, { bench_extra::<T>() }>,
		s: Linear<1, { bench_sessions::<T>() }>,
		c: Linear<1, { bench_capsules::<T>() }>,
	) {
		// Every receipt settles; every session is its own seeker's and every capsule its own
		// provider's, so no session, ledger or capsule write is shared beyond what the shape
		// forces.
		let (gw, operator, key) = gateway::<T>();
		let (batch, signature) = batch_v2::<T>(gw, &key, r, s, c);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), alloc::boxed::Box::new(batch), signature);
		assert_eq!(crate::pallet::NextBatchId::<T>::get(), 1);
	}

	/// Booking a batch's usage into the day's history (`Metering::book_day`), `d` days having
	/// left the window. Worst case: every day of the window kept with a full set of lines; the
	/// batch brings one line more than a day holds (a full set, each merged into the day's line
	/// or pushed onto a new day, and one counted unbooked). With `d = 0` the batch's day is the
	/// last kept one (every line merged into a full day); with `d > 0` it is a new day, `d` days
	/// after the window's first kept day left it.
	#[benchmark]
	fn book_usage_day(d: Linear<0, { T::UsageHistoryDays::get() }>) {
		use crate::pallet::{UsageDayIndex, UsageDays, UsageUnbooked};
		let history = T::UsageHistoryDays::get();
		let lines = T::MaxUsageLines::get();
		let line = |regime: u32| {
			let mut l = UsageLine::new(T::NativeAsset::get(), Permill::from_percent(4), regime);
			l.receipts = 1_000;
			l.units = nexus_primitives::receipts::Units {
				input: 1_000_000,
				output: 1_000_000,
				cache_read: 1_000_000,
				cache_write: 1_000_000,
			};
			(l.list, l.net_pricing, l.net) = (1_000_000 * NXV, 900_000 * NXV, 900_000 * NXV);
			l
		};
		let first = 1_000u32;
		let full_day: Vec<UsageLine<T::AssetKind>> = (0..lines).map(line).collect();
		for day in first..first + history {
			UsageDays::<T>::insert(day, BoundedVec::try_from(full_day.clone()).unwrap());
			UsageUnbooked::<T>::insert(day, 1u64);
		}
		UsageDayIndex::<T>::put(
			BoundedVec::try_from((first..first + history).collect::<Vec<_>>()).unwrap(),
		);
		let last = first + history - 1;
		let day = last + d;
		let book: crate::history::DayBook<T::AssetKind> = (0..=lines)
			.map(|regime| ((T::NativeAsset::get(), Permill::from_percent(4), regime), line(regime)))
			.collect();

		#[block]
		{
			Metering::<T>::book_day(day, book);
		}

		let index = UsageDayIndex::<T>::get();
		let kept_from = if first + d <= last { first + d } else { day };
		assert_eq!((index.first().copied(), index.last().copied()), (Some(kept_from), Some(day)));
		assert_eq!(UsageDays::<T>::get(day).len() as u32, lines);
		assert!(UsageUnbooked::<T>::get(day) >= 1);
	}

	#[benchmark]
	fn roll_back() {
		let (operator, _, leaf, proof) = settled_batch::<T>();
		T::Assets::set_balance(T::NativeAsset::get(), &T::Destinations::reserve(), 1_000 * NXV);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), 0, alloc::boxed::Box::new(leaf), proof);
		assert_eq!(crate::pallet::Marks::<T>::get(0, 0), Some(Mark::RolledBack));
	}

	#[benchmark]
	fn dispute_receipt() {
		let (_, seeker, leaf, proof) = settled_batch::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(seeker), 0, alloc::boxed::Box::new(leaf), proof);
		assert_eq!(crate::pallet::Marks::<T>::get(0, 0), Some(Mark::Disputed));
	}

	impl_benchmark_test_suite!(Metering, crate::mock::new_test_ext(), crate::mock::Test);
}
