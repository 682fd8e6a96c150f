//! The distributions over paths: each day's values of every path are kept and reduced to the
//! 10th, 50th and 90th percentiles.

use super::{MilestoneOdds, Projection, Scenario, Start, SweepPoint, UnlockPeriod};
use crate::settlement::FeeParams;
use alloc::{vec, vec::Vec};
use serde::{Deserialize, Serialize};

/// Percentiles 10, 50 and 90 of a figure, per day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bands {
	/// 10th percentile per day.
	pub p10: Vec<f64>,
	/// Median per day.
	pub p50: Vec<f64>,
	/// 90th percentile per day.
	pub p90: Vec<f64>,
}

/// One path's figures of one day.
pub struct Day {
	pub coverage: f64,
	pub reserve: f64,
	pub treasury: f64,
	pub float: f64,
	pub take: f64,
	pub fees: f64,
	pub emissions: f64,
	/// NXV unlocked that day from the starting schedules.
	pub scheduled_unlock: f64,
	/// NXV unlocked that day from tranches released on the path.
	pub released_unlock: f64,
}

const SERIES: usize = 7;

/// What the paths recorded.
pub struct Book {
	days: usize,
	paths: usize,
	/// `series[s][day * paths + path]`.
	series: Vec<Vec<f64>>,
	/// NXV unlocked per path per 30-day period from released tranches.
	released: Vec<Vec<f64>>,
	/// NXV unlocked per 30-day period from the starting schedules (the same on every path).
	scheduled: Vec<f64>,
	/// Per milestone, per path: the day it was reached.
	milestones: Vec<Vec<Option<u32>>>,
	indices: Vec<u32>,
	shortfall: Vec<Option<u32>>,
	days_short: Vec<f64>,
	exhausted: Vec<bool>,
	treasury_exhausted: Vec<bool>,
	runway: Vec<Option<f64>>,
	validator_yield: Vec<f64>,
}

/// `q` (0–1) of `values` (reordered), by the nearest rank.
fn quantile(values: &mut [f64], q: f64) -> f64 {
	if values.is_empty() {
		return 0.0;
	}
	let last = values.len().saturating_sub(1);
	let rank = ((last as f64) * q + 0.5) as usize;
	let rank = rank.min(last);
	let (_, v, _) = values.select_nth_unstable_by(rank, |a, b| a.total_cmp(b));
	*v
}

fn three(values: &mut [f64]) -> [f64; 3] {
	[quantile(values, 0.1), quantile(values, 0.5), quantile(values, 0.9)]
}

fn periods(days: usize) -> usize {
	days.div_ceil(30)
}

impl Book {
	/// An empty book for `paths` paths of `days` days from `start`.
	pub fn new(days: u32, paths: u32, start: &Start) -> Self {
		let (days, paths) = (days as usize, paths as usize);
		let cells = days.saturating_mul(paths);
		Self {
			days,
			paths,
			series: (0..SERIES).map(|_| vec![0f64; cells]).collect(),
			released: vec![vec![0.0; periods(days)]; paths],
			scheduled: vec![0.0; periods(days)],
			milestones: vec![vec![None; paths]; start.milestones.len()],
			indices: start.milestones.iter().map(|m| m.index).collect(),
			shortfall: vec![None; paths],
			days_short: vec![0.0; paths],
			exhausted: vec![false; paths],
			treasury_exhausted: vec![false; paths],
			runway: vec![None; paths],
			validator_yield: vec![0.0; paths],
		}
	}

	/// Records path `p`'s day `day`.
	pub fn day(&mut self, p: u32, day: u32, d: Day) {
		let (p, day) = (p as usize, day as usize);
		let cell = day.saturating_mul(self.paths).saturating_add(p);
		let values = [d.coverage, d.reserve, d.treasury, d.float, d.take, d.fees, d.emissions];
		for (series, v) in self.series.iter_mut().zip(values) {
			if let Some(slot) = series.get_mut(cell) {
				*slot = v;
			}
		}
		let period = day / 30;
		if let Some(r) = self.released.get_mut(p).and_then(|r| r.get_mut(period)) {
			*r += d.released_unlock;
		}
		if p == 0 {
			if let Some(s) = self.scheduled.get_mut(period) {
				*s += d.scheduled_unlock;
			}
		}
	}

	/// Records that path `p` reached milestone `i` on `day`.
	pub fn milestone(&mut self, i: usize, p: u32, day: u32) {
		if let Some(slot) = self.milestones.get_mut(i).and_then(|m| m.get_mut(p as usize)) {
			*slot = Some(day);
		}
	}

	/// Records how path `p` ended.
	pub fn path_end(
		&mut self,
		p: u32,
		(shortfall, days_short): (Option<u32>, u32),
		exhausted: bool,
		treasury_exhausted: bool,
		runway: Option<f64>,
		validator_yield: f64,
	) {
		let p = p as usize;
		if let Some(s) = self.shortfall.get_mut(p) {
			*s = shortfall;
		}
		if let Some(s) = self.days_short.get_mut(p) {
			*s = f64::from(days_short);
		}
		if let Some(s) = self.exhausted.get_mut(p) {
			*s = exhausted;
		}
		if let Some(s) = self.treasury_exhausted.get_mut(p) {
			*s = treasury_exhausted;
		}
		if let Some(s) = self.runway.get_mut(p) {
			*s = runway;
		}
		if let Some(s) = self.validator_yield.get_mut(p) {
			*s = validator_yield;
		}
	}

