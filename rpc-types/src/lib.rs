//! The JSON answers of the node's `nexus_*` RPC methods, shared by the node (which builds them
//! from runtime API answers) and by clients (which parse them), so both sides use one definition.
//!
//! Conventions (see `docs/rpc.md`): amounts (`u128`) are decimal strings, so a JavaScript
//! `number` never rounds them; counts and ids are numbers; ratios are integers in parts per
//! billion; accounts are SS58 (prefix 42); assets are `"NXV"`, `"USDN"` or an asset id as a
//! decimal string. Field names are camelCase.

#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

/// Block numbers on Nexus Vault.
pub type BlockNumber = u32;

/// Parses an amount answered as a decimal string.
pub fn parse_amount(s: &str) -> Option<u128> {
	s.parse().ok()
}

/// The stable error codes of `nexus_*` (9000–9099; Substrate's own RPCs use 1000–7999).
pub mod codes {
	/// `at` names a block this node does not have.
	pub const UNKNOWN_BLOCK: i32 = 9001;
	/// An account parameter is neither SS58 nor 0x-hex of 32 bytes.
	pub const INVALID_ACCOUNT: i32 = 9002;
	/// An asset parameter is not `NXV`, `USDN` or an asset id.
	pub const INVALID_ASSET: i32 = 9003;
	/// A page `limit` above the maximum page size (or zero).
	pub const INVALID_PAGE: i32 = 9004;
	/// A capsule filter with an unknown lane or status.
	pub const INVALID_FILTER: i32 = 9005;
	/// No capsule with that id.
	pub const UNKNOWN_CAPSULE: i32 = 9010;
	/// No session with that id (never opened, or released).
	pub const UNKNOWN_SESSION: i32 = 9011;
	/// A what-if workload that cannot be priced as given: no lines, more than
	/// [`MAX_WORKLOAD_LINES`](super::MAX_WORKLOAD_LINES), or a tier past the top of the table
	/// (`data.line` names the line).
	pub const INVALID_WORKLOAD: i32 = 9006;
	/// Proposed fee parameters that break a hard bound; `data.reason` names the check and
	/// `data.bound` the bound (ppb) where there is one.
	pub const INVALID_FEE_PARAMETERS: i32 = 9007;
	/// Prompt-cache units quoted at a block whose runtime cannot price them (its
	/// `MeteringApi` is older than version 3).
	pub const CACHE_UNITS_UNSUPPORTED: i32 = 9008;
	/// A replay window of zero days or longer than the usage history the runtime keeps
	/// (`data.maxDays`).
	pub const INVALID_WINDOW: i32 = 9009;
	/// No sequence of fee changes reaches the proposal: it is what is in force
	/// (`data.reason` `Unchanged`), or it would take more changes than a plan holds
	/// (`TooManySteps`; `ZeroStep` if the runtime allowed no move at all).
	pub const NO_FEE_PATH: i32 = 9012;
	/// The runtime at this block predates the method (its runtime API is older than
	/// `data.needs`).
	pub const API_UNSUPPORTED: i32 = 9013;
	/// The runtime refuses to price the request; `data.reason` names why (`RejectReason`), and
	/// for a simulation `data.line` names the line.
	pub const QUOTE_REJECTED: i32 = 9020;
	/// The runtime API call itself failed (for example a pruned block's state).
	pub const RUNTIME_ERROR: i32 = 9050;
}

/// What `nexus_quote` answers: the runtime's `MeteringApi_quote`, the breakdown settlement
/// charges with.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
	/// The seeker priced for (its tier's discount applies).
	pub seeker: String,
	/// The capsule.
	pub capsule: u64,
	/// Metered input units.
	pub input_units: u64,
	/// Metered output units.
	pub output_units: u64,
	/// Metered prompt-cache-read units.
	pub cache_read_units: u64,
	/// Metered prompt-cache-write units.
	pub cache_write_units: u64,
	/// The payment asset.
	pub asset: String,
	/// List price in the pricing unit (USDN micro-units).
	pub list: String,
	/// Discount for paying in this asset (ppb).
	pub asset_discount: u32,
	/// Commitment discount of the seeker's tier (ppb).
	pub tier_discount: u32,
	/// Combined discount applied, capped (ppb).
	pub discount: u32,
	/// Net in the pricing unit.
	pub net_pricing: String,
	/// Net in the payment asset: what the seeker is debited.
	pub net: String,
	/// Where `net` goes, in the payment asset; the legs sum to `net`.
	pub legs: Legs,
}

