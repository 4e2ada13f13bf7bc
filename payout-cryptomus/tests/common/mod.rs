//! What the integration tests share: keys, a client pointed at a wiremock server, bodies.
#![allow(dead_code)]

pub mod sim;

use payout_core::{EndUser, WithdrawalRequest};
use payout_cryptomus::signing::Signer;
use payout_cryptomus::{CryptomusBuilder, CryptomusClient};
use payout_testkit::conformance::RequestTemplate;
use payout_testkit::requests;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const MERCHANT: &str = "8b03432e-385b-4670-8d06-TOPSECRETmerchant";
pub const KEY: &str = "pk_test_TOPSECRETpayoutkey";
/// The key of the spec's test vectors.
pub const SPEC_KEY: &str = "test-payout-key";

pub use payout_sim::backend::fast_retry;

/// A builder for the wiremock server, with the services check off (tests of it turn it on).
pub fn builder(server: &MockServer) -> CryptomusBuilder {
    CryptomusClient::builder()
        .merchant(MERCHANT)
        .payout_key(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .retry(fast_retry())
        .services_check(false)
}

pub fn client(server: &MockServer) -> CryptomusClient {
    builder(server).build().unwrap()
}

/// The simulators' Cryptomus request, of 5 USDT for end user `u-1` (the amount [`payout`] answers).
pub fn request(reference: &str) -> WithdrawalRequest {
    let five = RequestTemplate { amount: dec!(5), end_user: EndUser::new("u-1"), ..requests::cryptomus() };
    five.build(reference).unwrap()
}

/// A payout object as create and info answer it.
pub fn payout(uuid: &str, status: &str, is_final: bool) -> Value {
    json!({
        "uuid": uuid, "amount": "5", "currency": "USDT", "network": "TRON",
        "address": "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", "txid": null, "status": status,
        "is_final": is_final, "balance": 129, "payer_currency": "USDT", "payer_amount": 5
    })
}

/// `{"state":0,"result":…}`.
pub fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "state": 0, "result": result }))
}

/// Answers `POST {route}` with `answer`.
pub async fn answer(server: &MockServer, route: &str, answer: ResponseTemplate) {
    Mock::given(method("POST")).and(path(route)).respond_with(answer).mount(server).await;
}

/// Checks that `r` carries the merchant header and a `sign` over exactly its body bytes.
pub fn assert_signed(r: &Request) {
    let header = |name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("merchant").as_deref(), Some(MERCHANT));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    let sign = header("sign").expect("a sign header");
    assert_eq!(sign, Signer::new(&KEY.into()).sign(&r.body), "signed over the bytes sent");
    assert_eq!(sign.len(), 32);
    assert!(sign.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "lowercase hex: {sign}");
}
