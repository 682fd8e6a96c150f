//! `nexus-gateway`: the Nexus Vault gateway's command line (the gateway itself is the
//! `nexus_gateway` library; see `docs/gateway.md`).

use clap::Parser;
use std::path::PathBuf;

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
	let opts = Opts::parse();
	let result = match nexus_gateway::config::Config::load(opts.config.as_deref()) {
		Ok(config) => nexus_gateway::run(config, shutdown_signal()).await,
		Err(e) => Err(e.into()),
	};
	if let Err(e) = result {
		tracing::error!(target: "gateway", "{e}");
		std::process::exit(1);
	}
}
