//! What goes on the wire: exact bytes, headers, method and path of every call, and the
//! signature over exactly the bytes sent.

use crate::common;

use common::*;
use payout_core::{Asset, EndUser, PayoutProvider, Reference, WithdrawalId, WithdrawalRequest};
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Checks the headers every AlphaPo request carries and returns the body as text.
fn signed_body(request: &wiremock::Request) -> String {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap_or_else(|| panic!("missing {name}"))
            .to_str()
            .expect("header is text")
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("x-processing-key"), KEY);
    let signature = header("x-processing-signature");
    assert_eq!(signature, sign(&request.body), "the signature is the HMAC of exactly the bytes sent");
    assert_eq!(signature.len(), 128);
    assert!(signature.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "lowercase hex");
    String::from_utf8(request.body.clone()).expect("the body is UTF-8")
}

/// Mounts the answer to `verb route`, which the test must ask for exactly once.
async fn answer_once(server: &MockServer, verb: &str, route: &str, status: u16, body: &str) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn create_sends_the_seed_body_signed() {
    let server = MockServer::start().await;
    answer_once(&server, "POST", "/api/v2/withdrawal/crypto", 201, SEED_ANSWER).await;

    client(&server).create_withdrawal(&seed_request()).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/api/v2/withdrawal/crypto");
    assert_eq!(r.url.query(), None);
    assert_eq!(signed_body(r), SEED_BODY);
}

#[tokio::test]
async fn create_with_conversion_tag_and_token_codes() {
    let server = MockServer::start().await;
    answer_once(&server, "POST", "/api/v2/withdrawal/crypto", 201,
        r#"{"data":{"id":5,"foreign_id":"conv-1","end_user_reference":"u-7","type":"withdrawal_exchange","status":"processing",
            "amount":"25.00","sender_amount":"25.00","sender_currency":"EUR","receiver_currency":"XRP","receiver_amount":"40.500000"}}"#,
    )
    .await;
    let request = WithdrawalRequest::builder()
        .reference("conv-1")
        .asset(Asset::new("EUR"))
        .amount_to(Asset::new("XRP"), dec!(40.5))
        .address("rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY")
        .tag("104599")
        .end_user(EndUser::new("u-7").with_name("Grace Hopper").with_email("grace@example.com"))
        .build()
        .unwrap();

    let w = client(&server).create_withdrawal(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(
        signed_body(&received[0]),
        r#"{"currency":"EUR","foreign_id":"conv-1","end_user_reference":"u-7","address":"rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY","convert_to":"XRP","amount_to":"40.500000","tag":"104599"}"#
    );
    assert_eq!(w.asset, Some(Asset::new("XRP")));
    assert_eq!(w.amount, Some(dec!(40.5)));
    assert_eq!(w.tag.as_deref(), Some("104599"));
}

#[tokio::test]
async fn usdt_on_tron_is_usdtt_with_six_decimals() {
    let server = MockServer::start().await;
    answer_once(&server, "POST", "/api/v2/withdrawal/crypto", 201,
        r#"{"data":{"id":9,"foreign_id":"t-1","end_user_reference":"u","type":"withdrawal","status":"processing",
            "amount":"12.100000","sender_amount":"12.100000","sender_currency":"USDTT","receiver_currency":"USDTT","receiver_amount":"12.100000"}}"#,
    )
    .await;
    let request = WithdrawalRequest::builder()
        .reference("t-1")
        .asset(Asset::new("usdt").on("Tron"))
        .amount(dec!(12.1))
        .address("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf")
        .end_user(EndUser::new("u"))
        .build()
        .unwrap();
    let w = client(&server).create_withdrawal(&request).await.unwrap();
    let body = signed_body(&server.received_requests().await.unwrap()[0]);
    assert!(body.starts_with(r#"{"currency":"USDTT","#) && body.ends_with(r#""amount":"12.100000"}"#), "{body}");
    assert_eq!(w.asset, Some(Asset::new("USDT").on("tron")));
}

#[tokio::test]
async fn get_is_a_signed_get_with_an_id_body() {
    let server = MockServer::start().await;
    answer_once(&server, "GET", "/api/v2/transactions/info", 200, INFO_EXAMPLE).await;

    client(&server).get_withdrawal(&WithdrawalId::new("2769144")).await.unwrap();

    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(r.url.path(), "/api/v2/transactions/info");
    assert_eq!(signed_body(r), r#"{"id":2769144}"#);
}

#[tokio::test]
async fn find_is_a_signed_get_with_a_foreign_id_body() {
    let server = MockServer::start().await;
    answer_once(&server, "GET", "/api/v2/transactions/info", 200, INFO_EXAMPLE).await;

    let reference = Reference::new("withdrawal:823188").unwrap();
    let found = client(&server).find_withdrawal(&reference).await.unwrap();
    assert_eq!(found.unwrap().reference, Some(reference));

    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(signed_body(r), r#"{"foreign_id":"withdrawal:823188"}"#);
}

#[tokio::test]
async fn a_reference_with_quotes_is_escaped_and_still_signed() {
    let server = MockServer::start().await;
    let not_found = r#"{"errors":{"foreign_id":"Transaction not found."}}"#;
    answer_once(&server, "GET", "/api/v2/transactions/info", 404, not_found).await;
    let reference = Reference::new(r#"a"b\c/ü"#).unwrap();
    assert_eq!(client(&server).find_withdrawal(&reference).await.unwrap(), None);
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(signed_body(r), r#"{"foreign_id":"a\"b\\c/ü"}"#);
}

#[tokio::test]
async fn refused_requests_send_nothing() {
    let server = MockServer::start().await;
    let c = client(&server);
    // An id that is not an integer.
    let e = c.get_withdrawal(&WithdrawalId::new("abc")).await.unwrap_err();
    assert_eq!(e.kind(), payout_core::ErrorKind::InvalidRequest);
    // An asset AlphaPo cannot name.
    let request = |asset: Asset, amount, end_user: &str| {
        WithdrawalRequest::builder()
            .reference("r")
            .asset(asset)
            .amount(amount)
            .address("a")
            .end_user(EndUser::new(end_user))
            .build()
            .unwrap()
    };
    let e = c.create_withdrawal(&request(Asset::new("USDT").on("solana"), dec!(1), "u")).await.unwrap_err();
    assert_eq!(e.kind(), payout_core::ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("USDT on tron"), "{e}");
    // Excess precision for AlphaPo (ether has 18 decimals, AlphaPo takes 8).
    let e = c.create_withdrawal(&request(Asset::new("ETH").on("ethereum"), dec!(0.123456789), "u")).await.unwrap_err();
    assert!(e.to_string().contains("at most 8 for ETH"), "{e}");
    // Personal data as the end-user id.
    let e = c.create_withdrawal(&request(Asset::new("BTC"), dec!(1), "someone@example.org")).await.unwrap_err();
    assert_eq!(e.field_errors()[0].field, "end_user.id");
    assert!(server.received_requests().await.unwrap().is_empty());
}
