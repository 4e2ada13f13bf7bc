//! The one place where Cryptomus's wire format and the unified model meet: statuses (with
//! `is_final`), references, assets, amounts, the payout object, the history page, the services
//! table, the request bodies (PHP-encoded, as signed), and refusals → error categories.

use payout_core::http::{HttpResponse, field_errors};
use payout_core::{
    Asset, FieldError, ListQuery, Page, PayoutError, RawJson, Reference, ReferenceAlphabet, ReferenceRules,
    RequestOptions, Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalStatus,
};
use serde_json::value::RawValue;

use crate::PROVIDER_ID;
use crate::wire::{self, php_json};

/// Cryptomus's rules for references (`order_id`): 1 to 100 characters of letters, digits, `_`
/// and `-` (Laravel `alpha_dash`; this crate keeps to ASCII, as Laravel's Unicode letters are
/// an inference); `POST /payout/info` reads at most 32.
pub const REFERENCE_RULES: ReferenceRules =
    ReferenceRules::new().max_len(100).alphabet(ReferenceAlphabet::AsciiAlphaDash).lookup_max_len(32);

/// The most decimal places sent in an amount: Cryptomus writes every amount with 8. More are
/// refused, never rounded.
pub const MAX_DECIMALS: u32 = 8;

/// The longest `memo` (TON destination tag) Cryptomus takes.
pub const MAX_MEMO: usize = 30;

/// The unified status of a Cryptomus status and its `is_final` flag (the contract table):
///
/// | Cryptomus | `is_final` | unified |
/// |---|---|---|
/// | `process` | any | `processing` |
/// | `check` | any | `pending` |
/// | `paid` | any | `completed` |
/// | `cancel` | any | `cancelled` |
/// | `fail`, `system_fail` | false (or not sent) | `processing` (support may still resend it) |
/// | `fail`, `system_fail` | true | `cancelled` |
/// | `fail` with `fail_reason` `aml` (any case) | true | `rejected` |
/// | anything else | any | `unknown` (the raw string kept) |
///
/// ```
/// use payout_cryptomus::mapping::unified_status;
/// use payout_core::WithdrawalStatus;
/// assert_eq!(unified_status("fail", false, None), WithdrawalStatus::Processing);
/// assert_eq!(unified_status("fail", true, None), WithdrawalStatus::Cancelled);
/// assert_eq!(unified_status("fail", true, Some("AML")), WithdrawalStatus::Rejected);
/// assert_eq!(unified_status("refund", true, None), WithdrawalStatus::Unknown);
/// ```
pub fn unified_status(status: &str, is_final: bool, fail_reason: Option<&str>) -> WithdrawalStatus {
    match status {
        "process" => WithdrawalStatus::Processing,
        "check" => WithdrawalStatus::Pending,
        "paid" => WithdrawalStatus::Completed,
        "cancel" => WithdrawalStatus::Cancelled,
        "fail" | "system_fail" if !is_final => WithdrawalStatus::Processing,
        "fail" if fail_reason.is_some_and(|r| r.trim().eq_ignore_ascii_case("aml")) => WithdrawalStatus::Rejected,
        "fail" | "system_fail" => WithdrawalStatus::Cancelled,
        _ => WithdrawalStatus::Unknown,
    }
}

