//! Pallet configuration, one file per domain.
//!
//! - [`system`]: accounts, blocks, weights, timestamp, utility and the development-only sudo.
//! - [`consensus`]: Aura authoring and GRANDPA finality.
//! - [`monetary`]: NXV balances and transaction fees.
//! - [`marketplace`]: the capsule registry and tiers.

pub mod consensus;
pub mod marketplace;
pub mod monetary;
pub mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
