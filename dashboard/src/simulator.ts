// The what-if simulator: proposed fee parameters and a workload, priced by the runtime's own
// `MeteringApi_simulate` (through `nexus_simulate`) under today's and the proposed parameters,
// side by side; and the fee-parameters referendum call that would enact the proposal.
//
// Input is checked here against the same hard bounds the runtime enforces, and refused with the
// bound before anything is sent; whatever slips through is refused by the node with a named
// error, which is shown as it comes.

import type { ApiPromise } from '@polkadot/api';
import { simulate, type Json, type Snapshot } from './chain';
import { amount, esc, parseCount, percent } from './format';
import { checkParams, FIELDS, paramsForm, readForm, today, todayText, type Field, type Params } from './params';

const MAX_LINES = 32;
const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

interface Line { capsule: string; tier: string; asset: string; inputUnits: string; outputUnits: string; requests: string }

const state: { params: Record<Field, string> | null; lines: Line[] } = { params: null, lines: [] };

/** The default workload: one line per demo capsule, in tiers that may use it. */
function defaultLines (s: Snapshot): Line[] {
  const top = Math.max(0, s.tiers.length - 1);
  const premiumTier = s.tiers.find((t) => t.premiumLanes)?.index ?? top;
  return s.capsules.filter((c) => c.status === 'active').slice(0, 4).map((c, i) => ({
    capsule: String(c.id),
    tier: String(c.lane === 'premium' ? Math.max(premiumTier, Math.min(top, i)) : Math.min(top, i)),
    asset: i % 2 === 0 ? 'USDN' : 'NXV',
    inputUnits: '1200',
    outputUnits: '350',
    requests: String(1000 * (i + 1))
  }));
}

/** Checks the form; returns the RPC arguments or every problem, each with its bound. */
export function validate (form: { params: Record<Field, string>; lines: Line[] }, f: Snapshot['fees']):
  { params: Params; workload: Json[] } | { errors: string[] } {
  const errors: string[] = [];
  let params = {} as Params;
  const checked = checkParams(form.params, f);
  if ('errors' in checked) errors.push(...checked.errors);
  else params = checked.params;
  if (form.lines.length === 0) errors.push('The workload needs at least one line.');
  if (form.lines.length > MAX_LINES) errors.push(`The workload has ${form.lines.length} lines; at most ${MAX_LINES}.`);
  const workload: Json[] = [];
  form.lines.forEach((l, i) => {
    const n = `Line ${i + 1}`;
    const input = parseCount(l.inputUnits, `${n} input units`, U64_MAX);
    const output = parseCount(l.outputUnits, `${n} output units`, U64_MAX);
    const requests = parseCount(l.requests, `${n} requests`, U32_MAX);
    for (const r of [input, output, requests]) if ('error' in r) errors.push(r.error);
    if ('value' in input && 'value' in output && 'value' in requests) {
      workload.push({
        capsule: Number(l.capsule), tier: Number(l.tier), asset: l.asset,
        inputUnits: Number(input.value), outputUnits: Number(output.value), requests: Number(requests.value)
      });
      if (input.value > BigInt(Number.MAX_SAFE_INTEGER) || output.value > BigInt(Number.MAX_SAFE_INTEGER)) {
        errors.push(`${n}: units above ${Number.MAX_SAFE_INTEGER} cannot be sent exactly from a browser.`);
      }
    }
  });
  return errors.length ? { errors } : { params, workload };
}

const ROWS: [string, string, (t: Json) => string][] = [
  ['requests', 'Requests', (t) => String(t.requests)],
  ['list', 'List price (pricing unit)', (t) => t.list],
  ['net', 'Seekers pay', (t) => t.net],
  ['provider', 'Providers earn', (t) => t.legs.provider],
  ['take', 'Protocol take', (t) => (BigInt(t.net) - BigInt(t.legs.provider)).toString()],
  ['treasury', '→ treasury', (t) => t.legs.treasury],
  ['buyback', '→ buyback/rebates', (t) => t.legs.buyback],
  ['validators', '→ validators', (t) => t.legs.validators],
  ['reserve', '→ reserve', (t) => t.legs.reserve]
];

