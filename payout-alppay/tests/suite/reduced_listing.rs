//! AlpPay documents a reduced listing object without `invoice`. A lookup by reference must not
//! read "no invoice in the answer" as "no withdrawal with this reference": that would let
//! `submit` create a payout a second time after a lost answer.

use crate::common;

use common::sim::*;
use payout_core::{ErrorKind, PayoutProvider, PayoutProviderExt, Reference, SubmitPath};
use payout_sim::Fault;

fn invoice_dropped_from_listings(server: &payout_sim::AlpPayServer, times: usize) {
    server.faults().on_request(http::Method::GET, "/withdrawal", Fault::MissingField("invoice".into()), times);
}

#[tokio::test]
async fn find_reads_the_withdrawal_when_the_listing_omits_the_invoice() {
    let server = start().await;
    let client = client_for(&server);
    let created = client.create_withdrawal(&common::request("inv-1")).await.unwrap();
    invoice_dropped_from_listings(&server, 1);
    let found = client.find_withdrawal(&Reference::new("inv-1").unwrap()).await.unwrap();
    assert_eq!(found.map(|w| w.id), Some(created.id));
    // Another reference is still absent.
    invoice_dropped_from_listings(&server, 1);
    assert_eq!(client.find_withdrawal(&Reference::new("inv-2").unwrap()).await.unwrap(), None);
}

#[tokio::test]
async fn a_withdrawal_whose_invoice_cannot_be_learned_is_not_called_absent() {
    let server = start().await;
    let client = client_for(&server);
    client.create_withdrawal(&common::request("inv-1")).await.unwrap();
    server.faults().next_n(Fault::MissingField("invoice".into()), 2);
    let err = client.find_withdrawal(&Reference::new("inv-1").unwrap()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
}

#[tokio::test]
async fn submit_after_a_lost_answer_with_reduced_listings_pays_once() {
    let server = start().await;
    let client = client_for(&server);
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::CloseAfterActing, 1);
    invoice_dropped_from_listings(&server, usize::MAX);
    let submitted = client.submit(&common::request("inv-9")).await.unwrap();
    assert_eq!(submitted.path, SubmitPath::Reconciled);
    assert_eq!(server.find_by_invoice("inv-9").len(), 1, "paid twice");
}
