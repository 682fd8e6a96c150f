//! Storage migrations of the capsule registry, one module per storage version.
//!
//! | version | what changed | migration |
//! |---|---|---|
//! | 0 | genesis layout: prices per 1,000 input and output units | — |
//! | 1 | prices gain per-1,000 cache-read and cache-write units | [`v1::MigrateV0ToV1`]: prices every cache unit as plain input, as v0 did |

pub mod v1;
