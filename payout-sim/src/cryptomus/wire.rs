//! Cryptomus's JSON on the wire, and its only writer: the envelope (`state`, `result`,
//! `errors`, `message`), the payout object of create and info, the history page and its cursors,
//! the services list, and the webhook with its `sign` inside the body (the testkit's [`Webhook`],
//! shared with its webhook builder).

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderValue, StatusCode, header};
use payout_testkit::wire::cryptomus::Webhook;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::amounts::{fixed, plain};
use crate::clock::PlusThree;

use super::CryptomusConfig;
use super::services::CryptomusService;
use super::state::{CryptomusPayout, CryptomusStatus};

/// A refusal, as Cryptomus words it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 422 `{"state":1,"errors":{"<field>":["validation.<rule>"]}}`, fields in rule order.
    Fields(Vec<(&'static str, &'static str)>),
    /// 422 `{"state":1,"message":"…"}`.
    Message(String),
    /// 404 `{"state":1,"message":"Not found payout"}`.
    NotFound,
    /// 401 `{"message":"Invalid Sign."}`.
    Sign,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.response()
    }
}

impl Refusal {
    pub(crate) fn field(field: &'static str, rule: &'static str) -> Self {
        Refusal::Fields(vec![(field, rule)])
    }

    pub(crate) fn message(text: impl Into<String>) -> Self {
        Refusal::Message(text.into())
    }

    pub(crate) fn response(&self) -> Response {
        match self {
            Refusal::Fields(fields) => {
                let mut out = br#"{"state":1,"errors":{"#.to_vec();
                for (i, (field, rule)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let _ = serde_json::to_writer(&mut out, field);
                    out.extend_from_slice(b":[");
                    let _ = serde_json::to_writer(&mut out, rule);
                    out.push(b']');
                }
                out.extend_from_slice(b"}}");
                json(StatusCode::UNPROCESSABLE_ENTITY, out)
            }
            Refusal::Message(text) => json(StatusCode::UNPROCESSABLE_ENTITY, failed(text)),
            Refusal::NotFound => json(StatusCode::NOT_FOUND, failed("Not found payout")),
            Refusal::Sign => json(StatusCode::UNAUTHORIZED, br#"{"message":"Invalid Sign."}"#.to_vec()),
        }
    }
}

/// `{"state":1,"message":"…"}`.
fn failed(text: &str) -> Vec<u8> {
    #[derive(Serialize)]
    struct Failed<'a> {
        state: u8,
        message: &'a str,
    }
    serde_json::to_vec(&Failed { state: 1, message: text }).unwrap_or_default()
}

/// What an unknown path or method gets: Laravel's 404.
pub(crate) fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, br#"{"message":"Not Found"}"#.to_vec())
}

/// `{"state":0,"result":<result>}` with `result` already encoded.
pub(crate) fn ok(result: &[u8]) -> Response {
    let mut out = Vec::with_capacity(result.len() + 21);
    out.extend_from_slice(br#"{"state":0,"result":"#);
    out.extend_from_slice(result);
    out.push(b'}');
    json(StatusCode::OK, out)
}

/// A JSON answer.
fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// An amount as a JSON number (exact: written as its decimal text) or as an 8-decimal string.
enum Amount {
    Number(Box<RawValue>),
    Text(String),
}

impl Amount {
    fn new(d: rust_decimal::Decimal, numeric: bool) -> Self {
        match RawValue::from_string(plain(d)) {
            Ok(raw) if numeric => Amount::Number(raw),
            _ => Amount::Text(fixed(d, 8)),
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Amount::Number(raw) => raw.serialize(s),
            Amount::Text(text) => s.serialize_str(text),
        }
    }
}

/// What the payout object and a history item both show, in the documented order.
#[derive(Serialize)]
struct Common<'a> {
    amount: String,
    currency: &'a str,
    network: &'a str,
    address: &'a str,
    txid: Option<&'a str>,
    status: &'a str,
    is_final: bool,
}

impl<'a> Common<'a> {
    fn of(p: &'a CryptomusPayout) -> Self {
        Common {
            amount: fixed(p.amount, 8),
            currency: &p.currency,
            network: &p.network,
            address: &p.address,
            txid: p.txid.as_deref(),
            status: p.status.as_str(),
            is_final: p.is_final,
        }
    }
}

/// The payout object of create and info.
#[derive(Serialize)]
struct Payout<'a> {
    uuid: &'a str,
    #[serde(flatten)]
    common: Common<'a>,
    balance: Amount,
    payer_currency: &'a str,
    payer_amount: Amount,
}

/// The payout object `result` of create and info: `balance` and `payer_amount` as numbers unless
/// the configuration asks for strings.
pub(crate) fn payout(p: &CryptomusPayout, config: &CryptomusConfig) -> Vec<u8> {
    let numeric = config.numeric_amounts;
    let body = Payout {
        uuid: &p.uuid,
        common: Common::of(p),
        balance: Amount::new(p.balance, numeric),
        payer_currency: &p.payer_currency,
        payer_amount: Amount::new(p.payer_amount, numeric),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// One item of the history.
#[derive(Serialize)]
struct Item<'a> {
    uuid: &'a str,
    order_id: &'a str,
    #[serde(flatten)]
    common: Common<'a>,
    balance: String,
    payment_status: Option<()>,
    created_at: PlusThree,
    updated_at: PlusThree,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Paginate {
    count: usize,
    has_pages: bool,
    next_cursor: Option<String>,
    previous_cursor: Option<String>,
    per_page: usize,
}

#[derive(Serialize)]
struct History<'a> {
    merchant_uuid: &'a str,
    items: Vec<Item<'a>>,
    paginate: Paginate,
}

/// Where a history cursor points: past the payout with creation order `id`, forwards (the next
/// page) or backwards (the previous one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct Cursor {
    pub(crate) id: u64,
    #[serde(rename = "_pointsToNextItems")]
    pub(crate) points_to_next_items: bool,
}

