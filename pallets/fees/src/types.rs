//! Types of the fees pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use nexus_primitives::settlement::{FeeParams, Legs};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// The NXV price: pricing units (10⁻⁶ USDN) per NXV, and the block it was set at.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct PriceRecord<BlockNumber> {
	/// Pricing units per NXV.
	pub price: u128,
	/// When it was set.
	pub set_at: BlockNumber,
}

/// Settled flows of one payment asset: every leg, in that asset, and the volume in the pricing
/// unit. `provider + treasury + buyback + validators + reserve == net` in every record.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct FlowTotals {
	/// Receipts settled.
	pub receipts: u64,
	/// What seekers paid, in the pricing unit (before conversion).
	pub volume: u128,
	/// What seekers paid, in the asset.
	pub net: u128,
	/// To providers.
	pub provider: u128,
	/// To the treasury.
	pub treasury: u128,
	/// To the buyback/rebates pot.
	pub buyback: u128,
	/// To the validator reward pot.
	pub validators: u128,
	/// To the reserve.
	pub reserve: u128,
	/// Refunded to seekers from the reserve.
	pub refunded: u128,
}

impl FlowTotals {
	/// Adds a batch's flows (saturating: lifetime sums of u128 planck cannot realistically
	/// reach the bound, and a saturated statistic must not block settlement).
	pub fn add_settled(&mut self, receipts: u32, volume: u128, legs: &Legs) {
		self.merge(&FlowTotals {
			receipts: u64::from(receipts),
			volume,
			net: legs.total(),
			provider: legs.provider,
			treasury: legs.treasury,
			buyback: legs.buyback,
			validators: legs.validators,
			reserve: legs.reserve,
			refunded: 0,
		});
	}

	/// Adds another record (saturating, as above).
	pub fn merge(&mut self, o: &FlowTotals) {
		self.receipts = self.receipts.saturating_add(o.receipts);
		self.volume = self.volume.saturating_add(o.volume);
		self.net = self.net.saturating_add(o.net);
		self.provider = self.provider.saturating_add(o.provider);
		self.treasury = self.treasury.saturating_add(o.treasury);
		self.buyback = self.buyback.saturating_add(o.buyback);
		self.validators = self.validators.saturating_add(o.validators);
		self.reserve = self.reserve.saturating_add(o.reserve);
		self.refunded = self.refunded.saturating_add(o.refunded);
	}

	/// Whether the legs sum to `net`.
	pub fn is_balanced(&self) -> bool {
		self.provider
			.checked_add(self.treasury)
			.and_then(|s| s.checked_add(self.buyback))
			.and_then(|s| s.checked_add(self.validators))
			.and_then(|s| s.checked_add(self.reserve)) ==
			Some(self.net)
	}
}

/// The fee parameters with their bounds, as the runtime API shows them.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct FeeStatus<BlockNumber> {
	/// In force.
	pub params: FeeParams,
	/// Hard cap on the take rate.
	pub max_take_rate: Perbill,
	/// Hard cap on the combined discount.
	pub max_combined_discount: Perbill,
	/// The most a field may move per change.
	pub max_step: Perbill,
	/// Blocks between changes.
	pub change_cooldown: BlockNumber,
	/// The first block at which the next change may be enacted.
	pub next_change_at: BlockNumber,
}

/// The NXV price as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct PriceStatus<BlockNumber> {
	/// Pricing units per NXV (`None`: never set).
	pub price: Option<u128>,
	/// When it was set.
	pub set_at: Option<BlockNumber>,
	/// When it goes stale.
	pub stale_at: Option<BlockNumber>,
	/// Whether NXV payments are refused for now.
	pub stale: bool,
}

/// One change of a planned sequence of fee changes (runtime API `fee_path`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct FeeStep<BlockNumber> {
	/// The parameters this change enacts.
	pub params: FeeParams,
	/// The first block it may be enacted at: a cooldown after the change before.
	pub enactable_from: BlockNumber,
}

/// An enacted change of the fee parameters.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ParamsChange<BlockNumber> {
	/// The block it was enacted at.
	pub at: BlockNumber,
	/// The parameters before.
	pub old: FeeParams,
	/// The parameters after.
	pub new: FeeParams,
}
