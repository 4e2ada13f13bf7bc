//! `AlpPayClient` against the raw HTTP limit, in the same run: each group has a `client` id (the
//! library) and two raw ids (the same HTTP exchange written with plain reqwest, serde_json and
//! hmac calls, no library code): `raw` with reqwest 0.13 (the library's stack) and `raw-0.11`
//! with reqwest 0.11, all against the same AlpPay simulator.
//!
//! - `alppay_create`: 32 signed creates in flight per iteration, in the client's **default**
//!   configuration: each create first looks its invoice up (`GET /withdrawal?invoices=…`, AlpPay
//!   documents no invoice uniqueness) and then posts (`POST /withdrawal`). The raw side does the
//!   same GET then POST.
//! - `alppay_create_unchecked`: the same with `duplicate_check(false)`: one POST per create on
//!   both sides.
//! - `alppay_list_all`: `list_all` over 10,000 seeded withdrawals, 100 per page (100 GETs),
//!   against a raw paging loop over the same pages.
//!
//! Same exchange: at start-up the client's default create is recorded on a wiremock server and
//! its GET query and POST body are compared with the raw side's.
//!
//! Interleaving and the paired ratios are `payout_core::bench`'s (feature `bench`): every timed
//! iteration of `client` follows an untimed iteration of `raw`, and every timed raw iteration
//! an untimed `client` one, so all ids see the same machine load. A run takes twice the
//! measurement time per id.
//!
//! Isolation: the simulators run in their own one-worker tokio runtime (their own thread); the
//! client and raw requests run in a current-thread runtime on the bench thread. The client and
//! `raw` share one `reqwest::Client` (one pool, the library's default settings), passed into the
//! library with `.client(...)`; `raw-0.11` has its own reqwest 0.11 client with the same
//! settings. No faults are injected, so the retry policy never acts. The simulators' request
//! logs are off.
//!
//! Run: `cargo bench -p payout-alppay --bench client` (see BENCHMARKS.md). With
//! `PAYOUT_BENCH_PROFILE=GROUP/SIDE/N` the binary runs N iterations of one side only, for
//! callgrind.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use futures::TryStreamExt;
use futures::future::join_all;
use hmac::{Hmac, KeyInit, Mac};
use payout_alppay::AlpPayClient;
use payout_core::bench::{Comparison, Method, RawHttp, Reqwest013, Side as BenchSide};
use payout_core::http::RetryPolicy;
use payout_core::{Asset, EndUser, ListQuery, PayoutProvider, PayoutProviderExt, WithdrawalRequest};
use payout_sim::{AlpPayConfig as SimConfig, AlpPayServer};
use payout_testkit::conformance::RequestTemplate;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::Sha256;

payout_core::raw_http!(
    /// Plain reqwest 0.11 (a renamed dev-dependency).
    Reqwest011,
    reqwest011
);

/// Requests in flight per iteration of the create groups.
const IN_FLIGHT: usize = 32;
/// Withdrawals seeded for the listing.
const SEEDED: usize = 10_000;
const PAGE: u32 = 100;
const ADDRESS: &str = "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n";

/// The create body, field for field as AlpPay's example (and the client) writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RawCreate<'a> {
    amount: &'a str,
    asset: RawAsset<'a>,
    address_to: &'a str,
    customer: RawCustomer<'a>,
    dest_tag: &'a str,
    invoice: &'a str,
}

#[derive(Serialize)]
struct RawAsset<'a> {
    short: &'a str,
    network: &'a str,
}

#[derive(Serialize)]
struct RawCustomer<'a> {
    id: i64,
    name: &'a str,
    email: &'a str,
}

/// One simulator with a client of the given configuration.
struct Side {
    sim: AlpPayServer,
    client: AlpPayClient,
    withdrawal_url: String,
}

struct Setup {
    _sim_rt: tokio::runtime::Runtime,
    raw013: Reqwest013,
    raw011: Reqwest011,
    keyed: Hmac<Sha256>,
    checked: Side,
    unchecked: Side,
    listing: Side,
}

