//! How AlphaPo's refusals and failures become error categories, and which calls are retried.

use crate::common;

use std::time::Duration;

use common::*;
use payout_alphapo::AlphaPoConfig;
use payout_core::{ErrorKind, PayoutError, PayoutProvider, Reference, WithdrawalId};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn each_403_is_an_authentication_error_with_alphapo_words() {
    let cases = [
        (r#"{"error":"Bad signature header","code":"bad_header_signature"}"#, "ALPHAPO_API_SECRET"),
        (r#"{"error":"No signature header","code":"required_header_signature"}"#, "ALPHAPO_API_SECRET"),
        (r#"{"error":"Bad key header","code":"bad_header_key"}"#, "ALPHAPO_API_KEY"),
        (r#"{"error":"No key header","code":"required_header_key"}"#, "base URL"),
    ];
    for (body, hint) in cases {
        let server = MockServer::start().await;
        answer_create(&server, 403, body).await;
        answer_info(&server, 403, body).await;
        let c = client(&server);
        let e = c.create_withdrawal(&seed_request()).await.unwrap_err();
        let code = serde_json::from_str::<serde_json::Value>(body).unwrap()["code"].as_str().unwrap().to_owned();
        let words = serde_json::from_str::<serde_json::Value>(body).unwrap()["error"].as_str().unwrap().to_owned();
        match &e {
            PayoutError::Authentication { message, status } => {
                assert_eq!(*status, Some(403));
                assert!(message.contains(&words) && message.contains(&code) && message.contains(hint), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(requests(&server).await, 1, "a refused create is not retried");
        let e = c.get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(requests(&server).await, 2, "an authentication failure is not retried");
    }
}

#[tokio::test]
async fn field_errors_are_rejected_with_every_message() {
    let server = MockServer::start().await;
    answer_create(
        &server,
        400,
        r#"{"errors":{"amount":"The amount must be at least 0.001.","address":"The address is invalid."},"error_code":"validation"}"#,
    )
    .await;
    let e = client(&server).create_withdrawal(&seed_request()).await.unwrap_err();
    match &e {
        PayoutError::Rejected { errors, code, status, .. } => {
            assert_eq!(*status, Some(400));
            assert_eq!(code.as_deref(), Some("validation"));
            let pairs: Vec<(&str, &str)> = errors.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
            assert!(pairs.contains(&("amount", "The amount must be at least 0.001.")), "{pairs:?}");
            assert!(pairs.contains(&("address", "The address is invalid.")), "{pairs:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("at least 0.001"), "{e}");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_taken_foreign_id_is_a_duplicate_reference() {
    let server = MockServer::start().await;
    answer_create(&server, 400, r#"{"errors":{"foreign_id":"The foreign id has already been taken."}}"#).await;
    let e = client(&server).create_withdrawal(&seed_request()).await.unwrap_err();
    match e {
        PayoutError::DuplicateReference { reference } => assert_eq!(reference.as_str(), "test_foreign_id_0148"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_missing_foreign_id_is_only_rejected() {
    let server = MockServer::start().await;
    answer_create(&server, 400, r#"{"errors":{"foreign_id":"The foreign id field is required."}}"#).await;
    let e = client(&server).create_withdrawal(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
}

#[tokio::test]
async fn bad_content_format_is_rejected_with_its_code() {
    let server = MockServer::start().await;
    answer_create(&server, 400, r#"{"error":"Bad content format","code":"bad_content_format"}"#).await;
    let e = client(&server).create_withdrawal(&seed_request()).await.unwrap_err();
    match e {
        PayoutError::Rejected { message, code, .. } => {
            assert_eq!(message, "Bad content format");
            assert_eq!(code.as_deref(), Some("bad_content_format"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn not_found_and_nothing_found() {
    let server = MockServer::start().await;
    answer_info(&server, 404, r#"{"errors":{"id":"Transaction not found"}}"#).await;
    let c = client(&server);
    let e = c.get_withdrawal(&WithdrawalId::new("42")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("42"), "{e}");
    assert_eq!(c.find_withdrawal(&Reference::new("nobody").unwrap()).await.unwrap(), None);
    assert_eq!(requests(&server).await, 2, "a 404 is an answer, not retried");
}

/// Reads answered `429` with this `Retry-After`.
fn throttled_reads(retry_after: &str) -> Mock {
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(429).insert_header("Retry-After", retry_after))
}

#[tokio::test]
async fn a_read_rides_out_429_with_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    throttled_reads("0").up_to_n_times(2).with_priority(1).mount(&server).await;
    answer_info(&server, 200, INFO_EXAMPLE).await;
    let w = client(&server).get_withdrawal(&WithdrawalId::new("2769144")).await.unwrap();
    assert_eq!(w.id.as_str(), "2769144");
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.body == br#"{"id":2769144}"#), "every attempt sends the same bytes");
}

#[tokio::test]
async fn a_long_retry_after_is_handed_to_the_caller() {
    let server = MockServer::start().await;
    throttled_reads("120").mount(&server).await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(requests(&server).await, 1, "a wait longer than the policy allows is not sat out");
}

#[tokio::test]
async fn a_read_retries_5xx_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    answer_info(&server, 200, INFO_EXAMPLE).await;
    let found = client(&server).find_withdrawal(&Reference::new("withdrawal:823188").unwrap()).await.unwrap();
    assert!(found.is_some());
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn a_read_gives_up_after_its_retries() {
    let server = MockServer::start().await;
    answer_info(&server, 503, "busy").await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(requests(&server).await, 4, "the first attempt and three retries");
}

/// A 5xx, or a 2xx that cannot be read, after a create may have reached AlphaPo.
#[tokio::test]
async fn a_5xx_or_an_unreadable_2xx_on_a_create_is_outcome_unknown_after_exactly_one_request() {
    for (status, body) in [(500, "internal error"), (201, "{\"data\":")] {
        let server = MockServer::start().await;
        answer_create(&server, status, body).await;
        let e = client(&server).create_withdrawal(&seed_request()).await.unwrap_err();
        match e {
            PayoutError::OutcomeUnknown { reference, .. } => assert_eq!(reference.as_str(), "test_foreign_id_0148"),
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(requests(&server).await, 1, "{status}: a create that may have reached AlphaPo is never repeated");
    }
}

#[tokio::test]
async fn an_answer_for_another_reference_is_outcome_unknown() {
    let server = MockServer::start().await;
    answer_create(&server, 201, &SEED_ANSWER.replace("test_foreign_id_0148", "someone_else")).await;
    let e = client(&server).create_withdrawal(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
}

#[tokio::test]
async fn a_create_that_times_out_is_outcome_unknown_after_one_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string(SEED_ANSWER).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let c = AlphaPoConfig::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(format!("{}{BASE}", server.uri()))
        .retry(fast_retry())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let e = c.create_withdrawal(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable_for_reads_and_creates() {
    let c = AlphaPoConfig::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(payout_sim::net::refused_url(BASE))
        .retry(fast_retry())
        .build()
        .unwrap();
    let e = c.get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
    // Nothing can have reached AlphaPo, so a create is simply unavailable, not outcome-unknown.
    let e = c.create_withdrawal(&seed_request()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
}

#[tokio::test]
async fn a_too_large_answer_is_refused() {
    let server = MockServer::start().await;
    answer_info(&server, 200, &format!(r#"{{"id":1,"status":"confirmed","error":"{}"}}"#, "x".repeat(4096))).await;
    let c = AlphaPoConfig::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(format!("{}{BASE}", server.uri()))
        .retry(fast_retry())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let e = c.get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
}

#[tokio::test]
async fn listing_is_unsupported_and_said_up_front() {
    let server = MockServer::start().await;
    let c = client(&server);
    assert!(!c.capabilities().supports(payout_core::Capability::List));
    for cap in [
        payout_core::Capability::Create,
        payout_core::Capability::Get,
        payout_core::Capability::Find,
        payout_core::Capability::Webhook,
        payout_core::Capability::Convert,
        payout_core::Capability::Tag,
    ] {
        assert!(c.capabilities().supports(cap), "{cap}");
    }
    let e = c.list_withdrawals(&payout_core::ListQuery::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(c.id().as_str(), "alphapo");
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test]
async fn a_lookup_answered_for_another_withdrawal_is_a_protocol_error() {
    let server = MockServer::start().await;
    answer_info(&server, 200, INFO_EXAMPLE).await;
    let c = client(&server);
    let e = c.get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    let e = c.find_withdrawal(&Reference::new("another-reference").unwrap()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
}
