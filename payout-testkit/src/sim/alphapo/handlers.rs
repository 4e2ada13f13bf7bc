//! AlphaPo's endpoints: authentication over the raw body first, then parsing, validation and the
//! documented answers.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode, header};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::signing::verify_alphapo;
use crate::sim::amounts::{self, fixed, plain, round_down, round_up, significant_scale};

use super::AlphaPoSim;
use super::currencies::{AlphaPoCurrency, CurrencyKind};
use super::state::{AlphaPoStatus, AlphaPoWithdrawal};
use super::wire::{self, FieldErrors, Refusal};

/// The routes under the configured prefix (no fallback: see `sim::router`).
pub(crate) fn routes(sim: AlphaPoSim) -> Router {
    let p = sim.config().prefix.trim_end_matches('/').to_owned();
    Router::new()
        .route(&format!("{p}/ping"), get(ping))
        .route(&format!("{p}/withdrawal/crypto"), post(create))
        .route(&format!("{p}/transactions/info"), get(info))
        .route(&format!("{p}/currencies/list"), post(currencies))
        .route(&format!("{p}/accounts/list"), post(accounts))
        .with_state(sim)
}

/// What an unknown path (or method) gets: the documented quirk, `required_header_key`.
pub(crate) fn unknown_path() -> Response {
    Refusal::RequiredKey.response()
}

async fn ping() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "OK").into_response()
}

/// Checks the key and the signature over the raw bytes, then the content type, then parses.
fn authenticate(sim: &AlphaPoSim, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    let cfg = sim.config();
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

/// A numeric field sent as a JSON string or number. `Err(())` when it is not a number.
fn number(v: &Value) -> Result<Decimal, ()> {
    let text = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err(()),
    };
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let d = amounts::parse_plain(digits)
        .or_else(|| matches!(v, Value::Number(_)).then(|| Decimal::from_scientific(digits).ok()).flatten())
        .ok_or(())?;
    Ok(if neg { -d } else { d })
}

/// Reads an optional string-like field: `Ok(None)` when absent, null or empty.
fn text(obj: &Map<String, Value>, field: &str, numbers_too: bool) -> Result<Option<String>, ()> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if numbers_too => Ok(Some(n.to_string())),
        Some(_) => Err(()),
    }
}

fn present(obj: &Map<String, Value>, field: &str) -> bool {
    !matches!(obj.get(field), None | Some(Value::Null))
        && !matches!(obj.get(field), Some(Value::String(s)) if s.is_empty())
}

/// A validated withdrawal request, ready to be stored.
struct Validated {
    foreign_id: String,
    end_user_reference: String,
    sender: AlphaPoCurrency,
    sender_amount: Decimal,
    receiver: AlphaPoCurrency,
    receiver_amount: Decimal,
    exchange: bool,
    address: String,
    tag: Option<String>,
}

