//! The journal's behaviour, written once and run on every backend (`sqlite.rs`, `postgres.rs`),
//! against the AlpPay simulator on loopback through the real AlpPay client. AlpPay keeps
//! duplicate invoices, so a payout sent twice would show as two withdrawals. The crash cases of
//! a provider that replays creates by reference run against the Cryptomus simulator and client
//! (`cryptomus.rs`).
#![allow(dead_code)]

mod cryptomus;
// The journal suite's cases; the other test binaries that share this module use none of them.
#[allow(unused_imports)]
pub use cryptomus::*;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use payout_alppay::AlpPayClient;
use payout_core::http::RetryPolicy;
use payout_core::{Asset, Decimal, PayoutError, PayoutProvider, WithdrawalRequest, WithdrawalStatus, WithdrawalUpdate};
use payout_sim::{AlpPayConfig, AlpPayServer, AlpPayStatus, Fault};
use payout_store::{
    Checkpoint, EntryFilter, Journal, JournalOptions, JournaledProvider, Resolution, State, SubmitVia, UpdateOutcome,
};
use payout_testkit::conformance::RequestTemplate;

/// A fresh, empty journal of the backend under test.
pub trait Backend: Send + Sync + 'static {
    /// Opens a new journal (its own file or database).
    fn fresh(&self, name: &str) -> impl Future<Output = Journal>;
}

/// Runs `sql` on the journal's database behind its back (to stage what an earlier version of
/// the journal left).
pub async fn execute(journal: &Journal, sql: &str) {
    use sqlx::Connection;
    match journal.backend() {
        #[cfg(feature = "sqlite")]
        payout_store::Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(journal.location()).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
        #[cfg(feature = "postgres")]
        payout_store::Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(journal.location()).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
        other => panic!("no connection of this test build reaches a {other:?} journal"),
    }
}

pub async fn sim() -> AlpPayServer {
    AlpPayServer::start(AlpPayConfig::default()).await.expect("the simulator binds to loopback")
}

pub fn client(server: &AlpPayServer) -> Arc<dyn PayoutProvider> {
    client_at(&server.base_url(), server.api_key(), server.hmac_key())
}

/// The client of a simulator known only by its address and keys (a worker process reads them
/// from its environment): fast retries, and no duplicate check, so a payout sent twice shows.
pub fn client_at(base_url: &str, key: &str, hmac: &str) -> Arc<dyn PayoutProvider> {
    let client = AlpPayClient::builder()
        .api_key(key)
        .hmac_key(hmac)
        .base_url(base_url)
        .retry(fast_retry())
        .duplicate_check(false)
        .build()
        .expect("a loopback configuration is valid");
    Arc::new(client)
}

/// In a worker process a crash test started (`{prefix}_ROLE=worker`): the journaled client its
/// parent described in `{prefix}_STORE`, `{prefix}_URL`, `{prefix}_KEY` and `{prefix}_HMAC`.
/// `None` in an ordinary test run.
pub async fn worker_provider(prefix: &str) -> Option<JournaledProvider> {
    let var = |n: &str| std::env::var(format!("{prefix}_{n}"));
    if var("ROLE").as_deref() != Ok("worker") {
        return None;
    }
    let var = |n: &str| var(n).unwrap();
    let journal = Journal::open(&var("STORE")).await.unwrap();
    Some(JournaledProvider::new(client_at(&var("URL"), &var("KEY"), &var("HMAC")), journal))
}

/// The simulators' AlpPay request of `amount` USDT under `reference`.
pub fn request(reference: &str, amount: &str) -> WithdrawalRequest {
    let template = RequestTemplate { amount: amount.parse::<Decimal>().unwrap(), ..payout_testkit::requests::alppay() };
    template.build(reference).unwrap()
}

/// Creates the simulator received (`POST …/withdrawal`).
pub fn creates(server: &AlpPayServer) -> usize {
    server.requests().entries().iter().filter(|r| r.method == "POST" && r.path.ends_with("/withdrawal")).count()
}

pub(crate) fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

pub(crate) fn fast() -> JournalOptions {
    JournalOptions::new()
        .lease(Duration::from_millis(300))
        .wait(Duration::from_secs(10))
        .poll(Duration::from_millis(20))
}

