//! Every status transition rule, as a full table.

use payout_core::{Transition, WithdrawalStatus, WithdrawalStatus::*};

#[test]
fn transition_table() {
    use Transition::{Advance as A, Illegal as X, Unchanged as U};
    // rows: from; columns: to, in WithdrawalStatus::ALL order
    // (pending, approved, processing, completed, cancelled, rejected, unknown)
    let table: [(WithdrawalStatus, [Transition; 7]); 7] = [
        (Pending, [U, A, A, A, A, A, A]),
        (Approved, [X, U, A, A, A, A, A]),
        (Processing, [X, X, U, A, A, A, A]),
        (Completed, [X, X, X, U, X, X, X]),
        (Cancelled, [X, X, X, X, U, X, X]),
        (Rejected, [X, X, X, X, X, U, X]),
        (Unknown, [A, A, A, A, A, A, U]),
    ];
    for (from, row) in table {
        for (to, expected) in WithdrawalStatus::ALL.into_iter().zip(row) {
            assert_eq!(from.transition_to(to), expected, "{from} -> {to}");
            assert_eq!(from.can_transition_to(to), expected == A);
        }
    }
}

#[test]
fn terminal_statuses() {
    let terminal: Vec<_> = WithdrawalStatus::ALL.into_iter().filter(|s| s.is_terminal()).collect();
    assert_eq!(terminal, vec![Completed, Cancelled, Rejected]);
}

#[test]
fn names_round_trip() {
    for s in WithdrawalStatus::ALL {
        assert_eq!(s.as_str().parse::<WithdrawalStatus>().unwrap(), s);
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
    }
    assert_eq!("COMPLETED".parse::<WithdrawalStatus>().unwrap(), Completed);
    let err = "done".parse::<WithdrawalStatus>().unwrap_err();
    assert!(err.to_string().contains("pending"), "{err}");
}
