//! `nexus_*`: the marketplace's JSON-RPC methods.
//!
//! The runtime APIs (`CapsulesApi`, `TiersApi`, `MeteringApi`, `FeesApi`, `ReserveApi`,
//! `SupplyApi`) are the source of truth; each method here is one call into them (two for
//! `nexus_tier`) at the block named by the optional parameter `at` (the best block when
//! absent; last but for `nexus_quote`'s prompt-cache units), with the SCALE answer turned into JSON
//! for clients that do not decode SCALE. Nothing is computed here: the quote is the runtime's own
//! `MeteringApi_quote`, the one settlement charges with.
//!
//! JSON conventions (see `docs/rpc.md`):
//! - amounts (`u128`: NXV planck, USDN micro-units, pricing units) are decimal **strings**, so a
//!   JavaScript `number` never rounds them; counts and ids (`u32`, `u64`) are numbers;
//! - ratios (`Perbill`, `Permill`) are integers in **parts per billion** (15 % = 150000000);
//! - accounts are answered in SS58 (prefix 42) and accepted as SS58 of any prefix or as 0x-hex of
//!   32 bytes;
//! - assets are `"NXV"`, `"USDN"`, or another asset id as a decimal string.
//!
//! Every method does bounded work, so the namespace is safe to expose on a public RPC node: a
//! capsule page looks at no more than [`pallet_capsules::runtime_api::MAX_SCAN`] ids and returns
//! at most [`pallet_capsules::runtime_api::MAX_PAGE`] capsules (a larger `limit` is refused, not
//! clamped); a seeker's sessions are bounded by `MaxSessionsPerSeeker`; flows read a bounded ring
//! of buckets.
//!
//! Errors are JSON-RPC errors with the stable codes in [`codes`].

// `nexus_quote` takes its optional prompt-cache units after `at` (appended, so that existing
// callers are unchanged): more parameters than clippy's default allows.
#![allow(clippy::too_many_arguments)]

use std::{fmt::Display, sync::Arc};

use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::ErrorObjectOwned};
use nexus_primitives::receipts::Units;
use nexus_runtime::{
	configs::assets::{AssetKind, USDN_ID},
	opaque::Block,
	supply::{SupplyApi, SupplyBreakdown},
	AccountId, Balance, BlockNumber,
};
use pallet_capsules::{
	runtime_api::{CapsuleFilter, CapsuleInfo, CapsulesApi, StatusFilter, MAX_PAGE},
	CapsuleStatus, Lane, QuotaWindow,
};
use pallet_fees::runtime_api::FeesApi;
use pallet_metering::{runtime_api::MeteringApi, RejectReason};
use pallet_reserve::runtime_api::ReserveApi;
use pallet_tiers::runtime_api::TiersApi;
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::{
	crypto::{Ss58AddressFormat, Ss58Codec},
	H256,
};
use sp_runtime::{
	traits::Block as BlockT, FixedPointNumber, FixedU128, PerThing, Perbill, Permill,
};

pub use nexus_rpc_types::{
	codes, AssetAmount, Capsule, CapsulePage, CapsuleQuery, Escrow, FeeParameters, Flows, Legs,
	Offering, Price, ProposedFeeParameters, ProviderBoost, Quote, RequestPrice, ReserveStatus,
	Session, SessionClosed, SimulatedLine, SimulatedTotals, Simulation, Supply, Tier, TierParams,
	Unlocking, WorkloadLine,
};
use nexus_rpc_types::{
	FeeChange, FeePath, FeeStep, Priced, Replay, ReplayDay, ReplayLine, ReplayTotals, UnitCounts,
};

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

fn runtime_error(e: impl Display) -> ErrorObjectOwned {
	error(codes::RUNTIME_ERROR, format!("runtime API call failed: {e}"))
}

/// An amount as a decimal string.
fn amount(v: u128) -> String {
	v.to_string()
}

/// A `Perbill` in parts per billion.
fn ppb(p: Perbill) -> u32 {
	p.deconstruct()
}

/// A `Permill` in parts per billion (exact: 1 ppm = 1,000 ppb).
fn ppb_m(p: Permill) -> u32 {
	p.deconstruct().saturating_mul(1_000)
}

/// An account in SS58 with the chain's prefix.
fn ss58(a: &AccountId) -> String {
	a.to_ss58check_with_version(Ss58AddressFormat::custom(nexus_primitives::token::SS58_PREFIX))
}

/// Bytes that are normally text (offering slugs, regions) as text.
fn text(v: &[u8]) -> String {
	String::from_utf8_lossy(v).into_owned()
}

fn hex(v: &[u8]) -> String {
	format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&v))
}

/// Parses an account given as SS58 (any prefix) or 0x-hex of 32 bytes.
pub fn parse_account(s: &str) -> Result<AccountId, ErrorObjectOwned> {
	let bad = |why: &str| {
		error(
			codes::INVALID_ACCOUNT,
			format!("invalid account {s:?}: {why} (expected SS58, or 0x and 64 hex digits)"),
		)
	};
	if s.starts_with("0x") {
		let bytes = sp_core::bytes::from_hex(s).map_err(|_| bad("not hex"))?;
		let raw: [u8; 32] = bytes.try_into().map_err(|_| bad("not 32 bytes"))?;
		return Ok(AccountId::new(raw));
	}
	AccountId::from_ss58check_with_version(s)
		.map(|(account, _)| account)
		.map_err(|e| bad(&e.to_string()))
}

/// Parses `NXV`, `USDN` (any case) or an asset id.
pub fn parse_asset(s: &str) -> Result<AssetKind, ErrorObjectOwned> {
	match s.to_ascii_uppercase().as_str() {
		"NXV" => Ok(AssetKind::Native),
		"USDN" => Ok(AssetKind::WithId(USDN_ID)),
		other => other.parse::<u32>().map(AssetKind::WithId).map_err(|_| {
			error(
				codes::INVALID_ASSET,
				format!("invalid asset {s:?} (expected \"NXV\", \"USDN\" or an asset id)"),
			)
		}),
	}
}

