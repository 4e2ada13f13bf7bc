//! The money-safety rule end to end: a create whose answer is lost is never sent again blindly;
//! `submit` finds the withdrawal by its reference.

use crate::common;

use common::*;
use payout_core::{ErrorKind, PayoutProvider, PayoutProviderExt, SubmitPath};
use rust_decimal_macros::dec;
use wiremock::matchers::{body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What AlphaPo holds after acting on the seed request.
fn held(status: &str) -> String {
    format!(
        r#"{{"id":134702815,"foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","type":"withdrawal",
        "crypto_address":{{"id":1,"currency":"BTC","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","tag":null}},
        "currency_sent":{{"currency":"BTC","amount":"0.00020000"}},"currency_received":{{"currency":"BTC","amount":"0.00020000"}},
        "transactions":[],"fees":[],"error":"","status":"{status}"}}"#
    )
}

async fn count(server: &MockServer, m: &str) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == m).count()
}

#[tokio::test]
async fn a_create_lost_after_acting_is_reconciled_by_reference() {
    let server = MockServer::start().await;
    // AlphaPo acted, then the answer was lost (a 500 after the fact).
    Mock::given(method("POST"))
        .and(path("/api/v2/withdrawal/crypto"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/transactions/info"))
        .and(body_string(r#"{"foreign_id":"test_foreign_id_0148"}"#))
        .respond_with(ResponseTemplate::new(200).set_body_string(held("not_confirmed")))
        .mount(&server)
        .await;

    let c = client(&server);
    let e = c.create_withdrawal(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert!(e.to_string().contains("test_foreign_id_0148"), "the error names the reference: {e}");

    let submitted = c.submit(&seed_request()).await.unwrap();
    assert_eq!(submitted.path, SubmitPath::Reconciled);
    assert_eq!(submitted.withdrawal.id.as_str(), "134702815");
    assert_eq!(submitted.withdrawal.amount, Some(dec!(0.0002)));
    assert_eq!(count(&server, "POST").await, 2, "one create per call, never a retry");
    assert_eq!(count(&server, "GET").await, 1);
}

/// A server that refuses every create as a taken reference and answers every lookup with `held`.
async fn reference_taken(held: String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_string(r#"{"errors":{"foreign_id":"The foreign id has already been taken."}}"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_string(held)).mount(&server).await;
    server
}

#[tokio::test]
async fn a_duplicate_reference_for_the_same_payout_is_the_existing_withdrawal() {
    let server = reference_taken(held("confirmed")).await;
    let submitted = client(&server).submit(&seed_request()).await.unwrap();
    assert_eq!(submitted.path, SubmitPath::AlreadyExisted);
    assert_eq!(count(&server, "POST").await, 1);
}

#[tokio::test]
async fn a_reference_taken_by_another_payout_is_refused() {
    let server = reference_taken(held("confirmed").replace("0.00020000", "0.5")).await;
    let e = client(&server).submit(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference);
}

#[tokio::test]
async fn when_the_lookup_also_fails_the_outcome_stays_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let e = client(&server).submit(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(count(&server, "POST").await, 1, "never created again while the outcome is unknown");
}
