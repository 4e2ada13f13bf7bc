//! The money figures: 1,000 concurrent `submit` calls through one client end with exactly 1,000
//! withdrawals on the simulator, one per reference, and every call returns the withdrawal of its
//! reference, while a tenth of the creates lose their answer after AlpPay acted, or while 429s
//! and 5xx answers are spread over the run. (`RELIABILITY.md` records the last figures.) The
//! engine is `payout_sim::money`, shared with the other provider, driven through
//! `common::sim::Backend`.
//!
//! The long run: `cargo test -p payout-alppay --test suite money:: -- --ignored` (`RELIABILITY.md`).

use crate::common;

// Lookups armed: 3 per call.
payout_sim::money_tests!(common::sim::Backend::default(), lookups_per_call: 3);
