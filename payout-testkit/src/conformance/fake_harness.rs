//! The harness of [`FakeProvider`]: every case can be driven on it.

use async_trait::async_trait;
use payout_core::{Asset, Decimal, EndUser, Withdrawal, WithdrawalId};

use super::harness::{Drive, Harness, RequestTemplate, Step};
use crate::fake::{FakeProvider, Fault, Operation};
use crate::webhooks::SignedWebhook;

/// Drives a [`FakeProvider`] for the conformance suite: status moves, a lost create answer and
/// signed webhooks, all through the fake's test surface. It shares the fake's state.
#[derive(Debug, Clone)]
pub struct FakeHarness {
    fake: FakeProvider,
    template: RequestTemplate,
}

impl FakeHarness {
    /// A harness for `fake`, sending 0.0002 BTC to a testnet address.
    pub fn new(fake: FakeProvider) -> Self {
        let template = RequestTemplate::new(
            Asset::new("BTC"),
            Decimal::new(2, 4),
            "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc",
            EndUser::new("conformance-user"),
        );
        Self { fake, template }
    }

    /// Uses another request template (for a fake configured with other assets).
    pub fn with_template(mut self, template: RequestTemplate) -> Self {
        self.template = template;
        self
    }
}

#[async_trait]
impl Harness for FakeHarness {
    fn template(&self) -> RequestTemplate {
        self.template.clone()
    }

    async fn drive(&self, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let moved = match step {
            Step::Approve => self.fake.approve(id),
            Step::Complete { tx_hash } => self.fake.complete(id, tx_hash.clone()),
            Step::Cancel => self.fake.cancel(id),
            Step::Reject => self.fake.reject(id),
        };
        moved.map(|_| Drive::Done).map_err(|e| e.to_string())
    }

    async fn lose_next_create_answer(&self) -> Result<Drive, String> {
        self.fake.fail_next(Operation::Create, Fault::LoseAnswer);
        Ok(Drive::Done)
    }

    fn webhook(&self, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        self.fake.sign_webhook(withdrawal).ok()
    }
}
