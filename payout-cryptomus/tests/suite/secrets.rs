//! No `Debug` output or error message carries the payout key or the merchant uuid.

use crate::common;

use common::*;
use payout_core::{ListQuery, PayoutProvider, Reference, WithdrawalId};
use payout_testkit::secrets::{assert_debug_hides, assert_errors_hide};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn debug_never_shows_a_secret() {
    let server = MockServer::start().await;
    let c = client(&server);
    let config = builder(&server).config().unwrap();
    assert_debug_hides(&[&c, &builder(&server), &config, &c.webhooks()], "TOPSECRET");
}

#[tokio::test]
async fn errors_never_carry_a_secret_even_when_cryptomus_echoes_one() {
    let server = MockServer::start().await;
    let echo = format!(
        r#"{{"state":1,"message":"merchant {MERCHANT} with key {KEY} refused","errors":{{"sign":["{KEY}"]}}}}"#
    );
    for status in [200, 401, 422, 500] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(echo.clone(), "application/json"))
            .mount(&server)
            .await;
        let c = client(&server);
        let errors = [
            c.get_withdrawal(&WithdrawalId::new("u-1")).await.unwrap_err(),
            c.find_withdrawal(&Reference::new("o-1").unwrap()).await.unwrap_err(),
            c.list_withdrawals(&ListQuery::new()).await.unwrap_err(),
            c.create_withdrawal(&request("o-1")).await.unwrap_err(),
        ];
        assert_errors_hide(errors, "TOPSECRET", format!("HTTP {status}"));
    }
}