/// A provider whose submit "crashes" (panics, so nothing after it runs) at `at`.
fn crashing(server: &AlpPayServer, journal: &Journal, at: Checkpoint) -> JournaledProvider {
    let options = fast().on_checkpoint(move |c| {
        if c == at {
            panic!("simulated crash at {}", c.as_str());
        }
    });
    JournaledProvider::new(client(server), journal.clone()).with_options(options)
}

/// Submits `reference` through `provider`, which must answer outcome unknown naming it (`why`
/// it must, otherwise); the answer's message.
async fn outcome_unknown(provider: &JournaledProvider, reference: &str, why: &str) -> String {
    match provider.submit(&request(reference, "10.5")).await {
        Err(PayoutError::OutcomeUnknown { reference: named, message, .. }) => {
            assert_eq!(named.as_str(), reference);
            message
        }
        other => panic!("{why}: {other:?}"),
    }
}

/// A holder dies at `at` with `reference` left `sent`; returns once its lease has lapsed.
async fn died_holding(server: &AlpPayServer, journal: &Journal, at: Checkpoint, reference: &str) {
    crash_at(server, journal, at, reference).await;
    assert_eq!(state_of(journal, reference).await, State::Sent);
    tokio::time::sleep(Duration::from_millis(350)).await;
}

async fn crash_at(server: &AlpPayServer, journal: &Journal, at: Checkpoint, reference: &str) {
    let p = crashing(server, journal, at);
    let req = request(reference, "10.5");
    let joined = tokio::spawn(async move { p.submit(&req).await }).await;
    assert!(joined.is_err_and(|e| e.is_panic()), "the submit stopped at {}", at.as_str());
}

async fn state_of(journal: &Journal, reference: &str) -> State {
    journal.entry(&payout_core::ProviderId::from_static("alppay"), reference).await.unwrap().expect("journaled").state
}

// ---- the cases ---------------------------------------------------------------------------

pub async fn claim_and_fingerprint<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("claim").await;
    let p = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let first = p.submit(&request("c-1", "10.5")).await.unwrap();
    assert_eq!(first.via, SubmitVia::Created);
    let again = p.submit(&request("c-1", "10.50")).await.unwrap();
    assert_eq!(again.via, SubmitVia::Journal, "the same payout (another scale) is answered from the journal");
    assert_eq!(again.withdrawal.id, first.withdrawal.id);
    let other = p.submit(&request("c-1", "11")).await;
    assert!(matches!(other, Err(PayoutError::DuplicateReference { .. })), "{other:?}");
    assert_eq!(creates(&server), 1, "one create sent");
    assert_eq!(server.count(), 1);
    let entry = journal.entry(&p.id(), "c-1").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Created);
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.request["amount"]["exact"], "10.5", "amounts stored as exact text");
    assert_eq!(entry.withdrawal.unwrap().id, first.withdrawal.id);
}

pub async fn racing_workers_send_once<B: Backend>(b: B) {
    let server = sim().await;
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::Delay(Duration::from_millis(700)), 1);
    let journal = b.fresh("race").await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let p = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
        tasks.push(tokio::spawn(async move { p.submit(&request("race-1", "10.5")).await }));
    }
    let mut ids = Vec::new();
    let mut vias = Vec::new();
    for t in tasks {
        let s = t.await.unwrap().unwrap();
        ids.push(s.withdrawal.id.clone());
        vias.push(s.via);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one withdrawal for all: {ids:?}");
    assert_eq!(vias.iter().filter(|v| **v == SubmitVia::Created).count(), 1, "{vias:?}");
    // The others waited for the holder's answer, or (a worker scheduled late on a loaded
    // machine) found it already in the journal: either way none of them sent.
    assert!(
        vias.iter().all(|v| matches!(v, SubmitVia::Created | SubmitVia::OtherWorker | SubmitVia::Journal)),
        "{vias:?}"
    );
    assert!(vias.contains(&SubmitVia::OtherWorker), "the workers raced the holder: {vias:?}");
    assert_eq!(creates(&server), 1);
    assert_eq!(server.count(), 1);
}