/// An asset's name in answers.
pub fn asset_name(a: &AssetKind) -> String {
	match a {
		AssetKind::Native => "NXV".into(),
		AssetKind::WithId(USDN_ID) => "USDN".into(),
		AssetKind::WithId(id) => id.to_string(),
	}
}

fn legs(l: &nexus_primitives::settlement::Legs) -> Legs {
	Legs {
		provider: amount(l.provider),
		treasury: amount(l.treasury),
		buyback: amount(l.buyback),
		validators: amount(l.validators),
		reserve: amount(l.reserve),
	}
}

fn lane_name(l: Lane) -> &'static str {
	match l {
		Lane::Standard => "standard",
		Lane::Premium => "premium",
	}
}

fn price(p: &pallet_capsules::Price<Balance>, effective_at: Option<BlockNumber>) -> Price {
	Price {
		per1k_input: amount(p.per_1k_input),
		per1k_output: amount(p.per_1k_output),
		per1k_cache_read: amount(p.per_1k_cache_read),
		per1k_cache_write: amount(p.per_1k_cache_write),
		effective_at,
	}
}

fn capsule(c: CapsuleInfo<AccountId, Balance, BlockNumber>) -> Capsule {
	let (status, bond_release_at) = match c.status {
		CapsuleStatus::Active => ("active", None),
		CapsuleStatus::Paused => ("paused", None),
		CapsuleStatus::Suspended => ("suspended", None),
		CapsuleStatus::Retired { bond_release_at } => ("retired", Some(bond_release_at)),
	};
	Capsule {
		id: c.id,
		owner: ss58(&c.owner),
		offering: text(&c.offering),
		lane: lane_name(c.lane).into(),
		price: price(&c.price, None),
		pending_price: c.pending_price.map(|p| price(&p.price, Some(p.effective_at))),
		capacity: c.capacity,
		window: match c.window {
			QuotaWindow::Hour => "hour",
			QuotaWindow::Day => "day",
			QuotaWindow::Week => "week",
		}
		.into(),
		concurrency: c.concurrency,
		region: text(&c.region),
		endpoint_commitment: hex(c.endpoint_commitment.as_bytes()),
		metadata: hex(&c.metadata),
		status: status.into(),
		bond_release_at,
		bond: amount(c.bond),
		deposit: amount(c.deposit),
		trust: ppb_m(c.trust),
		uptime: ppb_m(c.uptime),
	}
}

fn filter(q: CapsuleQuery) -> Result<CapsuleFilter<AccountId>, ErrorObjectOwned> {
	let lane = match q.lane.as_deref() {
		None => None,
		Some("standard") => Some(Lane::Standard),
		Some("premium") => Some(Lane::Premium),
		Some(other) => Err(error(
			codes::INVALID_FILTER,
			format!("unknown lane {other:?} (expected \"standard\" or \"premium\")"),
		))?,
	};
	let status = match q.status.as_deref() {
		None => None,
		Some("active") => Some(StatusFilter::Active),
		Some("paused") => Some(StatusFilter::Paused),
		Some("suspended") => Some(StatusFilter::Suspended),
		Some("retired") => Some(StatusFilter::Retired),
		Some(other) => Err(error(
			codes::INVALID_FILTER,
			format!(
				"unknown status {other:?} (expected \"active\", \"paused\", \"suspended\" or \
				 \"retired\")"
			),
		))?,
	};
	Ok(CapsuleFilter {
		lane,
		offering: q.offering.map(String::into_bytes),
		status,
		owner: q.owner.as_deref().map(parse_account).transpose()?,
	})
}

fn tier_params(index: u8, p: &pallet_tiers::TierParams<Balance>) -> TierParams {
	TierParams {
		index,
		threshold: amount(p.threshold),
		rate_limit: p.rate_limit,
		premium_lanes: p.premium_lanes,
		failover_priority: p.failover_priority,
		commitment_discount: ppb_m(p.commitment_discount),
	}
}

/// A `FixedU128` as a decimal string without trailing zeros.
fn fixed(f: FixedU128) -> String {
	let inner = f.into_inner();
	let div = FixedU128::DIV;
	let int = inner.checked_div(div).unwrap_or_default();
	let frac = inner.checked_rem(div).unwrap_or_default();
	if frac == 0 {
		return int.to_string();
	}
	let digits = format!("{frac:018}");
	format!("{int}.{}", digits.trim_end_matches('0'))
}

fn session(id: u64, s: pallet_metering::Session<AccountId, AssetKind, BlockNumber>) -> Session {
	Session {
		id,
		seeker: ss58(&s.seeker),
		gateway: s.gateway,
		asset: asset_name(&s.asset),
		cap: amount(s.cap),
		spent: amount(s.spent),
		remaining: amount(s.cap.saturating_sub(s.spent)),
		expires_at: s.expires_at,
		closed: s.closed.map(|(at, last_seq)| SessionClosed { at, last_seq }),
		release_at: s.release_at,
		last_seq: s.last_seq,
		deposit: amount(s.deposit),
	}
}

fn asset_amounts(v: Vec<(AssetKind, u128)>) -> Vec<AssetAmount> {
	v.into_iter()
		.map(|(a, x)| AssetAmount { asset: asset_name(&a), amount: amount(x) })
		.collect()
}