/// Reads one payout object (create, info, a history item, a webhook without its `sign`) into the
/// unified model, keeping the object in [`Withdrawal::raw`]. `reference` is the one asked for,
/// used when the object does not echo `order_id` (create and info answers do not).
pub(crate) fn withdrawal_from_raw(raw: &RawValue, reference: Option<&Reference>) -> Result<Withdrawal, String> {
    let p: wire::Payout = serde_json::from_str(raw.get()).map_err(|e| format!("not a Cryptomus payout: {e}"))?;
    if p.uuid.trim().is_empty() {
        return Err("the payout has an empty `uuid`".into());
    }
    let status = unified_status(&p.status, p.is_final.unwrap_or(false), p.fail_reason.as_deref());
    let mut w = Withdrawal::new(PROVIDER_ID, WithdrawalId::new(p.uuid), status, p.status);
    w.reference = match non_empty(p.order_id) {
        Some(echoed) => Reference::new(echoed).ok(),
        None => reference.cloned(),
    };
    w.asset = non_empty(p.currency).map(|c| match non_empty(p.network) {
        Some(n) => Asset::new(c).on(n),
        None => Asset::new(c),
    });
    w.amount = p.amount;
    let same_currency = match (&p.payer_currency, &w.asset) {
        (Some(payer), Some(asset)) => payer.eq_ignore_ascii_case(asset.symbol()),
        _ => true,
    };
    // `payer_amount` is what was actually sent, once paid, in the paid-out currency.
    w.amount_sent = p.payer_amount.filter(|_| status == WithdrawalStatus::Completed && same_currency);
    w.address = non_empty(p.address);
    w.tx_hash = non_empty(p.txid);
    w.failure_reason = non_empty(p.fail_reason);
    w.created_at = p.created_at;
    w.updated_at = p.updated_at;
    w.raw = RawJson::from(raw);
    Ok(w)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The `result` of a successful answer (2xx, `state` 0), or why there is none: a refusal (any
/// non-2xx answer, or `state` 1 with a message or errors: `Err(None)`, map it with [`refusal`])
/// or a 2xx body that cannot be read (`Err(Some(protocol error))`).
pub(crate) fn result_of(answer: &HttpResponse) -> Result<&RawValue, Option<PayoutError>> {
    if !answer.is_success() {
        return Err(None);
    }
    let protocol = |m: String| Some(PayoutError::protocol(m, Some(answer.status), &answer.body));
    let envelope: wire::Envelope<'_> = serde_json::from_slice(&answer.body)
        .map_err(|e| protocol(format!("the answer is not Cryptomus's `{{state, result}}` envelope: {e}")))?;
    match (envelope.state, envelope.result) {
        (Some(0), Some(result)) => Ok(result),
        (Some(0), _) => Err(protocol("the answer has `state: 0` but no `result`".into())),
        _ if envelope.message.is_some() || envelope.errors.is_some() => Err(None),
        (state, _) => Err(protocol(format!(
            "the answer's `state` is {} without a message or errors: it says neither what was done nor why not",
            state.map_or_else(|| "missing".to_owned(), |s| s.to_string())
        ))),
    }
}

/// What a refusal is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call<'a> {
    /// A create of this reference.
    Create(&'a Reference),
    /// A read (info, history, services).
    Read,
}

/// Whether a refusal of `POST /payout/info` says there is no such payout. Only what says so
/// (HTTP 404, or a message naming a payout not found) counts: anything else proves nothing.
pub(crate) fn says_not_found(answer: &HttpResponse) -> bool {
    if answer.status == 404 {
        return true;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&answer.body) else { return false };
    let m = v.get("message").and_then(serde_json::Value::as_str).unwrap_or("").to_ascii_lowercase();
    m.contains("not found") && (m.contains("payout") || m.contains("withdraw"))
}

/// Maps a refusal (a non-2xx answer, or `state` other than 0 with a message or errors) to an
/// error category.
///
/// - `Invalid Sign.`, 401, 403: [`PayoutError::Authentication`] (check the payout key: the
///   payment key does not sign payouts).
/// - A create whose `order_id` Cryptomus calls taken (`validation.unique`):
///   [`PayoutError::DuplicateReference`].
/// - `The terminal was not found` (Cryptomus's technical works): [`PayoutError::Unavailable`];
///   nothing was created.
/// - 404 on a create: [`PayoutError::Configuration`] (the base URL is wrong).
/// - Everything else Cryptomus refuses (422 validation errors, `Not enough funds`, `Minimum
///   amount …`): [`PayoutError::Rejected`] with the messages and fields kept.
pub(crate) fn refusal(answer: &HttpResponse, call: Call<'_>) -> PayoutError {
    let value: Option<serde_json::Value> = serde_json::from_slice(&answer.body).ok();
    let errors = value.as_ref().map(field_errors).unwrap_or_default();
    let message = value
        .as_ref()
        .and_then(|v| v.get("message").and_then(serde_json::Value::as_str).map(str::to_owned))
        .or_else(|| (!errors.is_empty()).then(|| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&answer.body[..answer.body.len().min(300)]).trim().to_owned();
            if text.is_empty() { format!("HTTP {}", answer.status) } else { text }
        });
    let lower = message.to_ascii_lowercase();
    let status = Some(answer.status);
    if lower.contains("invalid sign") || matches!(answer.status, 401 | 403) {
        return PayoutError::Authentication {
            message: format!(
                "{message} (check {} and {}: payouts are signed with the payout key, not the payment key)",
                crate::ENV_MERCHANT,
                crate::ENV_PAYOUT_KEY
            ),
            status,
        };
    }
    if answer.status == 429 {
        return answer.error();
    }
    if let Call::Create(reference) = call {
        let taken = |m: &str| {
            let m = m.to_ascii_lowercase();
            ["unique", "taken", "exist", "already"].iter().any(|w| m.contains(w))
        };
        if errors.iter().any(|e| e.field == "order_id" && taken(&e.message))
            || (lower.contains("order_id") && taken(&lower))
        {
            return PayoutError::DuplicateReference { reference: reference.clone() };
        }
        if answer.status == 404 && value.as_ref().and_then(|v| v.get("state")).is_none() {
            return PayoutError::configuration(format!(
                "POST /payout answered 404: nothing was created; check {} (it should end in /v1)",
                crate::ENV_BASE_URL
            ));
        }
    }
    if lower.contains("terminal was not found") {
        return PayoutError::unavailable(
            format!("{message} (Cryptomus is doing technical work; nothing was done)"),
            status,
        );
    }
    match answer.status {
        200..=299 | 400 | 409 | 422 => PayoutError::Rejected { message, errors, code: None, status },
        404 => PayoutError::NotFound { what: message },
        500..=599 => PayoutError::unavailable(message, status),
        _ => PayoutError::protocol(format!("unexpected answer: {message}"), status, &answer.body),
    }
}

/// Checks a request against what Cryptomus accepts and writes the body of `POST /payout` once,
/// PHP-style: these exact bytes are signed and sent. Every problem is reported at once, naming
/// its field.
pub(crate) fn create_body(request: &WithdrawalRequest) -> Result<Vec<u8>, PayoutError> {
    let amount = request.plain_amount(&PROVIDER_ID, RequestOptions::none().with_fee_from().with_callback_url())?;
    let mut errors = Vec::new();
    if let Some(problem) = REFERENCE_RULES.problem(request.reference()) {
        errors.push(FieldError::new("reference", format!("{problem} (Cryptomus `order_id`)")));
    }
    let amount = payout_core::amount::wire_text(amount, MAX_DECIMALS)
        .map_err(|m| errors.push(FieldError::new("amount", m)))
        .unwrap_or_default();
    let (currency, network) = wire_asset(request.asset());
    if currency.is_empty() {
        errors.push(FieldError::new("asset", "must name a Cryptomus currency code, such as USDT"));
    }
    if let Some(tag) = request.tag()
        && tag.chars().count() > MAX_MEMO
    {
        errors.push(FieldError::new("tag", format!("Cryptomus takes a memo of at most {MAX_MEMO} characters")));
    }
    if !errors.is_empty() {
        return Err(PayoutError::invalid(errors));
    }
    let body = wire::CreateBody {
        amount,
        currency: &currency,
        network,
        order_id: request.reference().as_str(),
        address: request.address(),
        is_subtract: request.fee_from() == payout_core::FeeFrom::Balance,
        url_callback: request.callback_url(),
        memo: request.tag(),
    };
    php_body(&body)
}

/// The body of `POST /payout/info` by uuid.
pub(crate) fn info_by_uuid(id: &WithdrawalId) -> Result<Vec<u8>, PayoutError> {
    let raw = id.as_str();
    if raw.is_empty() || raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(PayoutError::invalid_field("id", "must be a Cryptomus payout uuid (hex digits and dashes)"));
    }
    php_body(&wire::InfoBody { uuid: Some(raw), order_id: None })
}