pub async fn a_live_holder_is_waited_for_within_the_bound<B: Backend>(b: B) {
    let server = sim().await;
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::Delay(Duration::from_millis(1500)), 1);
    let journal = b.fresh("wait").await;
    let holder = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let sending = tokio::spawn(async move { holder.submit(&request("w-1", "10.5")).await });
    while journal.entry(&payout_core::ProviderId::from_static("alppay"), "w-1").await.unwrap().map(|e| e.state)
        != Some(State::Sent)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await; // longer than the lease: renewed meanwhile
    // The holder renews its lease while its request is in flight: a second worker that waits
    // only 300 ms gives up with outcome unknown, naming the reference, and sends nothing.
    let impatient =
        JournaledProvider::new(client(&server), journal.clone()).with_options(fast().wait(Duration::from_millis(300)));
    outcome_unknown(&impatient, "w-1", "expected outcome unknown").await;
    let sent = sending.await.unwrap().unwrap();
    assert_eq!(sent.via, SubmitVia::Created);
    assert_eq!(creates(&server), 1);
}

pub async fn a_crashed_claim_is_taken_over_and_sent<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("takeover").await;
    // A fresh claim is written already marked sent (one commit before the request leaves): a
    // crash right after it leaves `sent`, and within the in-flight window it is never sent again.
    died_holding(&server, &journal, Checkpoint::Claimed, "t-1").await;
    assert_eq!(creates(&server), 0);
    let next = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    outcome_unknown(&next, "t-1", "a claim marked sent is not sent again within the window").await;
    assert_eq!(creates(&server), 0);

    // A `recorded` claim (as a journal of an earlier version left it after a crash) is provably
    // never sent: taken over and sent without a lookup or a window.
    crash_at(&server, &journal, Checkpoint::Claimed, "t-2").await;
    execute(
        &journal,
        "UPDATE payout_journal SET state = 'recorded', sent_at = NULL, attempts = 0, \
                         lease_expires_at = 0 WHERE reference = 't-2'",
    )
    .await;
    assert_eq!(state_of(&journal, "t-2").await, State::Recorded);
    let s = next.submit(&request("t-2", "10.5")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Created, "provably never sent: sent without a lookup or a window");
    assert_eq!(creates(&server), 1);
    let entry = journal.entry(&next.id(), "t-2").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Created);
    assert_eq!(entry.attempts, 1);
    assert!(entry.lease.is_none(), "released");
}

pub async fn a_stale_holder_changes_nothing<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("stale").await;
    // Holder A stalls right after its claim (already marked sent) for longer than its lease (a
    // GC pause, a frozen VM).
    let stalled = JournaledProvider::new(client(&server), journal.clone()).with_options(fast().on_checkpoint(|c| {
        if c == Checkpoint::Claimed {
            tokio::task::block_in_place(|| std::thread::sleep(Duration::from_millis(1200)));
        }
    }));
    let a = tokio::spawn(async move { stalled.submit(&request("s-1", "10.5")).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    // B takes the lapsed lease over (generation 2): the payout is marked sent, the provider shows
    // none yet, so within the in-flight window B sends nothing.
    let b_provider = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    outcome_unknown(&b_provider, "s-1", "B must not send a payout marked sent").await;
    assert_eq!(creates(&server), 0);
    // A wakes and sends (its intent was durable before), but its late answer under generation 1
    // changes nothing: the entry stays as B, the newer holder, left it.
    let a_got = a.await.unwrap().unwrap();
    assert_eq!(a_got.via, SubmitVia::Created);
    assert_eq!(creates(&server), 1, "one create in all");
    let entry = journal.entry(&b_provider.id(), "s-1").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Unanswered, "the stale holder's write changed nothing");
    assert!(entry.withdrawal.is_none());
    // Reconcile finds A's withdrawal by lookup.
    let report = b_provider.reconcile().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    let entry = journal.entry(&b_provider.id(), "s-1").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Created);
    assert_eq!(entry.withdrawal.unwrap().id, a_got.withdrawal.id);
    assert_eq!(entry.attempts, 1);
    assert_eq!(creates(&server), 1);
}

