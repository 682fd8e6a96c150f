//! `nexus`: Nexus Vault from the command line, for providers and seekers without a browser.
//!
//! Reads go through the node's `nexus_*` RPC; transactions are signed with the key given by
//! `--suri`, `NEXUS_SURI` or `--key-file`, submitted with an explicit nonce and a mortal era,
//! and followed to finality (progress on stderr). Output is for people by default; `--json`
//! prints one JSON document on stdout (amounts as strings in the smallest unit), and on failure
//! `{"error": {"kind", "message"}}` with exit status 1. See docs/cli.md.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use nexus_client::{
	account_of, commitment_of, keypair, parse_account, parse_asset, register_endpoint, rpc,
	CapsuleRegistration, Client, Error, Price, Progress, Units, Window,
};
use serde::Serialize;
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::Keypair;

#[derive(Parser, Debug)]
#[command(name = "nexus", version, about = "Nexus Vault client for providers and seekers")]
struct Cli {
	/// The node's websocket endpoint.
	#[arg(long, env = "NEXUS_URL", default_value = "ws://127.0.0.1:9944", global = true)]
	url: String,
	/// Secret URI of the signing key (`//Alice`, a mnemonic with optional derivation, or a 0x
	/// seed). Prefer NEXUS_SURI or --key-file: a command line is visible to other users.
	#[arg(long, env = "NEXUS_SURI", hide_env_values = true, global = true)]
	suri: Option<String>,
	/// A file holding the secret URI (its first line).
	#[arg(long, env = "NEXUS_KEY_FILE", global = true, conflicts_with = "suri")]
	key_file: Option<PathBuf>,
	/// Print one JSON document instead of text.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// Register, update, pause, resume, retire and list capsules (providers).
	#[command(subcommand)]
	Capsule(CapsuleCmd),
	/// Stake into a seeker tier, unstake, or show a tier.
	#[command(subcommand)]
	Tier(TierCmd),
	/// Deposit into or withdraw from escrow, or show it (seekers).
	#[command(subcommand)]
	Escrow(EscrowCmd),
	/// Open, close or show metering sessions (seekers).
	#[command(subcommand)]
	Session(SessionCmd),
	/// Price a request the way settlement will charge it.
	Quote(QuoteArgs),
	/// Where the NXV supply is.
	Supply,
	/// The fee parameters in force and their bounds.
	Fees,
	/// What the chain decided about a receipt: its leaf (charge, provider's part, verdict,
	/// units) from the gateway, verified against the batch commitment the chain keeps.
	Receipt {
		/// The gateway's base URL (as the seeker's AI client uses it, without `/v1`).
		#[arg(long)]
		gateway: String,
		/// The session's API key.
		#[arg(long, env = "NEXUS_API_KEY", hide_env_values = true)]
		api_key: String,
		/// The receipt's sequence number in the session (`x-nexus-receipt-seq` on the
		/// gateway's answer).
		#[arg(long)]
		seq: u64,
	},
	/// Dispute a charge (seekers): fetches the receipt's leaf and proof from the gateway (with
	/// the session's API key) and submits `metering.dispute_receipt`, holding the dispute
	/// deposit until governance rules.
	Dispute {
		/// The gateway's base URL (as the seeker's AI client uses it, without `/v1`).
		#[arg(long)]
		gateway: String,
		/// The session's API key.
		#[arg(long, env = "NEXUS_API_KEY", hide_env_values = true)]
		api_key: String,
		/// The receipt's sequence number in the session (the `x-nexus-receipt-seq` header of a
		/// non-streaming response, or `seq` in the gateway's `GET /v1/receipts`).
		#[arg(long)]
		seq: u64,
	},
}

