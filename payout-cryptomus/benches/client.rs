//! `CryptomusClient` against the raw HTTP limit, in the same run: each group has a `client` id
//! (the library) and two raw ids (the same HTTP exchange written with plain reqwest, serde_json,
//! base64 and md5 calls, no library code): `raw` with reqwest 0.13 (the library's stack) and
//! `raw-0.11` with reqwest 0.11, all against the same Cryptomus simulator.
//!
//! - `cryptomus_create`: 32 signed creates in flight per iteration (`POST /payout`), in the
//!   client's **default** configuration: the services table is read once and kept for ten
//!   minutes (read before the timing starts), so each create is one POST on both sides.
//! - `cryptomus_lookup`: 32 reads by uuid in flight (`POST /payout/info` with `{"uuid":…}`).
//! - `cryptomus_list_all`: `list_all` over 1,500 seeded payouts, 15 per page as Cryptomus pages
//!   (100 signed POSTs, each following the last page's cursor), against a raw cursor loop.
//!
//! Same exchange: at start-up the client's create and lookup are recorded on a wiremock server
//! and their bodies and headers compared with the raw side's.
//!
//! Interleaving and the paired ratios are `payout_core::bench`'s (feature `bench`), as in the
//! other provider crates' benches: every timed iteration of `client` follows an untimed
//! iteration of `raw`, and every timed raw iteration an untimed `client` one.
//!
//! Two simulators: one takes the creates, the other holds only the seeded payouts the lookups
//! and the listing read. Isolation: the simulators run in their own one-worker tokio runtime (its own thread); the
//! client and raw requests run in a current-thread runtime on the bench thread. The client and
//! `raw` share one `reqwest::Client`; `raw-0.11` has its own with the same settings. No faults
//! are injected and the request log is off.
//!
//! Run: `cargo bench -p payout-cryptomus --bench client` (see BENCHMARKS.md). With
//! `PAYOUT_BENCH_PROFILE=GROUP/SIDE/N` the binary runs N iterations of one side only.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use criterion::{Criterion, criterion_group, criterion_main};
use futures::future::join_all;
use md5::{Digest, Md5};
use payout_core::bench::{Comparison, Method, RawHttp, Reqwest013, Side as BenchSide};
use payout_core::http::RetryPolicy;
use payout_core::{Asset, EndUser, ListQuery, PayoutProvider, PayoutProviderExt, WithdrawalId, WithdrawalRequest};
use payout_cryptomus::CryptomusClient;
use payout_sim::{CryptomusConfig as SimConfig, CryptomusServer};
use payout_testkit::conformance::RequestTemplate;
use rust_decimal::Decimal;

payout_core::raw_http!(
    /// Plain reqwest 0.11 (a renamed dev-dependency).
    Reqwest011,
    reqwest011
);

/// Requests in flight per iteration of the create and lookup groups.
const IN_FLIGHT: usize = 32;
/// Payouts seeded for the listing: 100 pages of Cryptomus's 15.
const SEEDED: usize = 1_500;
const ADDRESS: &str = "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm";

struct Setup {
    _sim_rt: tokio::runtime::Runtime,
    raw013: Reqwest013,
    raw011: Reqwest011,
    /// The simulator the creates go to.
    sim: CryptomusServer,
    client: CryptomusClient,
    /// A simulator holding only the seeded payouts, read by the lookup and listing groups.
    listing: CryptomusServer,
    listing_client: CryptomusClient,
    /// The seeded payouts.
    seeded: Vec<String>,
}

