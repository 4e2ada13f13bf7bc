//! Load test (ignored: run it on purpose, in release): 10,000 creates through one `AlpPayClient`
//! in its default configuration (each create looks its invoice up, then posts), 64 in flight,
//! against the AlpPay simulator. Prints throughput, p50 and p99 latency and the errors, and
//! checks that the simulator holds exactly 10,000 withdrawals afterwards. The engine is
//! `payout_sim::load`, shared with AlphaPo.
//!
//! ```text
//! cargo test --release -p payout-alppay --test suite load:: -- --ignored --nocapture
//! ```

use crate::common;

use payout_core::{Asset, EndUser, WithdrawalRequest};
use rust_decimal::Decimal;

#[test]
#[ignore = "load test: run with --release -- --ignored --nocapture"]
fn ten_thousand_creates_with_64_in_flight() {
    payout_sim::load::creates(&common::sim::Backend::default(), " (GET invoices + POST each)", |reference| {
        WithdrawalRequest::builder()
            .reference(reference)
            .asset(Asset::new("USDT").on("tron"))
            .amount(Decimal::TEN)
            .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
            .end_user(EndUser::new("1").with_name("Customer Name").with_email("customer@example.com"))
            .build()
            .expect("a valid request")
    });
}
