//! Genesis presets: the initial state a chain spec is built from.
//!
//! - `development` (`--dev`): Alice is the only validator and holds the sudo key; sessions last 10
//!   blocks and eras 2 sessions, so a newly bonded validator is elected within minutes; referendum
//!   tracks use development timings (a vote completes within about a minute).
//! - `local_testnet` (`--chain local`): Alice, Bob, Charlie and Dave are validators; there is no
//!   sudo key; sessions last 20 blocks, eras 3 sessions; referendum tracks use live timings.
//!
//! Both mint the whole fixed supply, [`TOTAL_SUPPLY`] = 1,000,000,000 NXV, across the buckets of
//! [`allocation`] (see `docs/token.md`): nothing is ever minted again. They also set the default
//! tier table ([`default_tiers`]) and list the curated offerings ([`offerings`]);
//! `development` registers a few demo capsules for Bob and Charlie ([`demo_capsules`]), committed
//! to the local demo upstreams `scripts/demo.sh` runs ([`DEMO_UPSTREAMS`]). Both
//! create the NXV/USDN pool from the community and liquidity bucket ([`POOL_NXV`],
//! [`POOL_USDN`]).

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_capsules::{GenesisCapsule, Lane, Price, QuotaWindow};
use pallet_staking::StakerStatus;
use pallet_tiers::TierParams;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::Permill;

use crate::{
	configs::{
		accounts::{BuybackAccount, EmissionsPoolAccount, LiquidityAccount, TreasuryAccount},
		assets::{AssetKind, USDN, USDN_ID},
	},
	governance::origins::TrackTiming,
	AccountId, AssetConversionConfig, AssetsConfig, Balance, BalancesConfig, BlockNumber,
	BuybackConfig, CapsulesConfig, EmissionsConfig, FeesConfig, MeteringConfig, OriginsConfig,
	RewardPotConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, StakingConfig, SudoConfig,
	TiersConfig, VestingConfig, DAYS, EXISTENTIAL_DEPOSIT, MINUTES, NXV,
};
use pallet_buyback::Programme;
use pallet_emissions::Metric;

/// The fixed supply: minted here, never again.
pub const TOTAL_SUPPLY: Balance = 1_000_000_000 * NXV;
/// Emissions pool: locked in a keyless account until milestone emissions release it.
pub const EMISSIONS_POOL: Balance = 300_000_000 * NXV;
/// Ecosystem treasury.
pub const ECOSYSTEM_TREASURY: Balance = 250_000_000 * NXV;
/// Team: one-year cliff, then linear over three years.
pub const TEAM: Balance = 150_000_000 * NXV;
/// Investors: six-month cliff, then linear over two years.
pub const INVESTORS: Balance = 120_000_000 * NXV;
/// Community and liquidity: held in a keyless account for governance to deploy (liquidity
/// pools, programmes); it also seeds the protocol's pot accounts with the existential deposit
/// ([`pot_accounts`]).
pub const COMMUNITY_AND_LIQUIDITY: Balance = 130_000_000 * NXV;
/// Validators' initial bonds, split equally across the genesis validators' stashes.
pub const VALIDATOR_BONDS: Balance = 44_000_000 * NXV;
/// Test accounts (the faucet of development and local chains): six well-known accounts.
pub const TEST_ACCOUNTS: Balance = 6_000_000 * NXV;

/// What each test account (Alice … Ferdie) starts with: one million NXV.
pub const ENDOWMENT: Balance = 1_000_000 * NXV;
/// What a genesis validator's stash keeps free (for fees); the rest of its share is bonded.
pub const STASH_FREE: Balance = 1_000 * NXV;

/// Blocks in a (365-day) year.
pub const YEAR: BlockNumber = 365 * DAYS;

/// The test accounts: the well-known development keys.
pub fn endowed_accounts() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[Alice, Bob, Charlie, Dave, Eve, Ferdie]
		.into_iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// The team's account on test chains.
pub fn team_account() -> AccountId {
	Sr25519Keyring::One.to_account_id()
}

/// The investors' account on test chains.
pub fn investors_account() -> AccountId {
	Sr25519Keyring::Two.to_account_id()
}

/// The reward pot's account.
pub fn reward_pot_account() -> AccountId {
	crate::RewardPot::account_id()
}

/// The protocol's keyless pot accounts, each seeded with the existential deposit so that fee
/// legs smaller than it can land and payments out can keep them alive: the reward pot, the
/// escrow, the reserve and the buyback/rebates pot.
pub fn pot_accounts() -> Vec<AccountId> {
	vec![
		reward_pot_account(),
		crate::Metering::account_id(),
		crate::Reserve::account_id(),
		BuybackAccount::get(),
	]
}

