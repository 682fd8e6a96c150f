//! OpenGov: who may change what, and how fast.
//!
//! NXV holders decide through referenda (`pallet-referenda`) voted with conviction
//! (`pallet-conviction-voting`); an approved proposal is dispatched by the scheduler with the
//! origin of its **track**. Each track is a custom origin of [`origins`] (or Root) and each
//! origin is the only key to one set of calls:
//!
//! | track | origin | may |
//! |---|---|---|
//! | 0 `root` | Root | anything (runtime upgrades, gateway registration, staking) |
//! | 1 `fee_parameters` | [`origins::FeeParameters`] | fee take rate, shares and discounts, the NXV price, the tier table |
//! | 2 `treasurer` | [`origins::Treasurer`] | treasury spends up to [`origins::TREASURER_MAX_SPEND`], reject proposals |
//! | 3 `reserve_emergency` | [`origins::ReserveEmergency`] | pay a reserve claim, suspend a gateway or capsule, rule on disputes, cancel a referendum |
//!
//! Root passes every check too (so the development preset's sudo key still works), but no
//! other track may change fees: a referendum on the treasurer track that calls
//! `fees.set_params` fails at enactment with `BadOrigin`.
//!
//! The fee pallet's own bounds (hard limits, the largest step per change, the cooldown between
//! changes) apply to every origin: a referendum whose call breaks them fails at enactment with
//! the named error (`fees.StepTooLarge`, `fees.TooSoon`, …), visible in the scheduler's
//! `Dispatched` event.
//!
//! Track timings come from [`tracks`]: live timings (days) in the `local_testnet` and live
//! presets, development timings (blocks) in the `development` preset, chosen at genesis by
//! [`origins::Timing`].

pub mod origins;
pub mod tracks;

pub use origins::{FeeParameters, ReserveEmergency, Spender, Treasurer};

#[cfg(test)]
mod tests;
