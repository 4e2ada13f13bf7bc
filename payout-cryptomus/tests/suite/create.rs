//! `POST /payout`: the exact bytes and headers, the services check, refusals, lost answers and
//! the replay that recovers them.

use crate::common;
use payout_testkit::mock_server::{answer_first, received};

use common::*;
use payout_core::{
    Asset, ErrorKind, FeeFrom, PayoutError, PayoutProvider, PayoutProviderExt, SubmitPath, WithdrawalRequest,
    WithdrawalRequestBuilder, WithdrawalStatus,
};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

#[tokio::test]
async fn the_body_is_php_encoded_signed_and_sent_exactly() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout", ok(payout("a7c0caec-a594-4aaa-b1c4-77d511857594", "process", false))).await;
    let request = WithdrawalRequest::builder()
        .reference("order_1-a")
        .asset(Asset::new("USDT").on("tron"))
        .amount_text("5.10")
        .address("TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm")
        .end_user(payout_core::EndUser::new("u-1").with_name("Never Sent"))
        .fee_from(FeeFrom::Amount)
        .callback_url("https://shop.example/hooks/payout?p=cryptomus")
        .build()
        .unwrap();
    let w = client(&server).create_withdrawal(&request).await.unwrap();
    assert_eq!(w.id.as_str(), "a7c0caec-a594-4aaa-b1c4-77d511857594");
    assert_eq!(w.reference.unwrap().as_str(), "order_1-a");
    assert_eq!(w.status, WithdrawalStatus::Processing);
    let sent = received(&server, "/v1/payout").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        String::from_utf8(sent[0].body.clone()).unwrap(),
        r#"{"amount":"5.10","currency":"USDT","network":"TRON","order_id":"order_1-a","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":false,"url_callback":"https:\/\/shop.example\/hooks\/payout?p=cryptomus"}"#
    );
    assert_signed(&sent[0]);
}

/// A request under `reference` of `amount` USDT on TRON to `address`, for end user `u`; the
/// caller adds the rest.
fn usdt_on_tron(reference: &str, amount: &str, address: &str) -> WithdrawalRequestBuilder {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("USDT").on("TRON"))
        .amount_text(amount)
        .address(address)
        .end_user(payout_core::EndUser::new("u"))
}

/// The spec's example request with the spec's key: the `sign` header is its known answer.
#[tokio::test]
async fn the_spec_request_carries_the_spec_sign() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout", ok(payout("u-1", "process", false))).await;
    let c = builder(&server).payout_key(SPEC_KEY).build().unwrap();
    let request = usdt_on_tron("1", "5", "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm")
        .callback_url("https://your.site/callback")
        .build()
        .unwrap();
    c.create_withdrawal(&request).await.unwrap();
    let sent = received(&server, "/v1/payout").await;
    assert_eq!(sent[0].headers.get("sign").unwrap(), "9f8a94430534666f34694f04f755ee3a");
}

fn services() -> serde_json::Value {
    json!([
        {"network": "TRON", "currency": "USDT", "is_available": true,
         "limit": {"min_amount": "0.50000000", "max_amount": "1000.00000000"},
         "commission": {"fee_amount": "1.00000000", "percent": "0.00"}}
    ])
}

#[tokio::test]
async fn the_services_table_refuses_before_sending_and_is_read_once() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout/services", ok(services())).await;
    answer(&server, "/v1/payout", ok(payout("u-1", "process", false))).await;
    let c = builder(&server).services_check(true).build().unwrap();
    let too_big = usdt_on_tron("o-big", "1000.5", "T1").build().unwrap();
    let e = c.create_withdrawal(&too_big).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(e.field_errors()[0].field, "amount");
    assert!(received(&server, "/v1/payout").await.is_empty(), "nothing was sent");
    c.create_withdrawal(&request("o-1")).await.unwrap();
    c.create_withdrawal(&request("o-2")).await.unwrap();
    let services_read = received(&server, "/v1/payout/services").await;
    assert_eq!(services_read.len(), 1, "kept for its TTL");
    assert_eq!(services_read[0].body, b"{}");
    assert_signed(&services_read[0]);
    assert_eq!(received(&server, "/v1/payout").await.len(), 2);
}

