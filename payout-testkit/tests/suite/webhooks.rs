//! The provider webhooks are built from a unified withdrawal in each provider's wire shape and
//! signed the way each provider signs.

use payout_core::{Asset, EndUser, OffsetDateTime, ProviderId, Reference, Withdrawal, WithdrawalId, WithdrawalStatus};
use payout_testkit::signing;
use payout_testkit::webhooks;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

fn withdrawal(provider: &'static str, id: &str, status: WithdrawalStatus, raw: &str) -> Withdrawal {
    let mut w = Withdrawal::new(ProviderId::from_static(provider), WithdrawalId::new(id), status, raw);
    w.reference = Some(Reference::new("operation_987").expect("valid"));
    w.end_user = Some(EndUser::new("12345").with_name("Customer Name").with_email("c@example.com"));
    w.asset = Some(Asset::new("BTC"));
    w.amount = Some(dec!(0.01));
    w.address = Some("tb1qurv0m4ufsj8xqejvmn0y43kqew33kvqrrxswgm".into());
    w
}

fn json_of(hook: &webhooks::SignedWebhook) -> Value {
    serde_json::from_slice(&hook.body).expect("JSON")
}

#[test]
fn alphapo_callback_has_the_documented_shape_and_signature() {
    let mut w = withdrawal("alphapo", "123", WithdrawalStatus::Completed, "confirmed");
    w.tx_hash = Some("bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b".into());
    let hook = webhooks::alphapo_callback(&w, "pub-key", b"AbCdEfG123456");

    assert_eq!(hook.headers[webhooks::ALPHAPO_KEY_HEADER], "pub-key");
    let sig = hook.headers[webhooks::ALPHAPO_SIGNATURE_HEADER].to_str().expect("text");
    assert_eq!(sig, signing::alphapo_signature(b"AbCdEfG123456", &hook.body));
    assert!(signing::verify_alphapo(b"AbCdEfG123456", &hook.body, sig));
    assert_eq!(hook.headers["content-type"], "application/json");

    let body = json_of(&hook);
    assert_eq!(
        body,
        json!({
            "id": 123,
            "foreign_id": "operation_987",
            "end_user_reference": "12345",
            "type": "withdrawal",
            "crypto_address": {"id": 123, "currency": "BTC", "address": "tb1qurv0m4ufsj8xqejvmn0y43kqew33kvqrrxswgm", "tag": null},
            "currency_sent": {"currency": "BTC", "amount": "0.01000000"},
            "currency_received": {"currency": "BTC", "amount": "0.01000000"},
            "transactions": [{
                "id": 123, "currency": "BTC", "transaction_type": "blockchain", "type": "withdrawal",
                "address": "tb1qurv0m4ufsj8xqejvmn0y43kqew33kvqrrxswgm", "tag": null, "amount": "0.01000000",
                "txid": "bb040d895ef7141ea0b06b04227d8f5dd4ee12d5b890e6e5633f6439393a666b", "confirmations": "1"
            }],
            "fees": [],
            "error": "",
            "status": "confirmed"
        })
    );
    // No personal data reaches AlphaPo's shape.
    assert!(!hook.body_str().expect("UTF-8").contains("c@example.com"));
}

#[test]
fn alphapo_pending_and_failed_callbacks() {
    let pending = withdrawal("fake", "7", WithdrawalStatus::Pending, "awaiting_approval");
    let body = webhooks::alphapo_callback_body(&pending);
    assert_eq!(body["status"], "pending");
    assert_eq!(body["transactions"], json!([]));
    assert!(body.get("currency_sent").is_none(), "only once processing or confirmed");

    let mut cancelled = withdrawal("fake", "8", WithdrawalStatus::Cancelled, "cancelled");
    cancelled.failure_reason = Some("Not enough money on balance".into());
    let body = webhooks::alphapo_callback_body(&cancelled);
    assert_eq!((&body["status"], &body["error"]), (&json!("cancelled"), &json!("Not enough money on balance")));

    // A non-numeric id is written as text, so a client's refusal of it can be tested.
    let odd = withdrawal("fake", "abc", WithdrawalStatus::Pending, "x");
    assert_eq!(webhooks::alphapo_callback_body(&odd)["id"], "abc");
}