/// What each test account starts with in USDN: one million.
pub const USDN_ENDOWMENT: Balance = 1_000_000 * USDN;
/// NXV the community and liquidity bucket puts into the NXV/USDN pool at genesis.
pub const POOL_NXV: Balance = 1_000_000 * NXV;
/// USDN in the NXV/USDN pool at genesis: [`POOL_NXV`] at [`GENESIS_NXV_PRICE`].
pub const POOL_USDN: Balance = 1_000_000 * USDN;

/// The starting NXV price: 1 USDN (a placeholder until governance, later a pool, prices NXV).
pub const GENESIS_NXV_PRICE: u128 = USDN;

/// The development gateway: operated by Dave, signing with Dave's sr25519 key.
pub fn dev_gateway() -> (AccountId, [u8; 32], Balance) {
	(Sr25519Keyring::Dave.to_account_id(), Sr25519Keyring::Dave.public().0, 10_000 * NXV)
}

/// A genesis validator: its stash and its session keys.
pub struct GenesisValidator {
	/// The stash (bonded, and the validator's id).
	pub stash: AccountId,
	/// Aura key.
	pub aura: AuraId,
	/// GRANDPA key.
	pub grandpa: GrandpaId,
}

/// A well-known development validator: keys of `//<Name>`, stash `//<Name>//stash`.
pub fn dev_validator(
	aura: Sr25519Keyring,
	grandpa: Ed25519Keyring,
	stash: Sr25519Keyring,
) -> GenesisValidator {
	GenesisValidator {
		stash: stash.to_account_id(),
		aura: aura.public().into(),
		grandpa: grandpa.public().into(),
	}
}

/// Each of `n` genesis validators' share of [`VALIDATOR_BONDS`].
pub fn validator_share(n: usize) -> Balance {
	VALIDATOR_BONDS
		.checked_div(Balance::try_from(n).unwrap_or(Balance::MAX))
		.unwrap_or(0)
}

/// Every balance at genesis, bucket by bucket; the sum is exactly [`TOTAL_SUPPLY`].
pub fn allocation(validators: &[GenesisValidator]) -> Vec<(AccountId, Balance)> {
	let per_validator = validator_share(validators.len());
	let n = Balance::try_from(validators.len()).unwrap_or(Balance::MAX);
	// Whatever the equal split leaves over joins the community bucket, so the sum stays exact.
	let split_rest = VALIDATOR_BONDS.saturating_sub(per_validator.saturating_mul(n));
	let pots = pot_accounts();
	let seeded = EXISTENTIAL_DEPOSIT.saturating_mul(Balance::try_from(pots.len()).unwrap_or(0));
	let community = COMMUNITY_AND_LIQUIDITY.saturating_sub(seeded).saturating_add(split_rest);
	let mut out = vec![
		(EmissionsPoolAccount::get(), EMISSIONS_POOL),
		(TreasuryAccount::get(), ECOSYSTEM_TREASURY),
		(team_account(), TEAM),
		(investors_account(), INVESTORS),
		(LiquidityAccount::get(), community),
	];
	out.extend(pots.into_iter().map(|p| (p, EXISTENTIAL_DEPOSIT)));
	out.extend(validators.iter().map(|v| (v.stash.clone(), per_validator)));
	out.extend(endowed_accounts().into_iter().map(|a| (a, ENDOWMENT)));
	out
}

/// Vesting schedules `(who, begin, length, liquid)`: nothing is liquid before the cliff.
pub fn vesting() -> Vec<(AccountId, BlockNumber, BlockNumber, Balance)> {
	const HALF_YEAR: BlockNumber = YEAR / 2;
	const THREE_YEARS: BlockNumber = 3 * YEAR;
	const TWO_YEARS: BlockNumber = 2 * YEAR;
	vec![(team_account(), YEAR, THREE_YEARS, 0), (investors_account(), HALF_YEAR, TWO_YEARS, 0)]
}

/// The default tier table (see `docs/tiers.md` for why these numbers): Basic, Bronze, Silver,
/// Gold, Enterprise. Rate limits are metered units per hour.
pub fn default_tiers() -> Vec<TierParams<Balance>> {
	let tier =
		|threshold: Balance, rate_limit, premium_lanes, failover_priority, discount| TierParams {
			threshold: threshold.saturating_mul(NXV),
			rate_limit,
			premium_lanes,
			failover_priority,
			commitment_discount: Permill::from_percent(discount),
		};
	vec![
		tier(0, 100_000, false, 0, 0),
		tier(1_000, 500_000, false, 1, 2),
		tier(10_000, 2_000_000, true, 2, 4),
		tier(50_000, 10_000_000, true, 3, 7),
		tier(250_000, 50_000_000, true, 4, 10),
	]
}

