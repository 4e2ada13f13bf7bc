//! What the simulators' handlers share: mounting a route table under the configured prefix, and
//! the [`Signed`] extractor of the providers whose every call is authenticated over the raw body.

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use http::HeaderMap;

use crate::Simulator;

/// The routes of `table`, each path under `sim`'s prefix (without its trailing `/`), with `sim` as
/// their state (no fallback: see `sim::router`).
pub(crate) fn mount<S: Simulator + Clone + 'static>(sim: S, table: Vec<(&str, MethodRouter<S>)>) -> Router {
    let prefix = sim.prefix().trim_end_matches('/').to_owned();
    table
        .into_iter()
        .fold(Router::new(), |r, (path, method)| r.route(&format!("{prefix}{path}"), method))
        .with_state(sim)
}

/// A simulator that authenticates every call over its raw body before the handler runs
/// (AlphaPo, Cryptomus).
pub(crate) trait Authenticate {
    /// What an authenticated request's body reads as.
    type Body;
    /// What a request that fails is answered.
    type Refusal: IntoResponse;
    /// Checks the credentials over the raw bytes and reads the body.
    fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<Self::Body, Self::Refusal>;
}

/// A request that passed its simulator's [`Authenticate`]: its body. A request that did not is
/// answered with the refusal (or 413 for a body over the limit) before the handler.
pub(crate) struct Signed<T>(pub(crate) T);

impl<S: Authenticate + Send + Sync> FromRequest<S> for Signed<S::Body> {
    type Rejection = Response;

    async fn from_request(req: Request, sim: &S) -> Result<Self, Response> {
        let (headers, body) = crate::split(req).await?;
        sim.authenticate(&headers, &body).map(Signed).map_err(IntoResponse::into_response)
    }
}
