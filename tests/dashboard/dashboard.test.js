// Browser tests of the dashboard against the running demo market (scripts/demo.sh): headless
// Debian Chromium driven by playwright-core. The page must load without console errors, show
// the same figures as the node's RPC at the block it says it shows, follow the chain as
// receipts settle, price the simulator exactly as `nexus_quote`/`nexus_simulate`, refuse bad
// input with the bound without sending it, and prepare a referendum call that decodes to the
// proposal. A screenshot of each view is saved to $NEXUS_SCREENSHOT_DIR (default
// ~/.cache/nexus-vault/dashboard-screenshots).
//
// The test starts scripts/demo.sh itself (the binaries must be built) and stops it with SIGINT
// at the end, as Ctrl-C would; with NEXUS_DEMO_READY=<path of ready.json> it uses a demo that is
// already running instead.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ApiPromise, HttpProvider } from '@polkadot/api';

const ROOT = new URL('../..', import.meta.url).pathname;
const SHOTS = process.env.NEXUS_SCREENSHOT_DIR ?? join(homedir(), '.cache/nexus-vault/dashboard-screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor (what, check, timeoutMs = 120_000, everyMs = 1_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

const portOpen = (port) => new Promise((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.on('connect', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

describe('dashboard on the demo market', () => {
  let demo = null;
  let ready;
  let browser;
  let page;
  let api;
  const consoleErrors = [];
  const sentFrames = [];

  async function rpc (method, ...params) {
    const res = await fetch(ready.rpcHttp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
    });
    const body = await res.json();
    if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
    return body.result;
  }

  /** Every figure on the current view, with the block the page says it shows, read at once. */
  const figures = () => page.evaluate(() => {
    const status = document.getElementById('status');
    const out = {};
    for (const el of document.querySelectorAll('section.view:not([hidden]) [data-testid][data-raw]')) {
      out[el.dataset.testid] = el.dataset.raw;
    }
    return { number: Number(status.dataset.number), hash: status.dataset.hash, figs: out };
  });

  async function show (view) {
    await page.goto(`${ready.dashboard.split('#')[0]}#/${view}`);
    await page.waitForSelector(`#view-${view}[data-block]`, { timeout: 60_000 });
  }

  async function shot (name) {
    mkdirSync(SHOTS, { recursive: true });
    const path = join(SHOTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    assert.ok(existsSync(path));
  }

  before(async () => {
    if (process.env.NEXUS_DEMO_READY) {
      ready = JSON.parse(readFileSync(process.env.NEXUS_DEMO_READY, 'utf8'));
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'nexus-demo-'));
      demo = spawn(join(ROOT, 'scripts/demo.sh'), [], {
        env: { ...process.env, NEXUS_DEMO_DIR: dir },
        stdio: ['ignore', 'inherit', 'inherit'],
        detached: true
      });
      demo.exited = new Promise((resolve) => demo.on('exit', (code, signal) => resolve({ code, signal })));
      // The demo runs in its own process group: when this test is stopped from outside (a
      // failed stage elsewhere stops scripts/test.sh's lanes with SIGTERM), stop it too, or its
      // node, gateway and upstreams would outlive the run and hold their ports.
      process.once('SIGTERM', () => {
        try { process.kill(-demo.pid, 'SIGINT'); } catch { /* already gone */ }
        process.exit(143);
      });
      const file = join(dir, 'ready.json');
      // A demo that dies before it is ready fails the suite at once, not at the timeout.
      const died = demo.exited.then(({ code, signal }) => {
        throw new Error(`demo.sh exited before it was ready (${code ?? signal})`);
      });
      ready = await Promise.race([
        waitFor('the demo to be ready', async () => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')), 600_000, 2_000),
        died
      ]);
    }
    api = await ApiPromise.create({ provider: new HttpProvider(ready.rpcHttp), noInitWarn: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('websocket', (ws) => ws.on('framesent', (f) => sentFrames.push(String(f.payload))));
  });

  after(async () => {
    await browser?.close();
    await api?.disconnect();
    if (demo) {
      // Ctrl-C reaches the whole foreground process group; so does this.
      process.kill(-demo.pid, 'SIGINT');
      const { code } = await demo.exited;
      assert.equal(code, 0, 'demo.sh exits 0 on Ctrl-C');
      for (const port of [9944, 8080, 8090, 9101, 9102, 9103, 9104]) {
        assert.equal(await portOpen(port), false, `port ${port} is closed after Ctrl-C`);
      }
    }
  });

  test('every view loads without console errors; a screenshot of each is saved', async () => {
    for (const view of ['overview', 'market', 'governance', 'simulator']) {
      await show(view);
      await sleep(1_000); // charts draw on the next frame
      await shot(view);
    }
    assert.deepEqual(consoleErrors, []);
  });

  test('live figures equal the RPC at the block shown, and follow the chain as receipts settle', async () => {
    await show('overview');
    const check = async () => {
      const { hash, figs } = await figures();
      const [flows, fees, reserve] = await Promise.all([
        rpc('nexus_flows', null, hash), rpc('nexus_feeParameters', hash), rpc('nexus_reserveStatus', hash)
      ]);
      let compared = 0;
      for (const f of flows) {
        for (const k of ['receipts', 'volume', 'net', 'provider', 'treasury', 'buyback', 'validators', 'reserve', 'refunded']) {
          assert.equal(figs[`flow-${f.asset}-${k}`], String(f[k]), `flow-${f.asset}-${k} at ${hash}`);
          compared++;
        }
      }
      for (const k of ['takeRate', 'treasuryShare', 'buybackShare', 'validatorsShare', 'reserveShare', 'nxvDiscount', 'maxDiscount', 'maxStep']) {
        assert.equal(figs[`fee-${k}`], String(fees[k]), `fee-${k}`);
        compared++;
      }
      for (const k of ['value', 'trailingVolume', 'targetValue', 'overflow']) {
        assert.equal(figs[`reserve-${k}`], reserve[k], `reserve-${k}`);
        compared++;
      }
      assert.equal(figs['reserve-coverage'], reserve.coveragePpm ?? '');
      return { compared, receipts: flows.reduce((n, f) => n + f.receipts, 0) };
    };
    const first = await figures();
    const a = await check();
    assert.ok(a.compared >= 21, `compared ${a.compared} figures`);
    // Wait for a later block with more settled receipts, then compare again.
    const later = await waitFor('more receipts to settle on screen', async () => {
      const now = await figures();
      const receipts = Object.entries(now.figs)
        .filter(([k]) => /^flow-.*-receipts$/.test(k))
        .reduce((n, [, v]) => n + Number(v), 0);
      return now.number > first.number && receipts > a.receipts && now;
    }, 120_000);
    assert.ok(later.number > first.number);
    const b = await check();
    assert.ok(b.receipts > a.receipts, `receipts ${a.receipts} → ${b.receipts}`);

    await show('market');
    const m = await figures();
    const [tiers, capsules] = await Promise.all([rpc('nexus_tierTable', m.hash), rpc('nexus_capsules', null, null, null, m.hash)]);
    for (const t of tiers) {
      assert.equal(m.figs[`tier-${t.index}-threshold`], t.threshold);
      assert.equal(m.figs[`tier-${t.index}-discount`], String(t.commitmentDiscount));
    }
    for (const c of capsules.capsules) {
      assert.equal(m.figs[`capsule-${c.id}-in`], c.price.per1kInput);
      assert.equal(m.figs[`capsule-${c.id}-out`], c.price.per1kOutput);
      assert.equal(m.figs[`capsule-${c.id}-cacheRead`], c.price.per1kCacheRead);
      assert.equal(m.figs[`capsule-${c.id}-cacheWrite`], c.price.per1kCacheWrite);
      assert.equal(m.figs[`capsule-${c.id}-trust`], String(c.trust));
      assert.equal(m.figs[`capsule-${c.id}-uptime`], String(c.uptime));
    }

    await show('governance');
    const g = await figures();
    const supply = await rpc('nexus_supply', g.hash);
    for (const k of ['total', 'circulating', 'vesting', 'bonded', 'marketplaceHeld', 'emissionsPool', 'treasury', 'rewardPot', 'liquidityReserve', 'settlementPots']) {
      assert.equal(g.figs[`supply-${k}`], supply[k], `supply-${k}`);
    }
    const emissions = (await (await api.at(g.hash)).call.emissionsApi.emissionsStatus()).toPrimitive();
    assert.equal(g.figs['emissions-pool'], String(emissions.pool));
    for (const ms of emissions.milestones) {
      assert.equal(g.figs[`milestone-${ms.index}-progress`], String(ms.progress));
    }
    assert.deepEqual(consoleErrors, []);
  });

  /** Fills the simulator: proposed parameters (percent text) and workload lines. */
  async function fillSimulator (params, lines) {
    await show('simulator');
    await page.click('#sim-reset');
    for (const [k, v] of Object.entries(params)) await page.fill(`#p-${k}`, v);
    // Remove every line, then add and fill the wanted ones.
    while (await page.locator('#sim-lines tr[data-line]').count() > 1) await page.click('#sim-lines tr[data-line] button.remove');
    for (let i = 1; i < lines.length; i++) await page.click('#sim-add');
    for (const [i, l] of lines.entries()) {
      const row = page.locator(`#sim-lines tr[data-line="${i}"]`);
      await row.locator('select[name=capsule]').selectOption(String(l.capsule));
      await row.locator('select[name=tier]').selectOption(String(l.tier));
      await row.locator('select[name=asset]').selectOption(l.asset);
      await row.locator('input[name=inputUnits]').fill(String(l.inputUnits));
      await row.locator('input[name=outputUnits]').fill(String(l.outputUnits));
      await row.locator('input[name=requests]').fill(String(l.requests));
    }
  }

  test('the simulator prices exactly as nexus_quote and nexus_simulate', async () => {
    const tierOf = async (who) => (await rpc('nexus_tier', who)).tier.index;
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    const ferdie = '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL';
    const lines = [
      { capsule: 1, tier: await tierOf(alice), asset: 'USDN', inputUnits: 1200, outputUnits: 350, requests: 7 },
      { capsule: 0, tier: await tierOf(ferdie), asset: 'NXV', inputUnits: 800, outputUnits: 900, requests: 3 }
    ];
    await fillSimulator({ takeRate: '18', treasuryShare: '40', reserveShare: '25' }, lines);
    const simulated = sentFrames.length;
    await page.click('#sim-run');
    await page.waitForSelector('#sim-results[data-state=done]', { timeout: 30_000 });
    assert.ok(sentFrames.slice(simulated).some((f) => f.includes('nexus_simulate')), 'priced by the node');
    const { figs } = await page.evaluate(() => {
      const out = {};
      for (const el of document.querySelectorAll('#sim-results [data-testid][data-raw]')) out[el.dataset.testid] = el.dataset.raw;
      return { figs: out };
    });
    // Today's column, one request: the seeker's own quote.
    const quotes = [
      await rpc('nexus_quote', alice, 1, 1200, 350, 'USDN'),
      await rpc('nexus_quote', ferdie, 0, 800, 900, 'NXV')
    ];
    for (const [i, q] of quotes.entries()) {
      assert.equal(figs[`sim-line-${i}-today-net`], q.net, `line ${i} net = quote`);
      assert.equal(figs[`sim-line-${i}-today-provider`], q.legs.provider, `line ${i} provider = quote`);
    }
    assert.equal(figs['sim-today-USDN-net'], String(BigInt(quotes[0].net) * 7n));
    assert.equal(figs['sim-today-NXV-net'], String(BigInt(quotes[1].net) * 3n));
    assert.equal(figs['sim-today-USDN-treasury'], String(BigInt(quotes[0].legs.treasury) * 7n));
    // The proposed column: nexus_simulate under the same proposal.
    const fees = await rpc('nexus_feeParameters');
    const proposal = {
      takeRate: 180_000_000, treasuryShare: 400_000_000, buybackShare: fees.buybackShare,
      validatorsShare: fees.validatorsShare, reserveShare: 250_000_000,
      nxvDiscount: fees.nxvDiscount, maxDiscount: fees.maxDiscount
    };
    const sim = await rpc('nexus_simulate', proposal, lines);
    for (const t of sim.perAsset) {
      assert.equal(figs[`sim-proposed-${t.asset}-net`], t.net);
      for (const k of ['provider', 'treasury', 'buyback', 'validators', 'reserve']) {
        assert.equal(figs[`sim-proposed-${t.asset}-${k}`], t.legs[k], `${t.asset} ${k}`);
      }
    }
    assert.notEqual(figs['sim-proposed-USDN-provider'], figs['sim-today-USDN-provider'], 'a higher take pays providers less');
    await shot('simulator-result');

    // The referendum call decodes to referenda.submit of fees.setParams with the proposal.
    await page.click('#sim-prepare');
    const hex = await page.locator('[data-testid=referendum-call]').inputValue();
    const call = api.createType('Call', hex);
    assert.equal(`${call.section}.${call.method}`, 'referenda.submit');
    assert.deepEqual(call.args[0].toJSON(), { origins: 'FeeParameters' });
    const inner = api.createType('Call', call.args[1].asInline.toU8a(true));
    assert.equal(`${inner.section}.${inner.method}`, 'fees.setParams');
    const sent = inner.args[0].toJSON();
    assert.equal(sent.takeRate, 180_000_000);
    assert.equal(sent.treasuryShare, 400_000_000);
    assert.equal(sent.reserveShare, 250_000_000);
    assert.match(await page.locator('[data-testid=referendum-link]').getAttribute('href'), /polkadot\.js\.org\/apps\/.*#\/extrinsics\/decode\/0x/);
    await shot('simulator-referendum');
    assert.deepEqual(consoleErrors, []);
  });

  test('bad input is shown with its bound and never sent', async () => {
    const line = { capsule: 1, tier: 0, asset: 'USDN', inputUnits: 1000, outputUnits: 100, requests: 1 };
    const cases = [
      [{ treasuryShare: '40' }, /sum to 105%: they must sum to exactly 100%/],
      [{ takeRate: '31' }, /Take rate 31% is above its bound of 30%/],
      [{ maxDiscount: '35' }, /Maximum discount 35% is above its bound of 30%/],
      [{ nxvDiscount: '25' }, /NXV discount 25% is above the maximum discount 20%/],
      [{ takeRate: 'fifteen' }, /not a percentage/],
      [{ takeRate: '150' }, /above 100%/]
    ];
    for (const [params, message] of cases) {
      await fillSimulator(params, [line]);
      const before = sentFrames.length;
      await page.click('#sim-run');
      await page.waitForSelector('[data-testid=sim-errors] p');
      assert.match(await page.locator('[data-testid=sim-errors]').innerText(), message);
      await sleep(300);
      assert.ok(!sentFrames.slice(before).some((f) => f.includes('nexus_simulate')), `${JSON.stringify(params)} was not sent`);
    }
    await fillSimulator({}, [{ ...line, requests: '4294967296' }]);
    await page.click('#sim-run');
    assert.match(await page.locator('[data-testid=sim-errors]').innerText(), /requests: 4294967296 is above the maximum 4294967295/);
    await shot('simulator-errors');

    // A valid simulation the runtime refuses is shown with the node's named error.
    await fillSimulator({}, [{ ...line, capsule: 0, tier: 0 }]);
    await page.click('#sim-run');
    await page.waitForSelector('[data-testid=sim-errors] p');
    assert.match(await page.locator('[data-testid=sim-errors]').innerText(), /LaneNotAllowed/);

    // A proposal moving a field more than the largest step is not turned into a call.
    await fillSimulator({ takeRate: '25' }, [line]);
    await page.click('#sim-prepare');
    assert.match(await page.locator('[data-testid=referendum-errors]').innerText(), /moves by 10%.*at most 5%/);
    assert.equal(await page.locator('[data-testid=referendum-call]').count(), 0);
    assert.deepEqual(consoleErrors.filter((e) => !/LaneNotAllowed|9020/.test(e)), []);
  });
});
