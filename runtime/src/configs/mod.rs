//! Pallet configuration, one file per domain, over two leaf modules that no domain module
//! reaches around: [`accounts`] (the keyless accounts and their pallet ids) and [`assets`] (the
//! payment asset kinds). Domain modules depend on those and on [`governance`]'s origins, not on
//! each other.
//!
//! - [`accounts`]: the treasury, pots, reserve and escrow accounts, and their pallet ids.
//! - [`assets`]: NXV and the stable asset as one `fungibles`, and the asset kinds.
//! - [`system`]: accounts, blocks, weights, timestamp, utility and the development-only sudo.
//! - [`consensus`]: Aura authoring and GRANDPA finality.
//! - [`monetary`]: NXV balances and transaction fees.
//! - [`marketplace`]: the capsule registry and tiers.
//! - [`settlement`]: the stable payment asset, fee parameters, the reserve and metering.
//! - [`staking`]: sessions, NPoS staking, offences and the validator reward pot.
//! - [`treasury`]: the treasury, vesting, proxy and multisig.
//! - [`exchange`]: the NXV/USDN pool (asset conversion) and its liquidity-provider tokens.
//! - [`incentives`]: the buyback/rebates pot and milestone emissions.
//! - [`governance`]: OpenGov (preimages, scheduler, referenda, conviction voting).

pub mod accounts;
pub mod assets;
pub mod consensus;
pub mod exchange;
pub mod governance;
pub mod incentives;
pub mod marketplace;
pub mod monetary;
pub mod settlement;
pub mod staking;
pub mod system;
pub mod treasury;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
