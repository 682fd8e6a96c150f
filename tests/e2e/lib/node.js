// Starts and stops real `nexus-node` processes for the end-to-end tests.
//
// Every node listens on loopback only, on free ports, with its own temporary base path; every
// started node is registered so that `stopAll()` (called from the tests' `after` hooks and on
// process exit) stops it even when a test fails.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiPromise, WsProvider } from '@polkadot/api';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ||
  path.join(os.homedir(), '.cache', 'nexus-vault', 'target');

/** Path of the release binary under test (override with NEXUS_NODE). */
export const NODE_BIN = process.env.NEXUS_NODE || path.join(targetDir, 'release', 'nexus-node');

const running = new Set();

// Ports handed to test processes are claimed machine-wide (test files and suites run side by
// side, and a port picked now is bound by its server only later): each is a file created
// exclusively in this directory, shared with the gateway tests (tests/gateway/harness.py), and
// taken from below the kernel's ephemeral range, so that no outgoing connection takes it
// meanwhile either. A claim older than three hours is stale.
const PORTS_DIR = path.join(os.tmpdir(), 'nexus-test-ports');
const [PORT_MIN, PORT_END] = [20_000, 32_000];
const CLAIM_TTL_MS = 3 * 3600 * 1000;

function bindable (port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that no other test process has claimed, claimed for this one. */
export async function freePort () {
  fs.mkdirSync(PORTS_DIR, { recursive: true });
  for (let i = 0; i < 10_000; i++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_END - PORT_MIN));
    const claim = path.join(PORTS_DIR, String(port));
    try {
      if (Date.now() - fs.statSync(claim).mtimeMs > CLAIM_TTL_MS) fs.unlinkSync(claim);
    } catch {}
    try {
      fs.closeSync(fs.openSync(claim, 'wx'));
    } catch {
      continue;
    }
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port left in ${PORT_MIN}..${PORT_END} (claims in ${PORTS_DIR})`);
}

/** Runs `nexus-node <args>` to completion and returns its stdout (throws on failure). */
export function runNodeCommand (args) {
  const res = spawnSync(NODE_BIN, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (res.status !== 0) {
    throw new Error(`nexus-node ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  }
  return res.stdout;
}

/**
 * Starts a node. `args` come after the common loopback/port flags. Resolves once its RPC
 * answers; the returned object has `rpcUrl`, `prometheusUrl`, `logs()` and `stop()`. The
 * default wait is four minutes: a node builds its genesis in about 8 s on an idle 2-core
 * machine, but `scripts/test.sh` starts every lane at once (a dozen nodes compiling the runtime
 * beside the Rust tests), and nodes have been seen to take 61 s, and over 90 s, there.
 */
