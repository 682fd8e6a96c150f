//! Admission: before an upstream is called, a request must fit what its session can still pay
//! (its cap, less what the chain has charged, what unsettled receipts will charge and what
//! requests in flight hold), the seeker's tier rate limit (metered units per window, across
//! its sessions), and the capsule's capacity and concurrency (with the top share kept for
//! higher tiers). The output limit sent upstream is clamped to what all of them still allow,
//! and the admission holds its worst-case price until the receipt is persisted.

use crate::{
	app::{lock, now_ms, App, Hold},
	chain::{Rates, Seeker},
};
use std::sync::Arc;

fn window_ms(window: &str) -> u64 {
	match window {
		"hour" => 3_600_000,
		"day" => 86_400_000,
		_ => 7 * 86_400_000,
	}
}

/// The part (per mille) of a capsule's capacity and concurrency a seeker of failover priority
/// `p` may use when the top priority is `top`: all of it for the top tier, `1 − reserve` for
/// the lowest, linear between.
pub fn share_permille(p: u8, top: u8, reserve_percent: u8) -> u64 {
	if top == 0 || p >= top {
		return 1_000;
	}
	let reserve = u64::from(reserve_percent) * 10;
	1_000 - reserve * u64::from(top - p) / u64::from(top)
}

/// A request admitted to one capsule: what it holds, released when dropped.
pub struct Admission {
	app: Arc<App>,
	session: u64,
	capsule: u64,
	hold: Hold,
	/// The output limit the upstream is sent.
	pub max_output: u64,
}

impl Drop for Admission {
	fn drop(&mut self) {
		let mut ledger = lock(&self.app.ledger);
		if let Some(h) = ledger.held.get_mut(&self.session) {
			h.money = h.money.saturating_sub(self.hold.money);
			h.units = h.units.saturating_sub(self.hold.units);
			if h.money == 0 && h.units == 0 {
				ledger.held.remove(&self.session);
			}
		}
		ledger.forget_if_idle(self.session);
		if let Some(n) = ledger.inflight.get_mut(&self.capsule) {
			*n = n.saturating_sub(1);
		}
	}
}

/// Why a request was not admitted.
pub enum Refusal {
	/// The session cannot pay for it.
	Payment(String),
	/// The tier's rate limit is used up.
	Rate(String),
	/// This capsule is at the capacity or concurrency the seeker's tier may use.
	Busy,
}

/// Admits a request of `input` estimated input units asking for `requested` output units.
pub fn admit(
	app: &Arc<App>,
	seeker: &Seeker,
	capsule: &nexus_client::rpc::Capsule,
	rates: Rates,
	input: u64,
	requested: u64,
) -> Result<Admission, Refusal> {
	let s = &seeker.session;
	let cap: u128 = s.cap.parse().unwrap_or(0);
	let spent: u128 = s.spent.parse().unwrap_or(u128::MAX);
	let share = share_permille(
		seeker.tier.failover_priority,
		seeker.top_priority,
		app.config.priority_reserve_percent,
	);
	let mut ledger = lock(&app.ledger);
	let account = seeker.account.0;
	// This session's receipts the chain has not seen (above its `last_seq`) hold money and
	// units; the seeker's other sessions' pending receipts hold units (the chain's rate limit
	// counts the account), conservatively all of them.
	let mut pending_money = 0u128;
	let mut pending_units = 0u64;
	let mut held_money = 0u128;
	let mut held_units = 0u64;
	for (session, seqs) in &ledger.pending {
		if *session == s.id {
			for h in seqs.range(s.last_seq.saturating_add(1)..).map(|(_, h)| h) {
				pending_money = pending_money.saturating_add(h.money);
				pending_units = pending_units.saturating_add(h.units);
			}
		} else if ledger.seekers.get(session) == Some(&account) {
			let units = seqs.values().fold(0u64, |u, h| u.saturating_add(h.units));
			pending_units = pending_units.saturating_add(units);
		}
	}
	for (session, h) in &ledger.held {
		if *session == s.id {
			held_money = held_money.saturating_add(h.money);
		}
		if ledger.seekers.get(session) == Some(&account) {
			held_units = held_units.saturating_add(h.units);
		}
	}
	let budget = cap
		.saturating_sub(spent)
		.saturating_sub(pending_money)
		.saturating_sub(held_money);
	let units_left = seeker
		.tier
		.rate_limit
		.saturating_sub(seeker.used_units)
		.saturating_sub(pending_units)
		.saturating_sub(held_units);
	if units_left <= input {
		return Err(Refusal::Rate(format!(
			"Rate limit reached for your tier: {} metered units per window; {} left.",
			seeker.tier.rate_limit, units_left
		)));
	}
	let affordable = rates.affordable_output(budget, input);
	if affordable == 0 {
		return Err(Refusal::Payment(format!(
			"Session {} cannot pay for this request: {} of its cap of {} is left.",
			s.id, budget, cap
		)));
	}
	// Capacity and concurrency, with the top share kept for higher tiers.
	let now_window = now_ms() / 3_600_000;
	let per_hour = capsule
		.capacity
		.saturating_mul(3_600_000)
		.checked_div(window_ms(&capsule.window))
		.unwrap_or(0)
		.max(1);
	let allowed = per_hour.saturating_mul(share) / 1_000;
	let used = match ledger.capsule_use.get(&capsule.id) {
		Some((w, u)) if *w == now_window => *u,
		_ => 0,
	};
	let slots = (u64::from(capsule.concurrency).saturating_mul(share) / 1_000).max(1);
	let inflight = ledger.inflight.get(&capsule.id).copied().unwrap_or(0);
	if used >= allowed || u64::from(inflight) >= slots {
		return Err(Refusal::Busy);
	}
	let max_output = requested.min(affordable).min(units_left.saturating_sub(input));
	let hold =
		Hold { money: rates.hold(input, max_output), units: input.saturating_add(max_output) };
	ledger.seekers.insert(s.id, account);
	let h = ledger.held.entry(s.id).or_default();
	h.money = h.money.saturating_add(hold.money);
	h.units = h.units.saturating_add(hold.units);
	let n = ledger.inflight.entry(capsule.id).or_default();
	*n = n.saturating_add(1);
	Ok(Admission { app: app.clone(), session: s.id, capsule: capsule.id, hold, max_output })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn higher_tiers_keep_the_reserved_share() {
		assert_eq!(share_permille(0, 4, 20), 800);
		assert_eq!(share_permille(2, 4, 20), 900);
		assert_eq!(share_permille(4, 4, 20), 1_000);
		assert_eq!(share_permille(0, 0, 20), 1_000);
	}
}
