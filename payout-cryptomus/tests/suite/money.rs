//! The money figures: 1,000 concurrent `submit` calls through one client end with exactly 1,000
//! payouts on the simulator, one per `order_id`, and every call returns the payout of its
//! reference, while a tenth of the creates lose their answer after Cryptomus acted, or while
//! 429s and 5xx answers are spread over the run. No journal is involved: the replay rule (a
//! create with a used `order_id` is answered with that payout) makes the repeated creates
//! exactly-once. (`RELIABILITY.md` records the last figures.) The engine is `payout_sim::money`,
//! shared with the other providers, driven through `common::sim::Backend`.
//!
//! The long run: `cargo test -p payout-cryptomus --test suite money:: -- --ignored` (`RELIABILITY.md`).

use crate::common;

// Lookups armed: none. `submit` looks nothing up after a lost answer: it sends the same create
// again, which Cryptomus replays.
payout_sim::money_tests!(common::sim::Backend, lookups_per_call: 0);
