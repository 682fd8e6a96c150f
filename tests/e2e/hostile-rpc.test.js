// Hostile input to the node's JSON-RPC, on real `nexus-node --dev` nodes: malformed JSON-RPC,
// wrong content types and methods, oversize bodies and batches, out-of-range and wrongly typed
// parameters of the `nexus_*` methods, unknown blocks, pruned state, and extrinsics that are
// garbage, signed for another chain, tampered, replayed, too large or unpayable. Each gets its
// named error, and none moves anything: the sender's nonce and balance, the pool and the
// `nexus_*` answers at a fixed block are compared before and after.
//
// A second node runs with the limits docs/operations.md recommends for a public RPC node
// (`--rpc-max-batch-request-len`, `--rpc-max-connections`, `--rpc-methods safe`) and a short
// state pruning window, to show what those limits answer.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { WsProvider } from '@polkadot/api';
import { connect, signAndFinalize, startNode, stopAll, waitForHeader } from './lib/node.js';

const U64_MAX = '18446744073709551615';
const NXV = 10n ** 12n;
/** Every case run, for the summary docs/security.md quotes. */
const cases = [];

/** One raw HTTP request: `{ status, contentType, body }` (body parsed as JSON when it is). */
async function post (url, body, headers = { 'content-type': 'application/json' }, method = 'POST') {
  const res = await fetch(url, { method, headers, body: method === 'GET' ? undefined : body });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: res.status, contentType: res.headers.get('content-type'), body: parsed };
}

const rpcBody = (method, params = [], id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

/**
 * A request head declaring a `contentLength`-byte body, sent without the body: what the server
 * answers (status line, then body) before it has read anything. For bodies too large to send,
 * which the server refuses from their declared length.
 */
function declared (url, contentLength) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(
      `POST / HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`));
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    socket.on('data', (d) => {
      data += d;
      const [head, body] = data.split('\r\n\r\n');
      if (body !== undefined && body.includes('}')) {
        socket.destroy();
        resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1)) });
      }
    });
    socket.on('error', reject);
  });
}

