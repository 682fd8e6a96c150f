// Two validators from a `local_testnet`-style chain spec: the second node imports and finalizes
// the same blocks as the first. Also covers the chain-spec and key subcommands they rely on.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, nodeKey, runNodeCommand, startNode, stopAll, waitForHeader } from './lib/node.js';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-e2e-net-'));

/** A fixed node key, so the second node can be told the first one's peer id. */
describe('chain spec and key subcommands', () => {
  test('build-spec --chain local: the local_testnet preset, NXV properties', () => {
    const spec = JSON.parse(runNodeCommand(['build-spec', '--chain', 'local']));
    assert.equal(spec.id, 'nexus_local_testnet');
    assert.equal(spec.chainType, 'Local');
    assert.equal(spec.properties.tokenSymbol, 'NXV');
    assert.equal(spec.properties.tokenDecimals, 12);
    const patch = spec.genesis.runtimeGenesis.patch;
    // Validators come from staking and their keys from session (Aura and GRANDPA follow).
    assert.equal(patch.session.keys.length, 4);
    assert.equal(patch.staking.stakers.length, 4);
    assert.equal(patch.sudo.key, null, 'no sudo key outside development');
  });

  test('build-spec --chain dev --raw: a raw genesis with sudo', () => {
    const spec = JSON.parse(runNodeCommand(['build-spec', '--chain', 'dev', '--raw']));
    assert.equal(spec.id, 'nexus_dev');
    assert.ok(Object.keys(spec.genesis.raw.top).length > 10);
  });

  test('supply prints the genesis allocation of the fixed supply', () => {
    const dir = fs.mkdtempSync(path.join(workDir, 'supply-'));
    const out = JSON.parse(runNodeCommand(['supply', '--chain', 'local', '--base-path', dir, '--json']));
    const NXV = 10n ** 12n;
    assert.equal(out.total, (1_000_000_000n * NXV).toString());
    assert.equal(out.emissions_pool, (300_000_000n * NXV).toString());
    assert.equal(out.treasury, (250_000_000n * NXV).toString());
    assert.equal(out.vesting, (270_000_000n * NXV).toString(), 'team and investors');
    const parts = ['circulating', 'vesting', 'bonded', 'marketplace_held', 'emissions_pool', 'treasury',
      'reward_pot', 'liquidity_reserve', 'settlement_pots', 'liquidity_pools'].reduce((sum, k) => sum + BigInt(out[k]), 0n);
    assert.equal(parts, BigInt(out.total), 'the parts add up to the total');
    assert.equal(out.liquidity_pools, (1_000_000n * NXV).toString(), 'the genesis NXV/USDN pool');
    const table = runNodeCommand(['supply', '--chain', 'local', '--base-path', dir]);
    assert.match(table, /total\s+1,000,000,000\.00 NXV\s+100\.000%/);
  });

  test('key generate prints a usable sr25519 key', () => {
    const out = JSON.parse(runNodeCommand(['key', 'generate', '--scheme', 'sr25519', '--output-type', 'json']));
    assert.match(out.ss58Address, /^5[1-9A-HJ-NP-Za-km-z]{47}$/);
    assert.equal(out.secretPhrase.split(' ').length, 12);
  });
});

describe('two validators on a local_testnet-style chain', () => {
  let alice;
  let bob;
  let apiA;
  let apiB;

  before(async () => {
    // The local_testnet preset with two of its validators (Alice, Bob), so that two nodes make
    // a full GRANDPA quorum. The spec is edited as an operator would edit it.
    const spec = JSON.parse(runNodeCommand(['build-spec', '--chain', 'local']));
    const patch = spec.genesis.runtimeGenesis.patch;
    patch.session.keys = patch.session.keys.slice(0, 2);
    patch.staking.stakers = patch.staking.stakers.slice(0, 2);
    spec.id = 'nexus_e2e_two_validators';
    const specFile = path.join(workDir, 'two-validators.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));

    const keyA = nodeKey(workDir, 'alice', '01');
    const keyB = nodeKey(workDir, 'bob', '02');
    alice = await startNode('alice', ['--chain', specFile, '--alice', '--validator',
      '--node-key-file', keyA.file]);
    bob = await startNode('bob', ['--chain', specFile, '--bob', '--validator',
      '--node-key-file', keyB.file,
      '--bootnodes', `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${keyA.peerId}`]);
    apiA = await connect(alice);
    apiB = await connect(bob);
  });

  after(async () => {
    await Promise.all([apiA?.disconnect(), apiB?.disconnect()]);
    await stopAll();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('the nodes peer with each other', async () => {
    const deadline = Date.now() + 30_000;
    let peers = 0;
    while (Date.now() < deadline && peers < 1) {
      peers = (await apiB.rpc.system.health()).peers.toNumber();
      if (peers < 1) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(peers, 1);
  });

  test('the second node finalizes the blocks the first node has', async () => {
    // Both authors take turns; wait until bob has finalized a few blocks.
    const fin = await waitForHeader(apiB, 'finalized', (h) => h.number.toNumber() >= 3, 120_000);
    const n = fin.number.toNumber();
    for (let i = 1; i <= n; i++) {
      const [a, b] = await Promise.all([apiA.rpc.chain.getBlockHash(i), apiB.rpc.chain.getBlockHash(i)]);
      assert.equal(b.toHex(), a.toHex(), `block #${i} is the same on both nodes`);
    }
    // Blocks were authored by both validators (Aura round robin), so bob imported alice's.
    const authors = new Set();
    for (let i = 1; i <= n; i++) {
      const header = await apiB.rpc.chain.getHeader(await apiB.rpc.chain.getBlockHash(i));
      const preRuntime = header.digest.logs.find((l) => l.isPreRuntime);
      const slot = apiB.createType('u64', preRuntime.asPreRuntime[1]).toBigInt();
      authors.add(slot % 2n);
    }
    assert.equal(authors.size, 2, 'both validators authored blocks');
    const finA = await apiA.rpc.chain.getFinalizedHead();
    const finANumber = (await apiA.rpc.chain.getHeader(finA)).number.toNumber();
    assert.ok(finANumber >= n - 1, `alice finalized #${finANumber} too`);
  });
});
