//! `nexus-node`: the Nexus Vault node.
//!
//! A standard Substrate node: Aura block authoring, GRANDPA finality, ParityDB storage, the
//! JSON-RPC server (system, chain, state, author, transaction-payment) and Prometheus metrics.
//! Run `nexus-node --help` for the CLI.

#![warn(missing_docs)]
// `sc_cli::Result` is the result type Substrate's CLI and service APIs return; its error is large
// by design and boxing it here would only add conversions around every call into them.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;
mod supply;

fn main() -> sc_cli::Result<()> {
	command::run()
}
