//! AlpPay's JSON, exactly as it travels, kept apart from the unified model. Conversions between
//! the two happen in [`crate::mapping`] only.
//!
//! Reading is tolerant: every field but `id` and `status` may be missing (older docs show a
//! reduced object with only `id`, `txnId`, `amount`, `receivedAmount`, `status`, `createdAt` and
//! `updatedAt`), strings may be `null`, ids may be numbers or strings. Writing is exact: field
//! order and types as the documented example.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The withdrawal object of `GET /withdrawal/{id}`, the listing's `data`, the create's answer
/// and the webhook body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
    /// `id`: AlpPay's id (a UUID; an integer is kept as its text).
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    /// `txnId`: the transaction hash, `""` until sent.
    #[serde(default)]
    pub txn_id: Option<String>,
    /// `amount`: asked for.
    #[serde(default, deserialize_with = "amount_opt")]
    pub amount: Option<Decimal>,
    /// `receivedAmount`: sent, `"0"` until known.
    #[serde(default, deserialize_with = "amount_opt")]
    pub received_amount: Option<Decimal>,
    /// `asset`.
    #[serde(default)]
    pub asset: Option<Asset>,
    /// `addressFrom`: the address paid from.
    #[serde(default)]
    pub address_from: Option<String>,
    /// `addressTo`: the destination.
    #[serde(default)]
    pub address_to: Option<String>,
    /// `destTag`: the destination tag, `""` when none.
    #[serde(default)]
    pub dest_tag: Option<String>,
    /// `status`: `OPEN`, `APPROVED`, `COMPLETE`, `CANCELLED`, or anything newer (kept as sent).
    pub status: String,
    /// `customer`.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// `invoice`: the caller's reference.
    #[serde(default)]
    pub invoice: Option<String>,
    /// `createdAt`.
    #[serde(default, deserialize_with = "time_opt")]
    pub created_at: Option<OffsetDateTime>,
    /// `updatedAt`.
    #[serde(default, deserialize_with = "time_opt")]
    pub updated_at: Option<OffsetDateTime>,
    /// `timeToApprove`: when the approval timer ends.
    #[serde(default, deserialize_with = "time_opt")]
    pub time_to_approve: Option<OffsetDateTime>,
    // `merchant` is not read: it is the caller's own account and stays in `raw`
    // (see `mapping::merchant_id`), so an odd merchant shape never makes a withdrawal unreadable.
}

/// `asset` of a withdrawal: `{short, name, logoUrl, network}`; only `short` and `network` matter.
#[derive(Debug, Deserialize)]
pub struct Asset {
    /// `short`: the symbol (`USDT`).
    #[serde(default)]
    pub short: Option<String>,
    /// `network`: the chain (`tron`).
    #[serde(default)]
    pub network: Option<String>,
}

/// `customer` of a withdrawal: `{id, name, email}`, `id` an integer (a string is tolerated).
#[derive(Debug, Deserialize)]
pub struct Customer {
    /// `id`: an integer (a string is tolerated).
    #[serde(default, deserialize_with = "id_text_opt")]
    pub id: Option<String>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `email`.
    #[serde(default)]
    pub email: Option<String>,
}

/// The listing's envelope: `{data, page, limit, total}`. Items are read as their own JSON text
/// (`Box<RawValue>`), typed one by one, and each text is kept in `Withdrawal::raw`. `data` is
/// `None` when it is missing or `null`, which the mapping refuses: such an answer does not show
/// that nothing matches.
#[derive(Debug, Deserialize)]
pub struct ListEnvelope<T> {
    /// `data`: the items.
    #[serde(default = "Option::default")]
    pub data: Option<Vec<T>>,
    /// `page`, from 0.
    #[serde(default)]
    pub page: Option<u32>,
    /// `limit`, 1..=100.
    #[serde(default)]
    pub limit: Option<u32>,
    /// `total`: every match, all pages.
    #[serde(default)]
    pub total: Option<u64>,
}

/// The body of `POST /withdrawal`, fields in the documented order:
/// `amount, asset{short, network}, addressTo, customer{id, name, email}, destTag, invoice`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody<'a> {
    /// A decimal string with at most 8 places.
    pub amount: String,
    /// `asset`.
    pub asset: CreateAsset<'a>,
    /// `addressTo`.
    pub address_to: &'a str,
    /// `customer`.
    pub customer: CreateCustomer<'a>,
    /// `""` when there is none, as the docs ask.
    pub dest_tag: &'a str,
    /// `invoice`: the caller's reference.
    pub invoice: &'a str,
}

/// `asset` of a create.
#[derive(Debug, Serialize)]
pub struct CreateAsset<'a> {
    /// `short`.
    pub short: &'a str,
    /// `network`.
    pub network: &'a str,
}

/// `customer` of a create; AlpPay wants an integer id.
#[derive(Debug, Serialize)]
pub struct CreateCustomer<'a> {
    /// `id`.
    pub id: u64,
    /// `name`.
    pub name: &'a str,
    /// `email`.
    pub email: &'a str,
}

/// An id sent as a string or an integer, kept as text.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(IdText)
}

fn id_text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<IdString>::deserialize(d)?.map(|id| id.0))
}

struct IdString(String);

impl<'de> Deserialize<'de> for IdString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdText).map(IdString)
    }
}

struct IdText;

impl<'de> Visitor<'de> for IdText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id as a string or an integer")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// Reads `null` as none and any other value through the inner visitor, which answers
/// `Option<T>` so that it can still read some values (`""`) as none.
struct Nullable<V>(V);

impl<'de, T, V: Visitor<'de, Value = Option<T>>> Visitor<'de> for Nullable<V> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0)
    }
}

/// An amount: a decimal string (as AlpPay documents) or an integer, read exactly; `null` and
/// `""` are none. A JSON float is refused, since its exact text is already lost.
fn amount_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    d.deserialize_option(Nullable(AmountVisitor))
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount as a decimal string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        payout_core::amount::parse_exact("amount", v)
            .map(Some)
            .map_err(|_| E::custom(format!("`{v}` is not an exact decimal amount")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::custom(format!(
            "amount {v} is a JSON float, which cannot be read exactly; AlpPay sends amounts as strings"
        )))
    }
}

/// An RFC 3339 time with any number of fraction digits (AlpPay sends nanoseconds). `null`, `""`
/// and Go's zero time `0001-01-01T00:00:00Z` (AlpPay's "unset" elsewhere) are none.
fn time_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    d.deserialize_option(Nullable(TimeVisitor))
}

struct TimeVisitor;

impl<'de> Visitor<'de> for TimeVisitor {
    type Value = Option<OffsetDateTime>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() || v.starts_with("0001-01-01T00:00:00") {
            return Ok(None);
        }
        OffsetDateTime::parse(v, &Rfc3339)
            .map(Some)
            .map_err(|e| E::custom(format!("`{v}` is not an RFC 3339 time: {e}")))
    }
}
