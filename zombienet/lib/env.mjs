// Where things are: the repository, the release binaries (override each with its environment
// variable, as scripts/lib.sh exports them).

import os from 'node:os';
import path from 'node:path';

export const ZOMBIENET_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const ROOT = path.resolve(ZOMBIENET_DIR, '..');
const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'nexus-vault', 'target');
const bin = (name, env) => process.env[env] || path.join(target, 'release', name);

export const NODE_BIN = bin('nexus-node', 'NEXUS_NODE');
export const CLI_BIN = bin('nexus', 'NEXUS_CLI');
export const GATEWAY_BIN = bin('nexus-gateway', 'NEXUS_GATEWAY');
export const MOCK_BIN = bin('nexus-mock-upstream', 'NEXUS_MOCK_UPSTREAM');