fn client_of(sim: &CryptomusServer, http: &reqwest::Client) -> CryptomusClient {
    CryptomusClient::builder()
        .merchant(sim.merchant())
        .payout_key(sim.payout_key())
        .base_url(sim.base_url())
        .client(http.clone())
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

fn setup(rt: &tokio::runtime::Runtime) -> Setup {
    let sim_rt = payout_core::bench::simulator_runtime("cryptomus-sim");
    let start = || {
        // A balance no run of criterion can spend (the default million runs out after a few
        // hundred thousand creates).
        let mut config = SimConfig::default();
        for (_, balance) in &mut config.balances {
            *balance = rust_decimal::Decimal::from(1_000_000_000_000_000_u64);
        }
        let sim = sim_rt.block_on(CryptomusServer::start(config)).expect("simulator");
        sim.requests().set_enabled(false);
        sim
    };
    let (sim, listing) = (start(), start());
    let seeded = listing.seed(SEEDED);
    let raw013 = Reqwest013::new();
    let client = client_of(&sim, &raw013.0);
    let listing_client = client_of(&listing, &raw013.0);
    // The services table is read once and kept: read it before anything is timed.
    rt.block_on(client.services(true)).expect("services");
    Setup { _sim_rt: sim_rt, raw013, raw011: Reqwest011::new(), sim, client, listing, listing_client, seeded }
}

fn request(reference: &str) -> WithdrawalRequest {
    RequestTemplate::new(Asset::new("USDT").on("TRON"), Decimal::TEN, ADDRESS, EndUser::new("user-1"))
        .build(reference)
        .expect("valid request")
}

/// The create body, field for field as Cryptomus's example (and the client) writes it.
#[derive(serde::Serialize)]
struct RawCreate<'a> {
    amount: &'a str,
    currency: &'a str,
    network: &'a str,
    order_id: &'a str,
    address: &'a str,
    is_subtract: bool,
}

/// The create body (compact; nothing in it has a `/` to escape).
fn raw_create_body(reference: &str) -> Vec<u8> {
    let body = RawCreate {
        amount: "10",
        currency: "USDT",
        network: "TRON",
        order_id: reference,
        address: ADDRESS,
        is_subtract: true,
    };
    serde_json::to_vec(&body).expect("JSON")
}

fn raw_info_body(uuid: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "uuid": uuid })).expect("JSON")
}

impl Setup {
    /// `md5(base64(body) + payout key)`, lowercase hex.
    fn raw_sign(&self, body: &[u8]) -> String {
        let mut md5 = Md5::new();
        md5.update(base64::engine::general_purpose::STANDARD.encode(body));
        md5.update(self.sim.payout_key());
        hex::encode(md5.finalize())
    }

    /// A signed POST of `body` to `path` under `sim`'s base URL; `result` of the answer.
    async fn raw_post(
        &self,
        http: &impl RawHttp,
        sim: &CryptomusServer,
        path: &str,
        body: Vec<u8>,
    ) -> serde_json::Value {
        let sign = self.raw_sign(&body);
        let headers = [("merchant", sim.merchant()), ("sign", sign.as_str()), ("content-type", "application/json")];
        let url = format!("{}/{path}", sim.base_url());
        let (status, mut value) = http.exchange(Method::Post, &url, &headers, Some(body)).await.json();
        assert_eq!(status, 200, "{value}");
        assert_eq!(value["state"], 0, "{value}");
        value["result"].take()
    }

    async fn create(&self, who: BenchSide, reference: &str) {
        match who {
            BenchSide::Client => {
                black_box(self.client.create_withdrawal(&request(reference)).await.expect("create"));
            }
            BenchSide::Raw => {
                black_box(
                    self.raw_post(&self.raw013, &self.sim, "payout", raw_create_body(reference)).await["uuid"].as_str(),
                );
            }
            BenchSide::Raw011 => {
                black_box(
                    self.raw_post(&self.raw011, &self.sim, "payout", raw_create_body(reference)).await["uuid"].as_str(),
                );
            }
        }
    }

    async fn lookup(&self, who: BenchSide, uuid: &str) {
        match who {
            BenchSide::Client => {
                black_box(self.listing_client.get_withdrawal(&WithdrawalId::new(uuid)).await.expect("get"));
            }
            BenchSide::Raw => {
                black_box(
                    self.raw_post(&self.raw013, &self.listing, "payout/info", raw_info_body(uuid)).await["status"]
                        .as_str(),
                );
            }
            BenchSide::Raw011 => {
                black_box(
                    self.raw_post(&self.raw011, &self.listing, "payout/info", raw_info_body(uuid)).await["status"]
                        .as_str(),
                );
            }
        }
    }