impl Cursor {
    /// Laravel's encoding: base64url without padding of `{"id":N,"_pointsToNextItems":bool}`.
    pub(crate) fn encode(self) -> String {
        let json = serde_json::to_vec(&self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// The cursor `text` holds, or `None` (Laravel reads a cursor it cannot decode as none).
    pub(crate) fn decode(text: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// One history page: `items` in page order, and the cursors around them.
pub(crate) fn history<'a>(
    config: &'a CryptomusConfig,
    items: impl Iterator<Item = &'a CryptomusPayout>,
    next: Option<Cursor>,
    previous: Option<Cursor>,
) -> Vec<u8> {
    let items: Vec<Item<'a>> = items
        .map(|p| Item {
            uuid: &p.uuid,
            order_id: &p.order_id,
            common: Common::of(p),
            balance: fixed(p.balance, 8),
            payment_status: None,
            created_at: PlusThree(p.created_at),
            updated_at: PlusThree(p.updated_at),
        })
        .collect();
    let paginate = Paginate {
        count: items.len(),
        has_pages: next.is_some() || previous.is_some(),
        next_cursor: next.map(Cursor::encode),
        previous_cursor: previous.map(Cursor::encode),
        per_page: config.per_page,
    };
    serde_json::to_vec(&History { merchant_uuid: &config.merchant, items, paginate }).unwrap_or_default()
}

#[derive(Serialize)]
struct ServiceRow<'a> {
    network: &'a str,
    currency: &'a str,
    is_available: bool,
    limit: Limit,
    commission: Commission,
}

#[derive(Serialize)]
struct Limit {
    min_amount: String,
    max_amount: String,
}

#[derive(Serialize)]
struct Commission {
    fee_amount: String,
    percent: String,
}

/// The services list: limits and fees with 8 decimals, percentages with 2.
pub(crate) fn services(services: &[CryptomusService]) -> Vec<u8> {
    let rows: Vec<ServiceRow<'_>> = services
        .iter()
        .map(|s| ServiceRow {
            network: &s.network,
            currency: &s.currency,
            is_available: s.is_available,
            limit: Limit { min_amount: fixed(s.min_amount, 8), max_amount: fixed(s.max_amount, 8) },
            commission: Commission { fee_amount: fixed(s.fee_amount, 8), percent: fixed(s.percent, 2) },
        })
        .collect();
    serde_json::to_vec(&rows).unwrap_or_default()
}

/// The signed webhook body of `p`'s current state: the fields PHP-encoded (compact, `/` as
/// `\/` unless the configuration says otherwise, non-ASCII raw), the network in lower case as
/// the webhook examples print it, and `sign` (md5 of base64 of the body without it, plus the
/// payout key) appended as the last key.
pub(crate) fn webhook(p: &CryptomusPayout, config: &CryptomusConfig) -> Vec<u8> {
    let failure = matches!(p.status, CryptomusStatus::Fail | CryptomusStatus::SystemFail);
    let body = Webhook {
        kind: "payout",
        uuid: &p.uuid,
        order_id: Some(&p.order_id),
        amount: fixed(p.amount, 8),
        merchant_amount: fixed(p.merchant_amount, 8),
        commission: fixed(p.commission, 8),
        is_final: p.is_final,
        status: p.status.as_str(),
        fail_reason: failure.then_some(p.fail_reason.as_deref()),
        txid: p.txid.as_deref(),
        currency: Some(&p.currency),
        network: Some(p.network.to_ascii_lowercase()),
        payer_currency: Some(&p.payer_currency),
        payer_amount: fixed(p.payer_amount, 8),
    };
    let compact = serde_json::to_vec(&body).unwrap_or_default();
    let payload = if config.escape_slashes { payout_testkit::signing::php_json(&compact) } else { compact };
    payout_testkit::signing::cryptomus_signed_body(config.payout_key.as_bytes(), &payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_as_laravel_writes_them() {
        let c = Cursor { id: 2_915_543, points_to_next_items: true };
        let text = c.encode();
        assert!(!text.contains('=') && !text.contains('+') && !text.contains('/'), "{text}");
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&text).unwrap();
        assert_eq!(raw, br#"{"id":2915543,"_pointsToNextItems":true}"#);
        assert_eq!(Cursor::decode(&text), Some(c));
        assert_eq!(Cursor::decode("not a cursor"), None);
    }

    #[tokio::test]
    async fn field_errors_keep_their_order() {
        let r =
            Refusal::Fields(vec![("uuid", "validation.required_without"), ("order_id", "validation.required_without")]);
        let response = r.response();
        assert_eq!(response.status(), 422);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(
            body.as_ref(),
            br#"{"state":1,"errors":{"uuid":["validation.required_without"],"order_id":["validation.required_without"]}}"#
        );
    }
}
