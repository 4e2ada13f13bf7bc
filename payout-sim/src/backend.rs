//! What the shared reliability suites ([`fault_matrix`](crate::fault_matrix), [`money`](crate::money))
//! need of a provider: its simulator, a client of it, and where each operation's request goes.
//!
//! A provider crate implements [`SimBackend`] once in its tests, in a few lines, and every suite
//! runs against it; the testkit never names a provider crate.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use payout_core::http::RetryPolicy;
use payout_core::{PayoutError, PayoutProvider, WithdrawalId, WithdrawalRequest};

use crate::Served;
use payout_testkit::Operation;

/// How a suite wants the client built. Each `None` keeps what the backend's own test builder
/// sets (its credentials, the simulator's base URL, its test retry policy).
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    /// The timeout per attempt.
    pub timeout: Option<Duration>,
    /// The retry policy.
    pub retry: Option<RetryPolicy>,
    /// The bound on an answer's body.
    pub max_response_bytes: Option<usize>,
    /// Another base URL (one nothing listens on, for a refused connection).
    pub base_url: Option<String>,
    /// The `reqwest` client to send through (a shared pool).
    pub http: Option<reqwest::Client>,
}

/// A provider as the suites drive it: its simulator and a client pointed at it.
#[async_trait]
pub trait SimBackend: Send + Sync {
    /// The simulator's control handle (`AlphaPoSim`, `AlpPaySim`); a running one is a
    /// [`Served`] of it, whose `faults()` and `requests()` the engines use directly.
    type Sim: Send + Sync;

    /// The provider's name in printed figures (`alphapo`).
    const NAME: &'static str;
    /// The path prefix of the provider's base URL (`/api/v2`), kept on a refused URL.
    const BASE_PATH: &'static str;

    /// Starts a fresh simulator with the default test configuration.
    async fn start(&self) -> Served<Self::Sim>;
    /// A client of `server`, built with `settings` over the backend's test defaults.
    fn client(
        &self,
        server: &Served<Self::Sim>,
        settings: ClientSettings,
    ) -> Result<Arc<dyn PayoutProvider>, PayoutError>;

    /// The operations the provider supports, in [`Operation::ALL`] order.
    fn ops(&self) -> &'static [Operation];
    /// The method and path suffix of the request `op` sends (`target` is the withdrawal a `get`
    /// reads). For [`Operation::Find`] and the list operations it is the lookup endpoint.
    fn endpoint(&self, op: Operation, target: &WithdrawalId) -> (http::Method, String);
    /// A valid request holding `reference`.
    fn request(&self, reference: &str) -> WithdrawalRequest;
    /// How many requests to the [`Operation::Find`] endpoint a create sends before its own (a client
    /// that looks the reference up first sends one). None by default.
    fn lookups_before_create(&self) -> usize {
        0
    }

    /// Seeds `n` withdrawals; their ids, oldest first.
    fn seed(&self, server: &Served<Self::Sim>, n: usize) -> Vec<WithdrawalId>;
    /// The reference the seeded withdrawal `id` holds.
    fn reference_of(&self, server: &Served<Self::Sim>, id: &WithdrawalId) -> Option<String>;
    /// The ids of the withdrawals holding `reference`.
    fn holding(&self, server: &Served<Self::Sim>, reference: &str) -> Vec<WithdrawalId>;
    /// How many withdrawals the simulator holds.
    fn count(&self, server: &Served<Self::Sim>) -> usize;
}

/// The default retry policy (as many retries, the same statuses) with waits of a few
/// milliseconds: tests check the policy's shape, not its waits.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}
