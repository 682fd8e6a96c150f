//! The gateway's router (`nexus_gateway::Gateway::router`), driven in Rust without a socket
//! (`tower::ServiceExt::oneshot`), against a real `nexus-node --dev` and a real mock upstream —
//! the release binaries `scripts/build.sh` builds (or `NEXUS_NODE` / `NEXUS_MOCK_UPSTREAM`): a
//! provider registers a capsule whose upstream speaks Anthropic Messages and hands the router
//! its version-2 endpoint; a seeker calls the three APIs by an upstream model id (an alias);
//! every answer settles on chain.

use axum::{
	body::Body,
	http::{Request, StatusCode},
	Router,
};
use http_body_util::BodyExt;
use nexus_client::{
	commitment_of, endpoint_registration_payload, generate_api_key, keypair, parse_asset, Client,
	Price, Window, Wire,
};
use serde_json::{json, Value};
use std::{
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tower::ServiceExt;

/// A child process killed when dropped (also when the test fails).
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

fn binary(env: &str, name: &str) -> PathBuf {
	if let Ok(p) = std::env::var(env) {
		return p.into();
	}
	let target = std::env::var("CARGO_TARGET_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"));
	let path = target.join("release").join(name);
	assert!(path.exists(), "{} is not built: run scripts/build.sh", path.display());
	path
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn call(
	router: &Router,
	request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
	let response = router.clone().oneshot(request).await.unwrap();
	let (parts, body) = response.into_parts();
	(parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

fn post(path: &str, headers: &[(&str, &str)], body: Value) -> Request<Body> {
	let mut r = Request::post(path).header("content-type", "application/json");
	for (k, v) in headers {
		r = r.header(*k, *v);
	}
	r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_router_serves_every_api_by_alias_and_settles() {
	let (rpc, p2p, upstream_port) = (free_port(), free_port(), free_port());
	let data = std::env::temp_dir().join(format!("nexus-router-test-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&data);
	let _node = Process(
		Command::new(binary("NEXUS_NODE", "nexus-node"))
			.args(["--dev", "--tmp", "--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(["--rpc-port", &rpc.to_string()])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p}")])
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.unwrap(),
	);
	let endpoint = format!("http://127.0.0.1:{upstream_port}/v1");
	let _upstream = Process(
		Command::new(binary("NEXUS_MOCK_UPSTREAM", "nexus-mock-upstream"))
			.args(["--listen", &format!("127.0.0.1:{upstream_port}"), "--credential", "sk-router"])
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.unwrap(),
	);
	let url = format!("ws://127.0.0.1:{rpc}");
	let started = Instant::now();
	let client = loop {
		if let Ok(c) = Client::connect(&url).await {
			if c.best_number().await.is_ok_and(|n| n >= 1) {
				break c;
			}
		}
		assert!(started.elapsed() < Duration::from_secs(90), "the node did not start");
		tokio::time::sleep(Duration::from_millis(500)).await;
	};

	// A provider lists a capsule whose upstream speaks Anthropic Messages; a seeker opens a
	// session and binds a key.
	let (bob, ferdie) = (keypair("//Bob").unwrap(), keypair("//Ferdie").unwrap());
	let wire = Wire::new("anthropic-messages", "claude-sonnet-4-6").unwrap();
	let spec = nexus_client::CapsuleRegistration {
		offering: "claude-sonnet".into(),
		premium: false,
		price: Price {
			per_1k_input: 1_800,
			per_1k_output: 9_000,
			per_1k_cache_read: 180,
			per_1k_cache_write: 2_250,
		},
		capacity: 10_000_000,
		window: Window::Day,
		concurrency: 8,
		region: "eu-west".into(),
		endpoint_commitment: commitment_of(&endpoint, "sk-router", Some(&wire)),
		metadata: vec![],
	};
	let usdn = parse_asset("USDN").unwrap();
	let (capsule, _) = futures::future::join(
		client.register_capsule(&bob, spec, |_| {}),
		client.deposit(&ferdie, usdn.clone(), 50_000_000, |_| {}),
	)
	.await;
	let capsule = capsule.unwrap().id;
	let expires = client.best_number().await.unwrap() + 3_000;
	let session = client
		.open_session(&ferdie, 0, usdn, 20_000_000, expires, |_| {})
		.await
		.unwrap()
		.id;
	let key = generate_api_key().unwrap();
	client.bind_api_key(&ferdie, session, &key, |_| {}).await.unwrap();

	let config = nexus_gateway::config::Config {
		node_url: url.clone(),
		operator_suri: Some("//Dave".into()),
		data_dir: data.clone(),
		..Default::default()
	};
	let gateway = nexus_gateway::start(config).await.unwrap();
	let router = gateway.router();

	// The provider hands the router its upstream (signed by the capsule's owner).
	let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
	let genesis = client.api().genesis_hash().0;
	let payload = endpoint_registration_payload(
		genesis,
		0,
		capsule,
		&endpoint,
		"sk-router",
		Some(&wire),
		now,
	);
	let registration = json!({
		"capsule": capsule, "endpoint": endpoint, "credential": "sk-router",
		"format": "anthropic-messages", "model": "claude-sonnet-4-6", "timestampMs": now,
		"signature": format!("0x{}", hex::encode(bob.sign(&payload).0)),
	});
	let (status, _, body) = call(&router, post("/admin/v1/endpoints", &[], registration)).await;
	assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));

	// Anthropic Messages, passed through, by the upstream's model id (an alias on chain).
	let anthropic = [("x-api-key", key.as_str()), ("anthropic-version", "2023-06-01")];
	let ask = json!({"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]});
	let (status, headers, body) = call(&router, post("/v1/messages", &anthropic, ask)).await;
	assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
	let message: Value = serde_json::from_slice(&body).unwrap();
	assert_eq!(message["content"][0]["text"], "nexus vault routes idle access to routed demand");
	assert_eq!(headers["x-nexus-capsule"], capsule.to_string().as_str());
	assert!(headers["request-id"].to_str().unwrap().starts_with("req_"));

	// OpenAI Responses and a Chat Completions stream, translated to the Anthropic upstream.
	let bearer = format!("Bearer {key}");
	let openai = [("authorization", bearer.as_str())];
	let ask = json!({"model": "claude-sonnet", "input": "hi", "max_output_tokens": 3});
	let (status, _, body) = call(&router, post("/v1/responses", &openai, ask)).await;
	assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
	let response: Value = serde_json::from_slice(&body).unwrap();
	assert!(response["id"].as_str().unwrap().starts_with("resp_"));
	assert_eq!(response["status"], "incomplete");
	assert_eq!(response["output"][0]["content"][0]["text"], "nexus vault routes");
	let ask = json!({"model": "claude-sonnet-4-6", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
	let (status, headers, body) = call(&router, post("/v1/chat/completions", &openai, ask)).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(headers["content-type"], "text/event-stream");
	let text = String::from_utf8(body).unwrap();
	assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
	assert!(text.contains("\"finish_reason\":\"stop\""), "{text}");

	// Errors in each API's shape.
	let (status, _, body) =
		call(&router, post("/v1/messages", &[("anthropic-version", "2023-06-01")], json!({})))
			.await;
	assert_eq!(status, StatusCode::UNAUTHORIZED);
	let error: Value = serde_json::from_slice(&body).unwrap();
	assert_eq!(
		(error["type"].as_str(), error["error"]["type"].as_str()),
		(Some("error"), Some("authentication_error"))
	);
	let unknown = Request::get("/v1/nope")
		.header("anthropic-version", "2023-06-01")
		.body(Body::empty())
		.unwrap();
	let (status, _, body) = call(&router, unknown).await;
	assert_eq!(status, StatusCode::NOT_FOUND);
	assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["error"]["type"], "not_found_error");

	// Every answer settles on chain.
	let deadline = Instant::now() + Duration::from_secs(180);
	loop {
		let counts = gateway.app.store.counts().unwrap();
		if counts.get("pending").copied().unwrap_or(0) == 0 &&
			counts.get("settled").copied().unwrap_or(0) == 3
		{
			break;
		}
		assert!(Instant::now() < deadline, "not settled: {counts:?}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let spent: u128 = client.session(session).await.unwrap().spent.parse().unwrap();
	assert!(spent > 0);
	gateway.stop().await;
	let _ = std::fs::remove_dir_all(&data);
}
