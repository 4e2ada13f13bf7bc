//! No `Debug` output, error message or request line carries a key.

use crate::common;

use common::*;
use payout_alppay::AlpPayClient;
use payout_core::{ListQuery, PayoutProvider, WithdrawalId};
use payout_testkit::secrets::{assert_debug_hides, assert_errors_hide};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn debug_never_shows_a_key() {
    let server = MockServer::start().await;
    let alppay = client(&server);
    let config = builder(&server).config().unwrap();
    assert_debug_hides(&[&alppay, &builder(&server), &config, &alppay.webhooks()], "TOPSECRET");
}

#[tokio::test]
async fn errors_never_carry_a_key_even_when_alppay_echoes_one() {
    let server = MockServer::start().await;
    let echo =
        format!(r#"{{"error":"key {API_KEY} rejected; hmac {HMAC_KEY} unknown","errors":{{"key":"{API_KEY}"}}}}"#);
    for status in [400, 401, 404, 500] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(echo.clone(), "application/json"))
            .mount(&server)
            .await;
        let alppay = client(&server);
        let errors = [
            alppay.get_withdrawal(&WithdrawalId::new("w-1")).await.unwrap_err(),
            alppay.list_withdrawals(&ListQuery::new()).await.unwrap_err(),
        ];
        assert_errors_hide(errors, "TOPSECRET", status);
    }
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(echo.clone(), "application/json"))
        .mount(&server)
        .await;
    let e = client(&server).get_withdrawal(&WithdrawalId::new("w-1")).await.unwrap_err();
    assert!(!format!("{e:?}").contains("TOPSECRET"), "protocol errors keep the body, scrubbed: {e:?}");
}

#[tokio::test]
async fn configuration_errors_never_carry_a_key() {
    let e = AlpPayClient::builder().api_key("ak_TOPSECRET\u{1}x").hmac_key(HMAC_KEY).build().unwrap_err();
    assert!(!format!("{e} {e:?}").contains("TOPSECRET"));
    let e = AlpPayClient::builder()
        .api_key(API_KEY)
        .hmac_key(HMAC_KEY)
        .base_url("http://example.com/v2")
        .build()
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("TOPSECRET"));
}
