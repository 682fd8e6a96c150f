#!/usr/bin/env node
// Runs a local network until Ctrl-C (use scripts/net.sh, which builds what it needs first).
//
//   node net.mjs local    # four validators of the local_testnet preset (local.toml)
//   node net.mjs market   # the same plus demo capsules and gateway 0 in genesis (market.toml),
//                         # with the mock upstreams, nexus-gateway, one seeker and its traffic
//
// Options: --dir DIR (work directory; default ~/.cache/nexus-vault/net-<name>, emptied first),
// --rpc-port N (alice's RPC, default 9944), --prometheus-port N (alice's metrics, default 9615),
// --gateway-port N (default 8080), --no-traffic. Writes DIR/network.json (every URL and log)
// once the network is up.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Market, Traffic } from './lib/market.mjs';
import { ensurePortFree } from './lib/util.mjs';
import { startNetwork } from './lib/network.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string' },
    'rpc-port': { type: 'string', default: '9944' },
    'prometheus-port': { type: 'string', default: '9615' },
    'gateway-port': { type: 'string', default: '8080' },
    'no-traffic': { type: 'boolean', default: false }
  }
});
const which = positionals[0] ?? 'local';
if (!['local', 'market'].includes(which)) {
  console.error('usage: node net.mjs local|market [--dir DIR] [--rpc-port N] [--prometheus-port N] [--gateway-port N] [--no-traffic]');
  process.exit(2);
}
const say = (m) => console.log(`\x1b[1;34m[net]\x1b[0m ${m}`);
const dir = path.resolve(opts.dir ?? path.join(os.homedir(), '.cache', 'nexus-vault', `net-${which}`));
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });

const rpcPort = Number(opts['rpc-port']);
const prometheusPort = Number(opts['prometheus-port']);
const gatewayPort = Number(opts['gateway-port']);
await ensurePortFree(rpcPort, 'alice RPC');
await ensurePortFree(prometheusPort, 'alice Prometheus');

let network;
let market;
let traffic;
let stopping = false;
async function shutdown (code) {
  if (stopping) return;
  stopping = true;
  say('stopping (traffic, gateway, upstreams, validators)');
  await traffic?.stop();
  await market?.stop();
  await network?.stop();
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  say(`spawning ${which}.toml with zombienet (native provider); work directory ${dir}`);
  network = await startNetwork(`${which}.toml`, { dir, rpcPort, prometheusPort, logType: 'text' });
  const info = { definition: `zombienet/${which}.toml`, dir, nodes: {} };
  for (const name of network.names) {
    info.nodes[name] = { rpc: network.wsUrl(name), prometheus: network.prometheusUrl(name), log: network.logFile(name) };
  }
  await network.waitFor('the first finalized block', () => network.heights('alice'), (h) => h.finalized >= 1, 180_000);
  if (which === 'market') {
    market = new Market({ rpc: network.wsUrl('alice'), dir, gatewayPort });
    say('starting the mock upstreams of the demo capsules and nexus-gateway (gateway 0, //Dave)');
    await market.startUpstreams();
    await market.startGateway({ NEXUS_GATEWAY_PROBE_INTERVAL_SECS: '15', NEXUS_GATEWAY_REPORT_INTERVAL_SECS: '60' });
    say('providers register their endpoints; //Ferdie stakes into tier 3, deposits NXV and opens a session');
    await market.registerEndpoints();
    const seeker = await market.seeker('//Ferdie', { stakeNxv: 50_000, asset: 'NXV', cap: 20_000 });
    info.gateway = `${market.gatewayUrl}/v1`;
    info.seeker = { account: '//Ferdie', ...seeker };
    if (!opts['no-traffic']) {
      traffic = new Traffic(market.gatewayUrl, seeker.key, { workers: 2, pauseMs: 1000 });
    }
  }
  fs.writeFileSync(path.join(dir, 'network.json'), JSON.stringify(info, null, 2));
  say(`up: ${path.join(dir, 'network.json')}`);
  for (const [name, n] of Object.entries(info.nodes)) say(`  ${name.padEnd(8)} ${n.rpc}  metrics ${n.prometheus}  log ${n.log}`);
  if (info.gateway) say(`  gateway  ${info.gateway}  (API key of //Ferdie's session ${info.seeker.session}: ${info.seeker.key})`);
  say(`  polkadot.js apps: https://polkadot.js.org/apps/?rpc=${encodeURIComponent(info.nodes.alice.rpc)}#/explorer`);
  say('Ctrl-C stops everything');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const h = await network.heights('alice').catch(() => null);
    const g = market ? await market.health().catch(() => null) : null;
    say(`best #${h?.best ?? '?'} finalized #${h?.finalized ?? '?'}` +
      (traffic ? `, served ${traffic.ok.length}, refused/cut ${traffic.errors.length}` : '') +
      (g ? `, receipts ${JSON.stringify(g.receipts)}` : ''));
  }
} catch (e) {
  console.error(e);
  await shutdown(1);
}
