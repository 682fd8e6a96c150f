// What the settlement and governance tests share about the development gateway's asset: the
// stable asset (USDN) and its smallest unit. Receipt batches are signed and posted with the JS
// package's `submitReceiptBatch` (clients/js), which encodes nothing of the format by hand.

export const USDN = 1_000_000n;
export const USDN_ASSET = { WithId: 1 };

/**
 * A batch of gateway 0 dated now holding the first receipt of `session`: 1,000 input and 200
 * output units served on `capsule` (what the RPC and governance tests settle and compare).
 */
export function firstReceipt (session, capsule) {
  return {
    gateway: 0,
    timeMs: Date.now(),
    capsules: [capsule],
    groups: [{ session, firstSeq: 1, receipts: [{ outcome: 'Served', capsule: 0, units: { input: 1_000, output: 200, cacheRead: 0, cacheWrite: 0 }, ageMs: 0 }] }]
  };
}
