// Nexus Vault's tokenomics control surface: connects to a node over websocket (`?rpc=ws://…`,
// default ws://127.0.0.1:9944), reads a snapshot at every new best block, and renders the view
// chosen in the URL hash.

import './style.css';
import type { ApiPromise } from '@polkadot/api';
import { connect, flowsAt, snapshot, type Snapshot } from './chain';
import { renderGovernance, renderMarket, renderOverview, type HistoryPoint } from './live';
import { current, renderSimulator } from './simulator';
import { renderReplay } from './replay';
import { renderOutlook } from './outlook';
import { esc } from './format';

const VIEWS = ['overview', 'market', 'governance', 'simulator', 'replay', 'outlook'] as const;
type View = typeof VIEWS[number];
const HISTORY_POINTS = 300;
const BACKFILL_POINTS = 40;
const BACKFILL_STEP = 5;

const rpcUrl = new URLSearchParams(location.search).get('rpc') ?? 'ws://127.0.0.1:9944';
const statusEl = document.getElementById('status') as HTMLElement;
const history: HistoryPoint[] = [];
let api: ApiPromise;
let latest: Snapshot | null = null;

function view (): View {
  const v = location.hash.replace(/^#\/?/, '') as View;
  return VIEWS.includes(v) ? v : 'overview';
}

function render (): void {
  const v = view();
  for (const name of VIEWS) {
    (document.getElementById(`view-${name}`) as HTMLElement).hidden = name !== v;
    document.querySelector(`nav a[data-view=${name}]`)?.classList.toggle('on', name === v);
  }
  if (!latest) return;
  const el = document.getElementById(`view-${v}`) as HTMLElement;
  if (v === 'overview') renderOverview(el, latest, history, render);
  else if (v === 'market') renderMarket(el, latest);
  else if (v === 'governance') renderGovernance(el, latest);
  else if (v === 'simulator') renderSimulator(el, api, latest, rpcUrl);
  else if (v === 'replay') renderReplay(el, api, latest, current);
  else renderOutlook(el, api, latest, current);
  el.dataset.block = String(latest.number);
}

function status (text: string, ok: boolean, s?: Snapshot): void {
  statusEl.innerHTML = text;
  statusEl.className = ok ? 'ok' : 'bad';
  if (s) {
    statusEl.dataset.number = String(s.number);
    statusEl.dataset.hash = s.hash;
  }
}

/** Lifetime flows at up to BACKFILL_POINTS earlier blocks, so the chart starts with a past. */
async function backfill (best: number): Promise<void> {
  const numbers: number[] = [];
  for (let n = best - BACKFILL_STEP; n >= 0 && numbers.length < BACKFILL_POINTS; n -= BACKFILL_STEP) numbers.unshift(n);
  const points = await Promise.all(numbers.map(async (n) => {
    try {
      const hash = (await api.rpc.chain.getBlockHash(n)).toHex();
      return { number: n, flows: await flowsAt(api, hash) };
    } catch {
      return null; // state pruned on this node: the chart starts later
    }
  }));
  history.unshift(...points.filter((p): p is HistoryPoint => p !== null));
}

let busy = false;
let pending: { hash: string; number: number } | null = null;

async function onBlock (hash: string, number: number): Promise<void> {
  if (busy) { pending = { hash, number }; return; }
  busy = true;
  try {
    const s = await snapshot(api, hash, number);
    latest = s;
    current.snapshot = s;
    if (history.length === 0) await backfill(number);
    if (history.at(-1)?.number !== number) history.push({ number, flows: s.flows });
    if (history.length > HISTORY_POINTS) history.splice(0, history.length - HISTORY_POINTS);
    const receipts = s.flows.reduce((n, f) => n + f.receipts, 0);
    status(`block <b>#${number}</b> · ${receipts.toLocaleString('en-US')} receipts settled · <span class="dim">${esc(rpcUrl)}</span>`, true, s);
    render();
  } catch (e) {
    status(`error reading block #${number}: ${esc((e as Error).message)}`, false);
    console.warn('snapshot failed', e);
  } finally {
    busy = false;
    const next = pending;
    pending = null;
    if (next) void onBlock(next.hash, next.number);
  }
}

async function start (): Promise<void> {
  window.addEventListener('hashchange', render);
  render();
  api = await connect(rpcUrl);
  api.on('disconnected', () => status(`disconnected from ${esc(rpcUrl)}; reconnecting…`, false));
  api.on('error', () => status(`cannot reach ${esc(rpcUrl)}; retrying…`, false));
  await api.isReady;
  await api.rpc.chain.subscribeNewHeads((header) => {
    void onBlock(header.hash.toHex(), header.number.toNumber());
  });
}

start().catch((e) => status(`cannot start: ${esc((e as Error).message)}`, false));
