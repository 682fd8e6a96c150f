// The client surface on a real `nexus-node --dev`: the JS package (clients/js) runs a provider
// flow and a seeker flow with @polkadot/api; the `nexus` CLI (clients/rust, on the subxt client
// crate) runs the same flows and its `--json` output parses and agrees with the chain; and the
// metadata the Rust client is generated from is the built runtime's.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  NexusTxError, allCapsules, apiKeyHash, bindApiKey, closeSession, deposit, endpointCommitment,
  announcePrice, openSession, quote, registerCapsule, rpc, stakeTier, submit
} from '../../clients/js/src/index.js';
import { NODE_BIN, repoRoot, startNode, stopAll } from './lib/node.js';

const NXV = 10n ** 12n;
const USDN = 10n ** 6n;
/** The CLI under test (override with NEXUS_CLI). */
const CLI_BIN = process.env.NEXUS_CLI || path.join(path.dirname(NODE_BIN), 'nexus');

describe('clients on nexus-node --dev', () => {
  let node;
  let api;
  let keyring;

  /** Runs the CLI with `--json`; resolves to `{ code, json, stderr }`. */
  const cli = (args, { suri, json = true } = {}) => new Promise((resolve) => {
    const env = { ...process.env, NEXUS_URL: node.rpcUrl };
    delete env.NEXUS_SURI;
    if (suri) env.NEXUS_SURI = suri;
    execFile(CLI_BIN, json ? ['--json', ...args] : args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (err.code ?? 1) : 0;
      let parsed = null;
      if (json) {
        try { parsed = JSON.parse(stdout); } catch (e) {
          assert.fail(`nexus ${args.join(' ')}: stdout is not JSON (${e.message}): ${stdout}\n${stderr}`);
        }
      }
      resolve({ code, json: parsed, stdout, stderr });
    });
  });
  const cliOk = async (args, opts) => {
    const r = await cli(args, opts);
    assert.equal(r.code, 0, `nexus ${args.join(' ')} failed: ${r.stdout} ${r.stderr}`);
    return r.json;
  };

  before(async () => {
    assert.ok(fs.existsSync(CLI_BIN), `${CLI_BIN} does not exist: build it (scripts/build.sh)`);
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
    node = await startNode('clients', ['--dev']);
    api = await ApiPromise.create({ provider: new WsProvider(node.rpcUrl), rpc, noInitWarn: true, throwOnConnect: true });
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
  });

  test('the Rust client\'s checked-in metadata is the built runtime\'s (v16)', async () => {
    const built = (await api.call.metadata.metadataAtVersion(16)).unwrap().toU8a(true);
    const checkedIn = fs.readFileSync(path.join(repoRoot, 'clients/rust/metadata/nexus.scale'));
    assert.ok(Buffer.from(built).equals(checkedIn),
      'clients/rust/metadata/nexus.scale is stale: run scripts/refresh-metadata.sh');
  });

  test('JS package, provider flow: register a capsule, pause it, find it, and a named error', async () => {
    const ferdie = keyring.addFromUri('//Ferdie');
    const spec = {
      offering: 'gpt-5',
      lane: 'Standard',
      per1kInput: 2_000,
      per1kOutput: 8_000,
      per1kCacheRead: 200,
      per1kCacheWrite: 2_500,
      capacity: 1_000_000,
      window: 'Day',
      concurrency: 2,
      region: 'eu-central',
      endpoint: 'https://upstream.example/v1',
      credential: 'sk-ferdie',
      metadata: '{"name":"ferdie"}'
    };
    const registered = await registerCapsule(api, ferdie, spec);
    assert.equal(registered.bond, api.consts.capsules.capsuleBond.toBigInt());
    const info = (await api.rpc.nexus.capsule(registered.id)).toJSON();
    assert.equal(info.owner, ferdie.address);
    assert.equal(info.endpointCommitment, endpointCommitment(api, spec.endpoint, spec.credential));
    // Version 2 (the upstream's format and model id): the JS encoding equals the runtime's, as
    // the development genesis's demo capsule 1 (an Anthropic upstream) shows.
    const demo = (await api.rpc.nexus.capsule(1)).toJSON();
    assert.equal(demo.endpointCommitment, endpointCommitment(api, 'http://127.0.0.1:9102/v1', 'demo-bob-sonnet',
      { format: 'anthropic-messages', model: 'claude-sonnet-4-6' }));
    assert.throws(() => endpointCommitment(api, 'x', 'y', { format: 'grpc', model: 'm' }), /upstream format/);
    const offerings = (await api.rpc.nexus.offerings()).toJSON();
    assert.deepEqual(offerings.find((o) => o.id === 'claude-sonnet').aliases, ['claude-sonnet-4-6', 'claude-sonnet-4-5']);
    assert.deepEqual(info.price, { per1kInput: '2000', per1kOutput: '8000', per1kCacheRead: '200', per1kCacheWrite: '2500' });

    await submit(api, api.tx.capsules.pause(registered.id), ferdie);
    const mine = await allCapsules(api, { owner: ferdie.address });
    assert.deepEqual(mine.map((c) => [c.id, c.status]), [[registered.id, 'paused']]);

    await assert.rejects(
      registerCapsule(api, ferdie, { ...spec, per1kCacheRead: 0 }),
      (e) => e instanceof NexusTxError && e.module === 'capsules.ZeroPrice'
    );
    await assert.rejects(registerCapsule(api, ferdie, { ...spec, per1kCacheWrite: undefined }),
      /capsule price: missing per1kCacheWrite/, 'an unset price is refused before anything is signed');

    const announced = await announcePrice(api, ferdie, registered.id,
      { per1kInput: 1_800, per1kOutput: 7_500, per1kCacheRead: 180, per1kCacheWrite: 1_800 });
    const pending = (await api.rpc.nexus.capsule(registered.id)).toJSON().pendingPrice;
    assert.deepEqual(pending, { per1kInput: '1800', per1kOutput: '7500', per1kCacheRead: '180', per1kCacheWrite: '1800',
      effectiveAt: announced.effectiveAt });
  });

  test('JS package, seeker flow: stake a tier, deposit, open a session, quote, close', async () => {
    const eve = keyring.addFromUri('//Eve');
    const staked = await stakeTier(api, eve, 1_000n * NXV);
    assert.equal(staked.tier, 1, '1,000 NXV reaches the second tier');
    assert.equal(staked.active, 1_000n * NXV);

    const { free } = await deposit(api, eve, 'USDN', 50n * USDN);
    assert.equal(free, 50n * USDN);
    const opened = await openSession(api, eve, { gateway: 0, asset: 'USDN', cap: 10n * USDN, blocks: 100 });
    const s = (await api.rpc.nexus.session(opened.id)).toJSON();
    assert.equal(s.seeker, eve.address);
    assert.equal(s.cap, (10n * USDN).toString());
    assert.equal(s.expiresAt, opened.expiresAt);

    const q = await quote(api, eve.address, 1, 1_000, 200);
    const runtime = (await api.call.meteringApi.quote(eve.address, 1, { input: 1_000, output: 200 }, { WithId: 1 })).asOk;
    assert.equal(q.net, runtime.net.toBigInt());
    assert.equal(q.legs.provider, runtime.legs.provider.toBigInt());
    assert.ok(q.tierDiscount > 0, 'the tier discount applies');

    // An API key for the gateway: only its hash goes on chain, and it finds the session.
    const { keyHash } = await bindApiKey(api, eve, opened.id, 'sk-eve-test-key');
    assert.equal(keyHash, apiKeyHash(api, 'sk-eve-test-key'));
    assert.equal((await api.query.metering.apiKeys(keyHash)).unwrap().toNumber(), opened.id);
    await assert.rejects(bindApiKey(api, keyring.addFromUri('//Ferdie'), opened.id, 'sk-other'),
      (e) => e.module === 'metering.NotSessionOwner');

    const closed = await closeSession(api, eve, opened.id);
    assert.ok(closed.releaseAt > 0);
    assert.ok((await api.query.metering.apiKeys(keyHash)).isNone, 'closing the session unbinds its key');
    assert.ok((await api.rpc.nexus.session(opened.id)).toJSON().closed, 'closed');
  });

  test('CLI, provider flow: register, update, pause, resume, list, retire (--json)', async () => {
    const alice = '//Alice';
    const aliceAddress = keyring.addFromUri(alice).address;
    const r = await cliOk(['capsule', 'register', '--offering', 'claude-sonnet', '--per-1k-input', '0.002USDN',
      '--per-1k-output', '8000', '--per-1k-cache-read', '200', '--per-1k-cache-write', '2500', '--capacity', '500000', '--window', 'day', '--concurrency', '3', '--region', 'us-east',
      '--endpoint', 'https://upstream.example/v1', '--credential', 'sk-alice', '--metadata', '{"name":"alice"}'], { suri: alice });
    assert.equal(typeof r.id, 'number');
    assert.equal(r.bond, api.consts.capsules.capsuleBond.toBigInt().toString());
    assert.match(r.block, /^0x[0-9a-f]{64}$/);

    const shown = await cliOk(['capsule', 'show', String(r.id)]);
    assert.deepEqual(shown, (await api.rpc.nexus.capsule(r.id)).toJSON(), 'the CLI shows what the RPC answers');
    assert.equal(shown.owner, aliceAddress);
    assert.equal(shown.price.per1kInput, '2000');
    assert.equal(shown.price.per1kCacheRead, '200');
    assert.equal(shown.price.per1kCacheWrite, '2500');
    assert.equal(shown.window, 'day');
    assert.equal(shown.endpointCommitment, endpointCommitment(api, 'https://upstream.example/v1', 'sk-alice'),
      'the Rust and JS clients compute the same endpoint commitment');

    const updated = await cliOk(['capsule', 'update', String(r.id), '--per-1k-input', '3000', '--per-1k-output', '9000',
      '--per-1k-cache-read', '300', '--per-1k-cache-write', '3750', '--capacity', '800000', '--window', 'week', '--concurrency', '4'], { suri: alice });
    assert.equal(updated.pendingPrice.per1kInput, '3000', 'the new price is announced');
    assert.equal(updated.pendingPrice.per1kCacheWrite, '3750');
    assert.equal(updated.price.per1kInput, '2000', 'and not yet in force');
    assert.equal(updated.capacity, 800000);
    assert.equal(updated.window, 'week');

    await cliOk(['capsule', 'pause', String(r.id)], { suri: alice });
    let mine = await cliOk(['capsule', 'list', '--mine'], { suri: alice });
    assert.deepEqual(mine.map((c) => [c.id, c.status]), [[r.id, 'paused']]);
    await cliOk(['capsule', 'resume', String(r.id)], { suri: alice });
    await cliOk(['capsule', 'retire', String(r.id)], { suri: alice });
    mine = await cliOk(['capsule', 'list', '--owner', aliceAddress, '--status', 'retired']);
    assert.deepEqual(mine.map((c) => c.id), [r.id]);
    assert.ok(mine[0].bondReleaseAt > 0);

    // Errors are named, with --json on stdout and a non-zero exit.
    const unknown = await cli(['capsule', 'show', '999999']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.json.error.kind, 'rpc');
    assert.equal(unknown.json.error.code, 9010);
    const retired = await cli(['capsule', 'pause', String(r.id)], { suri: alice });
    assert.equal(retired.code, 1);
    assert.equal(retired.json.error.kind, 'dispatch');
    assert.match(retired.json.error.message, /capsules\.NotActive/);
    const keyless = await cli(['capsule', 'pause', String(r.id)]);
    assert.equal(keyless.json.error.kind, 'key');
  });

  test('CLI, seeker flow: stake, deposit, open and close a session, quote, supply (--json)', async () => {
    const charlie = '//Charlie';
    const charlieAddress = keyring.addFromUri(charlie).address;
    const staked = await cliOk(['tier', 'stake', '10000NXV'], { suri: charlie });
    assert.equal(staked.tier, 2);
    assert.equal(staked.active, (10_000n * NXV).toString());
    const tier = await cliOk(['tier', 'show', charlieAddress]);
    assert.equal(tier.tier.index, 2);
    assert.equal(tier.tier.premiumLanes, true);

    const escrow = await cliOk(['escrow', 'deposit', '50USDN'], { suri: charlie });
    assert.deepEqual(escrow, [{ asset: 'USDN', free: (50n * USDN).toString(), committed: '0' }]);
    const opened = await cliOk(['session', 'open', '--gateway', '0', '--cap', '5USDN', '--blocks', '100'], { suri: charlie });
    const session = await cliOk(['session', 'show', String(opened.id)]);
    assert.equal(session.seeker, charlieAddress);
    assert.equal(session.cap, (5n * USDN).toString());
    assert.equal(session.expiresAt, opened.expiresAt);
    assert.deepEqual(await cliOk(['session', 'show'], { suri: charlie }), [session]);

    const bound = await cliOk(['session', 'key', String(opened.id)], { suri: charlie });
    assert.match(bound.apiKey, /^nxv-[0-9a-f]{64}$/, 'a fresh 256-bit key');
    assert.equal(bound.keyHash, apiKeyHash(api, bound.apiKey));
    assert.equal((await api.query.metering.apiKeys(bound.keyHash)).unwrap().toNumber(), opened.id);
    const rotated = await cliOk(['session', 'key', String(opened.id), '--api-key', 'sk-charlie-2'], { suri: charlie });
    assert.ok((await api.query.metering.apiKeys(bound.keyHash)).isNone, 'rotation retires the old key');
    assert.equal((await api.query.metering.apiKeys(rotated.keyHash)).unwrap().toNumber(), opened.id);
    assert.equal((await cliOk(['session', 'show', '--api-key', 'sk-charlie-2'])).id, opened.id,
      'the key finds its session in chain state, as the gateway will');
    const stale = await cli(['session', 'show', '--api-key', bound.apiKey]);
    assert.equal(stale.json.error.kind, 'input', 'the rotated-out key finds nothing');

    const q = await cliOk(['quote', '--capsule', '0', '--input', '1000', '--output', '200'], { suri: charlie });
    assert.deepEqual(q, (await api.rpc.nexus.quote(charlieAddress, 0, 1000, 200, 'USDN')).toJSON());
    assert.ok(q.tierDiscount > 0);

    const closed = await cliOk(['session', 'close', String(opened.id)], { suri: charlie });
    assert.ok(closed.releaseAt > 0);
    const unstaked = await cliOk(['tier', 'unstake', '10NXV'], { suri: charlie });
    assert.equal(unstaked.active, (9_990n * NXV).toString());
    assert.ok(unstaked.unlockAt > 0);
    const after = await cliOk(['escrow', 'withdraw', '45USDN'], { suri: charlie });
    assert.deepEqual(after, [{ asset: 'USDN', free: '0', committed: (5n * USDN).toString() }],
      'the closed session\'s cap stays committed until its release block');

    const tooMuch = await cli(['escrow', 'withdraw', '1000USDN'], { suri: charlie });
    assert.equal(tooMuch.code, 1);
    assert.equal(tooMuch.json.error.kind, 'dispatch');
    assert.match(tooMuch.json.error.message, /metering\.\w+/);

    const supply = await cliOk(['supply']);
    assert.equal(supply.total, (await api.query.balances.totalIssuance()).toBigInt().toString());
    const fees = await cliOk(['fees']);
    assert.equal(fees.takeRate, (await api.call.feesApi.feeParameters()).params.takeRate.toNumber());
  });

  test('CLI human output and input errors', async () => {
    const human = await cli(['capsule', 'show', '0'], { json: false });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^#0\s+claude-opus\s+premium/);
    const supply = await cli(['supply'], { json: false });
    assert.match(supply.stdout, /^total\s+[\d.]+ NXV$/m);
    const badAmount = await cli(['tier', 'stake', '5USDN'], { suri: '//Alice' });
    assert.equal(badAmount.json.error.kind, 'input');
    const badSuri = await cli(['tier', 'stake', '1NXV'], { suri: 'not a valid // secret ///' });
    assert.equal(badSuri.json.error.kind, 'key');
  });
});
