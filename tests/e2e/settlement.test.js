// Settlement on a real `nexus-node --dev`, driven by @polkadot/api with metadata only: a seeker
// (Eve) deposits USDN escrow and opens a session on the development gateway; this script acts
// as the gateway (Dave's sr25519 key, as in the preset), signs a receipt batch bound to the
// genesis hash and submits it; the balances of seeker escrow, provider, treasury, buyback pot,
// validator reward pot and reserve move exactly as `MeteringApi.quote` said. Then the bad
// inputs: a forged or foreign-signed batch, a replay, an out-of-order sequence number, and
// receipts over the tier's usage cap and over the session's spend cap.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { USDN, USDN_ASSET, payloadOf as signedPayload } from './lib/gateway.js';
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
  let seq = 0;

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

  // What a gateway signs, computed here independently of the runtime.
  const payloadOf = (gateway, receipts) => signedPayload(api, gateway, receipts);

  const receipt = (overrides = {}) => {
    seq += 1;
    const id = new Uint8Array(16);
    id.set([seq, 0xe2, 0xe0]);
    return {
      id: u8aToHex(id),
      session,
      seq,
      capsule,
      inputUnits: 1_000,
      outputUnits: 200,
      outcome: 'Served',
      timestamp: Date.now(),
      ...overrides
    };
  };

  const sendBatch = async (receipts, signer = dave) => {
    const sig = signer.sign(payloadOf(0, receipts));
    const { events } = await submit(api, api.tx.metering.submitReceipts(0, receipts, sig), dave);
    return events.map(({ event }) => event).filter((e) => e.section === 'metering');
  };

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

  test('the JS payload equals the runtime\'s signing_payload', async () => {
    const r = [receipt({ seq: 999 })];
    seq -= 1;
    const fromRuntime = await api.call.meteringApi.signingPayload(0, r);
    assert.equal(u8aToHex(fromRuntime), u8aToHex(payloadOf(0, r)));
  });

  test('a signed batch settles: every account moves exactly as quote said', async () => {
    const [treasury, buyback, pot, reserve] = [
      'modlpy/trsry', 'modlnxv/bbck', 'modlnxv/rpot', 'modlnxv/rsrv'
    ].map((seed) => api.createType('AccountId', u8aConcat(stringToU8a(seed), new Uint8Array(32 - seed.length))).toString());
    const provider = (await api.call.capsulesApi.capsule(capsule)).unwrap().owner.toString();
    const who = [provider, treasury, buyback, pot, reserve];
    const before = await Promise.all(who.map(usdnOf));

    const quote = (await api.call.meteringApi.quote(eve.address, capsule, { input: 1_000, output: 200 }, USDN_ASSET)).asOk;
    const events = await sendBatch([receipt()]);
    const settled = events.find((e) => e.method === 'ReceiptSettled');
    assert.ok(settled, `settled: ${events.map((e) => e.method)}`);
    assert.equal(settled.data.net.toBigInt(), quote.net.toBigInt());

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

  test('a forged batch fails whole with BadSignature', async () => {
    const r = [receipt()];
    const sig = dave.sign(payloadOf(0, r));
    const forged = [{ ...r[0], inputUnits: 9_000 }];
    await assert.rejects(submit(api, api.tx.metering.submitReceipts(0, forged, sig), dave), /metering\.BadSignature/);
    const eveSigned = [receipt()];
    await assert.rejects(
      submit(api, api.tx.metering.submitReceipts(0, eveSigned, eve.sign(payloadOf(0, eveSigned))), dave),
      /metering\.BadSignature/
    );
  });

  test('replays, stale sequence numbers, usage and spend caps are rejected one by one', async () => {
    const good = receipt();
    let events = await sendBatch([good]);
    assert.ok(events.some((e) => e.method === 'ReceiptSettled'));
    // A second session whose cap is one pricing unit: any real request is over it.
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const { events: opened } = await submit(api, api.tx.metering.openSession(0, USDN_ASSET, 1, head + 200), eve);
    const tiny = opened.find(({ event }) => api.events.metering.SessionOpened.is(event)).event.data.id.toNumber();
    events = await sendBatch([
      good,                                   // replayed
      { ...receipt(), seq: 1 },               // sequence number already passed
      receipt({ outputUnits: 200_000 }),      // over the Basic tier's 100,000 units per hour
      receipt({ session: tiny })              // over the session's cap
    ]);
    const reasons = events.filter((e) => e.method === 'ReceiptRejected').map((e) => e.data.reason.toString());
    assert.deepEqual(reasons, ['DuplicateReceipt', 'SequenceNotIncreasing', 'UsageCapExceeded', 'OverCap']);
    const done = events.find((e) => e.method === 'BatchProcessed');
    assert.equal(done.data.rejected.toNumber(), 4);
  });
});