#[derive(Subcommand, Debug)]
enum CapsuleCmd {
	/// Register a capsule (holds the capsule bond and a metadata deposit).
	Register(Box<RegisterArgs>),
	/// Announce a new price and/or change capacity.
	Update(UpdateArgs),
	/// Pause a capsule (routing skips it).
	Pause {
		/// Capsule id.
		id: u64,
	},
	/// Resume a paused capsule.
	Resume {
		/// Capsule id.
		id: u64,
	},
	/// Retire a capsule; its bond is released after the delay.
	Retire {
		/// Capsule id.
		id: u64,
	},
	/// Show one capsule.
	Show {
		/// Capsule id.
		id: u64,
	},
	/// List capsules (all pages).
	List(ListArgs),
	/// Hand a gateway this capsule's upstream endpoint and credential (signed with the
	/// owner's key; the gateway checks them against the on-chain commitment and keeps the
	/// credential encrypted).
	Endpoint {
		/// Capsule id.
		id: u64,
		/// The gateway's HTTP base URL.
		#[arg(long, env = "NEXUS_GATEWAY_URL", default_value = "http://127.0.0.1:8080")]
		gateway: String,
		/// The upstream's base URL (`…/v1`).
		#[arg(long)]
		endpoint: String,
		/// The upstream credential (sent as a Bearer token, or as `x-api-key` to an Anthropic
		/// Messages upstream). Prefer NEXUS_UPSTREAM_CREDENTIAL.
		#[arg(long, env = "NEXUS_UPSTREAM_CREDENTIAL", hide_env_values = true)]
		credential: String,
		#[command(flatten)]
		wire: WireArgs,
	},
}

/// The upstream's wire format and model id (a version-2 endpoint commitment); without them the
/// upstream is a Chat Completions one sent the seeker's model id (version 1).
#[derive(Args, Debug)]
struct WireArgs {
	/// The wire format the upstream speaks: chat-completions, anthropic-messages or
	/// openai-responses.
	#[arg(long, requires = "upstream_model")]
	format: Option<String>,
	/// The upstream's own model id (e.g. `claude-opus-4-8`), which the gateway sends it.
	#[arg(long, requires = "format")]
	upstream_model: Option<String>,
}

impl WireArgs {
	fn wire(&self) -> Result<Option<nexus_client::Wire>, Error> {
		match (&self.format, &self.upstream_model) {
			(Some(f), Some(m)) => nexus_client::Wire::new(f, m).map(Some),
			_ => Ok(None),
		}
	}
}

#[derive(Args, Debug)]
struct RegisterArgs {
	/// Offering slug (an offering that permits resale).
	#[arg(long)]
	offering: String,
	/// List on the premium lane.
	#[arg(long)]
	premium: bool,
	/// Price per 1,000 input units (USDN micro-units, or e.g. `0.5USDN`).
	#[arg(long)]
	per_1k_input: String,
	/// Price per 1,000 output units.
	#[arg(long)]
	per_1k_output: String,
	/// Price per 1,000 input units read from the prompt cache (Anthropic bills about a tenth
	/// of input).
	#[arg(long)]
	per_1k_cache_read: String,
	/// Price per 1,000 input units written to the prompt cache (Anthropic bills 1.25× input;
	/// an upstream that bills no cache writes apart: the input price).
	#[arg(long)]
	per_1k_cache_write: String,
	/// Metered units per quota window.
	#[arg(long)]
	capacity: u64,
	/// Quota window: hour, day or week.
	#[arg(long, default_value = "hour")]
	window: Window,
	/// Requests served at once.
	#[arg(long, default_value_t = 1)]
	concurrency: u32,
	/// Region slug.
	#[arg(long, default_value = "")]
	region: String,
	/// The upstream endpoint (hashed into the commitment, never sent).
	#[arg(long, requires = "credential", conflicts_with = "commitment")]
	endpoint: Option<String>,
	/// The upstream credential (hashed into the commitment, never sent).
	#[arg(long, requires = "endpoint")]
	credential: Option<String>,
	#[command(flatten)]
	wire: WireArgs,
	/// A precomputed endpoint commitment (0x + 64 hex digits).
	#[arg(long)]
	commitment: Option<H256>,
	/// Free-form metadata (a deposit per byte is held).
	#[arg(long, default_value = "")]
	metadata: String,
}

#[derive(Args, Debug)]
struct UpdateArgs {
	/// Capsule id.
	id: u64,
	/// New price per 1,000 input units (with the three other prices; announced, in force
	/// after notice).
	#[arg(long, requires_all = ["per_1k_output", "per_1k_cache_read", "per_1k_cache_write"])]
	per_1k_input: Option<String>,
	/// New price per 1,000 output units.
	#[arg(long, requires = "per_1k_input")]
	per_1k_output: Option<String>,
	/// New price per 1,000 prompt-cache-read units.
	#[arg(long, requires = "per_1k_input")]
	per_1k_cache_read: Option<String>,
	/// New price per 1,000 prompt-cache-write units.
	#[arg(long, requires = "per_1k_input")]
	per_1k_cache_write: Option<String>,
	/// New capacity per window (with --window and --concurrency).
	#[arg(long, requires_all = ["window", "concurrency"])]
	capacity: Option<u64>,
	/// New quota window.
	#[arg(long, requires = "capacity")]
	window: Option<Window>,
	/// New concurrency.
	#[arg(long, requires = "capacity")]
	concurrency: Option<u32>,
}

