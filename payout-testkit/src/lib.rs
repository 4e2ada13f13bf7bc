//! # payout-testkit
//!
//! Test payout code without a provider account.

pub mod conformance;
pub mod fake;
pub mod signing;
pub mod webhooks;

pub use fake::FakeProvider;
pub use payout_core::MockPayoutProvider;
pub use webhooks::SignedWebhook;
