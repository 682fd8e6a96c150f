//! `nexus-node`: the Nexus Vault node.
//!
//! A standard Substrate node: Aura block authoring, GRANDPA finality, ParityDB storage, the
//! JSON-RPC server (system, chain, state, author, transaction-payment) and Prometheus metrics.
//! Run `nexus-node --help` for the CLI.

#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;
mod supply;

fn main() -> sc_cli::Result<()> {
	command::run()
}
