//! Types of the metering pallet: gateways, escrow, sessions, receipts and their verdicts.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use nexus_primitives::{
	receipts::Units,
	settlement::{Legs, ParamsError, Priced},
	traits::ConversionError,
};
use scale_info::TypeInfo;
use sp_core::{sr25519, H256};
use sp_runtime::{Perbill, Permill};

/// A gateway's id: a counter, never reused.
pub type GatewayId = u32;
/// A session's id: a counter, never reused.
pub type SessionId = u64;
/// A version-1 receipt's id, chosen by the gateway (a UUID): the key of the disputes opened
/// before version-1 receipts retired ([`crate::Disputes`]).
pub type ReceiptId = [u8; 16];

/// A settled version-2 batch's id: a counter, never reused.
pub type BatchId = u64;

/// What the chain keeps of a settled version-2 batch for the dispute window: the commitment to
/// its receipts' leaves (see [`nexus_primitives::receipts`]). A receipt is disputed or rolled
/// back by its leaf and a proof against `root`.
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
pub struct Commitment {
	/// The gateway that posted the batch (it alone rolls its receipts back).
	pub gateway: GatewayId,
	/// The Merkle root over the batch's leaves, in batch order.
	pub root: H256,
	/// How many leaves (judged receipts) it has.
	pub leaves: u32,
	/// Chain time (ms) from which no receipt of the batch can be disputed any more and the
	/// commitment is pruned: settlement time + the dispute window + the allowed clock skew.
	pub expires_ms: u64,
}

/// What happened to a settled receipt after its batch: one marker per leaf, so per
/// `(session, seq)`, which stops a second dispute or rollback of the same receipt.
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
pub enum Mark {
	/// The gateway rolled the charge back: refunded, the provider's bond slashed.
	RolledBack,
	/// The seeker disputed the charge; the ruling is pending.
	Disputed,
	/// A dispute was upheld: refunded.
	DisputeUpheld,
	/// A dispute was rejected: the charge stands.
	DisputeRejected,
}

/// Whether a gateway may open sessions and post receipts.
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
pub enum GatewayStatus {
	/// Serving.
	Active,
	/// Stopped by governance: no new sessions, no receipts.
	Suspended,
}

/// A registered gateway.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Gateway<AccountId> {
	/// The account that submits its receipt batches.
	pub operator: AccountId,
	/// The key that signs its receipt batches.
	pub key: sr25519::Public,
	/// NXV held from the operator (slashable on upheld disputes).
	pub bond: u128,
	/// Active or suspended.
	pub status: GatewayStatus,
	/// Sessions not yet released (the gateway cannot be removed while any remain).
	pub open_sessions: u32,
}

/// A seeker's escrow in one asset. `free` can be withdrawn or committed to a session;
/// `committed` backs open sessions' unspent caps.
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
pub struct EscrowLedger {
	/// Withdrawable.
	pub free: u128,
	/// Backing open sessions.
	pub committed: u128,
}

/// A spend session: what a seeker lets one gateway charge, in one asset, until a block.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Session<AccountId, AssetKind, BlockNumber> {
	/// Who pays.
	pub seeker: AccountId,
	/// Who may charge.
	pub gateway: GatewayId,
	/// In what.
	pub asset: AssetKind,
	/// At most this much, in `asset`.
	pub cap: u128,
	/// Charged so far (never above `cap`).
	pub spent: u128,
	/// No charge for requests after this block (receipts in flight still settle during the
	/// grace period).
	pub expires_at: BlockNumber,
	/// When the seeker closed it: block and chain time (ms). Receipts stamped later are
	/// refused.
	pub closed: Option<(BlockNumber, u64)>,
	/// When its unspent cap returns to free escrow (and the session is removed).
	pub release_at: BlockNumber,
	/// The highest receipt sequence number accepted (0: none yet).
	pub last_seq: u64,
	/// NXV held from the seeker for the session's storage.
	pub deposit: u128,
}

