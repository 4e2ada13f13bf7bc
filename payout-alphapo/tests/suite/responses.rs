//! Every documented AlphaPo answer and callback, read into the unified model.

use crate::common;

use common::*;
use http::HeaderMap;
use payout_core::{
    Asset, ErrorKind, PayoutProvider, Reference, Withdrawal, WithdrawalId, WithdrawalStatus, WithdrawalUpdate,
};
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn info(server: &MockServer, body: &str) {
    Mock::given(method("GET"))
        .and(path("/api/v2/transactions/info"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(server)
        .await;
}

fn signed(body: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-Processing-Key", KEY.parse().unwrap());
    h.insert("X-Processing-Signature", sign(body.as_bytes()).parse().unwrap());
    h
}

/// Parses a signed callback with a client of the usual keys (its server is never called).
async fn callback(body: &str) -> WithdrawalUpdate {
    let server = MockServer::start().await;
    client(&server).parse_webhook(&signed(body), body.as_bytes()).expect("a signed documented callback is accepted")
}

/// Checks whom a withdrawal read from an example names (its id, its reference and its end user)
/// and where it stands.
fn assert_names(w: &Withdrawal, id: &str, reference: &str, end_user: Option<&str>, status: WithdrawalStatus) {
    assert_eq!(w.id.as_str(), id);
    assert_eq!(w.reference.as_ref().map(Reference::as_str), Some(reference));
    assert_eq!(w.end_user.as_ref().map(|u| u.id.as_str()), end_user);
    assert_eq!(w.status, status);
}

/// Checks what left the balance (as its text: the scale is kept) and where it went.
fn assert_sent(w: &Withdrawal, amount_sent: &str, address: &str) {
    assert_eq!(w.amount_sent.map(|a| a.to_string()).as_deref(), Some(amount_sent));
    assert_eq!(w.address.as_deref(), Some(address));
}

#[tokio::test]
async fn the_seed_create_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string(SEED_ANSWER))
        .mount(&server)
        .await;
    let w = client(&server).create_withdrawal(&seed_request()).await.unwrap();
    assert_eq!(w.provider.as_str(), "alphapo");
    assert_eq!(w.id, WithdrawalId::new("134702815"));
    assert_eq!(w.reference, Some(Reference::new("test_foreign_id_0148").unwrap()));
    assert_eq!(w.end_user.as_ref().map(|u| u.id.as_str()), Some("test_end_user_reference"));
    assert_eq!(w.status, WithdrawalStatus::Processing);
    assert_eq!(w.provider_status, "processing");
    assert_eq!(w.asset, Some(Asset::new("BTC")));
    assert_eq!(w.amount.map(|a| a.to_string()), Some("0.00020000".to_owned()), "scale kept");
    assert_eq!(w.address.as_deref(), Some("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc"));
    assert_eq!(w.tx_hash, None);
    assert_eq!(w.raw.get("id").unwrap(), 134702815, "the raw object is the `data` object");
    assert_eq!(w.raw.get("sender_currency").unwrap(), "BTC");
}

#[tokio::test]
async fn the_transactions_info_example_with_numbers() {
    let server = MockServer::start().await;
    info(&server, INFO_EXAMPLE).await;
    let w = client(&server).get_withdrawal(&WithdrawalId::new("2769144")).await.unwrap();
    assert_names(&w, "2769144", "withdrawal:823188", None, WithdrawalStatus::Completed);
    assert_eq!(w.provider_status, "confirmed");
    assert_eq!(w.asset, Some(Asset::new("BTC")));
    // The amount sent from the balance, not the docs tool's `"amount": 10000` received.
    assert_eq!(w.amount, Some(dec!(0.0001)));
    assert_eq!(w.amount_sent, Some(dec!(0.0001)));
    assert_eq!(w.address.as_deref(), Some("tb1q73h009ezpcltv85vnyvz8n3r5umv2v4n54rhp2"));
    assert_eq!(w.tag, None);
    assert_eq!(w.tx_hash.as_deref(), Some("7.854431205445763e+76"), "a numeric txid is kept as its text");
    assert_eq!(w.failure_reason, None, "an empty error is no failure");
    assert_eq!(w.raw.to_value().unwrap()["fees"][0]["type"], "mining");
}

#[tokio::test]
async fn the_current_callback() {
    let w = callback(CALLBACK_CURRENT).await.withdrawal;
    assert_names(&w, "123", "operation_987", Some("user_12345"), WithdrawalStatus::Completed);
    assert_eq!(w.asset, Some(Asset::new("BTC")));
    assert_eq!(w.amount, Some(dec!(0.01)), "no currency_sent: the blockchain leg's amount");
    assert_sent(&w, "0.01000000", "tb1qurv0m4ufsj8xqejvmn0y43kqew33kvqrrxswgm");
    assert_eq!(w.tx_hash.as_deref(), Some("bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b"));
    assert_eq!(w.raw.to_value().unwrap()["transactions"][0]["confirmations"], "0");
}

