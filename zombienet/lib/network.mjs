// A local network of nexus-node validators, spawned by zombienet's orchestrator (native
// provider) from one of the definitions in this directory, and the few things the scripts and
// tests do with it: JSON-RPC to any node (plain HTTP, with a timeout, so that a dead node is an
// error and not a hang), kill -9 and restart of one validator on its own database, and an
// orderly stop.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_BIN, ZOMBIENET_DIR } from './env.mjs';
import { alive } from './util.mjs';

const require = createRequire(import.meta.url);
const { start } = require('@zombienet/orchestrator');
const { readNetworkConfig } = require('@zombienet/utils');

/**
 * Spawns the network of `definition` (a file name in zombienet/). Options: `dir` (work
 * directory: chain spec, node databases and logs; a fresh temporary one by default),
 * `rpcPort`/`prometheusPort` (fixed ports for the first node, e.g. 9944 for polkadot.js apps;
 * zombienet picks free loopback ports otherwise), `args` (extra node arguments), `logType`
 * (zombienet's own output: `silent`, `text` or `table`).
 */
export async function startNetwork (definition, { dir, rpcPort, prometheusPort, args = [], logType = 'silent' } = {}) {
  if (!fs.existsSync(NODE_BIN)) throw new Error(`${NODE_BIN} is not built: run scripts/build.sh`);
  // The definitions refer to these through zombienet's {{VAR}} templating.
  process.env.NEXUS_NODE = NODE_BIN;
  process.env.NEXUS_ZOMBIENET_DIR = ZOMBIENET_DIR;
  const config = readNetworkConfig(path.join(ZOMBIENET_DIR, definition));
  const first = config.relaychain.nodes[0];
  if (rpcPort) first.rpc_port = rpcPort;
  if (prometheusPort) first.prometheus_port = prometheusPort;
  config.relaychain.default_args = [...(config.relaychain.default_args || []), ...args];
  const workDir = dir || fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-net-'));
  const network = await start('', config, {
    spawnConcurrency: config.relaychain.nodes.length,
    dir: workDir,
    force: true,
    inCI: false,
    monitor: false,
    logType,
    setGlobalNetwork: () => {}
  });
  return new Network(network, workDir, config.relaychain.nodes.map((n) => n.name));
}

export class Network {
  constructor (network, dir, names) {
    this.zombie = network;
    this.dir = dir;
    this.names = names;
  }

  node (name) {
    return this.zombie.getNodeByName(name);
  }

  /** The node's RPC as an HTTP URL (the same port serves WebSocket). */
  httpUrl (name) {
    return this.node(name).wsUri.replace(/^ws/, 'http');
  }

  wsUrl (name) {
    return this.node(name).wsUri;
  }

  prometheusUrl (name) {
    return this.node(name).prometheusUri;
  }

  logFile (name) {
    return path.join(this.dir, `${name}.log`);
  }

  /** The pid of the node's process (zombienet's native provider runs the node itself). */
  pid (name) {
    return this.zombie.client.processMap[name]?.pid;
  }

  /** One JSON-RPC call to a node; throws on an error answer or after `timeoutMs`. */
  async rpc (name, method, params = [], timeoutMs = 5000) {
    const res = await fetch(this.httpUrl(name), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs)
    });
    const answer = await res.json();
    if (answer.error) throw new Error(`${name} ${method}: ${JSON.stringify(answer.error)}`);
    return answer.result;
  }

  /** `{ best, finalized }` block numbers of a node. */
  async heights (name) {
    const [best, finHash] = await Promise.all([
      this.rpc(name, 'chain_getHeader'),
      this.rpc(name, 'chain_getFinalizedHead')
    ]);
    const fin = await this.rpc(name, 'chain_getHeader', [finHash]);
    return { best: parseInt(best.number, 16), finalized: parseInt(fin.number, 16) };
  }

  /** The canonical hash of block `n` on a node. */
  async blockHash (name, n) {
    return this.rpc(name, 'chain_getBlockHash', [n]);
  }

  /** Waits until `check(await probe())` holds, polling every `everyMs`; returns the last value. */
  async waitFor (what, probe, check, timeoutMs = 120_000, everyMs = 1000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    let lastError;
    while (Date.now() < deadline) {
      try {
        last = await probe();
        if (check(last)) return last;
      } catch (e) {
        lastError = e;
      }
      await sleep(everyMs);
    }
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${JSON.stringify(last)}` +
      (lastError ? `; last error: ${lastError.message}` : ''));
  }

  /**
   * Kills the node with SIGKILL and starts it again, with the same command line and so on the
   * same database, `holdSeconds` later (zombienet's restart). Resolves once it runs again.
   */
  async killAndRestart (name, holdSeconds) {
    const pid = this.pid(name);
    const ok = await this.node(name).restart(holdSeconds);
    if (!ok) throw new Error(`zombienet could not restart ${name}`);
    if (alive(pid)) throw new Error(`${name} (pid ${pid}) survived kill -9`);
    return this.pid(name);
  }

  /** Stops every node: SIGTERM, up to `graceMs` to exit, then zombienet's kill -9 of the rest. */
  async stop (graceMs = 15_000) {
    const pids = this.names.map((n) => this.pid(n)).filter((p) => p && alive(p));
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (pids.some(alive) && Date.now() < deadline) await sleep(200);
    await this.zombie.stop();
  }
}