#[derive(Args, Debug)]
struct ListArgs {
	/// Only this provider's capsules.
	#[arg(long)]
	owner: Option<String>,
	/// Only the signer's capsules.
	#[arg(long, conflicts_with = "owner")]
	mine: bool,
	/// Only this lane: standard or premium.
	#[arg(long)]
	lane: Option<String>,
	/// Only this status: active, paused, suspended or retired.
	#[arg(long)]
	status: Option<String>,
	/// Only this offering.
	#[arg(long)]
	offering: Option<String>,
}

#[derive(Subcommand, Debug)]
enum TierCmd {
	/// Stake NXV (planck, or e.g. `1000NXV`).
	Stake {
		/// Amount.
		amount: String,
	},
	/// Start unstaking NXV; it can be withdrawn after the unbonding delay.
	Unstake {
		/// Amount.
		amount: String,
	},
	/// Show an account's tier (the signer's by default).
	Show {
		/// Account (SS58 or 0x-hex).
		account: Option<String>,
	},
	/// Show the tier table.
	Table,
}

#[derive(Subcommand, Debug)]
enum EscrowCmd {
	/// Move funds into escrow.
	Deposit {
		/// Amount in the asset's smallest unit, or e.g. `25USDN`.
		amount: String,
		/// NXV or USDN.
		#[arg(long, default_value = "USDN")]
		asset: String,
	},
	/// Take free escrow back.
	Withdraw {
		/// Amount.
		amount: String,
		/// NXV or USDN.
		#[arg(long, default_value = "USDN")]
		asset: String,
	},
	/// Show an account's escrow (the signer's by default).
	Show {
		/// Account.
		account: Option<String>,
	},
}

#[derive(Subcommand, Debug)]
enum SessionCmd {
	/// Open a session with a gateway.
	Open {
		/// The gateway's id.
		#[arg(long)]
		gateway: u32,
		/// NXV or USDN.
		#[arg(long, default_value = "USDN")]
		asset: String,
		/// Most the session may be charged.
		#[arg(long)]
		cap: String,
		/// Blocks from now until it expires.
		#[arg(long, default_value_t = 600, conflicts_with = "expires_at")]
		blocks: u32,
		/// The block it expires at.
		#[arg(long)]
		expires_at: Option<u32>,
	},
	/// Bind an API key to an open session (a fresh one unless --api-key is given); the
	/// gateway charges requests bearing it to the session. The key is printed once.
	Key {
		/// Session id.
		id: u64,
		/// Use this key instead of generating one.
		#[arg(long, env = "NEXUS_API_KEY", hide_env_values = true)]
		api_key: Option<String>,
	},
	/// Unbind a session's API key.
	Unkey {
		/// Session id.
		id: u64,
	},
	/// Close a session.
	Close {
		/// Session id.
		id: u64,
	},
	/// Show a session, or every session of an account (the signer's by default), or the
	/// session an API key is bound to (as the gateway finds it).
	Show {
		/// Session id.
		id: Option<u64>,
		/// Account whose sessions to list.
		#[arg(long, conflicts_with = "id")]
		account: Option<String>,
		/// The API key whose session to show.
		#[arg(long, conflicts_with_all = ["id", "account"])]
		api_key: Option<String>,
	},
}

#[derive(Args, Debug)]
struct QuoteArgs {
	/// Capsule id.
	#[arg(long)]
	capsule: u64,
	/// Input units.
	#[arg(long)]
	input: u64,
	/// Output units.
	#[arg(long)]
	output: u64,
	/// Input units read from the prompt cache.
	#[arg(long, default_value_t = 0)]
	cache_read: u64,
	/// Input units written to the prompt cache.
	#[arg(long, default_value_t = 0)]
	cache_write: u64,
	/// NXV or USDN.
	#[arg(long, default_value = "USDN")]
	asset: String,
	/// The seeker to price for (the signer by default).
	#[arg(long)]
	seeker: Option<String>,
}

/// Decimals of an asset's smallest unit.
fn decimals(asset: &str) -> u32 {
	if asset.eq_ignore_ascii_case("NXV") {
		12
	} else {
		6
	}
}

