// The marketplace attached to a network: the mock upstreams the demo capsules commit to,
// nexus-gateway (gateway 0, //Dave) on one node's RPC, the providers' endpoint registrations and
// seekers' sessions through the `nexus` CLI, and steady OpenAI-style traffic through the gateway.
// Every process listens on loopback and runs in its own process group, so that Ctrl-C in a
// terminal reaches the script, which stops them in order.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { alive, ensurePortFree, freePort } from './util.mjs';
import { CLI_BIN, GATEWAY_BIN, MOCK_BIN } from './env.mjs';

const run = promisify(execFile);

/**
 * The development genesis's demo capsules, in id order (runtime/src/genesis_config_presets.rs
 * `DEMO_UPSTREAMS`; the market spec copies them): each commits to this wire format, endpoint,
 * upstream model and credential, so the gateway refuses anything else.
 */
export const UPSTREAMS = [
  { name: 'bob-opus', port: 9101, model: 'claude-opus', owner: '//Bob', format: 'anthropic-messages', upstreamModel: 'claude-opus-4-8' },
  { name: 'bob-sonnet', port: 9102, model: 'claude-sonnet', owner: '//Bob', format: 'anthropic-messages', upstreamModel: 'claude-sonnet-4-6' },
  { name: 'charlie-codex', port: 9103, model: 'gpt-5-codex', owner: '//Charlie', format: 'openai-responses', upstreamModel: 'gpt-5-codex' },
  { name: 'charlie-gpt5', port: 9104, model: 'gpt-5', owner: '//Charlie', format: 'chat-completions', upstreamModel: 'gpt-5-2025-08-07' }
].map((u) => ({ ...u, credential: `demo-${u.name}`, endpoint: `http://127.0.0.1:${u.port}/v1` }));

export const ADMIN_TOKEN = 'nexus-net-admin';

