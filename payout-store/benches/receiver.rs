//! The webhook receiver's throughput: signed AlpPay webhooks POSTed over loopback HTTP by 32
//! concurrent senders to a [`WebhookReceiver`] on SQLite (`synchronous=FULL`) and on PostgreSQL
//! (a throwaway server started here with `fsync` on). Every delivery is a new withdrawal (its
//! body a real simulator webhook with a fresh id, signed with the simulator's key), so each one
//! is verified, written (kept unmatched) and recorded as delivered before its 200: nothing is
//! answered from the dedupe shortcut. Senders, receiver and database share the machine.
//!
//! `cargo bench -p payout-store --all-features --bench receiver`

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_alppay::AlpPayClient;
use payout_core::{Asset, Decimal, EndUser, PayoutProvider, WithdrawalRequest};
use payout_sim::{AlpPayConfig, AlpPayServer};
use payout_store::{Journal, JournaledProvider, WebhookReceiver};
use payout_testkit::postgres::{Options, TempPostgres};

const SENDERS: usize = 32;

static SEQ: AtomicU64 = AtomicU64::new(0);

/// What each sender needs: a template webhook body, its id, and the simulator to sign with.
struct Source {
    sim: AlpPayServer,
    template: String,
    id: String,
}

impl Source {
    /// A fresh delivery: the template with a new withdrawal id, and its signature.
    fn next(&self) -> (Vec<u8>, String) {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let id = format!("00000000-0000-4000-8000-{n:012x}");
        let body = self.template.replace(&self.id, &id).into_bytes();
        let signature = self.sim.sign(&body);
        (body, signature)
    }
}

async fn deliver_32(http: &reqwest::Client, url: &str, source: &Arc<Source>) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..SENDERS {
        let (http, url, source) = (http.clone(), url.to_owned(), source.clone());
        tasks.spawn(async move {
            let (body, signature) = source.next();
            let resp = http
                .post(&url)
                .header("Content-Type", "application/json")
                .header("X-HMAC", signature)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            black_box(resp.bytes().await.unwrap());
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

fn client(server: &AlpPayServer) -> Arc<dyn PayoutProvider> {
    Arc::new(
        AlpPayClient::builder()
            .api_key(server.api_key())
            .hmac_key(server.hmac_key())
            .base_url(server.base_url())
            .build()
            .unwrap(),
    )
}

async fn serve(journal: Journal, provider: Arc<dyn PayoutProvider>) -> String {
    let receiver = WebhookReceiver::new().provider(JournaledProvider::new(provider, journal));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alppay", listener.local_addr().unwrap());
    tokio::spawn(receiver.serve(listener, std::future::pending()));
    url
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let sim = rt.block_on(AlpPayServer::start(AlpPayConfig::default())).unwrap();
    sim.requests().set_enabled(false);
    let provider = client(&sim);
    let request = WithdrawalRequest::builder()
        .reference("bench-template")
        .asset(Asset::new("USDT").on("tron"))
        .amount("10.5".parse::<Decimal>().unwrap())
        .address("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n")
        .end_user(EndUser::new("42").with_name("Bench").with_email("bench@example.com"))
        .build()
        .unwrap();
    let template = rt.block_on(provider.create_withdrawal(&request)).unwrap();
    let id = template.id.to_string();
    let body = String::from_utf8(sim.wire_object(&id).unwrap()).unwrap();
    let source = Arc::new(Source { sim, template: body, id });

    let dir = tempfile::tempdir().unwrap();
    let pg = TempPostgres::start_with(&Options { durable: true, ..Options::default() }).unwrap();
    let pg_url = pg.create_database("receiver_bench").unwrap();
    let sqlite = rt.block_on(Journal::open(&dir.path().join("receiver.sqlite").display().to_string())).unwrap();
    let postgres = rt.block_on(Journal::open(&pg_url)).unwrap();
    let sqlite_url = rt.block_on(serve(sqlite, provider.clone()));
    let postgres_url = rt.block_on(serve(postgres, provider.clone()));
    let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(SENDERS).build().unwrap();

    let mut g = c.benchmark_group("receiver_32_senders");
    g.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(Throughput::Elements(SENDERS as u64));
    g.bench_function("sqlite", |b| b.to_async(&rt).iter(|| deliver_32(&http, &sqlite_url, &source)));
    g.bench_function("postgres", |b| b.to_async(&rt).iter(|| deliver_32(&http, &postgres_url, &source)));
    g.finish();
    drop(pg);
}

criterion_group!(receiver, benches);
criterion_main!(receiver);
