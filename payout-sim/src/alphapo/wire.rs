//! AlphaPo's JSON on the wire: the create answer, the lookup/callback object and the error bodies,
//! printed from the state with the documented field order.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use payout_testkit::wire::NumberOrText;
use payout_testkit::wire::alphapo::{CryptoAddress, CurrencyAmount, Info, Transaction};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::amounts::fixed;

use super::currencies::CurrencyKind;
use super::state::AlphaPoWithdrawal;

/// An amount as AlphaPo prints it: 8 decimals, or the currency's precision when it has more.
/// Every documented example uses 8, even for EUR (`"25.00000000"`, `"804.25693204"`).
pub(crate) fn amount(d: rust_decimal::Decimal, precision: u32) -> String {
    fixed(d, precision.max(8))
}

/// `{"data": {...}}` answered by `POST /withdrawal/crypto` (always `status: "processing"`).
#[derive(Serialize)]
struct Created<'a> {
    data: CreatedData<'a>,
}

#[derive(Serialize)]
struct CreatedData<'a> {
    id: i64,
    foreign_id: &'a str,
    end_user_reference: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    status: &'a str,
    amount: String,
    sender_amount: String,
    sender_currency: &'a str,
    receiver_currency: &'a str,
    receiver_amount: String,
}

pub(crate) fn created(w: &AlphaPoWithdrawal) -> Vec<u8> {
    let sender = amount(w.sender_amount, w.sender_precision);
    let body = Created {
        data: CreatedData {
            id: w.id,
            foreign_id: &w.foreign_id,
            end_user_reference: &w.end_user_reference,
            kind: w.kind(),
            status: "processing",
            amount: sender.clone(),
            sender_amount: sender,
            sender_currency: &w.sender_currency,
            receiver_currency: &w.receiver_currency,
            receiver_amount: amount(w.receiver_amount, w.receiver_precision),
        },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// The object `GET /transactions/info` answers at the top level and callbacks carry (the
/// testkit's [`Info`], shared with its webhook builders).
pub(crate) fn info(w: &AlphaPoWithdrawal) -> Vec<u8> {
    let sent = amount(w.sender_amount, w.sender_precision);
    let received = amount(w.receiver_amount, w.receiver_precision);
    let show = w.status.shows_currencies();
    let mut transactions = Vec::new();
    if let Some(txid) = &w.txid {
        if w.exchange {
            transactions.push(Transaction::Exchange {
                id: w.transaction_id + 1_000_000,
                currency: &w.sender_currency,
                currency_to: &w.receiver_currency,
                transaction_type: "exchange",
                kind: "exchange",
                amount: sent.clone(),
                amount_to: received.clone(),
            });
        }
        transactions.push(Transaction::Blockchain {
            id: NumberOrText::Number(w.transaction_id),
            currency: Some(&w.receiver_currency),
            transaction_type: "blockchain",
            kind: "withdrawal",
            address: Some(&w.address),
            tag: w.tag.as_deref(),
            amount: Some(received.clone()),
            txid: Some(txid),
            confirmations: if w.status == super::AlphaPoStatus::Confirmed { "1" } else { "0" },
        });
    }
    let body = Info {
        id: NumberOrText::Number(w.id),
        foreign_id: Some(&w.foreign_id),
        end_user_reference: Some(&w.end_user_reference),
        kind: w.kind(),
        crypto_address: CryptoAddress {
            id: NumberOrText::Number(w.address_id),
            currency: Some(&w.receiver_currency),
            address: Some(&w.address),
            tag: w.tag.as_deref(),
        },
        currency_sent: show.then(|| CurrencyAmount { currency: Some(&w.sender_currency), amount: Some(sent) }),
        currency_received: show
            .then(|| CurrencyAmount { currency: Some(&w.receiver_currency), amount: Some(received) }),
        transactions,
        fees: [],
        error: &w.error,
        status: w.status.wire(),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// One row of `/currencies/list`.
#[derive(Serialize)]
pub(crate) struct CurrencyRow<'a> {
    pub(crate) id: u32,
    #[serde(rename = "type")]
    pub(crate) kind: CurrencyKind,
    pub(crate) currency: &'a str,
    pub(crate) minimum_amount: String,
    pub(crate) deposit_fee_percent: &'a str,
    pub(crate) withdrawal_fee_percent: &'a str,
    pub(crate) precision: u32,
}

/// One row of `/accounts/list`.
#[derive(Serialize)]
pub(crate) struct BalanceRow<'a> {
    pub(crate) currency: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: CurrencyKind,
    pub(crate) balance: String,
}

/// `{"data": <rows>}`.
pub(crate) fn data<T: Serialize>(rows: &T) -> Vec<u8> {
    #[derive(Serialize)]
    struct Data<'a, T> {
        data: &'a T,
    }
    serde_json::to_vec(&Data { data: rows }).unwrap_or_default()
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The transport and authentication errors, exactly as documented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    RequiredKey,
    BadKey,
    RequiredSignature,
    BadSignature,
    BadContent,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.response()
    }
}

impl Refusal {
    pub(crate) fn response(self) -> Response {
        let (status, body): (StatusCode, &'static [u8]) = match self {
            Refusal::RequiredKey => {
                (StatusCode::FORBIDDEN, br#"{"error":"No key header","code":"required_header_key"}"#)
            }
            Refusal::BadKey => (StatusCode::FORBIDDEN, br#"{"error":"Bad key header","code":"bad_header_key"}"#),
            Refusal::RequiredSignature => {
                (StatusCode::FORBIDDEN, br#"{"error":"No signature header","code":"required_header_signature"}"#)
            }
            Refusal::BadSignature => {
                (StatusCode::FORBIDDEN, br#"{"error":"Bad signature header","code":"bad_header_signature"}"#)
            }
            Refusal::BadContent => {
                (StatusCode::BAD_REQUEST, br#"{"error":"Bad content format","code":"bad_content_format"}"#)
            }
        };
        json(status, body.to_vec())
    }
}

/// Laravel-style `{"errors": {field: message}}`, fields in the order they were checked.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    /// Records `message` for `field` unless the field already has one (Laravel stops at the first).
    pub(crate) fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.has(field) {
            self.0.push((field, message.into()));
        }
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| *f == field)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn response(&self, status: StatusCode) -> Response {
        json(status, serde_json::to_vec(&Errors(self)).unwrap_or_default())
    }
}

struct Errors<'a>(&'a FieldErrors);

impl Serialize for Errors<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Inner<'a>(&'a [(&'static str, String)]);
        impl Serialize for Inner<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("errors", &Inner(&self.0.0))?;
        m.end()
    }
}
