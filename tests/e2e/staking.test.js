// A new validator joins a running network by stake, with @polkadot/api against real nodes.
//
// Two nodes on the development chain spec (short sessions: 10 blocks, 2 sessions an era):
// node A is the genesis validator (Alice's keys, stash //Alice//stash); node B starts with an
// empty keystore. Ferdie, an account that is not a validator, generates session keys on node B
// (`author_rotateKeysWithOwner`), then bonds, validates and sets the keys in one batch. After
// the next election Ferdie is in the session's validator set and node B authors blocks. Bad
// input (bond below the minimum, validate without a bond, keys with a proof for someone else)
// fails with the named errors and moves no NXV.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, nodeKey, signAndFinalize, startNode, stopAll } from './lib/node.js';

const NXV = 10n ** 12n;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-e2e-staking-'));

/** Calls a JSON-RPC method over HTTP (for the unsafe author_* methods of node B). */
async function rpc (node, method, params) {
  const res = await fetch(node.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params })
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

describe('a new validator joins by bond + validate + session.setKeys', () => {
  let nodeA;
  let nodeB;
  let api;
  let keyring;

  before(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    const keyA = nodeKey(workDir, 'a', '0a');
    const keyB = nodeKey(workDir, 'b', '0b');
    nodeA = await startNode('validator-a', ['--chain', 'dev', '--alice', '--validator',
      '--node-key-file', keyA.file]);
    nodeB = await startNode('validator-b', ['--chain', 'dev', '--validator',
      '--rpc-methods', 'unsafe', '--node-key-file', keyB.file,
      '--bootnodes', `/ip4/127.0.0.1/tcp/${nodeA.p2pPort}/p2p/${keyA.peerId}`]);
    api = await connect(nodeA);
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();

  test('bad input fails with named errors and moves no NXV (beyond the fee)', async () => {
    const eve = keyring.addFromUri('//Eve');
    // Each call is included and fails in its block: only its fee is paid.
    const before = await free(eve.address);
    await assert.rejects(signAndFinalize(api, api.tx.staking.validate({ commission: 0, blocked: false }), eve,
      { until: 'inBlock' }), /staking\.NotController/);
    await assert.rejects(signAndFinalize(api, api.tx.staking.bond(1n, 'Stash'), eve, { until: 'inBlock' }),
      /staking\.InsufficientBond/);
    // Keys generated for someone else (Alice) do not prove Eve's ownership.
    const alice = keyring.addFromUri('//Alice');
    const other = await rpc(nodeB, 'author_rotateKeysWithOwner', [u8aToHex(alice.publicKey)]);
    await assert.rejects(signAndFinalize(api, api.tx.session.setKeys(other.keys, other.proof), eve,
      { until: 'inBlock' }), /session\.InvalidProof/);
    const after = await free(eve.address);
    const spent = before - after;
    assert.ok(spent > 0n && spent < NXV / 10n, `only fees were paid (${spent} planck)`);
    const holds = await api.query.balances.holds(eve.address);
    assert.equal(holds.length, 0, 'nothing held');
  });

  test('Ferdie is elected after the era change and node B authors blocks', { timeout: 600_000 }, async () => {
    const ferdie = keyring.addFromUri('//Ferdie');
    const { keys, proof } = await rpc(nodeB, 'author_rotateKeysWithOwner', [u8aToHex(ferdie.publicKey)]);
    assert.equal(await rpc(nodeB, 'author_hasSessionKeys', [keys]), true);

    const stake = 50_000n * NXV;
    const { events } = await signAndFinalize(api, api.tx.utility.batchAll([
      api.tx.staking.bond(stake, 'Stash'),
      api.tx.staking.validate({ commission: 50_000_000, blocked: false }),
      api.tx.session.setKeys(keys, proof)
    ]), ferdie, { until: 'inBlock' });
    assert.ok(events.some(({ event }) => api.events.utility.BatchCompleted.is(event)), 'batch completed');
    assert.ok(events.some(({ event }) => api.events.staking.Bonded.is(event)));
    const ledger = (await api.query.staking.ledger(ferdie.address)).unwrap();
    assert.equal(ledger.active.toBigInt(), stake);
    assert.ok((await api.query.staking.validators.entries()).some(([k]) => k.args[0].toString() === ferdie.address));

    // Wait for the election and the session after it.
    const deadline = Date.now() + 540_000;
    let inSet = false;
    while (Date.now() < deadline && !inSet) {
      const validators = (await api.query.session.validators()).map((v) => v.toString());
      inSet = validators.includes(ferdie.address);
      if (!inSet) await new Promise((r) => setTimeout(r, 3_000));
    }
    assert.ok(inSet, 'Ferdie is in the session validator set');

    // Node B now authors: find a block whose Aura slot maps to Ferdie.
    const authored = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('node B authored no block in time')), 180_000);
      let unsub;
      api.derive.chain.subscribeNewHeads((header) => {
        if (header.author && header.author.toString() === ferdie.address) {
          clearTimeout(timer);
          if (unsub) unsub();
          resolve(header);
        }
      }).then((u) => { unsub = u; }, reject);
    });
    // Authoring earned Ferdie era points in that block's era.
    const at = await api.at(authored.hash);
    const era = (await at.query.staking.activeEra()).unwrap().index;
    const points = await at.query.staking.erasRewardPoints(era);
    assert.ok([...points.individual.keys()].some((k) => k.toString() === ferdie.address),
      'Ferdie has era points');
  });
});