fn validate(sim: &AlphaPoSim, body: &Value) -> Result<Validated, FieldErrors> {
    let empty = Map::new();
    let obj = body.as_object().unwrap_or(&empty);
    let mut e = FieldErrors::default();

    // currency and convert_to
    let sender = match text(obj, "currency", false) {
        Ok(Some(code)) => sim.currency(&code).or_else(|| {
            e.add("currency", "The selected currency is invalid.");
            None
        }),
        Ok(None) => {
            e.add("currency", "The currency field is required.");
            None
        }
        Err(()) => {
            e.add("currency", "The currency must be a string.");
            None
        }
    };
    let convert_to = match text(obj, "convert_to", false) {
        Ok(Some(code)) => match sim.currency(&code) {
            Some(c) if c.kind == CurrencyKind::Crypto && sender.as_ref().is_none_or(|s| s.code != c.code) => Some(c),
            Some(_) => {
                e.add("convert_to", "Exchange is unavailable for given currencies");
                None
            }
            None => {
                e.add("convert_to", "The selected convert to is invalid.");
                None
            }
        },
        Ok(None) => None,
        Err(()) => {
            e.add("convert_to", "The convert to must be a string.");
            None
        }
    };
    let wants_conversion = present(obj, "convert_to");

    // amount xor amount_to
    let has_amount = present(obj, "amount");
    let has_amount_to = present(obj, "amount_to");
    if has_amount && has_amount_to {
        e.add("amount", "The amount field prohibits amount to from being present.");
    } else if !has_amount && !has_amount_to {
        e.add("amount", "The amount field is required when amount to is not present.");
    }
    if has_amount_to && !wants_conversion {
        e.add("convert_to", "The convert to field is required when amount to is present.");
    }
    if let Some(s) = sender.as_ref().filter(|s| s.kind == CurrencyKind::Fiat && !wants_conversion) {
        e.add("convert_to", format!("The convert to field is required when currency is {}.", s.code));
    }
    let amount = if has_amount && !e.has("amount") {
        match obj.get("amount").map(number) {
            Some(Ok(d)) => Some(d),
            _ => {
                e.add("amount", "The amount must be a number.");
                None
            }
        }
    } else {
        None
    };
    let amount_to = if has_amount_to && !e.has("amount") {
        match obj.get("amount_to").map(number) {
            Some(Ok(d)) => Some(d),
            _ => {
                e.add("amount_to", "The amount to must be a number.");
                None
            }
        }
    } else {
        None
    };

    // address, tag, references
    let address = match text(obj, "address", false) {
        Ok(Some(a)) if a.len() > 255 => {
            e.add("address", "The address may not be greater than 255 characters.");
            None
        }
        Ok(Some(a)) if a.chars().any(char::is_whitespace) => {
            e.add("address", "The address format is invalid.");
            None
        }
        Ok(Some(a)) => Some(a),
        Ok(None) => {
            e.add("address", "The address field is required.");
            None
        }
        Err(()) => {
            e.add("address", "The address must be a string.");
            None
        }
    };
    let tag = text(obj, "tag", true).unwrap_or_else(|()| {
        e.add("tag", "The tag must be a string.");
        None
    });
    let foreign_id = required_reference(obj, "foreign_id", "foreign id", true, &mut e);
    let end_user_reference = required_reference(obj, "end_user_reference", "end user reference", false, &mut e);

    // amounts against the currencies
    let mut sender_amount = Decimal::ZERO;
    let mut receiver_amount = Decimal::ZERO;
    let receiver = convert_to.clone().or_else(|| sender.clone());
    if let (Some(s), Some(r)) = (&sender, &receiver) {
        if let Some(a) = amount {
            check_amount(&mut e, "amount", "amount", a, s);
            sender_amount = a;
            receiver_amount = round_down(convert(a, s, r), r.precision);
            if !e.has("amount") && convert_to.is_some() && receiver_amount < r.minimum {
                let least = round_up(convert(r.minimum, r, s), s.precision);
                e.add(
                    "amount",
                    format!("The amount is too small. The minimum amount is {} {}.", fixed(least, s.precision), s.code),
                );
            }
        }
        if let Some(a) = amount_to {
            check_amount(&mut e, "amount_to", "amount to", a, r);
            receiver_amount = a;
            sender_amount = round_up(convert(a, r, s), s.precision);
        }
    }
    let (Some(sender), Some(receiver), Some(address), Some(foreign_id), Some(end_user_reference)) =
        (sender, receiver, address, foreign_id, end_user_reference)
    else {
        return Err(e);
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Validated {
        foreign_id,
        end_user_reference,
        exchange: convert_to.is_some(),
        sender,
        sender_amount,
        receiver,
        receiver_amount,
        address,
        tag,
    })
}

fn required_reference(
    obj: &Map<String, Value>,
    field: &'static str,
    label: &str,
    numbers_too: bool,
    e: &mut FieldErrors,
) -> Option<String> {
    match text(obj, field, numbers_too) {
        Ok(Some(v)) if v.chars().count() > 255 => {
            e.add(field, format!("The {label} may not be greater than 255 characters."));
            None
        }
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            e.add(field, format!("The {label} field is required."));
            None
        }
        Err(()) => {
            e.add(field, format!("The {label} must be a string."));
            None
        }
    }
}

/// The largest amount accepted, so that conversions and balances cannot overflow.
const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0); // 10^15

/// `amount` of `from` expressed in `to` at the fixed EUR rates; 0 if the rates are unusable.
fn convert(amount: Decimal, from: &AlphaPoCurrency, to: &AlphaPoCurrency) -> Decimal {
    amount.checked_mul(from.eur_rate).and_then(|eur| eur.checked_div(to.eur_rate)).unwrap_or_default()
}