/// Parses an amount: an integer in the smallest unit, or a decimal with the asset's symbol
/// (`1.5NXV`, `20 USDN`).
/// The four prices per 1,000 units, each in USDN micro-units or e.g. `0.5USDN`.
fn parse_price(
	input: &str,
	output: &str,
	cache_read: &str,
	cache_write: &str,
) -> Result<Price, Error> {
	Ok(Price {
		per_1k_input: parse_amount(input, "USDN")?,
		per_1k_output: parse_amount(output, "USDN")?,
		per_1k_cache_read: parse_amount(cache_read, "USDN")?,
		per_1k_cache_write: parse_amount(cache_write, "USDN")?,
	})
}

fn parse_amount(s: &str, asset: &str) -> Result<u128, Error> {
	let bad = |why: &str| Error::Input(format!("amount {s:?}: {why}"));
	let t = s.trim();
	let upper = t.to_ascii_uppercase();
	let symbol = asset.to_ascii_uppercase();
	let Some(number) = upper.strip_suffix(&symbol) else {
		if upper.ends_with("NXV") || upper.ends_with("USDN") {
			return Err(bad(&format!("expected an amount of {symbol}")));
		}
		return t.parse().map_err(|_| bad("expected an integer or a decimal with a symbol"));
	};
	let number = number.trim();
	let (int, frac) = number.split_once('.').unwrap_or((number, ""));
	let places = decimals(asset);
	if frac.len() > places as usize {
		return Err(bad(&format!("{symbol} has {places} decimals")));
	}
	let scale = 10u128.pow(places);
	let int: u128 =
		if int.is_empty() { 0 } else { int.parse().map_err(|_| bad("not a number"))? };
	let frac_units: u128 = if frac.is_empty() {
		0
	} else {
		let padded = format!("{frac:0<width$}", width = places as usize);
		padded.parse().map_err(|_| bad("not a number"))?
	};
	int.checked_mul(scale)
		.and_then(|v| v.checked_add(frac_units))
		.ok_or_else(|| bad("too large"))
}

/// An amount in the smallest unit, shown with the asset's decimals.
fn show_amount(v: &str, asset: &str) -> String {
	let Ok(x) = v.parse::<u128>() else { return v.to_string() };
	let places = decimals(asset);
	let scale = 10u128.pow(places);
	let frac = format!("{:0width$}", x % scale, width = places as usize);
	let frac = frac.trim_end_matches('0');
	if frac.is_empty() {
		format!("{} {asset}", x / scale)
	} else {
		format!("{}.{frac} {asset}", x / scale)
	}
}

fn percent(ppb: u32) -> String {
	let s = format!("{:.4}", f64::from(ppb) / 10_000_000.0);
	format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

struct Ctx {
	client: Client,
	key: Option<Keypair>,
	json: bool,
}

impl Ctx {
	fn key(&self) -> Result<&Keypair, Error> {
		self.key.as_ref().ok_or_else(|| {
			Error::Key("this command signs: pass --suri, set NEXUS_SURI, or --key-file".into())
		})
	}

	/// `account`, or the signer's account.
	fn account(&self, account: Option<&str>) -> Result<AccountId32, Error> {
		match account {
			Some(a) => parse_account(a),
			None => Ok(account_of(self.key()?)),
		}
	}

	/// Reports transaction progress on stderr (quiet with --json).
	fn progress(&self) -> impl FnMut(Progress) {
		let quiet = self.json;
		move |p| {
			if quiet {
				return;
			}
			match p {
				Progress::Submitted { hash, nonce } =>
					eprintln!("submitted {hash:?} (nonce {nonce}); waiting for finality..."),
				Progress::Validated => {},
				Progress::Broadcasted => eprintln!("  broadcast"),
				Progress::InBestBlock(b) => eprintln!("  in best block {b:?}"),
				Progress::Retracted => eprintln!("  block retracted; back in the pool"),
				Progress::Finalized(b) => eprintln!("  finalized in {b:?}"),
			}
		}
	}

	fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
		if self.json {
			println!("{}", serde_json::to_string_pretty(value).unwrap_or_else(|e| e.to_string()));
		} else {
			println!("{}", human());
		}
	}
}

fn capsule_line(c: &rpc::Capsule) -> String {
	format!(
		"#{:<4} {:<24} {:<8} {:<9} in {}/1k out {}/1k cache read {}/1k write {}/1k  cap {}/{}  \
		 trust {} uptime {}  owner {}",
		c.id,
		c.offering,
		c.lane,
		c.status,
		show_amount(&c.price.per1k_input, "USDN"),
		show_amount(&c.price.per1k_output, "USDN"),
		show_amount(&c.price.per1k_cache_read, "USDN"),
		show_amount(&c.price.per1k_cache_write, "USDN"),
		c.capacity,
		c.window,
		percent(c.trust),
		percent(c.uptime),
		c.owner
	)
}

