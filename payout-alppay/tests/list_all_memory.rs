//! Peak heap held while `list_all` streams 100,000 withdrawals (100 per page): it must stay
//! bounded by about one page (target: under 1 MiB), not grow with the total.
//!
//! Method: this test binary's global allocator is `peak_alloc` (current and peak bytes of the
//! whole process). The simulator runs in the same process, so its state is allocated first:
//! seed 100,000 withdrawals, read one page (which opens the connection and builds the
//! simulator's listing order), then take the current heap as the baseline and reset the peak.
//! The figure is `peak - baseline` while the stream is consumed, item by item. It is an upper
//! bound on what `list_all` holds: it also counts what the simulator and hyper allocate
//! transiently to answer each page. A raw paging loop over the same pages (bodies read and
//! dropped) is measured the same way, to show that transport part. The allocator is global, so
//! the measurements run one after the other in a single test.
//!
//! Ignored by default (about 15 s in a debug build: 100,000 withdrawals are seeded, served and
//! read twice); run it on purpose:
//!
//! ```text
//! cargo test --release -p payout-alppay --test list_all_memory -- --ignored --nocapture
//! ```

use futures::TryStreamExt;
use payout_alppay::AlpPayClient;
use payout_core::{ListQuery, PayoutProviderExt};
use payout_sim::{AlpPayConfig, AlpPayServer};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const TOTAL: usize = 100_000;
const PAGE: u32 = 100;
const MIB: usize = 1024 * 1024;

/// Consumes the first `take` withdrawals of the listing and returns how many came and the peak
/// heap above the baseline taken just before.
async fn stream_peak(client: &AlpPayClient, take: usize) -> (usize, usize) {
    let baseline = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let mut all = client.list_all(ListQuery::new().limit(PAGE).unwrap());
    let mut seen = 0;
    while seen < take {
        match all.try_next().await.unwrap() {
            Some(w) => {
                assert!(!w.id.as_str().is_empty());
                seen += 1;
            }
            None => break,
        }
    }
    drop(all);
    (seen, HEAP.peak_usage().saturating_sub(baseline))
}

/// The same pages fetched with plain reqwest, each body read whole and dropped.
async fn raw_peak(http: &reqwest::Client, sim: &AlpPayServer) -> usize {
    let baseline = HEAP.current_usage();
    HEAP.reset_peak_usage();
    for page in 0..(TOTAL / PAGE as usize) {
        let body = http
            .get(format!("{}/withdrawal?page={page}&limit={PAGE}", sim.base_url()))
            .header("api-key", sim.api_key())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(!body.is_empty());
    }
    HEAP.peak_usage().saturating_sub(baseline)
}

#[test]
#[ignore = "measurement: run with --release -- --ignored --nocapture"]
fn list_all_holds_about_one_page_over_100k_withdrawals() {
    let sim_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let sim = sim_rt.block_on(AlpPayServer::start(AlpPayConfig::default())).unwrap();
    sim.requests().set_enabled(false);
    sim.seed(TOTAL);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let client = AlpPayClient::builder()
        .api_key(sim.api_key())
        .hmac_key(sim.hmac_key())
        .base_url(sim.base_url())
        .client(http.clone())
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        // Warm-up: a connection in the pool and the simulator's listing order built.
        let (warm, _) = stream_peak(&client, PAGE as usize).await;
        assert_eq!(warm, PAGE as usize);

        let (first, peak_10k) = stream_peak(&client, 10_000).await;
        let (all, peak_100k) = stream_peak(&client, usize::MAX).await;
        let raw = raw_peak(&http, &sim).await;
        let kib = |b: usize| b as f64 / 1024.0;
        println!(
            "list_all peak heap above baseline: {:.0} KiB over {first} withdrawals, {:.0} KiB over {all}; raw paging loop (transport and simulator only): {:.0} KiB",
            kib(peak_10k),
            kib(peak_100k),
            kib(raw),
        );
        assert_eq!(first, 10_000);
        assert_eq!(all, TOTAL, "every withdrawal, once");
        assert!(peak_100k < MIB, "list_all held {peak_100k} bytes at its peak over {TOTAL} withdrawals");
        // Ten times the withdrawals, not ten times the memory: bounded by a page, not the total.
        assert!(peak_100k < 2 * peak_10k.max(MIB / 4), "{peak_100k} bytes over {TOTAL}, {peak_10k} over 10,000");
    });
}
