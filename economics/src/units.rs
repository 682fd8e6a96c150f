//! Metered units: what one request used, by kind, as the gateway reads them from the upstream's
//! usage and as receipts carry them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Metered units of one request, as the upstream reported them. Cache reads and writes are
/// priced apart from plain input: a provider bills them at about 0.1× and 1.25× input.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Units {
	/// Input units not read from or written to a prompt cache.
	#[codec(compact)]
	pub input: u64,
	/// Output units (reasoning included).
	#[codec(compact)]
	pub output: u64,
	/// Input units read from the prompt cache.
	#[codec(compact)]
	pub cache_read: u64,
	/// Input units written to the prompt cache.
	#[codec(compact)]
	pub cache_write: u64,
}

impl Units {
	/// Plain input and output units, nothing from or to a prompt cache.
	pub const fn plain(input: u64, output: u64) -> Self {
		Self { input, output, cache_read: 0, cache_write: 0 }
	}

	/// Adds `other` kind by kind (saturating: used for running totals, where a saturated
	/// statistic must not block settlement).
	pub fn accrue(&mut self, other: &Units) {
		self.input = self.input.saturating_add(other.input);
		self.output = self.output.saturating_add(other.output);
		self.cache_read = self.cache_read.saturating_add(other.cache_read);
		self.cache_write = self.cache_write.saturating_add(other.cache_write);
	}

	/// No unit at all.
	pub fn is_zero(&self) -> bool {
		self.input == 0 && self.output == 0 && self.cache_read == 0 && self.cache_write == 0
	}
}