fn supply(s: SupplyBreakdown) -> Supply {
	Supply {
		total: amount(s.total),
		circulating: amount(s.circulating),
		vesting: amount(s.vesting),
		bonded: amount(s.bonded),
		marketplace_held: amount(s.marketplace_held),
		emissions_pool: amount(s.emissions_pool),
		treasury: amount(s.treasury),
		reward_pot: amount(s.reward_pot),
		liquidity_reserve: amount(s.liquidity_reserve),
		settlement_pots: amount(s.settlement_pots),
		liquidity_pools: amount(s.liquidity_pools),
	}
}

fn flows(v: Vec<(AssetKind, pallet_fees::FlowTotals)>) -> Vec<Flows> {
	v.into_iter()
		.map(|(a, t)| Flows {
			asset: asset_name(&a),
			receipts: t.receipts,
			volume: amount(t.volume),
			net: amount(t.net),
			provider: amount(t.provider),
			treasury: amount(t.treasury),
			buyback: amount(t.buyback),
			validators: amount(t.validators),
			reserve: amount(t.reserve),
			refunded: amount(t.refunded),
		})
		.collect()
}

/// Proposed parameters as the runtime's `FeeParams`; a ratio above 100 % is refused here (the
/// runtime checks the rest of the bounds).
fn proposed_params(
	p: &ProposedFeeParameters,
) -> Result<nexus_primitives::settlement::FeeParams, ErrorObjectOwned> {
	let ratio = |name: &str, v: u32| {
		if v > Perbill::ACCURACY {
			Err(ErrorObjectOwned::owned(
				codes::INVALID_FEE_PARAMETERS,
				format!("{name} is {v} ppb, above 100 % (1000000000 ppb)"),
				Some(
					serde_json::json!({ "reason": "RatioAboveOne", "field": name, "bound": Perbill::ACCURACY }),
				),
			))
		} else {
			Ok(Perbill::from_parts(v))
		}
	};
	Ok(nexus_primitives::settlement::FeeParams {
		take_rate: ratio("takeRate", p.take_rate)?,
		treasury_share: ratio("treasuryShare", p.treasury_share)?,
		buyback_share: ratio("buybackShare", p.buyback_share)?,
		validators_share: ratio("validatorsShare", p.validators_share)?,
		reserve_share: ratio("reserveShare", p.reserve_share)?,
		nxv_discount: ratio("nxvDiscount", p.nxv_discount)?,
		max_discount: ratio("maxDiscount", p.max_discount)?,
	})
}

/// Why proposed fee parameters are out of bounds, with the bound (ppb).
fn params_error(
	e: nexus_primitives::settlement::ParamsError,
	p: &ProposedFeeParameters,
) -> ErrorObjectOwned {
	use nexus_primitives::settlement::{bounds, ParamsError};
	let sum = u64::from(p.treasury_share) +
		u64::from(p.buyback_share) +
		u64::from(p.validators_share) +
		u64::from(p.reserve_share);
	let (message, bound) = match e {
		ParamsError::SharesDoNotSumToOne => (
			format!(
				"treasury, buyback, validators and reserve shares sum to {sum} ppb; they must sum \
				 to exactly 1000000000 (100 %)"
			),
			Perbill::ACCURACY,
		),
		ParamsError::TakeRateTooHigh => (
			format!(
				"take rate {} ppb is above its bound {} ppb",
				p.take_rate,
				bounds::MAX_TAKE_RATE.deconstruct()
			),
			bounds::MAX_TAKE_RATE.deconstruct(),
		),
		ParamsError::DiscountCapTooHigh => (
			format!(
				"maximum discount {} ppb is above its bound {} ppb",
				p.max_discount,
				bounds::MAX_COMBINED_DISCOUNT.deconstruct()
			),
			bounds::MAX_COMBINED_DISCOUNT.deconstruct(),
		),
		ParamsError::AssetDiscountAboveCap => (
			format!(
				"NXV discount {} ppb is above the maximum discount {} ppb",
				p.nxv_discount, p.max_discount
			),
			p.max_discount,
		),
	};
	ErrorObjectOwned::owned(
		codes::INVALID_FEE_PARAMETERS,
		message,
		Some(serde_json::json!({ "reason": format!("{e:?}"), "bound": bound })),
	)
}

fn simulated_totals(asset: &AssetKind, t: &pallet_metering::SimulatedTotals) -> SimulatedTotals {
	SimulatedTotals {
		asset: asset_name(asset),
		requests: t.requests,
		list: amount(t.list),
		net_pricing: amount(t.net_pricing),
		net: amount(t.net),
		legs: legs(&t.legs),
	}
}

fn reject_name(r: &RejectReason) -> String {
	// The variant name, e.g. `LaneNotAllowed` or `Conversion(PriceStale)`.
	format!("{r:?}")
}

/// The `nexus` namespace.
#[rpc(server, namespace = "nexus")]
pub trait NexusApi {
	/// What a request of `inputUnits`/`outputUnits` (and `cacheReadUnits`/`cacheWriteUnits`
	/// of prompt cache, default 0) on `capsule` would cost `seeker` when paid in `asset`
	/// (default USDN), and where the payment would go.
	#[method(name = "quote")]
	fn quote(
		&self,
		seeker: String,
		capsule: u64,
		input_units: u64,
		output_units: u64,
		asset: Option<String>,
		at: Option<H256>,
		cache_read_units: Option<u64>,
		cache_write_units: Option<u64>,
	) -> RpcResult<Quote>;

	/// One capsule.
	#[method(name = "capsule")]
	fn capsule(&self, id: u64, at: Option<H256>) -> RpcResult<Capsule>;