/// The curated upstream offerings and whether their terms permit resale. The consumer chat
/// plan does not: it is listed so that nobody can register a capsule on it.
pub fn offerings() -> Vec<(Vec<u8>, bool)> {
	[
		(&b"claude-opus"[..], true),
		(b"claude-sonnet", true),
		(b"gpt-5", true),
		(b"gpt-5-codex", true),
		(b"consumer-chat-plan", false),
	]
	.into_iter()
	.map(|(id, permitted)| (id.to_vec(), permitted))
	.collect()
}

/// The model ids (the upstreams' own) that name each offering: what Claude Code, Codex and the
/// SDKs send. Governance keeps the list (`capsules.set_model_aliases`).
pub fn model_aliases() -> Vec<(Vec<u8>, Vec<Vec<u8>>)> {
	let list: [(&[u8], &[&[u8]]); 4] = [
		(b"claude-opus", &[b"claude-opus-4-8", b"claude-opus-4-5", b"claude-opus-4-1"]),
		(b"claude-sonnet", &[b"claude-sonnet-4-6", b"claude-sonnet-4-5"]),
		(b"gpt-5", &[b"gpt-5-2025-08-07", b"gpt-5.1"]),
		(b"gpt-5-codex", &[b"gpt-5.1-codex", b"codex-mini-latest"]),
	];
	list.into_iter()
		.map(|(offering, aliases)| {
			(offering.to_vec(), aliases.iter().map(|a| a.to_vec()).collect())
		})
		.collect()
}

