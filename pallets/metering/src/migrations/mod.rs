//! Storage migrations of the metering pallet, one module per storage version.
//!
//! | version | what changed | migration |
//! |---|---|---|
//! | 0 | genesis layout | — |
//! | 1 | settlement moves the receipt-pruning cursor back to an older receipt's bucket | [`v1::MigrateV0ToV1`]: re-seats the cursor of a v0 chain |

pub mod v1;
