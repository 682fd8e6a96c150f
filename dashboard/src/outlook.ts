// The outlook: headline figures and alerts at the block shown, projections of the economy over
// scenario paths, and a sweep of the take rate and the reserve's share against the chance that
// the reserve stays at its target.
//
// The headline figures are the snapshot's runtime answers (or the engine's rules applied to
// them); the projections and the sweep run in the browser in the projection engine — the Rust
// crate whose rules the pallets call, compiled to wasm (src/engine.ts).

import type { ApiPromise } from '@polkadot/api';
import Chart from 'chart.js/auto';
import type { Json, Snapshot } from './chain';
import { run } from './engine';
import { amount, esc, percent } from './format';
import { checkParams, FIELDS, paramsForm, readForm, today, todayText, type ParamsText } from './params';
import { readStart, type StartState } from './start';

const PPB = 1_000_000_000n;
const NXV = 10n ** 12n;
/** An hour of 6-second blocks: the NXV price alert's lead time. */
const PRICE_ALERT_BLOCKS = 600;

const charts = new Map<string, Chart>();
const form: { params: ParamsText | null; scenario: Record<string, string> } = {
  params: null,
  scenario: { paths: '1000', days: '365', seed: '1', scale: '1', growth: '50', shock: 'none', shockDay: '90', drift: '0', volatility: '80', failures: '0.5', disputes: '0.5', spend: '20000', shortfall: '90' }
};

/** A pricing-unit amount (µUSDN) as whole USDN for charts and figures. */
const usdn = (v: number) => v / 1e6;

function fig (id: string, raw: string, text: string): string {
  return `<span data-testid="${id}" data-raw="${esc(raw)}">${esc(text)}</span>`;
}

