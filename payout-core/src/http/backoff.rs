//! The backoff policy: how long to wait before each retry of what is safe to repeat.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Bounded exponential backoff with jitter, for the requests that are safe to repeat.
///
/// A `Retry-After` the provider sends is honoured when it is at most `max_retry_after`; a longer
/// one ends the retries at once and is handed to the caller in the rate-limited error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// The wait before the first retry; it doubles each time.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// The longest `Retry-After` this client will sit out by itself.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// This policy with `n` retries.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// This policy with another first wait and ceiling.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The wait before retry number `retry` (1-based): exponential, capped, with up to 50 %
    /// jitter taken off so that many clients do not retry in step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let capped = exp.min(self.max_backoff);
        let jitter = RandomState::new().build_hasher().finish() % 1000;
        capped.mul_f64(1.0 - jitter as f64 / 2000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default().with_backoff(Duration::from_millis(100), Duration::from_millis(350));
        let first = p.backoff(1);
        assert!(first <= Duration::from_millis(100) && first >= Duration::from_millis(50));
        let second = p.backoff(2);
        assert!(second <= Duration::from_millis(200) && second >= Duration::from_millis(100));
        assert!(p.backoff(30) <= Duration::from_millis(350));
    }
}