/// The most lines `nexus_simulate` prices (the runtime's `MAX_WORKLOAD_LINES`).
pub const MAX_WORKLOAD_LINES: usize = 32;

/// Proposed fee parameters for `nexus_simulate`, every ratio in parts per billion (the
/// fields of `nexus_feeParameters` that governance sets).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProposedFeeParameters {
	/// Protocol take of each payment.
	pub take_rate: u32,
	/// Treasury's share of the take.
	pub treasury_share: u32,
	/// Buyback/rebates share of the take.
	pub buyback_share: u32,
	/// Validators' share of the take.
	pub validators_share: u32,
	/// Reserve's share of the take.
	pub reserve_share: u32,
	/// Discount for paying in NXV.
	pub nxv_discount: u32,
	/// Cap on the combined discount.
	pub max_discount: u32,
}

/// One line of a `nexus_simulate` workload: `requests` requests of `inputUnits`/`outputUnits`
/// on `capsule` by seekers in tier `tier` (index into the tier table) paying in `asset`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadLine {
	/// The capsule.
	pub capsule: u64,
	/// The seekers' tier index (0 is the entry tier).
	pub tier: u8,
	/// The payment asset (`"NXV"`, `"USDN"` or an id).
	pub asset: String,
	/// Input units per request.
	pub input_units: u64,
	/// Output units per request.
	pub output_units: u64,
	/// How many requests.
	pub requests: u32,
}

/// The price of one request in a simulation (a `Quote` without the seeker).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RequestPrice {
	/// List price in the pricing unit.
	pub list: String,
	/// Discount for the payment asset (ppb).
	pub asset_discount: u32,
	/// Commitment discount of the tier (ppb).
	pub tier_discount: u32,
	/// Combined discount applied, capped (ppb).
	pub discount: u32,
	/// Net in the pricing unit.
	pub net_pricing: String,
	/// Net in the payment asset.
	pub net: String,
	/// Where `net` goes, in the payment asset.
	pub legs: Legs,
}

/// Sums over simulated requests in one asset.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedTotals {
	/// The payment asset.
	pub asset: String,
	/// Requests priced.
	pub requests: u64,
	/// List price in the pricing unit.
	pub list: String,
	/// Net in the pricing unit.
	pub net_pricing: String,
	/// Net in the payment asset: the seekers' cost.
	pub net: String,
	/// Where it goes: the providers' income and each pot's inflow.
	pub legs: Legs,
}

/// One priced workload line.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedLine {
	/// The line as given.
	pub line: WorkloadLine,
	/// The price of each request.
	pub per_request: RequestPrice,
	/// The line's totals (per request × requests).
	pub total: SimulatedTotals,
}

/// What `nexus_simulate` answers: the runtime's `MeteringApi_simulate`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
	/// The parameters priced under.
	pub params: ProposedFeeParameters,
	/// Every line, in the order given.
	pub lines: Vec<SimulatedLine>,
	/// Totals per payment asset, in order of first appearance.
	pub per_asset: Vec<SimulatedTotals>,
}

/// The split of one payment.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Legs {
	/// To the provider (the majority).
	pub provider: String,
	/// To the treasury.
	pub treasury: String,
	/// To the buyback/rebates pot.
	pub buyback: String,
	/// To the validators' reward pot.
	pub validators: String,
	/// To the reserve.
	pub reserve: String,
}

/// A capsule's prices per 1,000 units of each kind.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Price {
	/// Per 1,000 input units, in the pricing unit.
	pub per1k_input: String,
	/// Per 1,000 output units, in the pricing unit.
	pub per1k_output: String,
	/// Per 1,000 input units read from the prompt cache, in the pricing unit.
	pub per1k_cache_read: String,
	/// Per 1,000 input units written to the prompt cache, in the pricing unit.
	pub per1k_cache_write: String,
	/// For an announced price: the block it takes effect at.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub effective_at: Option<BlockNumber>,
}