/** Headline figures and alerts. */
export async function headline (s: Snapshot, state: StartState): Promise<string> {
  const price = BigInt(s.fees.nxvPrice ?? 0);
  const take = (asset: string) => {
    const f = s.flows.find((x) => x.asset === asset);
    return f ? BigInt(f.net) - BigInt(f.provider) : 0n;
  };
  const released = BigInt(String(s.emissions.released));
  // NXV valued as the runtime values it (the engine's `reserve::native_value`).
  const { answer: values } = await run({ nativeValue: { amounts: [take('NXV'), released], price, one: NXV } });
  const fees = take('USDN') + BigInt(values[0]);
  const emissionsValue = BigInt(values[1]);
  const ratio = emissionsValue === 0n ? 'no emissions released yet' : `${(Number(fees) / Number(emissionsValue)).toFixed(3)}×`;
  const value = BigInt(s.reserve.value);
  const trailing = BigInt(s.reserve.trailingVolume);
  const daily = trailing / 30n;
  const coverageDays = daily === 0n ? null : Number((value * 1000n) / daily) / 1000;
  const floatPpb = (BigInt(s.supply.circulating) * PPB) / BigInt(s.supply.total);
  // The next 30 days' unlocks: the engine's vesting rule over the schedules in force.
  const { answer: unlockRun } = await run({ project: { start: { ...state.start, history: [] }, scenario: { paths: 1, days: 30, seed: 1, demandScale: 1, demandGrowth: 0, shock: null, priceDrift: 0, priceVolatility: 0, refundRate: 0, treasurySpend: 0, shortfallBelow: 0.9 } } });
  const next30 = unlockRun.unlocks[0]?.scheduled ?? 0;

  const alerts: string[] = [];
  const staleAt = s.fees.nxvPriceStaleAt;
  if (s.fees.nxvPrice === null || (staleAt !== null && staleAt < s.number)) {
    alerts.push(`<p data-testid="alert-price">The NXV price is stale${staleAt !== null ? ` since block ${staleAt}` : ' (never set)'}: NXV payments are refused and the reserve cannot sweep NXV until governance sets a price.</p>`);
  } else if (staleAt !== null && staleAt - s.number <= PRICE_ALERT_BLOCKS) {
    alerts.push(`<p data-testid="alert-price">The NXV price goes stale at block ${staleAt}, in ${staleAt - s.number} blocks: set a new price before then, or NXV payments will be refused.</p>`);
  }
  if (value < BigInt(s.reserve.targetValue)) {
    alerts.push(`<p data-testid="alert-coverage">The reserve holds ${esc(amount(s.reserve.value, 'USDN', 2))}, under its target of ${esc(amount(s.reserve.targetValue, 'USDN', 2))}: nothing is swept to the treasury until it is back at target.</p>`);
  }
  const deferred = BigInt(String(s.emissions.deferred));
  if (deferred > 0n) {
    alerts.push(`<p data-testid="alert-deferred">${esc(amount(deferred, 'NXV', 2))} of released tranches are deferred (their providers could not take a vesting schedule); each provider claims them with <code>emissions.claimDeferred</code>.</p>`);
  }
  if (state.slippage !== null && state.pool) {
    const available = BigInt(String(s.buyback.available.stable));
    const { answer } = await run({ buybackBound: { available, pool: state.pool, slippage: state.slippage } });
    if (BigInt(answer.carried) > 0n) {
      alerts.push(`<p data-testid="alert-pool">The pool is too thin for the buyback: within the ${percent(state.slippage * 1000, 2)} slippage bound the next epoch swaps ${esc(amount(answer.swappable, 'USDN', 2))} of the pot's ${esc(amount(available, 'USDN', 2))}; ${esc(amount(answer.carried, 'USDN', 2))} carries to later epochs.</p>`);
    }
  }
  return `<div class="card span2"><h2>Headline figures at block #${s.number}</h2><table class="wide">
      <tr><th>Fees vs emissions</th><td>${fig('headline-fees', fees.toString(), amount(fees, 'USDN', 2))} of protocol take (lifetime, NXV at today's price) against ${fig('headline-emissions', emissionsValue.toString(), amount(emissionsValue, 'USDN', 2))} of emissions released: <b data-testid="headline-ratio">${esc(ratio)}</b></td></tr>
      <tr><th>Reserve coverage</th><td>${coverageDays === null ? '<span data-testid="headline-coverage-days" data-raw="">no volume in the last 30 days</span>' : fig('headline-coverage-days', String(coverageDays), `${coverageDays.toFixed(1)} days`)} of the last 30 days' average settled volume (${esc(amount(daily, 'USDN', 2))} a day)</td></tr>
      <tr><th>Float</th><td>${fig('headline-float', floatPpb.toString(), percent(floatPpb, 2))} of the supply circulates</td></tr>
      <tr><th>Next unlocks</th><td>${fig('headline-unlocks', String(next30), `${next30.toLocaleString('en-US', { maximumFractionDigits: 0 })} NXV`)} unlock from vesting schedules in the next 30 days</td></tr>
    </table>
    <div class="alerts" data-testid="alerts">${alerts.length ? alerts.join('') : '<p class="ok" data-testid="alerts-none">No alerts.</p>'}</div></div>`;
}

function bandChart (id: string, label: string, days: number, bands: Json, scale: (v: number) => number, unit: string, extra?: { label: string; data: number[] }): void {
  const canvas = document.getElementById(id) as HTMLCanvasElement | null;
  if (!canvas) return;
  charts.get(id)?.destroy();
  const labels = Array.from({ length: days }, (_, i) => i + 1);
  const line = (data: number[], name: string, color: string, fill: string | boolean = false) =>
    ({ label: name, data: data.map(scale), borderColor: color, backgroundColor: color + '33', pointRadius: 0, borderWidth: 1.5, fill });
  const datasets = [
    line(bands.p90, `${label} p90`, '#9aa9c9', '+1'),
    line(bands.p50, `${label} median`, '#2f6fde'),
    line(bands.p10, `${label} p10`, '#9aa9c9')
  ];
  if (extra) datasets.push(line(extra.data, extra.label, '#d97706'));
  charts.set(id, new Chart(canvas, {
    type: 'line',
    data: { labels, datasets },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } }, scales: { x: { title: { display: true, text: 'day' } }, y: { title: { display: true, text: unit } } } }
  }));
}