/** A child process with its output in `dir/<name>.log`, in its own process group. */
class Proc {
  constructor (name, bin, args, dir, env = {}) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is not built: run scripts/build.sh`);
    this.name = name;
    this.log = path.join(dir, `${name}.log`);
    const out = fs.openSync(this.log, 'a');
    this.child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  get pid () {
    return this.child.pid;
  }

  kill9 () {
    process.kill(this.pid, 'SIGKILL');
    return this.exited;
  }

  async stop (graceMs = 60_000) {
    if (!alive(this.pid) || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => alive(this.pid) && this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

async function httpJson (url, { token, timeoutMs = 10_000 } = {}) {
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(timeoutMs)
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function until (what, check, timeoutMs, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

export class Market {
  /** `rpc`: the node the gateway and the CLI talk to (ws URL); `dir`: logs and the gateway's store. */
  constructor ({ rpc, dir, gatewayPort }) {
    this.rpc = rpc;
    this.dir = dir;
    this.gatewayPort = gatewayPort;
    this.mocks = [];
    this.gateway = null;
  }

  get gatewayUrl () {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  /** One mock upstream per demo capsule, at the endpoint its commitment names. */
  async startUpstreams (opts = {}) {
    for (const u of UPSTREAMS) await ensurePortFree(u.port, `mock upstream ${u.name}`);
    for (const u of UPSTREAMS) {
      const args = ['--listen', `127.0.0.1:${u.port}`, '--name', u.name, '--credential', u.credential,
        '--models', u.model, '--completion-tokens', '120', '--latency-ms', String(opts.latencyMs ?? 20)];
      this.mocks.push(new Proc(`mock-${u.name}`, MOCK_BIN, args, this.dir));
    }
    for (const u of UPSTREAMS) {
      await until(`mock upstream ${u.name}`, () => httpJson(`http://127.0.0.1:${u.port}/stats`), 20_000);
    }
  }

  /** Starts (or restarts, on the same store) nexus-gateway as gateway 0, operated by //Dave. */
  async startGateway (env = {}) {
    this.gatewayPort ??= await freePort();
    await ensurePortFree(this.gatewayPort, 'nexus-gateway');
    this.gateway = new Proc('gateway', GATEWAY_BIN, [], this.dir, {
      NEXUS_GATEWAY_LISTEN: `127.0.0.1:${this.gatewayPort}`,
      NEXUS_GATEWAY_NODE_URL: this.rpc,
      NEXUS_GATEWAY_OPERATOR_SURI: '//Dave',
      NEXUS_GATEWAY_DATA_DIR: path.join(this.dir, 'gateway-data'),
      NEXUS_GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
      NEXUS_GATEWAY_UPSTREAM_TIMEOUT_MS: '10000',
      NEXUS_GATEWAY_BATCH_INTERVAL_MS: '500',
      RUST_LOG: 'info',
      ...env
    });
    await until('nexus-gateway', async () => (await this.health()).status === 'ok', 90_000);
  }

  health () {
    return httpJson(`${this.gatewayUrl}/health`);
  }

  /** `nexus --json <args>` signed by `suri` (or read-only): its JSON answer. */
  async cli (suri, ...args) {
    const env = { ...process.env, NEXUS_URL: this.rpc };
    if (suri) env.NEXUS_SURI = suri;
    else delete env.NEXUS_SURI;
    try {
      const { stdout } = await run(CLI_BIN, ['--json', ...args], { env, timeout: 300_000, maxBuffer: 64 << 20 });
      return stdout.trim() ? JSON.parse(stdout) : null;
    } catch (e) {
      throw new Error(`nexus ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
    }
  }

  /** The providers hand the gateway their endpoints (signed by //Bob and //Charlie). */
  async registerEndpoints () {
    for (const [id, u] of UPSTREAMS.entries()) {
      await this.cli(u.owner, 'capsule', 'endpoint', String(id), '--gateway', this.gatewayUrl,
        '--endpoint', u.endpoint, '--credential', u.credential,
        '--format', u.format, '--upstream-model', u.upstreamModel);
    }
  }

  /** A seeker stakes for its tier, deposits, opens a session with gateway 0: `{ session, key }`. */
  async seeker (suri, { stakeNxv = 0, asset = 'USDN', cap = 10_000, blocks = 14_400 } = {}) {
    if (stakeNxv) await this.cli(suri, 'tier', 'stake', `${stakeNxv}NXV`);
    await this.cli(suri, 'escrow', 'deposit', `${cap}${asset}`, '--asset', asset);
    const { id } = await this.cli(suri, 'session', 'open', '--gateway', '0', '--asset', asset,
      '--cap', `${cap}${asset}`, '--blocks', String(blocks));
    const { apiKey } = await this.cli(suri, 'session', 'key', String(id));
    return { session: id, key: apiKey };
  }

  /** Every receipt of a session the gateway holds, in sequence order. */
  async receipts (session) {
    const out = [];
    let from = 0;
    for (;;) {
      const page = await httpJson(`${this.gatewayUrl}/admin/v1/sessions/${session}/receipts?from=${from}&limit=1000`,
        { token: ADMIN_TOKEN });
      out.push(...page);
      if (page.length < 1000) return out;
      from = page[page.length - 1].seq + 1;
    }
  }

  /** Until the gateway has no receipt pending settlement. */
  waitSettled (timeoutMs = 300_000) {
    return until('every receipt to settle', async () => {
      const h = await this.health();
      return (h.receipts.pending ?? 0) === 0 && h;
    }, timeoutMs, 1000);
  }

  /** Stops the gateway (it settles what it can within its grace), then the upstreams. */
  async stop () {
    if (this.gateway) await this.gateway.stop();
    await Promise.all(this.mocks.map((m) => m.stop(10_000)));
  }
}

/**
 * `workers` clients sending chat completions through the gateway in a loop (a `pauseMs` pause
 * after each answer) until stopped. `ok` holds the completion ids the clients received; `errors`
 * what refused or cut them off (connection errors while the gateway is down, HTTP statuses).
 */
export class Traffic {
  constructor (gatewayUrl, key, { workers = 2, pauseMs = 250, model = 'claude-sonnet' } = {}) {
    /** The session's API key the traffic carries. */
    this.key = key;
    this.ok = [];
    this.errors = [];
    /** `{ at, error }` for each error: when it happened (ms since the epoch). */
    this.errorLog = [];
    this.stopped = false;
    this.loops = Array.from({ length: workers }, (_, i) => this.loop(gatewayUrl, key, model, i, pauseMs));
  }

  async loop (gatewayUrl, key, model, worker, pauseMs) {
    for (let n = 1; !this.stopped; n++) {
      try {
        const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: `worker ${worker} request ${n}` }] }),
          signal: AbortSignal.timeout(30_000)
        });
        const body = await res.json().catch(() => ({}));
        if (res.ok && body.id) {
          this.ok.push(body.id);
          await sleep(pauseMs);
        } else {
          this.fail(`HTTP ${res.status} ${body.error?.code ?? ''}`.trim());
          await sleep(500);
        }
      } catch (e) {
        this.fail(e.cause?.code ?? e.name);
        await sleep(500);
      }
    }
  }

  fail (error) {
    this.errors.push(error);
    this.errorLog.push({ at: Date.now(), error });
  }

  async stop () {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

/**
 * Asserts that every request the gateway served settled on chain exactly once, and nothing else
 * did: every served receipt settled, sequence numbers dense (none reused or skipped across
 * crashes), every completion a client received among them, the session's on-chain spend their
 * sum, the chain's flows counting each once, and each sampled receipt's leaf proven against the
 * chain's commitment with the charge the gateway recorded.
 * `assert` is node:assert. Returns the served receipts.
 */
export async function assertSettledExactlyOnce (assert, market, session, traffic, rpcHttp) {
  await market.waitSettled();
  const receipts = await market.receipts(session);
  const served = receipts.filter((r) => r.outcome === 'served');
  const unsettled = served.filter((r) => r.state !== 'settled');
  assert.deepEqual(unsettled, [], 'every served receipt settled');
  assert.deepEqual(receipts.map((r) => r.seq), receipts.map((_, i) => i + 1), 'sequence numbers are dense');
  const ids = new Set(served.map((r) => r.id));
  const missing = traffic.ok.filter((c) => !ids.has(`0x${c.replace(/^chatcmpl-/, '')}`));
  assert.deepEqual(missing, [], 'every answered request has a settled receipt');
  const chain = await market.cli(null, 'session', 'show', String(session));
  assert.equal(BigInt(chain.spent), served.reduce((s, r) => s + BigInt(r.net), 0n), 'session spend = sum of charges');
  const res = await fetch(rpcHttp, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'nexus_flows', params: [null] })
  });
  const flows = (await res.json()).result;
  assert.equal(flows.reduce((s, f) => s + f.receipts, 0), served.length, 'the flows count each receipt once');
  // Sampled receipts: each a leaf of a batch the chain committed to (proven against its
  // commitment), charged what the gateway recorded.
  const step = Math.max(1, Math.floor(served.length / 20));
  for (let i = 0; i < served.length; i += step) {
    const leaf = await market.cli(null, 'receipt', '--gateway', market.gatewayUrl,
      '--api-key', traffic.key, '--seq', String(served[i].seq));
    assert.deepEqual([leaf.verdict, leaf.verified, leaf.charge], ['settled', true, served[i].net]);
  }
  return served;
}