/// Each provider's status written back from a unified one, keeping the raw status when it
/// matches: `(provider, unified, raw, written)`.
#[test]
fn statuses_map_back_and_keep_a_matching_raw_one() {
    use WithdrawalStatus::*;
    let cases = [
        ("alphapo", Pending, "anything", "pending"),
        ("alphapo", Approved, "approved", "not_confirmed"),
        ("alphapo", Processing, "broadcasting", "not_confirmed"),
        ("alphapo", Processing, "processing", "processing"),
        ("alphapo", Completed, "sent", "confirmed"),
        ("alphapo", Cancelled, "CANCELLED", "cancelled"),
        ("alphapo", Rejected, "declined", "declined"),
        ("alphapo", Unknown, "verifying", "verifying"),
        // A raw status that contradicts the unified one is not kept.
        ("alphapo", Completed, "pending", "confirmed"),
        ("alppay", Pending, "awaiting_approval", "OPEN"),
        ("alppay", Approved, "approved", "APPROVED"),
        ("alppay", Processing, "not_confirmed", "APPROVED"),
        ("alppay", Completed, "confirmed", "COMPLETE"),
        ("alppay", Cancelled, "cancelled", "CANCELLED"),
        ("alppay", Rejected, "declined", "CANCELLED"),
        ("alppay", Unknown, "ON_HOLD", "ON_HOLD"),
        ("alppay", Approved, "APPROVED", "APPROVED"),
    ];
    for (provider, status, raw, expected) in cases {
        let w = withdrawal(provider, "1", status, raw);
        let written = if provider == "alphapo" { webhooks::alphapo_status(&w) } else { webhooks::alppay_status(&w) };
        assert_eq!(written, expected, "{provider}: {status} / {raw}");
    }
}

#[test]
fn alppay_webhook_has_the_documented_shape_and_signature() {
    let mut w = withdrawal("alppay", "5f5a8ced-5c6a-4038-9d73-662441242fd3", WithdrawalStatus::Pending, "OPEN");
    w.asset = Some(Asset::new("USDT").on("tron"));
    w.amount = Some(dec!(10));
    w.address = Some("TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n".into());
    w.reference = Some(Reference::new("your-system-invoice-id").expect("valid"));
    let created = OffsetDateTime::from_unix_timestamp_nanos(1_754_557_738_780_375_195).expect("valid");
    w.created_at = Some(created);
    w.updated_at = Some(created + time::Duration::nanoseconds(90));
    let hook = webhooks::alppay_webhook(&w, b"sk_live_abcdef1234567890");

    let sig = hook.headers[webhooks::ALPPAY_SIGNATURE_HEADER].to_str().expect("text");
    assert!(signing::verify_alppay(b"sk_live_abcdef1234567890", &hook.body, sig));
    assert!(!signing::verify_alppay(b"another key", &hook.body, sig));

    assert_eq!(
        json_of(&hook),
        json!({
            "id": "5f5a8ced-5c6a-4038-9d73-662441242fd3", "txnId": "", "amount": "10", "receivedAmount": "0",
            "asset": {"short": "USDT", "name": "Tether", "logoUrl": "https://cryptologos.cc/logos/tether-usdt-logo.png", "network": "tron"},
            "addressFrom": "", "addressTo": "TPSMckmxoQBQWfUcasbUs2cRUdh2EMQu4n", "destTag": "", "status": "OPEN",
            "customer": {"id": 12345, "name": "Customer Name", "email": "c@example.com"},
            "merchant": {"id": 1, "name": "TestMerchant", "email": "merchant@example.com", "siteUrl": "", "logoUrl": ""},
            "invoice": "your-system-invoice-id",
            "createdAt": "2025-08-07T09:08:58.780375195Z", "updatedAt": "2025-08-07T09:08:58.780375285Z",
            "timeToApprove": null
        })
    );
}

#[test]
fn alppay_completed_webhook_carries_the_transaction() {
    let mut w = withdrawal("fake", "u-1", WithdrawalStatus::Completed, "sent");
    w.asset = Some(Asset::new("USDC").on("ethereum"));
    w.tx_hash = Some("0xe7238caa".into());
    w.amount_sent = Some(dec!(0.01));
    w.source_address = Some("TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C".into());
    let body = webhooks::alppay_webhook_body(&w);
    assert_eq!(body["status"], "COMPLETE");
    assert_eq!(body["txnId"], "0xe7238caa");
    assert_eq!(body["receivedAmount"], "0.01");
    assert_eq!(body["addressFrom"], "TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C");
    assert_eq!(body["asset"]["name"], "USD Coin");
}

#[test]
fn changed_bodies_can_be_signed_and_tampered_ones_fail() {
    let w = withdrawal("alphapo", "1", WithdrawalStatus::Pending, "pending");
    let mut body = webhooks::alphapo_callback_body(&w);
    body["status"] = json!("some_new_status");
    let hook = webhooks::sign_alphapo(body.to_string().into_bytes(), "k", b"secret");
    let sig = hook.headers[webhooks::ALPHAPO_SIGNATURE_HEADER].to_str().expect("text").to_owned();
    assert!(signing::verify_alphapo(b"secret", &hook.body, &sig));
    let tampered = hook.tampered();
    assert!(!signing::verify_alphapo(b"secret", &tampered.body, &sig));
    assert!(
        hook.without_header(webhooks::ALPHAPO_SIGNATURE_HEADER)
            .headers
            .get(webhooks::ALPHAPO_SIGNATURE_HEADER)
            .is_none()
    );

    // A key with a control character cannot be a header value: the character is dropped.
    let hook = webhooks::sign_alppay(b"{}".to_vec(), b"k");
    assert!(hook.headers.contains_key(webhooks::ALPPAY_SIGNATURE_HEADER));
    let odd = webhooks::sign_alphapo(b"{}".to_vec(), "ke\ny", b"s");
    assert_eq!(odd.headers[webhooks::ALPHAPO_KEY_HEADER], "key");
}

