//! The webhook receiver rules: duplicates are no-ops, late deliveries never overwrite newer
//! state, final statuses never move back, with and without timestamps.

use WithdrawalStatus::*;
use payout_core::receiver::{Decision, Rules, apply, decide};
use payout_core::{OffsetDateTime, ProviderId, Withdrawal, WithdrawalId, WithdrawalStatus, WithdrawalUpdate};
// The testkit's deterministic shuffle (xorshift), so a failing order can be replayed from its seed.
use payout_testkit::delivery_orders::shuffle;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000 + secs).unwrap()
}

fn w(status: WithdrawalStatus, updated: Option<i64>) -> Withdrawal {
    let mut w = Withdrawal::new(ProviderId::from_static("p"), WithdrawalId::new("1"), status, status.as_str());
    w.updated_at = updated.map(at);
    w
}

#[test]
fn the_rules_case_by_case() {
    let hash = |mut w: Withdrawal| {
        w.tx_hash = Some("0xabc".into());
        w
    };
    let cases: Vec<(Option<Withdrawal>, Withdrawal, Decision)> = vec![
        (None, w(Pending, None), Decision::Store),
        (Some(w(Pending, None)), w(Pending, None), Decision::Duplicate),
        (Some(w(Pending, Some(1))), w(Pending, Some(1)), Decision::Duplicate),
        (Some(w(Pending, None)), w(Approved, None), Decision::Store),
        (Some(w(Approved, None)), w(Pending, None), Decision::Stale),
        (Some(w(Completed, None)), w(Processing, None), Decision::Stale),
        (Some(w(Completed, None)), w(Cancelled, None), Decision::IllegalMove),
        (Some(w(Completed, Some(5))), w(Cancelled, Some(9)), Decision::IllegalMove),
        // Timestamps decide age: an older one is stale whatever its status says.
        (Some(w(Approved, Some(5))), w(Completed, Some(4)), Decision::Stale),
        (Some(w(Approved, Some(5))), w(Pending, Some(9)), Decision::IllegalMove),
        (Some(w(Completed, Some(5))), w(Processing, Some(9)), Decision::IllegalMove),
        (Some(w(Completed, Some(5))), w(Completed, Some(9)), Decision::Store),
        // One side without a timestamp: status order decides.
        (Some(w(Approved, Some(5))), w(Pending, None), Decision::Stale),
        (Some(w(Approved, None)), w(Completed, Some(1)), Decision::Store),
        // Same status: new facts are stored, missing facts are a late copy.
        (Some(w(Processing, None)), hash(w(Processing, None)), Decision::Store),
        (Some(hash(w(Processing, None))), w(Processing, None), Decision::Stale),
        (Some(hash(w(Completed, None))), hash(w(Completed, None)), Decision::Duplicate),
        // Unknown is never an error and never undoes a final status.
        (Some(w(Pending, None)), w(Unknown, None), Decision::Store),
        (Some(w(Completed, None)), w(Unknown, None), Decision::Stale),
    ];
    for (stored, incoming, want) in cases {
        assert_eq!(
            decide(stored.as_ref(), &incoming),
            want,
            "{:?}@{:?} <- {:?}@{:?}",
            stored.as_ref().map(|s| s.status),
            stored.as_ref().and_then(|s| s.updated_at),
            incoming.status,
            incoming.updated_at
        );
    }
}

#[test]
fn another_withdrawal_is_not_compared() {
    let mut other = w(Completed, None);
    other.id = WithdrawalId::new("2");
    assert_eq!(decide(Some(&w(Pending, None)), &other), Decision::OtherWithdrawal);
    let mut stored = Some(w(Pending, None));
    assert_eq!(apply(&mut stored, WithdrawalUpdate::new(other)), Decision::OtherWithdrawal);
    assert_eq!(stored.unwrap().status, Pending);
}

#[test]
fn a_documented_reversal_is_the_only_way_out_of_a_final_status() {
    let rules = Rules::new().allow_reversal(Completed, Cancelled);
    let mut stored = Some(w(Completed, Some(5)));
    assert_eq!(rules.apply(&mut stored, WithdrawalUpdate::new(w(Cancelled, Some(4)))), Decision::Stale);
    assert_eq!(rules.apply(&mut stored, WithdrawalUpdate::new(w(Processing, Some(9)))), Decision::IllegalMove);
    assert_eq!(rules.apply(&mut stored, WithdrawalUpdate::new(w(Cancelled, Some(9)))), Decision::Store);
    assert_eq!(stored.as_ref().unwrap().status, Cancelled);
    // ... and it is not reversed back.
    assert_eq!(rules.apply(&mut stored, WithdrawalUpdate::new(w(Completed, Some(10)))), Decision::IllegalMove);
}