pub async fn in_flight_window_blocks_a_resend_until_it_passes<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("window").await;
    died_holding(&server, &journal, Checkpoint::MarkedSent, "f-1").await;
    let careful = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let message = outcome_unknown(&careful, "f-1", "within the window nothing is sent").await;
    assert!(message.contains("in-flight window"), "{message}");
    assert_eq!(creates(&server), 0);
    assert_eq!(state_of(&journal, "f-1").await, State::Unanswered);
    let after = JournaledProvider::new(client(&server), journal.clone())
        .with_options(fast().in_flight_window(Duration::from_millis(1)));
    let s = after.submit(&request("f-1", "10.5")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Created, "after the window, with the provider showing none, it is sent");
    assert_eq!(creates(&server), 1);
    assert_eq!(journal.entry(&after.id(), "f-1").await.unwrap().unwrap().attempts, 2);
}

pub async fn an_answer_lost_in_a_crash_is_found_by_lookup<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("answered").await;
    crash_at(&server, &journal, Checkpoint::Answered, "a-1").await;
    assert_eq!(creates(&server), 1);
    assert_eq!(state_of(&journal, "a-1").await, State::Sent);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let next = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let s = next.submit(&request("a-1", "10.5")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Reconciled);
    assert_eq!(creates(&server), 1, "found, not sent again");
    assert_eq!(server.count(), 1);
}

pub async fn a_lost_answer_is_reconciled_in_the_same_call<B: Backend>(b: B) {
    let server = sim().await;
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::CloseAfterActing, 1);
    let journal = b.fresh("lost").await;
    let p = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let s = p.submit(&request("l-1", "10.5")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Reconciled);
    assert_eq!(creates(&server), 1);
    assert_eq!(state_of(&journal, "l-1").await, State::Created);
}

pub async fn refusals_are_recorded_and_may_be_sent_again<B: Backend>(b: B) {
    let server = sim().await;
    let body = r#"{"message":"amount too small","errors":{"amount":["too small"]}}"#.to_owned();
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::Status { status: 422, body: body.into() }, 1);
    let journal = b.fresh("refused").await;
    let p = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let refused = p.submit(&request("r-1", "10.5")).await;
    assert!(refused.is_err(), "{refused:?}");
    let entry = journal.entry(&p.id(), "r-1").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Refused, "{entry:?}");
    assert!(entry.last_error.is_some());
    let s = p.submit(&request("r-1", "10.5")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Created, "nothing was created, so it is sent again");
    assert_eq!(server.count(), 1);
}

pub async fn reconcile_resolves_and_follows<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("reconcile").await;
    crash_at(&server, &journal, Checkpoint::Answered, "rc-1").await;
    crash_at(&server, &journal, Checkpoint::MarkedSent, "rc-2").await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    let p = JournaledProvider::new(client(&server), journal.clone())
        .with_options(fast().recheck(Duration::from_millis(50)));
    let report = p.reconcile().await.unwrap();
    assert_eq!(report.items.len(), 2, "{report:?}");
    let found = report.items.iter().find(|(r, _)| r.as_str() == "rc-1").unwrap();
    let Resolution::Found(w) = &found.1 else { panic!("rc-1 found: {report:?}") };
    assert_eq!(report.unresolved().iter().map(|r| r.as_str()).collect::<Vec<_>>(), ["rc-2"]);
    assert_eq!(creates(&server), 1, "reconcile never sends");
    assert_eq!(state_of(&journal, "rc-1").await, State::Created);
    assert_eq!(state_of(&journal, "rc-2").await, State::Unanswered);

    // Follow rc-1 to its final status once its next check is due.
    server.set_status(w.id.as_str(), AlpPayStatus::Complete).unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    let report = p.reconcile().await.unwrap();
    let followed = report.items.iter().find(|(r, _)| r.as_str() == "rc-1").expect("rc-1 followed");
    let Resolution::Followed(done) = &followed.1 else { panic!("{report:?}") };
    assert_eq!(done.status, WithdrawalStatus::Completed);
    let entry = journal.entry(&p.id(), "rc-1").await.unwrap().unwrap();
    assert_eq!(entry.withdrawal.unwrap().status, WithdrawalStatus::Completed);
    assert!(entry.next_check_at.is_none(), "final: no more checks");
}

