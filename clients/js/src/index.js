// @nexus-vault/api: what a polkadot.js client needs beyond the chain's metadata.
//
// Calls, storage, events, errors and runtime APIs all come from the metadata, so
// `ApiPromise.create({ provider, rpc })` with the `rpc` below is the whole setup. The helpers
// run the common provider and seeker flows with one function each: they sign, submit, wait for
// inclusion (or finality), turn a failed dispatch into an error named after the pallet's error
// (`NexusTxError`, e.g. `tiers.InsufficientBalance`), and return the event that carries the
// result (the new capsule's id, the session's id, the tier reached).
//
// This module imports nothing: it works with the caller's own @polkadot/api instance.

const at = { name: 'at', type: 'BlockHash', isOptional: true };

/**
 * Definitions of the node's `nexus_*` JSON-RPC methods for `ApiPromise.create({ rpc })`.
 * Every method answers JSON (amounts as decimal strings, ratios in parts per billion): see
 * docs/rpc.md. Methods that answer a list are `Vec<Json>`, so `.toJSON()` gives an array.
 * Optional parameters in the middle are `Option<…>`: pass `null` to skip them.
 */
export const rpc = {
  nexus: {
    quote: {
      description: 'Price of a request on a capsule for a seeker, and where the payment goes',
      params: [
        { name: 'seeker', type: 'Text' },
        { name: 'capsule', type: 'u64' },
        { name: 'inputUnits', type: 'u64' },
        { name: 'outputUnits', type: 'u64' },
        { name: 'asset', type: 'Option<Text>', isOptional: true },
        { name: 'at', type: 'Option<BlockHash>', isOptional: true },
        { name: 'cacheReadUnits', type: 'Option<u64>', isOptional: true },
        { name: 'cacheWriteUnits', type: 'Option<u64>', isOptional: true }
      ],
      type: 'Json'
    },
    capsule: {
      description: 'One capsule: spec, price in force, effective status, trust and uptime',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    capsules: {
      description: 'A page of capsules matching a filter (lane, offering, status, owner)',
      params: [
        { name: 'filter', type: 'Option<Json>', isOptional: true },
        { name: 'from', type: 'Option<u64>', isOptional: true },
        { name: 'limit', type: 'Option<u32>', isOptional: true },
        at
      ],
      type: 'Json'
    },
    offerings: {
      description: 'Every listed offering with its resale flag and model aliases',
      params: [at],
      type: 'Vec<Json>'
    },
    tier: {
      description: "An account's seeker tier, unlocking stake and provider multiplier",
      params: [{ name: 'account', type: 'Text' }, at],
      type: 'Json'
    },
    tierTable: {
      description: 'The tier table',
      params: [at],
      type: 'Vec<Json>'
    },
    session: {
      description: 'One metering session',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    sessions: {
      description: "A seeker's sessions",
      params: [{ name: 'seeker', type: 'Text' }, at],
      type: 'Vec<Json>'
    },
    escrow: {
      description: "A seeker's escrow per asset",
      params: [{ name: 'account', type: 'Text' }, at],
      type: 'Vec<Json>'
    },
    feeParameters: {
      description: 'Fee parameters in force, their bounds and the NXV price',
      params: [at],
      type: 'Json'
    },
    reserveStatus: {
      description: "The reserve's holdings, value and coverage",
      params: [at],
      type: 'Json'
    },
    supply: {
      description: 'Where the NXV supply is',
      params: [at],
      type: 'Json'
    },
    flows: {
      description: 'Settlement flows per payment asset, since a block or since genesis',
      params: [{ name: 'since', type: 'Option<u32>', isOptional: true }, at],
      type: 'Vec<Json>'
    },
    simulate: {
      description: 'Prices a what-if workload under proposed fee parameters (MeteringApi_simulate)',
      params: [
        { name: 'params', type: 'Json' },
        { name: 'workload', type: 'Vec<Json>' },
        at
      ],
      type: 'Json'
    },
    replay: {
      description: 'The last N days of settled usage re-priced under proposed fee parameters (MeteringApi_replay)',
      params: [
        { name: 'params', type: 'Json' },
        { name: 'days', type: 'u32' },
        at
      ],
      type: 'Json'
    },
    feePath: {
      description: 'The sequence of fee changes that reaches proposed fee parameters (FeesApi_fee_path)',
      params: [{ name: 'params', type: 'Json' }, at],
      type: 'Json'
    },
    feeChanges: {
      description: 'The last enacted changes of the fee parameters (FeesApi_fee_changes)',
      params: [at],
      type: 'Vec<Json>'
    }
  }
};

/** The stable error codes of `nexus_*` (docs/rpc.md). */
export const RPC_ERRORS = Object.freeze({
  UNKNOWN_BLOCK: 9001,
  INVALID_ACCOUNT: 9002,
  INVALID_ASSET: 9003,
  INVALID_PAGE: 9004,
  INVALID_FILTER: 9005,
  INVALID_WORKLOAD: 9006,
  INVALID_FEE_PARAMETERS: 9007,
  CACHE_UNITS_UNSUPPORTED: 9008,
  INVALID_WINDOW: 9009,
  UNKNOWN_CAPSULE: 9010,
  UNKNOWN_SESSION: 9011,
  NO_FEE_PATH: 9012,
  API_UNSUPPORTED: 9013,
  QUOTE_REJECTED: 9020,
  RUNTIME_ERROR: 9050
});

/** USDN's asset id, and the asset values calls take (`NativeOrWithId<u32>`). */
export const USDN_ID = 1;
export const ASSETS = Object.freeze({ NXV: 'Native', USDN: { WithId: USDN_ID } });

/** `'NXV'`, `'USDN'` or an asset id → the `AssetKind` value calls take. */
export function assetKind (asset) {
  if (typeof asset === 'object' && asset !== null) return asset;
  const name = String(asset).toUpperCase();
  if (name === 'NXV') return ASSETS.NXV;
  if (name === 'USDN') return ASSETS.USDN;
  if (/^\d+$/.test(name)) return { WithId: Number(name) };
  throw new TypeError(`unknown asset ${asset} (expected NXV, USDN or an asset id)`);
}

/** A failed transaction: `module` is `pallet.Error` for a module error. */
export class NexusTxError extends Error {
  constructor (message, { module = null, status = null } = {}) {
    super(message);
    this.name = 'NexusTxError';
    this.module = module;
    this.status = status;
  }
}

/**
 * Signs and submits `tx`, and waits until it is in a block (`until: 'inBlock'`, the default)
 * or finalized (`until: 'finalized'`). Resolves to `{ blockHash, events, txHash }`; rejects
 * with a `NexusTxError` when the dispatch fails (its `module` names the pallet error), when the
 * pool drops the transaction, or after `timeoutMs`. `onStatus(status)` sees every status.
 */
export function submit (api, tx, signer, { until = 'inBlock', timeoutMs = 120_000, onStatus } = {}) {
  return new Promise((resolve, reject) => {
    let unsub = null;
    let settled = false;
    const finish = (fn) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (unsub) unsub();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new NexusTxError(`transaction not ${until} within ${timeoutMs} ms`))),
      timeoutMs
    );
    tx.signAndSend(signer, (result) => {
      if (onStatus) onStatus(result.status);
      if (result.dispatchError) {
        const err = result.dispatchError;
        let module = null;
        let message = err.toString();
        if (err.isModule) {
          const meta = api.registry.findMetaError(err.asModule);
          module = `${meta.section}.${meta.name}`;
          message = `${module}: ${meta.docs.join(' ').trim()}`;
        }
        finish(() => reject(new NexusTxError(`dispatch failed: ${message}`, { module })));
        return;
      }
      const s = result.status;
      const done = (blockHash) =>
        finish(() => resolve({ blockHash, events: result.events, txHash: tx.hash.toHex() }));
      if (s.isFinalized) done(s.asFinalized);
      else if (until === 'inBlock' && s.isInBlock) done(s.asInBlock);
      else if (s.isInvalid || s.isDropped || s.isUsurped || s.isFinalityTimeout) {
        finish(() => reject(new NexusTxError(`transaction ${s.type}`, { status: s.type })));
      }
    }).then(
      (u) => { unsub = u; if (settled) u(); },
      (e) => finish(() => reject(new NexusTxError(e.message || String(e))))
    );
  });
}

