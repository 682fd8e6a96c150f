// The chain's state a projection starts from, read at one block: the engine's `Start`
// (economics/src/projection/types.rs). Everything comes from the node: the snapshot's runtime
// APIs and RPCs, the usage history (`nexus_replay` under today's parameters), the pool's
// reserves (AssetConversionApi), vesting schedules (pallet-vesting storage) and the runtime's
// constants. Amounts stay BigInt.

import type { ApiPromise } from '@polkadot/api';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { ASSETS, USDN_ID } from '../../clients/js/src/index.js';
import { historyDays, replay, type Json, type Snapshot } from './chain';
import { today } from './params';

/** What the engine needs and the page shows beside it. */
export interface StartState {
  start: Json;
  /** The pool's reserves and fee, for the buyback bound. */
  pool: { stable: bigint; native: bigint; fee: number } | null;
  /** The buyback's slippage bound (Permill parts) when the programme is Buyback. */
  slippage: number | null;
  blocksPerDay: number;
}

/** The account of a pallet id (`modl` ++ id, zero-padded to 32 bytes). */
function palletAccount (id: Uint8Array): string {
  const raw = u8aConcat(new TextEncoder().encode('modl'), id, new Uint8Array(32 - 4 - id.length));
  return u8aToHex(raw);
}

const big = (v: unknown) => BigInt(String(v ?? 0));

export async function readStart (api: ApiPromise, s: Snapshot): Promise<StartState> {
  const apiAt = await api.at(s.hash);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const consts = api.consts as any;
  const blocksPerDay = Number(consts.fees.flowBucketLength.toString());
  const treasuryAccount = palletAccount(consts.treasury.palletId.toU8a());
  const [history, reserves, schedules, treasuryStable] = await Promise.all([
    replay(api, today(s.fees), historyDays(api), s.hash),
    apiAt.call.assetConversionApi.getReserves(ASSETS.USDN, ASSETS.NXV).then((r) => r.toJSON() as [string | number, string | number] | null),
    apiAt.query.vesting.vesting.entries(),
    apiAt.query.assets.account(USDN_ID, treasuryAccount).then((a) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const acc = (a as any).unwrapOr(null);
      return acc ? big(acc.balance.toString()) : 0n;
    })
  ]);
  const fee = Number(consts.assetConversion.lpFee.toString());
  const pool = reserves ? { stable: big(reserves[0]), native: big(reserves[1]), fee } : null;
  const holding = (list: Json[], asset: string) => big(list.find((h) => h.asset === asset)?.amount);
  const b = s.buyback;
  const slippage = b.programme?.buyback ? Number(b.programme.buyback.maxSlippage) : null;
  const epochBlocks = Math.max(1, Number(b.epochEnd) - Number(b.epochStart));
  const e = s.emissions;
  const start = {
    params: today(s.fees),
    block: s.number,
    blocksPerDay,
    nxvPrice: big(s.fees.nxvPrice ?? 0),
    oneNxv: 10n ** 12n,
    history: (history.days as Json[]).map((d) => (d.lines as Json[]).map((l) => ({
      native: l.asset === 'NXV',
      tierDiscount: Math.round(l.tierDiscount / 1000),
      list: big(l.actual.list)
    }))),
    reserve: { stable: holding(s.reserve.holdings, 'USDN'), native: holding(s.reserve.holdings, 'NXV') },
    targetCoverage: s.reserve.targetCoverage,
    minReserve: big(s.reserve.minReserve),
    trailingVolume: big(s.reserve.trailingVolume),
    treasury: { stable: treasuryStable, native: big(s.supply.treasury) },
    buyback: { stable: big(b.available.stable), native: big(b.available.native) },
    buybackSlippage: slippage,
    epochDays: Math.max(1, Math.round(epochBlocks / blocksPerDay)),
    pool,
    settledVolume: big(e.progress.settledVolume),
    milestones: (e.milestones as Json[])
      .filter((m) => m.metric === 'SettledVolume' && m.releasedAt === null)
      .map((m) => ({ index: m.index, threshold: big(m.threshold), tranche: big(m.tranche) })),
    emissionsPool: big(e.pool),
    vestingPeriod: Number(consts.emissions.vestingPeriod.toString()),
    schedules: schedules.flatMap(([, v]) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const list = (v as any).unwrapOr([]) as any[];
      return list.map((x) => ({ locked: big(x.locked.toString()), perBlock: big(x.perBlock.toString()), startBlock: Number(x.startingBlock.toString()) }));
    }),
    totalSupply: big(s.supply.total),
    circulating: big(s.supply.circulating),
    bonded: big(s.supply.bonded)
  };
  return { start, pool, slippage, blocksPerDay };
}
