//! Correctly signed webhooks of the real providers, built from a unified [`Withdrawal`], so an
//! application can test its webhook endpoint and a provider crate its `parse_webhook`.
//!
//! - AlphaPo: the callback body (`id`, `foreign_id`, `end_user_reference`, `type`,
//!   `crypto_address`, `currency_sent`, `currency_received`, `transactions`, `fees`, `error`,
//!   `status`), signed with `X-Processing-Key` and `X-Processing-Signature` (hex HMAC-SHA512).
//! - AlpPay: the bare withdrawal object (camelCase), signed with `X-HMAC` (hex HMAC-SHA256).
//! - Cryptomus: the payout webhook (`type`, `uuid`, `order_id`, `amount`, `merchant_amount`,
//!   `commission`, `is_final`, `status`, `fail_reason` for failures, `txid`, `currency`,
//!   `network`, `payer_currency`, `payer_amount`), PHP-encoded, with its `sign` (md5 of base64
//!   of the body without it, plus the payout key) as the last key of the body: no header.
//!
//! The unified status is written back as the provider's raw status ([`alphapo_status`],
//! [`alppay_status`], [`cryptomus_status`]); a `provider_status` that already is that provider's
//! raw status for the same unified status is kept as it is. Amounts are decimal strings.
//!
//! ```
//! use payout_core::{Asset, ProviderId, Withdrawal, WithdrawalId, WithdrawalStatus};
//! use payout_testkit::{signing, webhooks};
//!
//! let mut w = Withdrawal::new(ProviderId::from_static("alphapo"), WithdrawalId::new("134702815"),
//!     WithdrawalStatus::Completed, "confirmed");
//! w.asset = Some(Asset::new("BTC"));
//! w.amount = Some("0.0002".parse().unwrap());
//! w.tx_hash = Some("bb040d89".into());
//!
//! let hook = webhooks::alphapo_callback(&w, "public-key", b"secret");
//! let sig = hook.headers["x-processing-signature"].to_str().unwrap();
//! assert!(signing::verify_alphapo(b"secret", &hook.body, sig));
//! let body: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
//! assert_eq!(body["status"], "confirmed");
//! assert_eq!(body["id"], 134702815);
//! assert_eq!(body["transactions"][0]["amount"], "0.00020000");
//! ```

use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use payout_core::{Decimal, Withdrawal, WithdrawalStatus, amount};
use serde_json::Value;

use crate::signing;
use crate::wire::{self, Nanos, NumberOrText};

/// A webhook request ready to hand to a handler: headers and the raw body, exactly as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedWebhook {
    /// The headers, signature included (and `content-type: application/json`).
    pub headers: HeaderMap,
    /// The raw body the signature covers.
    pub body: Vec<u8>,
}

impl SignedWebhook {
    /// A JSON body with no signature yet.
    pub(crate) fn new(body: Vec<u8>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Self { headers, body }
    }

    /// Adds a header. A value cannot carry control characters, so they are dropped (no test key
    /// has them; a real provider could not send them either).
    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        let clean: String = value.chars().filter(|c| !c.is_control()).collect();
        if let Ok(v) = HeaderValue::from_str(&clean) {
            self.headers.insert(HeaderName::from_static(name), v);
        }
        self
    }

    /// The body as text, when it is UTF-8.
    pub fn body_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The same webhook with one byte added to the body (a trailing space, so the JSON still
    /// parses) and the signature kept: a verifier over the raw bytes must refuse it.
    pub fn tampered(&self) -> Self {
        let mut copy = self.clone();
        copy.body.push(b' ');
        copy
    }

    /// The same webhook without one header (for example the signature).
    pub fn without_header(&self, name: &str) -> Self {
        let mut copy = self.clone();
        copy.headers.remove(name);
        copy
    }

    /// The webhook as the `POST` request a provider would make to `uri` (to hand to an axum or
    /// tower service in a test); an error only when `uri` is not a valid URI.
    pub fn into_request(self, uri: &str) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut request = http::Request::builder().method(http::Method::POST).uri(uri).body(self.body)?;
        *request.headers_mut() = self.headers;
        Ok(request)
    }
}