/** The first event of `section.method` among a transaction's events, or throws. */
export function eventOf ({ events }, section, method) {
  const found = events.find(({ event }) => event.section === section && event.method === method);
  if (!found) throw new NexusTxError(`no ${section}.${method} event`);
  return found.event;
}

/** The wire formats an upstream may speak (a version-2 commitment names one). */
export const UPSTREAM_FORMATS = ['chat-completions', 'anthropic-messages', 'openai-responses'];

/**
 * The endpoint commitment a capsule carries. With `wire` (`{ format, model }`: the wire format
 * the upstream speaks, one of `UPSTREAM_FORMATS`, and the upstream's own model id), version 2:
 * blake2-256 of the SCALE encoding of `("nexus-vault/endpoint/v2", format, endpoint, model,
 * credential)`; without it, version 1 (a Chat Completions upstream sent the seeker's model id):
 * `("nexus-vault/endpoint/v1", endpoint, credential)`. The gateway recomputes it from what the
 * provider hands over, so the endpoint and credential never go on chain
 * (`nexus_primitives::endpoints` defines both).
 */
export function endpointCommitment (api, endpoint, credential, wire) {
  if (wire === undefined || wire === null) {
    const encoded = api.createType('(Text, Text, Text)', ['nexus-vault/endpoint/v1', endpoint, credential]).toU8a();
    return api.registry.hash(encoded).toHex();
  }
  if (!UPSTREAM_FORMATS.includes(wire.format)) {
    throw new TypeError(`upstream format ${JSON.stringify(wire.format)}: expected one of ${UPSTREAM_FORMATS.join(', ')}`);
  }
  if (typeof wire.model !== 'string' || wire.model.length === 0 || wire.model.length > 256) {
    throw new TypeError('the upstream model id must be 1 to 256 characters');
  }
  const encoded = api.createType('(Text, Text, Text, Text, Text)',
    ['nexus-vault/endpoint/v2', wire.format, endpoint, wire.model, credential]).toU8a();
  return api.registry.hash(encoded).toHex();
}

