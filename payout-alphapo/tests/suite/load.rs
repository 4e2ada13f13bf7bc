//! Load test (ignored: run it on purpose, in release): 10,000 signed creates through one
//! `AlphaPoClient`, 64 in flight, against the AlphaPo simulator. Prints throughput, p50 and p99
//! latency and the errors, and checks that the simulator holds exactly 10,000 withdrawals
//! afterwards. The engine is `payout_sim::load`, shared with AlpPay.
//!
//! ```text
//! cargo test --release -p payout-alphapo --test suite load:: -- --ignored --nocapture
//! ```

use crate::common;

use payout_core::{Asset, EndUser, WithdrawalRequest};
use rust_decimal::Decimal;

#[test]
#[ignore = "load test: run with --release -- --ignored --nocapture"]
fn ten_thousand_creates_with_64_in_flight() {
    payout_sim::load::creates(&common::sim::Backend, "", |reference| {
        WithdrawalRequest::builder()
            .reference(reference)
            .asset(Asset::new("TRX"))
            .amount(Decimal::ONE)
            .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
            .end_user(EndUser::new("user-4711"))
            .build()
            .expect("a valid request")
    });
}
