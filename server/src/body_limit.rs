//! A cap on request bodies. Server functions read their whole body into memory, so
//! without a cap one request could make the server buffer any amount. Bodies that
//! announce a larger `Content-Length` are refused before a byte is read; streamed ones
//! are cut off at the cap while being read.

use crate::error::error_response;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::Limited;
use penguin_protocol::ErrorCode;

/// Enough for any API call (they carry names and short texts); messages travel over the
/// WebSocket with their own limit.
pub const MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;

pub async fn limit_body(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return error_response(ErrorCode::PayloadTooLarge, request.headers()).into_response();
    }
    let (parts, body) = request.into_parts();
    let request = Request::from_parts(parts, Body::new(Limited::new(body, limit)));
    next.run(request).await
}