/**
 * A capsule's four prices per 1,000 units (pricing unit, USDN micro-units) as the chain takes
 * them, from `{ per1kInput, per1kOutput, per1kCacheRead, per1kCacheWrite }`; every one is
 * required (an unset one would silently price that kind at zero, which the chain refuses).
 */
export function capsulePrice (p) {
  const names = ['per1kInput', 'per1kOutput', 'per1kCacheRead', 'per1kCacheWrite'];
  const missing = names.filter((n) => p[n] === undefined || p[n] === null);
  if (missing.length) throw new TypeError(`capsule price: missing ${missing.join(', ')}`);
  return Object.fromEntries(names.map((n) => [n, p[n]]));
}

/**
 * Registers a capsule. `spec`: `{ offering, lane ('Standard'|'Premium'), per1kInput, per1kOutput,
 * per1kCacheRead, per1kCacheWrite, capacity, window ('Hour'|'Day'|'Week'), concurrency, region,
 * endpoint, credential, format, upstreamModel, metadata }` (`format` and `upstreamModel`: a
 * version-2 commitment; or `endpointCommitment` instead of the upstream's fields).
 * Resolves to `{ id, bond, deposit, blockHash }`.
 */
export async function registerCapsule (api, signer, spec, options) {
  const wire = spec.format === undefined ? undefined : { format: spec.format, model: spec.upstreamModel };
  const commitment = spec.endpointCommitment ?? endpointCommitment(api, spec.endpoint, spec.credential, wire);
  const tx = api.tx.capsules.register({
    offering: spec.offering,
    lane: spec.lane ?? 'Standard',
    price: capsulePrice(spec),
    capacity: spec.capacity,
    window: spec.window ?? 'Hour',
    concurrency: spec.concurrency ?? 1,
    region: spec.region ?? '',
    endpointCommitment: commitment,
    metadata: spec.metadata ?? ''
  });
  const result = await submit(api, tx, signer, options);
  const e = eventOf(result, 'capsules', 'Registered');
  return {
    id: e.data.id.toNumber(),
    bond: e.data.bond.toBigInt(),
    deposit: e.data.deposit.toBigInt(),
    blockHash: result.blockHash.toHex()
  };
}

/** Stakes `amount` NXV planck into the seeker tiers. Resolves to `{ active, tier, blockHash }`. */
/**
 * Announces new prices for capsule `id` (`capsules.announce_price`); they take effect after the
 * chain's notice delay. `price`: the four prices (see `capsulePrice`). Resolves to
 * `{ effectiveAt, blockHash }`.
 */
