// OpenGov on a real `nexus-node --dev` (development track timings), driven by @polkadot/api
// with metadata only: Alice notes the preimage of `fees.set_params` raising the take rate by
// three points, submits it as a referendum on the fee-parameters track, places the decision
// deposit and votes aye with conviction; after enactment the fee parameters are the new ones
// and a receipt settled by the development gateway (Dave) pays the provider the new share.
// Then a referendum whose change breaks the per-change step bound is approved but fails at
// enactment with `fees.StepTooLarge`, and a referendum on the treasurer track cannot change
// fees (`BadOrigin`).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { USDN, USDN_ASSET, firstReceipt } from './lib/gateway.js';
import { submitReceiptBatch } from '../../clients/js/src/index.js';
import { connect, signAndFinalize, startNode, stopAll } from './lib/node.js';

const submit = (api, tx, signer) => signAndFinalize(api, tx, signer, { until: 'inBlock' });
const NXV = 10n ** 12n;
const PERBILL = 1_000_000_000n;

describe('OpenGov on nexus-node --dev', () => {
  let node;
  let api;
  let alice;
  let dave;
  let eve;

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    dave = keyring.addFromUri('//Dave');
    eve = keyring.addFromUri('//Eve');
    node = await startNode('gov', ['--dev']);
    api = await connect(node);
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
  });

  const params = async () => (await api.call.feesApi.feeParameters()).params.toJSON();

  // Notes the preimage of `call`, submits a referendum on the track of `origin`, places the
  // decision deposit and votes aye with 500,000 NXV at 1x conviction; returns its index.
  const propose = async (origin, call) => {
    const bytes = call.method.toHex();
    await submit(api, api.tx.preimage.notePreimage(bytes), alice);
    const len = (bytes.length - 2) / 2;
    const { events } = await submit(api, api.tx.referenda.submit(
      origin,
      { Lookup: { hash: blake2AsHex(bytes, 256), len } },
      { After: 1 }
    ), alice);
    const index = events.find(({ event }) => api.events.referenda.Submitted.is(event)).event.data.index.toNumber();
    await submit(api, api.tx.referenda.placeDecisionDeposit(index), alice);
    await submit(api, api.tx.convictionVoting.vote(index, {
      Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 500_000n * NXV }
    }), alice);
    return index;
  };

  // Waits (at most `blocks` blocks) for referendum `index` to be confirmed (approved) and the
  // scheduler to dispatch its call; returns the dispatch result (`{ ok: true }` or `{ err: 'section.Name' }`).
  const enacted = (index, blocks = 40) => new Promise((resolve, reject) => {
    let seen = 0;
    let confirmed = false;
    let unsub;
    const done = (v, fail) => { if (unsub) unsub(); fail ? reject(v) : resolve(v); };
    api.query.system.events((records) => {
      try {
        seen += 1;
        for (const { event } of records) {
          if (api.events.referenda.Confirmed.is(event) && event.data.index.toNumber() === index) {
            confirmed = true;
            continue;
          }
          if (!confirmed || !api.events.scheduler.Dispatched.is(event) || event.data.id.isNone) continue;
          const result = event.data.result;
          if (result.isOk) return done({ ok: true });
          const err = result.asErr;
          if (err.isModule) {
            const meta = api.registry.findMetaError(err.asModule);
            return done({ err: `${meta.section}.${meta.name}` });
          }
          return done({ err: err.type });
        }
        if (seen > blocks) done(new Error(`referendum ${index} not enacted within ${blocks} blocks`), true);
      } catch (e) {
        // A throw inside a subscription callback would end the subscription silently.
        done(e, true);
      }
    }).then((u) => { unsub = u; });
  });

  const withTake = (p, points) => ({ ...p, takeRate: p.takeRate + points * 10_000_000 });

  test('the four tracks are in the metadata with development timings', async () => {
    // Names are fixed-size byte arrays in the runtime, padded with zeros.
    const name = (info) => info.name.toString().replace(/\0+$/, '');
    const tracks = api.consts.referenda.tracks.map(([id, info]) => [id.toNumber(), name(info), info.decisionPeriod.toNumber()]);
    assert.deepEqual(tracks, [
      [0, 'root', 20], [1, 'fee_parameters', 20], [2, 'treasurer', 20], [3, 'reserve_emergency', 20]
    ]);
  });

  test('a fee-parameters referendum raises the take rate and the next settlement uses it', async () => {
    const old = await params();
    const wanted = withTake(old, 3);
    const index = await propose({ Origins: 'FeeParameters' }, api.tx.fees.setParams(wanted));
    assert.deepEqual(await enacted(index), { ok: true });
    assert.deepEqual(await params(), wanted);

    // A seeker's receipt settled after enactment: the provider gets 100% - 18% of net.
    await submit(api, api.tx.metering.deposit(USDN_ASSET, 50n * USDN), eve);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const { events: opened } = await submit(api, api.tx.metering.openSession(0, USDN_ASSET, 20n * USDN, head + 200), eve);
    const session = opened.find(({ event }) => api.events.metering.SessionOpened.is(event)).event.data.id.toNumber();
    const page = await api.call.capsulesApi.capsules({ lane: 'Standard', status: 'Active' }, 0, 10);
    const capsule = page.capsules[0].id.toNumber();
    const quote = (await api.call.meteringApi.quote(eve.address, capsule, { input: 1_000, output: 200 }, USDN_ASSET)).asOk;
    const { settlement } = await submitReceiptBatch(api, dave, dave, firstReceipt(session, capsule), { until: 'inBlock' });
    assert.equal(settlement.rejected.length, 0, 'the receipt settled');
    const net = settlement.groups[0].spent.toBigInt();
    const toProvider = settlement.assets[0].legs.provider.toBigInt();
    assert.equal(net, quote.net.toBigInt());
    assert.equal(toProvider, quote.legs.provider.toBigInt());
    const providerShare = PERBILL - BigInt(wanted.takeRate);
    // Perbill * net, rounded up for the provider (the legs of the protocol round down).
    assert.equal(toProvider, (providerShare * net + PERBILL - 1n) / PERBILL);
  });

  test('a referendum whose change breaks a bound is approved but fails at enactment', async () => {
    const now = await params();
    const index = await propose({ Origins: 'FeeParameters' }, api.tx.fees.setParams(withTake(now, -6)));
    assert.deepEqual(await enacted(index), { err: 'fees.StepTooLarge' });
    assert.deepEqual(await params(), now);
  });

  test('a referendum on the treasurer track cannot change fees', async () => {
    const now = await params();
    const index = await propose({ Origins: 'Treasurer' }, api.tx.fees.setParams(withTake(now, -1)));
    assert.deepEqual(await enacted(index), { err: 'BadOrigin' });
    assert.deepEqual(await params(), now);
  });
});
