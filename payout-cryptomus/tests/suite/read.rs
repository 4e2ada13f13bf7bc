//! `POST /payout/info` by uuid and by `order_id`, and `POST /payout/list` paged by cursor.

use crate::common;
use payout_testkit::mock_server::{answer_first, received};

use common::*;
use futures::TryStreamExt;
use payout_core::{ErrorKind, ListQuery, PayoutProvider, PayoutProviderExt, Reference, WithdrawalId, WithdrawalStatus};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn get_asks_by_uuid_signed() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout/info", ok(payout("a7c0caec-a594", "paid", true))).await;
    let w = client(&server).get_withdrawal(&WithdrawalId::new("a7c0caec-a594")).await.unwrap();
    assert_eq!((w.status, w.amount_sent.unwrap().to_string().as_str()), (WithdrawalStatus::Completed, "5"));
    let sent = received(&server, "/v1/payout/info").await;
    assert_eq!(sent[0].body, br#"{"uuid":"a7c0caec-a594"}"#);
    assert_signed(&sent[0]);
}

#[tokio::test]
async fn get_of_an_unknown_payout_is_not_found_and_another_payout_is_refused() {
    let server = MockServer::start().await;
    let none = ResponseTemplate::new(422).set_body_json(json!({"state": 1, "message": "Payout not found"}));
    answer(&server, "/v1/payout/info", none).await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("u-404")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);

    let server = MockServer::start().await;
    answer(&server, "/v1/payout/info", ok(payout("u-other", "paid", true))).await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("u-asked")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn find_asks_by_order_id_and_only_an_answer_saying_so_is_none() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout/info", ok(payout("u-1", "process", false))).await;
    let found = client(&server).find_withdrawal(&Reference::new("o-1").unwrap()).await.unwrap().unwrap();
    assert_eq!((found.id.as_str(), found.reference.unwrap().as_str()), ("u-1", "o-1"));
    assert_eq!(received(&server, "/v1/payout/info").await[0].body, br#"{"order_id":"o-1"}"#);

    let server = MockServer::start().await;
    answer(&server, "/v1/payout/info", ResponseTemplate::new(404).set_body_json(json!({"state": 1}))).await;
    assert!(client(&server).find_withdrawal(&Reference::new("o-1").unwrap()).await.unwrap().is_none());

    // A refusal that does not say "not found" proves nothing: an error, never `None`.
    for unclear in [
        ResponseTemplate::new(422).set_body_json(json!({"state": 1, "errors": {"order_id": ["validation.regex"]}})),
        ResponseTemplate::new(200).set_body_json(json!({"state": 1, "message": "Service is temporarily unavailable"})),
        ResponseTemplate::new(200).set_body_json(json!({"state": 1})),
    ] {
        let server = MockServer::start().await;
        answer(&server, "/v1/payout/info", unclear).await;
        assert!(client(&server).find_withdrawal(&Reference::new("o-1").unwrap()).await.is_err());
    }
}

#[tokio::test]
async fn find_refuses_a_reference_longer_than_info_reads() {
    let server = MockServer::start().await;
    let long = Reference::new("r".repeat(33)).unwrap();
    let e = client(&server).find_withdrawal(&long).await.unwrap_err();
    assert_eq!((e.kind(), e.field_errors()[0].field.as_str()), (ErrorKind::InvalidRequest, "reference"));
    assert!(e.to_string().contains("at most 32"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing sent");
}

fn history(items: Vec<serde_json::Value>, next: Option<&str>) -> ResponseTemplate {
    ok(json!({
        "merchant_uuid": "m-1",
        "items": items,
        "paginate": {"count": 2, "hasPages": true, "nextCursor": next, "previousCursor": null, "perPage": 2}
    }))
}

fn item(uuid: &str, order_id: &str, status: &str, is_final: bool) -> serde_json::Value {
    let mut p = payout(uuid, status, is_final);
    p["order_id"] = json!(order_id);
    p["created_at"] = json!("2023-06-21T17:25:55+03:00");
    p
}

/// A server with two history pages: the first without a cursor, the second at `?cursor=c2`.
async fn two_pages(first: Vec<serde_json::Value>, second: Vec<serde_json::Value>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payout/list"))
        .and(query_param("cursor", "c2"))
        .respond_with(history(second, None))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payout/list"))
        .respond_with(history(first, Some("c2")))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn list_all_follows_the_cursor_to_the_end() {
    let server = two_pages(
        vec![item("u-1", "o-1", "paid", true), item("u-2", "o-2", "process", false)],
        vec![item("u-3", "o-3", "fail", true), item("u-4", "o-4", "fail", false)],
    )
    .await;
    let c = client(&server);
    let first = c.list_withdrawals(&ListQuery::new()).await.unwrap();
    assert_eq!((first.next_cursor.as_deref(), first.cursor_paged), (Some("c2"), true));
    let all: Vec<_> = c.list_all(ListQuery::new()).try_collect().await.unwrap();
    let seen: Vec<_> = all.iter().map(|w| (w.id.as_str(), w.status)).collect();
    assert_eq!(
        seen,
        [
            ("u-1", WithdrawalStatus::Completed),
            ("u-2", WithdrawalStatus::Processing),
            ("u-3", WithdrawalStatus::Cancelled),
            ("u-4", WithdrawalStatus::Processing),
        ]
    );
    let sent = received(&server, "/v1/payout/list").await;
    assert_eq!(sent.len(), 3, "one page, then both pages once each, nothing past the end");
    assert_eq!(sent[2].url.query(), Some("cursor=c2"));
    for r in &sent {
        assert_eq!(r.body, b"{}");
        assert_signed(r);
    }
}

#[tokio::test]
async fn filters_are_applied_here_and_an_emptied_page_is_read_past() {
    let server = two_pages(
        vec![item("u-1", "o-1", "process", false), item("u-2", "o-2", "process", false)],
        vec![item("u-3", "o-3", "paid", true)],
    )
    .await;
    let paid = client(&server).list_withdrawals(&ListQuery::new().status(WithdrawalStatus::Completed)).await.unwrap();
    assert_eq!(paid.items.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(), ["u-3"]);
    assert!(!paid.has_more());
}

#[tokio::test]
async fn a_history_without_items_is_a_protocol_error_never_an_empty_page() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout/list", ok(json!({"merchant_uuid": "m"}))).await;
    let e = client(&server).list_withdrawals(&ListQuery::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn reads_are_retried_on_5xx() {
    let server = MockServer::start().await;
    answer_first(&server, ("POST", "/v1/payout/info"), ResponseTemplate::new(503), 2).await;
    answer(&server, "/v1/payout/info", ok(payout("u-1", "check", false))).await;
    let w = client(&server).get_withdrawal(&WithdrawalId::new("u-1")).await.unwrap();
    assert_eq!(w.status, WithdrawalStatus::Pending);
    assert_eq!(received(&server, "/v1/payout/info").await.len(), 3);
}
