//! The journal's crash cases against the Cryptomus simulator through the real Cryptomus client.
//! Cryptomus replays a create by `order_id` (`Capability::IdempotentCreate`): a payout whose
//! send a crash or a lost answer left in doubt is sent again at once, within the in-flight
//! window, and the replay answers with the payout the first send made. The simulator keeps one
//! payout per `order_id`, so a payout paid twice could not hide; the checks count the creates
//! that reached it instead.

use std::sync::Arc;

use payout_core::{PayoutProvider, WithdrawalRequest};
use payout_cryptomus::CryptomusClient;
use payout_sim::{CryptomusConfig, CryptomusServer, Fault};
use payout_store::{Checkpoint, Journal, JournaledProvider, State, SubmitVia};

use super::{Backend, fast, fast_retry};

async fn cryptomus_sim() -> CryptomusServer {
    CryptomusServer::start(CryptomusConfig::default()).await.expect("the simulator binds to loopback")
}

fn cryptomus_client(server: &CryptomusServer) -> Arc<dyn PayoutProvider> {
    let client = CryptomusClient::builder()
        .merchant(server.merchant())
        .payout_key(server.payout_key())
        .base_url(server.base_url())
        .retry(fast_retry())
        .build()
        .expect("a loopback configuration is valid");
    Arc::new(client)
}

fn cryptomus_request(reference: &str) -> WithdrawalRequest {
    payout_testkit::requests::cryptomus().build(reference).unwrap()
}

/// Creates the simulator received (`POST …/payout`; its reads are `/payout/info`, `/payout/list`
/// and `/payout/services`).
fn payout_posts(server: &CryptomusServer) -> usize {
    server.requests().entries().iter().filter(|r| r.path.ends_with("/payout")).count()
}

/// A holder dies at `at` while submitting `reference`; returns once its lease has lapsed.
async fn cryptomus_crash_at(server: &CryptomusServer, journal: &Journal, at: Checkpoint, reference: &str) {
    let options = fast().on_checkpoint(move |c| {
        if c == at {
            panic!("simulated crash at {}", c.as_str());
        }
    });
    let dying = JournaledProvider::new(cryptomus_client(server), journal.clone()).with_options(options);
    let req = cryptomus_request(reference);
    let joined = tokio::spawn(async move { dying.submit(&req).await }).await;
    assert!(joined.is_err_and(|e| e.is_panic()), "the submit stopped at {}", at.as_str());
    let entry = journal.entry(&payout_cryptomus::PROVIDER_ID, reference).await.unwrap().expect("journaled");
    assert_eq!(entry.state, State::Sent, "a crash at {} leaves the payout sent", at.as_str());
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
}

/// Crashes at each checkpoint after the claim: the next holder, within the in-flight window
/// (which would hold a provider that does not replay), resolves every payout with exactly one
/// payout at Cryptomus: one never sent is sent now, one sent is found or replayed.
pub async fn cryptomus_crashes_resolve_within_the_window<B: Backend>(b: B) {
    let server = cryptomus_sim().await;
    let journal = b.fresh("cryptomus-crash").await;
    let next = JournaledProvider::new(cryptomus_client(&server), journal.clone()).with_options(fast());
    for (reference, at, sent_before) in [
        ("cm-claimed", Checkpoint::Claimed, 0),
        ("cm-marked", Checkpoint::MarkedSent, 0),
        ("cm-answered", Checkpoint::Answered, 1),
    ] {
        server.requests().clear();
        cryptomus_crash_at(&server, &journal, at, reference).await;
        assert_eq!(payout_posts(&server), sent_before, "{reference}: creates before the crash");
        let s = next.submit(&cryptomus_request(reference)).await.unwrap();
        assert_eq!(s.via, SubmitVia::Reconciled, "{reference}");
        assert_eq!(s.withdrawal.reference.as_ref().map(|r| r.as_str()), Some(reference));
        let held = server.find(reference).expect("the payout exists");
        assert_eq!(s.withdrawal.id.as_str(), held.uuid, "{reference}: the one payout");
        let entry = journal.entry(&next.id(), reference).await.unwrap().unwrap();
        assert_eq!(entry.state, State::Created, "{reference}");
        assert_eq!(entry.withdrawal.map(|w| w.id), Some(s.withdrawal.id));
    }
    assert_eq!(server.count(), 3, "one payout per reference, none twice");
}

/// A create closed after Cryptomus acted is sent again at once in the same call; the replay
/// answers with the payout the first send made.
pub async fn a_lost_cryptomus_answer_is_replayed_in_the_same_call<B: Backend>(b: B) {
    let server = cryptomus_sim().await;
    server.faults().on_request(http::Method::POST, "/payout", Fault::CloseAfterActing, 1);
    let journal = b.fresh("cryptomus-lost").await;
    let p = JournaledProvider::new(cryptomus_client(&server), journal.clone()).with_options(fast());
    let s = p.submit(&cryptomus_request("cm-lost")).await.unwrap();
    assert_eq!(s.via, SubmitVia::Reconciled);
    assert_eq!(payout_posts(&server), 2, "the same create, sent again at once");
    assert_eq!(server.count(), 1, "replayed, not paid twice");
    let entry = journal.entry(&p.id(), "cm-lost").await.unwrap().unwrap();
    assert_eq!(entry.state, State::Created);
    assert_eq!(entry.attempts, 2, "each send marked durably before it left");
    // Submitted again: answered from the journal, nothing sent.
    let again = p.submit(&cryptomus_request("cm-lost")).await.unwrap();
    assert_eq!(again.via, SubmitVia::Journal);
    assert_eq!(again.withdrawal.id, s.withdrawal.id);
    assert_eq!(payout_posts(&server), 2);
}
