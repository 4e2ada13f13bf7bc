//! AlpPay's endpoints, HTTP only: `API-KEY` on every call, `X-HMAC` over the raw body on the
//! create, then the checks of `validate.rs` (400, 422), the change in `state.rs` and the bare
//! withdrawal object of `wire.rs`.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::response::Response;
use axum::routing::get;
use http::{HeaderMap, StatusCode};

use payout_testkit::signing::verify_alppay;

use super::AlpPaySim;
use super::query;
use super::validate::validate;
use super::wire;

/// The routes under the configured prefix.
pub(crate) fn routes(sim: AlpPaySim) -> Router {
    let table = vec![("/withdrawal", get(list).post(create)), ("/withdrawal/{id}", get(one))];
    crate::routing::mount(sim, table)
}

/// What an unknown path gets.
pub(crate) fn unknown_path() -> Response {
    wire::error(StatusCode::NOT_FOUND, "not found", None)
}

/// `None` when the `API-KEY` is right, otherwise the 401 to answer.
fn check_key(sim: &AlpPaySim, headers: &HeaderMap) -> Option<Response> {
    match headers.get("api-key") {
        Some(k) if !k.is_empty() && k.as_bytes() == sim.config().api_key.as_bytes() => None,
        _ => Some(wire::error(StatusCode::UNAUTHORIZED, "invalid or expired API key", None)),
    }
}

async fn create(State(sim): State<AlpPaySim>, req: Request) -> Response {
    let (headers, body) = match crate::split(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some(r) = check_key(&sim, &headers) {
        return r;
    }
    let signed = headers
        .get("x-hmac")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sig| verify_alppay(sim.config().hmac_key.as_bytes(), &body, sig));
    if !signed {
        return wire::error(StatusCode::UNAUTHORIZED, "missing or invalid signature", None);
    }
    let req = match validate(&sim, &body) {
        Ok(r) => r,
        Err((status, message, field)) => return wire::error(status, &message, Some(field)),
    };
    let result = sim.insert_with(|store| store.create(&req, sim.config()));
    match result {
        Ok(body) => wire::json(StatusCode::OK, body),
        Err((status, message, field)) => wire::error(status, &message, Some(field)),
    }
}

async fn one(State(sim): State<AlpPaySim>, id: Result<Path<String>, PathRejection>, req: Request) -> Response {
    if let Some(r) = check_key(&sim, req.headers()) {
        return r;
    }
    // An id that does not even decode is as unknown as any other.
    let id = id.map(|Path(id)| id).unwrap_or_default();
    match sim.read_one(&id) {
        Some(body) => wire::json(StatusCode::OK, body),
        None => wire::error(StatusCode::NOT_FOUND, "withdrawal not found", Some("id")),
    }
}

async fn list(State(sim): State<AlpPaySim>, RawQuery(raw): RawQuery, req: Request) -> Response {
    if let Some(r) = check_key(&sim, req.headers()) {
        return r;
    }
    match query::parse(raw.as_deref()) {
        Ok(q) => wire::json(StatusCode::OK, sim.list_page(&q)),
        Err((field, message)) => wire::error(StatusCode::BAD_REQUEST, &message, Some(field)),
    }
}
