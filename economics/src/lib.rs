//! # Nexus Vault economics
//!
//! The token model's rules as pure functions, written once: the runtime's pallets call them to
//! settle, split, sweep, buy back, release and vest, and the projection engine
//! ([`projection`]) steps the same functions over scenarios, compiled natively for tests and to
//! wasm for the dashboard (`engine-wasm/`). Nothing here reads storage or depends on FRAME, so
//! it builds for `no_std` targets without host functions.
//!
//! | module | rule | called by |
//! |---|---|---|
//! | [`settlement`] | list price, discount, conversion, the split of the take | metering (settle, quote, simulate, replay) |
//! | [`fee_path`] | the pace bound of fee changes and the referenda that reach a proposal | fees (`set_params`, `fee_path`) |
//! | [`reserve`] | the reserve's target, overflow, coverage and sweep | reserve |
//! | [`buyback`] | the slippage bound of an epoch's swap, the pool's output | buyback |
//! | [`emissions`] | which milestone releases, the vesting of a share | emissions |
//! | [`projection`] | the economy stepped over scenario paths | the dashboard (wasm), tests |

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod buyback;
pub mod emissions;
pub mod fee_path;
pub mod projection;
pub mod reserve;
pub mod settlement;
pub mod units;

pub use sp_arithmetic::{Perbill, Permill};
