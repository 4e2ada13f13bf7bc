//! Cryptomus's endpoints, HTTP only: every call a `POST` authenticated over the raw body first
//! (its [`Authenticate`]: `merchant` and `sign`, read by the `Signed` extractor), then the rules
//! of `validate.rs`, the change in `state.rs` and the envelope of `wire.rs`.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::post;
use http::{HeaderMap, header};
use serde_json::{Map, Value};

use payout_testkit::signing::verify_cryptomus;

use crate::routing::{Authenticate, Signed};

use super::CryptomusSim;
use super::validate::{self, Lookup};
use super::wire::{self, Refusal};
use crate::engine::Ledger;

/// The routes under the configured prefix, every one a `POST`.
pub(crate) fn routes(sim: CryptomusSim) -> Router {
    let table = vec![
        ("/payout", post(create)),
        ("/payout/info", post(info)),
        ("/payout/list", post(list)),
        ("/payout/services", post(services)),
        ("/test-webhook/payout", post(test_webhook)),
    ];
    crate::routing::mount(sim, table)
}

/// What an unknown path (or another method than `POST`) gets.
pub(crate) fn unknown_path() -> Response {
    wire::not_found()
}

/// Every call is authenticated. Its JSON object is empty when the body is empty, `[]`, not JSON,
/// or not sent as JSON, as Laravel reads no input from it; a request that fails is answered
/// `Invalid Sign.`.
impl Authenticate for CryptomusSim {
    type Body = Map<String, Value>;
    type Refusal = Refusal;

    /// Checks the `merchant` header and the `sign` over the raw bytes (a missing or unknown merchant
    /// has no key to verify with, so it is refused the same way), then reads the JSON body.
    fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
        let cfg = self.config();
        let merchant = headers.get("merchant").map(|v| v.as_bytes());
        if merchant != Some(cfg.merchant.as_bytes()) || cfg.merchant.is_empty() {
            return Err(Refusal::Sign);
        }
        let sign = headers.get("sign").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !verify_cryptomus(cfg.payout_key.as_bytes(), body, sign) {
            return Err(Refusal::Sign);
        }
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("/json") || v.contains("+json"));
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(obj)) if json => Ok(obj),
            _ => Ok(Map::new()),
        }
    }
}

async fn create(State(sim): State<CryptomusSim>, Signed(obj): Signed<Map<String, Value>>) -> Response {
    let req = match validate::create(&obj, sim.config()) {
        Ok(r) => r,
        Err(e) => return e.response(),
    };
    let result = sim.engine().change(|store, config| {
        let mut changed = Vec::new();
        let created = store
            .create(&req, config, || validate::price(&req, config), &mut changed)
            .map(|idx| wire::payout(&store.items[idx], config));
        (created, changed)
    });
    match result {
        Ok(body) => wire::ok(&body),
        Err(e) => e.response(),
    }
}

async fn info(State(sim): State<CryptomusSim>, Signed(obj): Signed<Map<String, Value>>) -> Response {
    let lookup = match validate::info(&obj, sim.config()) {
        Ok(l) => l,
        Err(e) => return e.response(),
    };
    let found = sim.engine().read(
        |store| match &lookup {
            Lookup::Uuid(uuid) => store.by_uuid.get(uuid).copied(),
            Lookup::OrderId(order_id) => store.by_order_id.get(order_id).copied(),
        },
        |store, idx, config| store.items.get(idx).map(|p| wire::payout(p, config)),
    );
    found.map_or_else(|| Refusal::NotFound.response(), |body| wire::ok(&body))
}

async fn list(
    State(sim): State<CryptomusSim>,
    RawQuery(raw): RawQuery,
    Signed(obj): Signed<Map<String, Value>>,
) -> Response {
    let cursor = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned());
    let q = match validate::history(&obj, cursor.as_deref()) {
        Ok(q) => q,
        Err(e) => return e.response(),
    };
    let body = sim.engine().change(|store, config| {
        let changed = store.advance_all(config, crate::clock::now());
        let (page, next, previous) = store.page(&q, config.per_page, config.newest_first);
        (wire::history(config, page.iter().map(|i| &store.items[*i]), next, previous), changed)
    });
    wire::ok(&body)
}

async fn services(State(sim): State<CryptomusSim>, _: Signed<Map<String, Value>>) -> Response {
    wire::ok(&wire::services(&sim.config().services))
}

async fn test_webhook(State(sim): State<CryptomusSim>, Signed(obj): Signed<Map<String, Value>>) -> Response {
    let result = validate::test_webhook(&obj).and_then(|t| sim.test_webhook(&t));
    match result {
        Ok(()) => wire::ok(b"[]"),
        Err(e) => e.response(),
    }
}