export async function announcePrice (api, signer, id, price, options) {
  const result = await submit(api, api.tx.capsules.announcePrice(id, capsulePrice(price)), signer, options);
  const e = eventOf(result, 'capsules', 'PriceAnnounced');
  return { effectiveAt: e.data.effectiveAt.toNumber(), blockHash: result.blockHash.toHex() };
}

export async function stakeTier (api, signer, amount, options) {
  const result = await submit(api, api.tx.tiers.stake(amount), signer, options);
  const e = eventOf(result, 'tiers', 'Staked');
  return { active: e.data.active.toBigInt(), tier: e.data.tier.toNumber(), blockHash: result.blockHash.toHex() };
}

/** Moves `amount` of `asset` into the seeker's escrow. Resolves to `{ free, blockHash }`. */
export async function deposit (api, signer, asset, amount, options) {
  const result = await submit(api, api.tx.metering.deposit(assetKind(asset), amount), signer, options);
  eventOf(result, 'metering', 'Deposited');
  const ledgers = (await api.rpc.nexus.escrow(signer.address, result.blockHash)).toJSON();
  const ledger = ledgers.find((l) => l.asset === String(asset).toUpperCase());
  return { free: BigInt(ledger ? ledger.free : 0), blockHash: result.blockHash.toHex() };
}

/**
 * Opens a session on `gateway` paying in `asset`, capped at `cap`, for `blocks` blocks from now
 * (or until block `expiresAt`). Resolves to `{ id, expiresAt, blockHash }`.
 */
export async function openSession (api, signer, { gateway, asset = 'USDN', cap, blocks, expiresAt }, options) {
  let until = expiresAt;
  if (until === undefined) {
    const head = await api.rpc.chain.getHeader();
    until = head.number.toNumber() + (blocks ?? 600);
  }
  const result = await submit(api, api.tx.metering.openSession(gateway, assetKind(asset), cap, until), signer, options);
  const e = eventOf(result, 'metering', 'SessionOpened');
  return { id: e.data.id.toNumber(), expiresAt: until, blockHash: result.blockHash.toHex() };
}

/** The hash an API key is bound by on chain: blake2-256 of the key's UTF-8 bytes. */
export function apiKeyHash (api, apiKey) {
  return api.registry.hash(new TextEncoder().encode(apiKey)).toHex();
}

/**
 * Binds `apiKey` to an open session (`metering.bindApiKey`): the gateway then charges requests
 * bearing the key to this session. Only the key's hash goes on chain; binding another key
 * replaces this one. Resolves to `{ keyHash, blockHash }`.
 */
export async function bindApiKey (api, signer, session, apiKey, options) {
  const keyHash = apiKeyHash(api, apiKey);
  const result = await submit(api, api.tx.metering.bindApiKey(session, keyHash), signer, options);
  eventOf(result, 'metering', 'ApiKeyBound');
  return { keyHash, blockHash: result.blockHash.toHex() };
}

/** Closes a session. Resolves to `{ releaseAt, blockHash }`. */
export async function closeSession (api, signer, id, options) {
  const result = await submit(api, api.tx.metering.closeSession(id), signer, options);
  const e = eventOf(result, 'metering', 'SessionClosed');
  return { releaseAt: e.data.releaseAt.toNumber(), blockHash: result.blockHash.toHex() };
}

/**
 * The 32 bytes a gateway signs for a receipt batch: `blake2_256(batchContext ‖ genesis hash ‖
 * SCALE(batch))` (nexus_primitives::receipts::signing_payload). The batch's bytes are the
 * `metering.submitBatch` call's own encoding of it and `batchContext` the runtime's constant, so
 * nothing of the format is re-encoded here. `batch` is `{ gateway, timeMs, capsules, groups:
 * [{ session, firstSeq, receipts: [{ outcome, capsule, units: { input, output, cacheRead,
 * cacheWrite }, ageMs }] }] }`.
 */
export function receiptBatchPayload (api, batch) {
  const bytes = api.tx.metering.submitBatch(batch, new Uint8Array(64)).method.args[0].toU8a();
  const context = api.consts.metering.batchContext.toU8a(true);
  const genesis = api.genesisHash.toU8a();
  const data = new Uint8Array(context.length + genesis.length + bytes.length);
  data.set(context, 0);
  data.set(genesis, context.length);
  data.set(bytes, context.length + genesis.length);
  return api.registry.hash(data).toU8a();
}

