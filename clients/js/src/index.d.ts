// Types of @nexus-vault/api (see src/index.js and docs/rpc.md).
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DefinitionRpc } from '@polkadot/types/types';

export declare const rpc: { nexus: Record<string, DefinitionRpc> };
export declare const RPC_ERRORS: Readonly<{
  UNKNOWN_BLOCK: 9001; INVALID_ACCOUNT: 9002; INVALID_ASSET: 9003; INVALID_PAGE: 9004;
  INVALID_FILTER: 9005; INVALID_WORKLOAD: 9006; INVALID_FEE_PARAMETERS: 9007; UNKNOWN_CAPSULE: 9010; UNKNOWN_SESSION: 9011; QUOTE_REJECTED: 9020;
  RUNTIME_ERROR: 9050;
}>;
export declare const USDN_ID: 1;
export declare const ASSETS: Readonly<{ NXV: 'Native'; USDN: { WithId: 1 } }>;

export type Asset = 'NXV' | 'USDN' | string | number;
export type AssetKind = 'Native' | { WithId: number };
export type Amount = bigint | number | string;
/** Anything `signAndSend` accepts: a keyring pair, or an address with an injected signer. */
export type Signer = Parameters<SubmittableExtrinsic<'promise'>['signAndSend']>[0] & { address?: string };

export interface SubmitOptions {
  until?: 'inBlock' | 'finalized';
  timeoutMs?: number;
  onStatus?: (status: unknown) => void;
}
export interface Submitted { blockHash: { toHex(): string }; events: unknown[]; txHash: string }

export declare class NexusTxError extends Error {
  /** `pallet.Error` for a module error, else null. */
  module: string | null;
  /** The pool status for a dropped/invalid/usurped transaction, else null. */
  status: string | null;
}

export declare function assetKind (asset: Asset | AssetKind): AssetKind;
export declare function submit (api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: Signer, options?: SubmitOptions): Promise<Submitted>;
export declare function eventOf (result: Submitted, section: string, method: string): any;
/** The wire formats an upstream may speak. */
export declare const UPSTREAM_FORMATS: readonly ['chat-completions', 'anthropic-messages', 'openai-responses'];
/** What a version-2 endpoint commitment adds: the upstream's wire format and model id. */
export interface UpstreamWire {
  format: 'chat-completions' | 'anthropic-messages' | 'openai-responses';
  model: string;
}
export declare function endpointCommitment (api: ApiPromise, endpoint: string, credential: string, wire?: UpstreamWire): string;

/** A capsule's prices per 1,000 units of each kind, in the pricing unit (USDN micro-units). */
export interface CapsulePrice {
  per1kInput: Amount;
  per1kOutput: Amount;
  per1kCacheRead: Amount;
  per1kCacheWrite: Amount;
}
export declare function capsulePrice (p: CapsulePrice): CapsulePrice;
export declare function announcePrice (api: ApiPromise, signer: Signer, id: number, price: CapsulePrice, options?: SubmitOptions):
  Promise<{ effectiveAt: number; blockHash: string }>;

export interface CapsuleSpec extends CapsulePrice {
  offering: string;
  lane?: 'Standard' | 'Premium';
  capacity: Amount;
  window?: 'Hour' | 'Day' | 'Week';
  concurrency?: number;
  region?: string;
  endpoint?: string;
  credential?: string;
  /** The upstream's wire format (a version-2 commitment, with `upstreamModel`). */
  format?: UpstreamWire['format'];
  upstreamModel?: string;
  endpointCommitment?: string;
  metadata?: string;
}
export declare function registerCapsule (api: ApiPromise, signer: Signer, spec: CapsuleSpec, options?: SubmitOptions):
  Promise<{ id: number; bond: bigint; deposit: bigint; blockHash: string }>;
export declare function stakeTier (api: ApiPromise, signer: Signer, amount: Amount, options?: SubmitOptions):
  Promise<{ active: bigint; tier: number; blockHash: string }>;
export declare function deposit (api: ApiPromise, signer: Signer, asset: Asset, amount: Amount, options?: SubmitOptions):
  Promise<{ free: bigint; blockHash: string }>;
export declare function openSession (api: ApiPromise, signer: Signer,
  session: { gateway: number; asset?: Asset; cap: Amount; blocks?: number; expiresAt?: number }, options?: SubmitOptions):
  Promise<{ id: number; expiresAt: number; blockHash: string }>;
export declare function apiKeyHash (api: ApiPromise, apiKey: string): string;
export declare function bindApiKey (api: ApiPromise, signer: Signer, session: number, apiKey: string, options?: SubmitOptions):
  Promise<{ keyHash: string; blockHash: string }>;
export interface ReceiptEvidence { batch: number; leaf: string; proof: string }
export interface ReceiptBatch {
  gateway: number; timeMs: number; capsules: number[];
  groups: Array<{ session: number; firstSeq: number; receipts: Array<{
    outcome: 'Served' | 'Failed'; capsule: number;
    units: { input: number; output: number; cacheRead: number; cacheWrite: number }; ageMs: number;
  }> }>;
}
export declare function receiptBatchPayload (api: ApiPromise, batch: ReceiptBatch): Uint8Array;
export declare function submitReceiptBatch (api: ApiPromise, operator: Signer, gatewayKey: { sign (message: Uint8Array): Uint8Array },
  batch: ReceiptBatch, options?: SubmitOptions):
  Promise<{ batch: number | null; root: string; leaves: number; settlement: any; blockHash: string }>;
export declare function receiptEvidence (gatewayUrl: string, apiKey: string, seq: number): Promise<ReceiptEvidence>;
export declare function disputeReceipt (api: ApiPromise, signer: Signer, evidence: ReceiptEvidence, options?: SubmitOptions):
  Promise<{ batch: number; session: number; seq: number; deposit: bigint; blockHash: string }>;
export declare function closeSession (api: ApiPromise, signer: Signer, id: number, options?: SubmitOptions):
  Promise<{ releaseAt: number; blockHash: string }>;

export interface Legs<T = bigint> { provider: T; treasury: T; buyback: T; validators: T; reserve: T }
export interface Quote {
  seeker: string; capsule: number; inputUnits: number; outputUnits: number;
  cacheReadUnits: number; cacheWriteUnits: number; asset: string;
  list: bigint; assetDiscount: number; tierDiscount: number; discount: number;
  netPricing: bigint; net: bigint; legs: Legs;
}
export declare function quote (api: ApiPromise, seeker: string, capsule: number, inputUnits: number,
  outputUnits: number, asset?: Asset, blockHash?: string | null,
  cache?: { cacheReadUnits?: number; cacheWriteUnits?: number }): Promise<Quote>;

export interface CapsuleFilter { lane?: 'standard' | 'premium'; offering?: string; status?: 'active' | 'paused' | 'suspended' | 'retired'; owner?: string }
export declare function allCapsules (api: ApiPromise, filter?: CapsuleFilter | null, options?: { pageSize?: number }): Promise<any[]>;