#[tokio::test]
async fn the_older_callback_with_currencies_and_fees() {
    let w = callback(CALLBACK_OLDER).await.withdrawal;
    assert_names(&w, "1", "1", Some("12345"), WithdrawalStatus::Completed);
    assert_eq!(w.amount.map(|a| a.to_string()), Some("0.02000000".to_owned()));
    assert_sent(&w, "0.02", "115Mn1jCjBh1CNqug7yAB21Hq2rw8PfmTA");
    assert_eq!(w.raw.to_value().unwrap()["transactions"][0]["confirmations"], 3);
}

#[tokio::test]
async fn the_exchange_callback() {
    let w = callback(CALLBACK_EXCHANGE).await.withdrawal;
    assert_eq!(w.status, WithdrawalStatus::Completed);
    assert_eq!(w.asset, Some(Asset::new("BTC")), "what the recipient gets");
    assert_eq!(w.amount, Some(dec!(0.01)));
    assert_eq!(w.amount_sent, Some(dec!(0.01)));
    assert_eq!(w.address.as_deref(), Some("2N2vxXDpnKBt5AasUPABfTP5uAHmDcmbqQN"));
    assert_eq!(w.tx_hash.as_deref(), Some("4a7e5c4b6a4b7f30ad6cc0ea30a1e5a8e0e2a0c1a9d0d1e7f9b8f4c3d2e1f0a9"));
    assert_eq!(w.raw.get("currency_sent").unwrap()["amount"], "804.25693204", "the EUR side stays in raw");
}

#[tokio::test]
async fn every_status_maps_through_lookups() {
    // The documented table, and a status this version does not know.
    let documented = payout_testkit::webhooks::ALPHAPO_STATUSES.iter().copied();
    for (raw, unified) in documented.chain([("verifying", WithdrawalStatus::Unknown)]) {
        let server = MockServer::start().await;
        info(&server, &format!(r#"{{"id":77,"foreign_id":"r-77","type":"withdrawal","status":"{raw}"}}"#)).await;
        let w = client(&server).get_withdrawal(&WithdrawalId::new("77")).await.unwrap();
        assert_eq!(w.status, unified, "{raw}");
        assert_eq!(w.provider_status, raw);
    }
}

#[tokio::test]
async fn a_declined_callback_keeps_its_reason_and_tolerates_odd_shapes() {
    // Unknown type kept, tag as a number, no txid, confirmations as a string, no currencies.
    let body = r#"{"id":"88","foreign_id":"r-88","type":"withdrawal_instant",
        "crypto_address":{"id":5,"currency":"XRP","address":"rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY","tag":104599},
        "transactions":[{"id":6,"currency":"XRP","transaction_type":"blockchain","type":"withdrawal","amount":12.5,"txid":null,"confirmations":"0"}],
        "fees":null,"error":"Declined by the reviewer","status":"declined","future_field":{"x":1}}"#;
    let w = callback(body).await.withdrawal;
    assert_eq!(w.status, WithdrawalStatus::Rejected);
    assert_eq!(w.failure_reason.as_deref(), Some("Declined by the reviewer"));
    assert_eq!(w.tag.as_deref(), Some("104599"));
    assert_eq!(w.amount, Some(dec!(12.5)));
    assert_eq!(w.tx_hash, None);
    assert_eq!(w.amount_sent, None, "nothing was broadcast");
    assert_eq!(w.asset, Some(Asset::new("XRP")));
    assert_eq!(w.raw.get("type").unwrap(), "withdrawal_instant");
}

#[tokio::test]
async fn callbacks_with_bad_signatures_are_refused() {
    let server = MockServer::start().await;
    let c = client(&server);
    let body = CALLBACK_CURRENT.as_bytes();
    let mut tampered = signed(CALLBACK_CURRENT);
    let e = c.parse_webhook(&tampered, &body[..body.len() - 1]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Webhook);
    tampered.remove("X-Processing-Signature");
    assert_eq!(c.parse_webhook(&tampered, body).unwrap_err().kind(), ErrorKind::Webhook);
    let mut other_key = signed(CALLBACK_CURRENT);
    other_key.insert("X-Processing-Key", "someone-else".parse().unwrap());
    assert_eq!(c.parse_webhook(&other_key, body).unwrap_err().kind(), ErrorKind::Webhook);
    // Signed with another secret.
    let mut forged = HeaderMap::new();
    forged.insert(
        "X-Processing-Signature",
        payout_testkit::signing::alphapo_signature(b"not-the-secret", body).parse().unwrap(),
    );
    assert_eq!(c.parse_webhook(&forged, body).unwrap_err().kind(), ErrorKind::Webhook);
    // Signed but not a transaction.
    let junk = "[1,2,3]";
    assert_eq!(c.parse_webhook(&signed(junk), junk.as_bytes()).unwrap_err().kind(), ErrorKind::Webhook);
}

#[tokio::test]
async fn a_lookup_that_returns_a_deposit_is_not_a_withdrawal() {
    let server = MockServer::start().await;
    info(&server, r#"{"id":5,"type":"deposit","status":"confirmed"}"#).await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("5")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn unreadable_answers_are_protocol_errors_with_the_body() {
    let server = MockServer::start().await;
    info(&server, "<html>maintenance</html>").await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("5")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    match e {
        payout_core::PayoutError::Protocol { body, status, .. } => {
            assert_eq!(status, Some(200));
            assert!(body.contains("maintenance"));
        }
        other => panic!("{other:?}"),
    }
}
