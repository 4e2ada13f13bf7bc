//! Webhooks through the client: the signature inside the body, the spec's known answer.

use crate::common;

use common::*;
use payout_core::{ErrorKind, PayoutProvider, WithdrawalStatus};
use wiremock::MockServer;

const SPEC_BODY: &str = r#"{"type":"payout","uuid":"2b852d86-3cf1-43fb-b1bb-36f0b7d12151","order_id":"129359","amount":"207.00000000","merchant_amount":"207.30000000","commission":"0.30000000","is_final":true,"status":"paid","txid":"0xcf8","currency":"USDT","network":"bsc","payer_currency":"USDT","payer_amount":"207.00000000","sign":"873f68f7db4cc4b2a492e8d6996ae11c"}"#;

#[tokio::test]
async fn the_spec_vector_is_accepted_with_its_key_and_refused_with_another() {
    let server = MockServer::start().await;
    let c = builder(&server).payout_key(SPEC_KEY).build().unwrap();
    let update = c.parse_webhook(&http::HeaderMap::new(), SPEC_BODY.as_bytes()).unwrap();
    assert_eq!(update.withdrawal.status, WithdrawalStatus::Completed);
    assert_eq!(update.withdrawal.id.as_str(), "2b852d86-3cf1-43fb-b1bb-36f0b7d12151");
    let other = client(&server);
    assert_eq!(
        other.parse_webhook(&http::HeaderMap::new(), SPEC_BODY.as_bytes()).unwrap_err().kind(),
        ErrorKind::Webhook
    );
}

#[tokio::test]
async fn a_webhook_signed_by_the_verifier_reads_back() {
    let server = MockServer::start().await;
    let c = client(&server);
    let payload = br#"{"type":"payout","uuid":"u-9","order_id":"o-9","amount":"1.00000000","merchant_amount":"1.10000000","commission":"0.10000000","is_final":false,"status":"system_fail","fail_reason":"system_error","txid":null,"currency":"USDT","network":"tron","payer_currency":"USDT","payer_amount":"1.00000000"}"#;
    let body = c.webhooks().signed(payload).unwrap();
    let w = c.parse_webhook(&http::HeaderMap::new(), &body).unwrap().withdrawal;
    assert_eq!((w.status, w.reference.unwrap().as_str()), (WithdrawalStatus::Processing, "o-9"));
}
