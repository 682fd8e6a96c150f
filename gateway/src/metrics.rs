//! Prometheus metrics, served at `/metrics` in the text format.

use prometheus::{
	Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
	TextEncoder,
};

/// Every metric the gateway exports (names prefixed `nexus_gateway_`).
pub struct Metrics {
	registry: Registry,
	/// Requests answered, by route and HTTP status.
	pub requests: IntCounterVec,
	/// Request latency, by route.
	pub latency: HistogramVec,
	/// Upstream attempts, by capsule and result (`ok`, `error`, `timeout`, `rate_limited`).
	pub attempts: IntCounterVec,
	/// Receipts by what happened to them (`served`, `failed` when persisted; `settled`,
	/// `recorded`, `rejected`, `judged` when the chain ruled).
	pub receipts: IntCounterVec,
	/// Receipts persisted and not yet ruled on by the chain.
	pub pending: IntGauge,
	/// Receipts per write transaction (one fsync each) of the group commit.
	pub commit_group: Histogram,
	/// Posted batches by result (`posted`; then `finalized` or `error`).
	pub batches: IntCounterVec,
	/// Receipts per posted batch.
	pub batch_receipts: Histogram,
	/// Batch transactions posted and not yet in a block.
	pub in_flight: IntGauge,
	/// Seconds from a receipt's request to its verdict in a finalized block.
	pub settlement_lag: Histogram,
	/// The last finalized block whose verdicts are recorded.
	pub followed_block: IntGauge,
	/// Uptime reports sent, by result.
	pub uptime_reports: IntCounterVec,
	/// The best block seen.
	pub best_block: IntGauge,
	/// 1 while the node is reachable.
	pub chain_connected: IntGauge,
}

impl Metrics {
	/// Creates and registers the metrics.
	pub fn new() -> Result<Self, prometheus::Error> {
		let registry = Registry::new_custom(Some("nexus_gateway".into()), None)?;
		let counter =
			|name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, prometheus::Error> {
				let c = IntCounterVec::new(Opts::new(name, help), labels)?;
				registry.register(Box::new(c.clone()))?;
				Ok(c)
			};
		let gauge = |name: &str, help: &str| -> Result<IntGauge, prometheus::Error> {
			let g = IntGauge::new(name, help)?;
			registry.register(Box::new(g.clone()))?;
			Ok(g)
		};
		let requests = counter("requests_total", "Requests answered", &["route", "status"])?;
		let attempts =
			counter("upstream_attempts_total", "Upstream attempts", &["capsule", "result"])?;
		let receipts = counter("receipts_total", "Receipts by fate", &["state"])?;
		let batches = counter("batches_total", "Receipt batches posted", &["result"])?;
		let uptime_reports = counter("uptime_reports_total", "report_uptime calls", &["result"])?;
		let latency = HistogramVec::new(
			HistogramOpts::new("request_duration_seconds", "Request latency").buckets(vec![
				0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
			]),
			&["route"],
		)?;
		registry.register(Box::new(latency.clone()))?;
		let commit_group = Histogram::with_opts(
			HistogramOpts::new("receipt_commit_group_size", "Receipts per durable commit")
				.buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0]),
		)?;
		registry.register(Box::new(commit_group.clone()))?;
		let batch_receipts = Histogram::with_opts(
			HistogramOpts::new("batch_receipts", "Receipts per posted batch")
				.buckets(vec![1.0, 8.0, 64.0, 256.0, 1024.0, 2048.0, 4096.0, 8192.0]),
		)?;
		registry.register(Box::new(batch_receipts.clone()))?;
		let settlement_lag = Histogram::with_opts(
			HistogramOpts::new(
				"settlement_lag_seconds",
				"From a receipt's request to its verdict in a finalized block",
			)
			.buckets(vec![1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0, 600.0]),
		)?;
		registry.register(Box::new(settlement_lag.clone()))?;
		let in_flight =
			gauge("batches_in_flight", "Batch transactions posted, not yet in a block")?;
		let followed_block =
			gauge("followed_block", "Last finalized block whose verdicts are recorded")?;
		let pending = gauge("receipts_pending", "Receipts waiting for settlement")?;
		let best_block = gauge("best_block", "Best block seen")?;
		let chain_connected = gauge("chain_connected", "1 while the node is reachable")?;
		Ok(Self {
			registry,
			requests,
			latency,
			attempts,
			receipts,
			pending,
			commit_group,
			batches,
			batch_receipts,
			in_flight,
			settlement_lag,
			followed_block,
			uptime_reports,
			best_block,
			chain_connected,
		})
	}

	/// The text exposition.
	pub fn render(&self) -> String {
		let mut out = Vec::new();
		let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
		String::from_utf8(out).unwrap_or_default()
	}
}