fn side(rt: &tokio::runtime::Runtime, http: &reqwest::Client, duplicate_check: bool) -> Side {
    let sim = rt.block_on(AlpPayServer::start(SimConfig::default())).expect("simulator");
    sim.requests().set_enabled(false);
    let client = AlpPayClient::builder()
        .api_key(sim.api_key())
        .hmac_key(sim.hmac_key())
        .base_url(sim.base_url())
        .client(http.clone())
        .retry(RetryPolicy::none())
        .duplicate_check(duplicate_check)
        .build()
        .expect("client");
    Side { withdrawal_url: format!("{}/withdrawal", sim.base_url()), sim, client }
}

fn setup() -> Setup {
    let sim_rt = payout_core::bench::simulator_runtime("alppay-sim");
    let raw013 = Reqwest013::new();
    let checked = side(&sim_rt, &raw013.0, true);
    let unchecked = side(&sim_rt, &raw013.0, false);
    let listing = side(&sim_rt, &raw013.0, false);
    listing.sim.seed(SEEDED);
    let keyed = Hmac::<Sha256>::new_from_slice(checked.sim.hmac_key().as_bytes()).expect("any key length");
    Setup { _sim_rt: sim_rt, raw013, raw011: Reqwest011::new(), keyed, checked, unchecked, listing }
}

fn request(reference: &str) -> WithdrawalRequest {
    RequestTemplate::new(
        Asset::new("USDT").on("tron"),
        Decimal::TEN,
        ADDRESS,
        EndUser::new("1").with_name("Customer Name").with_email("customer@example.com"),
    )
    .build(reference)
    .expect("valid request")
}

fn raw_body(reference: &str) -> Vec<u8> {
    serde_json::to_vec(&RawCreate {
        amount: "10",
        asset: RawAsset { short: "USDT", network: "tron" },
        address_to: ADDRESS,
        customer: RawCustomer { id: 1, name: "Customer Name", email: "customer@example.com" },
        dest_tag: "",
        invoice: reference,
    })
    .expect("JSON")
}

impl Setup {
    /// A GET with the API key; the answer read whole and parsed as JSON.
    async fn raw_get(&self, http: &impl RawHttp, side: &Side, query: &str) -> serde_json::Value {
        let url = format!("{}?{query}", side.withdrawal_url);
        let (status, value) = http.exchange(Method::Get, &url, &[("api-key", side.sim.api_key())], None).await.json();
        assert_eq!(status, 200);
        value
    }

    /// The raw create: the invoice looked up first (as the client's default does) when
    /// `check`, then the signed POST of the same bytes the client sends.
    async fn raw_create(&self, http: &impl RawHttp, side: &Side, reference: &str, check: bool) {
        if check {
            let found = self.raw_get(http, side, &format!("invoices={reference}&page=0&limit=100")).await;
            assert_eq!(found["data"].as_array().map(Vec::len), Some(0), "a fresh invoice");
        }
        let body = raw_body(reference);
        let mut mac = self.keyed.clone();
        mac.update(&body);
        let signature = hex::encode(mac.finalize().into_bytes());
        let headers =
            [("api-key", side.sim.api_key()), ("x-hmac", signature.as_str()), ("content-type", "application/json")];
        let (status, value) = http.exchange(Method::Post, &side.withdrawal_url, &headers, Some(body)).await.json();
        assert_eq!(status, 200);
        black_box(value["id"].as_str().map(str::len));
    }

    async fn create(&self, who: BenchSide, side: &Side, reference: &str, check: bool) {
        match who {
            BenchSide::Client => {
                black_box(side.client.create_withdrawal(&request(reference)).await.expect("create"));
            }
            BenchSide::Raw => self.raw_create(&self.raw013, side, reference, check).await,
            BenchSide::Raw011 => self.raw_create(&self.raw011, side, reference, check).await,
        }
    }

