//! `AlphaPoClient` against the raw HTTP limit, in the same run: each group has a `client` id (the
//! library) and two raw ids (the same HTTP exchange written with plain reqwest, serde_json and
//! hmac calls, no library code): `raw` with reqwest 0.13 (the library's stack) and `raw-0.11`
//! with reqwest 0.11 (the stack of the other AlphaPo client), all against the same AlphaPo
//! simulator.
//!
//! - `alphapo_create`: 32 signed creates in flight per iteration (`POST /withdrawal/crypto`).
//! - `alphapo_create_one`: one signed create per iteration, one at a time.
//! - `alphapo_lookup`: one lookup by reference (`GET /transactions/info`, signed JSON body).
//!
//! Interleaving and the paired ratios are `payout_core::bench`'s (feature `bench`): every timed
//! iteration of `client` follows an untimed iteration of `raw`, and every timed raw iteration
//! an untimed `client` one, so all ids see the same machine load. A run therefore takes twice
//! the measurement time per id.
//!
//! Isolation on a small machine: the simulator runs in its own one-worker tokio runtime (its
//! own thread); the client and raw requests run in a current-thread runtime on the bench
//! thread. The client and `raw` share one `reqwest::Client` (one pool, the library's default
//! settings), passed into the library with `.client(...)`; `raw-0.11` has its own reqwest 0.11
//! client with the same settings. No faults are injected, so the retry policy never acts. The
//! simulator's request log is off (as a load test would run it).
//!
//! Run: `cargo bench -p payout-alphapo --bench client` (see BENCHMARKS.md). With
//! `PAYOUT_BENCH_PROFILE=GROUP/SIDE/N` the binary runs N iterations of one side only, for
//! callgrind (see BENCHMARKS.md).

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use futures::future::join_all;
use hmac::{Hmac, KeyInit, Mac};
use payout_alphapo::{AlphaPoClient, AlphaPoConfig, RetryPolicy};
use payout_core::bench::{Comparison, Method, RawHttp, Reqwest013, Side};
use payout_core::{Asset, EndUser, PayoutProvider, Reference, WithdrawalRequest};
use payout_sim::{AlphaPoConfig as SimConfig, AlphaPoServer};
use payout_testkit::conformance::RequestTemplate;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::Sha512;

payout_core::raw_http!(
    /// Plain reqwest 0.11 (a renamed dev-dependency).
    Reqwest011,
    reqwest011
);

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
    raw013: Reqwest013,
    raw011: Reqwest011,
    client: AlphaPoClient,
    keyed: Hmac<Sha512>,
    create_url: String,
    info_url: String,
}

fn setup() -> Setup {
    let sim_rt = payout_core::bench::simulator_runtime("alphapo-sim");
    let sim = sim_rt.block_on(AlphaPoServer::start(SimConfig::default())).expect("simulator");
    sim.requests().set_enabled(false);
    let raw013 = Reqwest013::new();
    let client = AlphaPoConfig::builder()
        .api_key(sim.api_key())
        .api_secret(sim.api_secret())
        .base_url(sim.base_url())
        .client(raw013.0.clone())
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let keyed = Hmac::<Sha512>::new_from_slice(sim.api_secret().as_bytes()).expect("any key length");
    Setup {
        create_url: format!("{}/withdrawal/crypto", sim.base_url()),
        info_url: format!("{}/transactions/info", sim.base_url()),
        _sim_rt: sim_rt,
        sim,
        raw013,
        raw011: Reqwest011::new(),
        client,
        keyed,
    }
}

fn request(reference: &str) -> WithdrawalRequest {
    RequestTemplate::new(Asset::new("TRX"), Decimal::ONE, ADDRESS, EndUser::new(END_USER))
        .build(reference)
        .expect("valid request")
}

impl Setup {
    fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.keyed.clone();
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    /// One signed exchange with plain reqwest (0.13 or 0.11): exactly the headers and body bytes
    /// the client sends; the answer read whole and parsed as JSON.
    async fn raw(&self, http: &impl RawHttp, method: Method, url: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
        let signature = self.sign(&body);
        let headers = [
            ("content-type", "application/json"),
            ("X-Processing-Key", self.sim.api_key()),
            ("X-Processing-Signature", signature.as_str()),
        ];
        http.exchange(method, url, &headers, Some(body)).await.json()
    }

    async fn raw_create(&self, http: &impl RawHttp, reference: &str) {
        let body = serde_json::to_vec(&RawCreate {
            currency: "TRX",
            foreign_id: reference,
            end_user_reference: END_USER,
            address: ADDRESS,
            amount: "1.000000",
        })
        .expect("JSON");
        let (status, value) = self.raw(http, Method::Post, &self.create_url, body).await;
        assert_eq!(status, 201, "{value}");
        black_box(value["data"]["id"].as_i64());
    }

    async fn create(&self, side: Side, reference: &str) {
        match side {
            Side::Client => {
                black_box(self.client.create_withdrawal(&request(reference)).await.expect("create"));
            }
            Side::Raw => self.raw_create(&self.raw013, reference).await,
            Side::Raw011 => self.raw_create(&self.raw011, reference).await,
        }
    }

    async fn raw_lookup(&self, http: &impl RawHttp, reference: &str) {
        let body = serde_json::to_vec(&RawLookup { foreign_id: reference }).expect("JSON");
        let (status, value) = self.raw(http, Method::Get, &self.info_url, body).await;
        assert_eq!(status, 200, "{value}");
        black_box(value["status"].as_str().map(str::len));
    }

    async fn lookup(&self, side: Side, reference: &Reference) {
        match side {
            Side::Client => {
                black_box(self.client.find_withdrawal(reference).await.expect("lookup").expect("found"));
            }
            Side::Raw => self.raw_lookup(&self.raw013, reference.as_str()).await,
            Side::Raw011 => self.raw_lookup(&self.raw011, reference.as_str()).await,
        }
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

    for (group, in_flight, rounds) in [("alphapo_create", IN_FLIGHT, 1000), ("alphapo_create_one", 1, 10000)] {
        let batch = |side: Side| {
            let refs: Vec<String> = (0..in_flight).map(|_| fresh()).collect();
            let s = &s;
            async move {
                join_all(refs.iter().map(|r| s.create(side, r))).await;
            }
        };
        Comparison::new(group, in_flight as u64, rounds).run(c, &rt, batch);
    }

    // One withdrawal to look up, created through the raw path.
    let target = Reference::new("bench-lookup-target").expect("reference");
    rt.block_on(s.create(Side::Raw, target.as_str()));
    let lookup = |side: Side| s.lookup(side, &target);
    Comparison::new("alphapo_lookup", 1, 10000).run(c, &rt, lookup);
}

criterion_group!(client, benches);
criterion_main!(client);