/// A charged receipt, as a dispute keeps it (from the receipt's leaf, or from a version-1
/// record).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Charge<AccountId, AssetKind> {
	/// The session.
	pub session: SessionId,
	/// Who paid.
	pub seeker: AccountId,
	/// The gateway that posted it.
	pub gateway: GatewayId,
	/// The capsule that served.
	pub capsule: u64,
	/// The capsule's provider, who was paid.
	pub provider: AccountId,
	/// The asset paid in.
	pub asset: AssetKind,
	/// What the seeker paid.
	pub net: u128,
	/// What the provider received.
	pub provider_amount: u128,
	/// The receipt's gateway time (ms).
	pub timestamp: u64,
	/// Refunded (rolled back or dispute upheld): never again.
	pub refunded: bool,
	/// Under dispute: cannot be rolled back meanwhile.
	pub disputed: bool,
}

/// Why a request cannot be priced: the error of `quote` and `simulate` (runtime API).
///
/// Version-1 settlement rejected receipts with it too; the variants only it returned
/// (`DuplicateReceipt`, `SequenceNotIncreasing`, `UnknownSession`, `WrongGateway`,
/// `SessionClosed`, `SessionExpired`, `OverCap`, `UsageCapExceeded`, `RollbackSessionMismatch`,
/// `AlreadyRefunded`, `UnderDispute`, `ReserveShortfall`) stay for the API's encoding. Settlement
/// reports [`nexus_primitives::receipts::Rejection`].
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
pub enum RejectReason {
	/// The id was already settled or recorded (replay), or appears twice in the batch.
	DuplicateReceipt,
	/// The gateway time is older than the receipt window.
	ReceiptExpired,
	/// The gateway time is ahead of chain time by more than the allowed clock skew.
	TimestampInFuture,
	/// No such session (never opened, or already released).
	UnknownSession,
	/// The session belongs to another gateway.
	WrongGateway,
	/// The sequence number is not above the session's last one.
	SequenceNotIncreasing,
	/// The session was closed before the request, or its grace period is over.
	SessionClosed,
	/// The session expired before this block (beyond its grace period).
	SessionExpired,
	/// No such capsule.
	UnknownCapsule,
	/// The capsule is paused, suspended or retired.
	CapsuleNotActive,
	/// The seeker's tier does not include premium lanes.
	LaneNotAllowed,
	/// A served receipt with zero units.
	ZeroUnits,
	/// The charge would take the session over its cap.
	OverCap,
	/// The seeker's tier usage cap for the window would be exceeded.
	UsageCapExceeded,
	/// The price cannot be expressed in the session's asset.
	Conversion(ConversionError),
	/// Units × price overflowed.
	PriceOverflow,
	/// A rollback of a charge from another session.
	RollbackSessionMismatch,
	/// A rollback of a charge that was already refunded.
	AlreadyRefunded,
	/// A rollback of a charge under dispute (the dispute decides).
	UnderDispute,
	/// A rollback the reserve cannot refund in full now; the charge stays refundable (by a
	/// later rollback or a dispute) once the reserve is funded.
	ReserveShortfall,
}

/// The price of a request for a seeker, in the session's asset: what `quote` returns and what
/// settlement charges.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct QuoteBreakdown {
	/// List price in the pricing unit.
	pub list: u128,
	/// Discount for the payment asset.
	pub asset_discount: Perbill,
	/// Commitment discount of the seeker's tier.
	pub tier_discount: Perbill,
	/// Combined discount applied (capped).
	pub discount: Perbill,
	/// Net in the pricing unit.
	pub net_pricing: u128,
	/// Net in the payment asset (what the seeker is debited).
	pub net: u128,
	/// Where `net` goes, in the payment asset; the legs sum to `net`.
	pub legs: nexus_primitives::settlement::Legs,
}

/// How a dispute was decided.
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
pub enum Ruling {
	/// The charge stands; the seeker's deposit goes to the reserve.
	Rejected,
	/// The provider was at fault: refund from the reserve, slash the capsule's bond.
	ProviderAtFault,
	/// The gateway was at fault: refund from the reserve, slash the gateway's bond.
	GatewayAtFault,
}