function three (t: number[] | null, show: (v: number) => string): string {
  return t ? `${show(t[1])} <span class="note">(p10 ${show(t[0])}, p90 ${show(t[2])})</span>` : '—';
}

function projectionHtml (p: Json, ms: number): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const day = (v: number) => `day ${Math.round(v) + 1}`;
  const milestones = (p.milestones as Json[]).map((m) => `<tr><td>#${m.index}</td><td data-testid="proj-milestone-${m.index}" data-raw="${m.probability}">${pct(m.probability)}</td><td>${m.medianDay === null ? '—' : day(m.medianDay)}</td></tr>`).join('');
  const unlocks = (p.unlocks as Json[]).map((u) => `<tr><td>days ${u.fromDay + 1}–${Math.min(u.fromDay + 30, p.days)}</td><td>${u.scheduled.toLocaleString('en-US', { maximumFractionDigits: 0 })}</td><td>${three(u.released, (v) => v.toLocaleString('en-US', { maximumFractionDigits: 0 }))}</td></tr>`).join('');
  return `<p class="note" data-testid="engine-ms" data-raw="${ms.toFixed(0)}">${p.paths.toLocaleString('en-US')} paths × ${p.days} days stepped in ${(ms / 1000).toFixed(2)} s by the projection engine (wasm) in this browser.</p>
    <div class="grid">
      <div><h3>Reserve: value ÷ target</h3><div class="chart-box"><canvas id="proj-coverage"></canvas></div>
        <p>Falls below the shortfall threshold on some day: <b data-testid="proj-shortfall" data-raw="${p.shortfallProbability}">${pct(p.shortfallProbability)}</b> of paths, first on ${three(p.shortfallDay, day)}; days below it: ${three(p.shortfallDays, (v) => String(Math.round(v)))}. Cannot pay a day's refunds: ${pct(p.exhaustedProbability)}.</p></div>
      <div><h3>Treasury value (USDN)</h3><div class="chart-box"><canvas id="proj-treasury"></canvas></div>
        <p>Runway at the horizon: ${three(p.runwayDays, (v) => `${Math.round(v).toLocaleString('en-US')} days`)} of spending. Short of its spending on some day: ${pct(p.treasuryExhaustedProbability)}.</p></div>
      <div><h3>Float: circulating ÷ supply</h3><div class="chart-box"><canvas id="proj-float"></canvas></div></div>
      <div><h3>Cumulative fees vs emissions released (USDN)</h3><div class="chart-box"><canvas id="proj-fees"></canvas></div>
        <p>Fees ÷ emissions at the horizon: ${p.feesOverEmissions ? three(p.feesOverEmissions, (v) => `${v.toFixed(2)}×`) : 'no milestone released on any path'}. Validators' fee-only yield: ${three(p.validatorYield, (v) => `${(v * 100).toFixed(3)}%`)} a year (NXV fee leg ÷ bonded NXV).</p></div>
    </div>
    <h3>Milestones within the horizon</h3><table><tr><th>milestone</th><th>reached on</th><th>median day</th></tr>${milestones || '<tr><td colspan="3" class="empty">no unreleased volume milestone</td></tr>'}</table>
    <h3>Unlock calendar (NXV)</h3><table class="wide"><tr><th>period</th><th>schedules in force</th><th>released tranches</th></tr>${unlocks}</table>`;
}