function comparison (now: Json, next: Json): string {
  const assets = (next.perAsset as Json[]).map((t) => t.asset);
  return assets.map((asset) => {
    const a = (now.perAsset as Json[]).find((t) => t.asset === asset);
    const b = (next.perAsset as Json[]).find((t) => t.asset === asset);
    const rows = ROWS.map(([key, label, pick]) => {
      const x = BigInt(pick(a));
      const y = BigInt(pick(b));
      const unit = key === 'list' ? 'USDN' : asset;
      const show = (v: bigint) => key === 'requests' ? v.toLocaleString('en-US') : amount(v, unit, 6);
      const d = y - x;
      const delta = d === 0n ? '—' : `${d > 0n ? '+' : ''}${key === 'requests' ? d.toString() : amount(d, unit, 6)}`;
      return `<tr><th>${esc(label)}</th>
        <td data-testid="sim-today-${asset}-${key}" data-raw="${x}">${esc(show(x))}</td>
        <td data-testid="sim-proposed-${asset}-${key}" data-raw="${y}">${esc(show(y))}</td>
        <td class="delta">${esc(delta)}</td></tr>`;
    }).join('');
    return `<h3>Paid in ${esc(asset)}</h3><table class="wide compare"><tr><th></th><th>today</th><th>proposed</th><th>change</th></tr>${rows}</table>`;
  }).join('');
}

function perLine (now: Json, next: Json): string {
  const rows = (next.lines as Json[]).map((l, i) => {
    const t = now.lines[i];
    const cell = (which: string, k: string, v: string, asset: string) =>
      `<td data-testid="sim-line-${i}-${which}-${k}" data-raw="${v}">${esc(amount(v, asset, 6))}</td>`;
    return `<tr><td>${i + 1}</td><td>#${l.line.capsule}</td><td>${l.line.tier}</td><td>${esc(l.line.asset)}</td>
      <td>${percent(t.perRequest.discount, 4)} → ${percent(l.perRequest.discount, 4)}</td>
      ${cell('today', 'net', t.perRequest.net, l.line.asset)}${cell('proposed', 'net', l.perRequest.net, l.line.asset)}
      ${cell('today', 'provider', t.perRequest.legs.provider, l.line.asset)}${cell('proposed', 'provider', l.perRequest.legs.provider, l.line.asset)}</tr>`;
  }).join('');
  return `<h3>One request of each line</h3><table class="wide"><tr><th>line</th><th>capsule</th><th>tier</th><th>asset</th><th>discount</th><th>seeker pays today</th><th>proposed</th><th>provider gets today</th><th>proposed</th></tr>${rows}</table>`;
}

