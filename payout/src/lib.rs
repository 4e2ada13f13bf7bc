//! # payout
//!
//! The one crate an application depends on to pay out crypto: [`payout_core`]'s trait, model
//! and errors re-exported, the providers chosen by Cargo features, and one constructor that
//! builds the configured provider from the environment.
//!
//! ```toml
//! payout = { version = "0.1", default-features = false, features = ["alppay"] }
//! ```
//!
//! ```
//! # #[cfg(feature = "alppay")] {
//! use payout::{PayoutProvider, Setup};
//!
//! // In production: `payout::from_env()`, reading PAYOUT_PROVIDER and the provider's variables.
//! let env = |name: &str| match name {
//!     "PAYOUT_PROVIDER" => Some("alppay".to_owned()),
//!     "ALPPAY_API_KEY" => Some("ak_test_1234".to_owned()),
//!     "ALPPAY_HMAC_KEY" => Some("sk_test_5678".to_owned()),
//!     "ALPPAY_BASE_URL" => Some("http://127.0.0.1:8080/v2".to_owned()),
//!     _ => None,
//! };
//! let provider = payout::from_lookup(env).unwrap();
//! assert_eq!(provider.id().as_str(), "alppay");
//!
//! // Half a setup is an error, never a quiet fallback.
//! let half = |name: &str| (name == "ALPPAY_API_KEY").then(|| "ak_test_1234".to_owned());
//! let entry = payout::choose(Some("alppay")).unwrap();
//! assert!(entry.setup_with(&half).unwrap_err().to_string().contains("ALPPAY_HMAC_KEY is not"));
//! assert_eq!(entry.setup_with(&|_| None).unwrap(), Setup::Unset("none of ALPPAY_API_KEY, ALPPAY_HMAC_KEY, ALPPAY_BASE_URL is set".into()));
//! # }
//! ```
//!
//! ## Contents
//!
//! - everything of [`payout_core`] (`PayoutProvider`, `WithdrawalRequest`, `PayoutError`, ...),
//!   re-exported at the root;
//! - [`alphapo`] (feature `alphapo`), [`alppay`] (feature `alppay`) and [`cryptomus`] (feature
//!   `cryptomus`): the provider crates, all on by default, each with TLS through rustls
//!   (`native-tls` switches to the platform's);
//! - [`store`] (feature `store`): the durable journal, SQLite;
//! - [`providers`]: the table of providers compiled in, [`choose`], [`from_env`] and
//!   [`from_lookup`].

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod providers;

pub use payout_core::*;
pub use providers::{COMPILED_IN, Entry, KNOWN, PROVIDER_VAR, Setup, WebhookSignature, choose, from_env, from_lookup};

/// AlphaPo: HMAC-SHA512 signed requests, lookups by id or reference, verified callbacks.
#[cfg(feature = "alphapo")]
pub use payout_alphapo as alphapo;

/// AlpPay: API-KEY + X-HMAC signed requests, listing, verified webhooks.
#[cfg(feature = "alppay")]
pub use payout_alppay as alppay;

/// Cryptomus: every call a `POST` signed with `md5(base64(body) + payout key)`, creates replayed
/// by `order_id`, cursor-paged history, webhooks signed inside their body.
#[cfg(feature = "cryptomus")]
pub use payout_cryptomus as cryptomus;

/// The durable journal of payouts: exactly-once creates across crashes and machines.
#[cfg(feature = "store")]
pub use payout_store as store;