fn check_amount(e: &mut FieldErrors, field: &'static str, label: &str, a: Decimal, c: &AlphaPoCurrency) {
    if a > MAX_AMOUNT {
        e.add(field, format!("The {label} may not be greater than {MAX_AMOUNT}."));
    } else if a < c.minimum {
        if c.kind == CurrencyKind::Fiat {
            e.add(
                field,
                format!("The amount is too small. The minimum amount is {} {}.", fixed(c.minimum, c.precision), c.code),
            );
        } else {
            e.add(field, format!("The {label} must be at least {}.", plain(c.minimum)));
        }
    } else if significant_scale(a) > c.precision {
        e.add(field, format!("The {label} may not have more than {} decimal places.", c.precision));
    }
}

async fn create(State(sim): State<AlphaPoSim>, headers: HeaderMap, body: Bytes) -> Response {
    let value = match authenticate(&sim, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r.response(),
    };
    let req = match validate(&sim, &value) {
        Ok(r) => r,
        Err(e) => return e.response(StatusCode::BAD_REQUEST),
    };
    let result = sim.with_store(|store, _| {
        if store.by_foreign_id.contains_key(&req.foreign_id) {
            let mut e = FieldErrors::default();
            e.add("foreign_id", "The foreign id has already been taken.");
            return Err(e);
        }
        if store.spent(&req.sender.code).checked_add(req.sender_amount).is_none_or(|total| total > req.sender.balance) {
            let mut e = FieldErrors::default();
            e.add("amount", "Not enough money on balance");
            return Err(e);
        }
        let now = crate::sim::clock::now();
        let w = AlphaPoWithdrawal {
            id: store.take_id(),
            foreign_id: req.foreign_id.clone(),
            end_user_reference: req.end_user_reference.clone(),
            exchange: req.exchange,
            status: AlphaPoStatus::Processing,
            sender_currency: req.sender.code.clone(),
            sender_amount: req.sender_amount,
            sender_precision: req.sender.precision,
            receiver_currency: req.receiver.code.clone(),
            receiver_amount: req.receiver_amount,
            receiver_precision: req.receiver.precision,
            address: req.address.clone(),
            tag: req.tag.clone(),
            address_id: store.take_aux_id(),
            transaction_id: store.take_aux_id(),
            txid: None,
            error: String::new(),
            created_at: now,
            updated_at: now,
            automatic: sim.config().lifecycle.is_some(),
            debited: true,
        };
        let body = wire::created(&w);
        let (id, created_at) = (w.id, w.created_at);
        let eur = req.sender_amount.checked_mul(req.sender.eur_rate).unwrap_or(Decimal::MAX);
        store.insert(w);
        // Above the merchant's withdrawal limit the withdrawal waits for a reviewer; the create
        // answer still says "processing" (as in every documented example), the callback "pending".
        let deliveries = match sim.config().review_above_eur {
            Some(limit) if eur > limit => {
                store.transition(id, AlphaPoStatus::Pending, None, None, created_at);
                sim.deliveries_for(store, &[id])
            }
            _ => Vec::new(),
        };
        Ok((body, deliveries))
    });
    match result {
        Ok((body, deliveries)) => {
            sim.deliver(deliveries);
            wire::json(StatusCode::CREATED, body)
        }
        Err(e) => e.response(StatusCode::BAD_REQUEST),
    }
}

async fn info(State(sim): State<AlphaPoSim>, headers: HeaderMap, body: Bytes) -> Response {
    let value = match authenticate(&sim, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r.response(),
    };
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

async fn currencies(State(sim): State<AlphaPoSim>, headers: HeaderMap, body: Bytes) -> Response {
    let value = match authenticate(&sim, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r.response(),
    };
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

async fn accounts(State(sim): State<AlphaPoSim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authenticate(&sim, &headers, &body) {
        return r.response();
    }
    let cfg = sim.config();
    let data: Vec<wire::BalanceRow<'_>> = sim.with_store(|store, _| {
        cfg.currencies
            .iter()
            .map(|c| wire::BalanceRow {
                currency: &c.code,
                kind: c.kind,
                balance: wire::amount(c.balance - store.spent(&c.code), c.precision),
            })
            .collect()
    });
    wire::json(StatusCode::OK, wire::data(&data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_amount_is_ten_to_the_fifteen() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000_i64));
    }
}
