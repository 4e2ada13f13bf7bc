//! The one place where AlphaPo's wire types and the unified model meet: currency codes,
//! precision, statuses, the create body, answers and callbacks turned into [`Withdrawal`]s, and
//! refusals turned into error categories.

use payout_core::http::HttpResponse;
use payout_core::{
    Asset, EndUser, FieldError, Party, PayoutAmount, PayoutError, ProviderId, RawJson, Reference, Withdrawal,
    WithdrawalId, WithdrawalRequest, WithdrawalStatus, amount,
};
use rust_decimal::Decimal;

use crate::wire::{CreateWithdrawal, CreatedWithdrawal, Leg, PartyData, Transaction};

/// The provider's name: `"alphapo"`.
pub const PROVIDER_NAME: &str = "alphapo";

/// The provider id of AlphaPo.
pub const PROVIDER_ID: ProviderId = ProviderId::from_static(PROVIDER_NAME);

/// One AlphaPo currency code and the unified asset it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// AlphaPo's code (`USDTT`).
    pub code: &'static str,
    /// The unified symbol (`USDT`).
    pub symbol: &'static str,
    /// The unified network, for tokens on a named chain (`tron`).
    pub network: Option<&'static str>,
    /// Networks that also name this code: besides `network`, no network at all is accepted
    /// when this is true (`ETH` alone means ether).
    pub network_optional: bool,
    /// The decimal places AlphaPo takes for it; more are refused, never rounded.
    pub precision: u32,
    /// Fiat: only the source of a conversion, never paid out.
    pub fiat: bool,
}

const fn coin(code: &'static str, precision: u32) -> Currency {
    Currency { code, symbol: code, network: None, network_optional: true, precision, fiat: false }
}

const fn token(
    code: &'static str,
    symbol: &'static str,
    network: &'static str,
    network_optional: bool,
    precision: u32,
) -> Currency {
    Currency { code, symbol, network: Some(network), network_optional, precision, fiat: false }
}

/// The currencies this crate names, with their precision. The AlphaPo simulator of
/// `payout-testkit` uses the same codes.
///
/// | unified asset | AlphaPo code | decimals |
/// |---|---|---|
/// | BTC | `BTC` | 8 |
/// | LTC | `LTC` | 8 |
/// | ETH (on `ethereum`, or no network) | `ETH` | 8 |
/// | BCH | `BCH` | 8 |
/// | DOGE | `DOGE` | 8 |
/// | XRP | `XRP` | 6 |
/// | TRX (on `tron`, or no network) | `TRX` | 6 |
/// | USDT on `tron` | `USDTT` | 6 |
/// | USDT on `ethereum` | `USDTE` | 6 |
/// | USDC (on `ethereum`, or no network) | `USDC` | 6 |
/// | EUR (fiat: only the source of a conversion) | `EUR` | 2 |
///
/// Any other code passes through unmapped with [`Asset::provider_code`].
pub const CURRENCIES: &[Currency] = &[
    coin("BTC", 8),
    coin("LTC", 8),
    token("ETH", "ETH", "ethereum", true, 8),
    coin("BCH", 8),
    coin("DOGE", 8),
    coin("XRP", 6),
    token("TRX", "TRX", "tron", true, 6),
    token("USDTT", "USDT", "tron", false, 6),
    token("USDTE", "USDT", "ethereum", false, 6),
    token("USDC", "USDC", "ethereum", true, 6),
    Currency { code: "EUR", symbol: "EUR", network: None, network_optional: true, precision: 2, fiat: true },
];

/// What an asset becomes on AlphaPo's wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireCurrency {
    /// The code sent.
    pub code: String,
    /// The decimals allowed, when known (a passed-through code uses the asset's own, if set).
    pub precision: Option<u32>,
    /// Whether it is fiat.
    pub fiat: bool,
}

/// The accepted assets, in words, for error messages.
fn accepted() -> String {
    let list: Vec<String> = CURRENCIES
        .iter()
        .map(|c| match (c.network, c.network_optional) {
            (Some(n), true) => format!("{} (on {n} or no network)", c.symbol),
            (Some(n), false) => format!("{} on {n}", c.symbol),
            (None, _) => c.symbol.to_owned(),
        })
        .collect();
    format!("{}; or any AlphaPo code through Asset::provider_code", list.join(", "))
}

