// The live views: fees and flows, the market (tiers, capsules), supply and governance. Each
// figure is rendered with `data-testid` and its raw on-chain value in `data-raw`, so the
// browser tests compare the page with the RPC at the block the page says it shows.

import Chart from 'chart.js/auto';
import type { Flows, Snapshot } from './chain';
import { amount, DECIMALS, esc, percent, share, shortAccount, units } from './format';

const COLORS = {
  provider: '#2f6fde', treasury: '#7a4fd1', buyback: '#e0832b', validators: '#2ba39a',
  reserve: '#c93f5b', volume: '#222', refunded: '#999'
};
const LEGS = ['provider', 'treasury', 'buyback', 'validators', 'reserve'] as const;

/** A figure with its raw value for the tests. */
function fig (testid: string, raw: string | number | bigint, text: string): string {
  return `<span class="fig" data-testid="${esc(testid)}" data-raw="${esc(raw)}">${esc(text)}</span>`;
}

function card (title: string, body: string, cls = ''): string {
  return `<div class="card ${cls}"><h2>${esc(title)}</h2>${body}</div>`;
}

function row (label: string, value: string, note = ''): string {
  return `<tr><th>${esc(label)}</th><td>${value}</td><td class="note">${esc(note)}</td></tr>`;
}

/** A chart kept between snapshots: created once, then its data replaced. */
class LiveChart {
  private chart: Chart | null = null;
  constructor (private readonly canvasId: string, private readonly make: (c: HTMLCanvasElement) => Chart) {}
  update (apply: (c: Chart) => void): void {
    const canvas = document.getElementById(this.canvasId) as HTMLCanvasElement | null;
    if (!canvas) return;
    if (!this.chart || this.chart.canvas !== canvas) {
      this.chart?.destroy();
      this.chart = this.make(canvas);
    }
    apply(this.chart);
    this.chart.update('none');
  }
}

const doughnut = (id: string) => new LiveChart(id, (c) => new Chart(c, {
  type: 'doughnut',
  data: { labels: [], datasets: [{ data: [], backgroundColor: [] }] },
  options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'right' } } }
}));

const splitChart = doughnut('split-chart');
const realisedChart = doughnut('realised-chart');
const supplyChart = doughnut('supply-chart');
const historyChart = new LiveChart('history-chart', (c) => new Chart(c, {
  type: 'line',
  data: { labels: [], datasets: [] },
  options: {
    animation: false,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    scales: { x: { title: { display: true, text: 'block' } }, y: { title: { display: true, text: '' } } },
    elements: { point: { radius: 0 } }
  }
}));

/** Lifetime flows sampled at past blocks, oldest first. */
export interface HistoryPoint { number: number; flows: Flows[] }

/** The asset whose flows the charts show (the one with most receipts unless chosen). */
let chosenAsset: string | null = null;
function chartAsset (s: Snapshot): string {
  if (chosenAsset && s.flows.some((f) => f.asset === chosenAsset)) return chosenAsset;
  const busiest = [...s.flows].sort((a, b) => b.receipts - a.receipts)[0];
  return busiest?.asset ?? 'USDN';
}

