//! Answers of another shape, on the wire (wiremock, exact bytes): a listing that cannot show
//! what matches is a protocol error, never "nothing found"; a create or get answer about
//! another withdrawal than the one asked for is never taken for it.

use crate::common;

use common::*;
use payout_core::{ErrorKind, ListQuery, PayoutError, PayoutProvider, PayoutProviderExt, Reference, WithdrawalId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "application/json")
}

async fn answer_lookups(server: &MockServer, body: String) {
    Mock::given(method("GET")).and(path("/v2/withdrawal")).respond_with(json(body)).mount(server).await;
}

async fn posts(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap().into_iter().filter(|r| r.method == "POST").collect()
}

fn item(id: &str, invoice: &str) -> String {
    withdrawal(id, invoice, "2025-08-07T09:08:58.780375195Z").to_string()
}

/// Bodies that do not show what matches invoice `INV-1`, each with what makes it so.
fn unprovable() -> Vec<(String, &'static str)> {
    let held = item("w-1", "INV-1");
    vec![
        (format!(r#"{{"results":[{held}],"page":0,"limit":100,"total":1}}"#), "`results` instead of `data`"),
        (r#"{"results":[],"total":0}"#.to_owned(), "`results`, empty"),
        (r#"{"page":0,"limit":100,"total":0}"#.to_owned(), "no `data`"),
        (r#"{"data":null,"total":0}"#.to_owned(), "`data: null`"),
        (format!(r#"{{"data":{held},"total":1}}"#), "`data` an object"),
        (r#"{"data":[],"page":0,"limit":100,"total":1}"#.to_owned(), "total 1, empty page 0"),
        (format!(r#"{{"data":[{held}],"page":0,"limit":100,"total":3}}"#), "total 3, one item on page 0"),
    ]
}

#[tokio::test]
async fn find_refuses_every_answer_that_cannot_prove_absence() {
    for (body, what) in unprovable() {
        let server = MockServer::start().await;
        answer_lookups(&server, body).await;
        let got = client(&server).find_withdrawal(&Reference::new("INV-1").unwrap()).await;
        match got {
            Err(e @ PayoutError::Protocol { .. }) => {
                assert!(e.to_string().contains("nothing is concluded"), "{what}: {e}")
            }
            other => panic!("{what}: expected a protocol error, got {other:?}"),
        }
        // One answer, read once: a well-formed answer is not retried.
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "{what}");
    }
}

#[tokio::test]
async fn list_refuses_them_too() {
    for (body, what) in unprovable() {
        let server = MockServer::start().await;
        answer_lookups(&server, body).await;
        let q = ListQuery::new().limit(100).unwrap();
        let e = client(&server).list_withdrawals(&q).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{what}: {e}");
    }
}

#[tokio::test]
async fn a_create_whose_lookup_cannot_prove_absence_sends_nothing() {
    for (body, what) in unprovable() {
        let server = MockServer::start().await;
        answer_lookups(&server, body).await;
        let e = client(&server).create_withdrawal(&request("INV-1")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{what}: {e}");
        assert!(posts(&server).await.is_empty(), "{what}: a create was sent");
    }
}

#[tokio::test]
async fn submit_after_a_lost_answer_never_creates_again_on_an_answer_of_another_shape() {
    for (body, what) in unprovable() {
        let server = MockServer::start().await;
        answer_lookups(&server, body).await;
        Mock::given(method("POST"))
            .and(path("/v2/withdrawal"))
            .respond_with(ResponseTemplate::new(502))
            .mount(&server)
            .await;
        // Without the lookup before the create, so that the only lookup is the reconciling one.
        let e = client_without_check(&server).submit(&request("INV-1")).await.unwrap_err();
        match &e {
            PayoutError::OutcomeUnknown { reference, .. } => assert_eq!(reference.as_str(), "INV-1", "{what}"),
            other => panic!("{what}: expected outcome_unknown, got {other:?}"),
        }
        assert_eq!(posts(&server).await.len(), 1, "{what}: the create was sent again");
    }
}

/// A server on loopback answering `verb route` with `answer`.
async fn answering(verb: &str, route: impl AsRef<str>, answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb)).and(path(route.as_ref())).respond_with(answer).mount(&server).await;
    server
}

#[tokio::test]
async fn a_get_answered_for_another_id_is_a_protocol_error() {
    let server = answering("GET", "/v2/withdrawal/w-1", json(item("w-2", "INV-2"))).await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("w-1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert!(e.to_string().contains("w-2"), "{e}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "an answer, not retried");
}

#[tokio::test]
async fn a_get_answered_with_the_id_in_another_case_is_the_same_uuid() {
    let id = "5f5a8ced-5c6a-4038-9d73-662441242fd3";
    let server = answering("GET", format!("/v2/withdrawal/{id}"), json(item(&id.to_ascii_uppercase(), "INV-2"))).await;
    let w = client(&server).get_withdrawal(&WithdrawalId::new(id)).await.unwrap();
    assert_eq!(w.id.as_str(), id.to_ascii_uppercase());
}

#[tokio::test]
async fn a_create_answered_for_another_invoice_is_outcome_unknown() {
    let server = answering("POST", "/v2/withdrawal", json(item("w-7", "INV-OTHER"))).await;
    let e = client_without_check(&server).create_withdrawal(&request("INV-7")).await.unwrap_err();
    match &e {
        PayoutError::OutcomeUnknown { reference, message, .. } => {
            assert_eq!(reference.as_str(), "INV-7");
            assert!(message.contains("INV-OTHER"), "{message}");
        }
        other => panic!("expected outcome_unknown, got {other:?}"),
    }
    assert_eq!(posts(&server).await.len(), 1, "sent once");
}

#[tokio::test]
async fn a_create_answered_for_its_own_invoice_or_without_one_is_the_withdrawal() {
    for (answer, what) in [(item("w-7", "INV-7"), "its invoice"), (item("w-7", ""), "no invoice echoed")] {
        let server = MockServer::start().await;
        Mock::given(method("POST")).and(path("/v2/withdrawal")).respond_with(json(answer)).mount(&server).await;
        let w = client_without_check(&server).create_withdrawal(&request("INV-7")).await.unwrap();
        assert_eq!(w.id.as_str(), "w-7", "{what}");
    }
}

#[tokio::test]
async fn submit_reconciles_a_create_answered_for_another_invoice() {
    let server = answering("POST", "/v2/withdrawal", json(item("w-x", "INV-OTHER"))).await;
    let mut held = withdrawal("w-8", "INV-8", "2025-08-07T09:08:58Z");
    held["amount"] = "10".into();
    answer_lookups(&server, envelope(vec![held], 0, 100, 1).to_string()).await;
    let done = client_without_check(&server).submit(&request("INV-8")).await.unwrap();
    assert_eq!(done.path, payout_core::SubmitPath::Reconciled);
    assert_eq!(done.withdrawal.id.as_str(), "w-8");
    assert_eq!(posts(&server).await.len(), 1);
}