/// An open dispute: a copy of the charge (the receipt record may age out meanwhile).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Dispute<AccountId, AssetKind> {
	/// The disputed charge.
	pub charge: Charge<AccountId, AssetKind>,
	/// NXV held from the seeker.
	pub deposit: u128,
}

/// The most lines one what-if simulation prices (it runs in a runtime API call, off chain, but
/// every call a public node serves does bounded work).
pub const MAX_WORKLOAD_LINES: u32 = 32;

/// One line of a what-if workload: `requests` requests of `in_units` input and `out_units`
/// output units each on `capsule`, by seekers in tier `tier` (an index into the tier table in
/// force) paying in `asset`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct WorkloadLine<AssetKind> {
	/// The capsule serving the requests.
	pub capsule: u64,
	/// The seekers' tier index (0 is the entry tier).
	pub tier: u8,
	/// The payment asset.
	pub asset: AssetKind,
	/// Input units per request.
	pub in_units: u64,
	/// Output units per request.
	pub out_units: u64,
	/// How many such requests.
	pub requests: u32,
}

/// Sums over settled requests: what seekers pay and where it goes.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, Default)]
pub struct SimulatedTotals {
	/// Requests priced.
	pub requests: u64,
	/// List price in the pricing unit.
	pub list: u128,
	/// Net in the pricing unit.
	pub net_pricing: u128,
	/// Net in the payment asset: the seekers' cost.
	pub net: u128,
	/// Where `net` goes, in the payment asset: the provider's income and each pot's inflow.
	pub legs: Legs,
}

impl SimulatedTotals {
	/// `self + other`, `None` on overflow.
	pub fn checked_add(&self, other: &SimulatedTotals) -> Option<SimulatedTotals> {
		Some(SimulatedTotals {
			requests: self.requests.checked_add(other.requests)?,
			list: self.list.checked_add(other.list)?,
			net_pricing: self.net_pricing.checked_add(other.net_pricing)?,
			net: self.net.checked_add(other.net)?,
			legs: self.legs.checked_add(&other.legs)?,
		})
	}
}

/// One priced workload line: the quote of one request (what settlement charges each) and
/// the line's total (that quote times `requests`, exactly what settling them one by one gives).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct SimulatedLine {
	/// The price of one request.
	pub per_request: QuoteBreakdown,
	/// The line's totals.
	pub total: SimulatedTotals,
}

/// A priced workload: every line, and totals per payment asset (amounts of different assets
/// are never added together).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Simulation<AssetKind> {
	/// The lines, in the order given.
	pub lines: Vec<SimulatedLine>,
	/// Totals per payment asset, in order of first appearance.
	pub per_asset: Vec<(AssetKind, SimulatedTotals)>,
}

/// Why a what-if workload cannot be priced. `line` is the 0-based index of the offending line.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum SimulationError {
	/// The proposed fee parameters break a hard bound (the same check `set_fee_parameters`
	/// makes).
	InvalidParams(ParamsError),
	/// No lines.
	EmptyWorkload,
	/// More than [`MAX_WORKLOAD_LINES`] lines.
	TooManyLines,
	/// The tier index is past the top of the tier table.
	UnknownTier {
		/// The line.
		line: u32,
	},
	/// The line cannot be priced: unknown capsule, unsupported asset, a premium capsule for a
	/// tier without premium lanes, no or stale NXV price, or overflow.
	Line {
		/// The line.
		line: u32,
		/// Why, as settlement would say it.
		reason: RejectReason,
	},
}

/// A day of usage history is a UTC day of chain time: `time_ms / DAY_MS`.
pub const DAY_MS: u64 = 86_400_000;

