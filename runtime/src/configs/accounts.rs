//! The runtime's keyless accounts and the pallet ids they derive from: the treasury, the
//! emissions pool, the community and liquidity reserve, the buyback/rebates pot, the reserve,
//! the seekers' escrow and the validator reward pot. A leaf module: every domain module that pays
//! into or out of one of them takes it from here, so none depends on another for an address.

use frame_support::{parameter_types, PalletId};
use sp_runtime::traits::AccountIdConversion;

use crate::AccountId;

parameter_types! {
	/// The treasury's account is derived from this id.
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	/// The treasury's account.
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
	/// `pallet-emissions`' id.
	pub const EmissionsPalletId: PalletId = PalletId(*b"nxv/emis");
	/// The emissions pool: `pallet-emissions`' keyless account, holding the emissions
	/// allocation until milestones release it.
	pub EmissionsPoolAccount: AccountId = EmissionsPalletId::get().into_account_truncating();
	/// The community and liquidity reserve: a keyless account governance deploys from.
	pub LiquidityAccount: AccountId = PalletId(*b"nxv/liqd").into_account_truncating();
	/// `pallet-buyback`'s id.
	pub const BuybackPalletId: PalletId = PalletId(*b"nxv/bbck");
	/// The buyback/rebates pot: `pallet-buyback`'s keyless account.
	pub BuybackAccount: AccountId = BuybackPalletId::get().into_account_truncating();
	/// `pallet-reserve`'s id (its account holds the reserve).
	pub const ReservePalletId: PalletId = PalletId(*b"nxv/rsrv");
	/// `pallet-metering`'s id (its account holds every seeker's escrow).
	pub const EscrowPalletId: PalletId = PalletId(*b"nxv/escr");
	/// The validator reward pot's account is derived from this id.
	pub const RewardPotId: PalletId = PalletId(*b"nxv/rpot");
}