/// A demo upstream: its name, endpoint, credential, wire format and model id.
pub type DemoUpstream = (&'static str, &'static str, &'static str, &'static str, &'static str);

/// The upstreams the development chain's demo capsules commit to, in capsule order, as real
/// supply would be: the Claude capsules Anthropic Messages upstreams, the Codex capsule an
/// OpenAI Responses one, GPT-5 a Chat Completions one. `scripts/demo.sh` runs a
/// `nexus-mock-upstream` at each endpoint with its credential and hands the gateway the
/// version-2 registration, which the gateway checks against the capsule's commitment exactly as
/// for any provider. Loopback only, and no secret: dev-chain demo data.
pub const DEMO_UPSTREAMS: [DemoUpstream; 4] = {
	use nexus_primitives::endpoints::{
		FORMAT_ANTHROPIC_MESSAGES as ANTHROPIC, FORMAT_CHAT_COMPLETIONS as CHAT,
		FORMAT_OPENAI_RESPONSES as RESPONSES,
	};
	[
		("bob-opus", "http://127.0.0.1:9101/v1", "demo-bob-opus", ANTHROPIC, "claude-opus-4-8"),
		(
			"bob-sonnet",
			"http://127.0.0.1:9102/v1",
			"demo-bob-sonnet",
			ANTHROPIC,
			"claude-sonnet-4-6",
		),
		(
			"charlie-codex",
			"http://127.0.0.1:9103/v1",
			"demo-charlie-codex",
			RESPONSES,
			"gpt-5-codex",
		),
		("charlie-gpt5", "http://127.0.0.1:9104/v1", "demo-charlie-gpt5", CHAT, "gpt-5-2025-08-07"),
	]
};

/// Prices as Anthropic bills them: a prompt-cache read at a tenth of plain input, a cache
/// write at 1.25× (both rounded down to the pricing unit).
pub fn anthropic_prices(input: Balance, output: Balance) -> Price<Balance> {
	Price {
		per_1k_input: input,
		per_1k_output: output,
		per_1k_cache_read: input / 10,
		per_1k_cache_write: input.saturating_mul(5) / 4,
	}
}

/// Prices as OpenAI bills them: cached input at a tenth of plain input; writing the cache
/// costs nothing extra (a cache write is billed as plain input).
pub fn openai_prices(input: Balance, output: Balance) -> Price<Balance> {
	Price {
		per_1k_input: input,
		per_1k_output: output,
		per_1k_cache_read: input / 10,
		per_1k_cache_write: input,
	}
}

/// Demo capsules for the development chain. Prices are in the pricing unit (the stable asset's
/// micro-unit) per 1,000 units: e.g. 9,000 is 0.009 per 1k input units. The Claude capsules
/// price prompt-cache units as Anthropic bills them, the GPT capsules as OpenAI does.
pub fn demo_capsules() -> Vec<GenesisCapsule<AccountId, Balance>> {
	let capsule =
		|owner: Sr25519Keyring,
		 offering: &[u8],
		 lane,
		 price: Price<Balance>,
		 capacity,
		 window,
		 region: &[u8],
		 (name, endpoint, credential, format, model): DemoUpstream| GenesisCapsule {
			owner: owner.to_account_id(),
			offering: offering.to_vec(),
			lane,
			price,
			capacity,
			window,
			concurrency: 4,
			region: region.to_vec(),
			// What a provider commits to: the hash of the upstream it hands the gateway (its
			// format, endpoint, model id and credential).
			endpoint_commitment: nexus_primitives::endpoints::endpoint_commitment_v2(
				format, endpoint, model, credential,
			),
			metadata: alloc::format!("{{\"name\":\"{name}\"}}").into_bytes(),
		};
	use Sr25519Keyring::{Bob, Charlie};
	let [bob_opus, bob_sonnet, charlie_codex, charlie_gpt5] = DEMO_UPSTREAMS;
	vec![
		capsule(
			Bob,
			b"claude-opus",
			Lane::Premium,
			anthropic_prices(9_000, 45_000),
			2_000_000,
			QuotaWindow::Day,
			b"eu-west",
			bob_opus,
		),
		capsule(
			Bob,
			b"claude-sonnet",
			Lane::Standard,
			anthropic_prices(1_800, 9_000),
			5_000_000,
			QuotaWindow::Day,
			b"eu-west",
			bob_sonnet,
		),
		capsule(
			Charlie,
			b"gpt-5-codex",
			Lane::Premium,
			openai_prices(750, 6_000),
			3_000_000,
			QuotaWindow::Week,
			b"us-east",
			charlie_codex,
		),
		capsule(
			Charlie,
			b"gpt-5",
			Lane::Standard,
			openai_prices(750, 6_000),
			1_000_000,
			QuotaWindow::Hour,
			b"us-east",
			charlie_gpt5,
		),
	]
}

/// USDN at genesis: created sufficient (holders need no NXV) with a minimum balance of one
/// pricing unit, owned by `owner` (the development faucet: Alice can `assets.mint`); every test
/// account holds [`USDN_ENDOWMENT`], the escrow its minimum balance, and the liquidity bucket
/// the pool's [`POOL_USDN`] plus the minimum balance it keeps after seeding the pool.
fn usdn(owner: AccountId) -> AssetsConfig {
	let mut accounts: Vec<(u32, AccountId, Balance)> =
		endowed_accounts().into_iter().map(|a| (USDN_ID, a, USDN_ENDOWMENT)).collect();
	accounts.push((USDN_ID, crate::Metering::account_id(), 1));
	accounts.push((USDN_ID, LiquidityAccount::get(), POOL_USDN.saturating_add(1)));
	AssetsConfig {
		assets: vec![(USDN_ID, owner, true, 1)],
		metadata: vec![(USDN_ID, b"Nexus USD".to_vec(), b"USDN".to_vec(), 6)],
		accounts,
		next_asset_id: None,
		reserves: vec![],
	}
}

/// What differs between the presets.
struct Network {
	validators: Vec<GenesisValidator>,
	sudo: Option<AccountId>,
	capsules: Vec<GenesisCapsule<AccountId, Balance>>,
	gateways: Vec<(AccountId, [u8; 32], Balance)>,
	usdn_owner: AccountId,
	session_length: BlockNumber,
	sessions_per_era: u32,
	timing: TrackTiming,
	epoch_length: BlockNumber,
	milestones: Vec<(Metric, u128, Balance)>,
}

/// The emission milestones of every network: tranches sum to 160M of the 300M allocation;
/// the rest is for milestones governance adds later.
pub fn milestones() -> Vec<(Metric, u128, Balance)> {
	let volume = |usdn: u128| usdn.saturating_mul(USDN);
	vec![
		(Metric::SettledVolume, volume(1_000_000), 10_000_000 * NXV),
		(Metric::SettledVolume, volume(10_000_000), 20_000_000 * NXV),
		(Metric::SettledVolume, volume(100_000_000), 40_000_000 * NXV),
		(Metric::SettledVolume, volume(1_000_000_000), 60_000_000 * NXV),
		(Metric::ActiveProviders, 100, 5_000_000 * NXV),
		(Metric::ActiveProviders, 1_000, 10_000_000 * NXV),
		(Metric::UniqueSeekers, 1_000, 5_000_000 * NXV),
		(Metric::UniqueSeekers, 10_000, 10_000_000 * NXV),
	]
}

/// The development preset's first milestone: 0.001 USDN of settled volume releases 1M NXV,
/// so a demo shows a release after its first request.
pub const DEV_MILESTONE: (Metric, u128, Balance) =
	(Metric::SettledVolume, USDN / 1_000, 1_000_000 * NXV);

fn genesis(n: Network) -> Value {
	let Network {
		validators,
		sudo,
		capsules,
		gateways,
		usdn_owner,
		session_length,
		sessions_per_era,
		timing,
		epoch_length,
		milestones,
	} = n;
	let bond = validator_share(validators.len()).saturating_sub(STASH_FREE);
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: allocation(&validators) },
		vesting: VestingConfig { vesting: vesting() },
		reward_pot: RewardPotConfig { session_length, sessions_per_era },
		staking: StakingConfig {
			validator_count: 10,
			minimum_validator_count: 1,
			invulnerables: Vec::new(),
			stakers: validators
				.iter()
				.map(|v| (v.stash.clone(), v.stash.clone(), bond, StakerStatus::Validator))
				.collect::<Vec<_>>(),
			min_validator_bond: 10_000 * NXV,
			min_nominator_bond: 100 * NXV,
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| {
					(
						v.stash.clone(),
						v.stash.clone(),
						SessionKeys { aura: v.aura.clone(), grandpa: v.grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		capsules: CapsulesConfig { offerings: offerings(), aliases: model_aliases(), capsules },
		tiers: TiersConfig { tiers: default_tiers() },
		assets: usdn(usdn_owner),
		fees: FeesConfig { params: None, nxv_price: Some(GENESIS_NXV_PRICE) },
		metering: MeteringConfig { gateways },
		origins: OriginsConfig { timing },
		buyback: BuybackConfig { epoch_length, programme: Programme::Rebates },
		emissions: EmissionsConfig { milestones },
		asset_conversion: AssetConversionConfig {
			pools: vec![(
				AssetKind::Native,
				AssetKind::WithId(USDN_ID),
				LiquidityAccount::get(),
				POOL_NXV,
				POOL_USDN,
			)],
		},
	})
}

/// The `development` preset: a single validator (Alice, stash `//Alice//stash`), who also
/// holds sudo; short sessions and eras.
pub fn development_config_genesis() -> Value {
	use Sr25519Keyring as S;
	genesis(Network {
		validators: vec![dev_validator(S::Alice, Ed25519Keyring::Alice, S::AliceStash)],
		sudo: Some(S::Alice.to_account_id()),
		capsules: demo_capsules(),
		gateways: vec![dev_gateway()],
		usdn_owner: S::Alice.to_account_id(),
		session_length: 10,
		sessions_per_era: 2,
		timing: TrackTiming::Development,
		epoch_length: 10 * MINUTES,
		milestones: core::iter::once(DEV_MILESTONE).chain(milestones()).collect(),
	})
}

/// The `local_testnet` preset: four validators, no sudo.
pub fn local_config_genesis() -> Value {
	use Ed25519Keyring as E;
	use Sr25519Keyring as S;
	genesis(Network {
		validators: vec![
			dev_validator(S::Alice, E::Alice, S::AliceStash),
			dev_validator(S::Bob, E::Bob, S::BobStash),
			dev_validator(S::Charlie, E::Charlie, S::CharlieStash),
			dev_validator(S::Dave, E::Dave, S::DaveStash),
		],
		sudo: None,
		capsules: vec![],
		gateways: vec![],
		usdn_owner: TreasuryAccount::get(),
		session_length: 20,
		sessions_per_era: 3,
		timing: TrackTiming::Live,
		epoch_length: 7 * DAYS,
		milestones: milestones(),
	})
}

/// The JSON patch of the preset named `id`, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_str() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(alloc::string::String::into_bytes)
}

/// The genesis storage of the preset `name`: its JSON patch merged into the default genesis
/// config, as the chain-spec builder does, then built natively. For native tests and the
/// runtime fuzzer.
#[cfg(feature = "std")]
pub fn preset_storage(name: &str) -> Result<sp_core::storage::Storage, alloc::string::String> {
	use sp_runtime::BuildStorage;
	fn merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(b), Value::Object(p)) =>
				for (k, v) in p {
					merge(b.entry(k).or_insert(Value::Null), v);
				},
			(b, p) => *b = p,
		}
	}
	let patch = get_preset(&PresetId::from(name)).ok_or_else(|| format!("no preset {name}"))?;
	let patch: Value = serde_json::from_slice(&patch).map_err(|e| e.to_string())?;
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|e| e.to_string())?;
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).map_err(|e| e.to_string())?;
	config.build_storage()
}

/// The names of the presets this runtime ships.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