function readScenario (el: HTMLElement): { scenario: Json } | { errors: string[] } {
  const v = (k: string) => (el.querySelector(`#sc-${k}`) as HTMLInputElement | HTMLSelectElement).value.trim();
  for (const k of Object.keys(form.scenario)) form.scenario[k] = v(k);
  const errors: string[] = [];
  const num = (k: string, label: string, lo: number, hi: number, integer = false) => {
    const x = Number(v(k));
    if (v(k) === '' || !Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x))) {
      errors.push(`${label}: “${v(k)}” is not ${integer ? 'a whole number' : 'a number'} from ${lo} to ${hi}.`);
    }
    return x;
  };
  const paths = num('paths', 'Paths', 1, 10_000, true);
  const days = num('days', 'Days', 1, 3_650, true);
  const seed = num('seed', 'Seed', 0, Number.MAX_SAFE_INTEGER, true);
  const scale = num('scale', 'Demand scale', 0.000001, 1e12);
  const growth = num('growth', 'Demand growth', -99, 10_000);
  const drift = num('drift', 'Price drift', -100, 1_000);
  const volatility = num('volatility', 'Price volatility', 0, 1_000);
  const failures = num('failures', 'Failed sessions refunded', 0, 100);
  const disputes = num('disputes', 'Upheld disputes', 0, 100);
  if (failures + disputes > 100) errors.push('Failed sessions and upheld disputes together cannot refund more than 100 % of what seekers pay.');
  const spend = num('spend', 'Treasury spending', 0, 1e12);
  const shockDay = num('shockDay', 'Shock day', 1, 3_650, true);
  const shortfall = num('shortfall', 'Shortfall threshold', 0, 100);
  const shock = v('shock') === 'none' ? null : { day: shockDay - 1, drop: Number(v('shock')) / 100, recoveryDays: 0 };
  if (errors.length) return { errors };
  return {
    scenario: {
      paths, days, seed: BigInt(seed), demandScale: scale, demandGrowth: growth / 100, shock, priceDrift: drift / 100,
      priceVolatility: volatility / 100, refundRate: (failures + disputes) / 100, treasurySpend: BigInt(Math.round(spend)) * 1_000_000n,
      shortfallBelow: shortfall / 100
    }
  };
}

/** The sweep's grid: take rates across their bound × reserve shares, the treasury's share absorbing the difference. */
function grid (base: Json, maxTake: number): Json[] {
  const out: Json[] = [];
  for (const reserve of [200_000_000, 300_000_000, 400_000_000, 500_000_000]) {
    for (let take = 25_000_000; take <= maxTake; take += 25_000_000) {
      const treasury = PPB - BigInt(reserve) - BigInt(base.buybackShare) - BigInt(base.validatorsShare);
      if (treasury < 0n) continue;
      out.push({ ...base, takeRate: take, reserveShare: reserve, treasuryShare: Number(treasury) });
    }
  }
  return out;
}

function sweepChart (points: Json[]): void {
  const canvas = document.getElementById('sweep-chart') as HTMLCanvasElement | null;
  if (!canvas) return;
  charts.get('sweep-chart')?.destroy();
  const byReserve = new Map<number, Json[]>();
  for (const p of points) byReserve.set(p.params.reserveShare, [...(byReserve.get(p.params.reserveShare) ?? []), p]);
  const colors = ['#9aa9c9', '#2f6fde', '#1a7f37', '#d97706'];
  charts.set('sweep-chart', new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [...byReserve.entries()].map(([reserve, ps], i) => ({
        label: `reserve share ${reserve / 1e7}%`,
        data: ps.map((p) => ({ x: p.providerShare * 100, y: p.coverageHeld * 100 })),
        borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], showLine: true
      }))
    },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } }, scales: { x: { type: 'linear', title: { display: true, text: "providers' share of what seekers pay (%)" } }, y: { min: 0, max: 100, title: { display: true, text: 'paths with the reserve at target at the horizon (%)' } } } }
  }));
}

