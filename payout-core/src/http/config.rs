//! [`HttpConfig`]: the settings of the shared HTTP client.

use std::time::Duration;

use super::backoff::RetryPolicy;

/// Settings of the shared HTTP client.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Time allowed for one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Retries of what is safe to repeat.
    pub retry: RetryPolicy,
    /// The largest response body read; a larger one is a protocol error.
    pub max_response_bytes: usize,
    /// A caller-supplied client (its own pool, proxy, TLS). It **must not follow redirects**
    /// (build it with `reqwest::redirect::Policy::none()`): reqwest forwards custom headers, the
    /// providers' signatures among them, to wherever a redirect points. The default client
    /// follows none; an answer that arrives through a followed redirect is refused as a
    /// configuration error (for a create, outcome unknown).
    pub client: Option<reqwest::Client>,
    /// How long a create that timed out without an answer (or got a `504` from a gateway) is
    /// treated as possibly still being processed by the provider. Within this window the client refuses to send a create for the same
    /// reference again (it answers [`PayoutError::OutcomeUnknown`](crate::PayoutError::OutcomeUnknown) without sending), so that a
    /// lookup that ran before the first request landed can never lead to a second payout.
    pub in_flight_window: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_response_bytes: 2 * 1024 * 1024,
            client: None,
            in_flight_window: Duration::from_secs(600),
        }
    }
}

impl HttpConfig {
    crate::setters! {
        /// These settings with another per-attempt timeout.
        with_timeout(timeout: Duration) => timeout;
        /// These settings with another connection timeout.
        with_connect_timeout(timeout: Duration) => connect_timeout;
        /// These settings with another retry policy.
        with_retry(retry: RetryPolicy) => retry;
        /// These settings with another bound on response bodies.
        with_max_response_bytes(max: usize) => max_response_bytes;
        /// These settings with another window for creates that may still be in flight (see
        /// [`HttpConfig::in_flight_window`]).
        with_in_flight_window(window: Duration) => in_flight_window;
        /// These settings with a caller-supplied reqwest client.
        with_client(client: reqwest::Client) => Some(client);
    }
}
