// The marketplace on a real `nexus-node --dev`, driven by @polkadot/api with metadata only (no
// custom type definitions): the development preset's offerings, demo capsules and tier table;
// a provider registers and updates a capsule; a seeker stakes into Silver; both read the result
// through the runtime APIs (`CapsulesApi`, `TiersApi`).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aToString } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, signAndFinalize, startNode, stopAll } from './lib/node.js';

// Included in a best block is enough for these checks (the runtime APIs read the best block);
// the transfer test in dev-node.test.js covers finality.
const submit = (api, tx, signer) => signAndFinalize(api, tx, signer, { until: 'inBlock' });

const NXV = 10n ** 12n;

describe('marketplace on nexus-node --dev', () => {
  let node;
  let api;
  let keyring;

  before(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    node = await startNode('market', ['--dev']);
    api = await connect(node);
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
  });

  const findEvent = (events, ev) => events.find(({ event }) => ev.is(event))?.event;

  test('the runtime APIs are described by the metadata', () => {
    assert.equal(typeof api.call.capsulesApi?.capsules, 'function', 'CapsulesApi.capsules');
    assert.equal(typeof api.call.capsulesApi?.capsule, 'function', 'CapsulesApi.capsule');
    assert.equal(typeof api.call.tiersApi?.tierOf, 'function', 'TiersApi.tier_of');
    assert.equal(typeof api.call.tiersApi?.providerMultiplier, 'function', 'TiersApi.provider_multiplier');
  });

  test('development preset: offerings, demo capsules and the tier table', async () => {
    const table = await api.call.tiersApi.tierTable();
    assert.deepEqual(table.map((t) => t.threshold.toBigInt()),
      [0n, 1_000n * NXV, 10_000n * NXV, 50_000n * NXV, 250_000n * NXV]);
    assert.deepEqual(table.map((t) => t.commitmentDiscount.toNumber()),
      [0, 20_000, 40_000, 70_000, 100_000], 'discounts 0/2/4/7/10 % (Permill)');

    const all = await api.call.capsulesApi.capsules({}, 0, 100);
    assert.ok(all.capsules.length >= 4, 'the four demo capsules');
    const premium = await api.call.capsulesApi.capsules({ lane: 'Premium', status: 'Active' }, 0, 100);
    const offerings = premium.capsules.map((c) => u8aToString(c.offering));
    assert.deepEqual(offerings.sort(), ['claude-opus', 'gpt-5-codex']);
    assert.equal((await api.call.capsulesApi.offering('consumer-chat-plan')).unwrap().isFalse, true);
    assert.ok((await api.call.capsulesApi.offering('no-such-offering')).isNone);
  });

  test('a provider registers a capsule, announces a price and sets capacity', async () => {
    const ferdie = keyring.addFromUri('//Ferdie');
    const spec = {
      offering: 'gpt-5',
      lane: 'Standard',
      price: { per1kInput: 1_000, per1kOutput: 8_000, per1kCacheRead: 100, per1kCacheWrite: 1_250 },
      capacity: 250_000,
      window: 'Day',
      concurrency: 3,
      region: 'eu-central',
      endpointCommitment: blake2AsHex('https://ferdie.example/v1 + key'),
      metadata: '{"name":"ferdie-gpt5"}'
    };

    // A zero price fails with the pallet's named error and changes nothing.
    const next = (await api.query.capsules.nextCapsuleId()).toNumber();
    await assert.rejects(
      submit(api, api.tx.capsules.register({ ...spec, price: { ...spec.price, per1kCacheRead: 0 } }), ferdie),
      /capsules\.ZeroPrice/
    );
    assert.equal((await api.query.capsules.nextCapsuleId()).toNumber(), next);

    const { events } = await submit(api, api.tx.capsules.register(spec), ferdie);
    const registered = findEvent(events, api.events.capsules.Registered);
    assert.ok(registered, 'Capsules.Registered');
    const id = registered.data.id.toNumber();
    assert.equal(registered.data.owner.toString(), ferdie.address);
    assert.equal(registered.data.bond.toBigInt(), api.consts.capsules.capsuleBond.toBigInt());
    assert.equal(registered.data.deposit.toBigInt(),
      api.consts.capsules.depositPerByte.toBigInt() * BigInt(spec.metadata.length));

    const holds = (await api.query.balances.holds(ferdie.address)).map((h) => [h.id.toString(), h.amount.toBigInt()]);
    assert.ok(holds.some(([reason, amount]) => reason.includes('CapsuleBond') && amount === registered.data.bond.toBigInt()),
      `bond held under Capsules.CapsuleBond: ${JSON.stringify(holds, (_, v) => typeof v === 'bigint' ? v.toString() : v)}`);

    let info = (await api.call.capsulesApi.capsule(id)).unwrap();
    assert.equal(info.owner.toString(), ferdie.address);
    assert.equal(u8aToString(info.offering), 'gpt-5');
    assert.equal(u8aToString(info.region), 'eu-central');
    assert.equal(info.endpointCommitment.toHex(), spec.endpointCommitment);
    assert.ok(info.status.isActive);
    assert.equal(info.price.per1kOutput.toBigInt(), 8_000n);

    const newPrice = { per1kInput: 900, per1kOutput: 7_500, per1kCacheRead: 90, per1kCacheWrite: 1_125 };
    const announced = await submit(api, api.tx.capsules.announcePrice(id, newPrice), ferdie);
    const ev = findEvent(announced.events, api.events.capsules.PriceAnnounced);
    const effectiveAt = ev.data.effectiveAt.toNumber();
    const header = await api.rpc.chain.getHeader(announced.blockHash);
    assert.equal(effectiveAt, header.number.toNumber() + api.consts.capsules.priceNoticeDelay.toNumber());

    await submit(api, api.tx.capsules.setCapacity(id, 400_000, 'Week', 6), ferdie);
    info = (await api.call.capsulesApi.capsule(id)).unwrap();
    assert.equal(info.price.per1kOutput.toBigInt(), 8_000n, 'the old price holds during the notice');
    assert.equal(info.pendingPrice.unwrap().price.per1kOutput.toBigInt(), 7_500n);
    assert.equal(info.pendingPrice.unwrap().effectiveAt.toNumber(), effectiveAt);
    assert.equal(info.capacity.toBigInt(), 400_000n);
    assert.ok(info.window.isWeek);
    assert.equal(info.concurrency.toNumber(), 6);

    // Someone else cannot touch it.
    await assert.rejects(
      submit(api, api.tx.capsules.pause(id), keyring.addFromUri('//Dave')),
      /capsules\.NotOwner/
    );

    const mine = await api.call.capsulesApi.capsules({ owner: ferdie.address }, 0, 10);
    assert.deepEqual(mine.capsules.map((c) => c.id.toNumber()), [id]);
  });

  test('a seeker stakes 10,000 NXV and is Silver through TiersApi.tier_of', async () => {
    const eve = keyring.addFromUri('//Eve');
    const before = await api.call.tiersApi.tierOf(eve.address);
    assert.equal(before.tier.toNumber(), 0);

    await assert.rejects(
      submit(api, api.tx.tiers.stake(1n), eve),
      /tiers\.BelowMinStake/
    );

    const { events } = await submit(api, api.tx.tiers.stake(10_000n * NXV), eve);
    const staked = findEvent(events, api.events.tiers.Staked);
    assert.equal(staked.data.tier.toNumber(), 2);
    assert.equal(staked.data.active.toBigInt(), 10_000n * NXV);

    const standing = await api.call.tiersApi.tierOf(eve.address);
    assert.equal(standing.tier.toNumber(), 2, 'Silver');
    assert.equal(standing.active.toBigInt(), 10_000n * NXV);
    assert.equal(standing.params.rateLimit.toBigInt(), 2_000_000n);
    assert.ok(standing.params.premiumLanes.isTrue);
    assert.equal(standing.params.commitmentDiscount.toNumber(), 40_000);
    assert.equal(standing.nextThreshold.unwrap().toBigInt(), 50_000n * NXV);

    // Unstaking drops the tier at once and shows the unlock schedule.
    const { blockHash } = await submit(api, api.tx.tiers.unstake(5_000n * NXV), eve);
    const after = await api.call.tiersApi.tierOf(eve.address);
    assert.equal(after.tier.toNumber(), 1, 'Bronze');
    assert.equal(after.unlocking.length, 1);
    const n = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    assert.equal(after.unlocking[0].unlockAt.toNumber(), n + api.consts.tiers.unbondingDelay.toNumber());
  });

  test('a provider multiplier reflects stake and the capsules\' reputation', async () => {
    const charlie = keyring.addFromUri('//Charlie');
    const before = await api.call.tiersApi.providerMultiplier(charlie.address);
    assert.equal(before.multiplier.toBigInt(), 10n ** 18n, 'no stake: 1.0');
    await submit(api, api.tx.tiers.providerStake(100_000n * NXV), charlie);
    const boosted = await api.call.tiersApi.providerMultiplier(charlie.address);
    assert.equal(boosted.stake.toBigInt(), 100_000n * NXV);
    assert.equal(boosted.trust.toNumber(), 1_000_000, 'fresh capsules are fully trusted');
    assert.equal(boosted.multiplier.toBigInt(), 15n * 10n ** 17n, 'full stake boost: 1.5');
  });
});
