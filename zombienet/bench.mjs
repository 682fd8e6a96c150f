#!/usr/bin/env node
// Throughput bench: on one node, in one run, sustained plain balance transfers per second
// (sTPS style) against sustained usage receipts settled per second through receipt batches v2
// (`metering.submit_batch`), in two shapes. Prints each, their ratios, block fullness and
// finality lag. Run it with scripts/bench-throughput.sh (which builds the node first).
//
//   node bench.mjs [--transfers 10000] [--sessions 1000] [--per-group 64] [--rounds 6]
//                  [--worst-rounds 8]
//
// The node is a fresh `nexus-node --dev` (one validator: Alice; 6 s slots) with a larger
// transaction pool and RPC limits (printed). Before the clock starts:
//  - `--transfers` distinct sender accounts are funded from //Alice (utility.batch_all), and each
//    signs one `balances.transfer_keep_alive` to the next sender (immortal, nonce 0);
//  - `--sessions` seekers are funded with NXV (fees) and USDN (escrow), and each deposits and
//    opens a session with gateway 0 (tier 0: no stake); their sessions are spread over the dev
//    chain's active capsules;
//  - the gateway's key (//Dave) signs the batches of two phases, one `submit_batch` per
//    transaction, signed by the operator (//Dave) with consecutive nonces:
//    * "receipts": `--rounds` rounds; in each, every session gets a group of `--per-group`
//      receipts, as many groups per batch as fit the runtime's bounds (8,192 receipts);
//    * "worst case": `--worst-rounds` rounds of one receipt per session: every receipt its own
//      group, session and seeker (the most per-session work per receipt).
//    Each receipt is served with 20 input, 10 output, 40 cache-read and 5 cache-write units.
// Each phase then submits all of its pre-signed transactions at once over one WebSocket
// (`author_submitExtrinsic`) and waits until the pool is empty and every block holding them is
// finalized. Counts come from the blocks' events (ExtrinsicSuccess of each transfer; each
// `BatchSettled`'s groups, with no rejected receipt and no refused group; nothing may fail),
// rates from the blocks' timestamps: items / (timestamp of the last block with one − timestamp
// of the block before the first). Every session's `last_seq` is checked at the end.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { receiptBatchPayload } from '../clients/js/src/index.js';
import { NODE_BIN } from './lib/env.mjs';
import { freePort } from './lib/util.mjs';

const { values: opts } = parseArgs({
  options: {
    transfers: { type: 'string', default: '10000' },
    sessions: { type: 'string', default: '1000' },
    'per-group': { type: 'string', default: '64' },
    rounds: { type: 'string', default: '6' },
    'worst-rounds': { type: 'string', default: '8' }
  }
});
const TRANSFERS = Number(opts.transfers);
const SESSIONS = Number(opts.sessions);
const PER_GROUP = Number(opts['per-group']);
const ROUNDS = Number(opts.rounds);
const WORST_ROUNDS = Number(opts['worst-rounds']);
const UNITS = { input: 20, output: 10, cacheRead: 40, cacheWrite: 5 };
const NXV = 10n ** 12n;
const USDN = 10n ** 6n;
const USDN_ASSET = { WithId: 1 };
const say = (m) => console.log(`\x1b[1;34m[bench]\x1b[0m ${m}`);

// The node's limits for the run: room for every pre-signed transaction in the pool, and for the
// submissions over one connection.
const NODE_LIMITS = [
  '--pool-limit', '100000', '--pool-kbytes', '1048576',
  '--rpc-max-connections', '1000', '--rpc-message-buffer-capacity-per-connection', '65536',
  '--rpc-max-request-size', '64', '--rpc-max-response-size', '64'
];

async function startNode () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-bench-'));
  const [rpc, p2p] = [await freePort(), await freePort()];
  const args = ['--dev', '--base-path', dir, '--rpc-port', String(rpc), '--listen-addr', `/ip4/127.0.0.1/tcp/${p2p}`,
    '--no-prometheus', '--no-telemetry', '--no-mdns', ...NODE_LIMITS];
  const log = fs.openSync(path.join(dir, 'node.log'), 'a');
  const child = spawn(NODE_BIN, args, { stdio: ['ignore', log, log] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  say(`node: ${NODE_BIN} ${args.join(' ')}`);
  return {
    url: `ws://127.0.0.1:${rpc}`,
    dir,
    async stop () {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Signs, submits and waits for finalization; throws on a dispatch error. */
function send (api, tx, signer, nonce = -1) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce }, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        const e = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(e ? `${e.section}.${e.name}` : dispatchError.toString()));
      } else if (status.isFinalized) resolve(events);
      else if (status.isDropped || status.isInvalid || status.isUsurped) reject(new Error(status.type));
    }).catch(reject);
  });
}