/// AlphaPo's code for `asset`, or an invalid-request error on `field` listing what is accepted.
pub fn currency_of(field: &str, asset: &Asset) -> Result<WireCurrency, PayoutError> {
    if asset.is_provider_code() {
        let code = asset.symbol();
        if code.is_empty() {
            return Err(PayoutError::invalid_field(field, "the AlphaPo currency code is empty"));
        }
        let known = CURRENCIES.iter().find(|c| c.code == code);
        return Ok(WireCurrency {
            code: code.to_owned(),
            precision: known.map(|c| c.precision).or_else(|| asset.decimals()),
            fiat: known.is_some_and(|c| c.fiat),
        });
    }
    CURRENCIES
        .iter()
        .find(|c| {
            c.symbol == asset.symbol()
                && match asset.network() {
                    None => c.network_optional,
                    Some(n) => c.network == Some(n),
                }
        })
        .map(|c| WireCurrency { code: c.code.to_owned(), precision: Some(c.precision), fiat: c.fiat })
        .ok_or_else(|| {
            PayoutError::invalid_field(field, format!("AlphaPo cannot name {asset}; it accepts {}", accepted()))
        })
}

/// The unified asset for an AlphaPo code: the table's symbol and network, or the code itself
/// (as a provider code) when the table does not know it.
pub fn asset_of(code: &str) -> Asset {
    match CURRENCIES.iter().find(|c| c.code == code) {
        Some(c) => match c.network {
            Some(n) => Asset::new(c.symbol).on(n),
            None => Asset::new(c.symbol),
        },
        None => Asset::provider_code(code),
    }
}

/// The unified status of an AlphaPo status, exactly per the contract:
///
/// | AlphaPo | unified |
/// |---|---|
/// | `pending` | `pending` |
/// | `processing`, `not_confirmed` | `processing` |
/// | `confirmed` | `completed` |
/// | `cancelled` | `cancelled` |
/// | `declined` | `rejected` |
/// | anything else | `unknown` (the raw string is kept in `provider_status`) |
pub fn status_of(status: &str) -> WithdrawalStatus {
    match status {
        "pending" => WithdrawalStatus::Pending,
        "processing" | "not_confirmed" => WithdrawalStatus::Processing,
        "confirmed" => WithdrawalStatus::Completed,
        "cancelled" => WithdrawalStatus::Cancelled,
        "declined" => WithdrawalStatus::Rejected,
        _ => WithdrawalStatus::Unknown,
    }
}

/// The moves AlphaPo documents beyond the core table: `processing` is provisional, the status
/// of every create answer and of nothing else (lookups and callbacks report the same stage as
/// `not_confirmed`), so the review step that follows it (`pending`, when the withdrawal is over
/// the merchant's limits) is a move forward, and a late create answer never overwrites what a
/// lookup or callback said. See [`Rules::provisional`](payout_core::receiver::Rules::provisional).
pub fn status_rules() -> payout_core::receiver::Rules {
    payout_core::receiver::Rules::new().provisional("processing")
}

/// Whether an end-user id looks like an e-mail address (personal data AlphaPo forbids there).
fn looks_like_email(id: &str) -> bool {
    match id.trim().split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }
        None => false,
    }
}

/// Checks what only AlphaPo requires of the end user: `end_user_reference` must carry no
/// personal data. An id that is an e-mail address, or that repeats the end user's name or
/// e-mail, is refused. The name and e-mail themselves are never sent to AlphaPo.
fn check_end_user(user: &EndUser) -> Option<FieldError> {
    let id = user.id.trim();
    let same = |other: &Option<String>| other.as_deref().is_some_and(|o| o.trim().eq_ignore_ascii_case(id));
    if looks_like_email(id) || same(&user.email) {
        Some(FieldError::new(
            "end_user.id",
            "looks like an e-mail address; AlphaPo's end_user_reference must be a stable id without personal data (use your internal user id)",
        ))
    } else if same(&user.name) {
        Some(FieldError::new(
            "end_user.id",
            "is the end user's name; AlphaPo's end_user_reference must be a stable id without personal data (use your internal user id)",
        ))
    } else {
        None
    }
}

/// Formats `value` for `currency`, refusing excess precision (never rounding).
fn format_amount(field: &str, value: Decimal, currency: &WireCurrency) -> Result<String, FieldError> {
    if value <= Decimal::ZERO {
        return Err(FieldError::new(field, format!("must be greater than zero, got {value}")));
    }
    match currency.precision {
        Some(p) => amount::format_scaled(value, p).ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "{value} has {} decimal places but AlphaPo takes at most {p} for {}; it is refused, not rounded",
                    amount::places(value),
                    currency.code
                ),
            )
        }),
        // A passed-through code of unknown precision: sent as given, AlphaPo checks it.
        None => Ok(value.to_string()),
    }
}

