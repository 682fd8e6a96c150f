//! Pricing: quotes and what-if simulations.

use super::*;

#[test]
fn quote_prices_prompt_cache_units_at_the_capsules_cache_prices() {
	build_and_execute(|| {
		let plain = Metering::quote(SEEKER, STANDARD, Units::plain(1_000, 200), usdn()).unwrap();
		let units = Units { input: 1_000, output: 200, cache_read: 10_000, cache_write: 2_000 };
		let q = Metering::quote(SEEKER, STANDARD, units, usdn()).unwrap();
		// Plus 10,000 × 0.3 USDN/1k read from the cache and 2,000 × 3.75 USDN/1k written: 3 +
		// 7.5 USDN, where plain input would have cost 36 USDN.
		assert_eq!(q.list, plain.list + 3 * USDN + 7 * USDN + USDN / 2);
		assert_eq!(q.legs.total(), q.net);
	});
}

#[test]
fn the_discount_is_capped_by_the_fee_parameters() {
	build_and_execute(|| {
		// Lower the cap to 15%: Gold in NXV (10% + 7%) gets 15%.
		let mut params = nexus_primitives::settlement::FeeParams::defaults();
		params.max_discount = Perbill::from_percent(15);
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), params));
		let q = Metering::quote(GOLD, STANDARD, Units::plain(1_000, 200), nxv()).unwrap();
		assert_eq!(q.discount, Perbill::from_percent(15));
	});
}

#[test]
fn quote_fails_for_unknown_capsules_and_assets() {
	build_and_execute(|| {
		assert_eq!(
			Metering::quote(SEEKER, 42, Units::plain(1, 1), usdn()),
			Err(RejectReason::UnknownCapsule)
		);
		assert_eq!(
			Metering::quote(SEEKER, STANDARD, Units::plain(1, 1), Asset::WithId(7)),
			Err(RejectReason::Conversion(ConversionError::UnsupportedAsset))
		);
	});
}

fn line(capsule: u64, tier: u8, asset: Asset, requests: u32) -> WorkloadLine<Asset> {
	WorkloadLine { capsule, tier, asset, in_units: 1_200, out_units: 350, requests }
}

#[test]
fn simulate_with_todays_parameters_is_quote_times_requests() {
	build_and_execute(|| {
		let params = <Fees as FeePolicy<Asset>>::params();
		let workload = vec![
			line(STANDARD, 0, usdn(), 3),
			line(PREMIUM, 1, nxv(), 2),
			line(STANDARD, 1, usdn(), 5),
		];
		let sim = Metering::simulate(params, workload).unwrap();
		// Tier 0 is SEEKER's tier, tier 1 GOLD's: each line's request is their quote.
		let quotes = [
			Metering::quote(SEEKER, STANDARD, Units::plain(1_200, 350), usdn()).unwrap(),
			Metering::quote(GOLD, PREMIUM, Units::plain(1_200, 350), nxv()).unwrap(),
			Metering::quote(GOLD, STANDARD, Units::plain(1_200, 350), usdn()).unwrap(),
		];
		for ((l, q), n) in sim.lines.iter().zip(quotes).zip([3u128, 2, 5]) {
			assert_eq!(l.per_request, q);
			assert_eq!(l.total.requests, n as u64);
			assert_eq!(l.total.net, q.net * n);
			assert_eq!(l.total.list, q.list * n);
			assert_eq!(l.total.legs, q.legs.checked_mul(n).unwrap());
			assert_eq!(l.total.legs.total(), l.total.net);
		}
		// Totals per asset, USDN first (first seen), never mixed with NXV.
		assert_eq!(sim.per_asset.len(), 2);
		assert_eq!(sim.per_asset[0].0, usdn());
		assert_eq!(
			sim.per_asset[0].1,
			sim.lines[0].total.checked_add(&sim.lines[2].total).unwrap()
		);
		assert_eq!(sim.per_asset[1], (nxv(), sim.lines[1].total));
	});
}

#[test]
fn simulate_prices_under_the_proposed_parameters_without_changing_them() {
	build_and_execute(|| {
		let today = <Fees as FeePolicy<Asset>>::params();
		let mut proposed = today;
		proposed.take_rate = Perbill::from_percent(20);
		proposed.treasury_share = Perbill::from_percent(50);
		proposed.reserve_share = Perbill::from_percent(15);
		proposed.nxv_discount = Perbill::from_percent(15);
		let gold_nxv = vec![line(STANDARD, 1, nxv(), 1)];
		let before = Metering::simulate(today, gold_nxv.clone()).unwrap().lines[0];
		let after = Metering::simulate(proposed, gold_nxv).unwrap().lines[0];
		// Today 10% NXV + 7% Gold; proposed 15% + 7%, capped at the 20% maximum.
		assert_eq!(before.per_request.discount, Perbill::from_percent(17));
		assert_eq!(after.per_request.asset_discount, Perbill::from_percent(15));
		assert_eq!(after.per_request.discount, Perbill::from_percent(20));
		assert!(after.per_request.net < before.per_request.net);
		let usdn_line = |p| Metering::simulate(p, vec![line(STANDARD, 0, usdn(), 1)]).unwrap();
		let (b, a) =
			(usdn_line(today).lines[0].per_request, usdn_line(proposed).lines[0].per_request);
		assert_eq!(a.net, b.net, "no discount on USDN for tier 0 either way");
		assert_eq!(a.legs.provider, a.net - Perbill::from_percent(20).mul_floor(a.net));
		assert!(a.legs.treasury > b.legs.treasury);
		assert!(a.legs.reserve < b.legs.reserve);
		assert_eq!(a.legs.total(), a.net);
		// Nothing was written: the parameters in force are today's.
		assert_eq!(<Fees as FeePolicy<Asset>>::params(), today);
	});
}

