//! Answers of another shape to `GET /transactions/info`, on the wire (wiremock, exact bytes):
//! only AlphaPo's documented 404 means "no such withdrawal"; an answer that is not the
//! transaction asked about is a protocol error, never "nothing found", and never lets `submit`
//! create the payout again.

use crate::common;

use common::*;
use payout_core::{ErrorKind, PayoutError, PayoutProvider, PayoutProviderExt, Reference, WithdrawalId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REFERENCE: &str = "withdrawal:823188";

fn info_with(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(INFO_EXAMPLE).unwrap();
    edit(v.as_object_mut().unwrap());
    v.to_string()
}

/// Answers to a lookup of `REFERENCE` that say neither "here it is" nor "there is none".
fn unprovable() -> Vec<(u16, String, &'static str)> {
    vec![
        (200, format!(r#"{{"data":{INFO_EXAMPLE}}}"#), "a `data`-wrapped transaction"),
        (200, r#"{"result":"ok"}"#.to_owned(), "an object without the transaction fields"),
        (
            200,
            info_with(|o| {
                o.remove("foreign_id");
            }),
            "no `foreign_id`",
        ),
        (
            200,
            info_with(|o| {
                o.insert("foreign_id".into(), serde_json::Value::Null);
            }),
            "`foreign_id: null`",
        ),
        (
            200,
            info_with(|o| {
                o.insert("foreign_id".into(), "someone-else".into());
            }),
            "another `foreign_id`",
        ),
        (
            200,
            info_with(|o| {
                o.insert("type".into(), "deposit".into());
            }),
            "a deposit",
        ),
        (404, String::new(), "a 404 without a body"),
        (404, "<html><h1>Not Found</h1></html>".to_owned(), "a 404 HTML page"),
        (404, INFO_EXAMPLE.to_owned(), "a 404 carrying a transaction"),
        (
            404,
            r#"{"errors":{"id":"Validation Exception: more than one param is present"}}"#.to_owned(),
            "a 404 refusing the lookup",
        ),
    ]
}

#[tokio::test]
async fn find_refuses_every_answer_that_is_not_the_one_asked_about() {
    for (status, body, what) in unprovable() {
        let server = MockServer::start().await;
        answer_info(&server, status, &body).await;
        let got = client(&server).find_withdrawal(&Reference::new(REFERENCE).unwrap()).await;
        match got {
            Err(e @ PayoutError::Protocol { .. }) => assert!(!e.to_string().is_empty(), "{what}"),
            other => panic!("{what}: expected a protocol error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn find_trusts_the_documented_404_and_the_matching_transaction() {
    for body in [r#"{"errors":{"foreign_id":"Transaction not found."}}"#, r#"{"error":"Not found"}"#] {
        let server = MockServer::start().await;
        answer_info(&server, 404, body).await;
        assert_eq!(client(&server).find_withdrawal(&Reference::new(REFERENCE).unwrap()).await.unwrap(), None, "{body}");
    }
    let server = MockServer::start().await;
    answer_info(&server, 200, INFO_EXAMPLE).await;
    let found = client(&server).find_withdrawal(&Reference::new(REFERENCE).unwrap()).await.unwrap().unwrap();
    assert_eq!(found.id.as_str(), "2769144");
}

#[tokio::test]
async fn get_refuses_a_404_that_is_not_alphapo_s_not_found() {
    for body in ["", "<html>Not Found</html>", r#"{"id":2769144,"status":"confirmed"}"#] {
        let server = MockServer::start().await;
        answer_info(&server, 404, body).await;
        let e = client(&server).get_withdrawal(&WithdrawalId::new("2769144")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{body:?}: {e}");
    }
    let server = MockServer::start().await;
    answer_info(&server, 404, r#"{"errors":{"id":"Transaction not found."}}"#).await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("2769144")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
}

#[tokio::test]
async fn get_by_id_does_not_need_a_foreign_id() {
    let server = MockServer::start().await;
    answer_info(
        &server,
        200,
        &info_with(|o| {
            o.remove("foreign_id");
        }),
    )
    .await;
    let w = client(&server).get_withdrawal(&WithdrawalId::new("2769144")).await.unwrap();
    assert_eq!(w.reference, None);
}

#[tokio::test]
async fn submit_after_a_lost_answer_never_creates_again_on_an_answer_of_another_shape() {
    for (status, body, what) in unprovable() {
        let server = MockServer::start().await;
        answer_info(&server, status, &body.replace(REFERENCE, "test_foreign_id_0148")).await;
        Mock::given(method("POST"))
            .and(path("/api/v2/withdrawal/crypto"))
            .respond_with(ResponseTemplate::new(502))
            .mount(&server)
            .await;
        let e = client(&server).submit(&seed_request()).await.unwrap_err();
        match &e {
            PayoutError::OutcomeUnknown { reference, .. } => assert_eq!(reference.as_str(), "test_foreign_id_0148"),
            other => panic!("{what}: expected outcome_unknown, got {other:?}"),
        }
        let creates =
            server.received_requests().await.unwrap().into_iter().filter(|r| r.method.as_str() == "POST").count();
        assert_eq!(creates, 1, "{what}: the create was sent again");
    }
}