/// AlphaPo's public-key header.
pub const ALPHAPO_KEY_HEADER: &str = "x-processing-key";
/// AlphaPo's signature header: lowercase hex HMAC-SHA512 of the raw body.
pub const ALPHAPO_SIGNATURE_HEADER: &str = "x-processing-signature";
/// AlpPay's signature header: lowercase hex HMAC-SHA256 of the raw body.
pub const ALPPAY_SIGNATURE_HEADER: &str = "x-hmac";

/// AlphaPo's raw statuses and the unified status each means (design section 3), for building
/// webhooks and for checking a client's mapping against the documented table.
pub const ALPHAPO_STATUSES: &[(&str, WithdrawalStatus)] = &[
    ("pending", WithdrawalStatus::Pending),
    ("processing", WithdrawalStatus::Processing),
    ("not_confirmed", WithdrawalStatus::Processing),
    ("confirmed", WithdrawalStatus::Completed),
    ("cancelled", WithdrawalStatus::Cancelled),
    ("declined", WithdrawalStatus::Rejected),
];

/// AlpPay's raw statuses and the unified status each means (design section 3), for building
/// webhooks and for checking a client's mapping against the documented table.
pub const ALPPAY_STATUSES: &[(&str, WithdrawalStatus)] = &[
    ("OPEN", WithdrawalStatus::Pending),
    ("APPROVED", WithdrawalStatus::Approved),
    ("COMPLETE", WithdrawalStatus::Completed),
    ("CANCELLED", WithdrawalStatus::Cancelled),
];

/// Cryptomus's raw statuses with their `is_final`, and the unified status each pair means
/// (design section 3): `fail` and `system_fail` follow `is_final` (not final: support may still
/// resend it, so it is still processing; final: cancelled). A `fail` is not read as rejected:
/// the documents do not bear out that `fail_reason: aml` is a reviewer's decline.
pub const CRYPTOMUS_STATUSES: &[(&str, bool, WithdrawalStatus)] = &[
    ("process", false, WithdrawalStatus::Processing),
    ("check", false, WithdrawalStatus::Pending),
    ("paid", true, WithdrawalStatus::Completed),
    ("fail", false, WithdrawalStatus::Processing),
    ("fail", true, WithdrawalStatus::Cancelled),
    ("cancel", true, WithdrawalStatus::Cancelled),
    ("system_fail", false, WithdrawalStatus::Processing),
    ("system_fail", true, WithdrawalStatus::Cancelled),
];

/// What a webhook carries for each unified status that has no raw status of its own kept:
/// (unified, AlphaPo, AlpPay, Cryptomus). AlpPay has no decline: a rejected withdrawal is
/// `CANCELLED`; Cryptomus's is a final `fail`.
const SENT_AS: &[(WithdrawalStatus, &str, &str, &str)] = &[
    (WithdrawalStatus::Pending, "pending", "OPEN", "check"),
    (WithdrawalStatus::Approved, "not_confirmed", "APPROVED", "process"),
    (WithdrawalStatus::Processing, "not_confirmed", "APPROVED", "process"),
    (WithdrawalStatus::Completed, "confirmed", "COMPLETE", "paid"),
    (WithdrawalStatus::Cancelled, "cancelled", "CANCELLED", "cancel"),
    (WithdrawalStatus::Rejected, "declined", "CANCELLED", "fail"),
];

