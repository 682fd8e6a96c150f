//! The runtime API of the buyback/rebates pot.

use crate::{Amounts, Programme, Totals};
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// The pot and its programme, as clients (the dashboard, explorers) read them.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct BuybackStatus<AccountId, BlockNumber> {
	/// The pot's account.
	pub account: AccountId,
	/// The programme run when the current epoch closes.
	pub programme: Programme,
	/// The current epoch.
	pub epoch: u32,
	/// The block it started at.
	pub epoch_start: BlockNumber,
	/// The block it closes at (the first block at or after it closes it).
	pub epoch_end: BlockNumber,
	/// Settled spend tallied in it so far (pricing unit).
	pub epoch_spend: u128,
	/// Seekers with spend in it.
	pub epoch_seekers: u32,
	/// What the pot holds above each asset's minimum.
	pub holdings: Amounts,
	/// Rebates owed (claimable or being assigned); not spendable.
	pub owed: Amounts,
	/// What an epoch closing now would spend.
	pub available: Amounts,
	/// An epoch whose rebate pass is still running, if any.
	pub closing_epoch: Option<u32>,
	/// Lifetime totals: epochs, rebates granted and claimed, stable swapped, NXV bought and
	/// burned.
	pub totals: Totals,
}

sp_api::decl_runtime_apis! {
	/// What clients read about the buyback/rebates pot.
	pub trait BuybackApi<AccountId, BlockNumber> where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The pot, its programme, the current epoch and lifetime totals.
		fn buyback_status() -> BuybackStatus<AccountId, BlockNumber>;
		/// Rebates `who` may claim now.
		fn claimable(who: AccountId) -> Amounts;
	}
}
