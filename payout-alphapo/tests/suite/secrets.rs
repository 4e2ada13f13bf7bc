//! The key and the secret never show up in `Debug` output or error messages.

use crate::common;

use common::*;
use payout_alphapo::AlphaPoConfig;
use payout_core::{PayoutError, PayoutProvider, Reference, WithdrawalId};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn assert_clean(text: &str) {
    assert!(!text.contains(KEY), "the key leaked: {text}");
    assert!(!text.contains(SECRET), "the secret leaked: {text}");
}

fn shown(e: &PayoutError) -> String {
    format!("{e} {e:?} {e:#?}")
}

#[tokio::test]
async fn debug_of_config_builder_and_client_hides_both() {
    let server = MockServer::start().await;
    let builder = AlphaPoConfig::builder().api_key(KEY).api_secret(SECRET).base_url(format!("{}{BASE}", server.uri()));
    assert_clean(&format!("{builder:?} {builder:#?}"));
    let config = builder.build().unwrap();
    assert_clean(&format!("{config:?} {config:#?}"));
    let c = client(&server);
    assert_clean(&format!("{c:?} {c:#?}"));
    assert!(format!("{c:?}").contains(&server.uri()), "the base URL is shown");
}

#[tokio::test]
async fn no_error_message_carries_them() {
    let server = MockServer::start().await;
    let c = client(&server);
    let mut errors = Vec::new();

    for (status, body) in [
        (403, r#"{"error":"Bad signature header","code":"bad_header_signature"}"#),
        (400, r#"{"errors":{"amount":"The amount must be at least 0.001."}}"#),
        (404, ""),
        (500, "oops"),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        errors.push(c.create_withdrawal(&seed_request()).await.unwrap_err());
        errors.push(c.get_withdrawal(&WithdrawalId::new("1")).await.unwrap_err());
        if let Err(e) = c.find_withdrawal(&Reference::new("r").unwrap()).await {
            errors.push(e);
        }
    }
    errors.push(c.get_withdrawal(&WithdrawalId::new("x")).await.unwrap_err());
    errors.push(c.parse_webhook(&http::HeaderMap::new(), b"{}").unwrap_err());
    let mut wrong_key = http::HeaderMap::new();
    wrong_key.insert("X-Processing-Key", "other".parse().unwrap());
    wrong_key.insert("X-Processing-Signature", sign(b"{}").parse().unwrap());
    errors.push(c.parse_webhook(&wrong_key, b"{}").unwrap_err());
    // A header-unsafe key is refused without being shown.
    errors.push(AlphaPoConfig::builder().api_key(format!("{KEY}\nX")).api_secret(SECRET).build().unwrap_err());

    assert!(errors.len() >= 12);
    for e in &errors {
        assert_clean(&shown(e));
    }
}
