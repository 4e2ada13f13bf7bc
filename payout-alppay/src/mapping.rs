//! The one place where AlpPay's wire format and the unified model meet: statuses, assets, the
//! withdrawal object, the listing's query and envelope, the create body, and refusals.

use payout_core::http::HttpResponse;
use payout_core::{
    Asset, EndUser, FieldError, ListQuery, Page, PayoutError, RawJson, Reference, Withdrawal, WithdrawalId,
    WithdrawalRequest, WithdrawalStatus,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::PROVIDER_ID;
use crate::wire;

/// The asset/network pairs AlpPay pays out, as its newer docs list them (USDC on tron was
/// dropped). Other pairs are refused before anything is sent; a pair AlpPay adds later can be
/// sent with [`Asset::provider_code`].
pub const SUPPORTED_ASSETS: &[(&str, &str)] = &[("USDT", "tron"), ("USDT", "ethereum"), ("USDC", "ethereum")];

/// The most decimal places AlpPay accepts in an amount. More are refused, never rounded.
pub const MAX_DECIMALS: u32 = 8;

/// The unified status of an AlpPay status (the contract table; case-sensitive, as AlpPay sends
/// them). Anything else is [`WithdrawalStatus::Unknown`]; the raw string stays in
/// [`Withdrawal::provider_status`].
///
/// ```
/// use payout_alppay::mapping::unified_status;
/// use payout_core::WithdrawalStatus;
/// assert_eq!(unified_status("COMPLETE"), WithdrawalStatus::Completed);
/// assert_eq!(unified_status("REFUNDED"), WithdrawalStatus::Unknown);
/// ```
pub fn unified_status(wire: &str) -> WithdrawalStatus {
    match wire {
        "OPEN" => WithdrawalStatus::Pending,
        "APPROVED" => WithdrawalStatus::Approved,
        "COMPLETE" => WithdrawalStatus::Completed,
        "CANCELLED" => WithdrawalStatus::Cancelled,
        _ => WithdrawalStatus::Unknown,
    }
}

/// AlpPay's status for a unified one, or `None` for `processing`, `rejected` and `unknown`,
/// which AlpPay has no equivalent of.
pub fn wire_status(status: WithdrawalStatus) -> Option<&'static str> {
    match status {
        WithdrawalStatus::Pending => Some("OPEN"),
        WithdrawalStatus::Approved => Some("APPROVED"),
        WithdrawalStatus::Completed => Some("COMPLETE"),
        WithdrawalStatus::Cancelled => Some("CANCELLED"),
        _ => None,
    }
}

/// Reads one AlpPay withdrawal object (a get's answer, a create's answer or a webhook body) into
/// the unified model, keeping the object in [`Withdrawal::raw`]. Never panics; anything
/// unreadable is [`PayoutError::Protocol`] with the body kept.
///
/// ```
/// let w = payout_alppay::mapping::parse_withdrawal(br#"{"id":"5f5a8ced","txnId":"","amount":"10","receivedAmount":"0","status":"OPEN"}"#).unwrap();
/// assert_eq!(w.amount.unwrap().to_string(), "10");
/// assert_eq!(w.tx_hash, None);
/// assert_eq!(w.amount_sent, None);
/// ```
pub fn parse_withdrawal(body: &[u8]) -> Result<Withdrawal, PayoutError> {
    withdrawal_from_body(body, None)
}

/// [`parse_withdrawal`] of an HTTP answer, naming its status in errors.
pub(crate) fn withdrawal_from_body(body: &[u8], status: Option<u16>) -> Result<Withdrawal, PayoutError> {
    if let Some(w) = serde_json::from_slice::<Box<RawValue>>(body).ok().and_then(withdrawal_from_raw) {
        return Ok(w);
    }
    // What the one-pass reader refuses is read as before, through a `Value`, so that what is
    // accepted (duplicate keys: the last wins) and how errors read stay as they were.
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| PayoutError::protocol(format!("the answer is not JSON: {e}"), status, body))?;
    withdrawal_from_value(value)
        .map_err(|e| PayoutError::protocol(format!("not an AlpPay withdrawal object: {e}"), status, body))
}

