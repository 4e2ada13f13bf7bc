//! How many lookups per second the simulators answer, so that they never limit the client
//! benchmarks (target: at least 20,000 per second on 2 cores).
//!
//! - `sim_lookup/alphapo`: `GET /transactions/info` with a signed JSON body `{"foreign_id":…}`
//!   (the simulator checks the key, verifies the HMAC-SHA512 over the raw body, parses, looks up
//!   and prints the transaction).
//! - `sim_lookup/alppay`: `GET /withdrawal/{id}` with the API key.
//!
//! Each iteration sends 512 lookups with 64 in flight over keep-alive connections. The
//! simulator runs in a two-worker tokio runtime; the load generator (plain reqwest, bodies and
//! signatures computed once) in a current-thread runtime on the bench thread, on the same two
//! cores, so the figure is a lower bound on what the simulator alone can do. The request log is
//! off, as in the client benchmarks.
//!
//! Run: `cargo bench -p payout-sim --bench sim` (see BENCHMARKS.md).

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;
use payout_sim::{AlpPayConfig, AlpPayServer, AlphaPoConfig, AlphaPoServer};
use payout_testkit::signing::alphapo_signature;

const PER_ITERATION: usize = 512;
const IN_FLIGHT: usize = 64;
const SEEDED: usize = 1_000;

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().pool_idle_timeout(Duration::from_secs(60)).build().expect("reqwest client")
}

/// Sends `PER_ITERATION` requests made by `make`, `IN_FLIGHT` at a time; every one must be 200.
async fn burst(make: impl Fn(usize) -> reqwest::RequestBuilder) {
    let make = &make;
    futures::stream::iter(0..PER_ITERATION)
        .map(|i| async move {
            let response = make(i).send().await.expect("lookup");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("body").len()
        })
        .buffer_unordered(IN_FLIGHT)
        .for_each(|_| async {})
        .await;
}

fn bench(c: &mut Criterion) {
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sim")
        .enable_all()
        .build()
        .expect("simulator runtime");
    let alphapo = sim_rt.block_on(AlphaPoServer::start(AlphaPoConfig::default())).expect("AlphaPo simulator");
    let alppay = sim_rt.block_on(AlpPayServer::start(AlpPayConfig::default())).expect("AlpPay simulator");
    alphapo.requests().set_enabled(false);
    alppay.requests().set_enabled(false);
    let alphapo_ids = alphapo.seed(SEEDED);
    let alppay_ids = alppay.seed(SEEDED);

    // AlphaPo lookups by foreign_id (`seed-{id}`), each body signed once up front.
    let info_url = format!("{}/transactions/info", alphapo.base_url());
    let lookups: Vec<(Vec<u8>, String)> = alphapo_ids
        .iter()
        .map(|id| {
            let body = format!(r#"{{"foreign_id":"seed-{id}"}}"#).into_bytes();
            let signature = alphapo_signature(alphapo.api_secret().as_bytes(), &body);
            (body, signature)
        })
        .collect();
    let alppay_urls: Vec<String> =
        alppay_ids.iter().map(|id| format!("{}/withdrawal/{id}", alppay.base_url())).collect();

    let http = http_client();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("bench runtime");
    let mut g = c.benchmark_group("sim_lookup");
    g.throughput(Throughput::Elements(PER_ITERATION as u64));
    g.bench_function("alphapo", |b| {
        b.to_async(&rt).iter(|| {
            burst(|i| {
                let (body, signature) = &lookups[i % lookups.len()];
                http.get(&info_url)
                    .header("content-type", "application/json")
                    .header("X-Processing-Key", alphapo.api_key())
                    .header("X-Processing-Signature", signature)
                    .body(body.clone())
            })
        })
    });
    g.bench_function("alppay", |b| {
        b.to_async(&rt)
            .iter(|| burst(|i| http.get(&alppay_urls[i % alppay_urls.len()]).header("api-key", alppay.api_key())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
