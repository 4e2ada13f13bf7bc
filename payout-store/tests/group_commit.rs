//! Group commit on SQLite under a real `kill -9`: a worker process (this test binary again, in
//! worker mode) submits payouts 64 at a time through one journal, so its writer commits them in
//! batches, and prints each payout the journal acknowledged. The test kills it with SIGKILL in the
//! middle of that traffic, then checks the file: every acknowledged payout is durable with its
//! withdrawal, every create the simulator received has a durable `sent` (or later) entry, no
//! reference was sent twice, and after the in-flight window a rerun completes every payout with
//! exactly one withdrawal each.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use payout_core::ProviderId;
use payout_sim::{AlpPayConfig, AlpPayServer};
use payout_store::{EntryFilter, Journal, JournalOptions, JournaledProvider, State};

use common::{client_at, request, worker_provider};

const PAYOUTS: usize = 4_000;
const IN_FLIGHT: usize = 64;
/// Acknowledged payouts the worker reports before it is killed.
const KILL_AFTER: usize = 300;
/// The worker's lease: the claims it holds when killed block their payouts this long.
const WORKER_LEASE: Duration = Duration::from_secs(1);

/// Worker mode: 64 submits in flight at once until killed; one `ok REFERENCE ID` line per
/// payout whose submit returned, printed only after the journal acknowledged its writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "worker mode of `a_kill_during_group_commits_loses_no_acknowledged_write`, started by it"]
async fn group_commit_worker() {
    let Some(provider) = worker_provider("GROUP").await else {
        return;
    };
    // A short lease, so that the test waits out the killed worker's claims in a second.
    let provider = Arc::new(provider.with_options(JournalOptions::new().lease(WORKER_LEASE)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let printer = std::thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        while let Some(line) = rx.blocking_recv() {
            writeln!(out, "{line}").unwrap();
            out.flush().unwrap();
        }
    });
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (provider, next, tx) = (provider.clone(), next.clone(), tx.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= PAYOUTS {
                    return;
                }
                let reference = format!("gc-{i}");
                let s = provider.submit(&request(&reference, "10.5")).await.unwrap();
                let _ = tx.send(format!("ok {reference} {}", s.withdrawal.id));
            }
        });
    }
    drop(tx);
    while tasks.join_next().await.is_some() {}
    printer.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_group_commits_loses_no_acknowledged_write() {
    let server = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    server.requests().set_enabled(false);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("journal.sqlite").display().to_string();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", "group_commit_worker", "--nocapture", "--test-threads", "1"])
        .env("GROUP_ROLE", "worker")
        .env("GROUP_STORE", &store)
        .env("GROUP_URL", server.base_url())
        .env("GROUP_KEY", server.api_key())
        .env("GROUP_HMAC", server.hmac_key())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let acknowledged: HashMap<String, String> = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut acked = HashMap::new();
        let mut lines = BufReader::new(stdout).lines();
        while acked.len() < KILL_AFTER {
            let line = lines.next().expect("the worker died before it was killed").unwrap();
            if let Some(rest) = line.strip_prefix("ok ") {
                let (reference, id) = rest.split_once(' ').unwrap();
                acked.insert(reference.to_owned(), id.to_owned());
            }
        }
        child.kill().unwrap(); // SIGKILL, in the middle of the traffic: batches are being committed
        // Lines already written before the kill were acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some((reference, id)) = line.strip_prefix("ok ").and_then(|r| r.split_once(' ')) {
                acked.insert(reference.to_owned(), id.to_owned());
            }
        }
        child.wait().unwrap();
        acked
    })
    .await
    .unwrap();
    assert!(acknowledged.len() >= KILL_AFTER);

    let journal = Journal::open(&store).await.unwrap();
    let alppay = ProviderId::from_static("alppay");
    let entries: HashMap<String, payout_store::Entry> = journal
        .entries(&EntryFilter::new())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.reference.as_str().to_owned(), e))
        .collect();
    // Every acknowledged payout is durable, with the withdrawal it was answered.
    for (reference, id) in &acknowledged {
        let entry = entries.get(reference).unwrap_or_else(|| panic!("{reference} acknowledged but not durable"));
        assert_eq!(entry.state, State::Created, "{reference}");
        assert_eq!(entry.withdrawal.as_ref().unwrap().id.as_str(), id, "{reference}");
    }
    // Every create that reached the provider was durably marked sent before it left; none twice.
    let sent = server.withdrawals();
    let mut seen = HashSet::new();
    for w in &sent {
        assert!(seen.insert(w.invoice.clone()), "{} sent twice", w.invoice);
        let entry = entries.get(&w.invoice).unwrap_or_else(|| panic!("{} sent without a durable claim", w.invoice));
        assert!(matches!(entry.state, State::Sent | State::Created), "{}: {:?}", w.invoice, entry.state);
    }
    assert!(sent.len() < PAYOUTS, "killed in the middle, not after the end");
    // The rest: once the killed worker's leases and the in-flight window have passed, the same
    // payouts again finish with one withdrawal each.
    let provider = JournaledProvider::new(client_at(&server.base_url(), server.api_key(), server.hmac_key()), journal)
        .with_options(JournalOptions::new().in_flight_window(Duration::ZERO).lease(Duration::from_millis(100)));
    tokio::time::sleep(WORKER_LEASE + Duration::from_millis(100)).await;
    let touched: Vec<String> = entries.keys().cloned().collect();
    for reference in &touched {
        let s = provider.submit(&request(reference, "10.5")).await.unwrap();
        if let Some(id) = acknowledged.get(reference) {
            assert_eq!(s.withdrawal.id.as_str(), id, "{reference}");
        }
    }
    for reference in &touched {
        assert_eq!(server.find_by_invoice(reference).len(), 1, "{reference}: exactly one withdrawal");
        let entry = provider.journal().entry(&alppay, reference).await.unwrap().unwrap();
        assert_eq!(entry.state, State::Created, "{reference}");
    }
}