/// An offering as `nexus_offerings` answers it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Offering {
	/// The offering id (slug) capsules list under.
	pub id: String,
	/// Whether its terms permit resale.
	pub resale_permitted: bool,
	/// Model ids that name it (governance-curated): a gateway routes a request for any of them
	/// to the offering's capsules.
	pub aliases: Vec<String>,
}

/// A capsule as `nexus_capsule` and `nexus_capsules` answer it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Capsule {
	/// Id.
	pub id: u64,
	/// The provider.
	pub owner: String,
	/// The upstream offering (slug).
	pub offering: String,
	/// `standard` or `premium`.
	pub lane: String,
	/// The price in force at the block read.
	pub price: Price,
	/// An announced price not yet in force.
	pub pending_price: Option<Price>,
	/// Metered units per quota window.
	pub capacity: u64,
	/// `hour`, `day` or `week`.
	pub window: String,
	/// Requests served at once.
	pub concurrency: u32,
	/// Region slug.
	pub region: String,
	/// Hash of the endpoint and credential the gateway holds (0x-hex).
	pub endpoint_commitment: String,
	/// Free-form metadata (0x-hex).
	pub metadata: String,
	/// `active`, `paused`, `suspended` or `retired` (the status routing uses).
	pub status: String,
	/// For a retired capsule: the block its bond is released at.
	pub bond_release_at: Option<BlockNumber>,
	/// NXV bond held.
	pub bond: String,
	/// NXV metadata deposit held.
	pub deposit: String,
	/// Trust (ppb).
	pub trust: u32,
	/// Latest reported uptime (ppb).
	pub uptime: u32,
}

/// The filter of `nexus_capsules`: every field given must match.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapsuleQuery {
	/// `standard` or `premium`.
	pub lane: Option<String>,
	/// An offering slug.
	pub offering: Option<String>,
	/// `active`, `paused`, `suspended` or `retired`.
	pub status: Option<String>,
	/// The provider (SS58 or 0x-hex).
	pub owner: Option<String>,
}

/// One page of `nexus_capsules`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CapsulePage {
	/// Matching capsules in id order (possibly fewer than `limit`, even none, while `next` is
	/// set).
	pub capsules: Vec<Capsule>,
	/// Pass as `from` for the next page; `null` when every id has been looked at.
	pub next: Option<u64>,
}

/// What a tier grants.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TierParams {
	/// Index in the tier table (0 is the entry tier).
	pub index: u8,
	/// NXV stake that reaches it.
	pub threshold: String,
	/// Metered units per hour the gateway lets the seeker use.
	pub rate_limit: u64,
	/// Whether premium lanes are open.
	pub premium_lanes: bool,
	/// Failover priority (higher first when capacity is short).
	pub failover_priority: u8,
	/// Commitment discount (ppb).
	pub commitment_discount: u32,
}

/// Stake on its way out.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Unlocking {
	/// NXV.
	pub amount: String,
	/// The block from which `withdrawUnbonded` frees it.
	pub unlock_at: BlockNumber,
}

/// A provider's reward multiplier and its inputs.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderBoost {
	/// Active provider stake (NXV).
	pub stake: String,
	/// Average trust over the provider's capsules that are not retired (ppb).
	pub trust: u32,
	/// Average uptime over the same capsules (ppb).
	pub uptime: u32,
	/// Whether payouts are taken in NXV.
	pub nxv_payouts: bool,
	/// The multiplier, as a decimal string (for example `"1.25"`).
	pub multiplier: String,
}

/// What `nexus_tier` answers for an account.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
	/// The account.
	pub account: String,
	/// The tier its active seeker stake reaches, and what it grants.
	pub tier: TierParams,
	/// Seeker stake counting towards the tier (NXV).
	pub active: String,
	/// Unstaked parts still held.
	pub unlocking: Vec<Unlocking>,
	/// The next tier's threshold, if there is one.
	pub next_threshold: Option<String>,
	/// The account as a provider: stake, trust, uptime and the emission multiplier.
	pub provider: ProviderBoost,
}

