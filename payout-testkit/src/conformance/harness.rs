//! What the suite needs to know about a backend: how to build a request it accepts, and
//! (optionally) how to move its withdrawals and inject faults.

use async_trait::async_trait;
use payout_core::{Asset, Decimal, EndUser, PayoutError, Withdrawal, WithdrawalId, WithdrawalRequest};

use crate::webhooks::SignedWebhook;

/// The parts of a request this provider accepts. The suite adds a fresh reference to each one it
/// sends, so the same template serves every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTemplate {
    /// An asset the provider pays out (`BTC` for AlphaPo, `USDT` on `tron` for AlpPay).
    pub asset: Asset,
    /// An amount the provider accepts for it.
    pub amount: Decimal,
    /// A destination address of the asset's chain.
    pub address: String,
    /// A destination tag, for assets that need one.
    pub tag: Option<String>,
    /// An end user with what the provider requires (AlpPay: a numeric id, a name and an e-mail;
    /// AlphaPo: an id that is no e-mail address).
    pub end_user: EndUser,
}

impl RequestTemplate {
    /// A template without a tag.
    pub fn new(asset: Asset, amount: Decimal, address: impl Into<String>, end_user: EndUser) -> Self {
        Self { asset, amount, address: address.into(), tag: None, end_user }
    }

    /// The request with this reference, checked by [`WithdrawalRequest::builder`].
    pub fn build(&self, reference: &str) -> Result<WithdrawalRequest, PayoutError> {
        let mut b = WithdrawalRequest::builder()
            .reference(reference)
            .asset(self.asset.clone())
            .amount(self.amount)
            .address(self.address.clone())
            .end_user(self.end_user.clone());
        if let Some(tag) = &self.tag {
            b = b.tag(tag.clone());
        }
        b.build()
    }

    /// The same request as a conversion: deliver exactly `amount` of `to`.
    pub(crate) fn build_converted(&self, reference: &str, to: Asset) -> Result<WithdrawalRequest, PayoutError> {
        WithdrawalRequest::builder()
            .reference(reference)
            .asset(self.asset.clone())
            .amount_to(to, self.amount)
            .address(self.address.clone())
            .end_user(self.end_user.clone())
            .build()
    }
}

/// A request the builder accepts but this provider must refuse before sending anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCase {
    /// What is wrong with it, for the report (`"an asset AlpPay does not pay out"`).
    pub what: String,
    /// The request's parts.
    pub template: RequestTemplate,
}

impl InvalidCase {
    /// `valid` changed by `change`: `InvalidCase::of(&t, "no e-mail", |t| t.end_user.email = None)`.
    pub fn of(valid: &RequestTemplate, what: &str, change: impl FnOnce(&mut RequestTemplate)) -> Self {
        let mut template = valid.clone();
        change(&mut template);
        Self { what: what.to_owned(), template }
    }
}

/// A status move the suite asks the backend to make.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Approve a pending withdrawal.
    Approve,
    /// Send it, with this transaction hash.
    Complete {
        /// The transaction hash the provider must then report.
        tx_hash: String,
    },
    /// Cancel it.
    Cancel,
    /// Decline it, as a reviewer would.
    Reject,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Approve => f.write_str("approve"),
            Step::Complete { tx_hash } => write!(f, "complete with tx hash {tx_hash}"),
            Step::Cancel => f.write_str("cancel"),
            Step::Reject => f.write_str("reject"),
        }
    }
}

/// Whether the harness did what the suite asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drive {
    /// Done on the backend.
    Done,
    /// This backend cannot be driven that way: the case (or that part of it) is skipped.
    NotSupported,
}

/// The invalid case every backend has by default: `template` with an asset no provider names
/// (`NOTACOIN`).
pub fn unknown_asset_case(mut template: RequestTemplate) -> InvalidCase {
    template.asset = Asset::new("NOTACOIN");
    InvalidCase { what: "an asset no provider pays out (NOTACOIN)".into(), template }
}

/// The id the suite reads as "no such withdrawal" unless a backend names another.
pub const UNKNOWN_ID: &str = "999999999";

/// Tells the conformance suite how to drive one backend. Only [`template`](Harness::template) is
/// required; every other method has a default that makes the cases needing it skip (or, for
/// [`invalid_cases`](Harness::invalid_cases), uses an asset no provider names).
///
/// Errors a harness returns are reported as failures of the case, with the message given.
#[async_trait]
pub trait Harness: Send + Sync {
    /// The parts of a valid request for this provider.
    fn template(&self) -> RequestTemplate;

    /// Requests the provider must refuse before sending (`InvalidRequest` or `Unsupported`).
    /// By default: the template with an asset no provider names (`NOTACOIN`). Override it with
    /// your provider's own rules, especially when it passes unknown asset codes through (AlphaPo:
    /// an end-user id that is an e-mail address; AlpPay: a non-numeric customer id, an asset other
    /// than USDT or USDC, or a missing e-mail).
    fn invalid_cases(&self) -> Vec<InvalidCase> {
        vec![unknown_asset_case(self.template())]
    }

    /// An id of this provider's form that names no withdrawal (AlphaPo ids are integers, AlpPay
    /// ids UUIDs). By default [`UNKNOWN_ID`].
    fn unknown_id(&self) -> WithdrawalId {
        WithdrawalId::new(UNKNOWN_ID)
    }

    /// Whether the provider refuses a second create with a used reference. When it does not,
    /// the duplicate case checks only that the first withdrawal stays findable.
    fn enforces_unique_references(&self) -> bool {
        true
    }

    /// Moves a withdrawal on the backend. By default nothing can be driven.
    async fn drive(&self, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let _ = (id, step);
        Ok(Drive::NotSupported)
    }

    /// Arms a fault for the next create: the backend acts on it (the withdrawal is created) but
    /// the answer is lost, so the provider returns `OutcomeUnknown`. By default not supported.
    async fn lose_next_create_answer(&self) -> Result<Drive, String> {
        Ok(Drive::NotSupported)
    }

    /// A webhook the backend would send about `withdrawal`, correctly signed. By default none.
    fn webhook(&self, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        let _ = withdrawal;
        None
    }
}
