//! The load test every provider runs (ignored in the provider crates: run it on purpose, in
//! release): [`CREATES`] creates through one client in its default configuration, [`IN_FLIGHT`]
//! at a time, against the provider's simulator in its own one-worker runtime. Prints throughput,
//! p50 and p99 latency and the errors, and checks that the simulator holds exactly [`CREATES`]
//! withdrawals afterwards (`payout-alphapo/tests/suite/load.rs`, `payout-alppay/tests/suite/load.rs`).

use std::time::{Duration, Instant};

use futures::StreamExt;
use payout_core::WithdrawalRequest;
use payout_core::http::RetryPolicy;

use crate::backend::{ClientSettings, SimBackend};

/// Creates per run.
pub const CREATES: usize = 10_000;
/// Creates in flight at once.
pub const IN_FLIGHT: usize = 64;

/// Runs the load test: `request` builds the create for a reference (`load-{i}`), `note` is printed
/// after the count of creates (say what a create sends). Call it from a plain `#[test]`: it builds
/// its own runtimes. Panics on any error or a count other than [`CREATES`].
pub fn creates<B: SimBackend>(backend: &B, note: &str, request: impl Fn(&str) -> WithdrawalRequest) {
    // The simulator in its own one-worker runtime (its own thread), the client on this thread.
    let sim_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
    let sim = sim_rt.block_on(backend.start());
    sim.requests().set_enabled(false);
    // The library's defaults: only the credentials and the simulator's base URL are set.
    let settings = ClientSettings { retry: Some(RetryPolicy::default()), ..ClientSettings::default() };
    let client = backend.client(&sim, settings).expect("a client of the simulator");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");

    let started = Instant::now();
    let outcomes: Vec<Result<Duration, String>> = rt.block_on(
        futures::stream::iter(0..CREATES)
            .map(|i| {
                let client = &client;
                let request = request(&format!("load-{i}"));
                async move {
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
        "{} load: {CREATES} creates{note}, {IN_FLIGHT} in flight: {:.2} s, {:.0} creates/s, p50 {:?}, p99 {:?}, errors {}, withdrawals on the simulator {}",
        B::NAME,
        wall.as_secs_f64(),
        CREATES as f64 / wall.as_secs_f64(),
        pct(0.50).copied().unwrap_or_default(),
        pct(0.99).copied().unwrap_or_default(),
        errors.len(),
        backend.count(&sim),
    );
    assert!(errors.is_empty(), "first errors: {:?}", &errors[..errors.len().min(5)]);
    assert_eq!(latencies.len(), CREATES);
    assert_eq!(backend.count(&sim), CREATES, "exactly one withdrawal per create");
}
