//! `AlphaPoClient` against the raw HTTP limit, in the same run: each group has a `client` id (the
//! library) and a `raw` id (the same HTTP exchange written with plain reqwest, serde_json and
//! hmac calls, no library code), both against the same AlphaPo simulator.
//!
//! - `alphapo_create`: 32 signed creates in flight per iteration (`POST /withdrawal/crypto`).
//! - `alphapo_lookup`: one lookup by reference (`GET /transactions/info`, signed JSON body).
//!
//! Interleaving and the paired ratio are `payout_core::bench`'s (feature `bench`): every timed
//! iteration of `client` follows an untimed iteration of `raw`, and the other way round, so both
//! ids see the same machine load. A run therefore takes twice the measurement time.
//!
//! Isolation on a small machine: the simulator runs in its own one-worker tokio runtime (its
//! own thread); the client and raw requests run in a current-thread runtime on the bench
//! thread. Both sides share one `reqwest::Client` (one pool, the library's default settings),
//! passed into the library with `.client(...)`. No faults are injected, so the retry policy
//! never acts. The simulator's request log is off (as a load test would run it).
//!
//! Run: `cargo bench -p payout-alphapo --bench client` (see BENCHMARKS.md).

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use futures::future::join_all;
use hmac::{Hmac, KeyInit, Mac};
use payout_alphapo::{AlphaPoClient, AlphaPoConfig, RetryPolicy};
use payout_core::bench::{Comparison, http_client};
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
    Comparison::new("alphapo_create", IN_FLIGHT as u64, 1000).run(c, &rt, batch);

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
    Comparison::new("alphapo_lookup", 1, 10000).run(c, &rt, lookup);
}

criterion_group!(client, benches);
criterion_main!(client);