/// The merchant id of a withdrawal (`merchant.id`, an integer in some examples and a string in
/// others), read from [`Withdrawal::raw`].
pub fn merchant_id(withdrawal: &Withdrawal) -> Option<String> {
    match withdrawal.raw.get("merchant")?.get("id")? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Maps one withdrawal object typed straight from its text, which becomes `raw`; `None` when the
/// typed read refuses it (the caller then reads it the slow way, for the exact error).
fn withdrawal_from_raw(raw: Box<RawValue>) -> Option<Withdrawal> {
    let (w, raw) = RawJson::decode::<wire::Withdrawal>(raw)?;
    map_withdrawal(w, raw).ok()
}

/// Maps a withdrawal object already parsed into a `Value` (bodies the one-pass reader refuses).
fn withdrawal_from_value(value: serde_json::Value) -> Result<Withdrawal, String> {
    let w = wire::Withdrawal::deserialize(&value).map_err(|e| e.to_string())?;
    map_withdrawal(w, RawJson::from(value))
}

fn map_withdrawal(w: wire::Withdrawal, raw: RawJson) -> Result<Withdrawal, String> {
    if w.id.is_empty() {
        return Err("the withdrawal has an empty `id`".into());
    }
    let status = unified_status(&w.status);
    let mut out = Withdrawal::new(PROVIDER_ID, WithdrawalId::new(w.id), status, w.status);
    out.reference = non_empty(w.invoice).and_then(|i| Reference::new(i).ok());
    out.end_user = w.customer.and_then(|c| {
        let mut user = EndUser::new(non_empty(c.id)?);
        user.name = non_empty(c.name);
        user.email = non_empty(c.email);
        Some(user)
    });
    out.asset = w.asset.and_then(|a| {
        let asset = Asset::new(non_empty(a.short)?);
        Some(match non_empty(a.network) {
            Some(n) => asset.on(n),
            None => asset,
        })
    });
    out.amount = w.amount;
    // `receivedAmount` is "0" until AlpPay has sent anything: that is "not known yet", not a
    // zero payout. Only a completed withdrawal reports a zero as it is.
    out.amount_sent = w.received_amount.filter(|a| !a.is_zero() || status == WithdrawalStatus::Completed);
    out.address = non_empty(w.address_to);
    out.tag = non_empty(w.dest_tag);
    out.source_address = non_empty(w.address_from);
    out.tx_hash = non_empty(w.txn_id);
    out.created_at = w.created_at;
    out.updated_at = w.updated_at;
    out.approve_at = w.time_to_approve;
    out.raw = raw;
    Ok(out)
}

/// Reads the listing's `{data, page, limit, total}` onto a [`Page`]. The page and limit AlpPay
/// reports win over the ones asked for, so that `Page::has_more` counts as AlpPay did.
///
/// A listing is read as "these are the matches", so an answer that cannot show that is a
/// [`PayoutError::Protocol`], never an empty page (a lookup by reference would conclude the
/// reference is free, and `submit` would create the payout again):
///
/// - an envelope without `data` (the newer `listPayments` page answers with `results`), with
///   `data: null`, or with a `data` that is not an array;
/// - a `total` that disagrees with the items: page `p` of `limit` must hold exactly
///   `min(limit, total - p * limit)` items (none past the end).
pub(crate) fn page_from_body(body: &[u8], status: u16, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
    let page = match page_in_one_pass(body, query) {
        Some(page) => page,
        None => page_read_slowly(body, status, query)?,
    };
    check_total(&page).map_err(|m| PayoutError::protocol(m, Some(status), body))?;
    Ok(page)
}

/// What the one-pass reader refuses, read through a `Value`, for the exact error.
fn page_read_slowly(body: &[u8], status: u16, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
    let protocol = |m: String| PayoutError::protocol(m, Some(status), body);
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| protocol(format!("cannot read the listing (`{{data, page, limit, total}}`): {e}")))?;
    let serde_json::Value::Object(map) = &value else {
        return Err(protocol(format!(
            "the listing is {}, not a `{{data, page, limit, total}}` object",
            kind_of(&value)
        )));
    };
    match map.get("data") {
        Some(serde_json::Value::Array(_)) => {}
        None => {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            return Err(protocol(format!(
                "the listing has no `data` array (its keys: {}), so it cannot show what matches; nothing is concluded from it",
                if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
            )));
        }
        Some(other) => {
            return Err(protocol(format!(
                "the listing's `data` is {}, not an array, so it cannot show what matches; nothing is concluded from it",
                kind_of(other)
            )));
        }
    }
    let envelope = wire::ListEnvelope::<serde_json::Value>::deserialize(value)
        .map_err(|e| protocol(format!("cannot read the listing (`{{data, page, limit, total}}`): {e}")))?;
    let data = envelope.data.unwrap_or_default();
    let mut items = Vec::with_capacity(data.len());
    for (i, value) in data.into_iter().enumerate() {
        items.push(withdrawal_from_value(value).map_err(|e| item_error(i, &e, status, body))?);
    }
    Ok(page(items, envelope.page, envelope.limit, envelope.total, query))
}

