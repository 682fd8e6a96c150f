//! The node's own JSON-RPC methods, merged into the standard Substrate set (`system_*`,
//! `chain_*`, `state_*`, `author_*`, `rpc_methods`) that `sc-service` provides.
//!
//! Added here: `system_accountNextIndex` / `system_dryRun` (frame-system RPC),
//! `payment_queryInfo` / `payment_queryFeeDetails` (transaction-payment RPC) and the
//! marketplace's `nexus_*` methods ([`nexus`], documented in `docs/rpc.md`).

pub mod nexus;

use std::sync::Arc;

use jsonrpsee::RpcModule;
use nexus_runtime::{
	configs::assets::AssetKind, opaque::Block, AccountId, Balance, BlockNumber, Nonce,
};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
}

/// Builds the node's RPC extensions.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: pallet_capsules::runtime_api::CapsulesApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_tiers::runtime_api::TiersApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: pallet_metering::runtime_api::MeteringApi<Block, AccountId, AssetKind, BlockNumber>,
	C::Api: pallet_fees::runtime_api::FeesApi<Block, AssetKind, BlockNumber>,
	C::Api: pallet_reserve::runtime_api::ReserveApi<Block, AccountId, AssetKind>,
	C::Api: nexus_runtime::supply::SupplyApi<Block>,
	P: TransactionPool + 'static,
{
	use nexus::{Nexus, NexusApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Nexus::new(client).into_rpc())?;

	Ok(module)
}
