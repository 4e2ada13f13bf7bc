//! # payout-testkit
//!
//! Test payout code without a provider account:
//!
//! - [`FakeProvider`] ([`fake`]): an in-memory provider with a real one's rules (unique
//!   references, legal status moves, filters and pages), statuses the test moves, scripted
//!   failures (including a create whose answer is lost *after* the provider acted), a log of calls
//!   and signed webhooks. Cheap: no runtime, no thread, no network.
//! - [`MockPayoutProvider`]: the mockall mock of the trait, for tests that only script answers.
//! - [`Operation`] ([`operation`]): the one name of an operation under test, for the fake's
//!   scripts and `payout-sim`'s fault matrix alike.
//! - [`conformance`]: the suite every [`PayoutProvider`](payout_core::PayoutProvider) must pass.
//! - [`contract`]: what the design's contracts promise outside code (a withdrawal's JSON keys).
//! - [`webhooks`]: correctly signed AlphaPo, AlpPay and Cryptomus webhooks built from a unified
//!   withdrawal.
//! - [`wire`]: the providers' wire objects (lookup answers, webhook bodies), written once for
//!   these builders and `payout-sim`'s simulators.
//! - [`signing`]: the providers' signatures, with their published known answers (Cryptomus's
//!   computed from its spec's vectors).
//! - [`delivery_orders`]: applies a provider's webhook deliveries in many shuffled orders and
//!   checks they converge.
//! - [`secrets`]: checks that no secret reaches a log line.
//! - [`properties`]: shared parts of property tests (any JSON value, "one changed byte of a
//!   signed webhook is refused").
//! - [`requests`]: the valid requests the providers' simulators accept.
//! - [`postgres`] (feature `postgres`): a throwaway PostgreSQL server for tests.
//! - [`mock_server`] (feature `wiremock`): answers a wiremock server gives first, and the
//!   requests it received, for tests of a provider's exact bytes.
//!
//! No web server: the HTTP simulators, the HTTP receiver of their deliveries and the fault /
//! money / load drivers that run against them are in `payout-sim`, so a test build that only
//! needs the fake pulls in no axum, hyper or tower.
//!
//! ## Testing an application with the fake
//!
//! The application code takes any provider; the test hands it a fake, moves the payout along
//! and checks what the application did.
//!
//! ```
//! use std::sync::Arc;
//! use payout_core::{Asset, EndUser, PayoutError, PayoutProvider, PayoutProviderExt};
//! use payout_core::{WithdrawalRequest, WithdrawalStatus};
//! use payout_testkit::FakeProvider;
//! use payout_testkit::fake::{Fault, Operation};
//!
//! /// The application: pays an order once, however often it is called.
//! async fn pay_order(provider: &dyn PayoutProvider, order: &str) -> Result<String, PayoutError> {
//!     let request = WithdrawalRequest::builder()
//!         .reference(order)
//!         .asset(Asset::new("BTC"))
//!         .amount("0.0002".parse().expect("a decimal literal"))
//!         .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
//!         .end_user(EndUser::new("user-1"))
//!         .build()?;
//!     Ok(provider.submit(&request).await?.withdrawal.id.to_string())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let fake = FakeProvider::new();
//! let provider: Arc<dyn PayoutProvider> = Arc::new(fake.clone()); // clones share state
//!
//! // The provider takes the payout but the answer is lost on the way back.
//! fake.fail_next(Operation::Create, Fault::LoseAnswer);
//! let id = pay_order(provider.as_ref(), "order-1").await.unwrap();
//! // Paying again is safe too.
//! assert_eq!(pay_order(provider.as_ref(), "order-1").await.unwrap(), id);
//! assert_eq!(fake.withdrawals().len(), 1, "paid exactly once");
//!
//! // The test plays the provider's part: the payout is sent, and a signed webhook says so.
//! let id = payout_core::WithdrawalId::new(id);
//! fake.complete(&id, "0x5e1f").unwrap();
//! let hook = fake.webhook(&id).unwrap();
//! let update = provider.parse_webhook(&hook.headers, &hook.body).unwrap();
//! assert_eq!(update.withdrawal.status, WithdrawalStatus::Completed);
//! assert_eq!(update.withdrawal.tx_hash.as_deref(), Some("0x5e1f"));
//! # }
//! ```
//!
//! ## Running the conformance suite as a provider author
//!
//! Write a [`Harness`](conformance::Harness) that builds a request your backend accepts (and,
//! if it can, moves withdrawals and loses a create's answer, typically through your simulator's
//! admin surface), then assert the report. Cases your harness cannot drive are skipped.
//!
//! ```
//! use async_trait::async_trait;
//! use payout_core::{Asset, Decimal, EndUser, WithdrawalId};
//! use payout_testkit::FakeProvider;
//! use payout_testkit::conformance::{self, Drive, Harness, RequestTemplate, Step};
//!
//! /// Drives the backend your provider talks to (here a fake stands in for it).
//! struct MyHarness {
//!     backend: FakeProvider,
//! }
//!
//! #[async_trait]
//! impl Harness for MyHarness {
//!     fn template(&self) -> RequestTemplate {
//!         RequestTemplate::new(
//!             Asset::new("USDT").on("tron"),
//!             Decimal::new(10, 0),
//!             "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n",
//!             EndUser::new("42").with_name("Test User").with_email("test@example.com"),
//!         )
//!     }
//!
//!     fn unknown_id(&self) -> WithdrawalId {
//!         WithdrawalId::new("123456789") // an id of your provider's form that names nothing
//!     }
//!
//!     async fn drive(&self, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
//!         let moved = match step {
//!             Step::Approve => self.backend.approve(id),
//!             Step::Complete { tx_hash } => self.backend.complete(id, tx_hash.clone()),
//!             Step::Cancel => self.backend.cancel(id),
//!             _ => return Ok(Drive::NotSupported), // skipped, not failed
//!         };
//!         moved.map(|_| Drive::Done).map_err(|e| e.to_string())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let backend = FakeProvider::new();
//! let provider = backend.clone(); // in a provider crate: your client, pointed at the simulator
//! let report = conformance::run(&provider, &MyHarness { backend }).await;
//! report.assert_passed();
//! println!("{report}"); // one line per case: passed, skipped (and why), or FAILED with each rule broken
//! # }
//! ```
//!
//! ## Scripting answers with the mock
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use payout_core::{ErrorKind, PayoutError, PayoutProvider, Reference};
//! use payout_testkit::MockPayoutProvider;
//!
//! let mut mock = MockPayoutProvider::new();
//! mock.expect_find_withdrawal().returning(|_| Err(PayoutError::RateLimited { retry_after: None }));
//! let err = mock.find_withdrawal(&Reference::new("order-1").unwrap()).await.unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::RateLimited);
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod conformance;
pub mod contract;
pub mod delivery_orders;
pub mod fake;
#[cfg(feature = "wiremock")]
pub mod mock_server;
pub mod operation;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod properties;
pub mod requests;
pub mod secrets;
pub mod signing;
pub mod webhooks;
pub mod wire;

pub use fake::FakeProvider;
pub use operation::Operation;
/// The mockall mock of [`PayoutProvider`](payout_core::PayoutProvider), re-exported from
/// payout-core (its `mock` feature): set expectations with `expect_create_withdrawal()` and the
/// like.
pub use payout_core::MockPayoutProvider;
pub use webhooks::SignedWebhook;
