//! # nexus-upgrade-check
//!
//! Rehearses a runtime upgrade on a real chain's state before it is proposed:
//!
//! ```sh
//! nexus-upgrade-check snapshot --uri ws://127.0.0.1:9944 --out chain.snap
//! nexus-upgrade-check on-runtime-upgrade --runtime nexus_runtime_try_runtime.wasm --snapshot chain.snap
//! nexus-upgrade-check on-runtime-upgrade --runtime … --uri ws://127.0.0.1:9944   # live state
//! ```
//!
//! `snapshot` downloads the whole state at the node's finalized head (or `--at`) with
//! `frame-remote-externalities` and writes it to a file. `on-runtime-upgrade` loads such a
//! state (or downloads it), puts the new runtime's wasm in `:code`, and calls the runtime API
//! `TryRuntime_on_runtime_upgrade` in the wasm executor the node uses, as `try-runtime-cli`
//! does. The runtime must be built with the `try-runtime` feature (`scripts/upgrade-check.sh`
//! builds it). It asserts:
//! - the new runtime is the same chain (`spec_name`) and a newer version (`spec_version` greater;
//!   `--allow-same-spec-version` for rehearsing the running version itself);
//! - every migration's `pre_upgrade` and `post_upgrade` check, including FRAME's check that each
//!   pallet's on-chain storage version equals its code's, and the runtime's cross-pallet invariants
//!   (`runtime/src/invariants.rs`, asserted by the runtime's `TryRuntime` API after every migration
//!   and pallet hook);
//! - every pallet's `try_state`, and that the whole state still decodes;
//! - the migrations fit in a block: the weight they report is below the block's maximum;
//! - idempotency: running the migrations again changes nothing (same storage root).
//!
//! Exit status 0 when every check passes, 1 otherwise (the reason is printed).

use clap::{Parser, Subcommand, ValueEnum};
use codec::{Decode, Encode};
use frame_remote_externalities::{
	Builder, Mode, OfflineConfig, OnlineConfig, RemoteExternalities, SnapshotConfig,
};
use sc_executor::WasmExecutor;
use sp_core::{
	traits::{CallContext, ReadRuntimeVersion, RuntimeCode, WrappedRuntimeCode},
	H256,
};
use sp_runtime::{generic, traits::BlakeTwo256, OpaqueExtrinsic};
use sp_state_machine::{OverlayedChanges, StateMachine};
use sp_version::RuntimeVersion;
use sp_weights::Weight;
use std::{borrow::Cow, path::PathBuf, process::ExitCode};

/// The chain's blocks, opaque (only the header matters here).
type Block = generic::Block<nexus_primitives::Header, OpaqueExtrinsic>;

/// The `TryRuntime` runtime API's id, as `sp-api` derives it from the trait's name.
fn try_runtime_api_id() -> [u8; 8] {
	sp_crypto_hashing::blake2_64(b"TryRuntime")
}

#[derive(Parser)]
#[command(
	name = "nexus-upgrade-check",
	version,
	about = "Rehearses a Nexus Vault runtime upgrade on a real chain's state (try-runtime checks)."
)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Saves a running node's state (at its finalized head, or `--at`) to a snapshot file.
	Snapshot {
		/// The node's WebSocket RPC.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		uri: String,
		/// The block whose state to save (default: the finalized head).
		#[arg(long)]
		at: Option<H256>,
		/// The snapshot file to write.
		#[arg(long)]
		out: PathBuf,
	},
	/// Upgrades a state to `--runtime` and runs the checks.
	OnRuntimeUpgrade(UpgradeArgs),
}

