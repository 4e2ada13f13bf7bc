//! Applying a provider's deliveries with [`payout_core::receiver`] in many shuffled orders:
//! [`assert_orders_converge`] checks that every order ends in the provider's state, that
//! duplicates and late deliveries are recognised, and that nothing else is decided
//! (`payout-alphapo/tests/suite/receiver.rs`, `payout-alppay/tests/suite/receiver.rs`).

use std::collections::HashMap;
use std::fmt::Debug;

use payout_core::receiver::{Decision, Rules};
use payout_core::{Withdrawal, WithdrawalId, WithdrawalUpdate};

/// Orders tried, each from its own seed.
pub const ORDERS: u64 = 200;

/// A deterministic shuffle (xorshift), so a failing order can be replayed from its seed.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut s = seed | 1;
    for i in (1..items.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        items.swap(i, (s % (i as u64 + 1)) as usize);
    }
}

/// Applies `updates` under the provider's `rules` (its
/// [`status_rules`](payout_core::PayoutProvider::status_rules)) in [`ORDERS`] shuffled orders. Each order starts from `stored_before` (what
/// the application stored from the creates; an update about another withdrawal then fails the
/// check) or, when `None`, from nothing (any withdrawal may arrive). Every decision must be
/// `Store`, `Duplicate` or `Stale`; at the end, `compared` of each stored withdrawal must equal
/// that of `truth` (the provider's state); over all orders, duplicates and stale deliveries must
/// both have been seen. Panics otherwise.
pub fn assert_orders_converge<K: PartialEq + Debug>(
    rules: &Rules,
    updates: &[WithdrawalUpdate],
    stored_before: Option<&[Withdrawal]>,
    truth: &HashMap<WithdrawalId, Withdrawal>,
    compared: impl Fn(&Withdrawal) -> K,
) {
    let mut seen: HashMap<Decision, usize> = HashMap::new();
    for seed in 0..ORDERS {
        let mut order = updates.to_vec();
        shuffle(&mut order, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut stored: HashMap<WithdrawalId, Option<Withdrawal>> =
            stored_before.unwrap_or_default().iter().map(|w| (w.id.clone(), Some(w.clone()))).collect();
        for update in order {
            let slot = match stored_before {
                Some(_) => stored.get_mut(&update.withdrawal.id).expect("a delivery about a withdrawal we created"),
                None => stored.entry(update.withdrawal.id.clone()).or_default(),
            };
            let decision = rules.apply(slot, update);
            assert!(
                matches!(decision, Decision::Store | Decision::Duplicate | Decision::Stale),
                "seed {seed}: {decision:?}"
            );
            *seen.entry(decision).or_default() += 1;
        }
        for (id, want) in truth {
            let got = stored[id].as_ref().expect("a stored withdrawal");
            assert_eq!(compared(got), compared(want), "seed {seed}, withdrawal {id}");
        }
    }
    assert!(seen[&Decision::Duplicate] > 0 && seen[&Decision::Stale] > 0, "{seen:?}");
}
