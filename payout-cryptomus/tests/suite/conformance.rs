//! The testkit's conformance suite: `CryptomusClient` against the Cryptomus simulator, and the
//! reference rules the suite cannot ask for (it picks its references itself).

use crate::common;

use common::sim::{Backend, client_for, start};
use payout_core::{ErrorKind, PayoutProvider, WithdrawalRequest};
use payout_sim::backend::SimBackend;
use payout_testkit::conformance::{self, Outcome};

/// Cryptomus supports every operation the suite checks except conversion, whose refusal is
/// itself a case (as is the refusal of travel-rule data, which the suite does not send): nothing
/// may be skipped.
#[tokio::test]
async fn cryptomus_client_passes_the_conformance_suite() {
    let report = payout_sim::conformance::run(&Backend).await;
    println!("{report}");
    report.assert_passed();
    for case in &report.cases {
        assert!(matches!(case.outcome, Outcome::Passed), "{} did not pass: {:?}\n{report}", case.name, case.outcome);
    }
    assert_eq!(report.cases.len(), conformance::CASES.len(), "every case ran: {report}");
}

fn request(reference: &str) -> Result<WithdrawalRequest, payout_core::PayoutError> {
    Backend.template().build(reference)
}

/// `order_id` is 1 to 100 letters, digits, `_` and `-`: anything else is refused before sending,
/// naming the reference, and nothing is created.
#[tokio::test]
async fn references_outside_the_order_id_rules_are_refused_before_sending() {
    let server = start().await;
    let client = client_for(&server);
    for reference in ["order.1", "order 1", "order/1", "заказ-1", &"a".repeat(101)] {
        let Ok(req) = request(reference) else { continue };
        let err = client.create_withdrawal(&req).await.expect_err(reference);
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{reference}: {err}");
        assert!(err.to_string().contains("reference"), "{reference}: the error names the field: {err}");
    }
    let posts = server.requests().entries().iter().filter(|r| r.path.ends_with("/payout")).count();
    assert_eq!(posts, 0, "no create was sent");
    assert_eq!(server.count(), 0);

    // The longest reference is taken, but `/payout/info` reads at most 32 characters: found by
    // reference only up to 32, refused (not "not found") beyond.
    let long = "b".repeat(100);
    let created = client.create_withdrawal(&request(&long).unwrap()).await.unwrap();
    assert_eq!(created.reference.as_ref().map(|r| r.as_str()), Some(long.as_str()));
    let err = client.find_withdrawal(created.reference.as_ref().unwrap()).await.expect_err("over 32");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    let short = "c".repeat(32);
    let created = client.create_withdrawal(&request(&short).unwrap()).await.unwrap();
    let found = client.find_withdrawal(created.reference.as_ref().unwrap()).await.unwrap();
    assert_eq!(found.map(|w| w.id), Some(created.id));
}