/// What the served receipts of one day paid in one asset by seekers with one tier discount under
/// one fee regime: the line a day's usage history keeps, fine enough to re-price the day under
/// other fee parameters (the list price is what the capsules' prices gave at the time; fee
/// parameters act on it through the discount, the conversion and the split).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct UsageLine<AssetKind> {
	/// The payment asset.
	pub asset: AssetKind,
	/// The seekers' tier (commitment) discount when they settled.
	pub tier_discount: Permill,
	/// The fee regime they settled under: the block the fee parameters in force were enacted
	/// at (0: since genesis; the fees pallet's `ParamsHistory` has each change).
	pub regime: u32,
	/// Served receipts settled.
	pub receipts: u64,
	/// Their units, kind by kind.
	pub units: Units,
	/// Their list prices, summed, in the pricing unit.
	pub list: u128,
	/// What they paid after the discount, in the pricing unit.
	pub net_pricing: u128,
	/// What they paid, in the asset.
	pub net: u128,
	/// Where it went, in the asset: the legs sum to `net`.
	pub legs: Legs,
}

impl<AssetKind> UsageLine<AssetKind> {
	/// An empty line.
	pub fn new(asset: AssetKind, tier_discount: Permill, regime: u32) -> Self {
		Self {
			asset,
			tier_discount,
			regime,
			receipts: 0,
			units: Units::default(),
			list: 0,
			net_pricing: 0,
			net: 0,
			legs: Legs::default(),
		}
	}

	/// Adds one settled receipt of `units` priced `p` (saturating: a statistic).
	pub fn add(&mut self, units: &Units, p: &Priced) {
		self.receipts = self.receipts.saturating_add(1);
		self.units.accrue(units);
		self.list = self.list.saturating_add(p.list);
		self.net_pricing = self.net_pricing.saturating_add(p.net_pricing);
		self.net = self.net.saturating_add(p.net);
		self.legs.accrue(&p.legs);
	}

	/// Adds another line of the same asset, tier discount and regime (saturating).
	pub fn merge(&mut self, o: &UsageLine<AssetKind>) {
		self.receipts = self.receipts.saturating_add(o.receipts);
		self.units.accrue(&o.units);
		self.list = self.list.saturating_add(o.list);
		self.net_pricing = self.net_pricing.saturating_add(o.net_pricing);
		self.net = self.net.saturating_add(o.net);
		self.legs.accrue(&o.legs);
	}

	/// What was charged, as a price.
	pub fn actual(&self) -> Priced {
		Priced { list: self.list, net_pricing: self.net_pricing, net: self.net, legs: self.legs }
	}
}

/// One line of a replayed day: what was charged and what the proposal would have charged.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ReplayedLine<AssetKind> {
	/// The day's line as settled.
	pub line: UsageLine<AssetKind>,
	/// The combined discount the line gets under the proposal.
	pub discount: Perbill,
	/// The line re-priced under the proposal.
	pub replayed: Priced,
}

/// A day's totals in one asset, as settled and as replayed.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ReplayTotals<AssetKind> {
	/// The payment asset.
	pub asset: AssetKind,
	/// Served receipts.
	pub receipts: u64,
	/// As settled.
	pub actual: Priced,
	/// Under the proposal.
	pub replayed: Priced,
}

/// One day of a replay.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ReplayDay<AssetKind> {
	/// The day (`time_ms / DAY_MS`).
	pub day: u32,
	/// Served receipts the day's history could not file (its lines were full): settled, but
	/// in no line.
	pub unbooked: u64,
	/// Its lines.
	pub lines: Vec<ReplayedLine<AssetKind>>,
	/// Its totals per asset, in order of first appearance.
	pub per_asset: Vec<ReplayTotals<AssetKind>>,
}

/// The settled usage of a window of days re-priced under proposed fee parameters.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Replay<AssetKind> {
	/// Today (`now_ms / DAY_MS`); the window is `from ..= today`.
	pub today: u32,
	/// The window's first day.
	pub from: u32,
	/// The days of the window with settled usage, oldest first.
	pub days: Vec<ReplayDay<AssetKind>>,
	/// The window's totals per asset, in order of first appearance.
	pub total: Vec<ReplayTotals<AssetKind>>,
}

/// Why a replay cannot be computed.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum ReplayError {
	/// The proposed fee parameters break a hard bound.
	InvalidParams(ParamsError),
	/// The window is empty or longer than the history kept (`UsageHistoryDays`).
	WindowOutOfRange,
	/// A day's sums overflowed `u128` (the window's totals: the last day's number).
	Overflow {
		/// The day.
		day: u32,
	},
}