export function renderOutlook (el: HTMLElement, api: ApiPromise, s: Snapshot, current: { snapshot: Snapshot }): void {
  if (form.params === null) form.params = todayText(s.fees);
  if (el.dataset.built === '1') return;
  el.dataset.built = '1';
  const sc = form.scenario;
  const input = (k: string, label: string, unit: string) => `<tr><th><label for="sc-${k}">${label}</label></th><td><input id="sc-${k}" data-testid="sc-${k}" value="${esc(sc[k])}" size="8"> ${unit}</td></tr>`;
  el.innerHTML = `<div class="grid">
    <div class="card span2" id="outlook-headline" data-testid="outlook-headline"><h2>Headline figures</h2><p class="note">Reading…</p></div>
    <div class="card"><h2>Project the economy</h2>
      <p class="note">Each path starts from the chain at the block shown and steps day by day with the runtime's rules (pricing and split, the reserve's target and sweep, buyback epochs on the pool, milestone releases, vesting). Demand is drawn from the chain's usage history (bootstrap) with the trend and shock below; the NXV price follows a random walk.</p>
      <table>
        ${input('paths', 'Paths', '')}${input('days', 'Days', '')}${input('seed', 'Seed', '')}
        ${input('scale', 'Demand', '× the history\'s')}
        ${input('growth', 'Demand growth', '% a year')}
        <tr><th><label for="sc-shock">Demand shock</label></th><td><select id="sc-shock" data-testid="sc-shock">${[['none', 'none'], ['50', '−50 %'], ['90', '−90 %']].map(([v, t]) => `<option value="${v}" ${v === sc.shock ? 'selected' : ''}>${t}</option>`).join('')}</select> from day <input id="sc-shockDay" data-testid="sc-shockDay" value="${esc(sc.shockDay)}" size="4"></td></tr>
        ${input('drift', 'NXV price drift', '% a year')}${input('volatility', 'NXV price volatility', '% a year')}
        ${input('failures', 'Failed sessions refunded', '% of what seekers pay')}
        ${input('disputes', 'Upheld disputes refunded', '% of what seekers pay')}
        ${input('spend', 'Treasury spending', 'USDN a day')}
        ${input('shortfall', 'A shortfall is the reserve below', '% of its target')}
      </table>
      <h3>Under fee parameters</h3>${paramsForm(form.params, s.fees, 'op')}
      <button type="button" id="op-reset">Reset to today's</button>
      <button type="button" id="op-run" class="primary" data-testid="projection-run">Project</button>
      <div id="op-errors" class="errors" data-testid="projection-errors"></div>
    </div>
    <div class="card"><h2>Sweep the take and the reserve's share</h2>
      <p class="note">The take rate from 2.5 % to its bound in steps of 2.5 points, for reserve shares of 20–50 % of the take (the treasury's share takes the difference), each projected with the scenario on the left (same seeds, so points differ by the parameters alone): what providers keep against the chance the reserve is at its target (above the shortfall threshold) at the horizon.</p>
      <label>Paths per point <input id="sw-paths" data-testid="sw-paths" value="100" size="5"></label>
      <button type="button" id="sw-run" data-testid="sweep-run">Sweep</button>
      <div id="sw-results" data-testid="sweep-results"><div class="chart-box tall"><canvas id="sweep-chart"></canvas></div></div>
    </div>
    <div class="card span2" id="op-results" data-testid="projection-results"><h2>Projection</h2><p class="note">Press “Project”.</p></div>
  </div>`;
  const errorsEl = el.querySelector('#op-errors') as HTMLElement;
  const showErrors = (errors: string[]) => { errorsEl.innerHTML = errors.map((e) => `<p>${esc(e)}</p>`).join(''); };
  let state: Promise<StartState> | null = null;
  const startState = (snap: Snapshot) => {
    if (!state || (el.dataset.stateBlock !== String(snap.number))) {
      el.dataset.stateBlock = String(snap.number);
      state = readStart(api, snap);
    }
    return state;
  };
  const head = el.querySelector('#outlook-headline') as HTMLElement;
  startState(s).then((st) => headline(s, st)).then((html) => {
    head.outerHTML = html.replace('<div class="card span2">', `<div class="card span2" id="outlook-headline" data-testid="outlook-headline" data-block="${s.number}" data-hash="${s.hash}">`);
  }).catch((e) => { head.innerHTML = `<div class="errors"><p>${esc((e as Error).message)}</p></div>`; });
  el.querySelector('#op-reset')?.addEventListener('click', () => {
    const fresh = todayText(current.snapshot.fees);
    for (const [k] of FIELDS) (el.querySelector(`#op-${k}`) as HTMLInputElement).value = fresh[k];
  });
  const prepare = () => {
    form.params = readForm(el, 'op');
    const snap = current.snapshot;
    const checked = checkParams(form.params, snap.fees);
    const sc = readScenario(el);
    const errors = [...('errors' in checked ? checked.errors : []), ...('errors' in sc ? sc.errors : [])];
    if ('errors' in checked || 'errors' in sc) { showErrors(errors); return null; }
    showErrors([]);
    return { snap, params: checked.params, scenario: sc.scenario };
  };
  el.querySelector('#op-run')?.addEventListener('click', async () => {
    const p = prepare();
    if (!p) return;
    const results = el.querySelector('#op-results') as HTMLElement;
    results.dataset.state = 'running';
    try {
      const st = await startState(p.snap);
      const { answer, ms } = await run({ project: { start: { ...st.start, params: p.params }, scenario: p.scenario } });
      results.innerHTML = `<h2>Projection from block #${p.snap.number}</h2>${projectionHtml(answer, ms)}`;
      results.dataset.block = String(p.snap.number);
      const days = answer.days as number;
      bandChart('proj-coverage', 'coverage', days, answer.coverage, (v) => v, 'value ÷ target');
      bandChart('proj-treasury', 'treasury', days, answer.treasuryValue, usdn, 'USDN');
      bandChart('proj-float', 'float', days, answer.floatShare, (v) => v * 100, '% of supply');
      bandChart('proj-fees', 'fees', days, answer.fees, usdn, 'USDN', { label: 'emissions released (median)', data: answer.emissions.p50 });
      results.dataset.state = 'done';
    } catch (e) {
      results.dataset.state = 'error';
      showErrors([`The engine refused the projection: ${(e as Error).message}`]);
    }
  });
  el.querySelector('#sw-run')?.addEventListener('click', async () => {
    const p = prepare();
    if (!p) return;
    const paths = Number((el.querySelector('#sw-paths') as HTMLInputElement).value);
    if (!Number.isInteger(paths) || paths < 1 || paths > 1_000) { showErrors(['Paths per point: a whole number from 1 to 1000.']); return; }
    const out = el.querySelector('#sw-results') as HTMLElement;
    out.dataset.state = 'running';
    try {
      const st = await startState(p.snap);
      const points = grid(today(p.snap.fees), p.snap.fees.maxTakeRate);
      const { answer, ms } = await run({ sweep: { start: st.start, scenario: { ...p.scenario, paths }, grid: points } });
      sweepChart(answer);
      const rows = (answer as Json[]).map((pt, i) => `<tr data-testid="sweep-point-${i}"><td>${percent(pt.params.takeRate, 1)}</td><td>${percent(pt.params.reserveShare, 1)}</td><td>${(pt.providerShare * 100).toFixed(1)}%</td><td>${esc(amount(BigInt(Math.round(pt.takePerDay)), 'USDN', 2))}</td><td data-raw="${pt.coverageHeld}">${(pt.coverageHeld * 100).toFixed(1)}%</td></tr>`).join('');
      out.innerHTML = `<div class="chart-box tall"><canvas id="sweep-chart"></canvas></div>
        <p class="note" data-testid="sweep-ms" data-raw="${ms.toFixed(0)}">${answer.length} points × ${paths} paths × ${p.scenario.days} days in ${(ms / 1000).toFixed(2)} s.</p>
        <table class="wide"><tr><th>take</th><th>reserve share</th><th>providers keep</th><th>take a day (median)</th><th>reserve at target at the horizon</th></tr>${rows}</table>`;
      sweepChart(answer);
      out.dataset.state = 'done';
    } catch (e) {
      out.dataset.state = 'error';
      showErrors([`The engine refused the sweep: ${(e as Error).message}`]);
    }
  });
}