/// A metering session.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Session {
	/// Id.
	pub id: u64,
	/// The seeker.
	pub seeker: String,
	/// The gateway allowed to charge it.
	pub gateway: u32,
	/// The payment asset.
	pub asset: String,
	/// Most it may be charged.
	pub cap: String,
	/// Charged so far.
	pub spent: String,
	/// `cap - spent`.
	pub remaining: String,
	/// Block after which it accepts no new usage.
	pub expires_at: BlockNumber,
	/// Set once closed: the block and the last sequence number the seeker accepts.
	pub closed: Option<SessionClosed>,
	/// Block from which its unspent cap returns to free escrow.
	pub release_at: BlockNumber,
	/// Highest receipt sequence settled.
	pub last_seq: u64,
	/// Anti-spam deposit held (NXV).
	pub deposit: String,
}

/// When and where a session was closed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SessionClosed {
	/// The block it was closed at.
	pub at: BlockNumber,
	/// The last sequence number still accepted.
	pub last_seq: u64,
}

/// A seeker's escrow in one asset.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Escrow {
	/// The asset.
	pub asset: String,
	/// Free to open sessions with or withdraw.
	pub free: String,
	/// Committed to open sessions' unspent caps.
	pub committed: String,
}

/// The fee parameters in force, their bounds, and the NXV price used for NXV payments.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FeeParameters {
	/// Protocol take of each payment (ppb).
	pub take_rate: u32,
	/// Treasury's share of the take (ppb).
	pub treasury_share: u32,
	/// Buyback/rebates share of the take (ppb).
	pub buyback_share: u32,
	/// Validators' share of the take (ppb).
	pub validators_share: u32,
	/// Reserve's share of the take (ppb).
	pub reserve_share: u32,
	/// Discount for paying in NXV (ppb).
	pub nxv_discount: u32,
	/// Cap on the combined discount (ppb).
	pub max_discount: u32,
	/// Hard upper bound of `takeRate` (ppb).
	pub max_take_rate: u32,
	/// Hard upper bound of `maxDiscount` (ppb).
	pub max_combined_discount: u32,
	/// Most any parameter may move in one change (ppb).
	pub max_step: u32,
	/// Blocks between two changes.
	pub change_cooldown: BlockNumber,
	/// First block a change may be enacted at.
	pub next_change_at: BlockNumber,
	/// The NXV price in pricing units per NXV, if set.
	pub nxv_price: Option<String>,
	/// The block the price was set at.
	pub nxv_price_set_at: Option<BlockNumber>,
	/// The block the price goes stale at (NXV payments are refused once it is).
	pub nxv_price_stale_at: Option<BlockNumber>,
	/// Whether the price is stale now.
	pub nxv_price_stale: bool,
}

/// The reserve.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReserveStatus {
	/// The reserve's account.
	pub account: String,
	/// What it holds, per asset.
	pub holdings: Vec<AssetAmount>,
	/// Its value in the pricing unit.
	pub value: String,
	/// Settled volume over the trailing window, in the pricing unit.
	pub trailing_volume: String,
	/// `value / trailingVolume` in parts per million (`null` with no volume).
	pub coverage_ppm: Option<String>,
	/// The coverage it aims for (ppb).
	pub target_coverage: u32,
	/// The floor it keeps whatever the volume (pricing unit).
	pub min_reserve: String,
	/// The value it aims for now (pricing unit).
	pub target_value: String,
	/// Value above the target, swept to the treasury (pricing unit).
	pub overflow: String,
	/// Refunds paid out, per asset.
	pub paid: Vec<AssetAmount>,
	/// Overflow swept, per asset.
	pub swept: Vec<AssetAmount>,
}

/// An amount of one asset.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssetAmount {
	/// The asset.
	pub asset: String,
	/// The amount.
	pub amount: String,
}

/// Where the NXV supply is (all NXV planck).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Supply {
	/// Total issuance.
	pub total: String,
	/// Free and transferable in ordinary accounts.
	pub circulating: String,
	/// Locked by vesting schedules.
	pub vesting: String,
	/// Bonded by validators and nominators.
	pub bonded: String,
	/// Held by the marketplace (tier stakes, capsule bonds, deposits).
	pub marketplace_held: String,
	/// The milestone-emissions pool.
	pub emissions_pool: String,
	/// The treasury.
	pub treasury: String,
	/// The validators' reward pot.
	pub reward_pot: String,
	/// The liquidity reserve.
	pub liquidity_reserve: String,
	/// Settlement pots (escrow, buyback, reserve).
	pub settlement_pots: String,
	/// NXV in exchange pools.
	pub liquidity_pools: String,
}

