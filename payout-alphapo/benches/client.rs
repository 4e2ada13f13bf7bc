//! `AlphaPoClient` against the raw HTTP limit, in the same run: each group has a `client` id (the
//! library) and a `raw` id (the same HTTP exchange written with plain reqwest, serde_json and
//! hmac calls, no library code), both against the same AlphaPo simulator.
//!
//! - `alphapo_create`: 32 signed creates in flight per iteration (`POST /withdrawal/crypto`).
//! - `alphapo_lookup`: one lookup by reference (`GET /transactions/info`, signed JSON body).
//!
//! Interleaving: every timed iteration of `client` follows an untimed iteration of `raw`, and
//! the other way round, so both ids see the same machine load (criterion's own order would run
//! all of one, then all of the other). A run therefore takes twice the measurement time.
//!
//! Isolation on a small machine: the simulator runs in its own one-worker tokio runtime (its
//! own thread); the client and raw requests run in a current-thread runtime on the bench
//! thread. Both sides share one `reqwest::Client` (one pool, the library's default settings),
//! passed into the library with `.client(...)`. No faults are injected, so the retry policy
//! never acts. The simulator's request log is off (as a load test would run it).
//!
//! Run: `cargo bench -p payout-alphapo --bench client` (see BENCHMARKS.md).

use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::future::join_all;
use hmac::{Hmac, KeyInit, Mac};
use payout_alphapo::{AlphaPoClient, AlphaPoConfig, RetryPolicy};
use payout_core::{Asset, EndUser, PayoutProvider, Reference, WithdrawalRequest};
use payout_sim::{AlphaPoConfig as SimConfig, AlphaPoServer};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::Sha512;

/// Requests in flight per iteration of the create group.
const IN_FLIGHT: usize = 32;
const ADDRESS: &str = "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n";
const END_USER: &str = "user-4711";

/// The create body, field for field as AlphaPo's examples (and the client) write it.
#[derive(Serialize)]
struct RawCreate<'a> {
    currency: &'a str,
    foreign_id: &'a str,
    end_user_reference: &'a str,
    address: &'a str,
    amount: &'a str,
}

#[derive(Serialize)]
struct RawLookup<'a> {
    foreign_id: &'a str,
}

/// What both sides share: the simulator (kept alive in its own runtime), the HTTP client and
/// the credentials.
struct Setup {
    _sim_rt: tokio::runtime::Runtime,
    sim: AlphaPoServer,
    http: reqwest::Client,
    client: AlphaPoClient,
    keyed: Hmac<Sha512>,
    create_url: String,
    info_url: String,
}

/// The same settings `payout-core`'s HTTP client builds by default.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent("payout/0.1.0")
        .build()
        .expect("reqwest client")
}

fn setup() -> Setup {
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("alphapo-sim")
        .enable_all()
        .build()
        .expect("simulator runtime");
    let sim = sim_rt.block_on(AlphaPoServer::start(SimConfig::default())).expect("simulator");
    sim.requests().set_enabled(false);
    let http = http_client();
    let client = AlphaPoConfig::builder()
        .api_key(sim.api_key())
        .api_secret(sim.api_secret())
        .base_url(sim.base_url())
        .client(http.clone())
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let keyed = Hmac::<Sha512>::new_from_slice(sim.api_secret().as_bytes()).expect("any key length");
    Setup {
        create_url: format!("{}/withdrawal/crypto", sim.base_url()),
        info_url: format!("{}/transactions/info", sim.base_url()),
        _sim_rt: sim_rt,
        sim,
        http,
        client,
        keyed,
    }
}

fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("TRX"))
        .amount(Decimal::ONE)
        .address(ADDRESS)
        .end_user(EndUser::new(END_USER))
        .build()
        .expect("valid request")
}

impl Setup {
    fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.keyed.clone();
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    /// One signed exchange with plain reqwest: exactly the headers and body bytes the client
    /// sends; the answer read whole and parsed as JSON.
    async fn raw(&self, method: reqwest::Method, url: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
        let signature = self.sign(&body);
        let response = self
            .http
            .request(method, url)
            .header("content-type", "application/json")
            .header("X-Processing-Key", self.sim.api_key())
            .header("X-Processing-Signature", signature)
            .body(body)
            .send()
            .await
            .expect("raw request");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("raw body");
        (status, serde_json::from_slice(&bytes).expect("raw JSON"))
    }

    async fn raw_create(&self, reference: &str) {
        let body = serde_json::to_vec(&RawCreate {
            currency: "TRX",
            foreign_id: reference,
            end_user_reference: END_USER,
            address: ADDRESS,
            amount: "1.000000",
        })
        .expect("JSON");
        let (status, value) = self.raw(reqwest::Method::POST, &self.create_url, body).await;
        assert_eq!(status, 201, "{value}");
        black_box(value["data"]["id"].as_i64());
    }

    async fn client_create(&self, reference: &str) {
        let w = self.client.create_withdrawal(&request(reference)).await.expect("create");
        black_box(w);
    }

    async fn raw_lookup(&self, reference: &str) {
        let body = serde_json::to_vec(&RawLookup { foreign_id: reference }).expect("JSON");
        let (status, value) = self.raw(reqwest::Method::GET, &self.info_url, body).await;
        assert_eq!(status, 200, "{value}");
        black_box(value["status"].as_str().map(str::len));
    }

