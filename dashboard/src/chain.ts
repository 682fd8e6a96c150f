// The chain, as the dashboard reads it: one websocket to a nexus-node, and at each new best
// block a snapshot of everything the views show, all read at that block's hash so the figures
// on screen are one consistent state (and a test can read the same block over RPC).

import { ApiPromise, WsProvider } from '@polkadot/api';
import { rpc as nexusRpc } from '../../clients/js/src/index.js';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The answers of the `nexus_*` methods (docs/rpc.md), as JSON. */
export interface FeeParameters {
  takeRate: number; treasuryShare: number; buybackShare: number; validatorsShare: number;
  reserveShare: number; nxvDiscount: number; maxDiscount: number; maxTakeRate: number;
  maxCombinedDiscount: number; maxStep: number; changeCooldown: number; nextChangeAt: number;
  nxvPrice: string | null; nxvPriceSetAt: number | null; nxvPriceStaleAt: number | null;
}
export interface TierParams {
  index: number; threshold: string; rateLimit: number; premiumLanes: boolean;
  failoverPriority: number; commitmentDiscount: number;
}
export interface Flows {
  asset: string; receipts: number; volume: string; net: string; provider: string;
  treasury: string; buyback: string; validators: string; reserve: string; refunded: string;
}
export interface Capsule {
  id: number; owner: string; offering: string; lane: string;
  price: { per1kInput: string; per1kOutput: string; per1kCacheRead: string; per1kCacheWrite: string };
  status: string; trust: number;
  uptime: number; capacity: number; window: string; concurrency: number; region: string;
}
export interface Referendum {
  index: number; track: string; call: string; status: string; ayes: string; nays: string;
  support: string; submitted: number;
}

/** Everything the live views show, read at one block. */
export interface Snapshot {
  number: number;
  hash: string;
  fees: FeeParameters;
  tiers: TierParams[];
  flows: Flows[];
  reserve: Json;
  supply: Json;
  buyback: Json;
  emissions: Json;
  capsules: Capsule[];
  referenda: Referendum[];
}

/** Connects to `url` with the `nexus_*` definitions; resolves once the metadata is loaded. */
export async function connect (url: string): Promise<ApiPromise> {
  const provider = new WsProvider(url, 2_500);
  return ApiPromise.create({ provider, rpc: nexusRpc, throwOnConnect: false, noInitWarn: true });
}

/** A `nexus_*` method at `hash` as plain JSON. */
async function nexus (api: ApiPromise, method: string, ...params: unknown[]): Promise<Json> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const fn = (api.rpc as any).nexus[method];
  return (await fn(...params)).toJSON();
}

/** A runtime API's answer with big integers as decimal strings (never rounded numbers). */
function primitive (codec: { toPrimitive(): unknown }): Json {
  return codec.toPrimitive();
}

/** The `fee_parameters` track's referenda that are still being decided, with their tallies. */
async function feeReferenda (api: ApiPromise, at: string): Promise<Referendum[]> {
  const apiAt = await api.at(at);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const tracks = (api.consts.referenda.tracks as any).toArray() as any[];
  const names = new Map<number, string>(tracks.map(([id, info]) => [id.toNumber(), info.name.toString()]));
  const entries = await apiAt.query.referenda.referendumInfoFor.entries();
  const out: Referendum[] = [];
  for (const [key, value] of entries) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const info = (value as any).unwrapOr(null);
    if (!info || !info.isOngoing) continue;
    const o = info.asOngoing;
    const track = names.get(o.track.toNumber()) ?? String(o.track.toNumber());
    if (track !== 'fee_parameters') continue;
    let call = 'preimage ' + o.proposal.toString().slice(0, 20) + '…';
    if (o.proposal.isInline) {
      try {
        const c = api.createType('Call', o.proposal.asInline.toU8a(true));
        call = `${c.section}.${c.method}(${JSON.stringify(c.args.map((a) => a.toHuman()))})`;
      } catch { /* an undecodable call is shown by its bytes */ }
    }
    const status = o.deciding.isSome
      ? (o.deciding.unwrap().confirming.isSome ? 'confirming' : 'deciding')
      : 'preparing';
    out.push({
      index: (key.args[0] as unknown as { toNumber(): number }).toNumber(),
      track,
      call,
      status,
      ayes: o.tally.ayes.toString(),
      nays: o.tally.nays.toString(),
      support: o.tally.support.toString(),
      submitted: o.submitted.toNumber()
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Reads every figure the live views show at block `hash`. */
export async function snapshot (api: ApiPromise, hash: string, number: number): Promise<Snapshot> {
  const apiAt = await api.at(hash);
  const [fees, tiers, flows, reserve, supply, capsules, buyback, emissions, referenda] = await Promise.all([
    nexus(api, 'feeParameters', hash),
    nexus(api, 'tierTable', hash),
    nexus(api, 'flows', null, hash),
    nexus(api, 'reserveStatus', hash),
    nexus(api, 'supply', hash),
    nexus(api, 'capsules', null, null, null, hash),
    apiAt.call.buybackApi.buybackStatus().then(primitive),
    apiAt.call.emissionsApi.emissionsStatus().then(primitive),
    feeReferenda(api, hash)
  ]);
  return { number, hash, fees, tiers, flows, reserve, supply, buyback, emissions, capsules: capsules.capsules, referenda };
}

/** Lifetime flows at `hash`, for the history chart. */
export async function flowsAt (api: ApiPromise, hash: string): Promise<Flows[]> {
  return nexus(api, 'flows', null, hash);
}

/** Calls `nexus_simulate`; a JSON-RPC error is thrown with its code and data. */
export async function simulate (api: ApiPromise, params: Json, workload: Json[]): Promise<Json> {
  return nexus(api, 'simulate', params, workload);
}

/** Calls `nexus_replay` at `at`: the last `days` days re-priced under `params` (and as settled). */
export async function replay (api: ApiPromise, params: Json, days: number, at: string): Promise<Json> {
  return nexus(api, 'replay', params, days, at);
}

/** Calls `nexus_feePath` at `at`: the fee changes that reach `params`, each with its earliest block. */
export async function feePath (api: ApiPromise, params: Json, at: string): Promise<Json> {
  return nexus(api, 'feePath', params, at);
}

/** Calls `nexus_feeChanges` at `at`: the enacted fee changes, oldest first. */
export async function feeChanges (api: ApiPromise, at: string): Promise<Json> {
  return nexus(api, 'feeChanges', at);
}

/** Days of usage history the runtime keeps (metering's `UsageHistoryDays`): the longest replay. */
export function historyDays (api: ApiPromise): number {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return Number((api.consts as any).metering.usageHistoryDays.toString());
}
