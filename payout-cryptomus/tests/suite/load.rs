//! Load test (ignored: run it on purpose, in release): 10,000 creates through one
//! `CryptomusClient` in its default configuration (the services table read once and kept, then
//! one signed `POST /payout` each), 64 in flight, against the Cryptomus simulator. Prints
//! throughput, p50 and p99 latency and the errors, and checks that the simulator holds exactly
//! 10,000 payouts afterwards. The engine is `payout_sim::load`, shared with the other providers.
//!
//! ```text
//! cargo test --release -p payout-cryptomus --test suite load:: -- --ignored --nocapture
//! ```

use crate::common;

use payout_sim::backend::SimBackend;

#[test]
#[ignore = "load test: run with --release -- --ignored --nocapture"]
fn ten_thousand_creates_with_64_in_flight() {
    let backend = common::sim::Backend;
    payout_sim::load::creates(&backend, " (POST /payout each)", |reference| backend.request(reference));
}