#[derive(clap::Args)]
struct UpgradeArgs {
	/// The new runtime's wasm, built with the `try-runtime` feature (compressed or not).
	#[arg(long)]
	runtime: PathBuf,
	/// A snapshot written by `snapshot`.
	#[arg(long, required_unless_present = "uri", conflicts_with = "uri")]
	snapshot: Option<PathBuf>,
	/// A node's WebSocket RPC, to download the state from (its finalized head).
	#[arg(long)]
	uri: Option<String>,
	/// Which of the runtime's checks to run.
	#[arg(long, value_enum, default_value_t = Checks::All)]
	checks: Checks,
	/// Accept a runtime with the same `spec_version` as the state's (a rehearsal of the running
	/// runtime's own migrations, as the test suite does on a development chain).
	#[arg(long)]
	allow_same_spec_version: bool,
}

/// `frame_support::traits::UpgradeCheckSelect`, in its SCALE order.
#[derive(Clone, Copy, ValueEnum, Debug)]
enum Checks {
	/// Only the migrations.
	None,
	/// Pre/post-upgrade hooks, then every pallet's `try_state` and a decode of the whole state.
	All,
	/// Pre/post-upgrade hooks only.
	PreAndPost,
	/// `try_state` and the state decode only.
	TryState,
}

impl Checks {
	fn encoded(self) -> Vec<u8> {
		let index: u8 = match self {
			Checks::None => 0,
			Checks::All => 1,
			Checks::PreAndPost => 2,
			Checks::TryState => 3,
		};
		index.encode()
	}
}

fn main() -> ExitCode {
	if std::env::var_os("RUST_LOG").is_none() {
		std::env::set_var("RUST_LOG", "info");
	}
	sp_tracing::try_init_simple();
	let cli = Cli::parse();
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(r) => r,
		Err(e) => {
			eprintln!("error: cannot start the async runtime: {e}");
			return ExitCode::FAILURE;
		},
	};
	let result = runtime.block_on(async {
		match cli.command {
			Command::Snapshot { uri, at, out } => snapshot(uri, at, out).await,
			Command::OnRuntimeUpgrade(args) => on_runtime_upgrade(args).await,
		}
	});
	match result {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}

async fn snapshot(uri: String, at: Option<H256>, out: PathBuf) -> Result<(), String> {
	let ext = Builder::<Block>::new()
		.mode(Mode::Online(OnlineConfig {
			transport_uris: vec![uri.clone()],
			at,
			state_snapshot: Some(SnapshotConfig::new(out.clone())),
			..Default::default()
		}))
		.build()
		.await
		.map_err(|e| format!("cannot download the state from {uri}: {e}"))?;
	println!(
		"snapshot of block #{} ({:?}) written to {}",
		ext.header.number,
		ext.header.hash(),
		out.display()
	);
	Ok(())
}

/// The runtime version `code` declares.
fn version_of(
	executor: &WasmExecutor<sp_io::SubstrateHostFunctions>,
	code: &[u8],
	ext: &mut RemoteExternalities<Block>,
) -> Result<RuntimeVersion, String> {
	let encoded = executor.read_runtime_version(code, &mut ext.ext())?;
	RuntimeVersion::decode(&mut &encoded[..]).map_err(|e| format!("bad runtime version: {e}"))
}

/// Calls the runtime API `method` of `code` on the state, keeping its changes in `overlay`.
fn call(
	executor: &WasmExecutor<sp_io::SubstrateHostFunctions>,
	ext: &RemoteExternalities<Block>,
	overlay: &mut OverlayedChanges<BlakeTwo256>,
	code: &[u8],
	method: &str,
	data: &[u8],
) -> Result<Vec<u8>, String> {
	let fetcher = WrappedRuntimeCode(Cow::Borrowed(code));
	let runtime_code = RuntimeCode {
		code_fetcher: &fetcher,
		heap_pages: None,
		hash: sp_crypto_hashing::blake2_256(code).to_vec(),
	};
	let mut extensions = Default::default();
	let mut machine = StateMachine::new(
		&ext.backend,
		overlay,
		executor,
		method,
		data,
		&mut extensions,
		&runtime_code,
		CallContext::Offchain,
	);
	let result = machine.execute().map_err(|e| format!("{method} failed: {e}"));
	drop(machine);
	result
}

