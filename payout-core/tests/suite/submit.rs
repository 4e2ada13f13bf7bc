//! `submit` on each path: created, reconciled, re-created, already existing, and unknown.

use crate::common;

use common::{request, withdrawal};
use mockall::Sequence;
use payout_core::{
    ErrorKind, MockPayoutProvider, PayoutError, PayoutProviderExt, Reference, SubmitPath, WithdrawalStatus,
};
use rust_decimal_macros::dec;

fn lost(reference: &str) -> PayoutError {
    PayoutError::outcome_unknown(Reference::new(reference).unwrap(), "connection reset")
}

/// Submits the request for reference r1 and checks the path taken and the withdrawal returned.
async fn assert_submitted(p: &MockPayoutProvider, path: SubmitPath, id: &str) {
    let s = p.submit(&request("r1")).await.unwrap();
    assert_eq!(s.path, path, "the path submit took");
    assert_eq!(s.withdrawal.id.as_str(), id, "the withdrawal submit returned");
}

/// The provider refuses one create: its reference is taken.
fn refuse_once_as_duplicate(p: &mut MockPayoutProvider) {
    p.expect_create_withdrawal()
        .times(1)
        .returning(|r| Err(PayoutError::DuplicateReference { reference: r.reference().clone() }));
}

#[tokio::test]
async fn created() {
    let mut p = MockPayoutProvider::new();
    p.expect_create_withdrawal().times(1).returning(|_| Ok(withdrawal("1", "r1", WithdrawalStatus::Pending)));
    p.expect_find_withdrawal().never();
    assert_submitted(&p, SubmitPath::Created, "1").await;
}

#[tokio::test]
async fn outcome_unknown_then_found_is_not_created_again() {
    let mut p = MockPayoutProvider::new();
    p.expect_create_withdrawal().times(1).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal()
        .times(1)
        .withf(|r| r.as_str() == "r1")
        .returning(|_| Ok(Some(withdrawal("7", "r1", WithdrawalStatus::Processing))));
    assert_submitted(&p, SubmitPath::Reconciled, "7").await;
}

#[tokio::test]
async fn outcome_unknown_then_not_found_then_created() {
    let mut p = MockPayoutProvider::new();
    let mut seq = Sequence::new();
    p.expect_create_withdrawal().times(1).in_sequence(&mut seq).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(1).in_sequence(&mut seq).returning(|_| Ok(None));
    p.expect_create_withdrawal()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(withdrawal("8", "r1", WithdrawalStatus::Pending)));
    assert_submitted(&p, SubmitPath::Created, "8").await;
}

#[tokio::test]
async fn outcome_still_unknown_after_every_round() {
    let mut p = MockPayoutProvider::new();
    p.expect_create_withdrawal().times(3).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(3).returning(|_| Ok(None));
    let err = p.submit(&request("r1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert!(err.to_string().contains("r1"), "names the reference: {err}");
}

#[tokio::test]
async fn lookup_failure_keeps_the_outcome_unknown() {
    let mut p = MockPayoutProvider::new();
    p.expect_create_withdrawal().times(1).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(1).returning(|_| Err(PayoutError::unavailable("down", Some(503))));
    let err = p.submit(&request("r1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert!(err.to_string().contains("r1") && err.to_string().contains("down"), "{err}");
}

#[tokio::test]
async fn duplicate_reference_of_the_same_payout_returns_it() {
    let mut p = MockPayoutProvider::new();
    refuse_once_as_duplicate(&mut p);
    p.expect_find_withdrawal().times(1).returning(|_| Ok(Some(withdrawal("5", "r1", WithdrawalStatus::Completed))));
    assert_submitted(&p, SubmitPath::AlreadyExisted, "5").await;
}

#[tokio::test]
async fn duplicate_reference_of_another_payout_is_an_error() {
    let mut p = MockPayoutProvider::new();
    refuse_once_as_duplicate(&mut p);
    p.expect_find_withdrawal().times(1).returning(|_| {
        let mut other = withdrawal("5", "r1", WithdrawalStatus::Completed);
        other.amount = Some(dec!(3));
        Ok(Some(other))
    });
    let err = p.submit(&request("r1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicateReference);
}

#[tokio::test]
async fn a_reconciled_withdrawal_for_another_payout_is_not_accepted() {
    let mut p = MockPayoutProvider::new();
    p.expect_create_withdrawal().times(1).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(1).returning(|_| {
        let mut other = withdrawal("5", "r1", WithdrawalStatus::Pending);
        other.address = Some("somewhere-else".into());
        Ok(Some(other))
    });
    assert_eq!(p.submit(&request("r1")).await.unwrap_err().kind(), ErrorKind::DuplicateReference);
}

#[tokio::test]
async fn other_errors_pass_through_without_a_lookup() {
    let mut p = MockPayoutProvider::new();
    p.expect_create_withdrawal()
        .times(1)
        .returning(|_| Err(PayoutError::Authentication { message: "bad key".into(), status: Some(403) }));
    p.expect_find_withdrawal().never();
    assert_eq!(p.submit(&request("r1")).await.unwrap_err().kind(), ErrorKind::Authentication);
}
