// Process and port helpers shared by the scripts (no zombienet or polkadot.js imports here).

import net from 'node:net';

/** `true` while the process `pid` exists. */
export function alive (pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Throws a clear error when something already listens on 127.0.0.1:`port`. */
export function ensurePortFree (port, what) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', () => reject(new Error(`port ${port} (${what}) is in use: stop what holds it`)));
    srv.listen(port, '127.0.0.1', () => srv.close(resolve));
  });
}
