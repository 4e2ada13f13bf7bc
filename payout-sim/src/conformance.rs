//! The testkit's conformance suite run against a provider's simulator: the [`SimBackend`] a
//! provider crate writes for every shared suite is all it needs.
//!
//! ```ignore
//! #[tokio::test]
//! async fn passes_the_conformance_suite() {
//!     payout_sim::conformance::run(&common::sim::Backend::default()).await.assert_passed();
//! }
//! ```

use async_trait::async_trait;
use payout_core::{Withdrawal, WithdrawalId};
use payout_testkit::Operation;
use payout_testkit::conformance::{self, Drive, Harness, InvalidCase, Report, RequestTemplate, Step};
use payout_testkit::webhooks::SignedWebhook;

use crate::backend::{ClientSettings, SimBackend};
use crate::{Fault, Served};

/// A [`SimBackend`] and one running simulator of it, as the conformance suite's [`Harness`].
pub struct SimHarness<'a, B: SimBackend> {
    backend: &'a B,
    server: &'a Served<B::Sim>,
}

impl<'a, B: SimBackend> SimHarness<'a, B> {
    /// Drives `server` the way `backend` says.
    pub fn new(backend: &'a B, server: &'a Served<B::Sim>) -> Self {
        Self { backend, server }
    }
}

#[async_trait]
impl<B: SimBackend> Harness for SimHarness<'_, B> {
    fn template(&self) -> RequestTemplate {
        self.backend.template()
    }

    fn invalid_cases(&self) -> Vec<InvalidCase> {
        self.backend.invalid_cases()
    }

    fn unknown_id(&self) -> WithdrawalId {
        self.backend.unknown_id()
    }

    fn enforces_unique_references(&self) -> bool {
        self.backend.enforces_unique_references(self.server)
    }

    async fn drive(&self, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        self.backend.drive(self.server, id, step)
    }

    /// The create's own request (not a lookup a client makes before it) is acted on and its
    /// answer lost.
    async fn lose_next_create_answer(&self) -> Result<Drive, String> {
        let (method, path) = self.backend.endpoint(Operation::Create, &self.backend.unknown_id());
        self.server.faults().on_request(method, &path, Fault::CloseAfterActing, 1);
        Ok(Drive::Done)
    }

    fn webhook(&self, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        self.backend.webhook(self.server, withdrawal)
    }
}

/// Starts a fresh simulator of `backend`, builds its client with the backend's test settings, and
/// runs every case of the conformance suite; the report says which passed, failed or were skipped.
pub async fn run<B: SimBackend>(backend: &B) -> Report {
    let server = backend.start().await;
    let client =
        backend.client(&server, ClientSettings::default()).expect("the backend's test configuration builds a client");
    conformance::run(client.as_ref(), &SimHarness::new(backend, &server)).await
}
