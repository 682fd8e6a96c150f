// The projection engine in Chromium, on the page's thread and in the dashboard's own worker
// (dashboard/dist, built by `npm run build` there; src/engine.worker.ts), side by side in one
// browser (this machine is shared: compare within a run, not across runs). Serves the built
// dashboard's worker and engine.wasm on a loopback port; prints each round and the ratio of the
// medians.
//
//   node tests/dashboard/bench-engine.mjs [rounds]

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '../../dashboard/dist');
const wasm = fs.readFileSync(path.join(dist, 'engine.wasm'));
const workerFile = fs.readdirSync(path.join(dist, 'assets')).find((f) => f.startsWith('engine.worker-'));
if (!workerFile) throw new Error('dashboard/dist has no engine worker: build the dashboard first');
const worker = fs.readFileSync(path.join(dist, 'assets', workerFile));
const rounds = Number(process.argv[2] ?? 5);

// On the page's thread: the dashboard's own protocol module (src/engine-protocol.js), which
// its worker calls too.
const protocol = fs.readFileSync(path.join(here, '../../dashboard/src/engine-protocol.js'));
const page = `<script type="module">
import { call } from '/engine-protocol.js';
let e;
window.onPage = async (text) => {
  e ??= (await WebAssembly.instantiateStreaming(fetch('/engine.wasm'), {})).instance.exports;
  const t0 = performance.now();
  const out = call(e, text);
  return { ms: performance.now() - t0, ok: out.startsWith('{"projection"') };
};
const w = new Worker('/worker.js', { type: 'module' });
let id = 0;
window.inWorker = (text) => new Promise((resolve) => {
  w.onmessage = ({ data }) => resolve({ ms: data.ms, ok: !!data.text && data.text.startsWith('{"projection"') });
  w.postMessage({ id: id++, wasm: new URL('/engine.wasm', location.href).href, text });
});
</script>`;

const server = http.createServer((req, res) => {
  const [type, body] = req.url === '/engine.wasm' ? ['application/wasm', wasm]
    : req.url === '/worker.js' ? ['text/javascript', worker]
      : req.url === '/engine-protocol.js' ? ['text/javascript', protocol] : ['text/html', page];
  res.writeHead(200, { 'content-type': type }).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

// 1,000 paths × 365 days from a state like the engine's own tests' (two days of history, a
// pool, a milestone, a vesting schedule): engine-wasm/fixtures/project.json, sent as it is (its
// u128 amounts are JSON integers, which JSON.parse would round); the engine's Rust tests check
// that it parses and projects.
const request = fs.readFileSync(path.join(here, '../../engine-wasm/fixtures/project.json'), 'utf8');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  await tab.evaluate((t) => window.onPage(t), request); // compile and warm up
  const onPage = [];
  const inWorker = [];
  for (let i = 0; i < rounds; i++) {
    const a = await tab.evaluate((t) => window.onPage(t), request);
    const b = await tab.evaluate((t) => window.inWorker(t), request);
    if (!a.ok || !b.ok) throw new Error('the engine refused the request');
    onPage.push(a.ms);
    inWorker.push(b.ms);
    console.log(`round ${i + 1}: page thread ${a.ms.toFixed(0)} ms, worker ${b.ms.toFixed(0)} ms`);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  console.log(`1,000 paths × 365 days, medians: page thread ${median(onPage).toFixed(0)} ms, worker ${median(inWorker).toFixed(0)} ms (worker ÷ page ${(median(inWorker) / median(onPage)).toFixed(2)})`);
} finally {
  await browser.close();
  server.close();
}
