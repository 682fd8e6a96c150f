//! Storage migrations of the metering pallet, one module per storage version.
//!
//! | version | what changed | migration |
//! |---|---|---|
//! | 0 | genesis layout | — |
//! | 1 | settlement moves the receipt-pruning cursor back to an older receipt's bucket | [`v1::MigrateV0ToV1`]: now only sets the version (v2 deletes what it re-seated) |
//! | 2 | version-1 receipts retire: receipt ids, their expiry index and pruning cursor go; open version-1 disputes stay | [`v2::MigrateV1ToV2`]: deletes the cursor, leaves the ids to `on_idle` |

pub mod v1;
pub mod v2;
