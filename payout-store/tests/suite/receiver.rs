//! The webhook receiver against real deliveries: the AlphaPo and AlpPay simulators send their
//! signed callbacks (with retries and duplicates) over loopback HTTP to a running
//! [`WebhookReceiver`] over a real SQLite file, and the journal is checked afterwards.
#![cfg(all(feature = "receiver", feature = "sqlite"))]

use crate::common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use payout_alphapo::AlphaPoClient;
use payout_core::http::RetryPolicy;
use payout_core::{
    Asset, Decimal, EndUser, PayoutProvider, Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalStatus,
};
use payout_sim::{
    AlpPayConfig, AlpPayServer, AlpPayStatus, AlphaPoConfig, AlphaPoServer, CallbackConfig, DeliveryAttempt,
};
use payout_store::{Delivered, EntryFilter, Journal, JournaledProvider, UpdateOutcome, WebhookReceiver};
use payout_testkit::delivery_orders::{assert_orders_converge, shuffle};
use sqlx::Connection;

/// How long any wait for deliveries may take before the test fails (never a timing assertion:
/// the checks are on the journal's contents once they are there).
const PATIENCE: Duration = Duration::from_secs(60);

/// One client for every delivery the tests post (building one costs tens of milliseconds). It
/// keeps no idle connection, so that no test's runtime reuses a connection of another's.
fn http() -> &'static reqwest::Client {
    static HTTP: std::sync::LazyLock<reqwest::Client> =
        std::sync::LazyLock::new(|| reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).build().unwrap());
    &HTTP
}

/// Serves `receiver` on a free loopback port; its base URL.
async fn serve(receiver: &WebhookReceiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(receiver.clone().serve(listener, std::future::pending()));
    url
}

/// The URL a simulator is told to deliver to, before the receiver is known: a listener is bound
/// first, so the simulator and the receiver can be started in either order.
async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// An AlpPay simulator that finishes its withdrawals in a few hundred milliseconds and delivers
/// every callback, some twice, to `{url}/alppay`.
async fn alppay_delivering_to(url: &str) -> AlpPayServer {
    AlpPayServer::start(
        AlpPayConfig::default()
            .with_lifecycle(Duration::from_millis(150), Some(Duration::from_millis(200)))
            .with_callback(CallbackConfig::new(format!("{url}/alppay")).with_duplicates(true)),
    )
    .await
    .unwrap()
}

fn alphapo_client(sim: &AlphaPoServer) -> Arc<dyn PayoutProvider> {
    Arc::new(
        AlphaPoClient::builder()
            .api_key(sim.api_key())
            .api_secret(sim.api_secret())
            .base_url(sim.base_url())
            .retry(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
            .build()
            .unwrap(),
    )
}

fn alphapo_request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("BTC"))
        .amount("0.0002".parse::<Decimal>().unwrap())
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("user-7"))
        .build()
        .unwrap()
}

async fn journal_at(dir: &Path, name: &str) -> Journal {
    Journal::open_sqlite(&dir.join(format!("{name}.sqlite"))).await.unwrap()
}