    async fn client_lookup(&self, reference: &Reference) {
        let w = self.client.find_withdrawal(reference).await.expect("lookup");
        black_box(w.expect("found"));
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("bench runtime");

    // Same bytes on the wire: the raw body is the one the client's mapping writes.
    let mapped = payout_alphapo::mapping::create_body(&request("same-bytes")).expect("body");
    let raw = serde_json::to_vec(&RawCreate {
        currency: "TRX",
        foreign_id: "same-bytes",
        end_user_reference: END_USER,
        address: ADDRESS,
        amount: "1.000000",
    })
    .expect("JSON");
    assert_eq!(String::from_utf8_lossy(&mapped), String::from_utf8_lossy(&raw), "client and raw send the same body");

    let next = AtomicU64::new(0);
    let fresh = || format!("bench-{}", next.fetch_add(1, Ordering::Relaxed));

    let batch = |client: bool| {
        let refs: Vec<String> = (0..IN_FLIGHT).map(|_| fresh()).collect();
        let s = &s;
        async move {
            if client {
                join_all(refs.iter().map(|r| s.client_create(r))).await;
            } else {
                join_all(refs.iter().map(|r| s.raw_create(r))).await;
            }
        }
    };
    let mut g = c.benchmark_group("alphapo_create");
    g.throughput(Throughput::Elements(IN_FLIGHT as u64));
    for (id, client) in [("client", true), ("raw", false)] {
        g.bench_function(id, |b| {
            b.to_async(&rt).iter_custom(|iters| interleaved(iters, || batch(client), || batch(!client)))
        });
    }
    g.finish();
    if paired_wanted("alphapo_create") {
        rt.block_on(paired("alphapo_create", 1000, || batch(true), || batch(false)));
    }

    // One withdrawal to look up, created through the raw path.
    let target = "bench-lookup-target";
    rt.block_on(s.raw_create(target));
    let target_ref = Reference::new(target).expect("reference");
    let lookup = |client: bool| {
        let (s, target_ref) = (&s, &target_ref);
        async move {
            if client {
                s.client_lookup(target_ref).await;
            } else {
                s.raw_lookup(target).await;
            }
        }
    };
    let mut g = c.benchmark_group("alphapo_lookup");
    g.throughput(Throughput::Elements(1));
    for (id, client) in [("client", true), ("raw", false)] {
        g.bench_function(id, |b| {
            b.to_async(&rt).iter_custom(|iters| interleaved(iters, || lookup(client), || lookup(!client)))
        });
    }
    g.finish();
    if paired_wanted("alphapo_lookup") {
        rt.block_on(paired("alphapo_lookup", 10000, || lookup(true), || lookup(false)));
    }
}

/// Times `iters` runs of `timed`, each preceded by an untimed run of `other` (the other side of
/// the comparison), so that client and raw see the same machine load, iteration by iteration.
async fn interleaved<T, O, FT, FO>(iters: u64, timed: T, other: O) -> Duration
where
    T: Fn() -> FT,
    O: Fn() -> FO,
    FT: Future<Output = ()>,
    FO: Future<Output = ()>,
{
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        other().await;
        let start = Instant::now();
        timed().await;
        total += start.elapsed();
    }
    total
}

/// Whether the paired comparison of `group` should run: only under `cargo bench` (not when
/// criterion runs the benches once as tests) and when no filter excludes the group.
fn paired_wanted(group: &str) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        return false;
    }
    let mut filters = Vec::new();
    let mut skip_value = false;
    for a in &args {
        if skip_value {
            skip_value = false;
        } else if a.starts_with("--") {
            // Criterion's options that take a value.
            skip_value = !a.contains('=') && !matches!(a.as_str(), "--bench" | "--quick" | "--noplot" | "--exact");
        } else {
            filters.push(a.as_str());
        }
    }
    filters.is_empty() || filters.iter().any(|f| group.contains(f) || f.starts_with(group))
}

/// The most robust ratio a shared machine allows: `pairs` rounds of one client run and one raw
/// run back to back (alternating which goes first), and the median of the per-round ratios
/// client/raw, with its quartiles. Printed beside criterion's figures.
async fn paired<C, R, FC, FR>(group: &str, pairs: usize, client: C, raw: R)
where
    C: Fn() -> FC,
    R: Fn() -> FR,
    FC: Future<Output = ()>,
    FR: Future<Output = ()>,
{
    let mut ratios = Vec::with_capacity(pairs);
    for round in 0..pairs {
        let (c, r) = if round % 2 == 0 {
            let t = Instant::now();
            client().await;
            let c = t.elapsed();
            let t = Instant::now();
            raw().await;
            (c, t.elapsed())
        } else {
            let t = Instant::now();
            raw().await;
            let r = t.elapsed();
            let t = Instant::now();
            client().await;
            (t.elapsed(), r)
        };
        ratios.push(c.as_secs_f64() / r.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let q = |p: f64| ratios[((ratios.len() - 1) as f64 * p).round() as usize];
    println!(
        "{group}: paired client/raw ratio over {pairs} rounds: median {:.3} (quartiles {:.3}–{:.3})",
        q(0.5),
        q(0.25),
        q(0.75)
    );
}

criterion_group!(client, benches);
criterion_main!(client);
