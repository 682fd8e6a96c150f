//! Hostile extrinsics against the composed runtime, from the `development` genesis: wrong
//! origins for every privileged call, zero and oversize values, unknown ids, calls the filter
//! refuses, receipt batches signed by the wrong key or for another chain, malformed or replayed
//! batches,
//! over-long inputs that must not decode, and transactions signed for another chain, with a
//! used nonce or a tampered signature. Each gets its named error and leaves the state as it
//! was: a failed dispatch is checked with `assert_noop!` (the storage root is unchanged), an
//! invalid transaction by the storage root around `Executive::apply_extrinsic`, and a batch
//! whose every receipt is refused by the escrow, sessions and fee totals around it.
//!
//! `docs/security.md` lists these with the threat each covers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	configs::assets::{AssetKind, USDN, USDN_ID},
	tests::ext_for_preset,
	AccountId, Executive, Metering, Runtime, RuntimeCall, RuntimeOrigin, SignedPayload, System,
	UncheckedExtrinsic, NXV,
};
use codec::{Decode, Encode};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use nexus_primitives::receipts::{GroupRefusal, Rejection, Units};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::Dispatchable,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	DispatchError, MultiAddress,
};

fn who(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn eve() -> RuntimeOrigin {
	RuntimeOrigin::signed(who(Sr25519Keyring::Eve))
}

fn usdn() -> AssetKind {
	AssetKind::WithId(USDN_ID)
}

/// Dispatches `call` as `origin` and asserts it fails with `error` and changes no storage.
fn refused(call: RuntimeCall, origin: RuntimeOrigin, error: impl Into<DispatchError>) {
	let error = error.into();
	assert_noop!(call.dispatch(origin).map_err(|e| e.error), error);
}

/// The development chain at block 1, its clock (`Timestamp::Now`) set to a live chain's time,
/// and Eve holding USDN escrow and session 0 with gateway 0.
fn chain() -> sp_io::TestExternalities {
	let mut ext = ext_for_preset(sp_genesis_builder::DEV_RUNTIME_PRESET);
	ext.execute_with(|| {
		pallet_timestamp::Now::<Runtime>::put(1_790_000_000_000);
		assert_ok!(Metering::deposit(eve(), usdn(), 100 * USDN));
		assert_ok!(Metering::open_session(eve(), 0, usdn(), 50 * USDN, 1_000));
	});
	ext
}

/// What a refused batch must not change.
fn settlement_state() -> impl PartialEq + core::fmt::Debug {
	(
		pallet_metering::Escrow::<Runtime>::iter().collect::<Vec<_>>(),
		pallet_metering::Sessions::<Runtime>::get(0).map(|s| s.spent),
		pallet_fees::Totals::<Runtime>::iter().collect::<Vec<_>>(),
	)
}

#[test]
fn privileged_calls_refuse_signed_origins() {
	use pallet_metering::Ruling;
	chain().execute_with(|| {
		let bad = DispatchError::BadOrigin;
		let params = nexus_primitives::settlement::FeeParams::defaults();
		refused(RuntimeCall::Fees(pallet_fees::Call::set_params { new: params }), eve(), bad);
		refused(RuntimeCall::Fees(pallet_fees::Call::set_nxv_price { price: 1 }), eve(), bad);
		refused(
			RuntimeCall::Metering(pallet_metering::Call::register_gateway {
				operator: who(Sr25519Keyring::Eve),
				key: Sr25519Keyring::Eve.public(),
				bond: 20_000 * NXV,
			}),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::Metering(pallet_metering::Call::suspend_gateway { id: 0 }),
			eve(),
			bad,
		);
		refused(RuntimeCall::Metering(pallet_metering::Call::remove_gateway { id: 0 }), eve(), bad);
		refused(
			RuntimeCall::Metering(pallet_metering::Call::resolve_dispute {
				id: [1; 16],
				ruling: Ruling::ProviderAtFault,
			}),
			eve(),
			bad,
		);
		refused(RuntimeCall::Capsules(pallet_capsules::Call::suspend { id: 0 }), eve(), bad);
		refused(
			RuntimeCall::Capsules(pallet_capsules::Call::set_offering {
				offering: BoundedVec::truncate_from(b"claude-opus".to_vec()),
				resale_permitted: false,
			}),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::Capsules(pallet_capsules::Call::set_model_aliases {
				offering: BoundedVec::truncate_from(b"claude-opus".to_vec()),
				aliases: BoundedVec::truncate_from(vec![BoundedVec::truncate_from(b"x".to_vec())]),
			}),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::Tiers(pallet_tiers::Call::set_tier_table { tiers: vec![] }),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::Buyback(pallet_buyback::Call::set_programme {
				programme: pallet_buyback::Programme::Rebates,
			}),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::Emissions(pallet_emissions::Call::add_milestone {
				metric: pallet_emissions::Metric::SettledVolume,
				threshold: u128::MAX,
				tranche: 1,
			}),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::RewardPot(pallet_reward_pot::Call::set_timing {
				session_length: 10,
				sessions_per_era: 2,
			}),
			eve(),
			bad,
		);
		refused(
			RuntimeCall::Reserve(pallet_reserve::Call::pay_claim {
				asset: usdn(),
				to: who(Sr25519Keyring::Eve),
				amount: 1,
				reason: Default::default(),
			}),
			eve(),
			bad,
		);
		// Sudo from anyone but the key; a voluntary burn from anyone (the supply is fixed).
		refused(
			RuntimeCall::Sudo(pallet_sudo::Call::sudo {
				call: Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] })),
			}),
			eve(),
			pallet_sudo::Error::<Runtime>::RequireSudo,
		);
		refused(
			RuntimeCall::Balances(pallet_balances::Call::burn { value: NXV, keep_alive: true }),
			eve(),
			frame_system::Error::<Runtime>::CallFiltered,
		);
	});
}

