// Enacts a runtime upgrade on a dev chain (sudo → system.setCode), then checks metering's v2
// migration: storage version 2, the v1 ids drained by on_idle, the v1 dispute still open and
// ruled by resolve_dispute.
//   node upgrade.mjs ws://127.0.0.1:PORT runtime.wasm 0xDISPUTEID   (run by rehearse_metering_v2.py)
import fs from 'node:fs';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { cryptoWaitReady, xxhashAsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const [url, wasmPath, disputed] = process.argv.slice(2);
await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url) });
const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
const send = (tx) => new Promise((resolve, reject) => {
  tx.signAndSend(alice, ({ status, events, dispatchError }) => {
    if (dispatchError) reject(new Error(dispatchError.toString()));
    else if (status.isInBlock) resolve(events);
  }).catch(reject);
});
const prefix = (item) => xxhashAsHex('Metering', 128) + xxhashAsHex(item, 128).slice(2);
const keys = async (item) => (await api.rpc.state.getKeysPaged(prefix(item), 1000)).length;
const before = {
  spec: (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber(),
  receipts: await keys('Receipts'),
  expiry: await keys('ReceiptExpiry'),
  cursor: (await api.rpc.state.getStorage(prefix('PruneCursor'))).toHex(),
  disputes: await keys('Disputes')
};
console.log('before', JSON.stringify(before));
const wasm = u8aToHex(fs.readFileSync(wasmPath));
const events = await send(api.tx.sudo.sudoUncheckedWeight(api.tx.system.setCode(wasm), { refTime: 0, proofSize: 0 }));
console.log('setCode', events.map(({ event }) => `${event.section}.${event.method}`).join(' '));
// The new runtime runs from the next block on.
let spec = before.spec;
for (let i = 0; i < 30 && spec === before.spec; i++) {
  await new Promise((r) => setTimeout(r, 2000));
  spec = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
}
const api2 = await ApiPromise.create({ provider: new WsProvider(url) });
const upgradedAt = (await api2.rpc.chain.getHeader()).number.toNumber();
const version = (await api2.rpc.state.getStorage(xxhashAsHex('Metering', 128) + xxhashAsHex(':__STORAGE_VERSION__:', 128).slice(2))).toHex();
let left;
for (let i = 0; i < 20; i++) {
  left = { receipts: await keys('Receipts'), expiry: await keys('ReceiptExpiry'), flag: (await api2.query.metering.legacyReceiptsLeft()).toJSON() };
  if (!left.flag && left.receipts === 0) break;
  await new Promise((r) => setTimeout(r, 3000));
}
const drainedAt = (await api2.rpc.chain.getHeader()).number.toNumber();
const after = {
  spec,
  meteringStorageVersion: version,
  cursor: (await api2.rpc.state.getStorage(prefix('PruneCursor'))).toHex(),
  left,
  disputeStillOpen: (await api2.query.metering.disputes(disputed)).isSome,
  upgradedAt,
  drainedBy: drainedAt,
  calls: Object.keys(api2.tx.metering)
};
console.log('after', JSON.stringify(after));
const ruled = await new Promise((resolve, reject) => {
  api2.tx.sudo.sudo(api2.tx.metering.resolveDispute(disputed, 'ProviderAtFault')).signAndSend(alice, ({ status, events, dispatchError }) => {
    if (dispatchError) reject(new Error(dispatchError.toString()));
    else if (status.isInBlock) resolve(events.map(({ event }) => event).filter((e) => e.section === 'metering' || e.method === 'Sudid').map((e) => `${e.section}.${e.method} ${JSON.stringify(e.data.toJSON())}`));
  }).catch(reject);
});
console.log('ruled', ruled.join(' | '));
console.log('dispute gone', (await api2.query.metering.disputes(disputed)).isNone);
await api.disconnect();
await api2.disconnect();
