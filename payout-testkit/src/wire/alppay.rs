//! AlpPay's bare withdrawal object: what `GET /withdrawal/{id}` answers, each item of a listing,
//! and the body of a webhook (camelCase, in the documented field order).

use serde::Serialize;

use super::{Nanos, NumberOrText};

/// The withdrawal object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal<'a> {
    /// The withdrawal's UUID.
    pub id: &'a str,
    /// The transaction hash, `""` until sent.
    pub txn_id: &'a str,
    /// The amount asked for.
    pub amount: String,
    /// The amount sent, `"0"` until sent.
    pub received_amount: String,
    /// The asset and its network.
    pub asset: Asset<'a>,
    /// The sending address, `""` until sent.
    pub address_from: &'a str,
    /// The destination address.
    pub address_to: &'a str,
    /// The destination tag, `""` when none.
    pub dest_tag: &'a str,
    /// The raw status (`OPEN`, `APPROVED`, `COMPLETE`, `CANCELLED`).
    pub status: &'a str,
    /// The end user.
    pub customer: Customer<'a>,
    /// The merchant.
    pub merchant: Merchant<'a>,
    /// The caller's reference.
    pub invoice: &'a str,
    /// When it was created.
    pub created_at: Option<Nanos>,
    /// When it last changed.
    pub updated_at: Option<Nanos>,
    /// When it is approved automatically, if it is.
    pub time_to_approve: Option<Nanos>,
}

/// `asset`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset<'a> {
    /// `USDT`, `USDC`.
    pub short: &'a str,
    /// `Tether`, `USD Coin`.
    pub name: &'a str,
    /// The asset's logo.
    pub logo_url: &'a str,
    /// `tron`, `ethereum`, ...
    pub network: &'a str,
}

/// `customer`.
#[derive(Debug, Serialize)]
pub struct Customer<'a> {
    /// The customer's id (an integer).
    pub id: Option<NumberOrText<'a>>,
    /// The customer's name.
    pub name: &'a str,
    /// The customer's e-mail.
    pub email: &'a str,
}

/// `merchant`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Merchant<'a> {
    /// The merchant's id.
    pub id: i64,
    /// The merchant's name.
    pub name: &'a str,
    /// The merchant's e-mail.
    pub email: &'a str,
    /// The merchant's site.
    pub site_url: &'a str,
    /// The merchant's logo.
    pub logo_url: &'a str,
}