/// The raw status a webhook for `w` carries: `w.provider_status` when it is one of `known`'s
/// raw statuses for `w.status` (and whatever it is for `unknown`), otherwise the `column` of
/// [`SENT_AS`].
fn sent_status(
    w: &Withdrawal,
    known: &[(&str, WithdrawalStatus)],
    column: fn(&(WithdrawalStatus, &'static str, &'static str, &'static str)) -> &'static str,
) -> String {
    let kept = known.iter().any(|(raw, st)| *raw == w.provider_status && *st == w.status);
    match SENT_AS.iter().find(|row| row.0 == w.status) {
        Some(row) if !kept => column(row).to_owned(),
        _ => w.provider_status.clone(),
    }
}

/// The AlphaPo status a callback for `w` carries: pending→`pending`, approved and
/// processing→`not_confirmed`, completed→`confirmed`, cancelled→`cancelled`,
/// rejected→`declined`, unknown→the raw `provider_status` as it is.
pub fn alphapo_status(w: &Withdrawal) -> String {
    sent_status(w, ALPHAPO_STATUSES, |row| row.1)
}

/// The AlpPay status a webhook for `w` carries: pending→`OPEN`, approved and
/// processing→`APPROVED`, completed→`COMPLETE`, cancelled and rejected→`CANCELLED` (AlpPay has
/// no decline), unknown→the raw `provider_status` as it is.
pub fn alppay_status(w: &Withdrawal) -> String {
    sent_status(w, ALPPAY_STATUSES, |row| row.2)
}

/// AlphaPo and Cryptomus write amounts with 8 decimals; an amount that needs more is written as
/// it is.
fn eight_places(a: Decimal) -> String {
    amount::format_scaled(a, 8).unwrap_or_else(|| a.to_string())
}

/// The body of the AlphaPo callback for `w`, before signing (to change a field and sign it with
/// [`sign_alphapo`]).
///
/// The currency is the asset's symbol (or its provider code). `currency_sent` and
/// `currency_received` are present, as AlphaPo documents, only once the withdrawal is processing
/// or confirmed; the blockchain transaction appears once there is a hash or the withdrawal is
/// processing or confirmed. `error` is the failure reason or `""`.
pub fn alphapo_callback_body(w: &Withdrawal) -> Value {
    use wire::alphapo::{CryptoAddress, CurrencyAmount, Info, Transaction};
    let currency = w.asset.as_ref().map(|a| a.symbol());
    let amount = w.amount.map(eight_places);
    let received = w.amount_sent.or(w.amount).map(eight_places);
    let status = alphapo_status(w);
    let id = NumberOrText::parse(w.id.as_str());
    let address = w.address.as_deref();
    let tag = w.tag.as_deref();
    let on_chain = matches!(w.status, WithdrawalStatus::Processing | WithdrawalStatus::Completed);
    let mut transactions = Vec::new();
    if on_chain || w.tx_hash.is_some() {
        transactions.push(Transaction::Blockchain {
            id,
            currency,
            transaction_type: "blockchain",
            kind: "withdrawal",
            address,
            tag,
            amount: received.clone(),
            txid: w.tx_hash.as_deref(),
            confirmations: if w.status == WithdrawalStatus::Completed { "1" } else { "0" },
        });
    }
    let info = Info {
        id,
        foreign_id: w.reference.as_ref().map(|r| r.as_str()),
        end_user_reference: w.end_user.as_ref().map(|u| u.id.as_str()),
        kind: "withdrawal",
        crypto_address: CryptoAddress { id, currency, address, tag },
        currency_sent: on_chain.then_some(CurrencyAmount { currency, amount }),
        currency_received: on_chain.then_some(CurrencyAmount { currency, amount: received }),
        transactions,
        fees: [],
        error: w.failure_reason.as_deref().unwrap_or_default(),
        status: &status,
    };
    serde_json::to_value(&info).unwrap_or_default()
}

/// Signs any body the way AlphaPo signs callbacks.
pub fn sign_alphapo(body: Vec<u8>, api_key: &str, secret: &[u8]) -> SignedWebhook {
    let signature = signing::alphapo_signature(secret, &body);
    SignedWebhook::new(body).header(ALPHAPO_KEY_HEADER, api_key).header(ALPHAPO_SIGNATURE_HEADER, &signature)
}

/// The signed AlphaPo callback for `w`: `X-Processing-Key` is `api_key`, `X-Processing-Signature`
/// the hex HMAC-SHA512 of the body keyed with `secret`.
pub fn alphapo_callback(w: &Withdrawal, api_key: &str, secret: &[u8]) -> SignedWebhook {
    sign_alphapo(alphapo_callback_body(w).to_string().into_bytes(), api_key, secret)
}

/// AlpPay's name and logo of the assets it pays out.
fn alppay_asset_names(symbol: &str) -> (&str, &'static str) {
    match symbol {
        "USDT" => ("Tether", "https://cryptologos.cc/logos/tether-usdt-logo.png"),
        "USDC" => ("USD Coin", "https://cryptologos.cc/logos/usd-coin-usdc-logo.png"),
        other => (other, ""),
    }
}

/// The body of the AlpPay webhook for `w` (the bare withdrawal object), before signing (to change
/// a field and sign it with [`sign_alppay`]).
///
/// Empty strings stand for what is not known yet (`txnId`, `addressFrom`, `destTag`), as AlpPay
/// sends them; `receivedAmount` is `"0"` until sent. `customer.id` is a number when the end-user
/// id is one. The merchant is a fixed test merchant.
pub fn alppay_webhook_body(w: &Withdrawal) -> Value {
    use wire::alppay::{Asset, Customer, Merchant, Withdrawal as Object};
    let symbol = w.asset.as_ref().map(|a| a.symbol()).unwrap_or_default();
    let (name, logo_url) = alppay_asset_names(symbol);
    let user = w.end_user.as_ref();
    let object = Object {
        id: w.id.as_str(),
        txn_id: w.tx_hash.as_deref().unwrap_or_default(),
        amount: w.amount.map_or_else(|| "0".to_owned(), |a| a.to_string()),
        received_amount: w.amount_sent.map_or_else(|| "0".to_owned(), |a| a.to_string()),
        asset: Asset {
            short: symbol,
            name,
            logo_url,
            network: w.asset.as_ref().and_then(|a| a.network()).unwrap_or_default(),
        },
        address_from: w.source_address.as_deref().unwrap_or_default(),
        address_to: w.address.as_deref().unwrap_or_default(),
        dest_tag: w.tag.as_deref().unwrap_or_default(),
        status: &alppay_status(w),
        customer: Customer {
            id: user.map(|u| NumberOrText::parse(&u.id)),
            name: user.and_then(|u| u.name.as_deref()).unwrap_or_default(),
            email: user.and_then(|u| u.email.as_deref()).unwrap_or_default(),
        },
        merchant: Merchant { id: 1, name: "TestMerchant", email: "merchant@example.com", site_url: "", logo_url: "" },
        invoice: w.reference.as_ref().map(|r| r.as_str()).unwrap_or_default(),
        created_at: w.created_at.map(Nanos),
        updated_at: w.updated_at.map(Nanos),
        time_to_approve: w.approve_at.map(Nanos),
    };
    serde_json::to_value(&object).unwrap_or_default()
}

/// Signs any body the way AlpPay signs webhooks.
pub fn sign_alppay(body: Vec<u8>, hmac_key: &[u8]) -> SignedWebhook {
    let signature = signing::alppay_signature(hmac_key, &body);
    SignedWebhook::new(body).header(ALPPAY_SIGNATURE_HEADER, &signature)
}

/// The signed AlpPay webhook for `w`: `X-HMAC` is the hex HMAC-SHA256 of the body keyed with
/// `hmac_key`.
pub fn alppay_webhook(w: &Withdrawal, hmac_key: &[u8]) -> SignedWebhook {
    sign_alppay(alppay_webhook_body(w).to_string().into_bytes(), hmac_key)
}

/// The Cryptomus status and `is_final` a webhook for `w` carries: `w.provider_status` when it
/// is a raw status of [`CRYPTOMUS_STATUSES`] for `w.status` (with that row's finality; the final
/// one when both are), otherwise pending→`check`, approved and processing→`process`,
/// completed→`paid`, cancelled→`cancel`, rejected→a final `fail`, all final when terminal;
/// unknown→the raw `provider_status`, not final.
pub fn cryptomus_status(w: &Withdrawal) -> (String, bool) {
    let kept = CRYPTOMUS_STATUSES.iter().rev().find(|(raw, _, st)| *raw == w.provider_status && *st == w.status);
    if let Some((raw, is_final, _)) = kept {
        return ((*raw).to_owned(), *is_final);
    }
    match SENT_AS.iter().find(|row| row.0 == w.status) {
        Some(row) => (row.3.to_owned(), w.status.is_terminal()),
        None => (w.provider_status.clone(), false),
    }
}

/// The fields of the Cryptomus webhook for `w`, in the order Cryptomus sends them, before
/// signing ([`cryptomus_webhook_body`] as a JSON value, to change a field and sign it with
/// [`sign_cryptomus`]).
///
/// `amount` is the amount asked for; `payer_amount` what was sent (`amount_sent`, else the
/// amount); `merchant_amount` what the balance was debited (`sender_amount`, else the amount);
/// `commission` the difference between the two. The network is in lower case, as Cryptomus's
/// webhook examples print it. `fail_reason` (the failure reason, `null` when none) is there only
/// for `fail` and `system_fail`; `txid` is the hash or `null`.
fn cryptomus_fields<'a>(w: &'a Withdrawal, status: &'a str, is_final: bool) -> wire::cryptomus::Webhook<'a> {
    let symbol = w.asset.as_ref().map(|a| a.symbol());
    let amount = w.amount.unwrap_or_default();
    let paid = w.amount_sent.unwrap_or(amount);
    let debited = w.sender_amount.unwrap_or(amount);
    wire::cryptomus::Webhook {
        kind: "payout",
        uuid: w.id.as_str(),
        order_id: w.reference.as_ref().map(|r| r.as_str()),
        amount: eight_places(amount),
        merchant_amount: eight_places(debited),
        commission: eight_places((debited - paid).max(Decimal::ZERO)),
        is_final,
        status,
        fail_reason: matches!(status, "fail" | "system_fail").then_some(w.failure_reason.as_deref()),
        txid: w.tx_hash.as_deref(),
        currency: symbol,
        network: w.asset.as_ref().and_then(|a| a.network()).map(str::to_ascii_lowercase),
        payer_currency: symbol,
        payer_amount: eight_places(paid),
    }
}

/// The body of the Cryptomus webhook for `w` before signing, as a JSON value (to change a field
/// and sign it with [`sign_cryptomus`]): the fields of [`wire::cryptomus::Webhook`].
pub fn cryptomus_webhook_body(w: &Withdrawal) -> Value {
    let (status, is_final) = cryptomus_status(w);
    serde_json::to_value(cryptomus_fields(w, &status, is_final)).unwrap_or_default()
}

/// Signs any body the way Cryptomus signs webhooks: encoded as PHP's `json_encode` writes it
/// (compact, `/` as `\/`; a struct's fields in their order), `sign` appended as the last key.
pub fn sign_cryptomus(body: &impl serde::Serialize, payout_key: &[u8]) -> SignedWebhook {
    let compact = serde_json::to_vec(body).unwrap_or_default();
    SignedWebhook::new(signing::cryptomus_signed_body(payout_key, &signing::php_json(&compact)))
}

/// The signed Cryptomus webhook for `w`: the `sign` inside the body, keyed with the payout key.
pub fn cryptomus_webhook(w: &Withdrawal, payout_key: &[u8]) -> SignedWebhook {
    let (status, is_final) = cryptomus_status(w);
    sign_cryptomus(&cryptomus_fields(w, &status, is_final), payout_key)
}
