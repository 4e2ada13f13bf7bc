//! Load test (ignored: run it on purpose, in release): 10,000 signed creates through one
//! `AlphaPoClient`, 64 in flight, against the AlphaPo simulator. Prints throughput, p50 and p99
//! latency and the errors, and checks that the simulator holds exactly 10,000 withdrawals
//! afterwards.
//!
//! ```text
//! cargo test --release -p payout-alphapo --test load -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use futures::StreamExt;
use payout_alphapo::AlphaPoConfig;
use payout_core::{Asset, EndUser, PayoutProvider, WithdrawalRequest};
use payout_testkit::sim::{AlphaPoConfig as SimConfig, AlphaPoServer};
use rust_decimal::Decimal;

const CREATES: usize = 10_000;
const IN_FLIGHT: usize = 64;

#[test]
#[ignore = "load test: run with --release -- --ignored --nocapture"]
fn ten_thousand_creates_with_64_in_flight() {
    // The simulator in its own one-worker runtime (its own thread), the client on this thread.
    let sim_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let sim = sim_rt.block_on(AlphaPoServer::start(SimConfig::default())).unwrap();
    sim.requests().set_enabled(false);
    let client = AlphaPoConfig::builder()
        .api_key(sim.api_key())
        .api_secret(sim.api_secret())
        .base_url(sim.base_url())
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let started = Instant::now();
    let outcomes: Vec<Result<Duration, String>> = rt.block_on(
        futures::stream::iter(0..CREATES)
            .map(|i| {
                let client = &client;
                async move {
                    let request = WithdrawalRequest::builder()
                        .reference(format!("load-{i}"))
                        .asset(Asset::new("TRX"))
                        .amount(Decimal::ONE)
                        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
                        .end_user(EndUser::new("user-4711"))
                        .build()
                        .map_err(|e| e.to_string())?;
                    let t = Instant::now();
                    client.create_withdrawal(&request).await.map_err(|e| e.to_string())?;
                    Ok(t.elapsed())
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect(),
    );
    let wall = started.elapsed();

    let mut latencies: Vec<Duration> = outcomes.iter().filter_map(|o| o.as_ref().ok().copied()).collect();
    let errors: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    latencies.sort_unstable();
    let pct = |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)));
    println!(
        "alphapo load: {CREATES} creates, {IN_FLIGHT} in flight: {:.2} s, {:.0} creates/s, p50 {:?}, p99 {:?}, errors {}, withdrawals on the simulator {}",
        wall.as_secs_f64(),
        CREATES as f64 / wall.as_secs_f64(),
        pct(0.50).copied().unwrap_or_default(),
        pct(0.99).copied().unwrap_or_default(),
        errors.len(),
        sim.count(),
    );
    assert!(errors.is_empty(), "first errors: {:?}", &errors[..errors.len().min(5)]);
    assert_eq!(latencies.len(), CREATES);
    assert_eq!(sim.count(), CREATES, "exactly one withdrawal per create");
}