/// Maps a unified request to the create body, checking everything AlphaPo would refuse and
/// reporting every problem at once. Returns the serialized bytes: sign and send exactly these.
///
/// Never sent: the end user's name and e-mail (AlphaPo must not receive personal data).
pub fn create_body(request: &WithdrawalRequest) -> Result<Vec<u8>, PayoutError> {
    // AlphaPo takes its fee as it decides and has no callback URL per payout: refused, never
    // dropped.
    request.refuse_unsupported(&crate::PROVIDER_ID, payout_core::RequestOptions::none())?;
    let mut errors = Vec::new();
    errors.extend(check_end_user(request.end_user()));

    let source = currency_of("asset", request.asset()).map_err(|e| errors.extend(e.field_errors().to_vec())).ok();
    let mut amount = None;
    let mut convert_to = None;
    let mut amount_to = None;
    match (request.amount(), &source) {
        (PayoutAmount::Exact(value), Some(src)) => {
            if src.fiat {
                errors.push(FieldError::new(
                    "asset",
                    format!(
                        "{} is fiat: AlphaPo pays it out only converted to crypto; give amount_to with the crypto asset to deliver",
                        src.code
                    ),
                ));
            } else {
                match format_amount("amount", *value, src) {
                    Ok(text) => amount = Some(text),
                    Err(e) => errors.push(e),
                }
            }
        }
        (PayoutAmount::Converted { to, amount: value }, _) => {
            if let Some(target) = conversion_target(to, source.as_ref(), &mut errors) {
                match format_amount("amount_to", *value, &target) {
                    Ok(text) => amount_to = Some(text),
                    Err(e) => errors.push(e),
                }
                convert_to = Some(target.code);
            }
        }
        (PayoutAmount::DebitConverted { to, amount: value }, src) => {
            if let Some(target) = conversion_target(to, source.as_ref(), &mut errors) {
                convert_to = Some(target.code);
            }
            if let Some(src) = src {
                match format_amount("amount", *value, src) {
                    Ok(text) => amount = Some(text),
                    Err(e) => errors.push(e),
                }
            }
        }
        (PayoutAmount::Exact(_), None) => {}
        (other, _) => errors.push(FieldError::new("amount", format!("{other:?} is not an amount AlphaPo knows"))),
    }
    let (sender_type, sender_data) = party(request.travel_rule().and_then(|t| t.sender.as_ref()));
    let (receiver_type, receiver_data) = party(request.travel_rule().and_then(|t| t.receiver.as_ref()));

    let Some(source) = source.filter(|_| errors.is_empty()) else {
        return Err(PayoutError::invalid(errors));
    };
    let body = CreateWithdrawal {
        currency: &source.code,
        foreign_id: request.reference().as_str(),
        end_user_reference: request.end_user().id.as_str(),
        sender_type,
        sender_data,
        receiver_type,
        receiver_data,
        address: request.address(),
        amount,
        convert_to: convert_to.as_deref(),
        amount_to,
        tag: request.tag(),
    };
    serde_json::to_vec(&body).map_err(|e| PayoutError::invalid_field("request", format!("cannot be written: {e}")))
}

/// The currency a conversion goes into: crypto, and not the one paid from.
fn conversion_target(to: &Asset, source: Option<&WireCurrency>, errors: &mut Vec<FieldError>) -> Option<WireCurrency> {
    match currency_of("convert_to", to) {
        Ok(target) if target.fiat => {
            errors.push(FieldError::new(
                "convert_to",
                format!("{} is fiat: AlphaPo converts only into crypto it can send to an address", target.code),
            ));
            None
        }
        Ok(target) if source.is_some_and(|s| s.code == target.code) => {
            errors.push(FieldError::new(
                "convert_to",
                format!("converts {} into itself; give a plain amount instead", target.code),
            ));
            None
        }
        Ok(target) => Some(target),
        Err(e) => {
            errors.extend(e.field_errors().to_vec());
            None
        }
    }
}

/// `*_type` and `*_data` of one side of the travel-rule data; `self` carries no data.
fn party(party: Option<&Party>) -> (Option<&'static str>, Option<PartyData<'_>>) {
    let Some(party) = party else { return (None, None) };
    let data = match party {
        Party::Natural { first_name, last_name, email, .. } => Some(PartyData {
            first_name: Some(first_name),
            last_name: Some(last_name),
            date_of_birth: party.date_of_birth_text(),
            email: email.as_deref(),
            ..PartyData::default()
        }),
        Party::Legal { legal_name, country_of_registration, email } => Some(PartyData {
            legal_name: Some(legal_name),
            country_of_registration: Some(country_of_registration),
            email: email.as_deref(),
            ..PartyData::default()
        }),
        _ => None,
    };
    (Some(party.kind()), data)
}

