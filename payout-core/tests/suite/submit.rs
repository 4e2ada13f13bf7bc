//! `submit` on each path: created, reconciled, re-created, already existing, and unknown.

use crate::common;

use common::{request, withdrawal};
use mockall::Sequence;
use payout_core::{
    Capabilities, Capability, ErrorKind, MockPayoutProvider, PayoutError, PayoutProviderExt, Reference, SubmitPath,
    WithdrawalStatus,
};
use payout_testkit::fake::Fault;
use payout_testkit::{FakeProvider, Operation};
use rust_decimal_macros::dec;

fn lost(reference: &str) -> PayoutError {
    PayoutError::outcome_unknown(Reference::new(reference).unwrap(), "connection reset")
}

/// A mock of a provider that does not replay creates (asked only once an answer is lost).
fn mock() -> MockPayoutProvider {
    let mut p = MockPayoutProvider::new();
    p.expect_capabilities().return_const(Capabilities::all().without(Capability::IdempotentCreate));
    p
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
    let mut p = mock();
    p.expect_create_withdrawal().times(1).returning(|_| Ok(withdrawal("1", "r1", WithdrawalStatus::Pending)));
    p.expect_find_withdrawal().never();
    assert_submitted(&p, SubmitPath::Created, "1").await;
}

#[tokio::test]
async fn outcome_unknown_then_found_is_not_created_again() {
    let mut p = mock();
    p.expect_create_withdrawal().times(1).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal()
        .times(1)
        .withf(|r| r.as_str() == "r1")
        .returning(|_| Ok(Some(withdrawal("7", "r1", WithdrawalStatus::Processing))));
    assert_submitted(&p, SubmitPath::Reconciled, "7").await;
}

#[tokio::test]
async fn outcome_unknown_then_not_found_then_created() {
    let mut p = mock();
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
    let mut p = mock();
    p.expect_create_withdrawal().times(3).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(3).returning(|_| Ok(None));
    let err = p.submit(&request("r1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert!(err.to_string().contains("r1"), "names the reference: {err}");
}

#[tokio::test]
async fn lookup_failure_keeps_the_outcome_unknown() {
    let mut p = mock();
    p.expect_create_withdrawal().times(1).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(1).returning(|_| Err(PayoutError::unavailable("down", Some(503))));
    let err = p.submit(&request("r1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    assert!(err.to_string().contains("r1") && err.to_string().contains("down"), "{err}");
}

#[tokio::test]
async fn duplicate_reference_of_the_same_payout_returns_it() {
    let mut p = mock();
    refuse_once_as_duplicate(&mut p);
    p.expect_find_withdrawal().times(1).returning(|_| Ok(Some(withdrawal("5", "r1", WithdrawalStatus::Completed))));
    assert_submitted(&p, SubmitPath::AlreadyExisted, "5").await;
}

#[tokio::test]
async fn duplicate_reference_of_another_payout_is_an_error() {
    let mut p = mock();
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
    let mut p = mock();
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
    let mut p = mock();
    p.expect_create_withdrawal()
        .times(1)
        .returning(|_| Err(PayoutError::Authentication { message: "bad key".into(), status: Some(403) }));
    p.expect_find_withdrawal().never();
    assert_eq!(p.submit(&request("r1")).await.unwrap_err().kind(), ErrorKind::Authentication);
}

/// A provider that replays creates by reference: a lost answer is followed at once by the same
/// create, whose answer is the withdrawal made the first time; no lookup, nothing paid twice.
#[tokio::test]
async fn a_replaying_provider_is_sent_the_same_create_at_once() {
    let fake = FakeProvider::builder().capabilities(Capabilities::all()).build();
    fake.fail_next(Operation::Create, Fault::LoseAnswer);
    let s = fake.submit(&request("r1")).await.unwrap();
    assert_eq!(s.path, SubmitPath::Reconciled);
    assert_eq!(fake.calls_of(Operation::Create).len(), 2);
    assert!(fake.calls_of(Operation::Find).is_empty(), "no lookup was needed");
    assert_eq!(fake.withdrawals().len(), 1, "replayed, not paid twice");
    assert_eq!(fake.withdrawals()[0].id, s.withdrawal.id);
}

/// Without the capability the same fault is reconciled by lookup, as before.
#[tokio::test]
async fn a_provider_that_does_not_replay_is_looked_up() {
    let fake = FakeProvider::new();
    fake.fail_next(Operation::Create, Fault::LoseAnswer);
    let s = fake.submit(&request("r1")).await.unwrap();
    assert_eq!(s.path, SubmitPath::Reconciled);
    assert_eq!(fake.calls_of(Operation::Create).len(), 1, "never sent twice");
    assert_eq!(fake.calls_of(Operation::Find).len(), 1);
}

/// When every resend's answer is lost too, the lookup is the fallback.
#[tokio::test]
async fn a_replaying_provider_falls_back_to_the_lookup() {
    let mut p = MockPayoutProvider::new();
    p.expect_capabilities().return_const(Capabilities::all());
    p.expect_create_withdrawal().times(3).returning(|_| Err(lost("r1")));
    p.expect_find_withdrawal().times(1).returning(|_| Ok(Some(withdrawal("9", "r1", WithdrawalStatus::Pending))));
    assert_submitted(&p, SubmitPath::Reconciled, "9").await;
}

/// A replayed answer that is another payout under the reference is not accepted.
#[tokio::test]
async fn a_replay_of_another_payout_is_a_duplicate() {
    let mut p = MockPayoutProvider::new();
    p.expect_capabilities().return_const(Capabilities::all());
    let mut seq = Sequence::new();
    p.expect_create_withdrawal().times(1).in_sequence(&mut seq).returning(|_| Err(lost("r1")));
    p.expect_create_withdrawal().times(1).in_sequence(&mut seq).returning(|_| {
        let mut other = withdrawal("5", "r1", WithdrawalStatus::Pending);
        other.amount = Some(dec!(9));
        Ok(other)
    });
    p.expect_find_withdrawal().never();
    assert_eq!(p.submit(&request("r1")).await.unwrap_err().kind(), ErrorKind::DuplicateReference);
}

/// A refusal of the repeat is trusted only once the lookup shows nothing: the first create may
/// have been made.
#[tokio::test]
async fn a_refused_replay_is_looked_up_before_it_is_believed() {
    for (found, expected) in [(true, None), (false, Some(ErrorKind::Rejected))] {
        let mut p = MockPayoutProvider::new();
        p.expect_capabilities().return_const(Capabilities::all());
        let mut seq = Sequence::new();
        p.expect_create_withdrawal().times(1).in_sequence(&mut seq).returning(|_| Err(lost("r1")));
        p.expect_create_withdrawal().times(1).in_sequence(&mut seq).returning(|_| {
            Err(PayoutError::Rejected { message: "Not enough funds".into(), errors: vec![], code: None, status: None })
        });
        p.expect_find_withdrawal()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_| Ok(found.then(|| withdrawal("4", "r1", WithdrawalStatus::Processing))));
        match (p.submit(&request("r1")).await, expected) {
            (Ok(s), None) => assert_eq!((s.path, s.withdrawal.id.as_str()), (SubmitPath::Reconciled, "4")),
            (Err(e), Some(kind)) => assert_eq!(e.kind(), kind),
            (other, _) => panic!("{other:?}"),
        }
    }
}