/** Watches best and finalized heads: when each block number was first seen, and finalized. */
async function watchHeads (api) {
  const seen = new Map();
  const finalizedAt = new Map();
  let best = (await api.rpc.chain.getHeader()).number.toNumber();
  let finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  let maxGap = best - finalized;
  const unsubs = [
    await api.rpc.chain.subscribeNewHeads((h) => {
      best = h.number.toNumber();
      if (!seen.has(best)) seen.set(best, Date.now());
      maxGap = Math.max(maxGap, best - finalized);
    }),
    await api.rpc.chain.subscribeFinalizedHeads((h) => {
      const n = h.number.toNumber();
      for (let i = finalized + 1; i <= n; i++) if (!finalizedAt.has(i)) finalizedAt.set(i, Date.now());
      finalized = Math.max(finalized, n);
    })
  ];
  return {
    seen,
    finalizedAt,
    get best () { return best; },
    get finalized () { return finalized; },
    resetGap () { maxGap = best - finalized; },
    get maxGap () { return maxGap; },
    stop: () => unsubs.forEach((u) => u())
  };
}

/**
 * Submits every pre-signed transaction (hex) at once, waits until the pool is empty and the
 * chain has finalized every block up to the best one at that moment, and reads those blocks:
 * per block, timestamp, the phase's items (`count(events, extrinsics)`), weight and length.
 */
async function phase (api, heads, name, signed, count) {
  const first = heads.best + 1;
  heads.resetGap();
  const t0 = Date.now();
  const results = await Promise.allSettled(signed.map((hex) => api.rpc.author.submitExtrinsic(hex)));
  const refused = results.filter((r) => r.status === 'rejected');
  if (refused.length) throw new Error(`${name}: the pool refused ${refused.length}: ${refused[0].reason.message}`);
  const submitSecs = (Date.now() - t0) / 1000;
  while ((await api.rpc.author.pendingExtrinsics()).length > 0) await sleep(500);
  const last = heads.best;
  while (heads.finalized < last) await sleep(500);
  const maxGap = heads.maxGap;

  const limits = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  const maxLength = api.consts.system.blockLength.max.normal.toNumber();
  const blocks = [];
  for (let n = first - 1; n <= last; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const at = await api.at(hash);
    const [block, events, now, weight] = await Promise.all([
      api.rpc.chain.getBlock(hash), at.query.system.events(), at.query.timestamp.now(), at.query.system.blockWeight()
    ]);
    blocks.push({
      n,
      ts: now.toNumber(),
      items: n < first ? 0 : count(events, block.block.extrinsics),
      weight: Number(weight.normal.refTime.toBigInt() * 10000n / limits) / 100,
      length: block.block.encodedLength / maxLength * 100,
      lag: heads.finalizedAt.has(n) && heads.seen.has(n) ? (heads.finalizedAt.get(n) - heads.seen.get(n)) / 1000 : null
    });
  }
  const withItems = blocks.filter((b) => b.items > 0);
  if (!withItems.length) throw new Error(`${name}: no block between #${first} and #${last} holds one`);
  const total = withItems.reduce((s, b) => s + b.items, 0);
  const firstIdx = blocks.indexOf(withItems[0]);
  const span = (withItems[withItems.length - 1].ts - blocks[firstIdx - 1].ts) / 1000;
  const lags = blocks.slice(1).map((b) => b.lag).filter((l) => l !== null);
  return {
    name,
    total,
    blocks: withItems.length,
    span,
    perSecond: total / span,
    perBlockMax: Math.max(...withItems.map((b) => b.items)),
    weightMax: Math.max(...withItems.map((b) => b.weight)),
    weightMean: withItems.reduce((s, b) => s + b.weight, 0) / withItems.length,
    lengthMax: Math.max(...withItems.map((b) => b.length)),
    lagMean: lags.reduce((s, l) => s + l, 0) / lags.length,
    lagMax: Math.max(...lags),
    maxGap,
    submitSecs,
    perBlock: withItems.map((b) => b.items)
  };
}

function table (rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n');
}

