//! The payment assets: NXV (native) and the assets of `pallet-assets` (the stable asset, USDN,
//! is asset 1) as one `fungibles`. A leaf module: settlement, the exchange, the incentives and
//! the invariants take the asset kinds from here.

use frame_support::{
	parameter_types,
	traits::fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
};

use crate::{AccountId, Assets, Balance, Balances};

/// A payment asset: NXV (native) or an asset of `pallet-assets` by id.
pub type AssetKind = NativeOrWithId<u32>;

/// NXV and the assets of `pallet-assets`, as one `fungibles`.
pub type NativeAndAssets = UnionOf<Balances, Assets, NativeFromLeft, AssetKind, AccountId>;

/// The stable payment asset's id in `pallet-assets`.
pub const USDN_ID: u32 = 1;
/// One USDN (6 decimals); its smallest unit is the pricing unit.
pub const USDN: Balance = 1_000_000;

parameter_types! {
	/// NXV.
	pub const NativeAsset: AssetKind = NativeOrWithId::Native;
	/// The stable asset.
	pub const StableAsset: AssetKind = NativeOrWithId::WithId(USDN_ID);
}
