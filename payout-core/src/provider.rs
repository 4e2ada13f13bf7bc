//! The one trait every provider implements.

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::PayoutError;
use crate::id::{ProviderId, Reference, ReferenceRules, WithdrawalId};
use crate::query::{ListQuery, Page};
use crate::receiver::Rules;
use crate::request::WithdrawalRequest;
use crate::withdrawal::{Withdrawal, WithdrawalUpdate};

/// A withdrawal provider. Object safe: hold it as `Arc<dyn PayoutProvider>` and switch providers
/// without generics.
///
/// Implement it in any crate with only this crate's public API. The helpers every provider gets
/// for free (`list_all`, `submit`, `watch`, `wait_until_final`) are in
/// [`PayoutProviderExt`](crate::PayoutProviderExt).
///
/// Rules an implementation follows (the testkit's conformance suite checks them):
///
/// - `create_withdrawal` never repeats a request that may have reached the provider; when the
///   answer is lost it returns [`PayoutError::OutcomeUnknown`] with the reference.
/// - A reference already used is [`PayoutError::DuplicateReference`], and nothing new is created.
/// - An operation the provider lacks returns [`PayoutError::Unsupported`], and
///   [`capabilities`](PayoutProvider::capabilities) leaves it out.
/// - An unknown provider status is [`crate::WithdrawalStatus::Unknown`], with the raw string
///   kept, never an error.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PayoutProvider: Send + Sync {
    /// The provider's name (`"alphapo"`, `"alppay"`, or a downstream name).
    fn id(&self) -> ProviderId;

    /// What this provider supports.
    fn capabilities(&self) -> Capabilities;

    /// Creates a withdrawal. The request is already checked by its builder; the provider checks
    /// what is its own (supported assets, required end-user details) before sending.
    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError>;

    /// Gets a withdrawal by the provider's id; [`PayoutError::NotFound`] when there is none.
    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError>;

    /// Finds a withdrawal by the caller's reference; `None` when there is none.
    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError>;

    /// Lists one page of withdrawals. By default, unsupported.
    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        let _ = query;
        Err(PayoutError::unsupported(self.id(), "listing withdrawals"))
    }

    /// This provider's own rules for references (length, characters, and the longest its lookup
    /// reads), which it checks before sending. By default, the core's rules.
    fn reference_rules(&self) -> ReferenceRules {
        ReferenceRules::new()
    }

    /// The moves between statuses this provider documents beyond the core table, for
    /// [`crate::receiver`] and stores that apply its updates (AlphaPo's review step after the
    /// create answer). By default, the core table alone.
    fn status_rules(&self) -> Rules {
        Rules::default()
    }

    /// Verifies a webhook (headers and the raw body, exactly as received) and returns the update
    /// it carries. A bad or missing signature is [`PayoutError::Webhook`]. By default,
    /// unsupported.
    fn parse_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        let _ = (headers, body);
        Err(PayoutError::unsupported(self.id(), "webhooks"))
    }
}