fn session_line(s: &rpc::Session) -> String {
	format!(
		"session {} on gateway {}: spent {} of {} ({} left), expires at #{}, {}",
		s.id,
		s.gateway,
		show_amount(&s.spent, &s.asset),
		show_amount(&s.cap, &s.asset),
		show_amount(&s.remaining, &s.asset),
		s.expires_at,
		match &s.closed {
			Some(c) => format!(
				"closed at #{} (last seq {}), releases at #{}",
				c.at, c.last_seq, s.release_at
			),
			None => "open".into(),
		}
	)
}

async fn run(cli: Cli) -> Result<(), Error> {
	let suri = match (&cli.suri, &cli.key_file) {
		(Some(s), _) => Some(s.clone()),
		(None, Some(path)) => Some(
			std::fs::read_to_string(path)
				.map_err(|e| Error::Key(format!("{}: {e}", path.display())))?
				.lines()
				.next()
				.unwrap_or_default()
				.to_string(),
		),
		(None, None) => None,
	};
	let key = suri.as_deref().map(keypair).transpose()?;
	let client = Client::connect(&cli.url).await?;
	let ctx = Ctx { client, key, json: cli.json };
	let c = &ctx.client;

	match cli.command {
		Command::Capsule(CapsuleCmd::Register(a)) => {
			let commitment = match (a.commitment, &a.endpoint, &a.credential) {
				(Some(h), _, _) => h,
				(None, Some(e), Some(k)) => commitment_of(e, k, a.wire.wire()?.as_ref()),
				_ =>
					return Err(Error::Input(
						"give --endpoint and --credential, or --commitment".into(),
					)),
			};
			let spec = CapsuleRegistration {
				offering: a.offering,
				premium: a.premium,
				price: parse_price(
					&a.per_1k_input,
					&a.per_1k_output,
					&a.per_1k_cache_read,
					&a.per_1k_cache_write,
				)?,
				capacity: a.capacity,
				window: a.window,
				concurrency: a.concurrency,
				region: a.region,
				endpoint_commitment: commitment,
				metadata: a.metadata.into_bytes(),
			};
			let r = c.register_capsule(ctx.key()?, spec, ctx.progress()).await?;
			ctx.print(&r, || {
				format!(
					"registered capsule {} (bond {}, deposit {}) in {}",
					r.id,
					show_amount(&r.bond, "NXV"),
					show_amount(&r.deposit, "NXV"),
					r.block
				)
			});
		},
		Command::Capsule(CapsuleCmd::Update(a)) => {
			let mut blocks = Vec::new();
			if let (Some(i), Some(o), Some(r), Some(w)) =
				(&a.per_1k_input, &a.per_1k_output, &a.per_1k_cache_read, &a.per_1k_cache_write)
			{
				let price = parse_price(i, o, r, w)?;
				blocks.push(c.announce_price(ctx.key()?, a.id, price, ctx.progress()).await?.block);
			}
			if let (Some(cap), Some(w), Some(n)) = (a.capacity, a.window, a.concurrency) {
				blocks
					.push(c.set_capacity(ctx.key()?, a.id, cap, w, n, ctx.progress()).await?.block);
			}
			if blocks.is_empty() {
				return Err(Error::Input(
					"nothing to update: give the four --per-1k-* prices and/or \
					 --capacity/--window/--concurrency"
						.into(),
				));
			}
			let info = c.capsule(a.id).await?;
			ctx.print(&info, || capsule_line(&info));
		},
		Command::Capsule(CapsuleCmd::Pause { id }) => {
			let r = c.pause_capsule(ctx.key()?, id, ctx.progress()).await?;
			ctx.print(&r, || format!("paused capsule {id} in {}", r.block));
		},
		Command::Capsule(CapsuleCmd::Resume { id }) => {
			let r = c.resume_capsule(ctx.key()?, id, ctx.progress()).await?;
			ctx.print(&r, || format!("resumed capsule {id} in {}", r.block));
		},
		Command::Capsule(CapsuleCmd::Retire { id }) => {
			let r = c.retire_capsule(ctx.key()?, id, ctx.progress()).await?;
			ctx.print(&r, || format!("retired capsule {id} in {}", r.block));
		},
		Command::Capsule(CapsuleCmd::Show { id }) => {
			let info = c.capsule(id).await?;
			ctx.print(&info, || capsule_line(&info));
		},
		Command::Capsule(CapsuleCmd::Endpoint { id, gateway, endpoint, credential, wire }) => {
			let wire = wire.wire()?;
			let answer =
				register_endpoint(&gateway, ctx.key()?, id, &endpoint, &credential, wire.as_ref())
					.await?;
			ctx.print(&answer, || format!("capsule {id}: endpoint registered with {gateway}"));
		},
		Command::Dispute { gateway, api_key, seq } => {
			let evidence = nexus_client::receipt_evidence(&gateway, &api_key, seq).await?;
			let d = c.dispute_receipt(ctx.key()?, &evidence, ctx.progress()).await?;
			ctx.print(&d, || {
				format!(
					"disputed receipt {} of session {} (batch {}); deposit {} held until the ruling",
					d.seq, d.session, d.batch, d.deposit
				)
			});
		},
		Command::Receipt { gateway, api_key, seq } => {
			let e = nexus_client::receipt_evidence(&gateway, &api_key, seq).await?;
			let verified = c.verify_evidence(&e).await?;
			let l = &e.leaf;
			let verdict = match l.verdict {
				nexus_client::receipts::Verdict::Settled => "settled".to_string(),
				nexus_client::receipts::Verdict::Recorded => "recorded".to_string(),
				nexus_client::receipts::Verdict::Rejected(why) => format!("rejected: {why:?}"),
			};
			let value = serde_json::json!({
				"batch": e.batch,
				"session": l.session,
				"seq": l.seq,
				"capsule": l.capsule,
				"verdict": verdict,
				"charge": l.charge.to_string(),
				"providerAmount": l.provider_amount.to_string(),
				"units": {
					"input": l.units.input,
					"output": l.units.output,
					"cacheRead": l.units.cache_read,
					"cacheWrite": l.units.cache_write,
				},
				"timeMs": l.time_ms,
				"verified": verified,
			});
			ctx.print(&value, || {
				let proof = match verified {
					Some(true) => "proven against the chain's commitment",
					Some(false) => "NOT proven: the proof does not match the chain's commitment",
					None => "the chain no longer keeps this batch's commitment",
				};
				format!(
					"receipt {} of session {} (batch {}): {verdict}, charged {} (provider {}); {proof}",
					l.seq, l.session, e.batch, l.charge, l.provider_amount
				)
			});
		},
		Command::Capsule(CapsuleCmd::List(a)) => {
			let owner = if a.mine { Some(ctx.account(None)?.to_string()) } else { a.owner };
			let filter =
				rpc::CapsuleQuery { lane: a.lane, offering: a.offering, status: a.status, owner };
			let list = c.all_capsules(&filter).await?;
			ctx.print(&list, || {
				if list.is_empty() {
					"no capsules".into()
				} else {
					list.iter().map(capsule_line).collect::<Vec<_>>().join("\n")
				}
			});
		},
		Command::Tier(TierCmd::Stake { amount }) => {
			let r = c.stake(ctx.key()?, parse_amount(&amount, "NXV")?, ctx.progress()).await?;
			ctx.print(&r, || {
				format!(
					"staked: {} active, tier {}",
					show_amount(&r.active, "NXV"),
					r.tier.unwrap_or_default()
				)
			});
		},
		Command::Tier(TierCmd::Unstake { amount }) => {
			let r = c.unstake(ctx.key()?, parse_amount(&amount, "NXV")?, ctx.progress()).await?;
			ctx.print(&r, || {
				format!(
					"unstaking: {} still active; withdrawable from block #{}",
					show_amount(&r.active, "NXV"),
					r.unlock_at.unwrap_or_default()
				)
			});
		},
		Command::Tier(TierCmd::Show { account }) => {
			let who = ctx.account(account.as_deref())?;
			let t = c.tier(&who).await?;
			ctx.print(&t, || {
				let mut out = format!(
					"{}: tier {} ({} active stake; rate limit {} units/hour, premium lanes {}, discount {})",
					t.account,
					t.tier.index,
					show_amount(&t.active, "NXV"),
					t.tier.rate_limit,
					if t.tier.premium_lanes { "yes" } else { "no" },
					percent(t.tier.commitment_discount)
				);
				if let Some(next) = &t.next_threshold {
					out.push_str(&format!("\nnext tier at {}", show_amount(next, "NXV")));
				}
				for u in &t.unlocking {
					out.push_str(&format!(
						"\nunlocking {} at #{}",
						show_amount(&u.amount, "NXV"),
						u.unlock_at
					));
				}
				out
			});
		},
		Command::Tier(TierCmd::Table) => {
			let table = c.tier_table().await?;
			ctx.print(&table, || {
				table
					.iter()
					.map(|t| {
						format!(
							"tier {}: from {}, {} units/hour, premium {}, priority {}, discount {}",
							t.index,
							show_amount(&t.threshold, "NXV"),
							t.rate_limit,
							if t.premium_lanes { "yes" } else { "no" },
							t.failover_priority,
							percent(t.commitment_discount)
						)
					})
					.collect::<Vec<_>>()
					.join("\n")
			});
		},
		Command::Escrow(EscrowCmd::Deposit { amount, asset }) => {
			let kind = parse_asset(&asset)?;
			let v = parse_amount(&amount, &asset)?;
			c.deposit(ctx.key()?, kind, v, ctx.progress()).await?;
			let e = c.escrow(&ctx.account(None)?).await?;
			ctx.print(&e, || format!("deposited {}", show_amount(&v.to_string(), &asset)));
		},
		Command::Escrow(EscrowCmd::Withdraw { amount, asset }) => {
			let kind = parse_asset(&asset)?;
			let v = parse_amount(&amount, &asset)?;
			c.withdraw(ctx.key()?, kind, v, ctx.progress()).await?;
			let e = c.escrow(&ctx.account(None)?).await?;
			ctx.print(&e, || format!("withdrew {}", show_amount(&v.to_string(), &asset)));
		},
		Command::Escrow(EscrowCmd::Show { account }) => {
			let who = ctx.account(account.as_deref())?;
			let e = c.escrow(&who).await?;
			ctx.print(&e, || {
				if e.is_empty() {
					"no escrow".into()
				} else {
					e.iter()
						.map(|l| {
							format!(
								"{}: {} free, {} committed",
								l.asset,
								show_amount(&l.free, &l.asset),
								show_amount(&l.committed, &l.asset)
							)
						})
						.collect::<Vec<_>>()
						.join("\n")
				}
			});
		},
		Command::Session(SessionCmd::Open { gateway, asset, cap, blocks, expires_at }) => {
			let kind = parse_asset(&asset)?;
			let cap = parse_amount(&cap, &asset)?;
			let expires_at = match expires_at {
				Some(b) => b,
				None => c.best_number().await?.saturating_add(blocks),
			};
			let r = c
				.open_session(ctx.key()?, gateway, kind, cap, expires_at, ctx.progress())
				.await?;
			ctx.print(&r, || {
				format!("opened session {} (expires at #{}) in {}", r.id, r.expires_at, r.block)
			});
		},
		Command::Session(SessionCmd::Key { id, api_key }) => {
			let key = match api_key {
				Some(k) => k,
				None => nexus_client::generate_api_key()?,
			};
			let r = c.bind_api_key(ctx.key()?, id, &key, ctx.progress()).await?;
			ctx.print(&r, || {
				format!(
					"bound to session {id}; API key (shown once, keep it secret):\n{}",
					r.api_key
				)
			});
		},
		Command::Session(SessionCmd::Unkey { id }) => {
			let r = c.unbind_api_key(ctx.key()?, id, ctx.progress()).await?;
			ctx.print(&r, || format!("unbound the API key of session {id}"));
		},
		Command::Session(SessionCmd::Close { id }) => {
			let r = c.close_session(ctx.key()?, id, ctx.progress()).await?;
			ctx.print(&r, || {
				format!("closed session {id}; unspent cap released at #{}", r.release_at)
			});
		},
		Command::Session(SessionCmd::Show { id: Some(id), .. }) => {
			let s = c.session(id).await?;
			ctx.print(&s, || session_line(&s));
		},
		Command::Session(SessionCmd::Show { api_key: Some(key), .. }) => {
			let id = c
				.session_of_key(&key)
				.await?
				.ok_or_else(|| Error::Input("no session has this API key bound".into()))?;
			let s = c.session(id).await?;
			ctx.print(&s, || session_line(&s));
		},
		Command::Session(SessionCmd::Show { id: None, account, .. }) => {
			let who = ctx.account(account.as_deref())?;
			let list = c.sessions(&who).await?;
			ctx.print(&list, || {
				if list.is_empty() {
					"no sessions".into()
				} else {
					list.iter().map(session_line).collect::<Vec<_>>().join("\n")
				}
			});
		},
		Command::Quote(q) => {
			let seeker = ctx.account(q.seeker.as_deref())?;
			let units = Units {
				input: q.input,
				output: q.output,
				cache_read: q.cache_read,
				cache_write: q.cache_write,
			};
			let r = c.quote_units(&seeker, q.capsule, units, &q.asset).await?;
			ctx.print(&r, || {
				format!(
					"{} in + {} out + {} cache read + {} cache write on capsule {}: list {}, \
					 discount {}, seeker pays {}\n  provider {}, treasury {}, buyback {}, \
					 validators {}, reserve {}",
					r.input_units,
					r.output_units,
					r.cache_read_units,
					r.cache_write_units,
					r.capsule,
					show_amount(&r.list, "USDN"),
					percent(r.discount),
					show_amount(&r.net, &r.asset),
					show_amount(&r.legs.provider, &r.asset),
					show_amount(&r.legs.treasury, &r.asset),
					show_amount(&r.legs.buyback, &r.asset),
					show_amount(&r.legs.validators, &r.asset),
					show_amount(&r.legs.reserve, &r.asset)
				)
			});
		},
		Command::Supply => {
			let s = c.supply().await?;
			ctx.print(&s, || {
				[
					("total", &s.total),
					("circulating", &s.circulating),
					("vesting", &s.vesting),
					("bonded", &s.bonded),
					("marketplace held", &s.marketplace_held),
					("emissions pool", &s.emissions_pool),
					("treasury", &s.treasury),
					("reward pot", &s.reward_pot),
					("liquidity reserve", &s.liquidity_reserve),
					("settlement pots", &s.settlement_pots),
					("liquidity pools", &s.liquidity_pools),
				]
				.iter()
				.map(|(k, v)| format!("{k:<18} {}", show_amount(v, "NXV")))
				.collect::<Vec<_>>()
				.join("\n")
			});
		},
		Command::Fees => {
			let f = c.fee_parameters().await?;
			ctx.print(&f, || {
				format!(
					"take rate {} (max {}), split: treasury {}, buyback {}, validators {}, reserve \
					 {}\nNXV discount {}, combined discount cap {} (max {}), step ≤ {}, next change \
					 from #{}",
					percent(f.take_rate),
					percent(f.max_take_rate),
					percent(f.treasury_share),
					percent(f.buyback_share),
					percent(f.validators_share),
					percent(f.reserve_share),
					percent(f.nxv_discount),
					percent(f.max_discount),
					percent(f.max_combined_discount),
					percent(f.max_step),
					f.next_change_at
				)
			});
		},
	}
	Ok(())
}

