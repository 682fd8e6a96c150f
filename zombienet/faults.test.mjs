// Fault tests on the four-validator market network (market.toml, spawned by zombienet) under
// steady receipt traffic through nexus-gateway:
//  1. the network produces and finalizes blocks, and the gateway settles receipts;
//  2. one validator (charlie) killed with SIGKILL: blocks are still produced and finalized
//     (3 of 4 GRANDPA voters are a supermajority); meanwhile the gateway is killed with SIGKILL
//     and restarted on its store;
//  3. a second validator (dave) killed: finality stalls (2 of 4 are not more than two thirds)
//     while Alice and Bob go on producing blocks;
//  4. both restarted on their databases: each comes back at (at least) the block it had when it
//     died, not at genesis, then syncs; finality catches up; every block finalized at any point
//     of the run has the same hash on all four nodes at the end (none was reverted);
//  5. every request the gateway served settled on chain exactly once;
//  6. the seeker disputes one of those receipts with the JS package (its leaf and proof from the
//     gateway), once: a second dispute of the same receipt is refused.
// Loopback only. Timing: about 5.5 minutes on 2 cores. Figures are printed for docs/operations.md.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { disputeReceipt, receiptEvidence, rpc } from '../clients/js/src/index.js';
import { Market, Traffic, assertSettledExactlyOnce } from './lib/market.mjs';
import { startNetwork } from './lib/network.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-faults-'));
let network;
let market;
let traffic;
let session;
const NODES = ['alice', 'bob', 'charlie', 'dave'];
/** Every finalized block seen during the run: number → hash (from alice, the gateway's node). */
const finalized = new Map();
const figures = {};
let t0;
let restarts = [];
let beforeKill = {};

const at = async (secondsAfterT0) => {
  const wait = t0 + secondsAfterT0 * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
};
const note = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${m}`);

/** Records the hashes of alice's finalized blocks not yet recorded. */
async function recordFinalized () {
  const { finalized: f } = await network.heights('alice');
  for (let n = finalized.size + 1; n <= f; n++) finalized.set(n, await network.blockHash('alice', n));
  return f;
}

before(async () => {
  network = await startNetwork('market.toml', { dir });
  await network.waitFor('the first finalized block', () => network.heights('alice'), (h) => h.finalized >= 1, 180_000);
  market = new Market({ rpc: network.wsUrl('alice'), dir });
  await market.startUpstreams();
  await market.startGateway();
  await market.registerEndpoints();
  const seeker = await market.seeker('//Eve', { stakeNxv: 250_000, asset: 'USDN', cap: 5_000 });
  session = seeker.session;
  traffic = new Traffic(market.gatewayUrl, seeker.key, { workers: 2, pauseMs: 300 });
});

/** Stops the traffic, the market and the network (their processes run in groups of their own). */
async function stopAll () {
  await traffic?.stop();
  await market?.stop();
  await network?.stop();
}

after(async () => {
  await traffic?.stop();
  await Promise.allSettled(restarts);
  await stopAll();
  if (process.env.NEXUS_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

// A run stopped from outside (scripts/test.sh stops the lanes of a failed run with SIGTERM, and
// `after` does not run then): the upstreams, the gateway and the validators are stopped all the
// same, so that none outlives the run holding its fixed port.
for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]]) {
  process.once(signal, () => stopAll().finally(() => process.exit(code)));
}

test('four validators produce and finalize blocks; the gateway settles receipts', async () => {
  await network.waitFor('peers', () => Promise.all(NODES.map((n) => network.rpc(n, 'system_health'))),
    (hs) => hs.every((h) => h.peers === 3), 60_000);
  await network.waitFor('settled receipts', () => market.health(), (h) => (h.receipts.settled ?? 0) >= 10, 180_000);
  assert.ok(traffic.ok.length >= 10);
  assert.ok(await recordFinalized() >= 3);
});

test('one validator killed: blocks are still produced and finalized; the gateway survives kill -9', async () => {
  t0 = Date.now();
  beforeKill.charlie = await network.heights('charlie');
  // charlie comes back on its database 130 s from now (zombienet's restart: kill -9, wait, start).
  restarts.push(network.killAndRestart('charlie', 130));
  await sleep(2000);
  const start = await network.heights('alice');
  note(`charlie killed at best #${beforeKill.charlie.best}; alice best #${start.best}, finalized #${start.finalized}`);

  await at(8);
  const servedAtKill = traffic.ok.length;
  await market.gateway.kill9();
  note(`gateway killed (kill -9) after ${servedAtKill} answered requests`);
  await sleep(2000);
  await market.startGateway();
  await network.waitFor('requests served after the gateway restart', async () => traffic.ok.length, (n) => n >= servedAtKill + 10, 60_000);
  note('gateway restarted on its store, serving again');

  await at(50);
  const end = await network.heights('alice');
  figures.oneDown = { blocks: end.best - start.best, finalized: end.finalized - start.finalized, seconds: 48 };
  note(`one validator down for 48 s: +${figures.oneDown.blocks} blocks, +${figures.oneDown.finalized} finalized`);
  assert.ok(end.best - start.best >= 3, `blocks produced with 3 of 4 validators: ${JSON.stringify({ start, end })}`);
  assert.ok(end.finalized - start.finalized >= 2, `blocks finalized with 3 of 4 validators: ${JSON.stringify({ start, end })}`);
  await recordFinalized();
});