async fn on_runtime_upgrade(args: UpgradeArgs) -> Result<(), String> {
	let new_code = std::fs::read(&args.runtime)
		.map_err(|e| format!("cannot read {}: {e}", args.runtime.display()))?;
	let mode = match (&args.snapshot, &args.uri) {
		(Some(path), _) =>
			Mode::Offline(OfflineConfig { state_snapshot: SnapshotConfig::new(path) }),
		(None, Some(uri)) =>
			Mode::Online(OnlineConfig { transport_uris: vec![uri.clone()], ..Default::default() }),
		(None, None) => return Err("give --snapshot or --uri".into()),
	};
	let mut ext = Builder::<Block>::new()
		.mode(mode)
		.build()
		.await
		.map_err(|e| format!("cannot load the state: {e}"))?;
	println!("state of block #{} ({:?})", ext.header.number, ext.header.hash());

	let executor = WasmExecutor::<sp_io::SubstrateHostFunctions>::builder().build();
	let old_code = ext
		.execute_with(|| sp_io::storage::get(sp_core::storage::well_known_keys::CODE))
		.ok_or("the state holds no runtime (:code)")?;
	let old = version_of(&executor, &old_code, &mut ext)?;
	let new = version_of(&executor, &new_code, &mut ext)?;
	println!(
		"runtime {} {} -> {} {}",
		old.spec_name, old.spec_version, new.spec_name, new.spec_version
	);
	if new.spec_name != old.spec_name {
		return Err(format!(
			"the new runtime is {}, the chain runs {}",
			new.spec_name, old.spec_name
		));
	}
	if new.spec_version < old.spec_version ||
		(new.spec_version == old.spec_version && !args.allow_same_spec_version)
	{
		return Err(format!(
			"spec_version {} does not increase on {} (pass --allow-same-spec-version to rehearse \
			 the running version)",
			new.spec_version, old.spec_version
		));
	}
	if new.api_version(&try_runtime_api_id()).is_none() {
		return Err(
			"the new runtime has no TryRuntime API: build it with --features try-runtime".into()
		);
	}
	ext.insert(sp_core::storage::well_known_keys::CODE.to_vec(), new_code.clone());

	let mut overlay = OverlayedChanges::<BlakeTwo256>::default();
	let out = call(
		&executor,
		&ext,
		&mut overlay,
		&new_code,
		"TryRuntime_on_runtime_upgrade",
		&args.checks.encoded(),
	)?;
	let (used, max) = <(Weight, Weight)>::decode(&mut &out[..])
		.map_err(|e| format!("bad TryRuntime_on_runtime_upgrade answer: {e}"))?;
	let percent = u128::from(used.ref_time())
		.saturating_mul(100)
		.checked_div(u128::from(max.ref_time().max(1)))
		.unwrap_or(0);
	println!(
		"migrations ran with checks {:?}: weight {} of {} ps ({percent} % of a block), proof size {} B",
		args.checks,
		used.ref_time(),
		max.ref_time(),
		used.proof_size()
	);
	if used.any_gt(max) {
		return Err("the migrations do not fit in a block".into());
	}

	// Idempotency: the migrations again, on the upgraded state, must change nothing.
	let state_version = ext.state_version;
	let before = overlay.storage_root(&ext.backend, state_version).0;
	overlay.start_transaction();
	call(
		&executor,
		&ext,
		&mut overlay,
		&new_code,
		"TryRuntime_on_runtime_upgrade",
		&Checks::None.encoded(),
	)
	.map_err(|e| format!("the second run of the migrations failed: {e}"))?;
	let after = overlay.storage_root(&ext.backend, state_version).0;
	let _ = overlay.rollback_transaction();
	if before != after {
		return Err(format!(
			"the migrations are not idempotent: a second run changed the storage root {before:?} -> {after:?}"
		));
	}
	println!("idempotent: a second run leaves the storage root at {before:?}");
	println!("all upgrade checks passed");
	Ok(())
}
