#!/usr/bin/env node
// Prints a raw chain spec for a zombienet network.
//
//   node spec.mjs local    # `nexus-node build-spec --chain local --raw`
//   node spec.mjs market   # the same four validators, plus the development chain's demo
//                          # capsules and its gateway 0 (//Dave): see market.toml
//
// The market spec is the `local_testnet` preset's plain spec with two fields of the `dev`
// preset's genesis patch copied over (`capsules.capsules` and `metering.gateways`), then turned
// raw by the node itself, exactly as an operator would edit a spec. Nothing else changes: the
// same validators, balances, fixed supply and no sudo key.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_BIN } from './lib/env.mjs';

const buildSpec = (args) =>
  execFileSync(NODE_BIN, ['build-spec', ...args], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });

export function marketSpec () {
  const local = JSON.parse(buildSpec(['--chain', 'local', '--disable-default-bootnode']));
  const dev = JSON.parse(buildSpec(['--chain', 'dev', '--disable-default-bootnode']));
  const patch = local.genesis.runtimeGenesis.patch;
  const devPatch = dev.genesis.runtimeGenesis.patch;
  patch.capsules.capsules = devPatch.capsules.capsules;
  patch.metering.gateways = devPatch.metering.gateways;
  local.id = 'nexus_local_market';
  local.name = 'Nexus Vault Local Market';
  return local;
}

function main (which) {
  if (which === 'local') {
    process.stdout.write(buildSpec(['--chain', 'local', '--raw', '--disable-default-bootnode']));
  } else if (which === 'market') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-spec-'));
    try {
      const plain = path.join(dir, 'market.json');
      fs.writeFileSync(plain, JSON.stringify(marketSpec()));
      process.stdout.write(buildSpec(['--chain', plain, '--raw', '--disable-default-bootnode']));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } else {
    console.error('usage: node spec.mjs local|market');
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv[2]);