pub async fn updates_follow_the_receiver_rules<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("updates").await;
    let p = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    let created = p.submit(&request("u-1", "10.5")).await.unwrap().withdrawal;
    let mut done = created.clone();
    done.status = WithdrawalStatus::Completed;
    done.provider_status = "COMPLETE".into();
    done.tx_hash = Some("0xabc".into());
    assert_eq!(p.apply_update(WithdrawalUpdate::new(done.clone())).await.unwrap(), UpdateOutcome::Stored);
    assert_eq!(p.apply_update(WithdrawalUpdate::new(done.clone())).await.unwrap(), UpdateOutcome::Duplicate);
    // A late delivery of the earlier state: final never moves back.
    let late = p.apply_update(WithdrawalUpdate::new(created.clone())).await.unwrap();
    assert_eq!(late, UpdateOutcome::Stale);
    let entry = journal.entry(&p.id(), "u-1").await.unwrap().unwrap();
    assert_eq!(entry.withdrawal.as_ref().unwrap().status, WithdrawalStatus::Completed);
    assert_eq!(entry.withdrawal.unwrap().tx_hash.as_deref(), Some("0xabc"));

    // An update for a withdrawal the journal does not know is kept, not dropped.
    let mut stranger = created.clone();
    stranger.id = payout_core::WithdrawalId::new("not-ours-1");
    stranger.reference = Some(payout_core::Reference::new("someone-else").unwrap());
    assert_eq!(p.apply_update(WithdrawalUpdate::new(stranger.clone())).await.unwrap(), UpdateOutcome::KeptUnmatched);
    assert_eq!(p.apply_update(WithdrawalUpdate::new(stranger.clone())).await.unwrap(), UpdateOutcome::Duplicate);
    let kept = journal.unmatched(&p.id()).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id.as_str(), "not-ours-1");
}

pub async fn entries_filter_by_state_and_reference<B: Backend>(b: B) {
    let server = sim().await;
    let journal = b.fresh("entries").await;
    let p = JournaledProvider::new(client(&server), journal.clone()).with_options(fast());
    p.submit(&request("e-1", "10.5")).await.unwrap();
    p.submit(&request("e-2", "10.5")).await.unwrap();
    crash_at(&server, &journal, Checkpoint::Claimed, "e-3").await;
    let all = journal.entries(&EntryFilter::new()).await.unwrap();
    assert_eq!(all.len(), 3);
    let sent = journal.entries(&EntryFilter::new().state(State::Sent)).await.unwrap();
    assert_eq!(sent.iter().map(|e| e.reference.as_str()).collect::<Vec<_>>(), ["e-3"]);
    let two = journal.entries(&EntryFilter::new().reference("e-2").state(State::Created)).await.unwrap();
    assert_eq!(two.len(), 1);
}

pub async fn conformance_through_the_journal<B: Backend>(b: B) {
    use payout_testkit::{FakeProvider, conformance};
    let fake = FakeProvider::new();
    let journal = b.fresh("conformance").await;
    let journaled = JournaledProvider::new(Arc::new(fake.clone()), journal).with_options(fast());
    let report = conformance::run(&journaled, &conformance::FakeHarness::new(fake)).await;
    println!("{report}");
    report.assert_passed();
}

/// A fake that replays creates by reference (`Capability::IdempotentCreate`), as Cryptomus does
/// by `order_id`, paying out USDT on tron.
fn replaying() -> payout_testkit::FakeProvider {
    payout_testkit::FakeProvider::builder()
        .capabilities(payout_core::Capabilities::all())
        .assets([Asset::new("USDT").on("tron")])
        .build()
}

fn fake_creates(fake: &payout_testkit::FakeProvider) -> usize {
    fake.calls_of(payout_testkit::Operation::Create).len()
}

