// What a gateway does on chain, shared by the settlement and governance tests: the signed
// payload of a receipt batch, computed independently of the runtime.

import { stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

export const USDN = 1_000_000n;
export const USDN_ASSET = { WithId: 1 };

// blake2_256("nexus-vault/receipts/v1" ‖ genesis hash ‖ gateway id (u32 LE) ‖ SCALE(receipts))
export function payloadOf (api, gateway, receipts) {
  return blake2AsU8a(u8aConcat(
    stringToU8a('nexus-vault/receipts/v1'),
    api.genesisHash.toU8a(),
    api.createType('u32', gateway).toU8a(),
    api.createType('Vec<PalletMeteringReceipt>', receipts).toU8a()
  ), 256);
}