/// The envelope read once with each item kept as its text, then each item typed from that text
/// (no `Value` tree is built). `None` if anything is refused, `data` missing or `null` included.
fn page_in_one_pass(body: &[u8], query: &ListQuery) -> Option<Page<Withdrawal>> {
    let envelope: wire::ListEnvelope<Box<RawValue>> = serde_json::from_slice(body).ok()?;
    let data = envelope.data?;
    let mut items = Vec::with_capacity(data.len());
    for raw in data {
        items.push(withdrawal_from_raw(raw)?);
    }
    Some(page(items, envelope.page, envelope.limit, envelope.total, query))
}

/// With a `total`, page `p` of `limit` holds exactly `min(limit, total - p * limit)` items, and
/// none past the end. Anything else means the answer does not show what matches: fewer items
/// hide some, more are not what the total counts.
fn check_total(page: &Page<Withdrawal>) -> Result<(), String> {
    let Some(total) = page.total else { return Ok(()) };
    let start = u64::from(page.page) * u64::from(page.limit);
    let expected = total.saturating_sub(start).min(u64::from(page.limit));
    let held = page.items.len() as u64;
    if held == expected {
        return Ok(());
    }
    Err(format!(
        "the listing's total ({total}) disagrees with its items: page {} of {} should hold {expected}, it holds {held}; nothing is concluded from it",
        page.page, page.limit
    ))
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn item_error(i: usize, e: &str, status: u16, body: &[u8]) -> PayoutError {
    PayoutError::protocol(format!("item {i} of the listing is not an AlpPay withdrawal: {e}"), Some(status), body)
}

fn page(
    items: Vec<Withdrawal>,
    page: Option<u32>,
    limit: Option<u32>,
    total: Option<u64>,
    query: &ListQuery,
) -> Page<Withdrawal> {
    let limit = limit.filter(|l| *l > 0).unwrap_or(query.limit);
    Page::new(items, page.unwrap_or(query.page), limit, total)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Characters sent as they are in a query value: RFC 3986's unreserved set. Everything else,
/// `,` included, is percent-encoded, so the commas between values are the only literal ones.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// What a listing query becomes on the wire.
pub(crate) enum ListRequest {
    /// Send `GET /withdrawal?` with this query string.
    Send(String),
    /// Every status asked for has no AlpPay equivalent: nothing can match.
    Empty,
}

/// Builds the query string of `GET /withdrawal`: `ids`, `txnIds`, `invoices` and `statuses`
/// as comma-separated lists (one parameter each, only when non-empty), then `page` and `limit`.
///
/// `processing`, `rejected` and `unknown` have no AlpPay equivalent: they are dropped from the
/// statuses, and a query asking only for them matches nothing ([`ListRequest::Empty`]).
///
/// AlpPay splits values on `,`, so a value containing one cannot be asked for exactly and is
/// refused, unless `over_match` is set (lookups by reference, which filter the answer exactly).
pub(crate) fn list_request(query: &ListQuery, over_match: bool) -> Result<ListRequest, PayoutError> {
    query.validate()?;
    let mut errors = Vec::new();
    let mut q = String::with_capacity(64);
    push_list(&mut q, "ids", "ids", query.ids.iter().map(WithdrawalId::as_str), over_match, &mut errors);
    push_list(&mut q, "txnIds", "tx_hashes", query.tx_hashes.iter().map(String::as_str), over_match, &mut errors);
    push_list(
        &mut q,
        "invoices",
        "references",
        query.references.iter().map(Reference::as_str),
        over_match,
        &mut errors,
    );
    if !query.statuses.is_empty() {
        let mut wire: Vec<&str> = Vec::with_capacity(4);
        for s in query.statuses.iter().filter_map(|s| wire_status(*s)) {
            if !wire.contains(&s) {
                wire.push(s);
            }
        }
        if wire.is_empty() {
            return if errors.is_empty() { Ok(ListRequest::Empty) } else { Err(PayoutError::invalid(errors)) };
        }
        push_list(&mut q, "statuses", "statuses", wire.into_iter(), false, &mut errors);
    }
    if !errors.is_empty() {
        return Err(PayoutError::invalid(errors));
    }
    if !q.is_empty() {
        q.push('&');
    }
    q.push_str("page=");
    q.push_str(&query.page.to_string());
    q.push_str("&limit=");
    q.push_str(&query.limit.to_string());
    Ok(ListRequest::Send(q))
}

fn push_list<'a>(
    q: &mut String,
    param: &str,
    field: &str,
    values: impl Iterator<Item = &'a str>,
    over_match: bool,
    errors: &mut Vec<FieldError>,
) {
    let mut first = true;
    for v in values {
        if v.is_empty() {
            errors.push(FieldError::new(field, "must not hold an empty value"));
            continue;
        }
        if v.contains(',') && !over_match {
            errors.push(FieldError::new(
                field,
                format!(
                    "`{v}` contains a comma, which AlpPay reads as a separator between values; it cannot be filtered on"
                ),
            ));
            continue;
        }
        if first {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(param);
            q.push('=');
            first = false;
        } else {
            q.push(',');
        }
        q.extend(utf8_percent_encode(v, QUERY_VALUE));
    }
}

/// Checks a request against what AlpPay accepts and serializes the body of `POST /withdrawal`,
/// once: these exact bytes are signed and sent. Every problem is reported at once, naming its
/// field.
pub(crate) fn create_body(request: &WithdrawalRequest) -> Result<Vec<u8>, PayoutError> {
    // AlpPay converts nothing, has no field for sender or receiver data, takes its fee as it
    // decides and sends webhooks to the dashboard's URL: any of those is refused, never dropped.
    let amount = request.plain_amount(&PROVIDER_ID, payout_core::RequestOptions::none())?;
    let mut errors = Vec::new();
    let amount = match wire_amount(amount) {
        Ok(a) => a,
        Err(m) => {
            errors.push(FieldError::new("amount", m));
            String::new()
        }
    };
    let asset = wire_asset(request.asset()).map_err(|m| errors.push(FieldError::new("asset", m))).ok();
    let user = request.end_user();
    let customer_id = customer_id(&user.id).map_err(|m| errors.push(FieldError::new("end_user.id", m))).ok();
    let name = match user.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() && !n.chars().any(char::is_control) => n,
        Some(n) if !n.is_empty() => {
            errors.push(FieldError::new("end_user.name", "must not contain control characters"));
            ""
        }
        _ => {
            errors.push(FieldError::new("end_user.name", "is required by AlpPay: the end user's name"));
            ""
        }
    };
    let email = match user.email.as_deref().map(str::trim) {
        Some(e) if is_email(e) => e,
        Some(_) => {
            errors.push(FieldError::new("end_user.email", "is not a valid e-mail address (name@domain.tld)"));
            ""
        }
        None => {
            errors.push(FieldError::new("end_user.email", "is required by AlpPay: the end user's e-mail address"));
            ""
        }
    };
    let (Some((short, network)), Some(id), true) = (asset, customer_id, errors.is_empty()) else {
        return Err(PayoutError::invalid(errors));
    };
    let body = wire::CreateBody {
        amount,
        asset: wire::CreateAsset { short, network },
        address_to: request.address(),
        customer: wire::CreateCustomer { id, name, email },
        dest_tag: request.tag().unwrap_or(""),
        invoice: request.reference().as_str(),
    };
    serde_json::to_vec(&body)
        .map_err(|e| PayoutError::invalid_field("request", format!("cannot be written as JSON: {e}")))
}