#[test]
fn zero_oversize_and_unknown_values_are_refused_by_name() {
	use pallet_capsules::Error as C;
	use pallet_metering::Error as M;
	use pallet_tiers::Error as T;
	chain().execute_with(|| {
		let m = |c| RuntimeCall::Metering(c);
		let now = System::block_number();
		refused(
			m(pallet_metering::Call::deposit { asset: usdn(), amount: 0 }),
			eve(),
			M::<Runtime>::ZeroAmount,
		);
		refused(
			m(pallet_metering::Call::deposit { asset: AssetKind::WithId(7), amount: 1 }),
			eve(),
			M::<Runtime>::UnsupportedAsset,
		);
		refused(
			m(pallet_metering::Call::withdraw { asset: usdn(), amount: u128::MAX }),
			eve(),
			M::<Runtime>::InsufficientEscrow,
		);
		refused(
			m(pallet_metering::Call::open_session {
				gateway: 0,
				asset: usdn(),
				cap: 0,
				expires_at: now + 10,
			}),
			eve(),
			M::<Runtime>::ZeroCap,
		);
		refused(
			m(pallet_metering::Call::open_session {
				gateway: 0,
				asset: usdn(),
				cap: 1,
				expires_at: now,
			}),
			eve(),
			M::<Runtime>::BadExpiry,
		);
		refused(
			m(pallet_metering::Call::open_session {
				gateway: 0,
				asset: usdn(),
				cap: 1,
				expires_at: u32::MAX,
			}),
			eve(),
			M::<Runtime>::BadExpiry,
		);
		refused(
			m(pallet_metering::Call::open_session {
				gateway: 9,
				asset: usdn(),
				cap: 1,
				expires_at: now + 10,
			}),
			eve(),
			M::<Runtime>::UnknownGateway,
		);
		refused(
			m(pallet_metering::Call::open_session {
				gateway: 0,
				asset: usdn(),
				cap: u128::MAX,
				expires_at: now + 10,
			}),
			eve(),
			M::<Runtime>::InsufficientEscrow,
		);
		refused(
			m(pallet_metering::Call::close_session { id: 999 }),
			eve(),
			M::<Runtime>::UnknownSession,
		);
		refused(
			m(pallet_metering::Call::dispute_receipt {
				batch: 999,
				leaf: Box::new(nexus_primitives::receipts::Leaf {
					session: 0,
					seq: 1,
					seeker: who(Sr25519Keyring::Eve),
					asset: usdn(),
					capsule: 1,
					provider: None,
					units: Units::plain(1, 1),
					outcome: nexus_primitives::receipts::ReceiptOutcome::Served,
					time_ms: 0,
					verdict: nexus_primitives::receipts::Verdict::Settled,
					charge: 1,
					provider_amount: 1,
				}),
				proof: nexus_primitives::receipts::Proof {
					index: 0,
					leaves: 1,
					siblings: Default::default(),
				},
			}),
			eve(),
			M::<Runtime>::UnknownBatch,
		);
		refused(
			m(pallet_metering::Call::bind_api_key { session: 0, key_hash: Default::default() }),
			RuntimeOrigin::signed(who(Sr25519Keyring::Ferdie)),
			M::<Runtime>::NotSessionOwner,
		);
		refused(
			m(pallet_metering::Call::report_uptime {
				gateway: 0,
				capsule: 0,
				uptime: sp_runtime::Permill::one(),
			}),
			eve(),
			M::<Runtime>::NotOperator,
		);
		let t = |c| RuntimeCall::Tiers(c);
		refused(t(pallet_tiers::Call::stake { amount: 0 }), eve(), T::<Runtime>::ZeroAmount);
		refused(
			t(pallet_tiers::Call::stake { amount: u128::MAX }),
			eve(),
			T::<Runtime>::InsufficientBalance,
		);
		refused(t(pallet_tiers::Call::stake { amount: 1 }), eve(), T::<Runtime>::BelowMinStake);
		refused(t(pallet_tiers::Call::unstake { amount: 1 }), eve(), T::<Runtime>::NotStaking);
		refused(t(pallet_tiers::Call::withdraw_unbonded {}), eve(), T::<Runtime>::NotStaking);
		let c = |c| RuntimeCall::Capsules(c);
		refused(c(pallet_capsules::Call::pause { id: 999 }), eve(), C::<Runtime>::UnknownCapsule);
		refused(
			c(pallet_capsules::Call::announce_price {
				id: 0,
				price: pallet_capsules::Price {
					per_1k_input: 1,
					per_1k_output: 1,
					per_1k_cache_read: 1,
					per_1k_cache_write: 1,
				},
			}),
			eve(),
			C::<Runtime>::NotOwner,
		);
		refused(
			c(pallet_capsules::Call::announce_price {
				id: 0,
				price: pallet_capsules::Price {
					per_1k_input: 1,
					per_1k_output: 1,
					per_1k_cache_read: 0,
					per_1k_cache_write: 1,
				},
			}),
			RuntimeOrigin::signed(who(Sr25519Keyring::Bob)),
			C::<Runtime>::ZeroPrice,
		);
		refused(
			c(pallet_capsules::Call::release_bond { id: 0 }),
			RuntimeOrigin::signed(who(Sr25519Keyring::Bob)),
			C::<Runtime>::NotRetired,
		);
		let mut spec = pallet_capsules::Capsules::<Runtime>::get(1).unwrap().spec;
		spec.offering = BoundedVec::truncate_from(b"no-such-offering".to_vec());
		refused(
			c(pallet_capsules::Call::register { spec: spec.clone() }),
			eve(),
			C::<Runtime>::UnknownOffering,
		);
		spec.offering = BoundedVec::truncate_from(b"consumer-chat-plan".to_vec());
		refused(
			c(pallet_capsules::Call::register { spec }),
			eve(),
			C::<Runtime>::ResaleNotPermitted,
		);
	});
}

