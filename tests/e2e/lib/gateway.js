// What the settlement and governance tests share about the development gateway's asset: the
// stable asset (USDN) and its smallest unit. Receipt batches are signed and posted with the JS
// package's `submitReceiptBatch` (clients/js), which encodes nothing of the format by hand.

export const USDN = 1_000_000n;
export const USDN_ASSET = { WithId: 1 };
