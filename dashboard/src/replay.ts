// The replay: the last N days of settled usage re-priced under a proposal, beside what actually
// happened, and the referenda that would get there with the effect after each.
//
// Everything is computed by the runtime at one block: `nexus_replay` (MeteringApi_replay: each
// day's usage lines re-priced with the function settlement prices with) under the parameters in
// force and under the proposal, and `nexus_feePath` (FeesApi_fee_path: the changes that reach the
// proposal within the per-change bound and cooldown), each step replayed too. The page only
// formats and subtracts.

import type { ApiPromise } from '@polkadot/api';
import Chart from 'chart.js/auto';
import { feeChanges, feePath, historyDays, replay, type Json, type Snapshot } from './chain';
import { amount, esc, parseCount, percent } from './format';
import { checkParams, FIELDS, paramsForm, readForm, today, todayText, type Params, type ParamsText } from './params';

const state: { params: ParamsText | null; days: string } = { params: null, days: '7' };
let chart: Chart | null = null;

/** The rows of a comparison: what each is and how to read it from a `Priced`. */
const ROWS: [string, string, (p: Json) => bigint][] = [
  ['net', 'Seekers pay', (p) => BigInt(p.net)],
  ['provider', 'Providers earn', (p) => BigInt(p.legs.provider)],
  ['take', 'Protocol take', (p) => BigInt(p.net) - BigInt(p.legs.provider)],
  ['treasury', '→ treasury', (p) => BigInt(p.legs.treasury)],
  ['buyback', '→ buyback/rebates', (p) => BigInt(p.legs.buyback)],
  ['validators', '→ validators', (p) => BigInt(p.legs.validators)],
  ['reserve', '→ reserve', (p) => BigInt(p.legs.reserve)]
];