test('two validators killed: finality stalls while blocks are still produced', async () => {
  await at(50);
  beforeKill.dave = await network.heights('dave');
  // dave comes back 80 s from now, at about the time charlie does.
  restarts.push(network.killAndRestart('dave', 80));
  note(`dave killed at best #${beforeKill.dave.best}`);
  // Votes already cast may still complete a round: measure from 12 s after the kill.
  await at(62);
  const start = await network.heights('alice');
  const startBob = await network.heights('bob');
  await recordFinalized();
  await at(122);
  const end = await network.heights('alice');
  const endBob = await network.heights('bob');
  figures.twoDown = { blocks: end.best - start.best, finalized: end.finalized - start.finalized, seconds: 60 };
  note(`two validators down for 60 s: +${figures.twoDown.blocks} blocks, +${figures.twoDown.finalized} finalized (#${end.finalized})`);
  assert.equal(end.finalized, start.finalized, 'no finality with 2 of 4 validators (alice)');
  assert.equal(endBob.finalized, startBob.finalized, 'no finality with 2 of 4 validators (bob)');
  assert.ok(end.best - start.best >= 3, `alice and bob still produce blocks: ${JSON.stringify({ start, end })}`);
  figures.stalledAt = { best: end.best, finalized: end.finalized };
});

test('both restarted: they resume from their databases and resync, finality catches up, nothing finalized is reverted', async () => {
  const pids = await Promise.all(restarts);
  assert.equal(pids.length, 2);
  for (const name of ['charlie', 'dave']) {
    // Where its sync started (`startingBlock`: the best block it loaded at start-up) is the
    // block it had when it was killed, not genesis: it resumed from its database.
    const sync = await network.waitFor(`${name}'s RPC`, () => network.rpc(name, 'system_syncState'), () => true, 60_000, 500);
    note(`${name} restarted: sync started at #${sync.startingBlock} from its database (had #${beforeKill[name].best} when killed)`);
    assert.ok(sync.startingBlock >= beforeKill[name].best, `${name} resumed from its database: ${JSON.stringify({ sync, before: beforeKill[name] })}`);
  }
  const target = (await network.heights('alice')).best;
  const restartedAt = Date.now();
  const caught = await network.waitFor(`finality to pass #${target}`, () => network.heights('alice'), (h) => h.finalized >= target, 240_000);
  figures.catchUp = { seconds: (Date.now() - restartedAt) / 1000, from: figures.stalledAt.finalized, to: caught.finalized };
  note(`finality caught up from #${figures.stalledAt.finalized} past #${target} in ${figures.catchUp.seconds.toFixed(0)} s`);
  for (const name of ['charlie', 'dave']) {
    await network.waitFor(`${name} to sync`, () => network.heights(name), (h) => h.best >= target && h.finalized >= target, 120_000);
  }
  await recordFinalized();
  // Every block finalized at any point of the run is still there, with the same hash, everywhere.
  for (const name of NODES) {
    for (const [n, hash] of finalized) {
      assert.equal(await network.blockHash(name, n), hash, `${name} block #${n}`);
    }
  }
  note(`${finalized.size} finalized blocks recorded during the run: same hashes on all four nodes`);
});

test('every request the gateway served settled on chain exactly once', async () => {
  await traffic.stop();
  const served = await assertSettledExactlyOnce(assert, market, session, traffic, network.httpUrl('alice'));
  assert.ok(traffic.errors.some((e) => /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|TypeError|AbortError/.test(e)),
    `the gateway kill cut something off: ${JSON.stringify([...new Set(traffic.errors)])}`);
  // A restarted gateway never refuses a bound key: it waits for its first best block instead
  // of reading the key at a block its block subscription does not know (gateway/src/chain.rs).
  assert.deepEqual(traffic.errors.filter((e) => /^HTTP 401/.test(e)), [], 'no valid key refused');
  note(`${traffic.ok.length} answered, ${traffic.errors.length} cut off or refused (${[...new Set(traffic.errors)].join(', ')}), ` +
    `${served.length} receipts, each settled once`);
  note(`errors, seconds from the first kill: ${traffic.errorLog.map((e) => `${((e.at - t0) / 1000).toFixed(1)} ${e.error}`).join('; ')}`);
  console.log(`# figures ${JSON.stringify(figures)}`);
});

test('the seeker disputes a settled receipt with the JS package, once', async () => {
  const api = await ApiPromise.create({ provider: new WsProvider(network.wsUrl('alice')), rpc });
  try {
    const eve = new Keyring({ type: 'sr25519' }).addFromUri('//Eve');
    const served = (await market.receipts(session)).filter((r) => r.outcome === 'served');
    const seq = served[Math.floor(served.length / 2)].seq;
    const evidence = await receiptEvidence(market.gatewayUrl, traffic.key, seq);
    const disputed = await disputeReceipt(api, eve, evidence);
    assert.deepEqual([disputed.session, disputed.seq, disputed.batch], [session, seq, evidence.batch]);
    assert.equal(disputed.deposit, (await api.consts.metering.disputeDeposit).toBigInt());
    // The dispute is open on chain with a copy of the charge, for governance to rule on.
    const open = (await api.query.metering.receiptDisputes.entries(evidence.batch)).map(([, d]) => d.unwrap().charge);
    assert.deepEqual(open.map((c) => [c.seeker.toString(), c.session.toNumber()]), [[eve.address, session]]);
    await assert.rejects(disputeReceipt(api, eve, evidence), /metering\.AlreadyDisputed/);
    note(`receipt ${seq} of session ${session} disputed by its leaf and proof (batch ${evidence.batch}); a second dispute refused`);
  } finally {
    await api.disconnect();
  }
});