#[test]
fn inputs_over_their_bounds_do_not_even_decode() {
	chain().execute_with(|| {
		// Capsule metadata of 1,025 bytes (the bound is 1,024): the call does not decode, so no
		// extrinsic carrying it can exist.
		let mut spec = pallet_capsules::Capsules::<Runtime>::get(1).unwrap().spec;
		spec.metadata = BoundedVec::truncate_from(vec![7; 1024]);
		let mut encoded = RuntimeCall::Capsules(pallet_capsules::Call::register { spec }).encode();
		assert!(RuntimeCall::decode(&mut &encoded[..]).is_ok());
		// Re-encode the metadata (the call's last field, after a 2-byte length prefix) with `n`
		// bytes. The splice is checked on the bound itself: 1,024 gives the same call back.
		let at = encoded.len() - 1024;
		let spliced = |n: u32| {
			let mut bytes = encoded[..at - 2].to_vec();
			codec::Compact(n).encode_to(&mut bytes);
			bytes.extend_from_slice(&vec![7; n as usize]);
			bytes
		};
		assert_eq!(spliced(1024), encoded);
		assert!(RuntimeCall::decode(&mut &spliced(1025)[..]).is_err());
		// A receipt batch one group over `MaxBatchSessions`, encoded as the call would carry it
		// (the same format without bounds), does not decode.
		use frame_support::traits::{ConstU32, Get};
		use nexus_primitives::receipts::{
			CompactReceipt, ReceiptBatch, ReceiptOutcome, SessionGroup,
		};
		type Any = ConstU32<{ u32::MAX }>;
		let sessions: u32 = <Runtime as pallet_metering::Config>::MaxBatchSessions::get();
		let receipt = CompactReceipt {
			outcome: ReceiptOutcome::Served,
			capsule: 0,
			units: Units::plain(1, 1),
			age_ms: 0,
		};
		let oversize = ReceiptBatch::<Any, Any, Any> {
			gateway: 0,
			time_ms: 0,
			capsules: BoundedVec::truncate_from(vec![1]),
			groups: BoundedVec::truncate_from(
				(0..=u64::from(sessions))
					.map(|session| SessionGroup {
						session,
						first_seq: 1,
						receipts: BoundedVec::truncate_from(vec![receipt]),
					})
					.collect(),
			),
		};
		let mut call = RuntimeCall::Metering(pallet_metering::Call::submit_batch {
			batch: Box::new(crate::test_batches::batch(0, vec![1], vec![(0, 1, vec![receipt])])),
			signature: sp_core::sr25519::Signature::from_raw([0; 64]),
		})
		.encode();
		// The call's two index bytes, then the batch, then the signature.
		call.truncate(2);
		oversize.encode_to(&mut call);
		sp_core::sr25519::Signature::from_raw([0; 64]).encode_to(&mut call);
		assert!(RuntimeCall::decode(&mut &call[..]).is_err());
		// With exactly MaxBatchSessions groups it decodes: the bound is the only reason.
		let mut fits = oversize.clone();
		fits.groups = BoundedVec::truncate_from(fits.groups.into_inner()[1..].to_vec());
		let mut call = call[..2].to_vec();
		fits.encode_to(&mut call);
		sp_core::sr25519::Signature::from_raw([0; 64]).encode_to(&mut call);
		assert!(RuntimeCall::decode(&mut &call[..]).is_ok());
		// A call nested deeper than the extrinsic depth limit does not decode either.
		let mut call = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		for _ in 0..300 {
			call = RuntimeCall::Utility(pallet_utility::Call::batch { calls: vec![call] });
		}
		encoded = call.encode();
		assert!(<RuntimeCall as codec::DecodeLimit>::decode_with_depth_limit(
			frame_support::MAX_EXTRINSIC_DEPTH,
			&mut &encoded[..]
		)
		.is_err());
	});
}

