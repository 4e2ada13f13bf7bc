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
use payout_core::http::{BuilderSettings, ProviderBuilder, RetryPolicy};
use payout_core::{PayoutError, PayoutProvider, Withdrawal, WithdrawalId, WithdrawalRequest};
use payout_testkit::Operation;
use payout_testkit::conformance::{Drive, InvalidCase, RequestTemplate, Step, UNKNOWN_ID, unknown_asset_case};
use payout_testkit::webhooks::SignedWebhook;

use crate::{Served, Simulator, SimulatorKind};

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

impl ClientSettings {
    /// Writes each setting that is `Some` over `settings` (a builder's, through
    /// [`ProviderBuilder::settings_mut`]).
    pub fn apply(self, settings: &mut BuilderSettings) {
        if let Some(timeout) = self.timeout {
            settings.http.timeout = timeout;
        }
        if let Some(retry) = self.retry {
            settings.http.retry = retry;
        }
        if let Some(max) = self.max_response_bytes {
            settings.http.max_response_bytes = max;
        }
        if let Some(url) = self.base_url {
            settings.base_url = Some(url);
        }
        if let Some(client) = self.http {
            settings.http.client = Some(client);
        }
    }
}

/// A provider as the suites drive it: its simulator and a client pointed at it.
#[async_trait]
pub trait SimBackend: Send + Sync {
    /// The simulator's control handle (`AlphaPoSim`, `AlpPaySim`); a running one is a
    /// [`Served`] of it, whose `faults()` and `requests()` the engines use directly.
    type Sim: SimulatorKind + Simulator + Clone + Send + Sync + 'static;
    /// The provider's client builder (`AlphaPoBuilder`).
    type Builder: ProviderBuilder;

    /// The provider's name in printed figures (`alphapo`): its simulator's.
    const NAME: &'static str = <Self::Sim as SimulatorKind>::NAME;
    /// The path prefix of the provider's base URL (`/api/v2`), kept on a refused URL: its
    /// simulator's default.
    const BASE_PATH: &'static str = <Self::Sim as SimulatorKind>::DEFAULT_PREFIX;

    /// Starts a fresh simulator on loopback: by default with its default configuration (a
    /// backend whose suites need another, or options of its own, says so here).
    async fn start(&self) -> Served<Self::Sim> {
        let sim = <Self::Sim as SimulatorKind>::from_config(Default::default());
        Served::bind(sim, crate::net::LOOPBACK).await.expect("the simulator binds to loopback")
    }
    /// A builder for a client of `server`: its credentials, base URL and the backend's test
    /// defaults (fast retries, and any option the backend was made with).
    fn builder(&self, server: &Served<Self::Sim>) -> Self::Builder;
    /// A client of `server`, built with `settings` over the [`builder`](Self::builder)'s.
    fn client(
        &self,
        server: &Served<Self::Sim>,
        settings: ClientSettings,
    ) -> Result<Arc<dyn PayoutProvider>, PayoutError> {
        let mut builder = self.builder(server);
        settings.apply(builder.settings_mut());
        builder.build_provider()
    }

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