/// Legal life cycles, as providers report them.
fn history() -> impl Strategy<Value = Vec<WithdrawalStatus>> {
    prop_oneof![
        Just(vec![Pending, Approved, Completed]),
        Just(vec![Pending, Approved, Processing, Completed]),
        Just(vec![Pending, Cancelled]),
        Just(vec![Pending, Approved, Cancelled]),
        Just(vec![Processing, Completed]),
        Just(vec![Pending, Processing, Rejected]),
        Just(vec![Processing, Processing, Completed]),
    ]
}

proptest! {
    // Seeds of failing cases are kept in `proptest-regressions/` (committed) and replayed first.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/receiver.txt"))),
        ..ProptestConfig::default()
    })]

    /// Every delivery once to three times, in any order: the stored state ends as the last
    /// state of the history, and no stored final status is ever replaced.
    #[test]
    fn shuffled_duplicated_deliveries_end_in_the_last_state(
        statuses in history(),
        timestamps in any::<bool>(),
        copies in proptest::collection::vec(1usize..=3, 4),
        order in any::<u64>(),
    ) {
        let steps: Vec<Withdrawal> = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut step = w(*s, timestamps.then_some(i as i64));
                // Later steps know more: a hash once sent.
                if i + 1 == statuses.len() || *s == Processing && i > 0 {
                    step.tx_hash = Some(format!("0x{i}"));
                }
                step
            })
            .collect();
        let mut deliveries: Vec<Withdrawal> = steps
            .iter()
            .enumerate()
            .flat_map(|(i, s)| std::iter::repeat_n(s.clone(), copies[i % copies.len()]))
            .collect();
        shuffle(&mut deliveries, order);
        let mut stored: Option<Withdrawal> = None;
        for d in deliveries {
            let before = stored.clone();
            match apply(&mut stored, WithdrawalUpdate::new(d)) {
                Decision::Store => {
                    if let Some(b) = before {
                        prop_assert!(!b.status.is_terminal() || b.status == stored.as_ref().unwrap().status,
                            "a final {} was replaced by {}", b.status, stored.as_ref().unwrap().status);
                    }
                }
                Decision::Duplicate | Decision::Stale => {}
                other => prop_assert!(false, "a legal history produced {other:?}"),
            }
        }
        let last = steps.last().unwrap();
        let stored = stored.unwrap();
        prop_assert_eq!(stored.status, last.status);
        prop_assert_eq!(&stored.tx_hash, &last.tx_hash);
        prop_assert_eq!(stored.updated_at, last.updated_at);
    }
}

fn raw(status: WithdrawalStatus, provider_status: &str) -> Withdrawal {
    Withdrawal::new(ProviderId::from_static("alphapo"), WithdrawalId::new("1"), status, provider_status)
}

/// AlphaPo's review step: the create answer (`processing`) is provisional, so the `pending`
/// that follows it is stored, while a late create answer, or a `pending` after the withdrawal
/// was seen on its way (`not_confirmed`), is stale; final statuses never move back.
#[test]
fn a_provisional_status_lets_the_review_step_through_and_never_wins_late() {
    let rules = Rules::new().provisional("processing");
    let created = raw(Processing, "processing");
    let review = raw(Pending, "pending");
    let sending = raw(Processing, "not_confirmed");
    let done = raw(Completed, "confirmed");
    // Without the provider's rule the review step is dropped: the reason for the rule.
    assert_eq!(decide(Some(&created), &review), Decision::Stale);
    assert_eq!(rules.decide(Some(&created), &review), Decision::Store);
    assert_eq!(rules.decide(Some(&review), &created), Decision::Stale, "a late create answer");
    assert_eq!(rules.decide(Some(&review), &sending), Decision::Store, "approved");
    assert_eq!(rules.decide(Some(&sending), &review), Decision::Stale, "a late review callback");
    assert_eq!(rules.decide(Some(&sending), &created), Decision::Stale);
    assert_eq!(rules.decide(Some(&created), &sending), Decision::Store);
    assert_eq!(rules.decide(Some(&done), &review), Decision::Stale);
    assert_eq!(rules.decide(Some(&done), &created), Decision::Stale);
    assert_eq!(rules.decide(Some(&review), &review), Decision::Duplicate);
    assert_eq!(rules.decide(Some(&created), &created), Decision::Duplicate);
}

proptest! {
    /// The review life cycle delivered in any order, each step once or twice, always ends in
    /// its final state, and with the review seen whenever it was the last non-final state.
    #[test]
    fn review_histories_converge_in_any_order(copies in proptest::collection::vec(1usize..=2, 4), order in any::<u64>()) {
        let rules = Rules::new().provisional("processing");
        let steps = [raw(Processing, "processing"), raw(Pending, "pending"), raw(Processing, "not_confirmed"), raw(Completed, "confirmed")];
        let mut deliveries: Vec<Withdrawal> =
            steps.iter().enumerate().flat_map(|(i, s)| std::iter::repeat_n(s.clone(), copies[i])).collect();
        shuffle(&mut deliveries, order);
        let mut stored = None;
        for d in deliveries {
            rules.apply(&mut stored, WithdrawalUpdate::new(d));
        }
        prop_assert_eq!(stored.unwrap().provider_status, "confirmed");
    }
}
