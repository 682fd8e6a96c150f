//! The referendum tracks: one per origin, with live timings (days) and development timings
//! (blocks). The `development` preset selects the latter through [`super::origins::Timing`].
//!
//! Live tracks follow the shape of Polkadot's: approval starts high and falls towards 50%,
//! support (aye capital / active issuance) starts at 50% and falls towards a floor over the
//! decision period. Fee changes are deliberate (a week to decide, a day to confirm, a day's
//! notice before they apply); emergencies are fast (minutes to confirm, enacted the next
//! block) but need more support early.

use super::origins::{Origin, Timing, TrackTiming};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, MINUTES, NXV};
use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, FixedI64, Perbill};

/// Track ids.
pub mod id {
	/// Root.
	pub const ROOT: u16 = 0;
	/// Fee parameters, NXV price, tier table.
	pub const FEE_PARAMETERS: u16 = 1;
	/// Treasury spends.
	pub const TREASURER: u16 = 2;
	/// Reserve claims, suspensions, dispute rulings.
	pub const RESERVE_EMERGENCY: u16 = 3;
}

const fn percent(x: i32) -> FixedI64 {
	FixedI64::from_rational(x as u128, 100)
}

const APPROVAL_ROOT: Curve = Curve::make_reciprocal(4, 28, percent(80), percent(50), percent(100));
const SUPPORT_ROOT: Curve = Curve::make_linear(28, 28, percent(0), percent(50));
const APPROVAL_FEES: Curve = Curve::make_reciprocal(4, 28, percent(80), percent(50), percent(100));
const SUPPORT_FEES: Curve = Curve::make_reciprocal(7, 28, percent(10), percent(0), percent(50));
const APPROVAL_TREASURER: Curve =
	Curve::make_reciprocal(4, 28, percent(80), percent(50), percent(100));
const SUPPORT_TREASURER: Curve = Curve::make_linear(28, 28, percent(0), percent(50));
const APPROVAL_EMERGENCY: Curve = Curve::make_linear(10, 28, percent(50), percent(100));
const SUPPORT_EMERGENCY: Curve = Curve::make_reciprocal(1, 28, percent(4), percent(0), percent(50));

/// Development: a simple majority of the votes cast, and 0.01% of issuance in support (one
/// development account's stake is 0.1%).
const APPROVAL_DEV: Curve = Curve::LinearDecreasing {
	length: Perbill::from_percent(100),
	floor: Perbill::from_percent(50),
	ceil: Perbill::from_percent(50),
};
const SUPPORT_DEV: Curve = Curve::LinearDecreasing {
	length: Perbill::from_percent(100),
	floor: Perbill::from_parts(100_000),
	ceil: Perbill::from_parts(100_000),
};

type T = Track<u16, Balance, BlockNumber>;

/// Live timings.
const ROOT: T = Track {
	id: id::ROOT,
	info: TrackInfo {
		name: name("root"),
		max_deciding: 1,
		decision_deposit: 100_000 * NXV,
		prepare_period: 2 * HOURS,
		decision_period: 14 * DAYS,
		confirm_period: DAYS,
		min_enactment_period: DAYS,
		min_approval: APPROVAL_ROOT,
		min_support: SUPPORT_ROOT,
	},
};
const FEE_PARAMETERS: T = Track {
	id: id::FEE_PARAMETERS,
	info: TrackInfo {
		name: name("fee_parameters"),
		max_deciding: 5,
		decision_deposit: 20_000 * NXV,
		prepare_period: 2 * HOURS,
		decision_period: 7 * DAYS,
		confirm_period: DAYS,
		min_enactment_period: DAYS,
		min_approval: APPROVAL_FEES,
		min_support: SUPPORT_FEES,
	},
};
const TREASURER: T = Track {
	id: id::TREASURER,
	info: TrackInfo {
		name: name("treasurer"),
		max_deciding: 10,
		decision_deposit: 10_000 * NXV,
		prepare_period: 2 * HOURS,
		decision_period: 14 * DAYS,
		confirm_period: DAYS,
		min_enactment_period: DAYS,
		min_approval: APPROVAL_TREASURER,
		min_support: SUPPORT_TREASURER,
	},
};
const RESERVE_EMERGENCY: T = Track {
	id: id::RESERVE_EMERGENCY,
	info: TrackInfo {
		name: name("reserve_emergency"),
		max_deciding: 10,
		decision_deposit: 50_000 * NXV,
		prepare_period: 10 * MINUTES,
		decision_period: 3 * DAYS,
		confirm_period: 10 * MINUTES,
		min_enactment_period: 1,
		min_approval: APPROVAL_EMERGENCY,
		min_support: SUPPORT_EMERGENCY,
	},
};
const LIVE: [T; 4] = [ROOT, FEE_PARAMETERS, TREASURER, RESERVE_EMERGENCY];

/// The same tracks in blocks: prepare 2, decide within 20, confirm 2, enact 1 block later.
const fn development(track: T) -> T {
	let mut t = track;
	t.info.prepare_period = 2;
	t.info.decision_period = 20;
	t.info.confirm_period = 2;
	t.info.min_enactment_period = 1;
	t.info.min_approval = APPROVAL_DEV;
	t.info.min_support = SUPPORT_DEV;
	t
}

const DEVELOPMENT: [T; 4] = [
	development(ROOT),
	development(FEE_PARAMETERS),
	development(TREASURER),
	development(RESERVE_EMERGENCY),
];

/// The runtime's tracks (sorted by id, as referenda requires).
pub struct TracksInfo;
impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	/// Reads one small storage value (`Origins::Timing`, set at genesis), which stays in the
	/// block's overlay after the first read; the tracks themselves are constants.
	fn tracks() -> impl Iterator<Item = Cow<'static, T>> {
		let tracks: &'static [T; 4] = match Timing::<Runtime>::get() {
			TrackTiming::Live => &LIVE,
			TrackTiming::Development => &DEVELOPMENT,
		};
		tracks.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(id::ROOT),
			OriginCaller::Origins(Origin::FeeParameters) => Ok(id::FEE_PARAMETERS),
			OriginCaller::Origins(Origin::Treasurer) => Ok(id::TREASURER),
			OriginCaller::Origins(Origin::ReserveEmergency) => Ok(id::RESERVE_EMERGENCY),
			_ => Err(()),
		}
	}
}