/** A UTC day number as a date. */
export function dayText (day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function delta (d: bigint, asset: string): string {
  return d === 0n ? '—' : `${d > 0n ? '+' : ''}${amount(d, asset, 6)}`;
}

/** The window's totals per asset: as settled, replayed under today's parameters, under the proposal. */
function totals (now: Json, next: Json): string {
  return (next.total as Json[]).map((b) => {
    const asset = b.asset as string;
    const a = (now.total as Json[]).find((t) => t.asset === asset);
    const rows = ROWS.map(([key, label, pick]) => {
      const settled = pick(b.actual);
      const todays = pick(a.replayed);
      const proposed = pick(b.replayed);
      const cell = (which: string, v: bigint) => `<td data-testid="replay-total-${asset}-${key}-${which}" data-raw="${v}">${esc(amount(v, asset, 6))}</td>`;
      return `<tr><th>${esc(label)}</th>${cell('actual', settled)}${cell('today', todays)}${cell('proposed', proposed)}<td class="delta">${esc(delta(proposed - settled, asset))}</td></tr>`;
    }).join('');
    return `<h3>Paid in ${esc(asset)} · <span data-testid="replay-total-${asset}-receipts">${Number(b.receipts).toLocaleString('en-US')}</span> receipts</h3>
      <table class="wide compare"><tr><th></th><th>as settled</th><th>replayed, today's parameters</th><th>replayed, proposal</th><th>proposal − settled</th></tr>${rows}</table>`;
  }).join('') || '<p class="empty">No usage settled in this window.</p>';
}

/** Day by day: what seekers paid and the protocol took, as settled and under the proposal. */
function perDay (next: Json): string {
  const rows = (next.days as Json[]).flatMap((d) => (d.perAsset as Json[]).map((t) => {
    const cell = (key: string, which: string, v: bigint) =>
      `<td data-testid="replay-day-${d.day}-${t.asset}-${key}-${which}" data-raw="${v}">${esc(amount(v, t.asset, 4))}</td>`;
    const take = (p: Json) => BigInt(p.net) - BigInt(p.legs.provider);
    const unbooked = d.unbookedReceipts > 0 ? ` <span class="note">(${d.unbookedReceipts} unfiled)</span>` : '';
    return `<tr><td>${dayText(d.day)}</td><td>${esc(t.asset)}</td><td>${Number(t.receipts).toLocaleString('en-US')}${unbooked}</td>
      ${cell('net', 'actual', BigInt(t.actual.net))}${cell('net', 'proposed', BigInt(t.replayed.net))}
      ${cell('take', 'actual', take(t.actual))}${cell('take', 'proposed', take(t.replayed))}
      ${cell('reserve', 'actual', BigInt(t.actual.legs.reserve))}${cell('reserve', 'proposed', BigInt(t.replayed.legs.reserve))}</tr>`;
  })).join('');
  return `<table class="wide"><tr><th>day (UTC)</th><th>asset</th><th>receipts</th><th>seekers paid</th><th>proposal</th><th>protocol took</th><th>proposal</th><th>reserve got</th><th>proposal</th></tr>${rows}</table>`;
}

/** What changes between two parameter sets, field by field. */
function changes (from: Params, to: Params): string {
  return FIELDS.filter(([k]) => from[k] !== to[k])
    .map(([k, label]) => `${esc(label)} ${percent(from[k], 4)} → ${percent(to[k], 4)}`).join('<br>');
}

/** The referenda that reach the proposal, each with the window replayed under it. */
function referenda (s: Snapshot, path: Json, steps: Json[]): string {
  let prev = today(s.fees);
  const rows = (path.steps as Json[]).map((step, i) => {
    const r = steps[i];
    const effect = (r.total as Json[]).map((t) => {
      const v = (key: string, x: bigint) => `<span data-testid="replay-step-${i}-${t.asset}-${key}" data-raw="${x}">${esc(amount(x, t.asset, 4))}</span>`;
      return `${esc(t.asset)}: seekers pay ${v('net', BigInt(t.replayed.net))}, providers ${v('provider', BigInt(t.replayed.legs.provider))}, take ${v('take', BigInt(t.replayed.net) - BigInt(t.replayed.legs.provider))}`;
    }).join('<br>') || '<span class="empty">no usage in the window</span>';
    const row = `<tr data-testid="replay-step-${i}"><td>${i + 1}</td><td>${changes(prev, step.params)}</td><td data-testid="replay-step-${i}-block">#${step.enactableFrom}</td><td>${effect}</td></tr>`;
    prev = step.params;
    return row;
  }).join('');
  const n = path.steps.length;
  const lead = n === 1
    ? 'One referendum enacts the proposal: every field moves within the per-change bound.'
    : `The proposal moves a field by more than ${percent(path.maxStep)}, the most one change may move it, so it takes <b>${n} referenda</b>, each enactable ${path.changeCooldown} blocks after the one before (the runtime's cooldown).`;
  return `<p>${lead} Blocks are the earliest each change may be enacted; each referendum's own decision and confirmation periods come on top. The effect is the window above replayed under the parameters after that step.</p>
    <table class="wide"><tr><th>step</th><th>changes</th><th>enactable from</th><th>the window under it</th></tr>${rows}</table>`;
}

function drawChart (canvas: HTMLCanvasElement, next: Json): void {
  const asset = (next.total as Json[])[0]?.asset as string | undefined;
  const days = (next.days as Json[]).filter((d) => (d.perAsset as Json[]).some((t) => t.asset === asset));
  const pick = (d: Json, f: (t: Json) => bigint) => {
    const t = (d.perAsset as Json[]).find((x) => x.asset === asset);
    // Whole units for the chart only; the tables carry the exact figures.
    return Number(f(t)) / 10 ** (asset === 'NXV' ? 12 : 6);
  };
  const take = (p: Json) => BigInt(p.net) - BigInt(p.legs.provider);
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: days.map((d) => dayText(d.day)),
      datasets: [
        { label: `protocol take as settled (${asset})`, data: days.map((d) => pick(d, (t) => take(t.actual))), backgroundColor: '#9aa9c9' },
        { label: `protocol take under the proposal (${asset})`, data: days.map((d) => pick(d, (t) => take(t.replayed))), backgroundColor: '#2f6fde' }
      ]
    },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } }
  });
}

/** Sums of `Priced` figures of some lines, per asset: list, seekers' net, provider, take. */
interface Sums { receipts: number; list: bigint; netPricing: bigint; net: bigint; provider: bigint; take: bigint; days: Set<number> }

function sums (days: Json[], pick: (l: Json) => boolean, priced: (l: Json) => Json): Map<string, Sums> {
  const out = new Map<string, Sums>();
  for (const d of days) {
    for (const l of d.lines as Json[]) {
      if (!pick(l)) continue;
      const s = out.get(l.asset) ?? { receipts: 0, list: 0n, netPricing: 0n, net: 0n, provider: 0n, take: 0n, days: new Set<number>() };
      const p = priced(l);
      s.receipts += l.receipts;
      s.list += BigInt(l.actual.list);
      s.netPricing += BigInt(p.netPricing);
      s.net += BigInt(p.net);
      s.provider += BigInt(p.legs.provider);
      s.take += BigInt(p.net) - BigInt(p.legs.provider);
      s.days.add(d.day);
      out.set(l.asset, s);
    }
  }
  return out;
}