/// The amount as AlpPay wants it: positive, at most 8 places, written with its own scale
/// (`"250.00"` stays `"250.00"`; trailing zeros beyond the 8th place are dropped, which changes
/// nothing). More places are refused, never rounded.
fn wire_amount(amount: Decimal) -> Result<String, String> {
    payout_core::amount::wire_text(amount, MAX_DECIMALS)
}

/// AlpPay's `{short, network}` for an asset, or why it cannot be sent.
fn wire_asset(asset: &Asset) -> Result<(&str, &str), String> {
    let symbol = asset.symbol();
    let networks = || {
        let mut n: Vec<&str> = SUPPORTED_ASSETS.iter().filter(|(s, _)| *s == symbol).map(|(_, n)| *n).collect();
        if n.is_empty() {
            n = SUPPORTED_ASSETS.iter().map(|(_, n)| *n).collect();
            n.dedup();
        }
        n.join(" or ")
    };
    let Some(network) = asset.network() else {
        return Err(format!("AlpPay needs a network for {symbol}: {}", networks()));
    };
    if asset.is_provider_code() || SUPPORTED_ASSETS.contains(&(symbol, network)) {
        return Ok((symbol, network));
    }
    let accepted: Vec<String> = SUPPORTED_ASSETS.iter().map(|(s, n)| format!("{s} on {n}")).collect();
    Err(format!("AlpPay pays out {}; got {asset}", accepted.join(", ")))
}