#[test]
fn a_webhook_becomes_the_post_a_provider_would_make() {
    let w = withdrawal("alppay", "u-1", WithdrawalStatus::Pending, "OPEN");
    let hook = webhooks::alppay_webhook(&w, b"key");
    let request = hook.clone().into_request("/webhooks/withdrawal").expect("a valid URI");
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri().path(), "/webhooks/withdrawal");
    assert_eq!(request.headers(), &hook.headers);
    assert_eq!(request.body(), &hook.body);
    assert!(hook.into_request("not a uri").is_err());
}

/// Cryptomus's payout webhook: the documented fields in their order, PHP-encoded, the `sign` of
/// the body without it as the last key, no signature header.
#[test]
fn cryptomus_webhook_has_the_documented_shape_and_a_sign_inside() {
    let key = b"test-payout-key";
    // The spec's "paid" example (providers/cryptomus.md section 8) and its test vector.
    let mut w = withdrawal("cryptomus", "2b852d86-3cf1-43fb-b1bb-36f0b7d12151", WithdrawalStatus::Completed, "paid");
    w.reference = Some(Reference::new("129359").expect("valid"));
    w.asset = Some(Asset::new("USDT").on("bsc"));
    w.amount = Some(dec!(207));
    w.sender_amount = Some(dec!(207.3));
    w.tx_hash = Some("0xcf8".into());
    let hook = webhooks::cryptomus_webhook(&w, key);
    assert_eq!(
        hook.body_str().expect("UTF-8"),
        r#"{"type":"payout","uuid":"2b852d86-3cf1-43fb-b1bb-36f0b7d12151","order_id":"129359","amount":"207.00000000","merchant_amount":"207.30000000","commission":"0.30000000","is_final":true,"status":"paid","txid":"0xcf8","currency":"USDT","network":"bsc","payer_currency":"USDT","payer_amount":"207.00000000","sign":"873f68f7db4cc4b2a492e8d6996ae11c"}"#
    );
    assert!(signing::verify_cryptomus_webhook(key, &hook.body));
    assert!(!signing::verify_cryptomus_webhook(key, &hook.tampered().body));
    assert_eq!(hook.headers.len(), 1, "only the content type: {:?}", hook.headers);

    // A failure names its reason (null when none) and has no hash; a changed field can be
    // signed again and still verifies.
    let mut failed = w.clone();
    failed.status = WithdrawalStatus::Cancelled;
    failed.provider_status = "fail".into();
    failed.tx_hash = None;
    failed.failure_reason = Some("AML".into());
    let mut fields = webhooks::cryptomus_webhook_body(&failed);
    let body = json_of(&webhooks::sign_cryptomus(&fields, key));
    assert_eq!(
        (&body["status"], &body["is_final"], &body["fail_reason"]),
        (&json!("fail"), &json!(true), &json!("AML"))
    );
    assert!(body["txid"].is_null());
    fields.as_object_mut().expect("an object").remove("fail_reason");
    fields["url"] = json!("https://example.com/a");
    let hook = webhooks::sign_cryptomus(&fields, key);
    assert!(hook.body_str().expect("UTF-8").contains(r#""url":"https:\/\/example.com\/a""#));
    assert!(signing::verify_cryptomus_webhook(key, &hook.body));
}

/// The Cryptomus column of the status table, with `is_final` beside the status: `(unified,
/// raw kept or not, written status, written is_final)`.
#[test]
fn cryptomus_statuses_follow_is_final() {
    use WithdrawalStatus::*;
    let cases = [
        (Pending, "anything", "check", false),
        (Processing, "process", "process", false),
        (Processing, "fail", "fail", false),
        (Processing, "system_fail", "system_fail", false),
        (Approved, "approved", "process", false),
        (Completed, "paid", "paid", true),
        (Cancelled, "cancel", "cancel", true),
        (Cancelled, "fail", "fail", true),
        (Cancelled, "system_fail", "system_fail", true),
        (Cancelled, "cancelled", "cancel", true),
        (Rejected, "declined", "fail", true),
        (Unknown, "on_hold", "on_hold", false),
        // A raw status that contradicts the unified one is not kept.
        (Completed, "fail", "paid", true),
    ];
    for (status, raw, expected, is_final) in cases {
        let w = withdrawal("cryptomus", "1", status, raw);
        assert_eq!(webhooks::cryptomus_status(&w), (expected.to_owned(), is_final), "{status} / {raw}");
    }
    for (raw, is_final, unified) in webhooks::CRYPTOMUS_STATUSES {
        assert_eq!(unified.is_terminal(), *is_final, "{raw}: finality and the unified status agree");
    }
}