    /// The raw paging loop: pages of 100 until the total is reached (or a page is empty).
    async fn raw_list_all(&self, http: &impl RawHttp) -> usize {
        let mut seen = 0;
        for page in 0u64.. {
            let value = self.raw_get(http, &self.listing, &format!("page={page}&limit={PAGE}")).await;
            let items = value["data"].as_array().map_or(0, |items| {
                for item in items {
                    black_box(item["id"].as_str());
                }
                items.len()
            });
            seen += items;
            let total = value["total"].as_u64().unwrap_or(0);
            if items == 0 || (page + 1) * u64::from(PAGE) >= total {
                break;
            }
        }
        seen
    }

    async fn client_list_all(&self) -> usize {
        let query = ListQuery::new().limit(PAGE).expect("limit");
        let mut all = self.listing.client.list_all(query);
        let mut seen = 0;
        while let Some(w) = all.try_next().await.expect("page") {
            black_box(&w);
            seen += 1;
        }
        seen
    }

    async fn list_all(&self, who: BenchSide) -> usize {
        match who {
            BenchSide::Client => self.client_list_all().await,
            BenchSide::Raw => self.raw_list_all(&self.raw013).await,
            BenchSide::Raw011 => self.raw_list_all(&self.raw011).await,
        }
    }
}

/// Checks that the raw side sends what the client sends: the client's default create is
/// recorded by a wiremock server (GET with the invoice query, then the signed POST) and compared
/// with the raw query and body.
async fn same_exchange(s: &Setup) {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let mock = MockServer::start().await;
    let empty = br#"{"data":[],"page":0,"limit":100,"total":0}"#.to_vec();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(empty, "application/json"))
        .mount(&mock)
        .await;
    let id = s.listing.sim.withdrawals().first().map(|w| w.id.clone()).expect("seeded");
    // A seeded object, answered as the withdrawal of the invoice the create sends (the client
    // refuses an answer about another invoice).
    let mut object: serde_json::Value =
        serde_json::from_slice(&s.listing.sim.wire_object(&id).expect("object")).expect("JSON");
    object["invoice"] = "same-bytes".into();
    let object = serde_json::to_vec(&object).expect("JSON");
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(object, "application/json"))
        .mount(&mock)
        .await;
    let client = AlpPayClient::builder()
        .api_key(s.checked.sim.api_key())
        .hmac_key(s.checked.sim.hmac_key())
        .base_url(format!("{}/v2", mock.uri()))
        .client(s.raw013.0.clone())
        .build()
        .expect("client");
    client.create_withdrawal(&request("same-bytes")).await.expect("create");
    let seen = mock.received_requests().await.expect("recorded");
    assert_eq!(seen.len(), 2, "GET then POST");
    assert_eq!(seen[0].url.query(), Some("invoices=same-bytes&page=0&limit=100"), "the raw lookup's query");
    assert_eq!(
        String::from_utf8_lossy(&seen[1].body),
        String::from_utf8_lossy(&raw_body("same-bytes")),
        "the raw body"
    );
    for header in ["api-key", "x-hmac", "content-type"] {
        assert!(seen[1].headers.contains_key(header), "{header}");
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("bench runtime");
    rt.block_on(same_exchange(&s));
    let next = AtomicU64::new(0);
    let fresh = || format!("bench-{}", next.fetch_add(1, Ordering::Relaxed));

    for (group, side, check) in [("alppay_create", &s.checked, true), ("alppay_create_unchecked", &s.unchecked, false)]
    {
        let batch = |who: BenchSide| {
            let refs: Vec<String> = (0..IN_FLIGHT).map(|_| fresh()).collect();
            let s = &s;
            async move {
                join_all(refs.iter().map(|r| s.create(who, side, r, check))).await;
            }
        };
        Comparison::new(group, IN_FLIGHT as u64, 1000).run(c, &rt, batch);
    }

    // Every side reads every seeded withdrawal.
    for who in BenchSide::ALL {
        assert_eq!(rt.block_on(s.list_all(who)), SEEDED, "{}", who.id());
    }
    let list = |who: BenchSide| {
        let s = &s;
        async move {
            black_box(s.list_all(who).await);
        }
    };
    Comparison::new("alppay_list_all", SEEDED as u64, 40).samples(20).run(c, &rt, list);
}

criterion_group!(client, benches);
criterion_main!(client);