#[test]
fn simulate_refuses_what_settlement_would_refuse() {
	build_and_execute(|| {
		let ok = <Fees as FeePolicy<Asset>>::params();
		let mut shares = ok;
		shares.reserve_share = Perbill::from_percent(31);
		assert_eq!(
			Metering::simulate(shares, vec![line(STANDARD, 0, usdn(), 1)]),
			Err(SimulationError::InvalidParams(ParamsError::SharesDoNotSumToOne))
		);
		let mut take = ok;
		take.take_rate = Perbill::from_percent(31);
		assert_eq!(
			Metering::simulate(take, vec![line(STANDARD, 0, usdn(), 1)]),
			Err(SimulationError::InvalidParams(ParamsError::TakeRateTooHigh))
		);
		assert_eq!(Metering::simulate(ok, vec![]), Err(SimulationError::EmptyWorkload));
		let too_many = vec![line(STANDARD, 0, usdn(), 1); MAX_WORKLOAD_LINES as usize + 1];
		assert_eq!(Metering::simulate(ok, too_many), Err(SimulationError::TooManyLines));
		let full = vec![line(STANDARD, 0, usdn(), 1); MAX_WORKLOAD_LINES as usize];
		assert!(Metering::simulate(ok, full).is_ok());
		let err = |workload| Metering::simulate(ok, workload).unwrap_err();
		assert_eq!(
			err(vec![line(STANDARD, 0, usdn(), 1), line(STANDARD, 2, usdn(), 1)]),
			SimulationError::UnknownTier { line: 1 }
		);
		assert_eq!(
			err(vec![line(42, 0, usdn(), 1)]),
			SimulationError::Line { line: 0, reason: RejectReason::UnknownCapsule }
		);
		assert_eq!(
			err(vec![line(STANDARD, 0, Asset::WithId(7), 1)]),
			SimulationError::Line {
				line: 0,
				reason: RejectReason::Conversion(ConversionError::UnsupportedAsset)
			}
		);
		assert_eq!(
			err(vec![line(PREMIUM, 0, usdn(), 1)]),
			SimulationError::Line { line: 0, reason: RejectReason::LaneNotAllowed }
		);
		// A capsule priced at 10^30 per 1k input units: 10^6 units cost 10^33, so one request
		// fits in u128 and a million do not.
		let mut spec = standard_spec();
		spec.price = pallet_capsules::Price { per_1k_input: 10u128.pow(30), ..PRICE };
		assert_ok!(pallet_capsules::Pallet::<Test>::register(
			RuntimeOrigin::signed(PROVIDER),
			spec
		));
		let dear = WorkloadLine { in_units: 1_000_000, out_units: 0, ..line(2, 0, usdn(), 1) };
		assert_eq!(
			Metering::simulate(ok, vec![dear.clone()]).unwrap().lines[0].total.list,
			10u128.pow(33)
		);
		assert_eq!(
			err(vec![WorkloadLine { requests: 1_000_000, ..dear.clone() }]),
			SimulationError::Line { line: 0, reason: RejectReason::PriceOverflow }
		);
		// Each line fits (10^38), their sum does not.
		let big = WorkloadLine { requests: 100_000, ..dear };
		assert!(Metering::simulate(ok, vec![big.clone()]).is_ok());
		assert_eq!(
			err(vec![big.clone(), big.clone(), big.clone(), big]),
			SimulationError::Line { line: 3, reason: RejectReason::PriceOverflow }
		);
	});
}

#[test]
fn simulate_needs_a_fresh_price_to_price_nxv() {
	build_and_execute(|| {
		let ok = <Fees as FeePolicy<Asset>>::params();
		assert!(Metering::simulate(ok, vec![line(STANDARD, 0, nxv(), 1)]).is_ok());
		// The genesis price (block 0) is fresh for 1,000 blocks.
		run_to(1_001);
		assert_eq!(
			Metering::simulate(ok, vec![line(STANDARD, 0, usdn(), 1), line(STANDARD, 0, nxv(), 1)]),
			Err(SimulationError::Line {
				line: 1,
				reason: RejectReason::Conversion(ConversionError::StalePrice)
			})
		);
	});
}