	fn bands(&mut self, s: usize) -> Bands {
		let (days, paths) = (self.days, self.paths);
		let mut out = Bands {
			p10: Vec::with_capacity(days),
			p50: Vec::with_capacity(days),
			p90: Vec::with_capacity(days),
		};
		if let Some(series) = self.series.get_mut(s) {
			for day in series.chunks_mut(paths.max(1)).take(days) {
				let [a, b, c] = three(day);
				out.p10.push(a);
				out.p50.push(b);
				out.p90.push(c);
			}
		}
		out
	}

	fn share(flags: impl Iterator<Item = bool>, n: usize) -> f64 {
		if n == 0 {
			return 0.0;
		}
		flags.filter(|x| *x).count() as f64 / n as f64
	}

	fn three_of(values: impl Iterator<Item = f64>) -> Option<[f64; 3]> {
		let mut v: Vec<f64> = values.collect();
		if v.is_empty() {
			None
		} else {
			Some(three(&mut v))
		}
	}

	/// The distributions.
	pub fn finish(mut self, scenario: &Scenario) -> Projection {
		let n = self.paths;
		let last = self.days.saturating_sub(1);
		let fees_over_emissions = {
			let cell = |s: usize, p: usize| {
				self.series
					.get(s)
					.and_then(|v| v.get(last.saturating_mul(n).saturating_add(p)))
					.copied()
					.unwrap_or(0.0)
			};
			Self::three_of((0..n).filter_map(|p| {
				let (fees, emissions) = (cell(5, p), cell(6, p));
				(emissions > 0.0).then(|| fees / emissions)
			}))
		};
		let milestones = self
			.milestones
			.iter()
			.zip(&self.indices)
			.map(|(days, index)| {
				let reached: Vec<f64> = days.iter().flatten().map(|d| f64::from(*d)).collect();
				let probability = reached.len() as f64 / n.max(1) as f64;
				let mut r = reached;
				MilestoneOdds {
					index: *index,
					probability,
					median_day: (!r.is_empty()).then(|| quantile(&mut r, 0.5)),
				}
			})
			.collect();
		let unlocks = (0..periods(self.days))
			.map(|k| UnlockPeriod {
				from_day: u32::try_from(k.saturating_mul(30)).unwrap_or(u32::MAX),
				scheduled: self.scheduled.get(k).copied().unwrap_or(0.0),
				released: Self::three_of(
					self.released.iter().map(|r| r.get(k).copied().unwrap_or(0.0)),
				)
				.unwrap_or([0.0; 3]),
			})
			.collect();
		Projection {
			paths: scenario.paths,
			days: scenario.days,
			coverage: self.bands(0),
			reserve_value: self.bands(1),
			treasury_value: self.bands(2),
			float_share: self.bands(3),
			take: self.bands(4),
			fees: self.bands(5),
			emissions: self.bands(6),
			shortfall_probability: Self::share(self.shortfall.iter().map(Option::is_some), n),
			shortfall_day: Self::three_of(self.shortfall.iter().flatten().map(|d| f64::from(*d))),
			shortfall_days: Self::three_of(self.days_short.iter().copied()).unwrap_or([0.0; 3]),
			exhausted_probability: Self::share(self.exhausted.iter().copied(), n),
			runway_days: Self::three_of(self.runway.iter().flatten().copied()),
			treasury_exhausted_probability: Self::share(self.treasury_exhausted.iter().copied(), n),
			validator_yield: Self::three_of(self.validator_yield.iter().copied())
				.unwrap_or([0.0; 3]),
			fees_over_emissions,
			milestones,
			unlocks,
		}
	}

	/// One sweep point: the providers' share, the median take per day and the share of paths
	/// whose reserve is at or above the shortfall threshold at the horizon.
	pub fn point(mut self, params: FeeParams, scenario: &Scenario) -> SweepPoint {
		let n = self.paths;
		let last = self.days.saturating_sub(1).saturating_mul(n);
		let held = self
			.series
			.first()
			.and_then(|coverage| coverage.get(last..last.saturating_add(n)))
			.map(|at_end| at_end.iter().filter(|c| **c >= scenario.shortfall_below).count())
			.unwrap_or(0);
		let take = self.bands(4);
		let take_per_day = if take.p50.is_empty() {
			0.0
		} else {
			take.p50.iter().sum::<f64>() / take.p50.len() as f64
		};
		SweepPoint {
			params,
			provider_share: 1.0 - f64::from(params.take_rate.deconstruct()) / 1e9,
			take_per_day,
			coverage_held: held as f64 / n.max(1) as f64,
		}
	}
}