	/// A page of capsules matching `filter`, from id `from` (default 0), at most `limit`
	/// (default and maximum 100).
	#[method(name = "capsules")]
	fn capsules(
		&self,
		filter: Option<CapsuleQuery>,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<CapsulePage>;

	/// Every listed offering with its model aliases.
	#[method(name = "offerings")]
	fn offerings(&self, at: Option<H256>) -> RpcResult<Vec<Offering>>;

	/// An account's seeker tier (and its standing as a provider).
	#[method(name = "tier")]
	fn tier(&self, account: String, at: Option<H256>) -> RpcResult<Tier>;

	/// The tier table.
	#[method(name = "tierTable")]
	fn tier_table(&self, at: Option<H256>) -> RpcResult<Vec<TierParams>>;

	/// One metering session.
	#[method(name = "session")]
	fn session(&self, id: u64, at: Option<H256>) -> RpcResult<Session>;

	/// A seeker's sessions.
	#[method(name = "sessions")]
	fn sessions(&self, seeker: String, at: Option<H256>) -> RpcResult<Vec<Session>>;

	/// A seeker's escrow per asset.
	#[method(name = "escrow")]
	fn escrow(&self, account: String, at: Option<H256>) -> RpcResult<Vec<Escrow>>;

	/// The fee parameters in force and their bounds.
	#[method(name = "feeParameters")]
	fn fee_parameters(&self, at: Option<H256>) -> RpcResult<FeeParameters>;

	/// The reserve's holdings, value and coverage.
	#[method(name = "reserveStatus")]
	fn reserve_status(&self, at: Option<H256>) -> RpcResult<ReserveStatus>;

	/// Where the NXV supply is.
	#[method(name = "supply")]
	fn supply(&self, at: Option<H256>) -> RpcResult<Supply>;

	/// Settlement flows per payment asset: since block `since` (within the retained buckets), or
	/// since genesis when `since` is absent.
	#[method(name = "flows")]
	fn flows(&self, since: Option<BlockNumber>, at: Option<H256>) -> RpcResult<Vec<Flows>>;

	/// Prices a what-if `workload` under proposed fee parameters `params` through the runtime's
	/// `MeteringApi_simulate` (the function settlement charges with, at the block's capsule
	/// prices, tier table and NXV price): each line's per-request price and total, and totals
	/// per asset. Call it with today's `nexus_feeParameters` for the other side of a comparison.
	#[method(name = "simulate")]
	fn simulate(
		&self,
		params: ProposedFeeParameters,
		workload: Vec<WorkloadLine>,
		at: Option<H256>,
	) -> RpcResult<Simulation>;

	/// The served usage of the last `days` days (today included) as settled and re-priced
	/// under proposed fee parameters `params` through the runtime's `MeteringApi_replay` (the
	/// function settlement prices with): per day, per line (asset × tier discount) and per
	/// asset, with every leg, and the window's totals. Call it with today's
	/// `nexus_feeParameters` for what the rounding of one sum per line gives against what was
	/// charged receipt by receipt.
	#[method(name = "replay")]
	fn replay(
		&self,
		params: ProposedFeeParameters,
		days: u32,
		at: Option<H256>,
	) -> RpcResult<Replay>;

	/// The sequence of fee changes (referenda) that reaches `params` from the parameters in
	/// force, each within the per-change bound and a cooldown after the one before, through
	/// the runtime's `FeesApi_fee_path`.
	#[method(name = "feePath")]
	fn fee_path(&self, params: ProposedFeeParameters, at: Option<H256>) -> RpcResult<FeePath>;

	/// The last enacted changes of the fee parameters, oldest first, through the runtime's
	/// `FeesApi_fee_changes`: each the block it was enacted at (the regime of the usage lines
	/// `nexus_replay` answers), the parameters before and after.
	#[method(name = "feeChanges")]
	fn fee_changes(&self, at: Option<H256>) -> RpcResult<Vec<FeeChange>>;
}

fn unit_counts(u: &Units) -> UnitCounts {
	UnitCounts {
		input: u.input,
		output: u.output,
		cache_read: u.cache_read,
		cache_write: u.cache_write,
	}
}

fn priced(p: &nexus_primitives::settlement::Priced) -> Priced {
	Priced {
		list: amount(p.list),
		net_pricing: amount(p.net_pricing),
		net: amount(p.net),
		legs: legs(&p.legs),
	}
}

fn replay_totals(t: &pallet_metering::ReplayTotals<AssetKind>) -> ReplayTotals {
	ReplayTotals {
		asset: asset_name(&t.asset),
		receipts: t.receipts,
		actual: priced(&t.actual),
		replayed: priced(&t.replayed),
	}
}

/// The runtime's fee parameters as the RPC writes them (ppb).
fn params_ppb(p: &nexus_primitives::settlement::FeeParams) -> ProposedFeeParameters {
	ProposedFeeParameters {
		take_rate: ppb(p.take_rate),
		treasury_share: ppb(p.treasury_share),
		buyback_share: ppb(p.buyback_share),
		validators_share: ppb(p.validators_share),
		reserve_share: ppb(p.reserve_share),
		nxv_discount: ppb(p.nxv_discount),
		max_discount: ppb(p.max_discount),
	}
}

/// Refuses a method whose runtime API at `at` is older than `needs`.
fn require_version(version: Option<u32>, api: &str, needs: u32) -> Result<(), ErrorObjectOwned> {
	let have = version.unwrap_or(0);
	if have >= needs {
		return Ok(());
	}
	Err(ErrorObjectOwned::owned(
		codes::API_UNSUPPORTED,
		format!("the runtime at this block has {api} version {have}; this needs version {needs}"),
		Some(serde_json::json!({ "api": api, "version": have, "needs": needs })),
	))
}

/// The `nexus` RPC handler.
pub struct Nexus<C> {
	client: Arc<C>,
}

impl<C> Nexus<C> {
	/// A handler reading through `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> Nexus<C>
where
	C: HeaderBackend<Block>,
{
	/// The block to read at: `at`, which must be known, or the best block.
	fn at(&self, at: Option<H256>) -> Result<<Block as BlockT>::Hash, ErrorObjectOwned> {
		let Some(hash) = at else { return Ok(self.client.info().best_hash) };
		match self.client.header(hash) {
			Ok(Some(_)) => Ok(hash),
			Ok(None) => Err(error(codes::UNKNOWN_BLOCK, format!("unknown block {hash:?}"))),
			Err(e) => Err(runtime_error(e)),
		}
	}
}

impl<C> NexusApiServer for Nexus<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: CapsulesApi<Block, AccountId, Balance, BlockNumber>
		+ TiersApi<Block, AccountId, Balance, BlockNumber>
		+ MeteringApi<Block, AccountId, AssetKind, BlockNumber>
		+ FeesApi<Block, AssetKind, BlockNumber>
		+ ReserveApi<Block, AccountId, AssetKind>
		+ SupplyApi<Block>,
{
	// `quote_before_version_3` is the pre-v3 runtime's call, deprecated by the macro.
	#[allow(deprecated)]
	fn quote(
		&self,
		seeker: String,
		capsule: u64,
		input_units: u64,
		output_units: u64,
		asset: Option<String>,
		at: Option<H256>,
		cache_read_units: Option<u64>,
		cache_write_units: Option<u64>,
	) -> RpcResult<Quote> {
		let who = parse_account(&seeker)?;
		let asset = parse_asset(asset.as_deref().unwrap_or("USDN"))?;
		let at = self.at(at)?;
		let units = Units {
			input: input_units,
			output: output_units,
			cache_read: cache_read_units.unwrap_or(0),
			cache_write: cache_write_units.unwrap_or(0),
		};
		let api = self.client.runtime_api();
		let version = api
			.api_version::<dyn MeteringApi<Block, AccountId, AssetKind, BlockNumber>>(at)
			.map_err(runtime_error)?
			.unwrap_or(0);
		let quoted = if version >= 3 {
			api.quote(at, who.clone(), capsule, units, asset.clone())
		} else if units.cache_read == 0 && units.cache_write == 0 {
			// A runtime before prompt-cache prices (a block from before the upgrade).
			api.quote_before_version_3(
				at,
				who.clone(),
				capsule,
				units.input,
				units.output,
				asset.clone(),
			)
		} else {
			return Err(error(
				codes::CACHE_UNITS_UNSUPPORTED,
				format!(
					"the runtime at this block (MeteringApi version {version}) does not price \
					 prompt-cache units"
				),
			));
		};
		let q = quoted.map_err(runtime_error)?.map_err(|r| match r {
			RejectReason::UnknownCapsule =>
				error(codes::UNKNOWN_CAPSULE, format!("unknown capsule {capsule}")),
			r => ErrorObjectOwned::owned(
				codes::QUOTE_REJECTED,
				format!("quote rejected: {}", reject_name(&r)),
				Some(serde_json::json!({ "reason": reject_name(&r) })),
			),
		})?;
		Ok(Quote {
			seeker: ss58(&who),
			capsule,
			input_units,
			output_units,
			cache_read_units: units.cache_read,
			cache_write_units: units.cache_write,
			asset: asset_name(&asset),
			list: amount(q.list),
			asset_discount: ppb(q.asset_discount),
			tier_discount: ppb(q.tier_discount),
			discount: ppb(q.discount),
			net_pricing: amount(q.net_pricing),
			net: amount(q.net),
			legs: legs(&q.legs),
		})
	}

	fn capsule(&self, id: u64, at: Option<H256>) -> RpcResult<Capsule> {
		let at = self.at(at)?;
		let info = CapsulesApi::capsule(&*self.client.runtime_api(), at, id)
			.map_err(runtime_error)?
			.ok_or_else(|| error(codes::UNKNOWN_CAPSULE, format!("unknown capsule {id}")))?;
		Ok(capsule(info))
	}

	fn capsules(
		&self,
		filter: Option<CapsuleQuery>,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<CapsulePage> {
		let limit = limit.unwrap_or(MAX_PAGE);
		if limit == 0 || limit > MAX_PAGE {
			return Err(error(
				codes::INVALID_PAGE,
				format!("page limit {limit} is out of range: it must be 1 to {MAX_PAGE}"),
			));
		}
		let filter = self::filter(filter.unwrap_or_default())?;
		let at = self.at(at)?;
		let page = self
			.client
			.runtime_api()
			.capsules(at, filter, from.unwrap_or(0), limit)
			.map_err(runtime_error)?;
		Ok(CapsulePage {
			capsules: page.capsules.into_iter().map(capsule).collect(),
			next: page.next,
		})
	}

	fn tier(&self, account: String, at: Option<H256>) -> RpcResult<Tier> {
		let who = parse_account(&account)?;
		let at = self.at(at)?;
		let api = self.client.runtime_api();
		let t = api.tier_of(at, who.clone()).map_err(runtime_error)?;
		let b = api.provider_multiplier(at, who.clone()).map_err(runtime_error)?;
		Ok(Tier {
			account: ss58(&who),
			tier: tier_params(t.tier, &t.params),
			active: amount(t.active),
			unlocking: t
				.unlocking
				.iter()
				.map(|c| Unlocking { amount: amount(c.amount), unlock_at: c.unlock_at })
				.collect(),
			next_threshold: t.next_threshold.map(amount),
			provider: ProviderBoost {
				stake: amount(b.stake),
				trust: ppb_m(b.trust),
				uptime: ppb_m(b.uptime),
				nxv_payouts: b.nxv_payouts,
				multiplier: fixed(b.multiplier),
			},
		})
	}

	fn offerings(&self, at: Option<H256>) -> RpcResult<Vec<Offering>> {
		let at = self.at(at)?;
		let list =
			CapsulesApi::offerings(&*self.client.runtime_api(), at).map_err(runtime_error)?;
		Ok(list
			.into_iter()
			.map(|o| Offering {
				id: text(&o.id),
				resale_permitted: o.resale_permitted,
				aliases: o.aliases.iter().map(|a| text(a)).collect(),
			})
			.collect())
	}

	fn tier_table(&self, at: Option<H256>) -> RpcResult<Vec<TierParams>> {
		let at = self.at(at)?;
		let table = self.client.runtime_api().tier_table(at).map_err(runtime_error)?;
		Ok(table.iter().zip(0u8..=u8::MAX).map(|(p, i)| tier_params(i, p)).collect())
	}

	fn session(&self, id: u64, at: Option<H256>) -> RpcResult<Session> {
		let at = self.at(at)?;
		let s = MeteringApi::session(&*self.client.runtime_api(), at, id)
			.map_err(runtime_error)?
			.ok_or_else(|| error(codes::UNKNOWN_SESSION, format!("unknown session {id}")))?;
		Ok(session(id, s))
	}

	fn sessions(&self, seeker: String, at: Option<H256>) -> RpcResult<Vec<Session>> {
		let who = parse_account(&seeker)?;
		let at = self.at(at)?;
		let list = self.client.runtime_api().sessions_of(at, who).map_err(runtime_error)?;
		Ok(list.into_iter().map(|(id, s)| session(id, s)).collect())
	}

	fn escrow(&self, account: String, at: Option<H256>) -> RpcResult<Vec<Escrow>> {
		let who = parse_account(&account)?;
		let at = self.at(at)?;
		let ledgers =
			MeteringApi::escrow(&*self.client.runtime_api(), at, who).map_err(runtime_error)?;
		Ok(ledgers
			.into_iter()
			.map(|(a, l)| Escrow {
				asset: asset_name(&a),
				free: amount(l.free),
				committed: amount(l.committed),
			})
			.collect())
	}

	fn fee_parameters(&self, at: Option<H256>) -> RpcResult<FeeParameters> {
		let at = self.at(at)?;
		let api = self.client.runtime_api();
		let s = api.fee_parameters(at).map_err(runtime_error)?;
		let price = api.nxv_price(at).map_err(runtime_error)?;
		let p = s.params;
		Ok(FeeParameters {
			take_rate: ppb(p.take_rate),
			treasury_share: ppb(p.treasury_share),
			buyback_share: ppb(p.buyback_share),
			validators_share: ppb(p.validators_share),
			reserve_share: ppb(p.reserve_share),
			nxv_discount: ppb(p.nxv_discount),
			max_discount: ppb(p.max_discount),
			max_take_rate: ppb(s.max_take_rate),
			max_combined_discount: ppb(s.max_combined_discount),
			max_step: ppb(s.max_step),
			change_cooldown: s.change_cooldown,
			next_change_at: s.next_change_at,
			nxv_price: price.price.map(amount),
			nxv_price_set_at: price.set_at,
			nxv_price_stale_at: price.stale_at,
			nxv_price_stale: price.stale,
		})
	}

	fn reserve_status(&self, at: Option<H256>) -> RpcResult<ReserveStatus> {
		let at = self.at(at)?;
		let r = self.client.runtime_api().reserve_status(at).map_err(runtime_error)?;
		Ok(ReserveStatus {
			account: ss58(&r.account),
			holdings: asset_amounts(r.holdings),
			value: amount(r.value),
			trailing_volume: amount(r.trailing_volume),
			coverage_ppm: r.coverage_ppm.map(|c| c.to_string()),
			target_coverage: ppb(r.target_coverage),
			min_reserve: amount(r.min_reserve),
			target_value: amount(r.target_value),
			overflow: amount(r.overflow),
			paid: asset_amounts(r.paid),
			swept: asset_amounts(r.swept),
		})
	}

	fn supply(&self, at: Option<H256>) -> RpcResult<Supply> {
		let at = self.at(at)?;
		Ok(self::supply(SupplyApi::supply(&*self.client.runtime_api(), at).map_err(runtime_error)?))
	}

	fn flows(&self, since: Option<BlockNumber>, at: Option<H256>) -> RpcResult<Vec<Flows>> {
		let at = self.at(at)?;
		let api = self.client.runtime_api();
		let v = match since {
			Some(since) => FeesApi::flows(&*api, at, since),
			None => api.flow_totals(at),
		}
		.map_err(runtime_error)?;
		Ok(flows(v))
	}

	fn simulate(
		&self,
		params: ProposedFeeParameters,
		workload: Vec<WorkloadLine>,
		at: Option<H256>,
	) -> RpcResult<Simulation> {
		use pallet_metering::SimulationError;
		let proposed = proposed_params(&params)?;
		// Checked here too, before any line is parsed, so an oversized request is refused
		// without work; the runtime enforces the same bound.
		if workload.is_empty() || workload.len() > nexus_rpc_types::MAX_WORKLOAD_LINES {
			return Err(error(
				codes::INVALID_WORKLOAD,
				format!(
					"a workload has 1 to {} lines, not {}",
					nexus_rpc_types::MAX_WORKLOAD_LINES,
					workload.len()
				),
			));
		}
		let lines = workload
			.iter()
			.map(|w| {
				Ok(pallet_metering::WorkloadLine {
					capsule: w.capsule,
					tier: w.tier,
					asset: parse_asset(&w.asset)?,
					in_units: w.input_units,
					out_units: w.output_units,
					requests: w.requests,
				})
			})
			.collect::<Result<Vec<_>, ErrorObjectOwned>>()?;
		let assets: Vec<AssetKind> = lines.iter().map(|l| l.asset.clone()).collect();
		let at = self.at(at)?;
		let sim = MeteringApi::simulate(&*self.client.runtime_api(), at, proposed, lines)
			.map_err(runtime_error)?
			.map_err(|e| {
				let line_data = |line: u32, reason: Option<String>| {
					Some(serde_json::json!({ "line": line, "reason": reason }))
				};
				match e {
					SimulationError::InvalidParams(p) => params_error(p, &params),
					SimulationError::EmptyWorkload | SimulationError::TooManyLines => error(
						codes::INVALID_WORKLOAD,
						format!(
							"a workload has 1 to {} lines",
							nexus_rpc_types::MAX_WORKLOAD_LINES
						),
					),
					SimulationError::UnknownTier { line } => ErrorObjectOwned::owned(
						codes::INVALID_WORKLOAD,
						format!(
							"line {line}: no tier {} in the tier table",
							tier_of(&workload, line)
						),
						line_data(line, None),
					),
					SimulationError::Line { line, reason: RejectReason::UnknownCapsule } =>
						ErrorObjectOwned::owned(
							codes::UNKNOWN_CAPSULE,
							format!("line {line}: unknown capsule {}", capsule_of(&workload, line)),
							line_data(line, Some(reject_name(&RejectReason::UnknownCapsule))),
						),
					SimulationError::Line { line, reason } => ErrorObjectOwned::owned(
						codes::QUOTE_REJECTED,
						format!("line {line}: quote rejected: {}", reject_name(&reason)),
						line_data(line, Some(reject_name(&reason))),
					),
				}
			})?;
		Ok(Simulation {
			params,
			lines: sim
				.lines
				.iter()
				.zip(workload)
				.zip(&assets)
				.map(|((l, w), asset)| SimulatedLine {
					per_request: RequestPrice {
						list: amount(l.per_request.list),
						asset_discount: ppb(l.per_request.asset_discount),
						tier_discount: ppb(l.per_request.tier_discount),
						discount: ppb(l.per_request.discount),
						net_pricing: amount(l.per_request.net_pricing),
						net: amount(l.per_request.net),
						legs: legs(&l.per_request.legs),
					},
					total: simulated_totals(asset, &l.total),
					line: WorkloadLine { asset: asset_name(asset), ..w },
				})
				.collect(),
			per_asset: sim.per_asset.iter().map(|(a, t)| simulated_totals(a, t)).collect(),
		})
	}

	fn replay(
		&self,
		params: ProposedFeeParameters,
		days: u32,
		at: Option<H256>,
	) -> RpcResult<Replay> {
		self.do_replay(params, days, at)
	}

	fn fee_path(&self, params: ProposedFeeParameters, at: Option<H256>) -> RpcResult<FeePath> {
		self.do_fee_path(params, at)
	}

	fn fee_changes(&self, at: Option<H256>) -> RpcResult<Vec<FeeChange>> {
		let at = self.at(at)?;
		let api = self.client.runtime_api();
		let version = api
			.api_version::<dyn FeesApi<Block, AssetKind, BlockNumber>>(at)
			.map_err(runtime_error)?;
		require_version(version, "FeesApi", 2)?;
		Ok(api
			.fee_changes(at)
			.map_err(runtime_error)?
			.iter()
			.map(|c| FeeChange { at: c.at, old: params_ppb(&c.old), new: params_ppb(&c.new) })
			.collect())
	}
}

impl<C> Nexus<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MeteringApi<Block, AccountId, AssetKind, BlockNumber>
		+ FeesApi<Block, AssetKind, BlockNumber>,
{
	fn do_replay(
		&self,
		params: ProposedFeeParameters,
		days: u32,
		at: Option<H256>,
	) -> RpcResult<Replay> {
		use pallet_metering::ReplayError;
		let proposed = proposed_params(&params)?;
		let at = self.at(at)?;
		let api = self.client.runtime_api();
		let version = api
			.api_version::<dyn MeteringApi<Block, AccountId, AssetKind, BlockNumber>>(at)
			.map_err(runtime_error)?;
		require_version(version, "MeteringApi", 5)?;
		let max_days =
			<<nexus_runtime::Runtime as pallet_metering::Config>::UsageHistoryDays as sp_core::Get<u32>>::get();
		let r = MeteringApi::replay(&*api, at, proposed, days).map_err(runtime_error)?.map_err(
			|e| match e {
				ReplayError::InvalidParams(p) => params_error(p, &params),
				ReplayError::WindowOutOfRange => ErrorObjectOwned::owned(
					codes::INVALID_WINDOW,
					format!("a replay covers 1 to {max_days} days, not {days}"),
					Some(serde_json::json!({ "maxDays": max_days })),
				),
				ReplayError::Overflow { day } => ErrorObjectOwned::owned(
					codes::QUOTE_REJECTED,
					format!("day {day}: the replayed sums overflow"),
					Some(serde_json::json!({ "reason": "PriceOverflow", "day": day })),
				),
			},
		)?;
		Ok(Replay {
			params,
			today: r.today,
			from: r.from,
			days: r
				.days
				.iter()
				.map(|d| ReplayDay {
					day: d.day,
					unbooked_receipts: d.unbooked,
					lines: d
						.lines
						.iter()
						.map(|l| ReplayLine {
							asset: asset_name(&l.line.asset),
							tier_discount: ppb_m(l.line.tier_discount),
							regime: l.line.regime,
							receipts: l.line.receipts,
							units: unit_counts(&l.line.units),
							discount: ppb(l.discount),
							actual: priced(&l.line.actual()),
							replayed: priced(&l.replayed),
						})
						.collect(),
					per_asset: d.per_asset.iter().map(replay_totals).collect(),
				})
				.collect(),
			total: r.total.iter().map(replay_totals).collect(),
		})
	}

	fn do_fee_path(&self, params: ProposedFeeParameters, at: Option<H256>) -> RpcResult<FeePath> {
		use nexus_primitives::fee_path::PathError;
		let target = proposed_params(&params)?;
		let at = self.at(at)?;
		let api = self.client.runtime_api();
		let version = api
			.api_version::<dyn FeesApi<Block, AssetKind, BlockNumber>>(at)
			.map_err(runtime_error)?;
		require_version(version, "FeesApi", 2)?;
		let status = api.fee_parameters(at).map_err(runtime_error)?;
		let steps = api.fee_path(at, target).map_err(runtime_error)?.map_err(|e| match e {
			PathError::Invalid(p) => params_error(p, &params),
			PathError::Unchanged => ErrorObjectOwned::owned(
				codes::NO_FEE_PATH,
				"the proposal is the fee parameters in force: there is nothing to enact",
				Some(serde_json::json!({ "reason": "Unchanged" })),
			),
			PathError::ZeroStep => ErrorObjectOwned::owned(
				codes::NO_FEE_PATH,
				"the runtime allows no fee parameter to move",
				Some(serde_json::json!({ "reason": "ZeroStep" })),
			),
			PathError::TooManySteps => ErrorObjectOwned::owned(
				codes::NO_FEE_PATH,
				format!(
					"the proposal needs more than {} changes of at most {} ppb each",
					nexus_primitives::fee_path::MAX_PATH_STEPS,
					ppb(status.max_step)
				),
				Some(serde_json::json!({ "reason": "TooManySteps" })),
			),
		})?;
		Ok(FeePath {
			steps: steps
				.iter()
				.map(|s| FeeStep {
					params: params_ppb(&s.params),
					enactable_from: s.enactable_from,
				})
				.collect(),
			max_step: ppb(status.max_step),
			change_cooldown: status.change_cooldown,
		})
	}
}

/// The tier of workload line `line` (for error messages).
fn tier_of(workload: &[WorkloadLine], line: u32) -> String {
	workload.get(line as usize).map(|w| w.tier.to_string()).unwrap_or_default()
}

/// The capsule of workload line `line` (for error messages).
fn capsule_of(workload: &[WorkloadLine], line: u32) -> String {
	workload.get(line as usize).map(|w| w.capsule.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn accounts_parse_from_ss58_of_any_prefix_and_from_hex() {
		let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
		assert_eq!(parse_account(&ss58(&alice)).ok(), Some(alice.clone()));
		let polkadot = alice.to_ss58check_with_version(Ss58AddressFormat::custom(0));
		assert_eq!(parse_account(&polkadot).ok(), Some(alice.clone()));
		assert_eq!(parse_account(&hex(alice.as_ref())).ok(), Some(alice));
		for bad in ["", "5Grw", "0x1234", "0xzz", "not an account"] {
			assert_eq!(parse_account(bad).map_err(|e| e.code()), Err(codes::INVALID_ACCOUNT));
		}
	}

	#[test]
	fn assets_parse_by_name_and_id() {
		assert_eq!(parse_asset("nxv").ok(), Some(AssetKind::Native));
		assert_eq!(parse_asset("USDN").ok(), Some(AssetKind::WithId(USDN_ID)));
		assert_eq!(parse_asset("7").ok(), Some(AssetKind::WithId(7)));
		assert_eq!(parse_asset("DOT").map_err(|e| e.code()), Err(codes::INVALID_ASSET));
		assert_eq!(asset_name(&AssetKind::WithId(7)), "7");
	}

	#[test]
	fn proposed_parameters_are_checked_with_their_bounds() {
		let mut p = ProposedFeeParameters {
			take_rate: 150_000_000,
			treasury_share: 350_000_000,
			buyback_share: 250_000_000,
			validators_share: 100_000_000,
			reserve_share: 300_000_000,
			nxv_discount: 100_000_000,
			max_discount: 200_000_000,
		};
		assert_eq!(
			proposed_params(&p).ok(),
			Some(nexus_primitives::settlement::FeeParams::defaults())
		);
		p.buyback_share = 1_000_000_001;
		let e = proposed_params(&p).err().map(|e| (e.code(), e.message().to_owned()));
		assert_eq!(
			e,
			Some((
				codes::INVALID_FEE_PARAMETERS,
				"buybackShare is 1000000001 ppb, above 100 % (1000000000 ppb)".into()
			))
		);
		p.buyback_share = 260_000_000;
		let e = params_error(nexus_primitives::settlement::ParamsError::SharesDoNotSumToOne, &p);
		assert_eq!(e.code(), codes::INVALID_FEE_PARAMETERS);
		assert!(e.message().contains("sum to 1010000000 ppb"), "{}", e.message());
		p.take_rate = 310_000_000;
		let e = params_error(nexus_primitives::settlement::ParamsError::TakeRateTooHigh, &p);
		assert_eq!(e.message(), "take rate 310000000 ppb is above its bound 300000000 ppb");
	}

	#[test]
	fn fixed_point_prints_exact_decimals() {
		assert_eq!(fixed(FixedU128::from_u32(1)), "1");
		assert_eq!(fixed(FixedU128::from_rational(5, 4)), "1.25");
		assert_eq!(fixed(FixedU128::from_rational(1, 3)), "0.333333333333333333");
	}

	#[test]
	fn filters_reject_unknown_lanes_and_statuses() {
		let lane = CapsuleQuery { lane: Some("gold".into()), ..Default::default() };
		assert_eq!(filter(lane).map_err(|e| e.code()), Err(codes::INVALID_FILTER));
		let status = CapsuleQuery { status: Some("gone".into()), ..Default::default() };
		assert_eq!(filter(status).map_err(|e| e.code()), Err(codes::INVALID_FILTER));
		let ok = CapsuleQuery {
			lane: Some("premium".into()),
			status: Some("retired".into()),
			..Default::default()
		};
		let f = filter(ok).ok();
		assert_eq!(f.as_ref().and_then(|f| f.lane), Some(Lane::Premium));
		assert_eq!(f.and_then(|f| f.status), Some(StatusFilter::Retired));
	}
}
