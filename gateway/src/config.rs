//! Configuration: a TOML file, then `NEXUS_GATEWAY_<FIELD>` environment variables over it
//! (e.g. `NEXUS_GATEWAY_NODE_URL=ws://…`, `NEXUS_GATEWAY_OPERATOR_SURI=//Dave`).

use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf};

/// Everything the gateway is configured with (see `docs/gateway.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
	/// Where the OpenAI-compatible API, `/health`, `/metrics` and `/admin` listen.
	pub listen: SocketAddr,
	/// The node's websocket RPC.
	pub node_url: String,
	/// This gateway's on-chain id (`metering.gateways`).
	pub gateway_id: u32,
	/// The operator account's secret URI (signs `submit_batch` and `report_uptime`).
	pub operator_suri: Option<String>,
	/// A file holding the operator's secret URI (instead of `operator_suri`).
	pub operator_key_file: Option<PathBuf>,
	/// The receipt-signing key's secret URI, when it is not the operator's.
	pub signing_suri: Option<String>,
	/// Where the receipt database and the master key live.
	pub data_dir: PathBuf,
	/// The 32-byte key (hex) that encrypts providers' upstream credentials at rest; by default
	/// `<data_dir>/master.key`, created on first start (mode 0600).
	pub master_key_file: Option<PathBuf>,
	/// Bearer token for the operator's `/admin/v1/receipts` views (unset: they are off).
	pub admin_token: Option<String>,
	/// Time allowed to an upstream attempt (to the response headers; the whole body for a
	/// non-streaming request), in milliseconds.
	pub upstream_timeout_ms: u64,
	/// Capsules tried per request before answering 503.
	pub max_attempts: u32,
	/// Receipts per batch at most (0: the runtime's `maxBatchReceipts`; a larger value is
	/// capped at it).
	pub batch_receipts: u32,
	/// Batch transactions posted and not yet in a block, at most (1 to 16).
	pub max_in_flight: u32,
	/// How often the poster looks again for a full batch while the current block has its
	/// batch, in milliseconds.
	pub batch_interval_ms: u64,
	/// Seconds between health probes of every registered capsule.
	pub probe_interval_secs: u64,
	/// Seconds between `report_uptime` calls (each reports the probes since the last one).
	pub report_interval_secs: u64,
	/// Share (percent) of each capsule's capacity and concurrency kept for higher tiers: the
	/// lowest tier may use `100 − reserve` percent, the highest all of it.
	pub priority_reserve_percent: u8,
	/// Completion tokens asked for when a request sets no `max_tokens`.
	pub default_max_tokens: u64,
	/// Seconds a graceful shutdown waits for the submitter to post what is pending.
	pub shutdown_grace_secs: u64,
	/// Days settled receipts stay in the database (pending ones stay until settled).
	pub retention_days: u64,
	/// Seconds a client has to send a request's head; an idle kept-alive connection is closed
	/// after as long.
	pub header_timeout_secs: u64,
	/// Seconds a client has to send a request's body.
	pub body_timeout_secs: u64,
	/// Seconds a client may leave response bytes unread before its connection is closed (a
	/// client that stops reading cannot hold a connection, or a stream, for ever).
	pub write_timeout_secs: u64,
	/// Largest request body, in bytes (Anthropic takes Messages requests up to 32 MB; an
	/// agent's request with its history, tools and images can approach it).
	pub max_body_bytes: usize,
	/// Connections served at once; further ones wait to be accepted.
	pub max_connections: usize,
}

impl Default for Config {
	fn default() -> Self {
		Self {
			listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
			node_url: "ws://127.0.0.1:9944".into(),
			gateway_id: 0,
			operator_suri: None,
			operator_key_file: None,
			signing_suri: None,
			data_dir: PathBuf::from("gateway-data"),
			master_key_file: None,
			admin_token: None,
			upstream_timeout_ms: 30_000,
			max_attempts: 3,
			batch_receipts: 0,
			max_in_flight: 4,
			batch_interval_ms: 500,
			probe_interval_secs: 30,
			report_interval_secs: 300,
			priority_reserve_percent: 20,
			default_max_tokens: 4_096,
			shutdown_grace_secs: 30,
			retention_days: 7,
			header_timeout_secs: 15,
			body_timeout_secs: 30,
			write_timeout_secs: 30,
			max_body_bytes: 32 * 1024 * 1024,
			max_connections: 512,
		}
	}
}

/// Upper bounds of the client limits (the server's timers and semaphore need finite values).
const MAX_CLIENT_TIMEOUT_SECS: u64 = 3_600;
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
const MAX_CONNECTIONS: usize = 65_536;

/// The fields, as the file and the environment name them.
const FIELDS: [&str; 25] = [
	"listen",
	"node_url",
	"gateway_id",
	"operator_suri",
	"operator_key_file",
	"signing_suri",
	"data_dir",
	"master_key_file",
	"admin_token",
	"upstream_timeout_ms",
	"max_attempts",
	"batch_receipts",
	"max_in_flight",
	"batch_interval_ms",
	"probe_interval_secs",
	"report_interval_secs",
	"priority_reserve_percent",
	"default_max_tokens",
	"shutdown_grace_secs",
	"retention_days",
	"header_timeout_secs",
	"body_timeout_secs",
	"write_timeout_secs",
	"max_body_bytes",
	"max_connections",
];

/// A configuration that cannot be used, named.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	#[error("reading {0}: {1}")]
	Read(PathBuf, std::io::Error),
	#[error("{0}")]
	Parse(String),
	#[error("invalid configuration: {0}")]
	Invalid(&'static str),
}

