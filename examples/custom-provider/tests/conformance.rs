//! The ledger provider passes the same conformance suite as AlphaPo and AlpPay.

use async_trait::async_trait;
use custom_provider::LedgerProvider;
use payout_core::{Asset, EndUser, WithdrawalId};
use payout_testkit::conformance::{self, Drive, Harness, RequestTemplate, Step};
use rust_decimal::Decimal;

/// Tells the suite how to drive the ledger: the operator's `sign`, `settle` and `void`.
struct LedgerHarness(LedgerProvider);

#[async_trait]
impl Harness for LedgerHarness {
    fn template(&self) -> RequestTemplate {
        RequestTemplate::new(
            Asset::new("BTC"),
            Decimal::new(2, 4),
            "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc",
            EndUser::new("user-1"),
        )
    }

    fn unknown_id(&self) -> WithdrawalId {
        WithdrawalId::new("L-999999")
    }

    async fn drive(&self, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let moved = match step {
            Step::Approve => self.0.sign(id),
            Step::Complete { tx_hash } => self.0.settle(id, tx_hash),
            Step::Cancel => self.0.void(id),
            // A ledger has no reviewer: nothing is ever declined.
            _ => return Ok(Drive::NotSupported),
        };
        moved.map(|_| Drive::Done).map_err(|e| e.to_string())
    }
}

#[tokio::test]
async fn the_ledger_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = LedgerProvider::open(dir.path().join("ledger.json")).unwrap();
    let report = conformance::run(&ledger, &LedgerHarness(ledger.clone())).await;
    println!("{report}");
    report.assert_passed();
}

#[tokio::test]
async fn the_ledger_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.json");
    let ledger = LedgerProvider::open(&path).unwrap();
    let report = conformance::run(&ledger, &LedgerHarness(ledger.clone())).await;
    report.assert_passed();
    // A second process opening the same file sees every entry and keeps ids unique.
    let again = LedgerProvider::open(&path).unwrap();
    let report = conformance::run(&again, &LedgerHarness(again.clone())).await;
    report.assert_passed();
}

#[test]
fn a_corrupt_ledger_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.json");
    std::fs::write(&path, b"{ not json").unwrap();
    let err = LedgerProvider::open(&path).unwrap_err();
    assert_eq!(err.kind(), payout_core::ErrorKind::Configuration);
    assert!(err.to_string().contains("ledger.json"), "{err}");
}
