// Rehearsal of metering storage v2: gives a chain running the spec-101 runtime version-1 state
// (receipts posted with submit_receipts, one v1 dispute open) beside version-2 batches.
//   node v1-state.mjs ws://127.0.0.1:PORT   (run by rehearse_metering_v2.py from tests/e2e, for its node_modules)
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2];
await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url) });
const k = new Keyring({ type: 'sr25519' });
const eve = k.addFromUri('//Eve');
const alice = k.addFromUri('//Alice');
// A second gateway (Ferdie operates it and signs its batches), so that the running gateway 0's
// own transactions (Dave's nonces) are not disturbed.
const dave = k.addFromUri('//Ferdie');
const USDN = 1_000_000n;
const USDN_ASSET = { WithId: 1 };

const send = (tx, signer) => new Promise((resolve, reject) => {
  tx.signAndSend(signer, ({ status, events, dispatchError }) => {
    if (dispatchError) reject(new Error(dispatchError.toString()));
    else if (status.isInBlock) resolve(events);
  }).catch(reject);
});

const v1payload = (receipts) => blake2AsU8a(u8aConcat(
  stringToU8a('nexus-vault/receipts/v1'), api.genesisHash.toU8a(),
  api.createType('u32', gw).toU8a(), api.createType('Vec<PalletMeteringReceipt>', receipts).toU8a()), 256);

const registered = await send(api.tx.sudo.sudo(api.tx.metering.registerGateway(dave.address, dave.publicKey, 10_000n * 10n ** 12n)), alice);
const gw = registered.find(({ event }) => api.events.metering.GatewayRegistered.is(event)).event.data.id.toNumber();
await send(api.tx.metering.deposit(USDN_ASSET, 500n * USDN), eve);
const head = (await api.rpc.chain.getHeader()).number.toNumber();
const opened = await send(api.tx.metering.openSession(gw, USDN_ASSET, 400n * USDN, head + 2000), eve);
const session = opened.find(({ event }) => api.events.metering.SessionOpened.is(event)).event.data.id.toNumber();
const page = await api.call.capsulesApi.capsules({ lane: 'Standard', status: 'Active' }, 0, 10);
const capsule = page.capsules[0].id.toNumber();
let seq = 0;
let total = 0;
for (let b = 0; b < 3; b++) {
  const receipts = Array.from({ length: 128 }, (_, i) => {
    seq += 1;
    const id = new Uint8Array(16);
    id.set([b, i, 0x42]);
    return { id: u8aToHex(id), session, seq, capsule, inputUnits: 10, outputUnits: 2, outcome: 'Served', timestamp: Date.now() };
  });
  const events = await send(api.tx.metering.submitReceipts(gw, receipts, dave.sign(v1payload(receipts))), dave);
  total += events.filter(({ event }) => event.method === 'ReceiptSettled').length;
}
const disputed = new Uint8Array(16);
disputed.set([0, 5, 0x42]);
await send(api.tx.metering.dispute(u8aToHex(disputed)), eve);
console.log(JSON.stringify({ gateway: gw, session, capsule, v1Settled: total, lastSeq: seq, disputed: u8aToHex(disputed) }));
await api.disconnect();
