//! A provider under test: its simulator, a client of it, where each operation's request goes,
//! and how to move its withdrawals. Every shared suite drives a provider through it: the
//! conformance suite ([`conformance`](crate::conformance)), the [`fault_matrix`](crate::fault_matrix),
//! the [`money`](crate::money) figures and the [`load`](crate::load) figures.
//!
//! A provider crate implements [`SimBackend`] once in its tests and every suite runs against
//! it; neither this crate nor the testkit names a provider crate.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use payout_core::http::RetryPolicy;
use payout_core::{PayoutError, PayoutProvider, Withdrawal, WithdrawalId, WithdrawalRequest};
use payout_testkit::Operation;
use payout_testkit::conformance::{Drive, InvalidCase, RequestTemplate, Step, UNKNOWN_ID, unknown_asset_case};
use payout_testkit::webhooks::SignedWebhook;

use crate::Served;

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
    /// The parts of a valid request (the suites add a fresh reference to each).
    fn template(&self) -> RequestTemplate;
    /// A valid request holding `reference`: the [`template`](Self::template)'s.
    fn request(&self, reference: &str) -> WithdrawalRequest {
        self.template().build(reference).expect("the backend's template builds a valid request")
    }
    /// Requests the provider must refuse before sending (the conformance suite's
    /// `invalid_requests_refused`). By default: an asset no provider names.
    fn invalid_cases(&self) -> Vec<InvalidCase> {
        vec![unknown_asset_case(self.template())]
    }
    /// An id of the provider's form that names no withdrawal.
    fn unknown_id(&self) -> WithdrawalId {
        WithdrawalId::new(UNKNOWN_ID)
    }
    /// Whether `server` (with this backend's client) refuses a second create with a used reference.
    fn enforces_unique_references(&self, server: &Served<Self::Sim>) -> bool {
        let _ = server;
        true
    }
    /// Moves the withdrawal `id` on `server` as the provider would (refusing, as it would, to move
    /// a final one). By default nothing can be driven.
    fn drive(&self, server: &Served<Self::Sim>, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let _ = (server, id, step);
        Ok(Drive::NotSupported)
    }
    /// The webhook `server` would send about `withdrawal`, signed with its keys. By default none.
    fn webhook(&self, server: &Served<Self::Sim>, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        let _ = (server, withdrawal);
        None
    }
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