/**
 * Posts a receipt batch as a gateway (what nexus-gateway does, for tools and tests):
 * `gatewayKey` (a keyring pair of the gateway's sr25519 key) signs its payload and `operator`
 * (the gateway's operator) submits `metering.submitBatch`. Resolves to the `BatchSettled` event:
 * `{ batch, root, leaves, settlement, blockHash }`, `batch` null when every group was refused,
 * `settlement` the event's field as the API decodes it (groups, assets and legs, rejected and
 * refused).
 */
export async function submitReceiptBatch (api, operator, gatewayKey, batch, options) {
  const tx = api.tx.metering.submitBatch(batch, gatewayKey.sign(receiptBatchPayload(api, batch)));
  const result = await submit(api, tx, operator, options);
  const e = eventOf(result, 'metering', 'BatchSettled');
  return {
    batch: e.data.batch.isSome ? e.data.batch.unwrap().toNumber() : null,
    root: e.data.root.toHex(),
    leaves: e.data.leaves.toNumber(),
    settlement: e.data.settlement,
    blockHash: result.blockHash.toHex()
  };
}

/**
 * The leaf and proof of receipt `seq` of the session `apiKey` is bound to, from the gateway at
 * `gatewayUrl` (`GET /v1/receipts`, authenticated by the key): `{ batch, leaf, proof }` with the
 * leaf and proof as the SCALE hex `metering.disputeReceipt` takes. Throws when the gateway
 * refuses, or when the receipt is not judged in a batch yet.
 */
export async function receiptEvidence (gatewayUrl, apiKey, seq) {
  const base = gatewayUrl.replace(/\/+$/, '');
  const r = await fetch(`${base}/v1/receipts?from=${seq}&limit=1`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = await r.json();
  if (!r.ok) throw new Error(`${base}: ${r.status} ${body?.error?.message ?? 'refused'}`);
  const receipt = body.data?.[0];
  if (!receipt || receipt.seq !== seq) throw new Error(`${base}: no receipt ${seq} of this session`);
  if (!receipt.evidence) throw new Error(`receipt ${seq} is not judged in a batch yet (${receipt.state})`);
  return receipt.evidence;
}

/**
 * Disputes a judged receipt by its leaf and proof (`metering.disputeReceipt`, from
 * `receiptEvidence`), holding the dispute deposit; `signer` must be the receipt's seeker. The
 * leaf and proof go as the gateway served them (the runtime's encoding, decoded by the
 * metadata's types). Resolves to `{ batch, session, seq, deposit, blockHash }`.
 */
export async function disputeReceipt (api, signer, { batch, leaf, proof }, options) {
  const call = api.tx.metering.disputeReceipt;
  const [, leafType, proofType] = call.meta.args.map((a) => a.type.toString());
  const tx = call(batch, api.createType(leafType, leaf), api.createType(proofType, proof));
  const result = await submit(api, tx, signer, options);
  const e = eventOf(result, 'metering', 'LeafDisputed');
  return {
    batch: e.data.batch.toNumber(),
    session: e.data.session.toNumber(),
    seq: e.data.seq.toNumber(),
    deposit: e.data.deposit.toBigInt(),
    blockHash: result.blockHash.toHex()
  };
}

/**
 * The runtime's quote for `seeker` on `capsule` (`nexus_quote`): amounts as bigints, ratios in
 * parts per billion.
 */
export async function quote (api, seeker, capsule, inputUnits, outputUnits, asset = 'USDN', blockHash = null,
  { cacheReadUnits = 0, cacheWriteUnits = 0 } = {}) {
  const args = [seeker, capsule, inputUnits, outputUnits, String(asset), blockHash, cacheReadUnits, cacheWriteUnits];
  const q = (await api.rpc.nexus.quote(...args)).toJSON();
  const big = (v) => BigInt(v);
  return {
    ...q,
    list: big(q.list),
    netPricing: big(q.netPricing),
    net: big(q.net),
    legs: Object.fromEntries(Object.entries(q.legs).map(([k, v]) => [k, big(v)]))
  };
}

/** Every capsule matching `filter`, following the pages (`nexus_capsules`). */
export async function allCapsules (api, filter = null, { pageSize = 100 } = {}) {
  const out = [];
  let from = 0;
  for (;;) {
    const page = (await api.rpc.nexus.capsules(filter, from, pageSize)).toJSON();
    out.push(...page.capsules);
    if (page.next === null || page.next === undefined) return out;
    from = page.next;
  }
}
