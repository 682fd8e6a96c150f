//! `nexus-gateway`: the gateway of Nexus Vault (see `docs/gateway.md`), as a library; the
//! `nexus-gateway` binary is [`run`] behind a command line.
//!
//! Seekers call it with an API key bound on chain to an open session, in the API their client
//! speaks — OpenAI Chat Completions, Anthropic Messages (Claude Code) or OpenAI Responses
//! (Codex) ([`seekers`]); it routes each request to a provider capsule (with failover and
//! conversation stickiness), in the wire format that capsule's upstream speaks ([`wire`]:
//! passed through when the formats agree, translated when they differ) ([`proxy`]), meters the
//! upstream's usage — input, output, prompt-cache reads and writes — into a signed receipt that
//! is committed to an embedded database before the response completes ([`store`], [`commit`]),
//! and settlement ([`settle`]) posts the receipts to the chain in signed batches and records
//! each verdict, exactly once.
//!
//! The modules: the router ([`routes::app`]) and its handlers ([`proxy`], [`admin`]); what a
//! request may take ([`admission`]); the state they share ([`app`]); the chain's views
//! ([`chain`]); providers' sealed upstreams ([`endpoints`]) and calls to them ([`upstream`]);
//! health probes ([`probe`]); the HTTP server's limits ([`server`]); configuration
//! ([`config`]) and metrics ([`metrics`]).

pub mod admin;
pub mod admission;
pub mod app;
pub mod chain;
pub mod commit;
pub mod config;
pub mod endpoints;
pub mod errors;
pub mod metrics;
pub mod probe;
pub mod proxy;
pub mod routes;
pub mod seekers;
pub mod server;
pub mod settle;
pub mod sticky;
pub mod store;
pub mod upstream;
pub mod wire;

pub use routes::app;

use std::{future::Future, sync::Arc, time::Duration};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// A started gateway: its state, and the work it does in the background (following the chain,
/// settling receipts, probing upstreams, pruning the store).
pub struct Gateway {
	/// The state every request shares.
	pub app: Arc<app::App>,
	stop: CancellationToken,
	submitter: tokio::task::JoinHandle<()>,
	background: Vec<tokio::task::JoinHandle<()>>,
	grace: Duration,
}

impl Gateway {
	/// The router over this gateway's state.
	pub fn router(&self) -> axum::Router {
		routes::app(self.app.clone())
	}

	/// Stops: streams still copying from upstreams finish and are metered, then the
	/// submitter posts what is pending (each within `shutdown_grace_secs`).
	pub async fn stop(self) {
		self.app.streams.close();
		let _ = tokio::time::timeout(self.grace, self.app.streams.wait()).await;
		self.stop.cancel();
		let _ = tokio::time::timeout(self.grace + Duration::from_secs(5), self.submitter).await;
		self.background.iter().for_each(|t| t.abort());
		let pending = self
			.app
			.store
			.counts()
			.map(|c| c.get("pending").copied().unwrap_or(0))
			.unwrap_or(0);
		tracing::info!(target: "gateway", "stopped; {pending} receipts pending for the next start");
	}
}

/// Runs a gateway with `config` until `shutdown` completes, then drains: requests in flight
/// finish, streams still copying from upstreams finish and are metered, and the submitter
/// posts what is pending (within `shutdown_grace_secs`).
pub async fn run(
	config: config::Config,
	shutdown: impl Future<Output = ()>,
) -> Result<(), Box<dyn std::error::Error>> {
	let gateway = start(config.clone()).await?;
	let listener = tokio::net::TcpListener::bind(config.listen).await?;
	tracing::info!(target: "gateway", "listening on http://{}", listener.local_addr()?);
	let limits = server::Limits {
		header_timeout: Duration::from_secs(config.header_timeout_secs),
		write_timeout: Duration::from_secs(config.write_timeout_secs),
		max_connections: config.max_connections,
		grace: gateway.grace,
	};
	server::serve(listener, gateway.router(), limits, shutdown).await;
	// Requests are drained; the rest stops in order.
	gateway.stop().await;
	Ok(())
}

/// Starts a gateway with `config`: checks its on-chain record, opens its store and endpoints,
/// and starts its background work; it serves once its [`Gateway::router`] is served.
pub async fn start(config: config::Config) -> Result<Gateway, Box<dyn std::error::Error>> {
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
	let app = Arc::new(app::App {
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
		sticky: Default::default(),
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
				let before = app::now_ms().saturating_sub(keep);
				let _ = tokio::task::spawn_blocking(move || store.prune(before, 10_000)).await;
			}
		})
	};

	Ok(Gateway { app, stop, submitter, background: vec![follower, prober, prune], grace })
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
