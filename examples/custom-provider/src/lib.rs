//! # A third provider, written outside the workspace's provider crates
//!
//! [`LedgerProvider`] pays out by writing to a local ledger file that an operator (or another
//! program) settles later: the shape of many in-house "treasury" services. It uses nothing but
//! `payout-core`'s public API, and passes the same conformance suite as AlphaPo and AlpPay.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), payout_core::PayoutError> {
//! use std::sync::Arc;
//! use custom_provider::LedgerProvider;
//! use payout_core::{Asset, EndUser, PayoutProvider, PayoutProviderExt, WithdrawalRequest, WithdrawalStatus};
//!
//! let dir = std::env::temp_dir().join(format!("ledger-doc-{}", std::process::id()));
//! let ledger = LedgerProvider::open(dir.join("ledger.json"))?;
//! let provider: Arc<dyn PayoutProvider> = Arc::new(ledger.clone());
//!
//! let request = WithdrawalRequest::builder()
//!     .reference("order-1")
//!     .asset(Asset::new("BTC"))
//!     .amount("0.0002".parse().unwrap())
//!     .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
//!     .end_user(EndUser::new("user-1"))
//!     .build()?;
//! let created = provider.submit(&request).await?.withdrawal;
//! assert_eq!(created.status, WithdrawalStatus::Pending);
//!
//! // The operator settles it; the application sees it completed.
//! ledger.settle(&created.id, "0xfeed")?;
//! let now = provider.get_withdrawal(&created.id).await?;
//! assert_eq!(now.status, WithdrawalStatus::Completed);
//! # std::fs::remove_dir_all(dir).ok(); Ok(()) }
//! ```

mod ledger;
mod provider;

pub use ledger::{Entry, LedgerStatus};
pub use provider::LedgerProvider;