/// The withdrawal a create's answer describes. The answer has no address or tag, so those are
/// the ones sent (AlphaPo accepted them); reference and end user come from the answer, falling
/// back to the request. `raw` is the `data` object's text, kept as [`Withdrawal::raw`].
pub fn from_created(data: &CreatedWithdrawal, raw: impl Into<RawJson>, request: &WithdrawalRequest) -> Withdrawal {
    let mut w =
        Withdrawal::new(PROVIDER_ID, WithdrawalId::new(data.id.as_str()), status_of(&data.status), &data.status);
    w.reference = data
        .foreign_id
        .as_ref()
        .and_then(|f| Reference::new(f.as_str()).ok())
        .or_else(|| Some(request.reference().clone()));
    w.end_user = Some(EndUser::new(
        data.end_user_reference.as_deref().filter(|s| !s.is_empty()).unwrap_or(&request.end_user().id),
    ));
    let conversion = data.kind.as_deref() == Some("withdrawal_exchange")
        || matches!((&data.sender_currency, &data.receiver_currency), (Some(s), Some(r)) if s != r);
    if conversion {
        w.asset = data.receiver_currency.as_deref().map(asset_of);
        w.amount = data.receiver_amount;
        w.sender_amount = data.sender_amount.or(data.amount);
        w.sender_currency = data.sender_currency.clone();
    } else {
        w.asset = data.receiver_currency.as_deref().or(data.sender_currency.as_deref()).map(asset_of);
        w.amount = data.amount.or(data.sender_amount).or(data.receiver_amount);
    }
    if w.asset.is_none() {
        w.asset = Some(request.amount().convert_to().unwrap_or(request.asset()).clone());
    }
    w.address = Some(request.address().to_owned());
    w.tag = request.tag().map(str::to_owned);
    w.raw = raw.into();
    w
}

/// Whether a transaction's `type` says it is not a withdrawal at all (a deposit, a plain
/// exchange or an invoice); unknown types are given the benefit of the doubt.
pub fn not_a_withdrawal(kind: Option<&str>) -> bool {
    kind.is_some_and(|k| k.starts_with("deposit") || k == "exchange" || k == "invoice")
}

/// The blockchain leg that pays the destination, if any.
fn chain_leg(tx: &Transaction) -> Option<&Leg> {
    let blockchain = |l: &&Leg| l.transaction_type.as_deref().is_none_or(|t| t == "blockchain");
    tx.transactions
        .iter()
        .filter(blockchain)
        .find(|l| l.kind.as_deref().is_none_or(|k| k.starts_with("withdrawal")))
        .or_else(|| tx.transactions.iter().find(blockchain))
}

/// The withdrawal a `/transactions/info` answer or a callback describes.
///
/// - asset: the currency received (for a conversion, what the recipient gets), else the
///   blockchain leg's, the address's, or the currency sent, mapped back through the table;
/// - amount: for a conversion, the amount received; otherwise the amount sent (what left the
///   balance), else the blockchain leg's;
/// - amount sent: the blockchain leg's amount once it has a `txid`;
/// - address and tag: `crypto_address`, else the blockchain leg's;
/// - tx hash: the blockchain leg's `txid` (a number is kept as its text);
/// - failure reason: a non-empty `error`.
///
/// `raw` is the transaction's text, kept as [`Withdrawal::raw`].
pub fn from_transaction(tx: &Transaction, raw: impl Into<RawJson>) -> Withdrawal {
    let mut w = Withdrawal::new(PROVIDER_ID, WithdrawalId::new(tx.id.as_str()), status_of(&tx.status), &tx.status);
    w.reference = tx.foreign_id.as_ref().and_then(|f| Reference::new(f.as_str()).ok());
    w.end_user = tx.end_user_reference.as_deref().filter(|s| !s.trim().is_empty()).map(EndUser::new);

    let leg = chain_leg(tx);
    let sent = tx.currency_sent.as_ref();
    let received = tx.currency_received.as_ref();
    let sent_code = sent.and_then(|c| c.currency.as_deref());
    let received_code = received.and_then(|c| c.currency.as_deref());
    let conversion = tx.kind.as_deref().is_some_and(|k| k.ends_with("_exchange"))
        || matches!((sent_code, received_code), (Some(s), Some(r)) if s != r);

    let code = received_code
        .or_else(|| leg.and_then(|l| l.currency.as_deref()))
        .or_else(|| tx.crypto_address.as_ref().and_then(|a| a.currency.as_deref()))
        .or(sent_code);
    w.asset = code.map(asset_of);
    if conversion {
        w.sender_amount = sent.and_then(|c| c.amount);
        w.sender_currency = sent_code.map(str::to_owned);
    }
    w.amount = if conversion {
        received.and_then(|c| c.amount).or_else(|| leg.and_then(|l| l.amount))
    } else {
        sent.and_then(|c| c.amount).or_else(|| leg.and_then(|l| l.amount))
    };
    let txid = leg.and_then(|l| l.txid.as_ref()).and_then(|t| t.non_empty()).map(str::to_owned);
    w.amount_sent = txid.as_ref().and(leg.and_then(|l| l.amount));
    w.tx_hash = txid;
    let address = tx.crypto_address.as_ref();
    w.address = address
        .and_then(|a| a.address.as_deref())
        .or_else(|| leg.and_then(|l| l.address.as_deref()))
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    w.tag = address
        .and_then(|a| a.tag.as_ref())
        .or_else(|| leg.and_then(|l| l.tag.as_ref()))
        .and_then(|t| t.non_empty())
        .map(str::to_owned);
    w.failure_reason = tx.error.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned);
    w.raw = raw.into();
    w
}