/// The body of `POST /payout/info` by `order_id`; a reference its lookup cannot read (longer than
/// 32 characters, or other characters) is refused before sending.
pub(crate) fn info_by_reference(reference: &Reference) -> Result<Vec<u8>, PayoutError> {
    REFERENCE_RULES.check_lookup(&PROVIDER_ID, reference)?;
    php_body(&wire::InfoBody { uuid: None, order_id: Some(reference.as_str()) })
}

/// Any body, written compactly by serde_json and then in PHP's form.
fn php_body<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, PayoutError> {
    let compact = serde_json::to_vec(body)
        .map_err(|e| PayoutError::invalid_field("request", format!("cannot be written as JSON: {e}")))?;
    php_json::encode(&compact).ok_or_else(|| PayoutError::invalid_field("request", "cannot be written as JSON"))
}

/// `currency` and `network` for an asset: upper case, as Cryptomus's requests and services
/// write them (a provider code is sent as given).
fn wire_asset(asset: &Asset) -> (String, Option<String>) {
    if asset.is_provider_code() {
        return (asset.symbol().to_owned(), asset.network().map(str::to_owned));
    }
    (asset.symbol().trim().to_ascii_uppercase(), asset.network().map(|n| n.trim().to_ascii_uppercase()))
}

/// Reads the history's `result` onto a cursor-paged [`Page`], keeping only what `query`'s
/// filters match (Cryptomus's history has none of its own). An item that cannot be read is a
/// [`PayoutError::Protocol`], never skipped.
pub(crate) fn page_from_result(
    result: &RawValue,
    answer: &HttpResponse,
    query: &ListQuery,
) -> Result<Page<Withdrawal>, PayoutError> {
    let protocol = |m: String| PayoutError::protocol(m, Some(answer.status), &answer.body);
    let history: wire::History<'_> = serde_json::from_str(result.get())
        .map_err(|e| protocol(format!("cannot read the payout history (`{{items, paginate}}`): {e}")))?;
    let Some(raw_items) = history.items else {
        return Err(protocol(
            "the payout history has no `items` array, so it cannot show what there is; nothing is concluded from it"
                .into(),
        ));
    };
    let mut items = Vec::with_capacity(raw_items.len());
    for (i, raw) in raw_items.into_iter().enumerate() {
        let w = withdrawal_from_raw(raw, None).map_err(|e| protocol(format!("item {i} of the history: {e}")))?;
        if matches_query(&w, query) {
            items.push(w);
        }
    }
    let paginate = history.paginate;
    let limit = paginate.as_ref().and_then(|p| p.per_page).filter(|n| *n > 0).unwrap_or(query.limit);
    let next = paginate.and_then(|p| p.next_cursor).filter(|c| !c.is_empty());
    Ok(Page::cursored(items, limit, next))
}