/// Settlement flows in one payment asset.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Flows {
	/// The payment asset.
	pub asset: String,
	/// Receipts settled.
	pub receipts: u64,
	/// Volume in the pricing unit.
	pub volume: String,
	/// Charged, in the asset (the sum of the legs).
	pub net: String,
	/// To providers.
	pub provider: String,
	/// To the treasury.
	pub treasury: String,
	/// To the buyback/rebates pot.
	pub buyback: String,
	/// To the validators' reward pot.
	pub validators: String,
	/// To the reserve.
	pub reserve: String,
	/// Refunded by rollbacks and disputes.
	pub refunded: String,
}

/// Units by kind.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UnitCounts {
	/// Plain input units.
	pub input: u64,
	/// Output units.
	pub output: u64,
	/// Input units read from a prompt cache.
	pub cache_read: u64,
	/// Input units written to a prompt cache.
	pub cache_write: u64,
}

/// What a set of requests paid (or would pay): list and net in the pricing unit, net in the
/// payment asset, and where it goes.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Priced {
	/// List price in the pricing unit.
	pub list: String,
	/// Net after the discount, in the pricing unit.
	pub net_pricing: String,
	/// Net in the payment asset.
	pub net: String,
	/// Where `net` goes, in the payment asset.
	pub legs: Legs,
}

/// One line of a replayed day: the served receipts of one payment asset by seekers with one
/// tier discount, as settled and as re-priced under the proposal.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReplayLine {
	/// The payment asset.
	pub asset: String,
	/// The seekers' tier discount when they settled (ppb).
	pub tier_discount: u32,
	/// The fee regime they settled under: the block the parameters then in force were
	/// enacted at (0: since genesis; see `nexus_feeChanges`).
	pub regime: BlockNumber,
	/// Served receipts.
	pub receipts: u64,
	/// Their units.
	pub units: UnitCounts,
	/// The combined discount under the proposal (ppb).
	pub discount: u32,
	/// As settled.
	pub actual: Priced,
	/// Under the proposal.
	pub replayed: Priced,
}

/// Totals of one asset, as settled and as replayed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReplayTotals {
	/// The payment asset.
	pub asset: String,
	/// Served receipts.
	pub receipts: u64,
	/// As settled.
	pub actual: Priced,
	/// Under the proposal.
	pub replayed: Priced,
}

/// One day of a replay.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReplayDay {
	/// UTC days since 1970-01-01 of chain time.
	pub day: u32,
	/// Served receipts settled that day that its history could not file (the day's lines
	/// were full).
	pub unbooked_receipts: u64,
	/// Its lines.
	pub lines: Vec<ReplayLine>,
	/// Its totals per asset.
	pub per_asset: Vec<ReplayTotals>,
}

/// What `nexus_replay` answers: the runtime's `MeteringApi_replay`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
	/// The parameters replayed under.
	pub params: ProposedFeeParameters,
	/// Today (UTC days since 1970-01-01 of chain time); the window is `from ..= today`.
	pub today: u32,
	/// The window's first day.
	pub from: u32,
	/// The days of the window with settled usage, oldest first.
	pub days: Vec<ReplayDay>,
	/// The window's totals per asset.
	pub total: Vec<ReplayTotals>,
}

/// One change of a planned sequence of fee changes.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FeeStep {
	/// The parameters this change enacts (ppb).
	pub params: ProposedFeeParameters,
	/// The first block it may be enacted at.
	pub enactable_from: BlockNumber,
}

/// What `nexus_feePath` answers: the runtime's `FeesApi_fee_path`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FeePath {
	/// The changes, in order; the last enacts the proposal.
	pub steps: Vec<FeeStep>,
	/// The most any field may move in one change (ppb).
	pub max_step: u32,
	/// Blocks between two changes.
	pub change_cooldown: BlockNumber,
}

/// An enacted change of the fee parameters (`nexus_feeChanges`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FeeChange {
	/// The block it was enacted at.
	pub at: BlockNumber,
	/// The parameters before (ppb).
	pub old: ProposedFeeParameters,
	/// The parameters after (ppb).
	pub new: ProposedFeeParameters,
}