async function main () {
  await cryptoWaitReady();
  const node = await startNode();
  let api;
  try {
    api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true, throwOnConnect: false });
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const dave = keyring.addFromUri('//Dave');
    const ferdie = keyring.addFromUri('//Ferdie');
    while ((await api.rpc.chain.getHeader()).number.toNumber() < 1) await sleep(500);

    // ---- set-up (not timed) ----------------------------------------------------------------
    say(`funding ${TRANSFERS} senders from //Alice`);
    const senders = Array.from({ length: TRANSFERS }, (_, i) => keyring.addFromUri(`//bench//${i}`));
    let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    const funding = [];
    for (let i = 0; i < senders.length; i += 500) {
      const calls = senders.slice(i, i + 500).map((s) => api.tx.balances.transferKeepAlive(s.address, 10n * NXV));
      funding.push(send(api, api.tx.utility.batchAll(calls), alice, nonce++));
    }
    say(`funding ${SESSIONS} seekers (NXV from //Alice, USDN from //Ferdie)`);
    const seekers = Array.from({ length: SESSIONS }, (_, i) => keyring.addFromUri(`//bench//seeker//${i}`));
    let ferdieNonce = (await api.rpc.system.accountNextIndex(ferdie.address)).toNumber();
    for (let i = 0; i < seekers.length; i += 500) {
      const chunk = seekers.slice(i, i + 500);
      funding.push(send(api, api.tx.utility.batchAll(chunk.map((s) => api.tx.balances.transferKeepAlive(s.address, 10n * NXV))), alice, nonce++));
      funding.push(send(api, api.tx.utility.batchAll(chunk.map((s) => api.tx.assets.transferKeepAlive(1, s.address, 100n * USDN))), ferdie, ferdieNonce++));
    }
    await Promise.all(funding);
    say(`each seeker deposits 50 USDN and opens a session with gateway 0`);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    await Promise.all(seekers.map((s) => send(api, api.tx.utility.batchAll([
      api.tx.metering.deposit(USDN_ASSET, 50n * USDN),
      api.tx.metering.openSession(0, USDN_ASSET, 50n * USDN, head + 14_400)
    ]), s, 0)));
    const bySeeker = new Map((await api.query.metering.sessions.entries())
      .map(([k, v]) => [v.unwrap().seeker.toString(), k.args[0].toNumber()]));
    const sessions = seekers.map((s) => bySeeker.get(s.address));
    if (sessions.some((x) => x === undefined)) throw new Error('a seeker has no session');
    const capsules = (await api.query.capsules.capsules.entries())
      .filter(([, c]) => c.unwrap().status.isActive && !c.unwrap().spec.lane.isPremium)
      .map(([k]) => k.args[0].toNumber()).sort((a, b) => a - b);
    if (!capsules.length) throw new Error('the dev chain has no active standard capsule');

    const bounds = api.consts.metering;
    const maxReceipts = bounds.maxBatchReceipts.toNumber();
    const maxSessions = bounds.maxBatchSessions.toNumber();
    let daveNonce = (await api.rpc.system.accountNextIndex(dave.address)).toNumber();
    const next = new Map(sessions.map((s) => [s, 1]));
    /** Signed `submit_batch` transactions: `rounds` rounds of `perGroup` receipts per session. */
    const sign = async (rounds, perGroup) => {
      const perBatch = Math.max(1, Math.min(maxSessions, Math.floor(maxReceipts / perGroup)));
      const out = [];
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < sessions.length; i += perBatch) {
          const mine = sessions.slice(i, i + perBatch);
          const used = [...new Set(mine.map((s) => capsules[s % capsules.length]))];
          const batch = {
            gateway: 0,
            timeMs: Date.now(),
            capsules: used,
            groups: mine.map((session) => {
              const first = next.get(session);
              next.set(session, first + perGroup);
              const capsule = used.indexOf(capsules[session % capsules.length]);
              return {
                session,
                firstSeq: first,
                receipts: Array.from({ length: perGroup }, () => ({ outcome: 'Served', capsule, units: UNITS, ageMs: 0 }))
              };
            })
          };
          // Signed over the call's own encoding of the batch (the JS package's payload).
          const tx = api.tx.metering.submitBatch(batch, u8aToHex(dave.sign(receiptBatchPayload(api, batch))));
          out.push((await tx.signAsync(dave, { nonce: daveNonce++, era: 0 })).toHex());
        }
      }
      return out;
    };
    say(`signing ${TRANSFERS} transfers (one per sender)`);
    const transfers = [];
    for (const [i, s] of senders.entries()) {
      const tx = api.tx.balances.transferKeepAlive(senders[(i + 1) % senders.length].address, NXV);
      transfers.push((await tx.signAsync(s, { nonce: 0, era: 0 })).toHex());
    }
    say(`signing ${ROUNDS} rounds of ${PER_GROUP} receipts for each of ${SESSIONS} sessions`);
    const shaped = await sign(ROUNDS, PER_GROUP);
    say(`signing ${WORST_ROUNDS} rounds of one receipt for each of ${SESSIONS} sessions`);
    const worst = await sign(WORST_ROUNDS, 1);
    // The runtime's weight of one of each (paymentInfo dry-runs a fake-signed copy).
    const infoT = await api.tx(transfers[0]).paymentInfo(senders[0]);
    const infoR = await api.tx(shaped[0]).paymentInfo(dave);
    const infoW = await api.tx(worst[0]).paymentInfo(dave);

    // ---- measured phases -------------------------------------------------------------------
    const heads = await watchHeads(api);
    say(`phase 1: ${TRANSFERS} transfers`);
    const isTransfer = (events, xts) => events.filter(({ phase, event }) =>
      phase.isApplyExtrinsic && api.events.system.ExtrinsicSuccess.is(event) &&
      xts[phase.asApplyExtrinsic.toNumber()].method.section === 'balances').length;
    const failed = (events) => events.filter(({ event }) => api.events.system.ExtrinsicFailed.is(event)).length;
    const t = await phase(api, heads, 'transfers', transfers, (events, xts) => {
      if (failed(events)) throw new Error('a transfer failed');
      return isTransfer(events, xts);
    });
    /** Receipts judged in a block's batches; none may be rejected or refused. */
    const settledIn = (events) => {
      if (failed(events)) throw new Error('a submit_batch transaction failed');
      let n = 0;
      for (const { event } of events) {
        if (!api.events.metering.BatchSettled.is(event)) continue;
        const s = event.data.settlement;
        if (s.rejected.length || s.refused.length) throw new Error(`a batch rejected ${s.rejected.length} receipts and refused ${s.refused.length} groups`);
        n += s.groups.reduce((a, g) => a + g.receipts.toNumber(), 0);
      }
      return n;
    };
    const total = (rounds, perGroup) => rounds * perGroup * SESSIONS;
    say(`phase 2: ${total(ROUNDS, PER_GROUP)} receipts (${SESSIONS} sessions × ${PER_GROUP} per group × ${ROUNDS} rounds) in ${shaped.length} transactions`);
    const r = await phase(api, heads, `receipts (${PER_GROUP}/group)`, shaped, settledIn);
    say(`phase 3: ${total(WORST_ROUNDS, 1)} receipts, one per group, in ${worst.length} transactions`);
    const w = await phase(api, heads, 'receipts (1/group)', worst, settledIn);
    heads.stop();
    if (t.total !== TRANSFERS) throw new Error(`${t.total} of ${TRANSFERS} transfers succeeded`);
    if (r.total !== total(ROUNDS, PER_GROUP)) throw new Error(`${r.total} of ${total(ROUNDS, PER_GROUP)} receipts settled`);
    if (w.total !== total(WORST_ROUNDS, 1)) throw new Error(`${w.total} of ${total(WORST_ROUNDS, 1)} receipts settled`);
    for (const [session, n] of next) {
      const s = (await api.query.metering.sessions(session)).unwrap();
      if (s.lastSeq.toNumber() !== n - 1) throw new Error(`session ${session}: last seq ${s.lastSeq} != ${n - 1}`);
    }

    // ---- report ----------------------------------------------------------------------------
    const f = (x, d = 1) => x.toFixed(d);
    const refTime = (info) => `${f(Number(info.weight.refTime.toBigInt()) / 1e6, 0)} µs`;
    const perGroupBatch = Math.min(maxSessions, Math.floor(maxReceipts / PER_GROUP)) * PER_GROUP;
    console.log(`\ncommand: scripts/bench-throughput.sh --transfers ${TRANSFERS} --sessions ${SESSIONS} --per-group ${PER_GROUP} --rounds ${ROUNDS} --worst-rounds ${WORST_ROUNDS}`);
    console.log(`node flags: ${NODE_LIMITS.join(' ')}; one validator (--dev), 6 s slots; ${os.cpus().length} CPUs`);
    console.log(`weight of one transfer_keep_alive: ${refTime(infoT)}; of one submit_batch of ${perGroupBatch} receipts (${PER_GROUP}/group): ${refTime(infoR)}; ` +
      `of one of ${Math.min(maxSessions, SESSIONS)} receipts (1/group): ${refTime(infoW)}\n`);
    console.log(table([
      ['', 'items', 'blocks', 'seconds', 'per second', 'max per block', 'weight max %', 'weight mean %', 'length max %', 'finality lag mean s', 'max s', 'max blocks behind'],
      ...[t, r, w].map((p) => [p.name, p.total, p.blocks, f(p.span), f(p.perSecond), p.perBlockMax, f(p.weightMax), f(p.weightMean),
        f(p.lengthMax), f(p.lagMean), f(p.lagMax), p.maxGap])
    ]));
    console.log(`\ntransfers per block:          ${t.perBlock.join(' ')}`);
    console.log(`receipts per block (${PER_GROUP}/group): ${r.perBlock.join(' ')}`);
    console.log(`receipts per block (1/group):  ${w.perBlock.join(' ')}`);
    console.log(`\nratio: ${f(r.perSecond / t.perSecond, 2)} settled receipts per transfer (${PER_GROUP}/group; ${f(r.perSecond)} receipts/s vs ${f(t.perSecond)} transfers/s), ` +
      `${f(w.perSecond / t.perSecond, 2)} at one receipt per group (${f(w.perSecond)} receipts/s); all finalized, every item verified from events`);
  } finally {
    await api?.disconnect();
    await node.stop();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