#[tokio::test]
async fn a_422_is_a_refusal_with_its_fields() {
    let server = MockServer::start().await;
    let body = json!({"state": 1, "errors": {"amount": ["validation.required"], "network": ["validation.required"]}});
    answer(&server, "/v1/payout", ResponseTemplate::new(422).set_body_json(body)).await;
    let e = client(&server).submit(&request("o-422")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    let fields: Vec<_> = e.field_errors().iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
    assert_eq!(fields, [("amount", "validation.required"), ("network", "validation.required")]);
    assert_eq!(received(&server, "/v1/payout").await.len(), 1, "a refusal is not sent again");
}

#[tokio::test]
async fn a_state_1_answer_with_200_is_a_refusal_not_an_unknown_outcome() {
    let server = MockServer::start().await;
    let refused = ResponseTemplate::new(200).set_body_json(json!({"state": 1, "message": "Not enough funds"}));
    answer(&server, "/v1/payout", refused).await;
    let e = client(&server).create_withdrawal(&request("o-funds")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert!(e.to_string().contains("Not enough funds"), "{e}");
}

#[tokio::test]
async fn a_bad_sign_is_an_authentication_error() {
    let server = MockServer::start().await;
    answer(&server, "/v1/payout", ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid Sign."}))).await;
    let e = client(&server).create_withdrawal(&request("o-sign")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(e.to_string().contains("payout key"), "{e}");
}

#[tokio::test]
async fn a_lost_answer_is_outcome_unknown_and_never_resent_by_the_http_layer() {
    for answer_lost in [
        ResponseTemplate::new(500).set_body_json(json!({"message": "Server error, #1", "code": 500, "error": null})),
        ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
        ResponseTemplate::new(200).set_body_json(json!({"state": 0, "result": {"status": "process"}})),
    ] {
        let server = MockServer::start().await;
        answer(&server, "/v1/payout", answer_lost).await;
        let e = client(&server).create_withdrawal(&request("o-lost")).await.unwrap_err();
        match &e {
            PayoutError::OutcomeUnknown { reference, .. } => assert_eq!(reference.as_str(), "o-lost"),
            other => panic!("{other:?}"),
        }
        assert_eq!(received(&server, "/v1/payout").await.len(), 1);
    }
}

/// Cryptomus replays a create by `order_id`: after a lost answer, `submit` sends the very same
/// bytes again at once and takes the replayed payout, without a lookup.
#[tokio::test]
async fn submit_recovers_a_lost_answer_by_replaying_the_create() {
    let server = MockServer::start().await;
    answer_first(&server, ("POST", "/v1/payout"), ResponseTemplate::new(502), 1).await;
    answer(&server, "/v1/payout", ok(payout("u-replayed", "check", false))).await;
    let c = client(&server);
    assert!(c.capabilities().supports(payout_core::Capability::IdempotentCreate));
    let s = c.submit(&request("o-replay")).await.unwrap();
    assert_eq!(s.path, SubmitPath::Reconciled);
    assert_eq!(s.withdrawal.id.as_str(), "u-replayed");
    assert_eq!(s.withdrawal.status, WithdrawalStatus::Pending);
    let sent = received(&server, "/v1/payout").await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body, "the same create, byte for byte");
    assert_eq!(sent[0].headers.get("sign"), sent[1].headers.get("sign"));
    assert!(received(&server, "/v1/payout/info").await.is_empty(), "no lookup was needed");
}

/// A timed-out create is sent again at once too: the in-flight window is off for Cryptomus.
#[tokio::test]
async fn a_timed_out_create_is_replayed_at_once() {
    let server = MockServer::start().await;
    let slow = ok(payout("u-slow", "process", false)).set_delay(std::time::Duration::from_millis(400));
    answer_first(&server, ("POST", "/v1/payout"), slow, 1).await;
    answer(&server, "/v1/payout", ok(payout("u-slow", "process", false))).await;
    let c = builder(&server).timeout(std::time::Duration::from_millis(100)).build().unwrap();
    let s = c.submit(&request("o-slow")).await.unwrap();
    assert_eq!((s.path, s.withdrawal.id.as_str()), (SubmitPath::Reconciled, "u-slow"));
    assert_eq!(received(&server, "/v1/payout").await.len(), 2);
}

#[tokio::test]
async fn a_replay_of_another_payout_is_a_duplicate_reference() {
    let server = MockServer::start().await;
    answer_first(&server, ("POST", "/v1/payout"), ResponseTemplate::new(503), 1).await;
    let mut other = payout("u-other", "paid", true);
    other["amount"] = json!("99");
    answer(&server, "/v1/payout", ok(other)).await;
    let e = client(&server).submit(&request("o-other")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference);
}

#[tokio::test]
async fn options_cryptomus_lacks_are_refused_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    let bad = usdt_on_tron("o 1", "5", "T1").build().unwrap();
    assert_eq!(c.create_withdrawal(&bad).await.unwrap_err().field_errors()[0].field, "reference");
    assert!(server.received_requests().await.unwrap().is_empty());
}