export function renderOverview (el: HTMLElement, s: Snapshot, history: HistoryPoint[], rerender: () => void): void {
  const f = s.fees;
  const asset = chartAsset(s);
  const price = f.nxvPrice === null
    ? 'not set'
    : `${units(f.nxvPrice, DECIMALS.PRICING, 6)} USDN per NXV`;
  const params = `<table>
    ${row('Take rate', fig('fee-takeRate', f.takeRate, percent(f.takeRate)), `bound ≤ ${percent(f.maxTakeRate)}: providers keep > 50% of every payment`)}
    ${row('Treasury share', fig('fee-treasuryShare', f.treasuryShare, percent(f.treasuryShare)), 'of the take')}
    ${row('Buyback/rebates share', fig('fee-buybackShare', f.buybackShare, percent(f.buybackShare)), 'of the take')}
    ${row('Validators share', fig('fee-validatorsShare', f.validatorsShare, percent(f.validatorsShare)), 'of the take')}
    ${row('Reserve share', fig('fee-reserveShare', f.reserveShare, percent(f.reserveShare)), 'of the take (plus rounding dust); the four shares sum to 100%')}
    ${row('NXV discount', fig('fee-nxvDiscount', f.nxvDiscount, percent(f.nxvDiscount)), 'for paying in NXV; ≤ the maximum discount')}
    ${row('Maximum discount', fig('fee-maxDiscount', f.maxDiscount, percent(f.maxDiscount)), `NXV + tier discount capped here; bound ≤ ${percent(f.maxCombinedDiscount)}`)}
    ${row('Largest step per change', fig('fee-maxStep', f.maxStep, percent(f.maxStep)), `changes at least ${f.changeCooldown} blocks apart; next from block ${f.nextChangeAt}`)}
    ${row('NXV price', fig('fee-nxvPrice', f.nxvPrice ?? '', price), f.nxvPriceStaleAt ? `stale from block ${f.nxvPriceStaleAt}` : '')}
  </table>`;
  // Shares of the take as governance set them; what each payment actually paid is in the
  // flows below (the split itself is computed only by the runtime).
  const perPayment = `<p class="lead">The protocol takes ${fig('split-take', f.takeRate, percent(f.takeRate))} of every payment; providers keep the rest. The take is split:</p>`;
  const flowRows = s.flows.map((x) => {
    const cell = (k: keyof Flows) => `<td>${fig(`flow-${x.asset}-${k}`, String(x[k]), k === 'receipts' ? String(x[k]) : k === 'volume' ? amount(String(x[k]), 'USDN') : amount(String(x[k]), x.asset))}</td>`;
    return `<tr><th>${esc(x.asset)}</th>${cell('receipts')}${cell('volume')}${cell('net')}${cell('provider')}${cell('treasury')}${cell('buyback')}${cell('validators')}${cell('reserve')}${cell('refunded')}</tr>`;
  }).join('');
  const flows = s.flows.length === 0
    ? '<p class="empty" data-testid="flows-empty">Nothing settled yet.</p>'
    : `<table class="wide"><tr><th>asset</th><th>receipts</th><th>volume (pricing unit)</th><th>charged</th><th>providers</th><th>treasury</th><th>buyback</th><th>validators</th><th>reserve</th><th>refunded</th></tr>${flowRows}</table>`;

  const mine = s.flows.find((x) => x.asset === asset);
  const provider = BigInt(mine?.provider ?? '0');
  const net = BigInt(mine?.net ?? '0');
  const realised = `<p>Lifetime, in ${esc(asset)}: providers ${fig('realised-provider-share', provider.toString(), share(provider, net))}, protocol ${fig('realised-protocol-share', (net - provider).toString(), share(net - provider, net))}.</p>`;

  const r = s.reserve;
  const coverage = r.coveragePpm === null ? 'no volume yet' : `${units(r.coveragePpm, 6, 2)}× trailing volume`;
  const holdings = (list: { asset: string; amount: string }[], prefix: string) =>
    list.map((h) => fig(`${prefix}-${h.asset}`, h.amount, amount(h.amount, h.asset))).join(', ') || '—';
  const reserve = `<table>
    ${row('Value', fig('reserve-value', r.value, amount(r.value, 'USDN')), 'holdings in the pricing unit')}
    ${row('Holdings', holdings(r.holdings, 'reserve-holding'))}
    ${row('Trailing volume', fig('reserve-trailingVolume', r.trailingVolume, amount(r.trailingVolume, 'USDN')), 'settled over the coverage window')}
    ${row('Coverage', fig('reserve-coverage', r.coveragePpm ?? '', coverage), `target ${percent(r.targetCoverage, 2)} of trailing volume`)}
    ${row('Target value', fig('reserve-targetValue', r.targetValue, amount(r.targetValue, 'USDN')), `floor ${amount(r.minReserve, 'USDN')}`)}
    ${row('Overflow', fig('reserve-overflow', r.overflow, amount(r.overflow, 'USDN')), 'above target: swept to the treasury')}
    ${row('Refunds paid', holdings(r.paid, 'reserve-paid'))}
  </table>`;

  const b = s.buyback;
  // A unit variant reads as `{ rebates: null }`, the other as `{ buyback: { maxSlippage } }` (ppm).
  const programme = b.programme?.buyback
    ? `buyback and burn (slippage ≤ ${percent(BigInt(b.programme.buyback.maxSlippage) * 1000n, 2)})`
    : 'usage rebates to the epoch\'s seekers';
  const both = (a: { native: string | number; stable: string | number }, id: string) =>
    `${fig(`${id}-NXV`, String(a.native), amount(String(a.native), 'NXV'))} · ${fig(`${id}-USDN`, String(a.stable), amount(String(a.stable), 'USDN'))}`;
  const buyback = `<table>
    ${row('Programme', esc(programme), 'set by the fee_parameters track')}
    ${row('Epoch', `${fig('buyback-epoch', b.epoch, String(b.epoch))} (blocks ${b.epochStart}–${b.epochEnd})`, `${b.epochSeekers} seekers`)}
    ${row('Spend this epoch', fig('buyback-epochSpend', String(b.epochSpend), amount(String(b.epochSpend), 'USDN')))}
    ${row('Pot holdings', both(b.holdings, 'buyback-holdings'))}
    ${row('Rebates owed', both(b.owed, 'buyback-owed'))}
    ${row('Rebates granted', both(b.totals.rebated, 'buyback-rebated'), `${b.totals.epochs} epochs closed`)}
    ${row('Rebates claimed', both(b.totals.claimed, 'buyback-claimed'))}
    ${row('Stable swapped', fig('buyback-swapped', String(b.totals.swappedStable), amount(String(b.totals.swappedStable), 'USDN')))}
    ${row('NXV bought / burned', `${fig('buyback-bought', String(b.totals.boughtNative), amount(String(b.totals.boughtNative), 'NXV'))} / ${fig('buyback-burned', String(b.totals.burned), amount(String(b.totals.burned), 'NXV'))}`)}
  </table>`;

  const assets = s.flows.map((x) => `<button class="asset ${x.asset === asset ? 'on' : ''}" data-asset="${esc(x.asset)}">${esc(x.asset)}</button>`).join('');
  el.innerHTML = `
    <div class="grid">
      ${card('Fee parameters', params)}
      ${card('Split of the take', `${perPayment}<div class="chart-box"><canvas id="split-chart"></canvas></div>`)}
      ${card('Settled flows (lifetime)', flows, 'span2')}
      ${card(`Volume and fee legs over time (${asset})`, `<div class="assets">${assets}</div><div class="chart-box tall"><canvas id="history-chart"></canvas></div><p class="note">Cumulative since genesis, sampled per block; volume in the pricing unit (USDN), legs in ${esc(asset)}.</p>`, 'span2')}
      ${card('Provider vs protocol', `${realised}<div class="chart-box"><canvas id="realised-chart"></canvas></div>`)}
      ${card('Reserve', reserve)}
      ${card('Buyback / rebates', buyback)}
    </div>`;
  el.querySelectorAll<HTMLButtonElement>('button.asset').forEach((btn) => btn.addEventListener('click', () => {
    chosenAsset = btn.dataset.asset ?? null;
    rerender();
  }));

  splitChart.update((c) => {
    c.data.labels = ['treasury', 'buyback/rebates', 'validators', 'reserve'];
    c.data.datasets[0].data = [f.treasuryShare, f.buybackShare, f.validatorsShare, f.reserveShare].map((x) => x / 1e7);
    c.data.datasets[0].backgroundColor = [COLORS.treasury, COLORS.buyback, COLORS.validators, COLORS.reserve];
  });
  realisedChart.update((c) => {
    c.data.labels = ['providers', 'protocol'];
    c.data.datasets[0].data = [Number(provider), Number(net - provider)];
    c.data.datasets[0].backgroundColor = [COLORS.provider, COLORS.treasury];
  });
  const decimals = DECIMALS[asset] ?? 0;
  const scaled = (raw: string | undefined, d: number) => Number(BigInt(raw ?? '0')) / 10 ** d;
  historyChart.update((c) => {
    c.data.labels = history.map((p) => p.number);
    const series = (name: string, color: string, pick: (x: Flows | undefined) => number, axis = 'y') => ({
      label: name, borderColor: color, backgroundColor: color, data: history.map((p) => pick(p.flows.find((x) => x.asset === asset))), yAxisID: axis
    });
    c.data.datasets = [
      series('volume (USDN)', COLORS.volume, (x) => scaled(x?.volume, DECIMALS.PRICING)),
      ...LEGS.map((k) => series(k, COLORS[k], (x) => scaled(x?.[k], decimals))),
      series('refunded', COLORS.refunded, (x) => scaled(x?.refunded, decimals))
    ];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (c.options.scales as any).y.title.text = asset;
  });
}

