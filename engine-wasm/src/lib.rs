//! The projection engine ([`nexus_economics::projection`]) as a wasm module the dashboard loads:
//! one JSON request in, one JSON answer out, through linear memory. Built for `wasm32v1-none`
//! (`scripts/build-engine.sh`), it imports nothing: no host functions, no wasm-bindgen.
//!
//! Protocol (the dashboard's `src/engine.ts` speaks it):
//! 1. `engine_reset()` frees everything the previous request allocated;
//! 2. `engine_alloc(len)` returns where to write the request's `len` bytes of JSON;
//! 3. `engine_run(ptr, len)` answers a pointer to a little-endian `u32` length followed by that
//!    many bytes of JSON.
//!
//! Requests: `{"project": {"start": …, "scenario": …}}`, `{"sweep": {"start": …, "scenario":
//! …, "grid": [FeeParams…]}}`, `{"nativeValue": {"amounts": […], "price": …, "one": …}}` or
//! `{"buybackBound": {"available": …, "pool": …, "slippage": …}}`. Answers: `{"projection": …}`,
//! `{"sweep": […]}` or `{"error": {"kind": …, "message": …}}` (a request that does not parse, or a
//! projection refused by name). Amounts are JSON integers (u128 where the chain's are), ratios as
//! the runtime encodes them (parts per billion or million).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::{format, string::String, vec::Vec};
use nexus_economics::{
	buyback::{amount_out, max_within_slippage},
	projection::{self, Pool, Projection, Scenario, Start, SweepPoint},
	reserve,
	settlement::FeeParams,
};
use serde::{Deserialize, Serialize};

/// A request to the engine.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Request {
	/// Project a scenario.
	Project {
		/// The chain's state.
		start: Start,
		/// The scenario.
		scenario: Scenario,
	},
	/// Project a scenario under each parameter set of a grid.
	Sweep {
		/// The chain's state.
		start: Start,
		/// The scenario.
		scenario: Scenario,
		/// The parameter sets.
		grid: Vec<FeeParams>,
	},
	/// The value in the pricing unit of NXV `amounts` at `price` pricing units per `one` NXV,
	/// rounded down, as the runtime values NXV ([`reserve::native_value`]).
	NativeValue {
		/// Amounts of NXV, in planck.
		amounts: Vec<u128>,
		/// Pricing units per NXV.
		price: u128,
		/// Planck per NXV.
		one: u128,
	},
	/// How much of `available` stable asset the next buyback epoch may swap on `pool` within
	/// `slippage` (the buyback pallet's bound).
	BuybackBound {
		/// The pot's stable asset available to the epoch.
		available: u128,
		/// The pool.
		pool: Pool,
		/// The programme's slippage bound (parts per million).
		slippage: nexus_economics::Permill,
	},
}

/// The engine's answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Answer {
	/// A projection.
	Projection(alloc::boxed::Box<Projection>),
	/// A sweep's points.
	Sweep(Vec<SweepPoint>),
	/// Values in the pricing unit (decimal strings), in the order asked.
	NativeValue(Vec<String>),
	/// The buyback's bound: what the epoch swaps and what carries (decimal strings).
	BuybackBound {
		/// Swapped within the bound.
		swappable: String,
		/// Left for later epochs.
		carried: String,
	},
	/// Why there is no answer.
	Error {
		/// `request` (it did not parse) or the projection error's name.
		kind: String,
		/// What was wrong.
		message: String,
	},
}

/// Answers one JSON request (what `engine_run` does, callable natively).
pub fn handle(input: &[u8]) -> Vec<u8> {
	let answer = match serde_json::from_slice::<Request>(input) {
		Err(e) => Answer::Error { kind: "request".into(), message: format!("{e}") },
		Ok(Request::Project { start, scenario }) => match projection::project(&start, &scenario) {
			Ok(p) => Answer::Projection(alloc::boxed::Box::new(p)),
			Err(e) => Answer::Error { kind: format!("{e:?}"), message: describe(e) },
		},
		Ok(Request::Sweep { start, scenario, grid }) =>
			match projection::sweep(&start, &scenario, &grid) {
				Ok(p) => Answer::Sweep(p),
				Err(e) => Answer::Error { kind: format!("{e:?}"), message: describe(e) },
			},
		Ok(Request::NativeValue { amounts, price, one }) => Answer::NativeValue(
			amounts
				.iter()
				.map(|a| format!("{}", reserve::native_value(*a, price, one)))
				.collect(),
		),
		Ok(Request::BuybackBound { available, pool, slippage }) => {
			let reserves = (pool.stable, pool.native);
			let x = max_within_slippage(available, reserves, slippage, |x| {
				amount_out(x, reserves, pool.fee)
			});
			Answer::BuybackBound {
				swappable: format!("{x}"),
				carried: format!("{}", available.saturating_sub(x)),
			}
		},
	};
	serde_json::to_vec(&answer).unwrap_or_default()
}

