//! What every HTTP provider shares, written once (feature `http`).
//!
//! - [`HttpClient`]: sends a request built by the provider, retrying only what is safe to repeat
//!   ([`Safety`]): reads on 429, 5xx and transport failures; creates only when nothing can have
//!   reached the provider (a refused connection, a 429). A create that may have reached it
//!   becomes [`PayoutError::OutcomeUnknown`](crate::PayoutError::OutcomeUnknown). A create that
//!   timed out (or got a gateway's `504`) may still be processed by the provider, so the client
//!   refuses to send that reference again for [`HttpConfig::in_flight_window`]: a lookup that
//!   ran before the first request landed can never lead to a second payout.
//!   [`HttpClient::send_and_read`] reads the answer too, so that what cannot be read of a
//!   create's 2xx answer is outcome-unknown without the provider saying so.
//! - [`Outgoing`]: a request prepared once from parts the provider's client prepared once,
//!   sent with [`HttpClient::send_prepared`] (no request builder, no URL copy per attempt).
//! - [`RetryPolicy`]: bounded exponential backoff that honours `Retry-After`.
//! - [`base_url`]: plain `http://` only for loopback hosts.
//! - [`HttpResponse`]: the status, headers and a body read up to a bound, with the default
//!   mapping of HTTP statuses to error categories.
//!
//! Files: `client.rs` (the client, bounded reads), `config.rs` ([`HttpConfig`]), `retry.rs`
//! (the retry loop and [`Safety`]: what is safe to repeat), `backoff.rs` ([`RetryPolicy`]),
//! `in_flight.rs` (the creates that may still be in flight), `outgoing.rs` ([`Outgoing`]), `response.rs` ([`HttpResponse`] and
//! the default status mapping), `base_url.rs` (the loopback rule), `builder.rs` (the settings
//! every provider's builder shares), `signer.rs` ([`HexMac`]: a keyed MAC over the exact bytes
//! sent, in lowercase hex, verified in constant time), `scrub.rs` ([`scrub`]: keys a provider
//! echoed, removed from an error's messages), `create_log.rs`
//! ([`log_create!`](crate::log_create): the log line after a create).
//!
//! Nothing here logs a header or a body: request logs carry the method, path, attempt, status
//! and time only.

mod backoff;
mod base_url;
mod builder;
mod client;
mod config;
mod create_log;
mod in_flight;
mod outgoing;
mod response;
mod retry;
mod scrub;
mod signer;

pub use backoff::RetryPolicy;
pub use base_url::base_url;
pub use builder::{BuilderSettings, KeyName, Keys, ProviderBuilder, Required, lookup_in, required_secrets, shown};
pub use client::HttpClient;
#[cfg(feature = "bench")]
pub(crate) use client::no_transport_retries;
pub use config::HttpConfig;
pub use outgoing::Outgoing;
pub use response::{HttpResponse, field_errors};
pub use retry::Safety;
pub use scrub::{MIN_SCRUBBED, scrub};
pub use signer::HexMac;

/// Re-exported so providers build requests with the same reqwest the client was built with.
pub use reqwest;
/// The secret type every builder's keys are held in (`secrecy`'s).
pub use secrecy::SecretString;
/// For [`log_create!`](crate::log_create), so that providers' log lines go through the same `tracing`.
#[doc(hidden)]
pub use tracing as __tracing;
