//! Errors answered to seekers, in the shape of the API they called: OpenAI's
//! `{"error": {"message", "type", "param", "code"}}` on `/v1/chat/completions`,
//! `/v1/responses` and the OpenAI model list; Anthropic's `{"type": "error", "error": {"type",
//! "message"}, "request_id"}` on `/v1/messages`. The status is the one each SDK maps to its
//! named exception; 429 and 503 carry `Retry-After`.

use crate::wire::{messages, Format};
use axum::{
	http::{HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use serde_json::json;

/// Longest piece of a seeker's input an error message repeats.
pub const MAX_ECHO: usize = 64;

/// `s`, cut to [`MAX_ECHO`] characters (an error never echoes a large input back).
pub fn echo(s: &str) -> String {
	if s.chars().count() <= MAX_ECHO {
		return s.to_string();
	}
	let cut: String = s.chars().take(MAX_ECHO).collect();
	format!("{cut}… ({} bytes)", s.len())
}

/// An error answered to a seeker.
#[derive(Debug, Clone)]
pub struct ApiError {
	pub status: StatusCode,
	/// OpenAI's error `type`.
	pub kind: &'static str,
	pub code: &'static str,
	pub message: String,
	/// Seconds after which a retry may succeed (sent as `Retry-After`).
	pub retry_after: Option<u64>,
}

/// Seconds a client is told to wait after a 503 (capsules busy or failing, chain unreachable).
pub const RETRY_UNAVAILABLE_SECS: u64 = 2;

impl ApiError {
	fn new(status: StatusCode, kind: &'static str, code: &'static str, message: String) -> Self {
		Self { status, kind, code, message, retry_after: None }
	}

	/// 400: the body is not a request of the route's API.
	pub fn bad_request(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"invalid_request",
			message.into(),
		)
	}

	/// 400: the request has something no capsule's upstream format can carry.
	pub fn untranslatable(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"untranslatable_request",
			message.into(),
		)
	}

	/// 401: no key, or a key no open session of this gateway has.
	pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
		Self::new(StatusCode::UNAUTHORIZED, "invalid_request_error", code, message.into())
	}

	/// 402: the session's cap (the escrow committed to it) cannot pay for the request.
	pub fn payment_required(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::PAYMENT_REQUIRED,
			"insufficient_quota",
			"insufficient_quota",
			message.into(),
		)
	}

	/// 403: the model is only in lanes the seeker's tier does not reach.
	pub fn tier_forbidden(message: impl Into<String>) -> Self {
		Self::new(StatusCode::FORBIDDEN, "permission_error", "tier_not_allowed", message.into())
	}

	/// 404: no capsule offers this model (the id is echoed cut to [`MAX_ECHO`]).
	pub fn model_not_found(model: &str) -> Self {
		Self::new(
			StatusCode::NOT_FOUND,
			"invalid_request_error",
			"model_not_found",
			format!(
				"The model `{}` is not offered by any active capsule on this gateway.",
				echo(model)
			),
		)
	}

	/// 429: the tier's rate limit (metered units per window) is used up; `retry_after`: until
	/// the window turns.
	pub fn rate_limited(message: impl Into<String>, retry_after: u64) -> Self {
		let mut e = Self::new(
			StatusCode::TOO_MANY_REQUESTS,
			"rate_limit_error",
			"rate_limit_exceeded",
			message.into(),
		);
		e.retry_after = Some(retry_after.max(1));
		e
	}

	/// 503: every capsule for the model is busy, at capacity or failing; or the chain is
	/// unreachable and nothing is cached.
	pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
		let mut e =
			Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", code, message.into());
		e.retry_after = Some(RETRY_UNAVAILABLE_SECS);
		e
	}

	/// 400 for a request that is not of the shape this route takes: 404 for a route the
	/// gateway does not have, 405 for a method the route does not take, 408 for a body that did
	/// not arrive in time, 413 for a body over the limit, 415 for a body that is not JSON.
	pub fn request(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
		Self::new(status, "invalid_request_error", code, message.into())
	}

	/// 500: the gateway itself failed (e.g. the receipt store).
	pub fn internal(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::INTERNAL_SERVER_ERROR,
			"server_error",
			"internal_error",
			message.into(),
		)
	}

	/// The JSON body in OpenAI's shape.
	pub fn body(&self) -> serde_json::Value {
		json!({"error": {"message": self.message, "type": self.kind, "param": null, "code": self.code}})
	}

	/// The JSON body in the shape of `api`'s errors.
	pub fn body_for(&self, api: Format, request_id: Option<&str>) -> serde_json::Value {
		match api {
			Format::Messages => json!({
				"type": "error",
				"error": {"type": messages::error_type(self.status.as_u16()), "message": self.message},
				"request_id": request_id,
			}),
			Format::Chat | Format::Responses => self.body(),
		}
	}

	/// The response in the shape of `api`'s errors.
	pub fn respond(self, api: Format, request_id: Option<&str>) -> Response {
		let mut r = (self.status, Json(self.body_for(api, request_id))).into_response();
		if let Some(secs) = self.retry_after {
			r.headers_mut().insert("retry-after", HeaderValue::from(secs));
		}
		r
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		self.respond(Format::Chat, None)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn errors_take_each_apis_shape_and_bound_what_they_echo() {
		let e = ApiError::model_not_found(&"m".repeat(100_000));
		assert!(e.message.len() < 200, "{}", e.message.len());
		let anthropic = e.body_for(Format::Messages, Some("req_1"));
		assert_eq!(anthropic["type"], "error");
		assert_eq!(anthropic["error"]["type"], "not_found_error");
		assert_eq!(anthropic["request_id"], "req_1");
		assert_eq!(e.body_for(Format::Responses, None)["error"]["code"], "model_not_found");
		let r = ApiError::unavailable("no_capsule", "busy").respond(Format::Messages, None);
		assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
		assert_eq!(r.headers()["retry-after"], "2");
		assert_eq!(messages::error_type(503), "overloaded_error");
		assert_eq!(messages::error_type(413), "request_too_large");
	}
}