fn error_kind(e: &Error) -> &'static str {
	match e {
		Error::Input(_) => "input",
		Error::Key(_) => "key",
		Error::Rpc { .. } => "rpc",
		Error::Dispatch(_) => "dispatch",
		Error::Rejected { .. } => "rejected",
		Error::MissingEvent(_) => "missing-event",
		Error::Untracked { .. } => "untracked",
		Error::Gateway(_) => "gateway",
		Error::Subxt(_) => "connection",
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	let json = cli.json;
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			if json {
				let mut err =
					serde_json::json!({ "kind": error_kind(&e), "message": e.to_string() });
				if let Error::Rpc { code, .. } = &e {
					err["code"] = (*code).into();
				}
				println!("{}", serde_json::json!({ "error": err }));
			}
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_in_units_and_with_symbols() {
		assert_eq!(parse_amount("1500", "USDN").ok(), Some(1500));
		assert_eq!(parse_amount("1.5USDN", "USDN").ok(), Some(1_500_000));
		assert_eq!(parse_amount("20 usdn", "USDN").ok(), Some(20_000_000));
		assert_eq!(parse_amount("0.000000000001NXV", "NXV").ok(), Some(1));
		assert!(parse_amount("0.0000001USDN", "USDN").is_err(), "more decimals than USDN has");
		assert!(parse_amount("5NXV", "USDN").is_err(), "wrong symbol");
		assert!(parse_amount("-1", "USDN").is_err());
		assert!(parse_amount("340282366920938463463374607431768211455NXV", "NXV").is_err());
	}

	#[test]
	fn amounts_show_with_decimals() {
		assert_eq!(show_amount("1500000", "USDN"), "1.5 USDN");
		assert_eq!(show_amount("1000000000000", "NXV"), "1 NXV");
		assert_eq!(show_amount("1", "NXV"), "0.000000000001 NXV");
		assert_eq!(percent(150_000_000), "15%");
		assert_eq!(percent(12_345_678), "1.2346%");
	}
}