#[test]
fn receipt_batches_from_the_wrong_signer_or_chain_malformed_or_twice_settle_nothing() {
	use crate::test_batches::{batch, dave, post, served, signed, submit};
	use nexus_primitives::receipts::signing_payload;
	use pallet_metering::Error as M;
	chain().execute_with(|| {
		let now = pallet_timestamp::Now::<Runtime>::get();
		let one = || served(0, Units::plain(1_000, 200), 0);
		let b = batch(now, vec![1], vec![(0, 1, vec![one()])]);
		let by_gateway = signed(&b, Sr25519Keyring::Dave);
		// Posted by someone other than the gateway's operator.
		refused(submit(&b, by_gateway), eve(), M::<Runtime>::NotOperator);
		// Signed by another key.
		refused(submit(&b, signed(&b, Sr25519Keyring::Eve)), dave(), M::<Runtime>::BadSignature);
		// Signed for another chain: the payload carries the genesis hash.
		let foreign = Sr25519Keyring::Dave
			.pair()
			.sign(&signing_payload(&sp_core::H256::repeat_byte(0xab), &b));
		refused(submit(&b, foreign), dave(), M::<Runtime>::BadSignature);
		// Signed for another gateway id.
		let mut other = b.clone();
		other.gateway = 7;
		refused(
			submit(&b, signed(&other, Sr25519Keyring::Dave)),
			dave(),
			M::<Runtime>::BadSignature,
		);
		// Empty; a group without receipts; a receipt past the capsule table.
		for (bad, error) in [
			(batch(now, vec![1], vec![]), M::<Runtime>::EmptyBatch),
			(
				batch(now, vec![1], vec![(0, 1, vec![one()]), (1, 1, vec![])]),
				M::<Runtime>::EmptyGroup,
			),
			(
				batch(now, vec![1], vec![(0, 1, vec![served(3, Units::plain(1, 1), 0)])]),
				M::<Runtime>::UnknownCapsuleIndex,
			),
		] {
			refused(submit(&bad, signed(&bad, Sr25519Keyring::Dave)), dave(), error);
		}

		// The genuine batch settles once; the same signed batch again settles nothing.
		post(&b);
		let settled = settlement_state();
		System::reset_events();
		let again = post(&b);
		assert_eq!(again.refused, vec![(0, GroupRefusal::Replayed { last_seq: 1 })]);
		assert_eq!(settlement_state(), settled);
		// A gap in the sequence; an unknown session; then, in the next group of session 0, a
		// receipt dated a day ago, one from the future, zero units, a capsule that does not
		// exist, and a premium capsule for a Basic-tier seeker.
		let hostile = batch(
			now,
			vec![1, 999, 0],
			vec![
				(77, 1, vec![one()]),
				(
					0,
					2,
					vec![
						served(0, Units::plain(1, 1), 86_400_000),
						served(0, Units::plain(1, 1), 0),
						served(0, Units::plain(0, 0), 0),
						served(1, Units::plain(1, 1), 0),
						served(2, Units::plain(1, 1), 0),
					],
				),
			],
		);
		let mut future = hostile.clone();
		future.time_ms = now + 3_600_000;
		future.groups[1].first_seq = 7;
		future.groups[1].receipts.truncate(1);
		future.groups[1].receipts[0].age_ms = 0;
		future.capsules.truncate(1);
		let gap = post(&batch(now, vec![1], vec![(0, 9, vec![one()])]));
		assert_eq!(gap.refused, vec![(0, GroupRefusal::SequenceGap { last_seq: 1 })]);
		let judged = post(&hostile);
		assert_eq!(judged.refused, vec![(0, GroupRefusal::UnknownSession)]);
		assert_eq!(
			judged.rejected,
			vec![
				(0, Rejection::Expired),
				(2, Rejection::ZeroUnits),
				(3, Rejection::UnknownCapsule),
				(4, Rejection::LaneNotAllowed),
			]
		);
		let spent_one = settlement_state();
		assert_eq!(post(&future).rejected, vec![(0, Rejection::InFuture)]);
		assert_eq!(settlement_state(), spent_one);
		assert_eq!(pallet_metering::Sessions::<Runtime>::get(0).unwrap().last_seq, 7);
	});
}