/// Whether a payout matches a listing's filters (ids, references, transaction hashes, unified
/// statuses), applied here because Cryptomus's history takes none.
pub(crate) fn matches_query(w: &Withdrawal, q: &ListQuery) -> bool {
    (q.ids.is_empty() || q.ids.iter().any(|id| id.as_str().eq_ignore_ascii_case(w.id.as_str())))
        && (q.references.is_empty() || w.reference.as_ref().is_some_and(|r| q.references.contains(r)))
        && (q.tx_hashes.is_empty() || w.tx_hash.as_ref().is_some_and(|h| q.tx_hashes.contains(h)))
        && (q.statuses.is_empty() || q.statuses.contains(&w.status))
}

/// Whether a listing query filters at all.
pub(crate) fn filters(q: &ListQuery) -> bool {
    !(q.ids.is_empty() && q.references.is_empty() && q.tx_hashes.is_empty() && q.statuses.is_empty())
}

/// Reads the services table (`result` of `POST /payout/services`).
pub(crate) fn services_from_result(
    result: &RawValue,
    answer: &HttpResponse,
) -> Result<Vec<wire::Service>, PayoutError> {
    serde_json::from_str(result.get()).map_err(|e| {
        PayoutError::protocol(format!("cannot read the payout services table: {e}"), Some(answer.status), &answer.body)
    })
}

/// Refuses, before sending, a create the services table shows Cryptomus would refuse: a currency
/// and network it offers no payout service for (or that is not available now), or an amount
/// outside the service's limits. A request without a network is checked against the currency's
/// only service; with several, the network is required.
pub(crate) fn check_service(services: &[wire::Service], request: &WithdrawalRequest) -> Result<(), PayoutError> {
    let (currency, network) = wire_asset(request.asset());
    let of_currency: Vec<&wire::Service> =
        services.iter().filter(|s| s.currency.eq_ignore_ascii_case(&currency)).collect();
    let networks = || of_currency.iter().map(|s| s.network.to_ascii_uppercase()).collect::<Vec<_>>().join(", ");
    let service = match network.as_deref() {
        Some(n) => of_currency.iter().find(|s| s.network.eq_ignore_ascii_case(n)).copied(),
        None if of_currency.len() == 1 => Some(of_currency[0]),
        None if of_currency.len() > 1 => {
            return Err(PayoutError::invalid_field(
                "asset",
                format!("Cryptomus pays {currency} out on {}: name the network", networks()),
            ));
        }
        None => None,
    };
    let Some(service) = service else {
        let offered = if of_currency.is_empty() {
            let mut all: Vec<String> = services.iter().map(|s| s.currency.to_ascii_uppercase()).collect();
            all.sort();
            all.dedup();
            format!("it pays out {}", all.join(", "))
        } else {
            format!("it pays {currency} out on {}", networks())
        };
        return Err(PayoutError::invalid_field(
            "asset",
            format!("Cryptomus offers no payout service for {}; {offered}", request.asset()),
        ));
    };
    if service.is_available == Some(false) {
        return Err(PayoutError::invalid_field(
            "asset",
            format!("Cryptomus's payout service for {currency} on {} is not available now", service.network),
        ));
    }
    let amount = request.amount().value();
    let limit = service.limit.as_ref();
    if let Some(min) = limit.and_then(|l| l.min_amount)
        && amount < min
    {
        return Err(PayoutError::invalid_field(
            "amount",
            format!("{amount} is below Cryptomus's minimum of {} {currency} on {}", min.normalize(), service.network),
        ));
    }
    if let Some(max) = limit.and_then(|l| l.max_amount)
        && amount > max
    {
        return Err(PayoutError::invalid_field(
            "amount",
            format!("{amount} is above Cryptomus's maximum of {} {currency} on {}", max.normalize(), service.network),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