/// AlphaPo's integer id from a unified id, refusing anything else before sending.
pub fn numeric_id(id: &WithdrawalId) -> Result<u64, PayoutError> {
    let text = id.as_str().trim();
    if !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = text.parse::<u64>()
    {
        return Ok(n);
    }
    Err(PayoutError::invalid_field(
        "id",
        format!("AlphaPo withdrawal ids are positive integers, got `{}`", id.as_str()),
    ))
}

// Refusals: the error categories of AlphaPo's answers.

/// A 404 of `/transactions/info` means "no such transaction" only when its body is AlphaPo's
/// documented error (`{"errors":{"id":"Transaction not found."}}`, or the `{"error": ..}` of
/// its other refusals). Anything else (an empty body, an HTML page from a proxy or a wrong base
/// URL, a transaction object, the documented "more than one param" refusal) does not say the
/// withdrawal is absent.
pub(crate) fn not_found(response: &HttpResponse) -> Result<(), PayoutError> {
    let body = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
    let documented = body.as_ref().and_then(serde_json::Value::as_object).is_some_and(|o| {
        let errors = matches!(o.get("errors"), Some(serde_json::Value::Object(_)))
            || matches!(o.get("error"), Some(serde_json::Value::String(_)));
        let transaction = ["id", "status", "data", "foreign_id"].iter().any(|k| o.contains_key(*k));
        errors && !transaction
    });
    let text = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
    if documented && !text.contains("more than one param") {
        return Ok(());
    }
    Err(PayoutError::protocol(
        "AlphaPo answered 404 without its \"transaction not found\" error body, so the withdrawal cannot be taken as absent; check ALPHAPO_BASE_URL",
        Some(404),
        &response.body,
    ))
}

