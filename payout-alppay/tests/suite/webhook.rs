//! Webhooks: `X-HMAC` over the raw body, checked before anything of the body is read.

use crate::common;

use common::*;
use http::HeaderMap;
use payout_alppay::WebhookVerifier;
use payout_core::{ErrorKind, PayoutProvider, WithdrawalStatus};
use payout_testkit::signing::alppay_signature;
use wiremock::MockServer;

fn signed(body: &[u8], key: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-HMAC", alppay_signature(key.as_bytes(), body).parse().unwrap());
    h.insert("content-type", "application/json".parse().unwrap());
    h
}

#[tokio::test]
async fn a_signed_webhook_carries_the_withdrawal() {
    let server = MockServer::start().await;
    let alppay = client(&server);
    let update = alppay.parse_webhook(&signed(COMPLETE.as_bytes(), HMAC_KEY), COMPLETE.as_bytes()).unwrap();
    let w = update.withdrawal;
    assert_eq!(w.status, WithdrawalStatus::Completed);
    assert_eq!(w.reference.unwrap().as_str(), "your-system-invoice-id");
    assert_eq!(w.tx_hash.as_deref(), Some("0xe7238caa68382485141be0443d6ba7efd0bd9f6bac5a624bd059acc53af1bf1d19"));
    // Upper-case hex is the same signature.
    let mut upper = HeaderMap::new();
    upper.insert("x-hmac", alppay_signature(HMAC_KEY.as_bytes(), OPEN.as_bytes()).to_uppercase().parse().unwrap());
    assert_eq!(alppay.parse_webhook(&upper, OPEN.as_bytes()).unwrap().withdrawal.status, WithdrawalStatus::Pending);
    assert!(server.received_requests().await.unwrap().is_empty(), "parsing a webhook sends nothing");
}

#[tokio::test]
async fn bad_missing_or_misapplied_signatures_are_refused() {
    let server = MockServer::start().await;
    let alppay = client(&server);
    let body = OPEN.as_bytes();
    let cases = [HeaderMap::new(), signed(body, "another key"), signed(COMPLETE.as_bytes(), HMAC_KEY), {
        let mut h = HeaderMap::new();
        h.insert("x-hmac", "not hex".parse().unwrap());
        h
    }];
    for headers in cases {
        let e = alppay.parse_webhook(&headers, body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Webhook, "{e}");
        assert!(!e.to_string().contains(HMAC_KEY));
    }
    // A body changed by one byte after signing.
    let mut tampered = body.to_vec();
    tampered[10] ^= 1;
    assert_eq!(alppay.parse_webhook(&signed(body, HMAC_KEY), &tampered).unwrap_err().kind(), ErrorKind::Webhook);
}

#[test]
fn a_signed_body_that_is_not_a_withdrawal_is_refused() {
    let verifier = WebhookVerifier::new(&HMAC_KEY.into());
    for body in [&b"{}"[..], b"not json", br#"{"id":"x","status":"OPEN","amount":"lots"}"#] {
        let e = verifier.parse(&signed(body, HMAC_KEY), body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Webhook, "{e}");
    }
    assert!(!format!("{verifier:?}").contains("TOPSECRET"));
}
