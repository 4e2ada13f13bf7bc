//! AlphaPo's endpoints, HTTP only: authentication over the raw body first (its
//! [`Authenticate`], read by the `Signed` extractor), then the checks of `validate.rs`, the
//! change in `state.rs` and the documented answers of `wire.rs`.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use crate::amounts::plain;
use crate::routing::{Authenticate, Signed};
use payout_testkit::signing::verify_alphapo;

use super::AlphaPoSim;

use super::validate::{present, text, validate};
use super::wire::{self, FieldErrors, Refusal};

/// The routes under the configured prefix.
pub(crate) fn routes(sim: AlphaPoSim) -> Router {
    let table = vec![
        ("/ping", get(ping)),
        ("/withdrawal/crypto", post(create)),
        ("/transactions/info", get(info)),
        ("/currencies/list", post(currencies)),
        ("/accounts/list", post(accounts)),
    ];
    crate::routing::mount(sim, table)
}

/// What an unknown path (or method) gets: the documented quirk, `required_header_key`.
pub(crate) fn unknown_path() -> Response {
    Refusal::RequiredKey.response()
}

async fn ping() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "OK").into_response()
}

/// Every call but `ping` is authenticated; a request that fails is answered with the documented
/// refusal.
impl Authenticate for AlphaPoSim {
    type Body = Value;
    type Refusal = Refusal;

    /// Checks the key and the signature over the raw bytes, then the content type, then parses.
    fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
        let cfg = self.config();
        let key = headers.get("x-processing-key").map(|v| v.as_bytes()).filter(|v| !v.is_empty());
        let Some(key) = key else { return Err(Refusal::RequiredKey) };
        if key != cfg.api_key.as_bytes() {
            return Err(Refusal::BadKey);
        }
        let sig = headers.get("x-processing-signature").map(|v| v.as_bytes()).filter(|v| !v.is_empty());
        let Some(sig) = sig else { return Err(Refusal::RequiredSignature) };
        let sig = std::str::from_utf8(sig).unwrap_or("");
        if !verify_alphapo(cfg.api_secret.as_bytes(), body, sig) {
            return Err(Refusal::BadSignature);
        }
        let json_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !json_type {
            return Err(Refusal::BadContent);
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok(v),
            _ => Err(Refusal::BadContent),
        }
    }
}

async fn create(State(sim): State<AlphaPoSim>, Signed(value): Signed<Value>) -> Response {
    let req = match validate(&sim, &value) {
        Ok(r) => r,
        Err(e) => return e.response(StatusCode::BAD_REQUEST),
    };
    let result = sim.engine().change(|store, config| store.create(&req, config));
    match result {
        Ok(body) => wire::json(StatusCode::CREATED, body),
        Err(e) => e.response(StatusCode::BAD_REQUEST),
    }
}

async fn info(State(sim): State<AlphaPoSim>, Signed(value): Signed<Value>) -> Response {
    let empty = Map::new();
    let obj = value.as_object().unwrap_or(&empty);
    let by_id = present(obj, "id");
    let by_foreign = present(obj, "foreign_id");
    let mut e = FieldErrors::default();
    match (by_id, by_foreign) {
        (false, false) => {
            e.add("id", "No parameters present");
            return e.response(StatusCode::BAD_REQUEST);
        }
        (true, true) => {
            e.add("id", "Validation Exception: more than one param is present");
            return e.response(StatusCode::NOT_FOUND);
        }
        _ => {}
    }
    let id = if by_id {
        let id = match obj.get("id") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse::<i64>().ok(),
            _ => None,
        };
        let Some(id) = id else {
            e.add("id", "The id must be an integer.");
            return e.response(StatusCode::BAD_REQUEST);
        };
        Some(id)
    } else {
        None
    };
    let foreign_id = match text(obj, "foreign_id", true) {
        Ok(f) => f,
        Err(()) => {
            e.add("foreign_id", "The foreign id must be a string.");
            return e.response(StatusCode::BAD_REQUEST);
        }
    };
    let found = sim.read(|store| match (id, &foreign_id) {
        (Some(id), _) => Some(id),
        (None, Some(f)) => store.by_foreign_id.get(f).copied(),
        _ => None,
    });
    match found {
        Some(body) => wire::json(StatusCode::OK, body),
        None => {
            e.add(if by_id { "id" } else { "foreign_id" }, "Transaction not found.");
            e.response(StatusCode::NOT_FOUND)
        }
    }
}

async fn currencies(State(sim): State<AlphaPoSim>, Signed(value): Signed<Value>) -> Response {
    // Every simulated currency is enabled, so `"visible": false` lists none.
    let visible = value.get("visible").and_then(Value::as_bool).unwrap_or(true);
    let data: Vec<wire::CurrencyRow<'_>> = if visible {
        sim.config()
            .currencies
            .iter()
            .zip(1..)
            .map(|(c, id)| wire::CurrencyRow {
                id,
                kind: c.kind,
                currency: &c.code,
                minimum_amount: plain(c.minimum),
                deposit_fee_percent: "0",
                withdrawal_fee_percent: "0",
                precision: c.precision,
            })
            .collect()
    } else {
        Vec::new()
    };
    wire::json(StatusCode::OK, wire::data(&data))
}

async fn accounts(State(sim): State<AlphaPoSim>, _: Signed<Value>) -> Response {
    let cfg = sim.config();
    let store = sim.engine().lock();
    let data: Vec<wire::BalanceRow<'_>> = cfg
        .currencies
        .iter()
        .map(|c| wire::BalanceRow {
            currency: &c.code,
            kind: c.kind,
            balance: wire::amount(c.balance - store.spent(&c.code), c.precision),
        })
        .collect();
    drop(store);
    wire::json(StatusCode::OK, wire::data(&data))
}