/// A signed transaction of `signer`, with its extensions; `genesis` overrides the chain it is
/// signed for.
fn transaction(
	signer: &sr25519::Pair,
	call: RuntimeCall,
	nonce: u32,
	genesis: Option<sp_core::H256>,
) -> UncheckedExtrinsic {
	let extension = crate::immortal_tx_extension(nonce);
	let payload = SignedPayload::new(call.clone(), extension.clone()).unwrap();
	let (call_, extension_, implicit) = payload.deconstruct();
	let implicit = match genesis {
		// The implicit data a signer on another chain signs: its genesis hash in place of ours.
		Some(g) => {
			let (a, b, c, _genesis, _era, f, gg, h, i, j) = implicit;
			(a, b, c, g, g, f, gg, h, i, j)
		},
		None => implicit,
	};
	let payload = SignedPayload::from_raw(call_, extension_, implicit);
	let signature = payload.using_encoded(|p| signer.sign(p));
	let account: AccountId = sp_runtime::traits::IdentifyAccount::into_account(
		sp_runtime::MultiSigner::from(signer.public()),
	);
	UncheckedExtrinsic::new_signed(call, MultiAddress::Id(account), signature.into(), extension)
}

/// Applies `xt` as the block builder does (an invalid transaction's changes are rolled back:
/// `frame_executive` notes an extrinsic's bytes before it checks it), and asserts it is invalid
/// for `expected` and leaves the state as it was.
fn invalid(xt: UncheckedExtrinsic, expected: InvalidTransaction) {
	use frame_support::storage::{with_transaction, TransactionOutcome};
	let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
	let result = with_transaction(|| {
		let r = Executive::apply_extrinsic(xt);
		let outcome =
			if r.is_err() { TransactionOutcome::Rollback } else { TransactionOutcome::Commit };
		outcome(Ok::<_, DispatchError>(r))
	});
	assert_eq!(result, Ok(Err(TransactionValidityError::Invalid(expected))));
	assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), root, "state changed");
}