/// AlpPay's `customer.id` is an integer: digits only, no sign or leading zero, within 64 bits.
fn customer_id(id: &str) -> Result<u64, String> {
    let canonical = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && (id == "0" || !id.starts_with('0'));
    match id.parse::<u64>() {
        Ok(n) if canonical && n <= i64::MAX as u64 => Ok(n),
        _ => Err(format!(
            "AlpPay needs a numeric customer id: an integer written with digits only (no sign or leading zeros, at most {}); got `{id}`",
            i64::MAX
        )),
    }
}

/// A plain shape check: something@domain.tld without white space. AlpPay validates the rest.
fn is_email(e: &str) -> bool {
    let Some((local, domain)) = e.rsplit_once('@') else { return false };
    !local.is_empty()
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
}

// Refusals: the error categories of AlpPay's answers.

/// Maps an AlpPay refusal to an error category (`reference`: the create's, `None` for a read).
pub(crate) fn refusal(answer: &HttpResponse, reference: Option<&Reference>) -> PayoutError {
    match reference {
        Some(reference) => create_refusal(answer, reference),
        None => read_refusal(answer),
    }
}

/// The default mapping of a refusal, plus the `{"field": ..., "message": ...}` shape: AlpPay
/// documents no error body, so a field named that way is kept as a field error too.
fn read_refusal(answer: &HttpResponse) -> PayoutError {
    match answer.error() {
        PayoutError::Rejected { message, mut errors, code, status } => {
            if errors.is_empty()
                && let Ok(serde_json::Value::Object(body)) = serde_json::from_slice(&answer.body)
                && let Some(field) = body.get("field").and_then(serde_json::Value::as_str)
            {
                errors.push(FieldError::new(field, message.clone()));
            }
            PayoutError::Rejected { message, errors, code, status }
        }
        other => other,
    }
}

/// Maps a create's refusal. AlpPay documents no duplicate-invoice error; a 409, or a 400/422
/// whose message says the invoice already exists, is read as one.
fn create_refusal(answer: &HttpResponse, reference: &Reference) -> PayoutError {
    match answer.status {
        409 => PayoutError::DuplicateReference { reference: reference.clone() },
        404 => PayoutError::configuration(format!(
            "POST /withdrawal answered 404: nothing was created; check ALPPAY_BASE_URL (it should end in /v2), got HTTP body `{}`",
            String::from_utf8_lossy(&answer.body[..answer.body.len().min(200)])
        )),
        _ => match read_refusal(answer) {
            PayoutError::Rejected { message, .. } if says_duplicate_invoice(&message) => {
                PayoutError::DuplicateReference { reference: reference.clone() }
            }
            other => other,
        },
    }
}

fn says_duplicate_invoice(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("invoice") && ["already", "duplicate", "exists", "not unique", "taken"].iter().any(|w| m.contains(w))
}

#[cfg(test)]
mod tests;
