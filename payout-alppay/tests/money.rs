//! The money figures: 1,000 concurrent `submit` calls through one client end with exactly 1,000
//! withdrawals on the simulator, one per reference, and every call returns the withdrawal of its
//! reference, while a tenth of the creates lose their answer after AlpPay acted, or while 429s
//! and 5xx answers are spread over the run. (`RELIABILITY.md` records the last figures.) The
//! engine is `payout_sim::money`, shared with the other provider, driven through
//! `common::sim::Backend`.

mod common;

use common::sim::Backend;
use payout_sim::money;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenth_of_the_creates_lose_their_answer_after_acting() {
    money::lost_answers(&Backend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_spread_over_the_run() {
    // Lookups armed: 3 per call.
    money::throttling_and_server_errors(&Backend, 3).await;
}

/// The long run (`cargo test -p payout-alppay --test money -- --ignored`; `PAYOUT_SOAK_CALLS`
/// sets the number of calls, 10,000 by default, `PAYOUT_SOAK_CONCURRENCY` how many run at once,
/// 500 by default): every fault at once, creates and lookups alike, and a client timeout shorter
/// than some answers. No reference is ever paid twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long run: see RELIABILITY.md"]
async fn soak_every_fault_at_once() {
    money::soak(&Backend).await;
}
