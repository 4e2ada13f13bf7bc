//! The money figures: 1,000 concurrent `submit` calls through one client end with exactly 1,000
//! withdrawals on the simulator, one per reference, and every call returns the withdrawal of its
//! reference, while a tenth of the creates lose their answer after AlphaPo acted, or while 429s
//! and 5xx answers are spread over the run. (`RELIABILITY.md` records the last figures.) The
//! engine is `payout_sim::money`, shared with the other provider, driven through
//! `common::sim::Backend`.
//!
//! The long run: `cargo test -p payout-alphapo --test suite money:: -- --ignored` (`RELIABILITY.md`).
//! AlphaPo would refuse a second `foreign_id`, so no reference is ever paid twice.

use crate::common;

// Lookups armed: 2 per call.
payout_sim::money_tests!(common::sim::Backend, lookups_per_call: 2);
