//! Errors in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}` with the status
//! an OpenAI client maps to its named exceptions.

use axum::{
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use serde_json::json;

/// An error answered to a seeker.
#[derive(Debug, Clone)]
pub struct ApiError {
	pub status: StatusCode,
	pub kind: &'static str,
	pub code: &'static str,
	pub message: String,
}

impl ApiError {
	fn new(status: StatusCode, kind: &'static str, code: &'static str, message: String) -> Self {
		Self { status, kind, code, message }
	}

	/// 400: the body is not a chat completion request.
	pub fn bad_request(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			"invalid_request",
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

	/// 404: no capsule offers this model.
	pub fn model_not_found(model: &str) -> Self {
		Self::new(
			StatusCode::NOT_FOUND,
			"invalid_request_error",
			"model_not_found",
			format!("The model `{model}` is not offered by any active capsule on this gateway."),
		)
	}

	/// 429: the tier's rate limit (metered units per window) is used up.
	pub fn rate_limited(message: impl Into<String>) -> Self {
		Self::new(
			StatusCode::TOO_MANY_REQUESTS,
			"rate_limit_error",
			"rate_limit_exceeded",
			message.into(),
		)
	}

	/// 503: every capsule for the model is busy, at capacity or failing; or the chain is
	/// unreachable and nothing is cached.
	pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
		Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", code, message.into())
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

	/// The JSON body.
	pub fn body(&self) -> serde_json::Value {
		json!({"error": {"message": self.message, "type": self.kind, "param": null, "code": self.code}})
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		(self.status, Json(self.body())).into_response()
	}
}