/// Maps an AlphaPo refusal to an error category (`reference`: the create's, `None` for a read).
///
/// - 403 `{"error","code"}` (bad or missing key or signature): authentication, with AlphaPo's
///   words and code. AlphaPo also answers `required_header_key` for an unknown path, so the
///   message mentions the base URL.
/// - 400 `{"errors":{field: message}}`: rejected, each field message kept; on a create, a
///   `foreign_id` that "has already been taken" is a duplicate reference.
/// - 400 `{"error":"Bad content format","code":"bad_content_format"}`: rejected with that code
///   (nothing was created; it means the body was not JSON, which this crate never sends).
/// - 404 not found, 429 rate limited, 5xx unavailable: the shared default mapping.
pub(crate) fn refusal(response: &HttpResponse, reference: Option<&Reference>) -> PayoutError {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
    let text = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(|v| v.as_str()).map(str::to_owned);
    match response.status {
        403 => {
            let words = text("error").unwrap_or_else(|| "access refused".into());
            let code = text("code");
            let hint = match code.as_deref() {
                Some("bad_header_signature" | "required_header_signature") => {
                    "check ALPHAPO_API_SECRET (the signature is HMAC-SHA512 of the body with it)"
                }
                Some("required_header_key") => {
                    "check ALPHAPO_API_KEY and the base URL (AlphaPo answers this for an unknown path too)"
                }
                _ => "check ALPHAPO_API_KEY and ALPHAPO_API_SECRET (sandbox and production keys differ)",
            };
            let message = match code {
                Some(c) => format!("{words} ({c}); {hint}"),
                None => format!("{words}; {hint}"),
            };
            PayoutError::Authentication { message, status: Some(403) }
        }
        400 => {
            let errors = parsed.as_ref().map(payout_core::http::field_errors).unwrap_or_default();
            if let Some(reference) = reference
                && errors
                    .iter()
                    .any(|e| e.field == "foreign_id" && e.message.to_ascii_lowercase().contains("already been taken"))
            {
                return PayoutError::DuplicateReference { reference: reference.clone() };
            }
            let code = text("error_code").or_else(|| text("code"));
            let message = text("error").unwrap_or_else(|| {
                if errors.is_empty() {
                    "AlphaPo refused the request".into()
                } else {
                    "AlphaPo refused these fields".into()
                }
            });
            PayoutError::Rejected { message, errors, code, status: Some(400) }
        }
        _ => response.error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payout_core::ErrorKind;
    use rust_decimal_macros::dec;

    fn req(asset: Asset, amount: Decimal) -> payout_core::WithdrawalRequestBuilder {
        WithdrawalRequest::builder()
            .reference("ref-1")
            .asset(asset)
            .amount(amount)
            .address("addr1")
            .end_user(EndUser::new("user-1"))
    }

    /// A request paying `amount_to` of `to`, funded from `from`.
    fn to_receive(from: Asset, to: Asset, amount_to: Decimal) -> payout_core::WithdrawalRequestBuilder {
        WithdrawalRequest::builder()
            .reference("ref-2")
            .asset(from)
            .amount_to(to, amount_to)
            .address("addr1")
            .end_user(EndUser::new("u"))
    }

    fn body(r: &WithdrawalRequest) -> String {
        String::from_utf8(create_body(r).unwrap()).unwrap()
    }

    /// `amount` with `convert_to`: the exact debit in the source currency's precision.
    #[test]
    fn a_conversion_of_an_exact_debit_sends_amount_and_convert_to() {
        let r = req(Asset::new("EUR"), dec!(25)).convert_to(Asset::new("BTC")).build().unwrap();
        assert_eq!(
            body(&r),
            r#"{"currency":"EUR","foreign_id":"ref-1","end_user_reference":"user-1","address":"addr1","amount":"25.00","convert_to":"BTC"}"#
        );
        let too_precise = req(Asset::new("EUR"), dec!(25.001)).convert_to(Asset::new("BTC")).build().unwrap();
        assert_eq!(create_body(&too_precise).unwrap_err().field_errors()[0].field, "amount");
        let into_fiat = req(Asset::new("BTC"), dec!(0.1)).convert_to(Asset::new("EUR")).build().unwrap();
        assert_eq!(create_body(&into_fiat).unwrap_err().field_errors()[0].field, "convert_to");
    }

    /// AlphaPo cannot choose where its fee comes from, nor take a callback URL per payout:
    /// either is refused naming the field, before a body exists.
    #[test]
    fn fee_from_and_callback_url_are_refused() {
        let fee = req(Asset::new("BTC"), dec!(0.1)).fee_from(payout_core::FeeFrom::Amount).build().unwrap();
        let e = create_body(&fee).unwrap_err();
        assert_eq!(e.kind(), payout_core::ErrorKind::Unsupported);
        assert!(e.to_string().contains("fee_from"), "{e}");
        let hook = req(Asset::new("BTC"), dec!(0.1)).callback_url("https://shop.example/cb").build().unwrap();
        let e = create_body(&hook).unwrap_err();
        assert_eq!(e.kind(), payout_core::ErrorKind::Unsupported);
        assert!(e.to_string().contains("callback_url"), "{e}");
    }

    /// The travel-rule data as AlphaPo's (CryptoProcessing's) page documents it; `self` carries
    /// no data.
    #[test]
    fn travel_rule_data_is_sent_as_documented() {
        use payout_core::{Party, TravelRule};
        let rule = TravelRule::new()
            .sender(
                Party::natural("Ada", "Lovelace", time::macros::date!(1815 - 12 - 10)).with_email("ada@example.com"),
            )
            .receiver(Party::OwnAccount);
        let r = req(Asset::new("BTC"), dec!(0.0002)).travel_rule(rule).build().unwrap();
        assert_eq!(
            body(&r),
            r#"{"currency":"BTC","foreign_id":"ref-1","end_user_reference":"user-1","sender_type":"natural","sender_data":{"first_name":"Ada","last_name":"Lovelace","date_of_birth":"1815-12-10","email":"ada@example.com"},"receiver_type":"self","address":"addr1","amount":"0.00020000"}"#
        );
    }

    /// The debited side of a conversion is carried, from a create answer and from a lookup.
    #[test]
    fn the_debited_side_of_a_conversion_is_kept() {
        let created: crate::wire::Created = serde_json::from_str(
            r#"{"data":{"id":1,"foreign_id":"ref-1","type":"withdrawal_exchange","status":"processing","amount":"25.00000000","sender_amount":"25.00000000","sender_currency":"EUR","receiver_currency":"BTC","receiver_amount":"0.00040000"}}"#,
        )
        .unwrap();
        let r = req(Asset::new("EUR"), dec!(25)).convert_to(Asset::new("BTC")).build().unwrap();
        let w = from_created(&created.data, RawJson::default(), &r);
        assert_eq!((w.amount, w.asset.clone()), (Some(dec!(0.0004)), Some(Asset::new("BTC"))));
        assert_eq!((w.sender_amount, w.sender_currency.as_deref()), (Some(dec!(25)), Some("EUR")));
        let tx: Transaction = serde_json::from_str(
            r#"{"id":1,"foreign_id":"ref-1","type":"withdrawal_exchange","currency_sent":{"currency":"EUR","amount":"804.25693204"},"currency_received":{"currency":"BTC","amount":"0.01000000"},"transactions":[],"fees":[],"error":"","status":"confirmed"}"#,
        )
        .unwrap();
        let w = from_transaction(&tx, RawJson::default());
        assert_eq!((w.sender_amount, w.sender_currency.as_deref()), (Some(dec!(804.25693204)), Some("EUR")));
        assert_eq!(w.amount, Some(dec!(0.01)));
        // A plain withdrawal has no separate debited side.
        let plain = req(Asset::new("BTC"), dec!(0.0002)).build().unwrap();
        let created: crate::wire::Created = serde_json::from_str(
            r#"{"data":{"id":2,"foreign_id":"ref-1","type":"withdrawal","status":"processing","amount":"0.00020000","sender_amount":"0.00020000","sender_currency":"BTC","receiver_currency":"BTC","receiver_amount":"0.00020000"}}"#,
        )
        .unwrap();
        assert_eq!(from_created(&created.data, RawJson::default(), &plain).sender_amount, None);
    }

    #[test]
    fn the_asset_table() {
        let cases = [
            (Asset::new("BTC"), "BTC"),
            (Asset::new("LTC"), "LTC"),
            (Asset::new("ETH"), "ETH"),
            (Asset::new("ETH").on("ethereum"), "ETH"),
            (Asset::new("BCH"), "BCH"),
            (Asset::new("DOGE"), "DOGE"),
            (Asset::new("XRP"), "XRP"),
            (Asset::new("TRX"), "TRX"),
            (Asset::new("TRX").on("tron"), "TRX"),
            (Asset::new("USDT").on("tron"), "USDTT"),
            (Asset::new("USDT").on("ethereum"), "USDTE"),
            (Asset::new("USDC"), "USDC"),
            (Asset::new("USDC").on("ethereum"), "USDC"),
            (Asset::new("EUR"), "EUR"),
            (Asset::provider_code("SOMECOIN"), "SOMECOIN"),
        ];
        for (asset, code) in cases {
            assert_eq!(currency_of("asset", &asset).unwrap().code, code, "{asset}");
        }
        for bad in
            [Asset::new("USDT"), Asset::new("USDT").on("bsc"), Asset::new("BTC").on("lightning"), Asset::new("SOL")]
        {
            let e = currency_of("asset", &bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidRequest);
            let m = e.to_string();
            assert!(m.contains("asset") && m.contains("USDT on tron") && m.contains("provider_code"), "{m}");
        }
    }

    #[test]
    fn codes_map_back() {
        assert_eq!(asset_of("USDTT"), Asset::new("USDT").on("tron"));
        assert_eq!(asset_of("USDTE"), Asset::new("USDT").on("ethereum"));
        assert_eq!(asset_of("BTC"), Asset::new("BTC"));
        assert_eq!(asset_of("ETH"), Asset::new("ETH").on("ethereum"));
        assert_eq!(asset_of("XYZ"), Asset::provider_code("XYZ"));
        for c in CURRENCIES {
            assert_eq!(currency_of("asset", &asset_of(c.code)).unwrap().code, c.code);
        }
    }

    #[test]
    fn statuses() {
        use WithdrawalStatus::*;
        for (raw, s) in [
            ("pending", Pending),
            ("processing", Processing),
            ("not_confirmed", Processing),
            ("confirmed", Completed),
            ("cancelled", Cancelled),
            ("declined", Rejected),
            ("verifying", Unknown),
            ("Confirmed", Unknown),
            ("", Unknown),
        ] {
            assert_eq!(status_of(raw), s, "{raw}");
        }
    }

    #[test]
    fn amounts_use_the_currency_precision() {
        let r = req(Asset::new("BTC"), dec!(0.0002)).build().unwrap();
        assert!(body(&r).contains(r#""amount":"0.00020000""#));
        let r = req(Asset::new("USDT").on("tron"), dec!(12.5)).build().unwrap();
        assert!(body(&r).contains(r#""currency":"USDTT""#) && body(&r).contains(r#""amount":"12.500000""#));
        // ETH takes 18 places in general, but AlphaPo only 8: refused, not rounded.
        let r = req(Asset::new("ETH"), dec!(0.000000001)).build().unwrap();
        let e = create_body(&r).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "amount");
        assert!(e.to_string().contains("at most 8 for ETH"), "{e}");
        // A passed-through code keeps the amount as given.
        let r = req(Asset::provider_code("NEWCOIN"), dec!(1.23)).build().unwrap();
        assert!(body(&r).contains(r#""currency":"NEWCOIN""#) && body(&r).contains(r#""amount":"1.23""#));
    }

    #[test]
    fn conversion_maps_to_convert_to_and_amount_to() {
        let r = to_receive(Asset::new("EUR"), Asset::new("BTC"), dec!(0.01)).build().unwrap();
        assert_eq!(
            body(&r),
            r#"{"currency":"EUR","foreign_id":"ref-2","end_user_reference":"u","address":"addr1","convert_to":"BTC","amount_to":"0.01000000"}"#
        );
    }

    #[test]
    fn fiat_is_only_a_source() {
        let r = req(Asset::new("EUR"), dec!(10)).build().unwrap();
        let e = create_body(&r).unwrap_err();
        assert!(e.to_string().contains("amount_to"), "{e}");
        let r = to_receive(Asset::new("BTC"), Asset::new("EUR"), dec!(10)).build().unwrap();
        assert_eq!(create_body(&r).unwrap_err().field_errors()[0].field, "convert_to");
    }

    #[test]
    fn personal_data_never_leaves() {
        let r = req(Asset::new("BTC"), dec!(1))
            .end_user(EndUser::new("user-9").with_name("Ada Lovelace").with_email("ada@example.com"))
            .build()
            .unwrap();
        let b = body(&r);
        assert!(!b.contains("Ada") && !b.contains("ada@") && b.contains(r#""end_user_reference":"user-9""#), "{b}");
        for (id, user) in [
            ("ada@example.com", EndUser::new("ada@example.com")),
            ("x", EndUser::new("Ada Lovelace").with_name("ada lovelace")),
            ("x", EndUser::new("a@b").with_email("a@b")),
        ] {
            let r = req(Asset::new("BTC"), dec!(1)).end_user(user).build().unwrap();
            let e = create_body(&r).unwrap_err();
            assert_eq!(e.field_errors()[0].field, "end_user.id", "{id}");
        }
        // An '@' alone is not an e-mail address.
        let r = req(Asset::new("BTC"), dec!(1)).end_user(EndUser::new("team@3")).build().unwrap();
        assert!(create_body(&r).is_ok());
    }

    #[test]
    fn every_problem_at_once() {
        let r = req(Asset::new("SOL"), dec!(1)).end_user(EndUser::new("a@b.io")).build().unwrap();
        let e = create_body(&r).unwrap_err();
        let fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["end_user.id", "asset"]);
    }

    #[test]
    fn tags_are_sent() {
        let r = req(Asset::new("XRP"), dec!(1)).tag("12345").build().unwrap();
        assert!(body(&r).ends_with(r#""amount":"1.000000","tag":"12345"}"#), "{}", body(&r));
    }

    #[test]
    fn ids_must_be_integers() {
        assert_eq!(numeric_id(&WithdrawalId::new("134702815")).unwrap(), 134702815);
        for bad in ["", "-1", "1.5", "abc", "99999999999999999999999", " "] {
            let e = numeric_id(&WithdrawalId::new(bad)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{bad}");
        }
    }
}
