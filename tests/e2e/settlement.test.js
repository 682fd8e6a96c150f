// Settlement on a real `nexus-node --dev`, driven by @polkadot/api with metadata only: a seeker
// (Eve) deposits USDN escrow and opens a session on the development gateway; this script acts
// as the gateway (Dave's sr25519 key, as in the preset), signs a receipt batch bound to the
// genesis hash (with the JS package's `submitReceiptBatch`, which encodes nothing by hand) and
// submits it; the balances of seeker escrow, provider, treasury, buyback pot, validator reward
// pot and reserve move exactly as `MeteringApi.quote` said, cache units included. Then the bad
// inputs: a forged, foreign-signed or other-chain batch, a replay, a gap in the sequence, and
// receipts over the tier's usage cap and over the session's spend cap.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { receiptBatchPayload, submitReceiptBatch } from '../../clients/js/src/index.js';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { USDN, USDN_ASSET } from './lib/gateway.js';
import { connect, signAndFinalize, startNode, stopAll } from './lib/node.js';

const submit = (api, tx, signer) => signAndFinalize(api, tx, signer, { until: 'inBlock' });

describe('settlement on nexus-node --dev', () => {
  let node;
  let api;
  let keyring;
  let eve;
  let dave;
  let session;
  let capsule;

  before(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    eve = keyring.addFromUri('//Eve');
    dave = keyring.addFromUri('//Dave');
    node = await startNode('settle', ['--dev']);
    api = await connect(node);
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
  });

  const usdnOf = async (who) => {
    const acc = await api.query.assets.account(1, who);
    return acc.isSome ? acc.unwrap().balance.toBigInt() : 0n;
  };

  // Each session's next sequence number, as the gateway keeps it.
  const next = new Map();
  /** A batch of gateway 0 dated now: one group per `[session, receipts]`, numbered in turn. */
  const batchOf = (capsules, groups) => ({
    gateway: 0,
    timeMs: Date.now(),
    capsules,
    groups: groups.map(([s, receipts]) => {
      const firstSeq = next.get(s) ?? 1;
      next.set(s, firstSeq + receipts.length);
      return { session: s, firstSeq, receipts };
    })
  });
  const served = (units = {}, capsuleIndex = 0) => ({
    outcome: 'Served',
    capsule: capsuleIndex,
    units: { input: 1_000, output: 200, cacheRead: 0, cacheWrite: 0, ...units },
    ageMs: 0
  });
  const post = (batch) => submitReceiptBatch(api, dave, dave, batch, { until: 'inBlock' });

  test('a seeker deposits escrow and opens a session on the development gateway', async () => {
    const gw = (await api.call.meteringApi.gateway(0)).unwrap();
    assert.equal(gw.operator.toString(), dave.address);
    assert.equal(u8aToHex(gw.key), u8aToHex(dave.publicKey));

    await submit(api, api.tx.metering.deposit(USDN_ASSET, 100n * USDN), eve);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const { events } = await submit(api, api.tx.metering.openSession(0, USDN_ASSET, 20n * USDN, head + 200), eve);
    const opened = events.find(({ event }) => api.events.metering.SessionOpened.is(event)).event;
    session = opened.data.id.toNumber();
    const escrow = await api.call.meteringApi.escrow(eve.address);
    assert.equal(escrow.length, 1);
    assert.equal(escrow[0][1].free.toBigInt(), 80n * USDN);
    assert.equal(escrow[0][1].committed.toBigInt(), 20n * USDN);

    const page = await api.call.capsulesApi.capsules({ lane: 'Standard', status: 'Active' }, 0, 10);
    capsule = page.capsules[0].id.toNumber();
  });

  test('the genesis NXV/USDN pool reports its reserves and quotes a swap', async () => {
    const NXV = 10n ** 12n;
    const reserves = (await api.call.assetConversionApi.getReserves('Native', USDN_ASSET)).unwrap();
    assert.deepEqual(reserves.map((r) => r.toBigInt()), [1_000_000n * NXV, 1_000_000n * USDN]);
    const out = (await api.call.assetConversionApi.quotePriceExactTokensForTokens('Native', USDN_ASSET, NXV, true)).unwrap().toBigInt();
    assert.ok(out < USDN && out > (USDN * 996n) / 1000n, `1 NXV quotes ${out} USDN units`);
  });

  test('a signed batch settles: every account moves exactly as quote said', async () => {
    const [treasury, buyback, pot, reserve] = [
      'modlpy/trsry', 'modlnxv/bbck', 'modlnxv/rpot', 'modlnxv/rsrv'
    ].map((seed) => api.createType('AccountId', u8aConcat(stringToU8a(seed), new Uint8Array(32 - seed.length))).toString());
    const provider = (await api.call.capsulesApi.capsule(capsule)).unwrap().owner.toString();
    const who = [provider, treasury, buyback, pot, reserve];
    const before = await Promise.all(who.map(usdnOf));

    const units = { input: 1_000, output: 200, cacheRead: 3_000, cacheWrite: 500 };
    const quote = (await api.call.meteringApi.quote(eve.address, capsule, units, USDN_ASSET)).asOk;
    const { settlement, leaves } = await post(batchOf([capsule], [[session, [served(units)]]]));
    assert.equal(leaves, 1);
    assert.deepEqual([settlement.rejected.length, settlement.refused.length], [0, 0]);
    assert.equal(settlement.groups[0].spent.toBigInt(), quote.net.toBigInt());
    assert.equal(settlement.assets[0].legs.provider.toBigInt(), quote.legs.provider.toBigInt());

    const afterB = await Promise.all(who.map(usdnOf));
    const legs = [quote.legs.provider, quote.legs.treasury, quote.legs.buyback, quote.legs.validators, quote.legs.reserve]
      .map((x) => x.toBigInt());
    assert.deepEqual(afterB.map((b, i) => b - before[i]), legs);
    assert.equal(legs.reduce((a, b) => a + b, 0n), quote.net.toBigInt(), 'legs sum to net');
    assert.ok(legs[0] * 2n > quote.net.toBigInt(), 'provider > 50%');

    const s = (await api.call.meteringApi.session(session)).unwrap();
    assert.equal(s.spent.toBigInt(), quote.net.toBigInt());
    const escrow = await api.call.meteringApi.escrow(eve.address);
    assert.equal(escrow[0][1].committed.toBigInt(), 20n * USDN - quote.net.toBigInt());
  });

  test('settled usage feeds the rebate tally and releases the development milestone into vesting', async () => {
    const provider = (await api.call.capsulesApi.capsule(capsule)).unwrap().owner.toString();
    const status = await api.call.buybackApi.buybackStatus();
    assert.equal(status.programme.toString(), 'Rebates');
    assert.ok(status.epochSpend.toBigInt() > 0n, 'the settled receipt is tallied for rebates');
    assert.equal(status.epochSeekers.toNumber(), 1);

    // The development preset's first milestone (0.001 USDN of volume) is reached by that
    // receipt: its 1M NXV tranche goes to the only provider who served, into vesting.
    const deadline = Date.now() + 60_000;
    let e;
    for (;;) {
      e = await api.call.emissionsApi.emissionsStatus();
      if (e.milestones[0].releasedAt.isSome && e.releasing.isNone) break;
      assert.ok(Date.now() < deadline, 'milestone 0 released within a minute');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const tranche = 1_000_000n * 10n ** 12n;
    assert.equal(e.milestones[0].tranche.toBigInt(), tranche);
    assert.ok(e.progress.settledVolume.toBigInt() >= e.milestones[0].threshold.toBigInt());
    assert.equal(e.released.toBigInt(), tranche);
    const schedules = await api.query.vesting.vesting(provider);
    assert.ok(schedules.isSome, 'the share vests');
    assert.ok(schedules.unwrap().some((v) => v.locked.toBigInt() === tranche), 'one schedule locks the tranche');
  });

  test('a forged, foreign-signed or other-chain batch fails whole with BadSignature', async () => {
    const batch = batchOf([capsule], [[session, [served()]]]);
    const signature = dave.sign(receiptBatchPayload(api, batch));
    const forged = { ...batch, groups: [{ ...batch.groups[0], receipts: [served({ input: 9_000 })] }] };
    await assert.rejects(submit(api, api.tx.metering.submitBatch(forged, signature), dave), /metering\.BadSignature/);
    await assert.rejects(
      submit(api, api.tx.metering.submitBatch(batch, eve.sign(receiptBatchPayload(api, batch))), dave),
      /metering\.BadSignature/
    );
    // The payload binds the genesis hash: the same batch signed for another chain.
    const context = api.consts.metering.batchContext.toU8a(true);
    const bytes = api.tx.metering.submitBatch(batch, new Uint8Array(64)).method.args[0].toU8a();
    const foreign = api.registry.hash(u8aConcat(context, new Uint8Array(32).fill(0xab), bytes)).toU8a();
    await assert.rejects(submit(api, api.tx.metering.submitBatch(batch, dave.sign(foreign)), dave), /metering\.BadSignature/);
    next.set(session, batch.groups[0].firstSeq); // nothing was judged
  });

  test('replays and gaps are refused whole; usage and spend caps reject receipts one by one', async () => {
    const good = batchOf([capsule], [[session, [served()]]]);
    let { settlement } = await post(good);
    assert.equal(settlement.groups[0].spent.toBigInt() > 0n, true);
    // The same batch again: its group is a replay, nothing is judged or committed.
    const again = await post(good);
    assert.equal(again.batch, null);
    assert.deepEqual(again.settlement.refused.toJSON(), [[0, { replayed: { lastSeq: good.groups[0].firstSeq } }]]);
    // A gap: the next number skipped.
    const gap = batchOf([capsule], [[session, [served()]]]);
    gap.groups[0].firstSeq += 1;
    ({ settlement } = await post(gap));
    assert.equal(Object.keys(settlement.refused[0][1].toJSON())[0], 'sequenceGap');
    next.set(session, gap.groups[0].firstSeq - 1);
    // A second session whose cap is one pricing unit: any real request is over it.
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const { events: opened } = await submit(api, api.tx.metering.openSession(0, USDN_ASSET, 1, head + 200), eve);
    const tiny = opened.find(({ event }) => api.events.metering.SessionOpened.is(event)).event.data.id.toNumber();
    ({ settlement } = await post(batchOf([capsule], [
      [session, [served({ output: 200_000 }), served()]], // over the Basic tier's 100,000 units per hour, then fine
      [tiny, [served()]] // over the session's cap
    ])));
    const rejected = settlement.rejected.map(([index, why]) => [index.toNumber(), why.toString()]);
    assert.deepEqual(rejected, [[0, 'UsageCapExceeded'], [2, 'OverCap']]);
    // Every receipt of an accepted group consumed its number, rejected or not.
    const s = (await api.call.meteringApi.session(session)).unwrap();
    assert.equal(s.lastSeq.toNumber(), next.get(session) - 1);
  });
});
