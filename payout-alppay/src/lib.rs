//! # payout-alppay
//!
//! AlpPay (Merchant API v2) withdrawals behind [`payout_core::PayoutProvider`]: requests carry
//! the `API-KEY` header, bodies are signed with `X-HMAC` (HMAC-SHA256 of the exact bytes sent),
//! listings page lazily, webhooks are verified in constant time.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use payout_alppay::AlpPayClient;
//! use payout_core::{
//!     Asset, Decimal, EndUser, ListQuery, PayoutProvider, PayoutProviderExt, Reference, WithdrawalRequest,
//!     WithdrawalStatus,
//! };
//!
//! # async fn demo(webhook_headers: http::HeaderMap, webhook_body: &[u8]) -> Result<(), payout_core::PayoutError> {
//! // ALPPAY_API_KEY, ALPPAY_HMAC_KEY, and ALPPAY_BASE_URL (default https://api.alppay.io/v2).
//! let alppay = AlpPayClient::from_env()?;
//!
//! // Create: `submit` never pays twice; a lost answer is reconciled through the reference.
//! let request = WithdrawalRequest::builder()
//!     .reference("order-1")                                   // sent as `invoice`
//!     .asset(Asset::new("USDT").on("tron"))
//!     .amount(Decimal::from_str_exact("10.5").unwrap())       // at most 8 places, never rounded
//!     .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
//!     .end_user(EndUser::new("42").with_name("Jane Doe").with_email("jane@example.com"))
//!     .build()?;
//! let created = alppay.submit(&request).await?.withdrawal;
//!
//! // Look up, by AlpPay's id or by your reference.
//! let now = alppay.get_withdrawal(&created.id).await?;
//! let same = alppay.find_withdrawal(&Reference::new("order-1")?).await?;
//! assert_eq!(same.map(|w| w.id), Some(now.id));
//!
//! // List: one page, or every page lazily (one page in memory at a time).
//! let open = alppay.list_withdrawals(&ListQuery::new().status(WithdrawalStatus::Pending).limit(50)?).await?;
//! println!("{} open of {:?}", open.items.len(), open.total);
//! let mut all = alppay.list_all(ListQuery::new().limit(100)?);
//! while let Some(w) = all.try_next().await? {
//!     println!("{} {} {}", w.id, w.status, w.amount.unwrap_or_default());
//! }
//!
//! // Webhooks: hand over the raw body exactly as received, with its headers.
//! let update = alppay.parse_webhook(&webhook_headers, webhook_body)?;
//! println!("{} is now {}", update.withdrawal.id, update.withdrawal.status);
//! # Ok(()) }
//! ```
//!
//! ## Contents
//!
//! - [`config`]: [`AlpPayConfig`], its builder [`AlpPayBuilder`] and the environment
//!   ([`ENV_API_KEY`], [`ENV_HMAC_KEY`], [`ENV_BASE_URL`]).
//! - [`signing`]: `X-HMAC`, HMAC-SHA256 of the exact bytes sent.
//! - [`wire`]: AlpPay's JSON, read tolerantly.
//! - [`mapping`]: statuses, assets, objects, queries, bodies, refusals; the one place where wire
//!   and unified model meet.
//! - [`webhook`]: [`WebhookVerifier`], webhooks verified and read with only the HMAC key.
//! - [`client`]: [`AlpPayClient`], the provider.
//!
//! ## Statuses
//!
//! | AlpPay | unified | terminal |
//! |---|---|---|
//! | `OPEN` | `pending` | no |
//! | `APPROVED` | `approved` | no |
//! | `COMPLETE` | `completed` | yes |
//! | `CANCELLED` | `cancelled` | yes |
//! | anything else | `unknown`, raw string in `provider_status` | no |
//!
//! A listing filtered on `processing`, `rejected` or `unknown` (which AlpPay has no equivalent
//! of) drops them; asking only for them answers an empty page without a request.
//!
//! ## Assets and requests
//!
//! AlpPay pays out **USDT on tron, USDT on ethereum and USDC on ethereum**
//! ([`mapping::SUPPORTED_ASSETS`]); anything else, or an asset without a network, is refused
//! before sending with a message that lists what is accepted. An
//! [`Asset::provider_code`](payout_core::Asset::provider_code) is sent as `asset.short`
//! unchecked (with its network, which stays required), for pairs AlpPay adds later.
//! Amounts take at most 8 decimal places; more are refused, never rounded. AlpPay requires the
//! end user's id to be an integer, and a name and an e-mail address: each is checked and a
//! missing or malformed one is refused naming `end_user.id`, `end_user.name` or
//! `end_user.email`. Conversions (`amount_to`) are not supported.
//!
//! ## Errors
//!
//! | AlpPay answers | error |
//! |---|---|
//! | 401, 403 | `Authentication` |
//! | 400, 422 | `Rejected`, with AlpPay's `message` / `error` / `errors` (and a `field` it names) kept |
//! | 404 | `NotFound` (on a create: `Configuration`, the base URL is wrong) |
//! | 409, or a refusal saying the invoice exists | `DuplicateReference` (create) |
//! | 429 | `RateLimited` with `Retry-After`, after the retries a read is allowed |
//! | 5xx, connection failures | `Unavailable` (reads are retried first) |
//! | 5xx, timeout or lost connection on a create | `OutcomeUnknown` with the reference; never retried (after a timeout or a `504` the same reference is not sent again for `HttpConfig::in_flight_window`, 10 min: AlpPay may still be creating it) |
//! | a body that cannot be read | `Protocol` with the raw body |
//!
//! Reads (get, find, list) are retried with bounded backoff on 429, 5xx and transport failures,
//! honouring `Retry-After`. A create is retried only when nothing can have reached AlpPay (a
//! refused connection, a 429).
//!
//! **Invoices and double payouts.** AlpPay documents no idempotency key and does not say that
//! `invoice` is unique, so this crate cannot count on AlpPay refusing a second withdrawal with the
//! same reference. Two things protect you: a create first looks its reference up and refuses a
//! reference already held ([`AlpPayBuilder::duplicate_check`], on by default), and
//! [`submit`](payout_core::PayoutProviderExt::submit) turns a lost answer into a lookup by
//! reference instead of a second create. Use `submit`, and keep references unique.
//!
//! ## Features
//!
//! `rustls` (default) or `native-tls` chooses reqwest's TLS stack.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod config;
pub mod mapping;
pub mod signing;
pub mod webhook;
pub mod wire;

pub use client::AlpPayClient;
pub use config::{AlpPayBuilder, AlpPayConfig, DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, ENV_HMAC_KEY};
pub use webhook::WebhookVerifier;

/// The provider's name: `"alppay"`.
pub const PROVIDER_NAME: &str = "alppay";

/// The provider id of AlpPay.
pub const PROVIDER_ID: payout_core::ProviderId = payout_core::ProviderId::from_static(PROVIDER_NAME);
