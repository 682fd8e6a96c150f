//! Health probes of the capsules whose endpoints this gateway holds, and their uptime reports
//! on chain (`metering.report_uptime`).

use crate::app::App;
use nexus_client::runtime;
use std::{sync::Arc, time::Duration};
use subxt_signer::sr25519::Keypair;
use tokio_util::sync::CancellationToken;

/// Health probes: every `probe_interval_secs` each registered capsule's `GET /models` (with
/// the credential as the upstream's format takes it);
/// every `report_interval_secs` the share that answered goes on chain (`report_uptime`).
pub async fn probe(app: Arc<App>, operator: Keypair, stop: CancellationToken) {
	let every = Duration::from_secs(app.config.probe_interval_secs);
	let rounds = (app.config.report_interval_secs / app.config.probe_interval_secs).max(1);
	let mut round = 0u64;
	loop {
		tokio::select! {
			_ = tokio::time::sleep(every) => {},
			_ = stop.cancelled() => return,
		}
		for capsule in app.vault.capsules() {
			let Some(ep) = app.vault.get(capsule) else { continue };
			let url = format!("{}/models", ep.url.trim_end_matches('/'));
			let ok = matches!(
				crate::upstream::authorized(app.http.get(url), &ep, &[])
					.timeout(Duration::from_secs(5))
					.send()
					.await,
				Ok(r) if r.status().is_success()
			);
			let mut probes = app.probes.lock().unwrap_or_else(|p| p.into_inner());
			let p = probes.entry(capsule).or_default();
			p.total = p.total.saturating_add(1);
			p.ok = p.ok.saturating_add(u32::from(ok));
			p.last_ok = ok;
		}
		round += 1;
		if !round.is_multiple_of(rounds) {
			continue;
		}
		let reports: Vec<(u64, u32)> = {
			let mut probes = app.probes.lock().unwrap_or_else(|p| p.into_inner());
			probes
				.iter_mut()
				.filter(|(_, p)| p.total > 0)
				.map(|(c, p)| {
					let permill = u64::from(p.ok) * 1_000_000 / u64::from(p.total);
					p.ok = 0;
					p.total = 0;
					(*c, u32::try_from(permill).unwrap_or(1_000_000))
				})
				.collect()
		};
		if reports.is_empty() {
			continue;
		}
		// One transaction per round; `force_batch` so that a capsule retired meanwhile does not
		// stop the others' reports.
		use runtime::runtime_types::{
			nexus_runtime::RuntimeCall, pallet_metering::pallet::Call,
			sp_arithmetic::per_things::Permill,
		};
		let calls: Vec<RuntimeCall> = reports
			.iter()
			.map(|(capsule, uptime)| {
				RuntimeCall::Metering(Call::report_uptime {
					gateway: app.chain.gateway,
					capsule: *capsule,
					uptime: Permill(*uptime),
				})
			})
			.collect();
		let call = runtime::tx().utility().force_batch(calls);
		let who = nexus_client::account_of(&operator);
		let result = match app.nonces.take(&app.chain.client, &who).await {
			Ok(nonce) => app.chain.client.submit(&call, &operator, Some(nonce), |_| {}).await,
			Err(e) => Err(e),
		};
		if result.is_err() {
			app.nonces.resync().await;
		}
		let label = if result.is_ok() { "ok" } else { "error" };
		app.metrics.uptime_reports.with_label_values(&[label]).inc();
		match result {
			Ok(done) => {
				let reported = done
					.events
					.find::<runtime::metering::events::UptimeReported>()
					.filter(Result::is_ok)
					.count();
				tracing::info!(target: "gateway::probe", "uptime of {reported}/{} capsules reported: {reports:?}", reports.len())
			},
			Err(e) => tracing::warn!(target: "gateway::probe", "uptime report failed: {e}"),
		}
	}
}