#[test]
fn transactions_for_another_chain_replayed_or_tampered_are_invalid() {
	let mut ext = crate::tests::supply_and_staking::dev();
	ext.execute_with(|| {
		let transfer = || {
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: MultiAddress::Id(who(Sr25519Keyring::Ferdie)),
				value: NXV,
			})
		};
		// The block's first transaction ends its inherents (block-building bookkeeping, valid
		// transaction or not): end them here, so that what is compared is the transactions' doing.
		Executive::inherents_applied();
		let eve = Sr25519Keyring::Eve.pair();
		let foreign = Some(sp_core::H256::repeat_byte(0xab));
		invalid(transaction(&eve, transfer(), 0, foreign), InvalidTransaction::BadProof);
		// A signature over other bytes than the extrinsic's.
		let mut tampered = transaction(&eve, transfer(), 0, None);
		if let sp_runtime::generic::Preamble::Signed(_, sp_runtime::MultiSignature::Sr25519(s), _) =
			&mut tampered.preamble
		{
			s.0[0] ^= 1;
		}
		invalid(tampered, InvalidTransaction::BadProof);
		// An account with nothing to pay the fee with.
		let nobody = sr25519::Pair::from_seed(&[9; 32]);
		invalid(transaction(&nobody, transfer(), 0, None), InvalidTransaction::Payment);
		// The genuine transfer applies once; the same extrinsic again is stale.
		let xt = transaction(&eve, transfer(), 0, None);
		assert_ok!(Executive::apply_extrinsic(xt.clone()).unwrap());
		invalid(xt, InvalidTransaction::Stale);
		// A nonce ahead of the account's cannot be applied in this block.
		invalid(transaction(&eve, transfer(), 5, None), InvalidTransaction::Future);
	});
}