describe('hostile JSON-RPC input on nexus-node --dev', () => {
  let node;
  let guarded;
  let api;
  let eve;
  let ferdie;
  let fixed; // a block hash the read-only answers are compared at

  const call = async (method, params = [], url = node.httpUrl) => (await post(url, rpcBody(method, params))).body;

  /** What hostile input must not change. */
  const snapshot = async () => ({
    eveNonce: (await call('system_accountNextIndex', [eve.address])).result,
    eveFree: (await api.query.system.account(eve.address)).data.free.toString(),
    ferdieFree: (await api.query.system.account(ferdie.address)).data.free.toString(),
    pending: (await call('author_pendingExtrinsics')).result,
    escrow: (await call('nexus_escrow', [eve.address, fixed])).result,
    sessions: (await call('nexus_sessions', [eve.address, fixed])).result,
    supply: (await call('nexus_supply', [fixed])).result,
    flows: (await call('nexus_flows', [null, fixed])).result
  });

  /** Runs `send`, checks `expect(answer)`, then that nothing changed. */
  const hostile = async (name, send, expect) => {
    const before = await snapshot();
    const answer = await send();
    expect(answer);
    assert.deepEqual(await snapshot(), before, `${name} changed the node's state`);
    cases.push(name);
  };
  const jsonError = (code) => (a) => {
    assert.ok(a.body?.error, `expected error ${code}, got ${JSON.stringify(a.body).slice(0, 300)}`);
    assert.equal(a.body.error.code, code, JSON.stringify(a.body.error).slice(0, 300));
  };
  const rpcError = (code, data) => (a) => {
    assert.ok(a.error, `expected error ${code}, got ${JSON.stringify(a).slice(0, 300)}`);
    assert.equal(a.error.code, code, JSON.stringify(a.error).slice(0, 300));
    if (data) assert.match(JSON.stringify(a.error.data ?? a.error.message), data);
  };

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    eve = keyring.addFromUri('//Eve');
    ferdie = keyring.addFromUri('//Ferdie');
    [node, guarded] = await Promise.all([
      startNode('hostile', ['--dev']),
      startNode('guarded', ['--dev', '--rpc-max-batch-request-len', '10', '--rpc-max-connections', '4',
        '--rpc-methods', 'safe', '--state-pruning', '8'])
    ]);
    api = await connect(node);
    await waitForHeader(api, 'finalized', (h) => h.number.toNumber() >= 1, 60_000);
    fixed = (await call('chain_getFinalizedHead')).result;
  });

  after(async () => {
    await api?.disconnect();
    await stopAll();
    console.log(`# hostile RPC inputs: ${cases.length} cases, each answered with its named error, state unchanged`);
  });

  test('malformed JSON-RPC and transport', async () => {
    const url = node.httpUrl;
    await hostile('truncated JSON', () => post(url, '{"jsonrpc":"2.0","id":1,"method":'), jsonError(-32700));
    await hostile('empty body', () => post(url, ''), (a) => { assert.equal(a.status, 400); jsonError(-32700)(a); });
    await hostile('JSON null', () => post(url, 'null'), (a) => { assert.equal(a.status, 400); jsonError(-32700)(a); });
    await hostile('request without a method', () => post(url, '{"jsonrpc":"2.0","id":5}'), jsonError(-32600));
    await hostile('JSON-RPC 1.0', () => post(url, '{"jsonrpc":"1.0","id":5,"method":"nexus_supply","params":[]}'), jsonError(-32600));
    await hostile('unknown method', () => post(url, rpcBody('nexus_nope')), jsonError(-32601));
    await hostile('method in the wrong case', () => post(url, rpcBody('NEXUS_supply')), jsonError(-32601));
    await hostile('text/plain content type', () => post(url, rpcBody('nexus_supply'), { 'content-type': 'text/plain' }),
      (a) => assert.equal(a.status, 415));
    await hostile('no content type', () => post(url, rpcBody('nexus_supply'), {}), (a) => assert.equal(a.status, 415));
    await hostile('GET instead of POST', () => post(url, null, {}, 'GET'), (a) => assert.equal(a.status, 405));
    await hostile('a 16 MiB body', () => declared(url, 16 * 1024 * 1024), (a) => {
      assert.equal(a.status, 413);
      jsonError(-32007)(a);
    });
    await hostile('empty batch', () => post(url, '[]'), jsonError(-32600));
    await hostile('batch with a bad element', () => post(url, `[${rpcBody('system_health', [], 1)},{"id":2},${rpcBody('system_health', [], 3)}]`),
      (a) => {
        assert.equal(a.body.length, 3);
        assert.equal(a.body.find((r) => r.id === 2).error.code, -32600);
        assert.ok(a.body.filter((r) => r.result).length === 2);
      });
  });

  test('nexus_* parameters out of range, of the wrong type, or naming nothing', async () => {
    const unknownBlock = `0x${'ab'.repeat(32)}`;
    const eveAddr = eve.address;
    await hostile('capsule id 2^64', () => post(node.httpUrl, `{"jsonrpc":"2.0","id":1,"method":"nexus_capsule","params":[18446744073709551616]}`).then((a) => a.body), rpcError(-32602));
    await hostile('capsule id -1', () => call('nexus_capsule', [-1]), rpcError(-32602));
    await hostile('capsule id as a string', () => call('nexus_capsule', ['0']), rpcError(-32602));
    await hostile('capsule id u64::MAX', () => post(node.httpUrl, `{"jsonrpc":"2.0","id":1,"method":"nexus_capsule","params":[${U64_MAX}]}`).then((a) => a.body), rpcError(9010));
    await hostile('capsules page limit 2^32', () => call('nexus_capsules', [null, 0, 4294967296]), rpcError(-32602));
    await hostile('capsules page limit 0', () => call('nexus_capsules', [null, 0, 0]), rpcError(9004));
    await hostile('capsules filter with an unknown lane', () => call('nexus_capsules', [{ lane: 'gold' }]), rpcError(9005));
    await hostile('quote for a non-hex account', () => call('nexus_quote', [`0x${'zz'.repeat(32)}`, 1, 1, 1]), rpcError(9002));
    await hostile('quote for a 31-byte account', () => call('nexus_quote', [`0x${'ab'.repeat(31)}`, 1, 1, 1]), rpcError(9002));
    await hostile('quote for an SS58 address with a bad checksum', () => call('nexus_quote', [`${eveAddr.slice(0, -1)}${eveAddr.endsWith('a') ? 'b' : 'a'}`, 1, 1, 1]), rpcError(9002));
    await hostile('quote in an unknown asset', () => call('nexus_quote', [eveAddr, 1, 1, 1, 'DOGE']), rpcError(9003));
    // u64::MAX input and output units: priced in 128-bit arithmetic, exactly, without overflow.
    await hostile('quote of u64::MAX units', () => post(node.httpUrl, `{"jsonrpc":"2.0","id":1,"method":"nexus_quote","params":["${eveAddr}",1,${U64_MAX},${U64_MAX}]}`).then((a) => a.body),
      (a) => {
        assert.ok(a.result, JSON.stringify(a));
        const capsule = a.result;
        const price = (BigInt(U64_MAX) * 1800n + BigInt(U64_MAX) * 9000n + 999n) / 1000n;
        assert.equal(capsule.list, price.toString());
      });
    await hostile('session u64::MAX', () => post(node.httpUrl, `{"jsonrpc":"2.0","id":1,"method":"nexus_session","params":[${U64_MAX}]}`).then((a) => a.body), rpcError(9011));
    for (const [method, params] of [['nexus_tier', [eveAddr]], ['nexus_escrow', [eveAddr]], ['nexus_tierTable', []],
      ['nexus_reserveStatus', []], ['nexus_feeParameters', []], ['nexus_flows', [null]]]) {
      await hostile(`${method} at an unknown block`, () => call(method, [...params, unknownBlock]), rpcError(9001));
    }
    await hostile('flows since 2^32', () => call('nexus_flows', [4294967296]), rpcError(-32602));
    const today = (await call('nexus_feeParameters', [fixed])).result;
    const proposed = {
      takeRate: today.takeRate, treasuryShare: today.treasuryShare, buybackShare: today.buybackShare,
      reserveShare: today.reserveShare, validatorsShare: today.validatorsShare,
      nxvDiscount: today.nxvDiscount, maxDiscount: today.maxDiscount
    };
    const line = { capsule: 1, tier: 0, asset: 'USDN', inputUnits: 1000, outputUnits: 100, requests: 1 };
    await hostile('simulate: a ratio above one and no workload (the ratio is named first)',
      () => call('nexus_simulate', [{ ...proposed, takeRate: 1_000_000_001 }, []]), rpcError(9007, /RatioAboveOne/));
    await hostile('simulate: tier 256', () => call('nexus_simulate', [proposed, [{ ...line, tier: 256 }]]), rpcError(-32602));
    await hostile('simulate: a line without requests', () => call('nexus_simulate', [proposed, [{ capsule: 1, tier: 0, asset: 'USDN', inputUnits: 1, outputUnits: 1 }]]), rpcError(-32602));
    await hostile('simulate: 32 lines with 400 kB asset names', () => call('nexus_simulate', [proposed, Array.from({ length: 32 }, () => ({ ...line, asset: 'X'.repeat(400_000) }))]),
      rpcError(9003));
    await hostile('replay: a window of 2^32 days', () => call('nexus_replay', [proposed, 4294967296]), rpcError(-32602));
    await hostile('replay: a window of u32::MAX days', () => call('nexus_replay', [proposed, 4294967295]), rpcError(9009));
    await hostile('replay: a negative window', () => call('nexus_replay', [proposed, -1]), rpcError(-32602));
    await hostile('replay: shares summing to 100 % plus one part', () => call('nexus_replay', [{ ...proposed, reserveShare: proposed.reserveShare + 1 }, 1]), rpcError(9007, /SharesDoNotSumToOne/));
    await hostile('replay: a parameter missing', () => call('nexus_replay', [{ takeRate: 1 }, 1]), rpcError(-32602));
    await hostile('replay at an unknown block', () => call('nexus_replay', [proposed, 1, unknownBlock]), rpcError(9001));
    await hostile('fee path to what is in force', () => call('nexus_feePath', [proposed]), rpcError(9012, /Unchanged/));
    await hostile('fee path to a take of 100 %', () => call('nexus_feePath', [{ ...proposed, takeRate: 1_000_000_000 }]), rpcError(9007, /TakeRateTooHigh/));
    await hostile('fee path with a ratio above one', () => call('nexus_feePath', [{ ...proposed, nxvDiscount: 4_000_000_000 }]), rpcError(9007, /RatioAboveOne/));
    await hostile('fee changes at an unknown block', () => call('nexus_feeChanges', [unknownBlock]), rpcError(9001));
    assert.ok((await call('system_health')).result, 'the node still answers');
  });

  test('extrinsics: garbage, foreign chain, tampered, replayed, too large, unpayable', async () => {
    const submit = (hex) => call('author_submitExtrinsic', [hex]);
    await hostile('extrinsic not hex', () => submit('zz'), rpcError(-32602));
    await hostile('extrinsic with a length prefix longer than its bytes', () => submit('0x1234'), (a) => assert.ok([1001, 1002, 1040].includes(a.error?.code), JSON.stringify(a)));
    await hostile('extrinsic of one byte', () => submit('0x00'), (a) => assert.ok([1001, 1002, 1040].includes(a.error?.code), JSON.stringify(a)));

    const nonce = (await api.rpc.system.accountNextIndex(eve.address)).toNumber();
    const transfer = () => api.tx.balances.transferKeepAlive(ferdie.address, NXV);
    const signed = (opts) => transfer().sign(eve, {
      blockHash: api.genesisHash, genesisHash: api.genesisHash, era: 0, nonce, runtimeVersion: api.runtimeVersion, ...opts
    }).toHex();
    const foreign = `0x${'ab'.repeat(32)}`;
    await hostile('transfer signed for another chain', () => submit(signed({ genesisHash: foreign, blockHash: foreign })),
      rpcError(1010, /bad signature/));
    const good = signed({});
    // One bit of the signature flipped.
    const signature = api.createType('Extrinsic', good).signature.toHex().slice(4);
    const at = good.indexOf(signature);
    assert.ok(at > 0, 'the signature is in the extrinsic');
    const flipped = `${good.slice(0, at)}${good[at] === '0' ? '1' : '0'}${good.slice(at + 1)}`;
    await hostile('transfer with a tampered signature', () => submit(flipped), rpcError(1010, /bad signature/));
    await hostile('transfer signed for the next runtime version', () => submit(signed({
      runtimeVersion: { ...api.runtimeVersion.toJSON(), specVersion: api.runtimeVersion.specVersion.toNumber() + 1 }
    })), rpcError(1010, /bad signature/));
    const stranger = new Keyring({ type: 'sr25519' }).addFromUri(`//Hostile${Date.now()}`);
    await hostile('transfer from an account that cannot pay fees', () => submit(api.tx.balances.transferKeepAlive(ferdie.address, 1n)
      .sign(stranger, { blockHash: api.genesisHash, genesisHash: api.genesisHash, era: 0, nonce: 0, runtimeVersion: api.runtimeVersion }).toHex()),
    rpcError(1010, /balance too low|pay/i));
    await hostile('a 4 MB remark (over the block length)', () => submit(api.tx.system.remark(`0x${'00'.repeat(4_000_000)}`)
      .sign(eve, { blockHash: api.genesisHash, genesisHash: api.genesisHash, era: 0, nonce, runtimeVersion: api.runtimeVersion }).toHex()),
    rpcError(1010, /exhaust/i));

    // The genuine transfer goes through once; the same bytes again are refused, then and after
    // finality, and the balances moved exactly once.
    const eveBefore = (await api.query.system.account(eve.address)).data.free.toBigInt();
    const ferdieBefore = (await api.query.system.account(ferdie.address)).data.free.toBigInt();
    const first = await submit(good);
    assert.ok(first.result, JSON.stringify(first));
    const again = await submit(good);
    assert.ok(again.error && [1010, 1012, 1013].includes(again.error.code), JSON.stringify(again));
    cases.push('the same extrinsic resubmitted while pending');
    for (const deadline = Date.now() + 90_000; ;) {
      const finalized = await api.rpc.chain.getFinalizedHead();
      if ((await api.query.system.account.at(finalized, eve.address)).nonce.toNumber() > nonce) break;
      assert.ok(Date.now() < deadline, 'the transfer was finalized');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const replay = await submit(good);
    assert.ok(replay.error && [1010, 1012].includes(replay.error.code), JSON.stringify(replay));
    cases.push('the same extrinsic replayed after finality');
    const ferdieAfter = (await api.query.system.account(ferdie.address)).data.free.toBigInt();
    const eveAfter = (await api.query.system.account(eve.address)).data.free.toBigInt();
    assert.equal(ferdieAfter - ferdieBefore, NXV, 'the transfer was credited once');
    assert.ok(eveBefore - eveAfter > NXV && eveBefore - eveAfter < NXV + NXV / 10n, 'debited once, plus its fee');
  });

  test('a dispatch with the wrong origin fails by name and leaves the fee parameters unchanged', async () => {
    const params = (await call('nexus_feeParameters')).result;
    const current = (await api.call.feesApi.feeParameters()).params.toJSON();
    await assert.rejects(signAndFinalize(api, api.tx.fees.setParams({ ...current, takeRate: current.takeRate + 10_000_000 }),
      eve, { until: 'inBlock' }), /BadOrigin/);
    assert.deepEqual((await call('nexus_feeParameters')).result, params);
    cases.push('fees.setParams signed by a seeker');
  });

  test('the limits of a guarded node: batches, connections, unsafe methods, pruned state', async () => {
    const url = guarded.httpUrl;
    const batch = (n) => `[${Array.from({ length: n }, (_, i) => rpcBody('system_health', [], i)).join(',')}]`;
    const ten = await post(url, batch(10));
    assert.equal(ten.body.length, 10);
    const eleven = await post(url, batch(11));
    assert.equal(eleven.body.error?.code, -32010, JSON.stringify(eleven.body));
    cases.push('a batch over --rpc-max-batch-request-len');
    const unsafe = await post(url, rpcBody('author_rotateKeys'));
    assert.equal(unsafe.body.error?.code, -32601, JSON.stringify(unsafe.body));
    assert.match(unsafe.body.error.message, /unsafe/i);
    cases.push('an unsafe method on a --rpc-methods safe node');
    // Four connections held open: the fifth is refused, and served again once one closes.
    const sockets = await Promise.all(Array.from({ length: 4 }, async () => {
      const ws = new WsProvider(guarded.rpcUrl, false);
      await ws.connect();
      await ws.isReady;
      return ws;
    }));
    const fifth = await post(url, rpcBody('system_health'));
    assert.equal(fifth.status, 429, JSON.stringify(fifth));
    cases.push('a connection over --rpc-max-connections');
    await sockets[0].disconnect();
    // The server notices the close on its own schedule: poll (for at most 10 s).
    let again;
    for (let i = 0; i < 40; i++) {
      again = await post(url, rpcBody('system_health'));
      if (again.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(again.status, 200, JSON.stringify(again));
    await Promise.all(sockets.slice(1).map((s) => s.disconnect()));
    // State older than the pruning window: the runtime API call fails, by name.
    const genesis = (await call('chain_getBlockHash', [0], url)).result;
    const guardedApi = await connect(guarded);
    await waitForHeader(guardedApi, 'finalized', (h) => h.number.toNumber() >= 12, 120_000);
    await guardedApi.disconnect();
    const pruned = await call('nexus_supply', [genesis], url);
    assert.equal(pruned.error?.code, 9050, JSON.stringify(pruned));
    cases.push('nexus_supply at a pruned block');
  });
});
