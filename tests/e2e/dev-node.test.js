// `nexus-node --dev`: blocks are produced and finalized, metadata v16 is served, NXV moves
// Alice -> Bob through a real signed extrinsic, RPC and Prometheus answer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, signAndFinalize, startNode, stopAll, waitForHeader } from './lib/node.js';

const NXV = 10n ** 12n;

describe('nexus-node --dev', () => {
  let node;
  let api;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode('dev', ['--dev']);
    api = await connect(node);
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopAll();
  });

  test('chain identifies itself as Nexus Vault with NXV properties', async () => {
    const [chain, props, version] = await Promise.all([
      api.rpc.system.chain(),
      api.rpc.system.properties(),
      api.rpc.state.getRuntimeVersion()
    ]);
    assert.equal(chain.toString(), 'Nexus Vault Development');
    assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'NXV');
    assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
    assert.equal(props.ss58Format.unwrap().toNumber(), 42);
    assert.equal(version.specName.toString(), 'nexus-vault');
  });

  test('blocks are produced and finalized', async () => {
    const best = await waitForHeader(api, 'best', (h) => h.number.toNumber() >= 2, 60_000);
    assert.ok(best.number.toNumber() >= 2);
    const fin = await waitForHeader(api, 'finalized', (h) => h.number.toNumber() >= 2, 60_000);
    const hashAtFin = await api.rpc.chain.getBlockHash(fin.number.toNumber());
    assert.equal(hashAtFin.toHex(), fin.hash.toHex(), 'finalized head is on the canonical chain');
  });

  test('metadata: the runtime offers v16 and the client reads it', async () => {
    const versions = (await api.call.metadata.metadataVersions()).map((v) => v.toNumber());
    assert.deepEqual(versions.sort(), [14, 15, 16]);
    assert.equal(api.runtimeMetadata.version, 16, 'polkadot.js decoded metadata v16');
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const p of ['System', 'Timestamp', 'Aura', 'Grandpa', 'Balances', 'TransactionPayment', 'Utility',
      'Capsules', 'Tiers', 'Sudo']) {
      assert.ok(pallets.includes(p), `pallet ${p} in metadata (${pallets})`);
    }
    assert.equal(api.consts.balances.existentialDeposit.toBigInt(), NXV / 100n);
  });

  test('RPC offers the system and transaction-payment methods', async () => {
    const { methods } = (await api.rpc.rpc.methods()).toJSON();
    for (const m of ['system_accountNextIndex', 'system_dryRun', 'payment_queryInfo',
      'payment_queryFeeDetails', 'author_submitAndWatchExtrinsic', 'chain_subscribeFinalizedHeads']) {
      assert.ok(methods.includes(m), `${m} is served`);
    }
  });

  test('Alice transfers NXV to Bob: Transfer event and both balances', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    const amount = 123n * NXV;

    const [aliceBefore, bobBefore] = (await api.query.system.account.multi([alice.address, bob.address]))
      .map((a) => a.data.free.toBigInt());

    const tx = api.tx.balances.transferKeepAlive(bob.address, amount);
    const info = await tx.paymentInfo(alice);
    const quotedFee = info.partialFee.toBigInt();
    assert.ok(quotedFee > 0n, 'transfers cost a fee');

    const { blockHash, events } = await signAndFinalize(api, tx, alice);

    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'a Balances.Transfer event');
    const [from, to, value] = transfer.event.data;
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), bob.address);
    assert.equal(value.toBigInt(), amount);
    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));

    const feeEvent = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    assert.ok(feeEvent, 'a TransactionFeePaid event');
    const fee = feeEvent.event.data.actualFee.toBigInt();
    // The quote (payment_queryInfo) and the charge agree up to the fee multiplier's drift
    // between the two blocks.
    assert.ok(fee > 0n && fee <= quotedFee * 2n && fee * 2n >= quotedFee, `fee ${fee} vs quote ${quotedFee}`);

    const at = await api.at(blockHash);
    const [aliceAfter, bobAfter] = (await at.query.system.account.multi([alice.address, bob.address]))
      .map((a) => a.data.free.toBigInt());
    assert.equal(bobAfter, bobBefore + amount);
    assert.equal(aliceAfter, aliceBefore - amount - fee);
    // Fees are split between the author and the reward pot, never burned: in this block total
    // issuance changes only by an era's reward committed from the pot (burned, then minted back
    // as stakers claim), if an era ended in it.
    const header = await api.rpc.chain.getHeader(blockHash);
    const parent = await api.at(header.parentHash);
    const committed = (await at.query.system.events())
      .filter(({ event }) => api.events.rewardPot.RewardCommitted.is(event))
      .reduce((sum, { event }) => sum + event.data.amount.toBigInt(), 0n);
    assert.equal((await at.query.balances.totalIssuance()).toBigInt(),
      (await parent.query.balances.totalIssuance()).toBigInt() - committed);
    const supply = await at.call.supplyApi.supply();
    assert.ok(supply.total.toBigInt() <= 1_000_000_000n * NXV, 'never above the fixed supply');
  });

  test('Prometheus metrics are served', async () => {
    const res = await fetch(node.prometheusUrl);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /substrate_block_height\{status="best",chain="nexus_dev"\} \d+/);
    assert.match(body, /substrate_block_height\{status="finalized",chain="nexus_dev"\} \d+/);
  });
});