/**
 * Predicted vs actual for each enacted fee change whose regimes are still in the usage history:
 * the days under the regime it replaced, replayed under the parameters it enacted (what the
 * replay predicted), beside the days under it as settled. Per day, and per 1,000 USDN of list
 * price (which takes volume out of the comparison).
 */
export async function predictedVsActual (api: ApiPromise, s: Snapshot): Promise<string> {
  const changes = (await feeChanges(api, s.hash)) as Json[];
  if (changes.length === 0) return '<p class="empty" data-testid="pva-none">No fee change enacted yet: nothing to compare.</p>';
  const sections = await Promise.all(changes.map(async (c) => {
    const r = await replay(api, c.new, historyDays(api), s.hash);
    // The regime the change replaced: the latest before it with usage in the history.
    const regimes = (r.days as Json[]).flatMap((d) => (d.lines as Json[]).map((l) => l.regime as number));
    const before = Math.max(-1, ...regimes.filter((g) => g < c.at));
    const predicted = sums(r.days, (l) => l.regime === before, (l) => l.replayed);
    const actual = sums(r.days, (l) => l.regime === c.at, (l) => l.actual);
    const assets = [...new Set([...predicted.keys(), ...actual.keys()])];
    const rows = assets.map((asset) => {
      const p = predicted.get(asset);
      const a = actual.get(asset);
      const perDay = (x: Sums | undefined, k: 'net' | 'provider' | 'take') => x && x.days.size ? x[k] / BigInt(x.days.size) : null;
      // The take in the pricing unit (at the lines' own rate, net ÷ netPricing) per unit of
      // list price, in ppb: the take rate after discounts, whatever the asset.
      const perList = (x: Sums | undefined) => x && x.list > 0n && x.net > 0n
        ? (x.take * x.netPricing * 1_000_000_000n) / (x.net * x.list)
        : null;
      const cell = (key: string, which: string, v: bigint | null, show: (v: bigint) => string) =>
        `<td data-testid="pva-${c.at}-${asset}-${key}-${which}" data-raw="${v ?? ''}">${v === null ? '—' : esc(show(v))}</td>`;
      const money = (v: bigint) => amount(v, asset, 4);
      return `<tr><td>${esc(asset)}</td>
        ${cell('net', 'predicted', perDay(p, 'net'), money)}${cell('net', 'actual', perDay(a, 'net'), money)}
        ${cell('take', 'predicted', perDay(p, 'take'), money)}${cell('take', 'actual', perDay(a, 'take'), money)}
        ${cell('rate', 'predicted', perList(p), (v) => percent(v, 3))}${cell('rate', 'actual', perList(a), (v) => percent(v, 3))}
        <td>${p?.days.size ?? 0} / ${a?.days.size ?? 0}</td></tr>`;
    }).join('');
    return `<h3>Change at block #${c.at}</h3><p class="note">${changes_text(c)}</p>
      <table class="wide"><tr><th>asset</th><th>seekers pay a day, predicted</th><th>actual</th><th>protocol take a day, predicted</th><th>actual</th><th>take ÷ list price, predicted</th><th>actual</th><th>days before / after</th></tr>${rows || '<tr><td colspan="8" class="empty">no usage of these regimes left in the history</td></tr>'}</table>`;
  }));
  return `<p class="note">Predicted: the days settled under the regime a change replaced, replayed under the parameters it enacted (what the replay showed before the vote, with the volume of those days). Actual: the days settled under it. Take ÷ list price (the take in the pricing unit per unit of list price) compares the pricing alone; a day's totals include how demand moved.</p>${sections.reverse().join('')}`;
}

function changes_text (c: Json): string {
  return FIELDS.filter(([k]) => c.old[k] !== c.new[k]).map(([k, label]) => `${label} ${percent(c.old[k], 4)} → ${percent(c.new[k], 4)}`).join(', ');
}