fn describe(e: projection::ProjectionError) -> String {
	use projection::ProjectionError::*;
	match e {
		InvalidParams(p) => format!("the fee parameters break a hard bound: {p:?}"),
		Paths => format!("paths must be 1 to {}", projection::MAX_PATHS),
		Days => format!("days must be 1 to {}", projection::MAX_DAYS),
		NoPrice => "no NXV price, planck per NXV or blocks per day".into(),
		Scenario => "a scenario figure is out of range (growth above −100 %, volatility ≥ 0, rates 0–1, finite numbers)".into(),
		GridSize => format!("a sweep has 1 to {} points", projection::MAX_SWEEP_POINTS),
	}
}

#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
mod wasm {
	//! The module's exports, its allocator and its panic handler.
	#![allow(unsafe_code)]

	use core::{
		alloc::{GlobalAlloc, Layout},
		cell::UnsafeCell,
	};

	const PAGE: usize = 65_536;

	/// A bump allocator over linear memory: it grows memory as needed and frees everything at
	/// once (`engine_reset`), which is all one request needs.
	struct Bump {
		/// (start of the heap, next free byte); 0 until first used.
		state: UnsafeCell<(usize, usize)>,
	}

	// Wasm here is single-threaded.
	unsafe impl Sync for Bump {}

	unsafe impl GlobalAlloc for Bump {
		unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
			let state = unsafe { &mut *self.state.get() };
			if state.0 == 0 {
				let start = core::arch::wasm32::memory_size(0) * PAGE;
				*state = (start, start);
			}
			let align = layout.align().max(8);
			let at = (state.1 + align - 1) & !(align - 1);
			let end = match at.checked_add(layout.size()) {
				Some(end) => end,
				None => return core::ptr::null_mut(),
			};
			let have = core::arch::wasm32::memory_size(0) * PAGE;
			if end > have {
				let pages = (end - have).div_ceil(PAGE);
				if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
					return core::ptr::null_mut();
				}
			}
			state.1 = end;
			at as *mut u8
		}

		unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
	}

	#[global_allocator]
	static ALLOC: Bump = Bump { state: UnsafeCell::new((0, 0)) };

	#[panic_handler]
	fn panic(_: &core::panic::PanicInfo) -> ! {
		core::arch::wasm32::unreachable()
	}

	/// Frees everything allocated since the last reset.
	#[no_mangle]
	pub extern "C" fn engine_reset() {
		let state = unsafe { &mut *ALLOC.state.get() };
		state.1 = state.0;
	}

	/// Room for a request of `len` bytes.
	#[no_mangle]
	pub extern "C" fn engine_alloc(len: usize) -> *mut u8 {
		let layout = Layout::from_size_align(len.max(1), 8).unwrap_or(Layout::new::<u64>());
		unsafe { ALLOC.alloc(layout) }
	}

	/// Answers the request of `len` bytes at `ptr`: a pointer to its length (`u32`, little
	/// endian) followed by the answer's JSON.
	#[no_mangle]
	pub extern "C" fn engine_run(ptr: *const u8, len: usize) -> *const u8 {
		let input = unsafe { core::slice::from_raw_parts(ptr, len) };
		let answer = super::handle(input);
		let mut out = alloc::vec::Vec::with_capacity(answer.len() + 4);
		out.extend_from_slice(&(answer.len() as u32).to_le_bytes());
		out.extend_from_slice(&answer);
		let p = out.as_ptr();
		core::mem::forget(out);
		p
	}
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
	use super::*;

	#[test]
	fn nxv_is_valued_as_the_runtime_values_it() {
		let a: serde_json::Value = serde_json::from_slice(&handle(
			br#"{"nativeValue": {"amounts": [1500000000000, 1], "price": 2000000, "one": 1000000000000}}"#,
		))
		.unwrap();
		// 1.5 NXV at 2 USDN: 3 USDN; one planck rounds down to nothing.
		assert_eq!(a["nativeValue"], serde_json::json!(["3000000", "0"]));
	}

	/// `fixtures/project.json`, the request `tests/dashboard/bench-engine.mjs` times, is a
	/// projection of 1,000 paths × 365 days the engine accepts (run here on a few paths).
	#[test]
	fn the_benchs_request_is_a_projection_of_1000_paths_and_365_days() {
		let Request::Project { start, mut scenario } =
			serde_json::from_str(include_str!("../fixtures/project.json")).unwrap()
		else {
			panic!("the fixture is a projection request")
		};
		assert_eq!((scenario.paths, scenario.days), (1_000, 365));
		scenario.paths = 5;
		assert!(projection::project(&start, &scenario).is_ok());
	}

	#[test]
	fn a_bad_request_is_answered_with_its_error() {
		let a: serde_json::Value = serde_json::from_slice(&handle(b"{\"nope\": 1}")).unwrap();
		assert_eq!(a["error"]["kind"], "request");
		let a: serde_json::Value = serde_json::from_slice(&handle(b"not json")).unwrap();
		assert_eq!(a["error"]["kind"], "request");
	}
}
