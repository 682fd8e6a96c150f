// The node's `nexus_*` JSON-RPC methods on a real `nexus-node --dev`, called over plain HTTP
// (as curl would) and through @polkadot/api with the definitions of clients/js: every method
// answers what the runtime API it wraps says, at the best block or at a given one; bad input
// gets the documented error code (malformed accounts and assets, unknown ids, huge pages,
// unknown filters, hashes of unknown blocks); and the quote equals what a real settlement
// charges, leg by leg.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex, u8aToString } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { RPC_ERRORS, rpc, submitReceiptBatch } from '../../clients/js/src/index.js';
import { USDN, USDN_ASSET, firstReceipt } from './lib/gateway.js';
import { signAndFinalize, startNode, stopAll } from './lib/node.js';
import { ApiPromise, WsProvider } from '@polkadot/api';

const submit = (api, tx, signer) => signAndFinalize(api, tx, signer, { until: 'inBlock' });
const METHODS = ['quote', 'capsule', 'capsules', 'tier', 'tierTable', 'session', 'sessions', 'escrow',
  'feeParameters', 'reserveStatus', 'supply', 'flows', 'simulate', 'offerings', 'replay', 'feePath', 'feeChanges'];

describe('nexus_* RPC on nexus-node --dev', () => {
  let node;
  let api;
  let eve;
  let dave;
  let session;
  let httpUrl;

  // One JSON-RPC call over HTTP: `{ result }` or `{ error: { code, message, data } }`.
  const call = async (method, params = []) => {
    const res = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
    });
    return res.json();
  };
  const ok = async (method, params) => {
    const r = await call(method, params);
    assert.ok(!r.error, `${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  const fails = async (method, params, code) => {
    const r = await call(method, params);
    assert.ok(r.error, `${method}(${JSON.stringify(params)}) should fail, answered ${JSON.stringify(r.result)}`);
    assert.equal(r.error.code, code, `${method}: ${JSON.stringify(r.error)}`);
    assert.ok(r.error.message.length > 10, 'a readable message');
    return r.error;
  };

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    eve = keyring.addFromUri('//Eve');
    dave = keyring.addFromUri('//Dave');
    node = await startNode('rpc', ['--dev']);
    httpUrl = node.rpcUrl.replace('ws://', 'http://');
    api = await ApiPromise.create({ provider: new WsProvider(node.rpcUrl), rpc, noInitWarn: true, throwOnConnect: true });
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
  });

  test('every nexus_ method is listed by rpc_methods', async () => {
    const { methods } = await ok('rpc_methods');
    for (const m of METHODS) assert.ok(methods.includes(`nexus_${m}`), `nexus_${m} listed`);
  });

  test('nexus_capsules pages and filters; huge pages, bad filters and bad owners are refused', async () => {
    const all = await ok('nexus_capsules', []);
    assert.equal(all.next, null, 'the demo registry fits one page');
    assert.equal(all.capsules.length, 4);
    assert.deepEqual(all.capsules.map((c) => c.id), [0, 1, 2, 3]);

    // Paging one at a time walks the same ids.
    const ids = [];
    for (let from = 0; from !== null;) {
      const page = await ok('nexus_capsules', [null, from, 1]);
      ids.push(...page.capsules.map((c) => c.id));
      from = page.next;
    }
    assert.deepEqual(ids, [0, 1, 2, 3]);

    const bob = (await api.call.capsulesApi.capsule(0)).unwrap().owner.toString();
    const premium = await ok('nexus_capsules', [{ lane: 'premium', status: 'active' }]);
    assert.ok(premium.capsules.length > 0 && premium.capsules.every((c) => c.lane === 'premium' && c.status === 'active'));
    const bobs = await ok('nexus_capsules', [{ owner: bob }]);
    assert.ok(bobs.capsules.length > 0 && bobs.capsules.every((c) => c.owner === bob));
    const none = await ok('nexus_capsules', [{ offering: 'no-such-offering' }]);
    assert.deepEqual(none.capsules, []);

    await fails('nexus_capsules', [null, 0, 1_000_000], RPC_ERRORS.INVALID_PAGE);
    await fails('nexus_capsules', [null, 0, 101], RPC_ERRORS.INVALID_PAGE);
    await fails('nexus_capsules', [null, 0, 0], RPC_ERRORS.INVALID_PAGE);
    await fails('nexus_capsules', [{ lane: 'gold' }], RPC_ERRORS.INVALID_FILTER);
    await fails('nexus_capsules', [{ status: 'gone' }], RPC_ERRORS.INVALID_FILTER);
    await fails('nexus_capsules', [{ owner: 'not-an-account' }], RPC_ERRORS.INVALID_ACCOUNT);
    await fails('nexus_capsules', [{ colour: 'red' }], -32602);
  });

  test('nexus_capsule is the runtime API in JSON; unknown ids are 9010', async () => {
    const info = (await api.call.capsulesApi.capsule(0)).unwrap();
    const c = await ok('nexus_capsule', [0]);
    assert.equal(c.id, 0);
    assert.equal(c.owner, info.owner.toString());
    assert.equal(c.offering, u8aToString(info.offering));
    assert.equal(c.region, u8aToString(info.region));
    assert.equal(c.lane, info.lane.toString().toLowerCase());
    assert.equal(c.status, 'active');
    assert.equal(c.price.per1kInput, info.price.per1kInput.toBigInt().toString());
    assert.equal(c.price.per1kOutput, info.price.per1kOutput.toBigInt().toString());
    assert.equal(c.endpointCommitment, info.endpointCommitment.toHex());
    assert.equal(c.metadata, u8aToHex(info.metadata));
    assert.equal(c.bond, info.bond.toBigInt().toString());
    assert.equal(c.trust, info.trust.toNumber() * 1000, 'ratios in parts per billion');
    assert.equal(c.uptime, info.uptime.toNumber() * 1000);
    assert.equal(typeof c.bond, 'string', 'amounts are strings');

    // The same through @polkadot/api with the package's definitions.
    assert.deepEqual((await api.rpc.nexus.capsule(0)).toJSON(), c);

    const e = await fails('nexus_capsule', [999_999], RPC_ERRORS.UNKNOWN_CAPSULE);
    assert.match(e.message, /unknown capsule 999999/);
    await fails('nexus_capsule', ['zero'], -32602);
  });

  test('nexus_tier and nexus_tierTable equal TiersApi; malformed accounts are 9002', async () => {
    const table = await ok('nexus_tierTable');
    const fromApi = await api.call.tiersApi.tierTable();
    assert.equal(table.length, fromApi.length);
    table.forEach((t, i) => {
      assert.equal(t.index, i);
      assert.equal(t.threshold, fromApi[i].threshold.toBigInt().toString());
      assert.equal(t.rateLimit, fromApi[i].rateLimit.toNumber());
      assert.equal(t.premiumLanes, fromApi[i].premiumLanes.isTrue);
      assert.equal(t.commitmentDiscount, fromApi[i].commitmentDiscount.toNumber() * 1000);
    });

    const tier = await ok('nexus_tier', [eve.address]);
    const standing = await api.call.tiersApi.tierOf(eve.address);
    assert.equal(tier.account, eve.address);
    assert.equal(tier.tier.index, standing.tier.toNumber());
    assert.equal(tier.active, standing.active.toBigInt().toString());
    assert.equal(tier.nextThreshold, standing.nextThreshold.unwrap().toBigInt().toString());
    assert.equal(tier.provider.multiplier, '1', 'no provider stake: multiplier 1');

    // The same account as 0x-hex and as a Polkadot-prefix (0) address.
    const hex = u8aToHex(eve.publicKey);
    assert.deepEqual(await ok('nexus_tier', [hex]), tier);
    const polkadotAddress = new Keyring({ type: 'sr25519', ss58Format: 0 }).addFromUri('//Eve').address;
    assert.deepEqual(await ok('nexus_tier', [polkadotAddress]), tier);

    for (const bad of ['5Grw', '0x1234', 'hello', '']) {
      await fails('nexus_tier', [bad], RPC_ERRORS.INVALID_ACCOUNT);
    }
  });

  test('nexus_feeParameters, nexus_reserveStatus and nexus_supply equal their runtime APIs', async () => {
    const f = await ok('nexus_feeParameters');
    const status = await api.call.feesApi.feeParameters();
    assert.equal(f.takeRate, status.params.takeRate.toNumber());
    assert.equal(f.maxTakeRate, status.maxTakeRate.toNumber());
    assert.equal(f.treasuryShare + f.buybackShare + f.validatorsShare + f.reserveShare, 1_000_000_000,
      'the split sums to 100 % in parts per billion');
    const price = await api.call.feesApi.nxvPrice();
    assert.equal(f.nxvPrice, price.price.unwrap().toBigInt().toString());
    assert.equal(f.nxvPriceStale, price.stale.isTrue);

    const r = await ok('nexus_reserveStatus');
    const reserve = await api.call.reserveApi.reserveStatus();
    assert.equal(r.account, reserve.account.toString());
    assert.equal(r.minReserve, reserve.minReserve.toBigInt().toString());
    assert.equal(r.value, reserve.value.toBigInt().toString());

    const s = await ok('nexus_supply');
    const supply = await api.call.supplyApi.supply();
    for (const k of Object.keys(s)) assert.equal(s[k], supply[k].toBigInt().toString(), k);
    assert.equal(s.total, (await api.query.balances.totalIssuance()).toBigInt().toString());
  });

  test('`at` reads an older block; unknown and malformed hashes are refused', async () => {
    const genesis = (await api.rpc.chain.getBlockHash(0)).toHex();
    const atGenesis = await ok('nexus_supply', [genesis]);
    assert.equal(atGenesis.total, (await api.query.balances.totalIssuance.at(genesis)).toBigInt().toString());
    await ok('nexus_capsule', [0, genesis]);
    const unknown = `0x${'ab'.repeat(32)}`;
    const e = await fails('nexus_supply', [unknown], RPC_ERRORS.UNKNOWN_BLOCK);
    assert.match(e.message, /unknown block/);
    await fails('nexus_capsule', [0, unknown], RPC_ERRORS.UNKNOWN_BLOCK);
    await fails('nexus_feeParameters', ['0x1234'], -32602);
  });

  test('a seeker flow shows in nexus_escrow, nexus_session and nexus_sessions', async () => {
    assert.deepEqual(await ok('nexus_escrow', [eve.address]), []);
    await submit(api, api.tx.metering.deposit(USDN_ASSET, 100n * USDN), eve);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const { events } = await submit(api, api.tx.metering.openSession(0, USDN_ASSET, 20n * USDN, head + 300), eve);
    session = events.find(({ event }) => api.events.metering.SessionOpened.is(event)).event.data.id.toNumber();

    assert.deepEqual(await ok('nexus_escrow', [eve.address]),
      [{ asset: 'USDN', free: (80n * USDN).toString(), committed: (20n * USDN).toString() }]);
    const s = await ok('nexus_session', [session]);
    assert.equal(s.seeker, eve.address);
    assert.equal(s.gateway, 0);
    assert.equal(s.asset, 'USDN');
    assert.equal(s.cap, (20n * USDN).toString());
    assert.equal(s.spent, '0');
    assert.equal(s.remaining, s.cap);
    assert.equal(s.expiresAt, head + 300);
    assert.equal(s.closed, null);
    assert.deepEqual(await ok('nexus_sessions', [eve.address]), [s]);
    await fails('nexus_session', [123_456], RPC_ERRORS.UNKNOWN_SESSION);
    await fails('nexus_escrow', ['5Grw'], RPC_ERRORS.INVALID_ACCOUNT);
  });

  test('nexus_simulate prices a workload as nexus_quote does, under proposed parameters; bad input is named', async () => {
    const fees = await ok('nexus_feeParameters', []);
    const today = Object.fromEntries(['takeRate', 'treasuryShare', 'buybackShare', 'validatorsShare',
      'reserveShare', 'nxvDiscount', 'maxDiscount'].map((k) => [k, fees[k]]));
    const tier = (await ok('nexus_tier', [eve.address])).tier.index;
    const line = { capsule: 1, tier, asset: 'USDN', inputUnits: 1_000, outputUnits: 200, requests: 5 };
    const q = await ok('nexus_quote', [eve.address, 1, 1_000, 200, 'USDN']);
    const sim = await ok('nexus_simulate', [today, [line, { ...line, asset: 'NXV', requests: 2 }]]);
    assert.deepEqual(sim.params, today);
    assert.equal(sim.lines[0].perRequest.net, q.net);
    assert.deepEqual(sim.lines[0].perRequest.legs, q.legs);
    assert.equal(sim.lines[0].total.net, String(BigInt(q.net) * 5n));
    assert.deepEqual(sim.perAsset.map((t) => [t.asset, t.requests]), [['USDN', 5], ['NXV', 2]]);
    // The runtime API answers the same, SCALE-decoded.
    const runtime = (await api.call.meteringApi.simulate(
      today, [{ capsule: 1, tier, asset: USDN_ASSET, inUnits: 1_000, outUnits: 200, requests: 5 }])).asOk;
    assert.equal(runtime.perAsset[0][1].net.toString(), sim.perAsset[0].net);

    // A higher take: the seeker pays the same, the provider less, the pots more.
    const higher = await ok('nexus_simulate', [{ ...today, takeRate: today.takeRate + 30_000_000 }, [line]]);
    assert.equal(higher.perAsset[0].net, sim.perAsset[0].net);
    assert.ok(BigInt(higher.perAsset[0].legs.provider) < BigInt(sim.perAsset[0].legs.provider));

    const shares = await fails('nexus_simulate', [{ ...today, treasuryShare: today.treasuryShare + 1 }, [line]],
      RPC_ERRORS.INVALID_FEE_PARAMETERS);
    assert.deepEqual(shares.data, { reason: 'SharesDoNotSumToOne', bound: 1_000_000_000 });
    const take = await fails('nexus_simulate', [{ ...today, takeRate: 300_000_001 }, [line]], RPC_ERRORS.INVALID_FEE_PARAMETERS);
    assert.deepEqual(take.data, { reason: 'TakeRateTooHigh', bound: 300_000_000 });
    await fails('nexus_simulate', [{ ...today, maxDiscount: 300_000_001 }, [line]], RPC_ERRORS.INVALID_FEE_PARAMETERS);
    await fails('nexus_simulate', [{ ...today, nxvDiscount: today.maxDiscount + 1 }, [line]], RPC_ERRORS.INVALID_FEE_PARAMETERS);
    await fails('nexus_simulate', [{ ...today, reserveShare: 4_000_000_000 }, [line]], RPC_ERRORS.INVALID_FEE_PARAMETERS);
    await fails('nexus_simulate', [today, []], RPC_ERRORS.INVALID_WORKLOAD);
    await fails('nexus_simulate', [today, Array(33).fill(line)], RPC_ERRORS.INVALID_WORKLOAD);
    const unknownTier = await fails('nexus_simulate', [today, [line, { ...line, tier: 200 }]], RPC_ERRORS.INVALID_WORKLOAD);
    assert.equal(unknownTier.data.line, 1);
    await fails('nexus_simulate', [today, [{ ...line, capsule: 999 }]], RPC_ERRORS.UNKNOWN_CAPSULE);
    const lane = await fails('nexus_simulate', [today, [{ ...line, capsule: 0, tier: 0 }]], RPC_ERRORS.QUOTE_REJECTED);
    assert.deepEqual(lane.data, { line: 0, reason: 'LaneNotAllowed' });
    await fails('nexus_simulate', [today, [{ ...line, asset: 'DOGE' }]], RPC_ERRORS.INVALID_ASSET);
    await fails('nexus_simulate', [today, [{ ...line, asset: '7' }]], RPC_ERRORS.QUOTE_REJECTED);
    await fails('nexus_simulate', [{ ...today, extra: 1 }, [line]], -32602);
    await fails('nexus_simulate', [today, [{ ...line, requests: -1 }]], -32602);
  });

  test('nexus_quote equals what a real settlement charges, leg by leg; bad quotes are named', async () => {
    const capsule = (await ok('nexus_capsules', [{ lane: 'standard', status: 'active' }])).capsules[0].id;
    const q = await ok('nexus_quote', [eve.address, capsule, 1_000, 200, 'USDN']);
    assert.equal(q.seeker, eve.address);
    assert.equal(q.asset, 'USDN');
    const runtime = (await api.call.meteringApi.quote(eve.address, capsule, { input: 1_000, output: 200 }, USDN_ASSET)).asOk;
    assert.equal(q.net, runtime.net.toBigInt().toString());
    assert.deepEqual(await ok('nexus_quote', [eve.address, capsule, 1_000, 200]), q, 'USDN is the default');
    assert.deepEqual([q.cacheReadUnits, q.cacheWriteUnits], [0, 0]);

    // Prompt-cache units: the list price covers the four kinds at the capsule's prices, rounded up once.
    const { price } = await ok('nexus_capsule', [capsule]);
    const cached = await ok('nexus_quote', [eve.address, capsule, 1_000, 200, 'USDN', null, 40_001, 3_000]);
    assert.deepEqual([cached.inputUnits, cached.outputUnits, cached.cacheReadUnits, cached.cacheWriteUnits], [1_000, 200, 40_001, 3_000]);
    const milli = 1_000n * BigInt(price.per1kInput) + 200n * BigInt(price.per1kOutput) +
      40_001n * BigInt(price.per1kCacheRead) + 3_000n * BigInt(price.per1kCacheWrite);
    assert.equal(cached.list, ((milli + 999n) / 1_000n).toString());
    assert.ok(BigInt(price.per1kCacheRead) < BigInt(price.per1kInput), 'the preset prices cache reads below input');
    const units = { input: 1_000, output: 200, cacheRead: 40_001, cacheWrite: 3_000 };
    const direct = (await api.call.meteringApi.quote(eve.address, capsule, units, USDN_ASSET)).asOk;
    assert.equal(cached.net, direct.net.toBigInt().toString(), 'the RPC answers what the runtime API does');

    // Settle one receipt as the development gateway (Dave) and compare every amount.
    const { settlement } = await submitReceiptBatch(api, dave, dave, firstReceipt(session, capsule), { until: 'inBlock' });
    assert.deepEqual([settlement.rejected.length, settlement.refused.length], [0, 0]);
    assert.equal(settlement.groups[0].spent.toString(), q.net);
    assert.equal(settlement.groups[0].discount.toNumber(), q.discount);
    const legs = settlement.assets[0].legs;
    assert.deepEqual(
      { provider: legs.provider.toString(), treasury: legs.treasury.toString(), buyback: legs.buyback.toString(), validators: legs.validators.toString(), reserve: legs.reserve.toString() },
      q.legs
    );
    assert.equal(Object.values(q.legs).reduce((a, b) => a + BigInt(b), 0n).toString(), q.net, 'the legs sum to net');
    const s = await ok('nexus_session', [session]);
    assert.equal(s.spent, q.net);
    assert.equal(s.lastSeq, 1);

    // Flows count it: since genesis and since a recent block.
    const flows = await ok('nexus_flows');
    const usdn = flows.find((f) => f.asset === 'USDN');
    assert.equal(usdn.receipts, 1);
    assert.equal(usdn.net, q.net);
    assert.equal(usdn.provider, q.legs.provider);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    assert.equal((await ok('nexus_flows', [head])).find((f) => f.asset === 'USDN').net, q.net);

    // Bad quotes.
    await fails('nexus_quote', [eve.address, 999_999, 1_000, 200, 'USDN'], RPC_ERRORS.UNKNOWN_CAPSULE);
    await fails('nexus_quote', [eve.address, capsule, 1_000, 200, 'DOGE'], RPC_ERRORS.INVALID_ASSET);
    await fails('nexus_quote', ['nobody', capsule, 1_000, 200, 'USDN'], RPC_ERRORS.INVALID_ACCOUNT);
    const rejected = await fails('nexus_quote', [eve.address, capsule, 1_000, 200, '7'], RPC_ERRORS.QUOTE_REJECTED);
    assert.equal(rejected.data.reason, 'Conversion(UnsupportedAsset)', 'asset 7 is not a payment asset');

    // The usage history keeps the settled receipt: replayed under today's parameters it is
    // exactly its charge (one receipt per line), under a proposal it is re-priced.
    const fees = await ok('nexus_feeParameters', []);
    const today = Object.fromEntries(['takeRate', 'treasuryShare', 'buybackShare', 'validatorsShare',
      'reserveShare', 'nxvDiscount', 'maxDiscount'].map((k) => [k, fees[k]]));
    const r = await ok('nexus_replay', [today, 1]);
    assert.deepEqual(r.params, today);
    assert.equal(r.from, r.today);
    assert.equal(r.days.length, 1);
    const [line] = r.days[0].lines;
    assert.deepEqual([line.asset, line.receipts, line.tierDiscount], ['USDN', 1, q.tierDiscount]);
    assert.equal(line.actual.list, q.list);
    assert.deepEqual(line.actual.legs, q.legs);
    assert.deepEqual(line.replayed, line.actual);
    assert.deepEqual(r.total, r.days[0].perAsset);
    const runtimeReplay = (await api.call.meteringApi.replay(today, 1)).asOk;
    assert.equal(runtimeReplay.total[0].actual.net.toString(), q.net, 'the RPC answers what the runtime API does');
    const higher = await ok('nexus_replay', [{ ...today, takeRate: today.takeRate + 50_000_000 }, 1]);
    assert.equal(higher.total[0].replayed.net, q.net, 'the take does not change what seekers pay');
    assert.ok(BigInt(higher.total[0].replayed.legs.provider) < BigInt(q.legs.provider));
    await fails('nexus_replay', [today, 0], RPC_ERRORS.INVALID_WINDOW);
    const long = await fails('nexus_replay', [today, 91], RPC_ERRORS.INVALID_WINDOW);
    assert.deepEqual(long.data, { maxDays: 90 });
    await fails('nexus_replay', [{ ...today, takeRate: 300_000_001 }, 1], RPC_ERRORS.INVALID_FEE_PARAMETERS);
    await fails('nexus_replay', [{ ...today, extra: 1 }, 1], -32602);

    // The referenda to a far proposal: each within the step, a cooldown apart.
    const far = { ...today, takeRate: 280_000_000 };
    const path = await ok('nexus_feePath', [far]);
    assert.equal(path.steps.length, Math.ceil((far.takeRate - today.takeRate) / fees.maxStep));
    assert.deepEqual(path.steps.at(-1).params, far);
    assert.equal(path.steps[1].enactableFrom - path.steps[0].enactableFrom, fees.changeCooldown);
    assert.ok(path.steps[0].enactableFrom >= fees.nextChangeAt);
    const unchanged = await fails('nexus_feePath', [today], RPC_ERRORS.NO_FEE_PATH);
    assert.equal(unchanged.data.reason, 'Unchanged');
    const bad = await fails('nexus_feePath', [{ ...today, takeRate: 300_000_001 }], RPC_ERRORS.INVALID_FEE_PARAMETERS);
    assert.equal(bad.data.reason, 'TakeRateTooHigh');
    // No change enacted on this chain yet; the usage line is filed under the genesis regime.
    assert.deepEqual(await ok('nexus_feeChanges', []), []);
    assert.equal(line.regime, 0);
  });
});