/** The referendum call enacting `params` on the fee_parameters track, or why it would fail. */
function referendum (api: ApiPromise, s: Snapshot, params: Params, rpcUrl: string): string {
  const now = today(s.fees);
  const problems: string[] = [];
  const changed = FIELDS.filter(([k]) => params[k] !== now[k]);
  if (changed.length === 0) problems.push('The proposal equals today\'s parameters: `fees.setParams` would refuse it (fees.Unchanged).');
  for (const [k, label] of FIELDS) {
    const step = Math.abs(params[k] - now[k]);
    if (step > s.fees.maxStep) {
      problems.push(`${label} moves by ${percent(step, 7)}; one change may move each field at most ${percent(s.fees.maxStep)} (fees.StepTooLarge). Split it into several referenda: the Replay & referenda view plans them.`);
    }
  }
  if (problems.length) {
    return `<div class="errors" data-testid="referendum-errors">${problems.map((p) => `<p>${esc(p)}</p>`).join('')}</div>`;
  }
  const setParams = api.tx.fees.setParams(params);
  const submit = api.tx.referenda.submit({ Origins: 'FeeParameters' }, { Inline: setParams.method.toHex() }, { After: 1 });
  const hex = submit.method.toHex();
  const apps = `https://polkadot.js.org/apps/?rpc=${encodeURIComponent(rpcUrl)}#/extrinsics/decode/${hex}`;
  const soon = s.fees.nextChangeAt > s.number
    ? `<p class="note">A change may be enacted from block ${s.fees.nextChangeAt} (changes are at least ${s.fees.changeCooldown} blocks apart); an earlier enactment fails with fees.TooSoon.</p>`
    : '';
  return `<p>The call <code>referenda.submit</code> on the <b>fee_parameters</b> track (origin <code>Origins.FeeParameters</code>), with the proposal <code>fees.setParams</code> inline and enactment one block after approval:</p>
    <textarea readonly rows="3" data-testid="referendum-call">${hex}</textarea>
    <p><a href="${esc(apps)}" target="_blank" rel="noopener" data-testid="referendum-link">Open it in polkadot.js apps</a> (Developer → Extrinsics → Decode) to sign and submit; then place the decision deposit (Governance → Referenda) so it starts deciding.</p>
    <p class="note">Proposal call: <code data-testid="referendum-proposal">${setParams.method.toHex()}</code></p>${soon}`;
}