/// A create whose answer was lost is sent again at once to a provider that replays by reference:
/// it answers with the withdrawal it made, no lookup is needed, and nothing is paid twice.
pub async fn a_lost_answer_is_sent_again_at_once_to_a_replaying_provider<B: Backend>(b: B) {
    let fake = replaying();
    fake.fail_next(payout_testkit::Operation::Create, payout_testkit::fake::Fault::LoseAnswer);
    let journal = b.fresh("replayed").await;
    let p = JournaledProvider::new(Arc::new(fake.clone()), journal.clone()).with_options(fast());
    let s = p.submit(&request("rp-1", "10.5")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Reconciled, "the answer of the first create was lost");
    assert_eq!(fake_creates(&fake), 2, "the same create, sent again at once");
    assert_eq!(fake.calls_of(payout_testkit::Operation::Find).len(), 0, "no lookup was needed");
    assert_eq!(fake.withdrawals().len(), 1, "replayed, not paid twice");
    assert_eq!(s.withdrawal.id, fake.withdrawals()[0].id);
    let entry = journal.entry(&p.id(), "rp-1").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Created);
    assert_eq!(entry.attempts, 2, "each send marked durably before it left");
}

/// A payout left `sent` by a crashed holder is sent again at once, within the in-flight window,
/// to a provider that replays by reference, even when the lookup fails; a provider that does not
/// replay is not sent anything within the window.
pub async fn a_crashed_send_is_replayed_within_the_window<B: Backend>(b: B) {
    let journal = b.fresh("replay-window").await;
    for (reference, replays) in [("rw-1", true), ("rw-2", false)] {
        let fake = if replays {
            replaying()
        } else {
            payout_testkit::FakeProvider::builder().assets([Asset::new("USDT").on("tron")]).build()
        };
        let crash = fast().on_checkpoint(|c| {
            if c == Checkpoint::MarkedSent {
                panic!("simulated crash at {}", c.as_str());
            }
        });
        let dying = JournaledProvider::new(Arc::new(fake.clone()), journal.clone()).with_options(crash);
        let req = request(reference, "10.5");
        let joined = tokio::spawn(async move { dying.submit(&req).await }).await;
        assert!(joined.is_err_and(|e| e.is_panic()));
        assert_eq!(state_of_fake(&journal, &fake, reference).await, State::Sent);
        tokio::time::sleep(Duration::from_millis(350)).await;
        // The lookup fails: it proves nothing either way.
        fake.fail_next(payout_testkit::Operation::Find, payout_core::ErrorKind::Unavailable);
        let next = JournaledProvider::new(Arc::new(fake.clone()), journal.clone()).with_options(fast());
        let answer = next.submit(&request(reference, "10.5")).await;
        if replays {
            let s = answer.unwrap();
            assert_eq!(s.via, SubmitVia::Reconciled);
            assert_eq!(fake.withdrawals().len(), 1);
            assert_eq!(fake_creates(&fake), 1, "the crashed holder never sent; the next one did, at once");
            assert_eq!(state_of_fake(&journal, &fake, reference).await, State::Created);
        } else {
            let e = answer.unwrap_err();
            assert_eq!(e.kind(), payout_core::ErrorKind::OutcomeUnknown, "{e}");
            assert_eq!(fake_creates(&fake), 0, "within the window, nothing is sent");
            assert_eq!(state_of_fake(&journal, &fake, reference).await, State::Unanswered);
        }
    }
}

async fn state_of_fake(journal: &Journal, fake: &payout_testkit::FakeProvider, reference: &str) -> State {
    journal.entry(&fake.id(), reference).await.unwrap().expect("journaled").state
}

/// One `#[tokio::test]` per case, for a backend value `$backend`.
#[macro_export]
macro_rules! journal_suite {
    ($backend:expr) => {
        journal_suite!(@cases $backend;
            claim_and_fingerprint, racing_workers_send_once, a_live_holder_is_waited_for_within_the_bound,
            a_crashed_claim_is_taken_over_and_sent, a_stale_holder_changes_nothing,
            in_flight_window_blocks_a_resend_until_it_passes, an_answer_lost_in_a_crash_is_found_by_lookup,
            a_lost_answer_is_reconciled_in_the_same_call, refusals_are_recorded_and_may_be_sent_again,
            reconcile_resolves_and_follows, updates_follow_the_receiver_rules,
            entries_filter_by_state_and_reference, conformance_through_the_journal,
            a_lost_answer_is_sent_again_at_once_to_a_replaying_provider, a_crashed_send_is_replayed_within_the_window,
            cryptomus_crashes_resolve_within_the_window, a_lost_cryptomus_answer_is_replayed_in_the_same_call);
    };
    (@cases $backend:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                common::$case($backend).await;
            }
        )*
    };
}
