//! What the journal costs: one payout through it on SQLite and on PostgreSQL against the plain
//! `submit` of the same client and simulator, in the same run; and journaled payouts per second
//! with 32 in flight on each backend. SQLite commits durably (`synchronous=FULL`); the
//! PostgreSQL server is a throwaway one started here with `fsync` on (durable commits).
//!
//! `cargo bench -p payout-store --all-features --bench journal`

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payout_core::{PayoutProviderExt, WithdrawalRequest};
use payout_sim::{AlpPayConfig, AlpPayServer};
use payout_store::{Journal, JournaledProvider};
use payout_testkit::postgres::{Options, TempPostgres};

static SEQ: AtomicU64 = AtomicU64::new(0);

fn request(tag: &str) -> WithdrawalRequest {
    common::request(&format!("bench-{tag}-{}", SEQ.fetch_add(1, Ordering::Relaxed)), "10.5")
}

async fn in_flight(p: &Arc<JournaledProvider>, tag: &'static str, n: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let p = p.clone();
        tasks.spawn(async move { p.submit(&request(tag)).await.unwrap() });
    }
    while let Some(done) = tasks.join_next().await {
        black_box(done.unwrap());
    }
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let server = rt.block_on(AlpPayServer::start(AlpPayConfig::default())).unwrap();
    server.requests().set_enabled(false);
    let dir = tempfile::tempdir().unwrap();
    let pg = TempPostgres::start_with(&Options { durable: true, ..Options::default() }).unwrap();
    let pg_url = pg.create_database("bench").unwrap();
    let plain = common::client(&server);
    let sqlite = rt.block_on(Journal::open(&dir.path().join("bench.sqlite").display().to_string())).unwrap();
    let postgres = rt.block_on(Journal::open(&pg_url)).unwrap();
    let on_sqlite = Arc::new(JournaledProvider::new(common::client(&server), sqlite));
    let on_postgres = Arc::new(JournaledProvider::new(common::client(&server), postgres));

    let mut one = c.benchmark_group("one_payout");
    one.sample_size(60).measurement_time(Duration::from_secs(8));
    one.bench_function("plain_submit", |b| {
        b.to_async(&rt).iter(|| async { black_box(plain.submit(&request("plain")).await.unwrap()) })
    });
    one.bench_function("journal_sqlite", |b| {
        b.to_async(&rt).iter(|| async { black_box(on_sqlite.submit(&request("sqlite")).await.unwrap()) })
    });
    one.bench_function("journal_postgres", |b| {
        b.to_async(&rt).iter(|| async { black_box(on_postgres.submit(&request("pg")).await.unwrap()) })
    });
    one.finish();

    // Paired: each iteration times a plain submit and a journaled one back to back, and reports
    // what the journal added (the journaled time minus the plain one, summed over the batch).
    let mut added = c.benchmark_group("added_by_journal");
    added.sample_size(60).measurement_time(Duration::from_secs(8));
    for (name, journaled) in [("sqlite", &on_sqlite), ("postgres", &on_postgres)] {
        added.bench_function(name, |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (plain, journaled) = (plain.clone(), journaled.clone());
                async move {
                    let (mut with, mut without) = (Duration::ZERO, Duration::ZERO);
                    for _ in 0..iters {
                        let t = std::time::Instant::now();
                        black_box(plain.submit(&request("pair-plain")).await.unwrap());
                        without += t.elapsed();
                        let t = std::time::Instant::now();
                        black_box(journaled.submit(&request("pair-journal")).await.unwrap());
                        with += t.elapsed();
                    }
                    with.saturating_sub(without)
                }
            })
        });
    }
    added.finish();

    let mut many = c.benchmark_group("in_flight_32");
    many.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(Throughput::Elements(32));
    many.bench_function("journal_sqlite", |b| b.to_async(&rt).iter(|| in_flight(&on_sqlite, "sqlite32", 32)));
    many.bench_function("journal_postgres", |b| b.to_async(&rt).iter(|| in_flight(&on_postgres, "pg32", 32)));
    many.finish();
    drop(pg);
}

criterion_group!(journal, benches);
criterion_main!(journal);