export function renderSimulator (el: HTMLElement, api: ApiPromise, s: Snapshot, rpcUrl: string): void {
  if (state.params === null) {
    state.params = todayText(s.fees);
    state.lines = defaultLines(s);
  }
  if (el.dataset.built === '1') return; // the form keeps what the user typed across blocks
  el.dataset.built = '1';
  const capsuleOptions = (sel: string) => s.capsules.map((c) =>
    `<option value="${c.id}" ${String(c.id) === sel ? 'selected' : ''}>#${c.id} ${esc(c.offering)} (${esc(c.lane)})</option>`).join('');
  const tierOptions = (sel: string) => s.tiers.map((t) =>
    `<option value="${t.index}" ${String(t.index) === sel ? 'selected' : ''}>tier ${t.index}${t.premiumLanes ? ' (premium)' : ''}</option>`).join('');
  const assetOptions = (sel: string) => ['USDN', 'NXV'].map((a) => `<option ${a === sel ? 'selected' : ''}>${a}</option>`).join('');
  const lineRow = (l: Line, i: number) => `<tr data-line="${i}">
    <td><select name="capsule">${capsuleOptions(l.capsule)}</select></td>
    <td><select name="tier">${tierOptions(l.tier)}</select></td>
    <td><select name="asset">${assetOptions(l.asset)}</select></td>
    <td><input name="inputUnits" value="${esc(l.inputUnits)}" size="9"></td>
    <td><input name="outputUnits" value="${esc(l.outputUnits)}" size="9"></td>
    <td><input name="requests" value="${esc(l.requests)}" size="9"></td>
    <td><button type="button" class="remove" data-testid="sim-remove-${i}">remove</button></td></tr>`;
  const draw = () => {
    const p = state.params as Record<Field, string>;
    el.innerHTML = `<div class="grid">
      <div class="card"><h2>Proposed fee parameters</h2>
        <p class="note">Percentages; today's values are filled in. Bounds: take rate ≤ ${percent(s.fees.maxTakeRate)}, shares sum to 100%, maximum discount ≤ ${percent(s.fees.maxCombinedDiscount)}, NXV discount ≤ maximum discount; a referendum may move each by at most ${percent(s.fees.maxStep)}.</p>
        ${paramsForm(p, s.fees, 'param')}
        <button type="button" id="sim-reset">Reset to today's</button>
      </div>
      <div class="card span2"><h2>Workload</h2>
        <table class="wide" id="sim-lines"><tr><th>capsule</th><th>tier</th><th>asset</th><th>input units</th><th>output units</th><th>requests</th><th></th></tr>${state.lines.map(lineRow).join('')}</table>
        <button type="button" id="sim-add">Add a line</button>
        <button type="button" id="sim-run" class="primary" data-testid="sim-run">Price it</button>
        <div id="sim-errors" class="errors" data-testid="sim-errors"></div>
      </div>
      <div class="card span2" id="sim-results" data-testid="sim-results"><h2>Today vs proposed</h2><p class="note">Press “Price it”.</p></div>
      <div class="card span2" id="sim-referendum"><h2>Fee-parameters referendum</h2><button type="button" id="sim-prepare" data-testid="sim-prepare">Prepare the referendum call</button><div id="sim-referendum-body"></div></div>
    </div>`;
    const read = () => {
      state.params = readForm(el, 'param');
      state.lines = [...el.querySelectorAll<HTMLTableRowElement>('#sim-lines tr[data-line]')].map((tr) => {
        const v = (n: string) => (tr.querySelector(`[name=${n}]`) as HTMLInputElement | HTMLSelectElement).value;
        return { capsule: v('capsule'), tier: v('tier'), asset: v('asset'), inputUnits: v('inputUnits'), outputUnits: v('outputUnits'), requests: v('requests') };
      });
    };
    const errorsEl = el.querySelector('#sim-errors') as HTMLElement;
    const showErrors = (errors: string[]) => { errorsEl.innerHTML = errors.map((e) => `<p>${esc(e)}</p>`).join(''); };
    el.querySelector('#sim-reset')?.addEventListener('click', () => {
      read(); // keeps the workload as typed
      state.params = todayText(current.snapshot.fees);
      draw();
    });
    el.querySelector('#sim-add')?.addEventListener('click', () => {
      read();
      if (state.lines.length >= MAX_LINES) { showErrors([`At most ${MAX_LINES} lines.`]); return; }
      state.lines.push({ ...(state.lines[state.lines.length - 1] ?? defaultLines(s)[0]) });
      draw();
    });
    el.querySelectorAll<HTMLButtonElement>('button.remove').forEach((b) => b.addEventListener('click', () => {
      read();
      const i = Number((b.closest('tr') as HTMLElement).dataset.line);
      state.lines.splice(i, 1);
      draw();
    }));
    el.querySelector('#sim-run')?.addEventListener('click', async () => {
      read();
      const snap = current.snapshot;
      const checked = validate({ params: state.params as Record<Field, string>, lines: state.lines }, snap.fees);
      if ('errors' in checked) { showErrors(checked.errors); return; }
      showErrors([]);
      const results = el.querySelector('#sim-results') as HTMLElement;
      results.dataset.state = 'pricing';
      try {
        const [now, next] = await Promise.all([
          simulate(api, today(snap.fees), checked.workload),
          simulate(api, checked.params, checked.workload)
        ]);
        results.innerHTML = `<h2>Today vs proposed</h2><p class="note">Priced by the runtime (MeteringApi_simulate) at block #${snap.number}, at today's capsule prices, tier table and NXV price.</p>${comparison(now, next)}${perLine(now, next)}`;
        results.dataset.state = 'done';
      } catch (e) {
        results.dataset.state = 'error';
        showErrors([`The node refused the workload: ${(e as Error).message}`]);
      }
    });
    el.querySelector('#sim-prepare')?.addEventListener('click', () => {
      read();
      const snap = current.snapshot;
      const checked = validate({ params: state.params as Record<Field, string>, lines: state.lines.length ? state.lines : defaultLines(snap) }, snap.fees);
      const body = el.querySelector('#sim-referendum-body') as HTMLElement;
      if ('errors' in checked) { body.innerHTML = ''; showErrors(checked.errors); return; }
      showErrors([]);
      body.innerHTML = referendum(api, snap, checked.params, rpcUrl);
    });
  };
  draw();
}

/** The latest snapshot, for handlers that run after later blocks arrived. */
export const current: { snapshot: Snapshot } = { snapshot: undefined as unknown as Snapshot };
