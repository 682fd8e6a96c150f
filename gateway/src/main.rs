//! `nexus-gateway`: the OpenAI-compatible gateway of Nexus Vault (see `docs/gateway.md`).
//!
//! Seekers call it with an API key bound on chain to an open session; it routes each request
//! to a provider capsule (with failover), meters the upstream's usage into a signed receipt
//! that is committed to an embedded database before the response completes, and settlement
//! ([`settle`]) posts the receipts to the chain in signed batches and records each verdict,
//! exactly once.

mod api;
mod chain;
mod commit;
mod config;
mod endpoints;
mod errors;
mod metrics;
mod probe;
mod server;
mod settle;
mod store;

use clap::Parser;
use std::{path::PathBuf, sync::Arc, time::Duration};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// The Nexus Vault gateway.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Opts {
	/// A TOML configuration file (every field may also be set as `NEXUS_GATEWAY_<FIELD>`).
	#[arg(long, short, env = "NEXUS_GATEWAY_CONFIG")]
	config: Option<PathBuf>,
}

async fn shutdown_signal() {
	let ctrl_c = async {
		let _ = tokio::signal::ctrl_c().await;
	};
	#[cfg(unix)]
	let term = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut s) => {
				s.recv().await;
			},
			Err(_) => std::future::pending::<()>().await,
		}
	};
	#[cfg(not(unix))]
	let term = std::future::pending::<()>();
	tokio::select! { _ = ctrl_c => {}, _ = term => {} }
	tracing::info!(target: "gateway", "shutting down: draining requests in flight");
}

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_writer(std::io::stderr)
		.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
		.init();
	if let Err(e) = run(Opts::parse()).await {
		tracing::error!(target: "gateway", "{e}");
		std::process::exit(1);
	}
}

async fn run(opts: Opts) -> Result<(), Box<dyn std::error::Error>> {
	let config = config::Config::load(opts.config.as_deref())?;
	let operator = nexus_client::keypair(&config.operator_suri()?)?;
	let signing = match &config.signing_suri {
		Some(s) => nexus_client::keypair(s)?,
		None => operator.clone(),
	};

	let chain = chain::Chain::connect(&config.node_url, config.gateway_id).await?;
	check_gateway(&chain, &operator, &signing).await?;
	std::fs::create_dir_all(&config.data_dir)?;
	let genesis = format!("{:?}", chain.genesis);
	let store =
		store::Store::open(&config.data_dir.join("gateway.redb"), &genesis, config.gateway_id)?;
	let key_file = config
		.master_key_file
		.clone()
		.unwrap_or_else(|| config.data_dir.join("master.key"));
	let vault = endpoints::Vault::load(&key_file)?;
	for (capsule, sealed) in store.endpoints()? {
		vault.insert(capsule, vault.unseal(capsule, &sealed)?);
	}
	let http = reqwest::Client::builder()
		.pool_max_idle_per_host(64)
		.tcp_nodelay(true)
		.build()?;
	let metrics = metrics::Metrics::new()?;
	let receipts = {
		let group = metrics.commit_group.clone();
		commit::Committer::start(store.clone(), move |n| group.observe(n as f64))?
	};
	let app = Arc::new(api::App {
		config: config.clone(),
		chain: chain.clone(),
		store,
		receipts,
		vault,
		metrics,
		http,
		submit: tokio::sync::Notify::new(),
		blocks: tokio::sync::Notify::new(),
		ledger: Default::default(),
		probes: Default::default(),
		streams: TaskTracker::new(),
		nonces: Default::default(),
	});
	app.load_ledger()?;
	tracing::info!(
		target: "gateway",
		"gateway {} on {} (genesis {genesis}); {} endpoints; {} receipts pending",
		config.gateway_id,
		config.node_url,
		app.vault.capsules().len(),
		app.metrics.pending.get(),
	);

	let stop = CancellationToken::new();
	let follower = {
		let app = app.clone();
		tokio::spawn(chain.clone().follow(move |n| {
			app.metrics.best_block.set(i64::try_from(n).unwrap_or(i64::MAX));
			app.blocks.notify_waiters();
		}))
	};
	let grace = Duration::from_secs(config.shutdown_grace_secs);
	let submitter = tokio::spawn(settle::run(
		app.clone(),
		settle::poster::Keys { operator: operator.clone(), signing },
		stop.clone(),
		grace,
	));
	let prober = tokio::spawn(probe::probe(app.clone(), operator, stop.clone()));
	let prune = {
		let app = app.clone();
		let stop = stop.clone();
		tokio::spawn(async move {
			let keep = app.config.retention_days.saturating_mul(86_400_000);
			loop {
				tokio::select! {
					_ = tokio::time::sleep(Duration::from_secs(600)) => {},
					_ = stop.cancelled() => return,
				}
				let store = app.store.clone();
				let before = api::now_ms().saturating_sub(keep);
				let _ = tokio::task::spawn_blocking(move || store.prune(before, 10_000)).await;
			}
		})
	};

	let listener = tokio::net::TcpListener::bind(config.listen).await?;
	tracing::info!(target: "gateway", "listening on http://{}", listener.local_addr()?);
	let limits = server::Limits {
		header_timeout: Duration::from_secs(config.header_timeout_secs),
		write_timeout: Duration::from_secs(config.write_timeout_secs),
		max_connections: config.max_connections,
		grace,
	};
	server::serve(listener, api::router(app.clone()), limits, shutdown_signal()).await;
	// Requests are drained; streams still copying from upstreams finish and are metered.
	app.streams.close();
	let _ = tokio::time::timeout(grace, app.streams.wait()).await;
	stop.cancel();
	let _ = tokio::time::timeout(grace + Duration::from_secs(5), submitter).await;
	prober.abort();
	prune.abort();
	follower.abort();
	let pending = app.store.counts().map(|c| c.get("pending").copied().unwrap_or(0)).unwrap_or(0);
	tracing::info!(target: "gateway", "stopped; {pending} receipts pending for the next start");
	Ok(())
}

/// Refuses to start unless the chain has this gateway, active, operated by `operator` and
/// verifying with `signing`'s key.
async fn check_gateway(
	chain: &chain::Chain,
	operator: &subxt_signer::sr25519::Keypair,
	signing: &subxt_signer::sr25519::Keypair,
) -> Result<(), Box<dyn std::error::Error>> {
	use nexus_client::runtime::{self, runtime_types::pallet_metering::types::GatewayStatus};
	let at = chain.client.api().at_current_block().await?;
	let gateway = at
		.storage()
		.try_fetch(runtime::storage().metering().gateways(), (chain.gateway,))
		.await?
		.ok_or_else(|| format!("gateway {} is not registered on this chain", chain.gateway))?
		.decode()?;
	let operator_id = nexus_client::account_of(operator);
	if gateway.operator != operator_id {
		return Err(format!(
			"gateway {} is operated by {}, not by the configured operator {operator_id}",
			chain.gateway, gateway.operator
		)
		.into());
	}
	if gateway.key != signing.public_key().0 {
		return Err(
			format!("the signing key is not gateway {}'s registered key", chain.gateway).into()
		);
	}
	if gateway.status != GatewayStatus::Active {
		tracing::warn!(target: "gateway", "gateway {} is suspended: receipts will wait until it is resumed", chain.gateway);
	}
	Ok(())
}