/// One delivery as a provider would send it again: the exact body and its signature headers.
#[derive(Clone, Debug)]
struct Signed {
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

async fn post(url: &str, d: &Signed) -> u16 {
    let mut req = http().post(url).header("Content-Type", "application/json").body(d.body.clone());
    for (name, value) in &d.headers {
        req = req.header(*name, value);
    }
    req.send().await.unwrap().status().as_u16()
}

/// The distinct bodies a simulator delivered, in first-sent order.
fn distinct_bodies(attempts: &[DeliveryAttempt]) -> Vec<String> {
    let mut seen = Vec::new();
    for a in attempts {
        if !seen.contains(&a.body) {
            seen.push(a.body.clone());
        }
    }
    seen
}

/// Waits until `done` holds of the journal's withdrawals (by id), or fails after [`PATIENCE`].
async fn until(journal: &Journal, what: &str, done: impl Fn(&HashMap<WithdrawalId, Withdrawal>) -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let held: HashMap<WithdrawalId, Withdrawal> = journal
            .entries(&EntryFilter::new())
            .await
            .unwrap()
            .into_iter()
            .filter_map(|e| e.withdrawal)
            .map(|w| (w.id.clone(), w))
            .collect();
        if done(&held) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not reached; the journal holds {held:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the simulator has logged both copies of each withdrawal's final delivery (a status
/// of `finals`) as answered. The receiver applies a delivery before it answers and the simulator
/// logs the answer after it, so the journal can be final a moment before the log says so.
async fn until_final_deliveries_logged(
    deliveries: impl Fn() -> Vec<DeliveryAttempt>,
    ids: &[WithdrawalId],
    finals: &[&str],
) {
    let answered = |attempts: &[DeliveryAttempt], id: &WithdrawalId, copy: u32| {
        attempts.iter().any(|a| {
            a.withdrawal_id == id.as_str() && finals.contains(&a.status.as_str()) && a.copy == copy && a.succeeded()
        })
    };
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let attempts = deliveries();
        if ids.iter().all(|id| answered(&attempts, id, 1) && answered(&attempts, id, 2)) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "final deliveries not all answered: {attempts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The provider's own state of each withdrawal, by lookup.
async fn truth(provider: &Arc<dyn PayoutProvider>, ids: &[WithdrawalId]) -> HashMap<WithdrawalId, Withdrawal> {
    let mut out = HashMap::new();
    for id in ids {
        out.insert(id.clone(), provider.get_withdrawal(id).await.unwrap());
    }
    out
}

fn compared(w: &Withdrawal) -> (WithdrawalStatus, String, Option<String>) {
    (w.status, w.provider_status.clone(), w.tx_hash.clone())
}

/// Every entry of the journal holds the provider's state of its withdrawal.
async fn assert_journal_holds(journal: &Journal, truth: &HashMap<WithdrawalId, Withdrawal>, why: &str) {
    for e in journal.entries(&EntryFilter::new()).await.unwrap() {
        let w = e.withdrawal.unwrap();
        assert_eq!(compared(&w), compared(&truth[&w.id]), "{why}: withdrawal {}", w.id);
    }
}

/// Late deliveries: every recorded body again, shuffled by `seed`, to `endpoint` of the same
/// receiver: all 200, nothing moves back. Then shuffled and duplicated orders converge, in memory
/// (200 orders) and over HTTP.
async fn late_and_shuffled_deliveries_converge(
    dir: &Path,
    endpoint: &str,
    (journal, provider): (&Journal, &Arc<dyn PayoutProvider>),
    recorded: &[Signed],
    truth: &HashMap<WithdrawalId, Withdrawal>,
    seed: u64,
) {
    let mut late = recorded.to_vec();
    shuffle(&mut late, seed);
    for d in &late {
        assert_eq!(post(endpoint, d).await, 200, "a late delivery is acknowledged");
    }
    assert_journal_holds(journal, truth, "a late delivery never moves a final status back").await;
    orders_converge_in_memory(provider, recorded, truth);
    orders_converge_over_http(dir, provider, recorded, truth).await;
}

/// Delivers `deliveries` (each twice) in shuffled orders, each order into a fresh journal that
/// knows none of the withdrawals, over HTTP; every order must end in `truth` (kept unmatched).
async fn orders_converge_over_http(
    dir: &Path,
    provider: &Arc<dyn PayoutProvider>,
    deliveries: &[Signed],
    truth: &HashMap<WithdrawalId, Withdrawal>,
) {
    let name = provider.id();
    for seed in 0..8u64 {
        let journal = journal_at(dir, &format!("{name}-order-{seed}")).await;
        let receiver = WebhookReceiver::new().provider(JournaledProvider::new(provider.clone(), journal.clone()));
        let url = format!("{}/{name}", serve(&receiver).await);
        let mut order: Vec<Signed> = deliveries.iter().chain(deliveries).cloned().collect();
        shuffle(&mut order, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5151);
        for d in &order {
            assert_eq!(post(&url, d).await, 200, "seed {seed}: every verified delivery is acknowledged");
        }
        let kept: HashMap<WithdrawalId, Withdrawal> =
            journal.unmatched(&name).await.unwrap().into_iter().map(|w| (w.id.clone(), w)).collect();
        assert_eq!(kept.len(), truth.len(), "seed {seed}");
        for (id, want) in truth {
            assert_eq!(compared(&kept[id]), compared(want), "seed {seed}, withdrawal {id}");
        }
    }
}

/// The receiver rules, in-process, over the same updates (the testkit's 200 orders).
fn orders_converge_in_memory(
    provider: &Arc<dyn PayoutProvider>,
    deliveries: &[Signed],
    truth: &HashMap<WithdrawalId, Withdrawal>,
) {
    let updates: Vec<_> = deliveries
        .iter()
        .chain(deliveries)
        .map(|d| {
            let mut headers = http::HeaderMap::new();
            for (name, value) in &d.headers {
                headers.insert(*name, value.parse().unwrap());
            }
            provider.parse_webhook(&headers, &d.body).unwrap()
        })
        .collect();
    assert_orders_converge(&provider.status_rules(), &updates, None, truth, compared);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alphapo_callbacks_bring_every_withdrawal_to_its_final_status() {
    let dir = tempfile::tempdir().unwrap();
    let (listener, url) = bind().await;
    let sim = AlphaPoServer::start(
        AlphaPoConfig::default()
            .with_lifecycle(Duration::from_millis(150), Duration::from_millis(200))
            .with_callback(CallbackConfig::new(format!("{url}/alphapo")).with_duplicates(true)),
    )
    .await
    .unwrap();
    let provider = alphapo_client(&sim);
    let journal = journal_at(dir.path(), "alphapo").await;
    let journaled = JournaledProvider::new(provider.clone(), journal.clone());
    let receiver = WebhookReceiver::new().provider(journaled.clone());
    let mut events = receiver.subscribe();
    tokio::spawn(receiver.clone().serve(listener, std::future::pending()));

    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(journaled.submit(&alphapo_request(&format!("ap-{n}"))).await.unwrap().withdrawal.id);
    }
    until(&journal, "every AlphaPo withdrawal confirmed through callbacks", |held| {
        ids.iter().all(|id| held.get(id).is_some_and(|w| w.status == WithdrawalStatus::Completed))
    })
    .await;
    until_final_deliveries_logged(|| sim.deliveries(), &ids, &["confirmed"]).await;
    let truth = truth(&provider, &ids).await;
    let entries = journal.entries(&EntryFilter::new()).await.unwrap();
    assert_eq!(entries.len(), 4);
    for e in &entries {
        let w = e.withdrawal.as_ref().unwrap();
        assert_eq!(compared(w), compared(&truth[&w.id]), "the journal ends at the provider's state");
    }
    // The duplicate copies were acknowledged, and reported as duplicates.
    let mut outcomes = Vec::new();
    while let Ok(d) = events.try_recv() {
        outcomes.push(d.outcome);
    }
    assert!(outcomes.contains(&UpdateOutcome::Stored), "{outcomes:?}");
    assert!(outcomes.contains(&UpdateOutcome::Duplicate), "{outcomes:?}");
    assert!(sim.deliveries().iter().any(|a| a.copy == 2 && a.succeeded()));

    // Late deliveries: every recorded body again, shuffled, to the same receiver: all 200,
    // nothing moves back.
    let recorded: Vec<Signed> = distinct_bodies(&sim.deliveries())
        .into_iter()
        .map(|body| {
            let signature = sim.sign(body.as_bytes());
            Signed {
                body: body.into_bytes(),
                headers: vec![("X-Processing-Key", sim.api_key().to_owned()), ("X-Processing-Signature", signature)],
            }
        })
        .collect();
    assert!(recorded.len() >= 8, "two callbacks per withdrawal at least: {}", recorded.len());
    let endpoint = format!("{url}/alphapo");
    late_and_shuffled_deliveries_converge(dir.path(), &endpoint, (&journal, &provider), &recorded, &truth, 7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alppay_webhooks_bring_every_withdrawal_to_its_final_status() {
    let dir = tempfile::tempdir().unwrap();
    let (listener, url) = bind().await;
    let sim = alppay_delivering_to(&url).await;
    let provider = common::client(&sim);
    let journal = journal_at(dir.path(), "alppay").await;
    let journaled = JournaledProvider::new(provider.clone(), journal.clone());
    let receiver = WebhookReceiver::new().provider(journaled.clone());
    tokio::spawn(receiver.clone().serve(listener, std::future::pending()));

    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(journaled.submit(&common::request(&format!("pay-{n}"), "10.5")).await.unwrap().withdrawal.id);
    }
    // One more, cancelled by hand: a final status other than success.
    let cancelled = journaled.submit(&common::request("pay-cancel", "10.5")).await.unwrap().withdrawal.id;
    sim.set_status(cancelled.as_str(), AlpPayStatus::Cancelled).unwrap();
    until(&journal, "every AlpPay withdrawal final through webhooks", |held| {
        ids.iter().all(|id| held.get(id).is_some_and(|w| w.status == WithdrawalStatus::Completed))
            && held.get(&cancelled).is_some_and(|w| w.status == WithdrawalStatus::Cancelled)
    })
    .await;
    ids.push(cancelled);
    until_final_deliveries_logged(|| sim.deliveries(), &ids, &["COMPLETE", "CANCELLED"]).await;
    let truth = truth(&provider, &ids).await;
    assert_journal_holds(&journal, &truth, "the journal ends at the provider's state").await;
    let recorded: Vec<Signed> = distinct_bodies(&sim.deliveries())
        .into_iter()
        .map(|body| {
            let signature = sim.sign(body.as_bytes());
            Signed { body: body.into_bytes(), headers: vec![("X-HMAC", signature)] }
        })
        .collect();
    let endpoint = format!("{url}/alppay");
    late_and_shuffled_deliveries_converge(dir.path(), &endpoint, (&journal, &provider), &recorded, &truth, 11).await;
}

/// Everything the journal holds, to compare before and after refused deliveries.
async fn contents(journal: &Journal, provider: &payout_core::ProviderId) -> String {
    let entries = journal.entries(&EntryFilter::new()).await.unwrap();
    let unmatched = journal.unmatched(provider).await.unwrap();
    format!("{entries:?} {unmatched:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_unsigned_oversized_and_misrouted_deliveries_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ap = AlphaPoServer::start(AlphaPoConfig::default()).await.unwrap();
    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let (ap_client, pay_client) = (alphapo_client(&ap), common::client(&pay));
    let journal = journal_at(dir.path(), "both").await;
    let ap_j = JournaledProvider::new(ap_client.clone(), journal.clone());
    let pay_j = JournaledProvider::new(pay_client.clone(), journal.clone());
    let receiver = WebhookReceiver::new().provider(ap_j.clone()).provider(pay_j.clone()).body_limit(16 * 1024);
    let mut events = receiver.subscribe();
    let url = serve(&receiver).await;

    let a = ap_j.submit(&alphapo_request("t-ap")).await.unwrap().withdrawal;
    let p = pay_j.submit(&common::request("t-pay", "10.5")).await.unwrap().withdrawal;
    let a_id: i64 = a.id.as_str().parse().unwrap();
    ap.set_status(a_id, payout_sim::AlphaPoStatus::Confirmed).unwrap();
    pay.set_status(p.id.as_str(), AlpPayStatus::Complete).unwrap();
    let ap_body = ap.wire_object(a_id).unwrap();
    let pay_body = pay.wire_object(p.id.as_str()).unwrap();
    let ap_good = Signed {
        body: ap_body.clone(),
        headers: vec![("X-Processing-Key", ap.api_key().into()), ("X-Processing-Signature", ap.sign(&ap_body))],
    };
    let pay_good = Signed { body: pay_body.clone(), headers: vec![("X-HMAC", pay.sign(&pay_body))] };
    let before = (contents(&journal, &ap_client.id()).await, contents(&journal, &pay_client.id()).await);

    let tamper = |s: &Signed| {
        let mut t = s.clone();
        let text = String::from_utf8(t.body).unwrap();
        // Change the status the body carries, keep the signature of the original.
        let changed = text.replacen("confirmed", "cancelled", 1).replacen("COMPLETE", "CANCELLED", 1);
        assert_ne!(changed, text);
        t.body = changed.into_bytes();
        t
    };
    let bad_signature = |s: &Signed| {
        let mut t = s.clone();
        let last = t.headers.len() - 1;
        let sig = &mut t.headers[last].1;
        let flipped = if sig.starts_with('0') { '1' } else { '0' };
        sig.replace_range(0..1, &flipped.to_string());
        t
    };
    let unsigned = |s: &Signed| {
        let mut t = s.clone();
        t.headers.pop();
        t
    };
    for (path, good) in [("alphapo", &ap_good), ("alppay", &pay_good)] {
        let endpoint = format!("{url}/{path}");
        assert_eq!(post(&endpoint, &tamper(good)).await, 401, "{path}: a changed body");
        assert_eq!(post(&endpoint, &bad_signature(good)).await, 401, "{path}: a wrong signature");
        assert_eq!(post(&endpoint, &unsigned(good)).await, 401, "{path}: no signature");
        let mut garbage = good.clone();
        garbage.body = b"not json at all".to_vec();
        assert_eq!(post(&endpoint, &garbage).await, 401, "{path}: garbage under the original signature");
        let mut big = good.clone();
        big.body = vec![b' '; 17 * 1024];
        assert_eq!(post(&endpoint, &big).await, 413, "{path}: over the body limit");
    }
    // The other provider's signed delivery at the wrong endpoint is not verified either.
    assert_eq!(post(&format!("{url}/alppay"), &ap_good).await, 401);
    assert_eq!(post(&format!("{url}/alphapo"), &pay_good).await, 401);
    assert_eq!(post(&format!("{url}/cryptomus"), &ap_good).await, 404, "no such provider");
    let get = http().get(format!("{url}/alphapo")).send().await.unwrap().status().as_u16();
    assert_eq!(get, 405, "only POST");
    let after = (contents(&journal, &ap_client.id()).await, contents(&journal, &pay_client.id()).await);
    assert_eq!(before, after, "nothing refused was applied");
    assert!(events.try_recv().is_err(), "nothing refused was reported");

    // The genuine deliveries are applied.
    assert_eq!(post(&format!("{url}/alphapo"), &ap_good).await, 200);
    assert_eq!(post(&format!("{url}/alppay"), &pay_good).await, 200);
    let held = journal.entries(&EntryFilter::new()).await.unwrap();
    assert!(held.iter().all(|e| e.withdrawal.as_ref().unwrap().status == WithdrawalStatus::Completed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_for_an_unknown_withdrawal_is_kept_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pay = AlpPayServer::start(AlpPayConfig::default()).await.unwrap();
    let client = common::client(&pay);
    let journal = journal_at(dir.path(), "unknown").await;
    let receiver = WebhookReceiver::new().provider(JournaledProvider::new(client.clone(), journal.clone()));
    let mut events = receiver.subscribe();
    let url = serve(&receiver).await;
    // Made elsewhere: straight at the provider, not through this journal.
    let elsewhere = client.create_withdrawal(&common::request("made-elsewhere", "10.5")).await.unwrap();
    let body = pay.wire_object(elsewhere.id.as_str()).unwrap();
    let d = Signed { body: body.clone(), headers: vec![("X-HMAC", pay.sign(&body))] };
    assert_eq!(post(&format!("{url}/alppay"), &d).await, 200);
    let reported: Delivered = events.recv().await.unwrap();
    assert_eq!(reported.outcome, UpdateOutcome::KeptUnmatched);
    assert!(reported.applied());
    assert_eq!(reported.withdrawal.id, elsewhere.id);
    assert_eq!(reported.provider, client.id());
    let kept = journal.unmatched(&client.id()).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, elsewhere.id);
    assert!(journal.entries(&EntryFilter::new()).await.unwrap().is_empty(), "no payout was invented");
    // Again: acknowledged, a duplicate.
    assert_eq!(post(&format!("{url}/alppay"), &d).await, 200);
    assert_eq!(events.recv().await.unwrap().outcome, UpdateOutcome::Duplicate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_journal_is_answered_503_and_the_retry_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.sqlite");
    let (listener, url) = bind().await;
    let sim = AlpPayServer::start(AlpPayConfig::default().with_callback(
        CallbackConfig::new(format!("{url}/alppay")).with_retry_delays(vec![Duration::from_millis(200); 200]),
    ))
    .await
    .unwrap();
    let client = common::client(&sim);
    let journal = Journal::open_sqlite_with_busy_timeout(&path, Duration::from_millis(100)).await.unwrap();
    let journaled = JournaledProvider::new(client.clone(), journal.clone());
    tokio::spawn(WebhookReceiver::new().provider(journaled.clone()).serve(listener, std::future::pending()));
    let w = journaled.submit(&common::request("locked-1", "10.5")).await.unwrap().withdrawal;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !sim.deliveries().iter().any(DeliveryAttempt::succeeded) {
        assert!(tokio::time::Instant::now() < deadline, "the creation webhook: {:?}", sim.deliveries());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let complete = |a: &&DeliveryAttempt| a.status == "COMPLETE";

    // Another connection holds the write lock: every write of the receiver fails after 100 ms.
    let mut lock = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::raw_sql("BEGIN EXCLUSIVE").execute(&mut lock).await.unwrap();
    sim.set_status(w.id.as_str(), AlpPayStatus::Complete).unwrap();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !sim.deliveries().iter().filter(complete).any(|a| a.outcome == Ok(503)) {
        assert!(tokio::time::Instant::now() < deadline, "no 503: {:?}", sim.deliveries());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held = journal.entries(&EntryFilter::new()).await.unwrap();
    assert_ne!(
        held[0].withdrawal.as_ref().unwrap().status,
        WithdrawalStatus::Completed,
        "nothing applied while locked"
    );
    sqlx::raw_sql("ROLLBACK").execute(&mut lock).await.unwrap();
    drop(lock);

    until(&journal, "the retried webhook applied", |held| {
        held.get(&w.id).is_some_and(|x| x.status == WithdrawalStatus::Completed)
    })
    .await;
    // The journal holds the update before the simulator has read the 200 that answered it.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !sim.deliveries().iter().filter(complete).any(DeliveryAttempt::succeeded) {
        assert!(tokio::time::Instant::now() < deadline, "no delivery answered 200: {:?}", sim.deliveries());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let attempts: Vec<_> = sim.deliveries().iter().filter(complete).cloned().collect();
    let first_ok = attempts.iter().position(DeliveryAttempt::succeeded).unwrap();
    assert!(attempts[..first_ok].iter().all(|a| a.outcome == Ok(503)), "{attempts:?}");
    assert!(attempts[first_ok].attempt > 1, "the success was a retry");
}

/// The same receiver over PostgreSQL (a throwaway server from the testkit): the simulator's
/// webhooks, with retries and duplicates, bring every withdrawal to its final status.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_alppay_webhooks_bring_every_withdrawal_to_its_final_status() {
    use payout_testkit::postgres::TempPostgres;
    let url = tokio::task::spawn_blocking(|| TempPostgres::shared().create_database("receiver_alppay").unwrap())
        .await
        .unwrap();
    let journal = Journal::open(&url).await.unwrap();
    let (listener, base) = bind().await;
    let sim = alppay_delivering_to(&base).await;
    let provider = common::client(&sim);
    let journaled = JournaledProvider::new(provider.clone(), journal.clone());
    tokio::spawn(WebhookReceiver::new().provider(journaled.clone()).serve(listener, std::future::pending()));
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(journaled.submit(&common::request(&format!("pg-{n}"), "10.5")).await.unwrap().withdrawal.id);
    }
    until(&journal, "every AlpPay withdrawal final through webhooks, on PostgreSQL", |held| {
        ids.iter().all(|id| held.get(id).is_some_and(|w| w.status == WithdrawalStatus::Completed))
    })
    .await;
    let truth = truth(&provider, &ids).await;
    assert_journal_holds(&journal, &truth, "the journal ends at the provider's state").await;
    assert!(
        sim.deliveries().iter().any(|a| a.copy == 2 && a.succeeded()),
        "duplicates were delivered and acknowledged"
    );
}