export function renderReplay (el: HTMLElement, api: ApiPromise, s: Snapshot, current: { snapshot: Snapshot }): void {
  if (state.params === null) state.params = todayText(s.fees);
  if (el.dataset.built === '1') return; // keeps what the user typed across blocks
  el.dataset.built = '1';
  const MAX_DAYS = historyDays(api);
  el.innerHTML = `<div class="grid">
    <div class="card"><h2>Replay history under a proposal</h2>
      <p class="note">The chain keeps what each day's receipts paid (per asset and tier discount) for ${MAX_DAYS} days. The runtime re-prices those days under the proposal with the function settlement charges with, at the day's own NXV rate.</p>
      ${paramsForm(state.params, s.fees, 'rp')}
      <p><label>The last <input id="rp-days" data-testid="rp-days" value="${esc(state.days)}" size="4"> days (1–${MAX_DAYS}, today included)</label></p>
      <button type="button" id="rp-reset">Reset to today's</button>
      <button type="button" id="rp-run" class="primary" data-testid="replay-run">Replay</button>
      <div id="rp-errors" class="errors" data-testid="replay-errors"></div>
    </div>
    <div class="card span2" id="rp-results" data-testid="replay-results"><h2>What happened vs the proposal</h2><p class="note">Press “Replay”.</p></div>
    <div class="card span2" id="rp-path" data-testid="replay-path"><h2>The referenda to get there</h2><p class="note">Press “Replay”.</p></div>
    <div class="card span2" id="rp-pva" data-testid="pva"><h2>Predicted vs actual after each fee change</h2><button type="button" id="rp-pva-run" data-testid="pva-run">Compare at the block shown</button><div id="rp-pva-body"></div></div>
  </div>`;
  el.querySelector('#rp-pva-run')?.addEventListener('click', async () => {
    const body = el.querySelector('#rp-pva-body') as HTMLElement;
    const snap = current.snapshot;
    body.dataset.state = 'running';
    try {
      body.innerHTML = await predictedVsActual(api, snap);
      body.dataset.block = String(snap.number);
      body.dataset.hash = snap.hash;
      body.dataset.state = 'done';
    } catch (e) {
      body.dataset.state = 'error';
      body.innerHTML = `<div class="errors"><p>${esc((e as Error).message)}</p></div>`;
    }
  });
  const errorsEl = el.querySelector('#rp-errors') as HTMLElement;
  const showErrors = (errors: string[]) => { errorsEl.innerHTML = errors.map((e) => `<p>${esc(e)}</p>`).join(''); };
  el.querySelector('#rp-reset')?.addEventListener('click', () => {
    const fresh = todayText(current.snapshot.fees);
    for (const [k] of FIELDS) (el.querySelector(`#rp-${k}`) as HTMLInputElement).value = fresh[k];
  });
  el.querySelector('#rp-run')?.addEventListener('click', async () => {
    state.params = readForm(el, 'rp');
    state.days = (el.querySelector('#rp-days') as HTMLInputElement).value;
    const snap = current.snapshot;
    const checked = checkParams(state.params, snap.fees);
    const days = parseCount(state.days, 'Days', BigInt(MAX_DAYS));
    const errors = 'errors' in checked ? [...checked.errors] : [];
    if ('error' in days) errors.push(days.error);
    else if (days.value === 0n) errors.push('Days: the window needs at least one day.');
    if (errors.length || 'errors' in checked || 'error' in days) { showErrors(errors); return; }
    showErrors([]);
    const results = el.querySelector('#rp-results') as HTMLElement;
    const pathEl = el.querySelector('#rp-path') as HTMLElement;
    results.dataset.state = 'replaying';
    const n = Number(days.value);
    const now = today(snap.fees);
    const same = FIELDS.every(([k]) => now[k] === checked.params[k]);
    try {
      const [todays, proposed, path] = await Promise.all([
        replay(api, now, n, snap.hash),
        replay(api, checked.params, n, snap.hash),
        same ? Promise.resolve(null) : feePath(api, checked.params, snap.hash)
      ]);
      results.innerHTML = `<h2>What happened vs the proposal</h2>
        <p class="note" data-testid="replay-block" data-block="${snap.number}" data-hash="${snap.hash}">At block #${snap.number}: ${dayText(proposed.from)} to ${dayText(proposed.today)} (UTC). Replayed under today's parameters, each line is re-priced as one sum, so it can differ from what was charged receipt by receipt by the rounding of each receipt (at most one smallest unit per receipt and leg).</p>
        ${totals(todays, proposed)}
        <h3>Day by day</h3><div class="chart-box"><canvas id="rp-chart"></canvas></div>${perDay(proposed)}`;
      if ((proposed.days as Json[]).length) drawChart(el.querySelector('#rp-chart') as HTMLCanvasElement, proposed);
      if (path === null) {
        pathEl.innerHTML = '<h2>The referenda to get there</h2><p>The proposal is the parameters in force: nothing to enact.</p>';
      } else {
        const steps = await Promise.all((path.steps as Json[]).map((st) => replay(api, st.params, n, snap.hash)));
        pathEl.innerHTML = `<h2>The referenda to get there</h2>${referenda(snap, path, steps)}`;
      }
      results.dataset.state = 'done';
    } catch (e) {
      results.dataset.state = 'error';
      showErrors([`The node refused the replay: ${(e as Error).message}`]);
    }
  });
}
