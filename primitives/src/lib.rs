//! # Nexus Vault primitives
//!
//! The types and constants that every part of Nexus Vault agrees on: the node, the runtime, the
//! custom pallets and the off-chain gateway. Nothing in here depends on the runtime, so clients
//! can use it without pulling FRAME in.
//!
//! ## The token
//!
//! NXV is the chain's native token. Balances are `u128` counts of its smallest unit, the
//! *planck*; one NXV is `10^12` planck ([`NXV`], [`TOKEN_DECIMALS`]). The total supply is fixed
//! at genesis (see `docs/token.md`); nothing in the runtime mints NXV afterwards.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod endpoints;
pub mod receipts;
pub mod traits;

/// The economic rules, defined once in `nexus-economics` (the pallets, the clients and the
/// dashboard's projection engine share them).
pub use nexus_economics as economics;
pub use nexus_economics::{fee_path, settlement};

use sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};

/// An index to a block.
pub type BlockNumber = u32;

/// Alias to a 512-bit signature, the one that signs transactions (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;

/// An account id: the public key of the signature scheme above (32 bytes).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance of NXV, counted in planck (`10^-12` NXV).
pub type Balance = u128;

/// The number of transactions an account has sent: its nonce.
pub type Nonce = u32;

/// A hash of some data used by the chain (blocks, extrinsics, storage roots).
pub type Hash = sp_core::H256;

/// The address format used by extrinsics.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Token metadata of NXV, as chain specs and wallets show it.
pub mod token {
	use super::Balance;

	/// The ticker wallets show.
	pub const TOKEN_SYMBOL: &str = "NXV";
	/// Number of decimals: one NXV is `10^12` planck.
	pub const TOKEN_DECIMALS: u8 = 12;
	/// SS58 address prefix. 42 is the generic Substrate prefix, so that development accounts
	/// (Alice = `5GrwvaEF…`) read the same in every tool; a registered prefix comes with the
	/// first public network.
	pub const SS58_PREFIX: u16 = 42;

	/// One NXV.
	pub const NXV: Balance = 1_000_000_000_000;
	/// One thousandth of an NXV.
	pub const MILLI_NXV: Balance = 1_000_000_000;
	/// One millionth of an NXV.
	pub const MICRO_NXV: Balance = 1_000_000;

	/// The existential deposit: the smallest balance an account may hold, 0.01 NXV.
	///
	/// Below it an account is reaped, which keeps dust accounts from bloating state. At 0.01 NXV
	/// a million dust accounts would cost their creators 10,000 NXV, while a seeker can still
	/// keep an account alive for a fraction of one request's price.
	pub const EXISTENTIAL_DEPOSIT: Balance = 10 * MILLI_NXV;
}

/// Block time and the block counts that follow from it.
pub mod time {
	use super::BlockNumber;

	/// Target block time: Aura authors one block per 6 s slot.
	///
	/// The slot duration cannot change once a chain has started (it would brick block
	/// production), so this is a chain constant.
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
	/// Aura slot duration in milliseconds.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

#[cfg(test)]
mod tests {
	use super::{time::*, token::*};

	#[test]
	fn block_time_constants_agree() {
		assert_eq!(MINUTES, 10);
		assert_eq!(HOURS, 600);
		assert_eq!(DAYS, 14_400);
		assert_eq!(u64::from(MINUTES) * MILLI_SECS_PER_BLOCK, 60_000);
	}

	#[test]
	fn token_units_follow_decimals() {
		assert_eq!(NXV, 10u128.pow(u32::from(TOKEN_DECIMALS)));
		assert_eq!(MILLI_NXV * 1_000, NXV);
		assert_eq!(MICRO_NXV * 1_000_000, NXV);
		const { assert!(EXISTENTIAL_DEPOSIT > 0 && EXISTENTIAL_DEPOSIT < NXV) };
	}
}