impl Config {
	/// Loads `file` (if given), overlays the environment, and validates.
	pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
		let text = match file {
			Some(path) =>
				std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.into(), e))?,
			None => String::new(),
		};
		let env: Vec<(String, String)> = FIELDS
			.iter()
			.filter_map(|f| {
				std::env::var(format!("NEXUS_GATEWAY_{}", f.to_uppercase()))
					.ok()
					.map(|v| (f.to_string(), v))
			})
			.collect();
		Self::from_parts(&text, env)
	}

	fn from_parts(text: &str, env: Vec<(String, String)>) -> Result<Self, ConfigError> {
		let mut table: toml::Table =
			toml::from_str(text).map_err(|e| ConfigError::Parse(format!("config file: {e}")))?;
		for (field, value) in env {
			// Numbers stay numbers; everything else is a string.
			let v = value
				.parse::<i64>()
				.map(toml::Value::Integer)
				.unwrap_or_else(|_| toml::Value::String(value.clone()));
			table.insert(field, v);
		}
		let config: Config = toml::Value::Table(table)
			.try_into()
			.map_err(|e: toml::de::Error| ConfigError::Parse(e.to_string()))?;
		config.validate()?;
		Ok(config)
	}

	fn validate(&self) -> Result<(), ConfigError> {
		if self.operator_suri.is_none() && self.operator_key_file.is_none() {
			return Err(ConfigError::Invalid("operator_suri or operator_key_file is required"));
		}
		if self.max_in_flight == 0 || self.max_in_flight > 16 {
			return Err(ConfigError::Invalid("max_in_flight must be between 1 and 16"));
		}
		if self.batch_interval_ms == 0 {
			return Err(ConfigError::Invalid("batch_interval_ms must be at least 1"));
		}
		if self.max_attempts == 0 {
			return Err(ConfigError::Invalid("max_attempts must be at least 1"));
		}
		if self.priority_reserve_percent > 90 {
			return Err(ConfigError::Invalid("priority_reserve_percent must be at most 90"));
		}
		if self.upstream_timeout_ms == 0 || self.probe_interval_secs == 0 {
			return Err(ConfigError::Invalid("timeouts and intervals must be positive"));
		}
		if self.report_interval_secs < self.probe_interval_secs {
			return Err(ConfigError::Invalid("report_interval_secs must be ≥ probe_interval_secs"));
		}
		let client_timeouts =
			[self.header_timeout_secs, self.body_timeout_secs, self.write_timeout_secs];
		if client_timeouts.iter().any(|t| *t == 0 || *t > MAX_CLIENT_TIMEOUT_SECS) {
			return Err(ConfigError::Invalid(
				"header, body and write timeouts must be between 1 and 3600 seconds",
			));
		}
		if self.max_body_bytes < 1024 || self.max_body_bytes > MAX_BODY_BYTES {
			return Err(ConfigError::Invalid("max_body_bytes must be between 1024 and 64 MiB"));
		}
		if self.max_connections == 0 || self.max_connections > MAX_CONNECTIONS {
			return Err(ConfigError::Invalid("max_connections must be between 1 and 65536"));
		}
		if self.default_max_tokens == 0 {
			return Err(ConfigError::Invalid("default_max_tokens must be positive"));
		}
		Ok(())
	}

	/// The operator's secret URI, from the config or its key file.
	pub fn operator_suri(&self) -> Result<String, ConfigError> {
		match (&self.operator_suri, &self.operator_key_file) {
			(Some(s), _) => Ok(s.clone()),
			(None, Some(path)) => std::fs::read_to_string(path)
				.map(|s| s.trim().to_string())
				.map_err(|e| ConfigError::Read(path.clone(), e)),
			(None, None) => Err(ConfigError::Invalid("no operator key")),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn env_overrides_the_file_and_bad_values_are_named() {
		let file = "node_url = \"ws://a:1\"\ngateway_id = 3\noperator_suri = \"//Dave\"\n";
		let c = Config::from_parts(file, vec![("gateway_id".into(), "7".into())]).unwrap();
		assert_eq!((c.node_url.as_str(), c.gateway_id), ("ws://a:1", 7));
		assert_eq!((c.batch_receipts, c.max_in_flight), (0, 4));
		let e = Config::from_parts("operator_suri = \"//Dave\"\nmax_in_flight = 17\n", vec![]);
		assert!(matches!(e, Err(ConfigError::Invalid(_))));
		let e = Config::from_parts("operator_suri = \"//Dave\"\nbogus = 1\n", vec![]);
		assert!(matches!(e, Err(ConfigError::Parse(m)) if m.contains("bogus")));
		assert!(matches!(Config::from_parts("", vec![]), Err(ConfigError::Invalid(_))));
		let e = Config::from_parts(
			"operator_suri = \"//Dave\"\n",
			vec![("listen".into(), "not an address".into())],
		);
		assert!(matches!(e, Err(ConfigError::Parse(_))));
	}

	#[test]
	fn client_limits_are_bounded() {
		let ok = |field: &str, value: &str| {
			Config::from_parts("operator_suri = \"//Dave\"\n", vec![(field.into(), value.into())])
				.is_ok()
		};
		for field in ["header_timeout_secs", "body_timeout_secs", "write_timeout_secs"] {
			assert!(ok(field, "1") && ok(field, "3600"), "{field}");
			assert!(!ok(field, "0") && !ok(field, "3601"), "{field}");
		}
		assert!(ok("max_connections", "65536") && !ok("max_connections", "65537"));
		assert!(!ok("max_connections", "0"));
		assert!(ok("max_body_bytes", "1024") && !ok("max_body_bytes", "1023"));
		assert!(!ok("max_body_bytes", &(64 * 1024 * 1024 + 1).to_string()));
	}
}