export async function startNode (name, args, { timeoutMs = 240_000 } = {}) {
  if (!fs.existsSync(NODE_BIN)) {
    throw new Error(`${NODE_BIN} does not exist: build it first (scripts/build.sh)`);
  }
  const [rpcPort, p2pPort, promPort] = [await freePort(), await freePort(), await freePort()];
  const basePath = fs.mkdtempSync(path.join(os.tmpdir(), `nexus-e2e-${name}-`));
  const fullArgs = [
    '--base-path', basePath,
    '--rpc-port', String(rpcPort),
    '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
    '--prometheus-port', String(promPort),
    '--no-telemetry',
    '--no-mdns',
    '--name', name,
    ...args
  ];
  let output = '';
  const child = spawn(NODE_BIN, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));

  const node = {
    name,
    basePath,
    p2pPort,
    rpcUrl: `ws://127.0.0.1:${rpcPort}`,
    httpUrl: `http://127.0.0.1:${rpcPort}`,
    prometheusUrl: `http://127.0.0.1:${promPort}/metrics`,
    logs: () => output,
    kill: () => { if (exited === null) child.kill('SIGKILL'); },
    async stop () {
      running.delete(node);
      if (exited === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => { if (exited === null) child.kill('SIGKILL'); }, 10_000);
        await exitPromise;
        clearTimeout(timer);
      }
      fs.rmSync(basePath, { recursive: true, force: true });
    }
  };
  running.add(node);

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) {
      running.delete(node);
      throw new Error(`${name} exited early (${JSON.stringify(exited)}):\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(node.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] })
      });
      if (res.ok) return node;
    } catch (_) { /* not listening yet */ }
    await sleep(250);
  }
  await node.stop();
  throw new Error(`${name} did not open its RPC within ${timeoutMs} ms:\n${output.slice(-4000)}`);
}

/** Stops every node this process started. */
export async function stopAll () {
  await Promise.all([...running].map((n) => n.stop()));
}

// Last resort when the test process itself ends abruptly: no node outlives it.
process.on('exit', () => {
  for (const n of running) n.kill();
});

/** Connects @polkadot/api to a node. */
export async function connect (node) {
  const provider = new WsProvider(node.rpcUrl, 1000, {}, 30_000);
  return ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
}

/**
 * Waits until `predicate(header)` holds for a new header of the given stream ('best' or
 * 'finalized'); resolves to that header.
 */
export function waitForHeader (api, kind, predicate, timeoutMs) {
  const subscribe = kind === 'finalized'
    ? api.rpc.chain.subscribeFinalizedHeads
    : api.rpc.chain.subscribeNewHeads;
  return new Promise((resolve, reject) => {
    let unsub = null;
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      if (unsub) unsub();
      reject(new Error(`no ${kind} header matched within ${timeoutMs} ms`));
    }, timeoutMs);
    subscribe((header) => {
      if (!done && predicate(header)) {
        done = true;
        clearTimeout(timer);
        if (unsub) unsub(); else setImmediate(() => unsub && unsub());
        resolve(header);
      }
    }).then((u) => { unsub = u; if (done) u(); }, reject);
  });
}

/**
 * Signs `tx` with `signer`, submits it and waits until it is finalized (or only included in a
 * best block with `{ until: 'inBlock' }`). Resolves to `{ blockHash, events }`; rejects with the
 * decoded module error (e.g. `capsules.ZeroPrice`) when the extrinsic fails, or with the status
 * when the pool drops it.
 */
export function signAndFinalize (api, tx, signer, { until = 'finalized', timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    let unsub;
    const finish = (fn) => { clearTimeout(timer); if (unsub) unsub(); fn(); };
    const timer = setTimeout(() => finish(() => reject(new Error('not finalized in time'))), timeoutMs);
    tx.signAndSend(signer, (result) => {
      if (result.dispatchError) {
        const err = result.dispatchError;
        const msg = err.isModule
          ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(err.asModule))
          : err.toString();
        finish(() => reject(Object.assign(new Error(`dispatch error: ${msg}`), { module: msg })));
      } else if (result.status.isFinalized) {
        finish(() => resolve({ blockHash: result.status.asFinalized, events: result.events }));
      } else if (until === 'inBlock' && result.status.isInBlock) {
        finish(() => resolve({ blockHash: result.status.asInBlock, events: result.events }));
      } else if (result.status.isInvalid || result.status.isDropped || result.status.isUsurped) {
        finish(() => reject(new Error(`transaction ${result.status.type}`)));
      }
    }).then((u) => { unsub = u; }, (e) => finish(() => reject(e)));
  });
}

/**
 * Writes a fixed node key (`hexByte` repeated) into `dir` and returns its file and peer id, so
 * that a bootnode address is known before the node starts.
 */
export function nodeKey (dir, name, hexByte) {
  const file = path.join(dir, `${name}.key`);
  fs.writeFileSync(file, hexByte.repeat(32));
  const peerId = runNodeCommand(['key', 'inspect-node-key', '--file', file]).trim();
  return { file, peerId };
}

export { repoRoot };
