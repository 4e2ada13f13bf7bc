//! # payout-cryptomus
//!
//! [Cryptomus](https://doc.cryptomus.com/) payouts behind [`payout_core::PayoutProvider`]:
//! every call is a `POST` signed with `md5(base64(body) + payout key)` in the `merchant` and
//! `sign` headers, a create is replayed by its `order_id` (so a lost answer is recovered by
//! sending it again), history is paged by cursor, finality comes in `is_final`, each payout
//! names its own callback URL, and webhooks carry their signature inside the JSON body.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use payout_cryptomus::CryptomusClient;
//! use payout_core::{
//!     Asset, Decimal, EndUser, FeeFrom, ListQuery, PayoutProvider, PayoutProviderExt, Reference,
//!     WithdrawalRequest,
//! };
//!
//! # async fn demo(webhook_body: &[u8]) -> Result<(), payout_core::PayoutError> {
//! // CRYPTOMUS_MERCHANT, CRYPTOMUS_PAYOUT_KEY, and CRYPTOMUS_BASE_URL (default https://api.cryptomus.com/v1).
//! let cryptomus = CryptomusClient::from_env()?;
//!
//! // Create: `submit` never pays twice. Cryptomus replays a create by `order_id`, so a lost
//! // answer is followed at once by the same create, answered with the payout made the first time.
//! let request = WithdrawalRequest::builder()
//!     .reference("order-1")                                   // sent as `order_id`
//!     .asset(Asset::new("USDT").on("TRON"))
//!     .amount(Decimal::from_str_exact("5").unwrap())          // at most 8 places, never rounded
//!     .address("TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm")
//!     .end_user(EndUser::new("user-1"))                       // not sent: Cryptomus takes none
//!     .fee_from(FeeFrom::Balance)                             // `is_subtract: true`, the default
//!     .callback_url("https://shop.example/payout/cryptomus")  // `url_callback`
//!     .build()?;
//! let created = cryptomus.submit(&request).await?.withdrawal;
//!
//! // Look up, by Cryptomus's uuid or by your reference (up to 32 characters).
//! let now = cryptomus.get_withdrawal(&created.id).await?;
//! let same = cryptomus.find_withdrawal(&Reference::new("order-1")?).await?;
//! assert_eq!(same.map(|w| w.id), Some(now.id));
//!
//! // History, every page lazily by cursor (one page in memory at a time).
//! let mut all = cryptomus.list_all(ListQuery::new());
//! while let Some(w) = all.try_next().await? {
//!     println!("{} {} {}", w.id, w.status, w.amount.unwrap_or_default());
//! }
//!
//! // Webhooks: the body exactly as received; the signature is inside it.
//! let update = cryptomus.parse_webhook(&http::HeaderMap::new(), webhook_body)?;
//! println!("{} is now {}", update.withdrawal.id, update.withdrawal.status);
//! # Ok(()) }
//! ```
//!
//! ## Contents
//!
//! - [`config`]: [`CryptomusConfig`], its builder [`CryptomusBuilder`] and the environment
//!   ([`ENV_MERCHANT`], [`ENV_PAYOUT_KEY`], [`ENV_BASE_URL`]).
//! - [`signing`]: `sign`, `md5(base64(body) + payout key)` of the exact bytes sent.
//! - [`wire`]: Cryptomus's JSON (the `{state, result, errors}` envelope, the payout, the history
//!   page, the services table), and [`wire::php_json`], the PHP `json_encode` form that is signed
//!   (compact, `/` escaped as `\/`, Unicode raw).
//! - [`mapping`]: statuses with `is_final`, references, assets, bodies, refusals.
//! - [`webhook`]: [`WebhookVerifier`], webhooks verified and read with only the payout key; its
//!   docs say which readings of the inferred signing rules are accepted.
//! - [`client`]: [`CryptomusClient`], the provider.
//!
//! ## Statuses
//!
//! | Cryptomus | `is_final` | unified | terminal |
//! |---|---|---|---|
//! | `process` | | `processing` | no |
//! | `check` | | `pending` | no |
//! | `paid` | | `completed` | yes |
//! | `cancel` | | `cancelled` | yes |
//! | `fail`, `system_fail` | false | `processing` (support may still resend it) | no |
//! | `fail`, `system_fail` | true | `cancelled` | yes |
//! | `fail`, `fail_reason` `aml` | true | `rejected` | yes |
//! | anything else | | `unknown`, raw string in `provider_status` | no |
//!
//! ## Requests
//!
//! - **Reference** (`order_id`): 1 to 100 ASCII letters, digits, `_` and `-`
//!   ([`mapping::REFERENCE_RULES`], also
//!   [`PayoutProvider::reference_rules`](payout_core::PayoutProvider::reference_rules)); anything else is
//!   refused before sending. Cryptomus's info call reads at most 32 characters, so a longer
//!   reference can be created but not found by reference: `find_withdrawal` refuses it with
//!   [`PayoutError::InvalidRequest`](payout_core::PayoutError::InvalidRequest), and `submit`
//!   recovers a lost answer by replaying the create instead.
//! - **Asset**: `currency` and `network`, sent in upper case (a
//!   [`provider_code`](payout_core::Asset::provider_code) as given). Before a create, the services
//!   table (`POST /payout/services`, kept for 10 minutes) is read: a currency and network it does
//!   not offer, one not available now, or an amount outside its `min_amount`/`max_amount` is
//!   refused before sending, naming the field ([`CryptomusBuilder::services_check`] turns it
//!   off).
//! - **Amount**: a decimal string, at most 8 places; more are refused, never rounded.
//! - **Fee**: `is_subtract` is `true` ([`FeeFrom::Balance`](payout_core::FeeFrom::Balance), the
//!   default: the recipient gets the amount) or `false` (`FeeFrom::Amount`).
//! - **Callback**: `url_callback` is the request's
//!   [`callback_url`](payout_core::WithdrawalRequestBuilder::callback_url), if any: Cryptomus
//!   sends a payout's webhooks only to the URL named when it was created.
//! - **Tag**: sent as `memo` (TON), at most 30 characters.
//! - Conversions and travel-rule data are not supported (refused, never dropped).
//!
//! Every body is written once, compactly and PHP-style (`/` as `\/`), and those exact bytes are
//! signed and sent, so that a server re-encoding the body with `json_encode` still agrees.
//!
//! ## Errors
//!
//! | Cryptomus answers | error |
//! |---|---|
//! | `Invalid Sign.`, 401, 403 | `Authentication` (the payout key signs payouts, not the payment key) |
//! | 422 `{"state":1,"errors":{…}}`, or `state: 1` with a `message` (`Not enough funds`, `Minimum amount …`) | `Rejected`, messages and fields kept |
//! | a create whose `order_id` Cryptomus calls taken (`validation.unique`) | `DuplicateReference` |
//! | `The terminal was not found` (technical works) | `Unavailable` (nothing was done) |
//! | info: 404, or a message naming a payout not found | `NotFound` (get), `None` (find) |
//! | 429 | `RateLimited`, after the retries a read is allowed |
//! | 5xx, connection failures | `Unavailable` (reads are retried first) |
//! | 5xx, timeout or lost connection on a create; a 2xx answer that cannot be read | `OutcomeUnknown` with the reference |
//! | a body that cannot be read | `Protocol` with the raw body |
//!
//! A create is never retried by the HTTP layer once it may have reached Cryptomus. The caller
//! (or [`submit`](payout_core::PayoutProviderExt::submit), or `payout-store`) sends it again,
//! because this client declares
//! [`Capability::IdempotentCreate`](payout_core::Capability::IdempotentCreate): Cryptomus
//! documents that "when we find an existing payout with order_id, we return its details, a new
//! payout will not be created". For the same reason the HTTP layer's in-flight window is off
//! for this client.
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

pub use client::CryptomusClient;
pub use config::{
    CryptomusBuilder, CryptomusConfig, DEFAULT_BASE_URL, DEFAULT_SERVICES_TTL, ENV_BASE_URL, ENV_MERCHANT,
    ENV_PAYOUT_KEY,
};
pub use webhook::WebhookVerifier;

/// The provider's name: `"cryptomus"`.
pub const PROVIDER_NAME: &str = "cryptomus";

/// The provider id of Cryptomus.
pub const PROVIDER_ID: payout_core::ProviderId = payout_core::ProviderId::from_static(PROVIDER_NAME);