export function renderMarket (el: HTMLElement, s: Snapshot): void {
  const f = s.fees;
  const tiers = s.tiers.map((t) => {
    return `<tr data-testid="tier-${t.index}">
      <td>${t.index}</td><td>${fig(`tier-${t.index}-threshold`, t.threshold, amount(t.threshold, 'NXV', 0))}</td>
      <td>${fig(`tier-${t.index}-rateLimit`, t.rateLimit, t.rateLimit.toLocaleString('en-US'))}</td>
      <td>${t.premiumLanes ? 'yes' : 'no'}</td><td>${t.failoverPriority}</td>
      <td>${fig(`tier-${t.index}-discount`, t.commitmentDiscount, percent(t.commitmentDiscount))}</td></tr>`;
  }).join('');
  const capsules = s.capsules.map((c) => `<tr data-testid="capsule-${c.id}">
    <td>${c.id}</td><td>${esc(c.offering)}</td><td>${esc(c.lane)}</td><td title="${esc(c.owner)}">${esc(shortAccount(c.owner))}</td>
    <td>${fig(`capsule-${c.id}-in`, c.price.per1kInput, amount(c.price.per1kInput, 'USDN', 6))}</td>
    <td>${fig(`capsule-${c.id}-out`, c.price.per1kOutput, amount(c.price.per1kOutput, 'USDN', 6))}</td>
    <td>${fig(`capsule-${c.id}-cacheRead`, c.price.per1kCacheRead, amount(c.price.per1kCacheRead, 'USDN', 6))}</td>
    <td>${fig(`capsule-${c.id}-cacheWrite`, c.price.per1kCacheWrite, amount(c.price.per1kCacheWrite, 'USDN', 6))}</td>
    <td>${c.capacity.toLocaleString('en-US')} / ${esc(c.window)}</td>
    <td>${fig(`capsule-${c.id}-trust`, c.trust, percent(c.trust, 2))}</td>
    <td>${fig(`capsule-${c.id}-uptime`, c.uptime, percent(c.uptime, 2))}</td>
    <td class="status-${esc(c.status)}">${esc(c.status)}</td></tr>`).join('');
  el.innerHTML = `<div class="grid">
    ${card('Seeker tiers', `<table class="wide"><tr><th>tier</th><th>stake</th><th>units / hour</th><th>premium lanes</th><th>failover priority</th><th>commitment discount</th></tr>${tiers}</table>
      <p class="note">Discount paid = NXV discount (${percent(f.nxvDiscount)}, NXV only) + tier discount, capped at ${percent(f.maxDiscount)}; the simulator shows the runtime's figure for any tier and asset.</p>`, 'span2')}
    ${card('Capsules', `<table class="wide"><tr><th>id</th><th>offering</th><th>lane</th><th>provider</th><th>per 1k input</th><th>per 1k output</th><th>per 1k cache read</th><th>per 1k cache write</th><th>capacity</th><th>trust</th><th>uptime</th><th>status</th></tr>${capsules}</table>`, 'span2')}
  </div>`;
}

const METRIC_UNIT: Record<string, (v: string) => string> = {
  settledVolume: (v) => amount(v, 'USDN', 2),
  activeProviders: (v) => `${v} providers`,
  uniqueSeekers: (v) => `${v} seekers`
};

export function renderGovernance (el: HTMLElement, s: Snapshot): void {
  const sup = s.supply;
  const parts: [string, string][] = [
    ['circulating', 'circulating'], ['vesting', 'vesting'], ['bonded', 'bonded'],
    ['marketplaceHeld', 'marketplace held'], ['emissionsPool', 'emissions pool'], ['treasury', 'treasury'],
    ['rewardPot', 'validator reward pot'], ['liquidityReserve', 'liquidity reserve'], ['settlementPots', 'settlement pots']
  ];
  const supplyRows = parts.map(([k, label]) =>
    row(label, fig(`supply-${k}`, sup[k], amount(sup[k], 'NXV', 2)), share(BigInt(sup[k]), BigInt(sup.total)))).join('');
  const e = s.emissions;
  const milestones = (e.milestones as Array<Record<string, string | number | null>>).map((m) => {
    const metric = String(m.metric);
    const key = metric.charAt(0).toLowerCase() + metric.slice(1);
    const show = METRIC_UNIT[key] ?? ((v: string) => v);
    const threshold = BigInt(String(m.threshold));
    const progress = BigInt(String(m.progress));
    const pct = threshold === 0n ? 100 : Number((progress > threshold ? threshold : progress) * 1000n / threshold) / 10;
    return `<tr data-testid="milestone-${m.index}"><td>${m.index}</td><td>${esc(metric)}</td>
      <td><div class="bar"><div style="width:${pct}%"></div></div>${fig(`milestone-${m.index}-progress`, String(m.progress), show(String(m.progress)))} of ${esc(show(String(m.threshold)))}</td>
      <td>${fig(`milestone-${m.index}-tranche`, String(m.tranche), amount(String(m.tranche), 'NXV', 0))}</td>
      <td>${m.releasedAt === null ? 'not yet' : `block ${m.releasedAt}`}</td></tr>`;
  }).join('');
  const referenda = s.referenda.length === 0
    ? '<p class="empty" data-testid="referenda-empty">No fee-parameters referendum is open.</p>'
    : `<table class="wide"><tr><th>#</th><th>call</th><th>status</th><th>ayes</th><th>nays</th><th>support</th><th>submitted</th></tr>${s.referenda.map((r) => `<tr data-testid="referendum-${r.index}">
        <td>${r.index}</td><td class="call">${esc(r.call)}</td><td>${esc(r.status)}</td>
        <td>${fig(`referendum-${r.index}-ayes`, r.ayes, amount(r.ayes, 'NXV', 2))}</td>
        <td>${fig(`referendum-${r.index}-nays`, r.nays, amount(r.nays, 'NXV', 2))}</td>
        <td>${fig(`referendum-${r.index}-support`, r.support, amount(r.support, 'NXV', 2))}</td>
        <td>block ${r.submitted}</td></tr>`).join('')}</table>`;
  el.innerHTML = `<div class="grid">
    ${card('NXV supply', `<p class="lead">Total ${fig('supply-total', sup.total, amount(sup.total, 'NXV', 0))}: fixed at genesis, only burns reduce it.</p><div class="chart-box"><canvas id="supply-chart"></canvas></div><table>${supplyRows}</table>`)}
    ${card('Milestone emissions', `<p>Pool ${fig('emissions-pool', String(e.pool), amount(String(e.pool), 'NXV', 0))} · released ${fig('emissions-released', String(e.released), amount(String(e.released), 'NXV', 0))} · committed ${amount(String(e.committed), 'NXV', 0)} · round ${e.round}</p>
      <table class="wide"><tr><th>#</th><th>metric</th><th>progress</th><th>tranche</th><th>released</th></tr>${milestones}</table>`)}
    ${card('Open fee-parameters referenda', referenda, 'span2')}
  </div>`;
  supplyChart.update((c) => {
    c.data.labels = parts.map(([, label]) => label);
    c.data.datasets[0].data = parts.map(([k]) => Number(BigInt(sup[k]) / 10n ** 12n));
    c.data.datasets[0].backgroundColor = ['#2f6fde', '#7a4fd1', '#2ba39a', '#e0832b', '#c93f5b', '#8a6d3b', '#5b8c2a', '#4b5563', '#b83280'];
  });
}