    /// The raw cursor loop: `POST /payout/list` (`{}` signed), then `?cursor=` of each
    /// `paginate.nextCursor` until there is none (or a page is empty).
    async fn raw_list_all(&self, http: &impl RawHttp) -> usize {
        let mut seen = 0;
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("payout/list?cursor={c}"),
                None => "payout/list".to_owned(),
            };
            let result = self.raw_post(http, &self.listing, &path, b"{}".to_vec()).await;
            let items = result["items"].as_array().map_or(0, |items| {
                for item in items {
                    black_box(item["uuid"].as_str());
                }
                items.len()
            });
            seen += items;
            cursor = result["paginate"]["nextCursor"].as_str().map(str::to_owned);
            if items == 0 || cursor.is_none() {
                break;
            }
        }
        seen
    }

    async fn list_all(&self, who: BenchSide) -> usize {
        match who {
            BenchSide::Client => payout_core::bench::drain(self.listing_client.list_all(ListQuery::new())).await,
            BenchSide::Raw => self.raw_list_all(&self.raw013).await,
            BenchSide::Raw011 => self.raw_list_all(&self.raw011).await,
        }
    }
}

/// Checks that the raw side sends what the client sends: the client's create and lookup are
/// recorded by a wiremock server and compared with the raw bodies and signatures.
async fn same_exchange(s: &Setup) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let mock = MockServer::start().await;
    let uuid = s.seeded[0].clone();
    let mut object: serde_json::Value =
        serde_json::from_slice(&s.listing.wire_object(&uuid).expect("object")).expect("JSON");
    let answer = |object: &serde_json::Value| {
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "state": 0, "result": object }))
    };
    Mock::given(method("POST")).and(path("/v1/payout/info")).respond_with(answer(&object)).mount(&mock).await;
    object["order_id"] = "same-bytes".into();
    Mock::given(method("POST")).and(path("/v1/payout")).respond_with(answer(&object)).mount(&mock).await;
    let client = CryptomusClient::builder()
        .merchant(s.sim.merchant())
        .payout_key(s.sim.payout_key())
        .base_url(format!("{}/v1", mock.uri()))
        .client(s.raw013.0.clone())
        .services_check(false)
        .build()
        .expect("client");
    client.create_withdrawal(&request("same-bytes")).await.expect("create");
    client.get_withdrawal(&WithdrawalId::new(&uuid)).await.expect("get");
    let seen = mock.received_requests().await.expect("recorded");
    assert_eq!(seen.len(), 2, "create, then info");
    for (request, raw) in seen.iter().zip([raw_create_body("same-bytes"), raw_info_body(&uuid)]) {
        assert_eq!(String::from_utf8_lossy(&request.body), String::from_utf8_lossy(&raw), "the raw body");
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(header("sign"), Some(s.raw_sign(&raw)), "the raw signature");
        assert_eq!(header("merchant").as_deref(), Some(s.sim.merchant()));
        assert_eq!(header("content-type").as_deref(), Some("application/json"));
    }
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("bench runtime");
    let s = setup(&rt);
    rt.block_on(same_exchange(&s));
    let next = AtomicU64::new(0);
    let fresh = || format!("bench-{}", next.fetch_add(1, Ordering::Relaxed));

    let batch = |who: BenchSide| {
        let refs: Vec<String> = (0..IN_FLIGHT).map(|_| fresh()).collect();
        let s = &s;
        async move {
            join_all(refs.iter().map(|r| s.create(who, r))).await;
        }
    };
    Comparison::new("cryptomus_create", IN_FLIGHT as u64, 1000).run(c, &rt, batch);

    let round = AtomicU64::new(0);
    let lookups = |who: BenchSide| {
        let start = round.fetch_add(IN_FLIGHT as u64, Ordering::Relaxed) as usize;
        let s = &s;
        async move {
            let ids = (0..IN_FLIGHT).map(|i| s.seeded[(start + i) % s.seeded.len()].as_str());
            join_all(ids.map(|id| s.lookup(who, id))).await;
        }
    };
    Comparison::new("cryptomus_lookup", IN_FLIGHT as u64, 1000).run(c, &rt, lookups);

    payout_core::bench::listing(c, &rt, "cryptomus_list_all", SEEDED, |who| s.list_all(who));
}

criterion_group!(client, benches);
criterion_main!(client);
