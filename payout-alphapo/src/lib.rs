//! # payout-alphapo
//!
//! [AlphaPo](https://docs.alphapo.net) withdrawals behind the [`payout_core::PayoutProvider`]
//! trait: HMAC-SHA512 signed requests, lookups by id or reference, and verified callbacks.
//!
//! ```no_run
//! use payout_alphapo::AlphaPoClient;
//! use payout_core::{Asset, EndUser, PayoutProvider, PayoutProviderExt, WithdrawalId, WithdrawalRequest};
//! use rust_decimal::Decimal;
//! use std::str::FromStr;
//!
//! # async fn demo(callback_headers: http::HeaderMap, callback_body: Vec<u8>) -> Result<(), payout_core::PayoutError> {
//! // ALPHAPO_API_KEY, ALPHAPO_API_SECRET, and optionally ALPHAPO_BASE_URL.
//! let alphapo = AlphaPoClient::from_env()?;
//!
//! // Create: USDT on tron is AlphaPo's `USDTT`; the amount is sent as "25.000000".
//! let request = WithdrawalRequest::builder()
//!     .reference("payout-2024-0001")          // AlphaPo's foreign_id: unique, stable across retries
//!     .asset(Asset::new("USDT").on("tron"))
//!     .amount(Decimal::from_str("25").unwrap())
//!     .address("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf")
//!     .end_user(EndUser::new("user-42"))      // an internal id: no name or e-mail
//!     .build()?;
//! // `submit` sends the create once; if the answer is lost it finds the withdrawal by
//! // reference instead of paying twice.
//! let created = alphapo.submit(&request).await?.withdrawal;
//! println!("{} is {} ({})", created.id, created.status, created.provider_status);
//!
//! // Look it up by AlphaPo's id or by your reference.
//! let now = alphapo.get_withdrawal(&WithdrawalId::new("134702815")).await?;
//! let same = alphapo.find_withdrawal(request.reference()).await?;
//! println!("{:?} {:?}", now.tx_hash, same.map(|w| w.status));
//!
//! // A callback: verify the raw body exactly as received, then apply the update.
//! let update = alphapo.parse_webhook(&callback_headers, &callback_body)?;
//! println!("{} is now {}", update.withdrawal.id, update.withdrawal.status);
//! # Ok(()) }
//! ```
//!
//! ## Modules
//!
//! - [`config`]: [`AlphaPoConfig`], its builder and the environment (`ALPHAPO_API_KEY`,
//!   `ALPHAPO_API_SECRET`, `ALPHAPO_BASE_URL`).
//! - [`signing`]: the signature, with the published known answer.
//! - [`wire`]: AlphaPo's JSON, read tolerantly.
//! - [`mapping`]: currency codes, precision, statuses, refusals; the one place wire and model
//!   meet.
//! - [`webhook`]: [`WebhookVerifier`], callbacks verified and read with only the API secret.
//! - [`client`]: [`AlphaPoClient`]; callbacks are also verified by
//!   [`PayoutProvider::parse_webhook`](payout_core::PayoutProvider::parse_webhook).
//!
//! ## Assets
//!
//! | unified asset | AlphaPo code | decimals |
//! |---|---|---|
//! | BTC | `BTC` | 8 |
//! | LTC | `LTC` | 8 |
//! | ETH (on `ethereum`, or no network) | `ETH` | 8 |
//! | BCH | `BCH` | 8 |
//! | DOGE | `DOGE` | 8 |
//! | XRP | `XRP` | 6 |
//! | TRX (on `tron`, or no network) | `TRX` | 6 |
//! | USDT on `tron` | `USDTT` | 6 |
//! | USDT on `ethereum` | `USDTE` | 6 |
//! | USDC (on `ethereum`, or no network) | `USDC` | 6 |
//! | EUR (fiat: only the source of a conversion, `amount_to`) | `EUR` | 2 |
//!
//! Amounts are written with the currency's decimals (`"0.00020000"`); more decimals are refused
//! before sending, never rounded. Any other code passes through unmapped with
//! [`Asset::provider_code`](payout_core::Asset::provider_code) (its amount is sent as given).
//! Codes in answers map back through the same table (`USDTT` → USDT on tron; ETH, TRX and
//! USDC come back with their network).
//!
//! A conversion (`amount_to` in the request) becomes `convert_to` + `amount_to`: the request's
//! asset is debited (EUR, say) and the recipient gets exactly `amount_to` of the other.
//!
//! ## Statuses
//!
//! | AlphaPo | unified |
//! |---|---|
//! | `pending` | `pending` |
//! | `processing`, `not_confirmed` | `processing` |
//! | `confirmed` | `completed` |
//! | `cancelled` | `cancelled` |
//! | `declined` | `rejected` |
//! | anything else | `unknown`, raw string kept in `provider_status` |
//!
//! ## Errors
//!
//! | what happened | error |
//! |---|---|
//! | an asset AlphaPo cannot name, excess decimals, fiat paid out, an end-user id that is an e-mail address or the user's name, an id that is not an integer | `InvalidRequest` (nothing sent) |
//! | 403 `{"error","code"}` (`bad_header_signature`, `required_header_signature`, `bad_header_key`, `required_header_key`) | `Authentication`, with AlphaPo's words and code |
//! | 400 `{"errors":{field: message}}` | `Rejected`, every field message kept (and `error_code`) |
//! | 400 on a create with `foreign_id` "has already been taken" | `DuplicateReference` |
//! | 400 `bad_content_format` | `Rejected` with that code (nothing was created) |
//! | 404 with AlphaPo's refusal body (`{"errors":{..}}` or `{"error":..}`) | `NotFound` from `get_withdrawal`; `Ok(None)` from `find_withdrawal` |
//! | 404 with any other body (empty, HTML, a transaction, "more than one param") | `Protocol`: it does not say the withdrawal is absent |
//! | a lookup by `foreign_id` answered without one, with another, or with a transaction that is not a withdrawal; a read by id answered for another id | `Protocol`, never `Ok(None)` |
//! | 429 | `RateLimited` with `Retry-After`, after the policy's retries (a 429 is a refusal before acting, so creates are retried on it too; a `Retry-After` longer than the policy allows is handed to you at once) |
//! | 5xx, connection failures on a read | `Unavailable`, after bounded retries with backoff |
//! | 5xx, timeout or dropped connection on a create | `OutcomeUnknown` with the reference: never retried; `submit` reconciles through `find_withdrawal` (after a timeout or a `504` the same reference is not sent again for `HttpConfig::in_flight_window`, 10 min: AlphaPo may still be creating it) |
//! | an answer that cannot be read | `Protocol` (raw body kept); on a create's 2xx, `OutcomeUnknown` |
//! | listing | `Unsupported`: AlphaPo has no listing endpoint |
//! | a callback with a bad or missing signature, another key, or an unreadable body | `Webhook` |
//!
//! ## Callbacks
//!
//! AlphaPo POSTs the whole transaction to your callback URL on every status change, signed like a
//! request. Hand [`parse_webhook`](payout_core::PayoutProvider::parse_webhook) (or a
//! [`WebhookVerifier`], which needs only the secret) the headers and the raw body exactly as
//! received: it checks `X-Processing-Signature` (HMAC-SHA512 of the raw
//! body with your secret, compared in constant time) and, when present, that
//! `X-Processing-Key` is your key, before reading anything. Answer `200 OK` once you have stored
//! the update; any other answer makes AlphaPo retry for hours. The same callback can arrive more
//! than once and out of order: compare with
//! [`WithdrawalStatus::transition_to`](payout_core::WithdrawalStatus::transition_to) before
//! applying it. Callbacks about deposits, plain exchanges or invoices are refused as not
//! withdrawals (answer them 200 too).
//!
//! Personal data: AlphaPo must never receive an end user's name or e-mail. They are simply not
//! sent (set them for providers that need them; this crate ignores them), and an
//! `end_user_reference` that carries them is refused.
//!
//! Secrets: the key and secret live in [`secrecy::SecretString`]; no `Debug`, error or log
//! line of this crate shows them, and header values are marked sensitive.
//!
//! TLS comes from the crate features: `rustls` (default) or `native-tls`.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod config;
pub mod mapping;
pub mod signing;
pub mod webhook;
pub mod wire;

pub use client::AlphaPoClient;
pub use config::{AlphaPoBuilder, AlphaPoConfig, DEFAULT_BASE_URL, ENV_API_KEY, ENV_API_SECRET, ENV_BASE_URL};
pub use mapping::{PROVIDER_ID, PROVIDER_NAME};
pub use webhook::WebhookVerifier;

/// Re-exported so callers configure HTTP without naming `payout_core::http` themselves.
pub use payout_core::http::{HttpConfig, RetryPolicy};
