//! AlpPay's JSON on the wire: the bare withdrawal object (the testkit's [`Withdrawal`], shared with
//! its webhook builders), the list page and the error body.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use payout_testkit::wire::alppay::{Asset, Customer, Merchant, Withdrawal};
use payout_testkit::wire::{Nanos, NumberOrText};

use crate::amounts::plain;

use super::AlpPayMerchant;
use super::state::AlpPayWithdrawal;

/// Appends the bare withdrawal object to `out`.
pub(crate) fn write_withdrawal(out: &mut Vec<u8>, w: &AlpPayWithdrawal, m: &AlpPayMerchant) {
    let body = Withdrawal {
        id: &w.id,
        txn_id: &w.txn_id,
        amount: plain(w.amount),
        received_amount: plain(w.received_amount),
        asset: Asset {
            short: &w.asset_short,
            name: &w.asset_name,
            logo_url: &w.asset_logo_url,
            network: &w.asset_network,
        },
        address_from: &w.address_from,
        address_to: &w.address_to,
        dest_tag: &w.dest_tag,
        status: w.status.as_str(),
        customer: Customer {
            id: Some(NumberOrText::Number(w.customer.id)),
            name: &w.customer.name,
            email: &w.customer.email,
        },
        merchant: Merchant { id: m.id, name: &m.name, email: &m.email, site_url: &m.site_url, logo_url: &m.logo_url },
        invoice: &w.invoice,
        created_at: Some(Nanos(w.created_at)),
        updated_at: Some(Nanos(w.updated_at)),
        time_to_approve: w.time_to_approve.map(Nanos),
    };
    let _ = serde_json::to_writer(out, &body);
}

/// The bare withdrawal object.
pub(crate) fn withdrawal(w: &AlpPayWithdrawal, m: &AlpPayMerchant) -> Vec<u8> {
    let mut out = Vec::with_capacity(640);
    write_withdrawal(&mut out, w, m);
    out
}

/// `{"data":[...],"page":N,"limit":N,"total":N}`.
pub(crate) fn page<'a>(
    items: impl Iterator<Item = &'a AlpPayWithdrawal>,
    m: &AlpPayMerchant,
    page: u64,
    limit: u64,
    total: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"data\":[");
    for (i, w) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_withdrawal(&mut out, w, m);
    }
    out.extend_from_slice(format!("],\"page\":{page},\"limit\":{limit},\"total\":{total}}}").as_bytes());
    out
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The simulator's error body (the documents show none; this shape is an assumption):
/// `{"error":"<code>","message":"<text>","field":"<field>"}`, `field` only when one is at fault.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

pub(crate) fn error(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    let code = match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        404 => "not_found",
        405 => "method_not_allowed",
        422 => "validation_failed",
        _ => "error",
    };
    json(status, serde_json::to_vec(&ErrorBody { error: code, message, field }).unwrap_or_default())
}
