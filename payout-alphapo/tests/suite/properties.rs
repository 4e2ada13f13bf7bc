//! Properties: no input makes the callback parser panic, amounts go out exactly (scale padded,
//! never rounded), and every signed body verifies.

use crate::common;

use std::str::FromStr;
use std::sync::LazyLock;

use common::*;
use http::HeaderMap;
use payout_alphapo::mapping::create_body;
use payout_alphapo::signing::Signer;
use payout_core::{Asset, EndUser, ErrorKind, PayoutProvider, WithdrawalRequest};
use payout_testkit::properties::{any_json, assert_amounts_read_exactly, assert_one_changed_byte_is_refused};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rust_decimal::Decimal;
use secrecy::SecretString;

/// One client for every case: building one loads TLS roots, which is slow in a loop.
static CLIENT: LazyLock<payout_alphapo::AlphaPoClient> = LazyLock::new(|| {
    payout_alphapo::AlphaPoConfig::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url("http://127.0.0.1:9/api/v2")
        .build()
        .unwrap()
});

fn offline_client() -> &'static payout_alphapo::AlphaPoClient {
    &CLIENT
}

/// Seeds of failing cases are kept in `proptest-regressions/` (committed) and replayed first.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/properties.txt"))),
        ..ProptestConfig::default()
    }
}

fn signed(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-Processing-Signature", sign(body).parse().unwrap());
    h
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_signed_bytes_parse_or_fail_cleanly(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let c = offline_client();
        if let Err(e) = c.parse_webhook(&signed(&body), &body) {
            prop_assert_eq!(e.kind(), ErrorKind::Webhook);
        }
    }

    #[test]
    fn callback_shaped_json_never_panics(
        id in prop_oneof![Just("1".to_owned()), Just("\"7\"".to_owned()), Just("null".to_owned()), "-?[0-9]{1,30}(\\.[0-9]{1,5})?(e[+-]?[0-9]{1,3})?"],
        amount in prop_oneof![Just("null".to_owned()), Just("\"\"".to_owned()), "-?[0-9]{1,40}(\\.[0-9]{0,40})?", "\"[0-9a-z.e+-]{0,20}\""],
        status in "[a-z_]{0,12}",
        txid in prop_oneof![Just("null".to_owned()), "[0-9]{1,3}(\\.[0-9]{1,16})?e\\+[0-9]{2}", "\"[0-9a-f]{0,64}\""],
        confirmations in prop_oneof![Just("3".to_owned()), Just("\"3\"".to_owned()), Just("true".to_owned())],
    ) {
        let body = format!(
            r#"{{"id":{id},"foreign_id":"r","type":"withdrawal","crypto_address":{{"currency":"BTC","address":"a","tag":{txid}}},
            "currency_sent":{{"currency":"BTC","amount":{amount}}},
            "transactions":[{{"transaction_type":"blockchain","amount":{amount},"txid":{txid},"confirmations":{confirmations}}}],
            "error":null,"status":"{status}"}}"#
        );
        let c = offline_client();
        match c.parse_webhook(&signed(body.as_bytes()), body.as_bytes()) {
            Ok(update) => prop_assert_eq!(update.withdrawal.provider_status, status),
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Webhook),
        }
    }

    #[test]
    fn amounts_go_out_exactly(units in 1u64..10_000_000, places in 0u32..=8, extra in 1u32..=6) {
        let amount = Decimal::from_i128_with_scale(i128::from(units), places);
        let request = request_of("p-1", "BTC", amount, "addr", "u").unwrap();
        let body: serde_json::Value = serde_json::from_slice(&create_body(&request).unwrap()).unwrap();
        let text = body["amount"].as_str().unwrap().to_owned();
        prop_assert_eq!(text.split('.').nth(1).map(str::len), Some(8), "{}", text);
        prop_assert_eq!(Decimal::from_str(&text).unwrap(), amount);

        // One more significant place than BTC takes is refused, never rounded.
        let too_fine = Decimal::from_i128_with_scale(i128::from(units) * 10 + 1, 8 + extra);
        if let Ok(request) = request_of("p-1", "ETH", too_fine, "addr", "u") {
            let e = create_body(&request).unwrap_err();
            prop_assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        }
    }

    #[test]
    fn every_signature_verifies_and_no_other_does(body in proptest::collection::vec(any::<u8>(), 0..256), flip in any::<usize>()) {
        let signer = Signer::new(&SecretString::from(SECRET));
        let signature = signer.sign(&body);
        prop_assert!(signer.verify(&body, &signature));
        prop_assert_eq!(&signature, &sign(&body));
        if !body.is_empty() {
            let mut changed = body.clone();
            let i = flip % changed.len();
            changed[i] ^= 0x01;
            prop_assert!(!signer.verify(&changed, &signature));
        }
    }
}

/// The fields of AlphaPo's lookup object and callback.
const CALLBACK_FIELDS: [&str; 11] = [
    "id",
    "foreign_id",
    "end_user_reference",
    "type",
    "crypto_address",
    "currency_sent",
    "currency_received",
    "transactions",
    "fees",
    "error",
    "status",
];

/// The fields of the create answer's `data`.
const CREATED_FIELDS: [&str; 10] = [
    "id",
    "foreign_id",
    "end_user_reference",
    "type",
    "status",
    "amount",
    "sender_amount",
    "sender_currency",
    "receiver_currency",
    "receiver_amount",
];

fn request_for(reference: &str) -> WithdrawalRequest {
    request_of(reference, "BTC", Decimal::new(1, 3), BTC_ADDRESS, "u-1").unwrap()
}

proptest! {
    #![proptest_config(config())]

    /// Every field of a callback holding any JSON value at all (numbers for strings, strings for
    /// numbers, objects, arrays, huge and negative amounts): a clean answer or a webhook error.
    #[test]
    fn any_json_in_every_callback_field_never_panics(
        values in proptest::collection::vec(any_json("[a-z_]{1,16}", &[]), CALLBACK_FIELDS.len()),
        keep in proptest::collection::vec(any::<bool>(), CALLBACK_FIELDS.len()),
    ) {
        let mut object = serde_json::Map::new();
        for ((field, value), keep) in CALLBACK_FIELDS.iter().zip(values).zip(keep) {
            if keep {
                object.insert((*field).to_owned(), value);
            }
        }
        let body = serde_json::Value::Object(object.clone()).to_string();
        match offline_client().parse_webhook(&signed(body.as_bytes()), body.as_bytes()) {
            Ok(update) => {
                let status = object.get("status").and_then(|s| s.as_str());
                prop_assert_eq!(Some(update.withdrawal.provider_status.as_str()), status);
            }
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Webhook),
        }
        // The lookup answer goes through the same reader.
        if let Ok(tx) = serde_json::from_str::<payout_alphapo::wire::Transaction>(&body) {
            let _ = payout_alphapo::mapping::from_transaction(&tx, serde_json::Value::Null);
        }
    }

    /// The create answer with any JSON value in every field reads cleanly or not at all.
    #[test]
    fn any_json_in_every_create_answer_field_never_panics(
        values in proptest::collection::vec(any_json("[a-z_]{1,16}", &[]), CREATED_FIELDS.len()),
    ) {
        let data: serde_json::Map<String, serde_json::Value> =
            CREATED_FIELDS.iter().map(|f| (*f).to_owned()).zip(values).collect();
        let body = serde_json::json!({ "data": data });
        if let Ok(created) = serde_json::from_value::<payout_alphapo::wire::Created>(body.clone()) {
            let w = payout_alphapo::mapping::from_created(&created.data, body, &request_for("r-1"));
            prop_assert!(w.reference.as_ref().is_some_and(|r| r.as_str() == "r-1"));
        }
    }

    /// Request validation: whatever the caller passes, the builder and the body writer answer
    /// `InvalidRequest` or a request that keeps the rules; they never panic.
    #[test]
    fn request_validation_never_panics_and_keeps_the_rules(
        reference in prop_oneof![".{0,300}", "[a-z0-9-]{1,40}"],
        address in prop_oneof![".{0,80}", "[a-zA-Z0-9]{20,60}"],
        user in prop_oneof![".{0,40}", "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}", "user-[0-9]{1,6}"],
        units in any::<i64>(),
        scale in 0u32..=28,
        code in prop_oneof![Just("BTC".to_owned()), Just("USDT".to_owned()), Just("EUR".to_owned()), Just("XRP".to_owned()), "[A-Z]{2,6}"],
        network in proptest::option::of(prop_oneof![Just("tron".to_owned()), Just("ethereum".to_owned()), "[a-z]{1,10}"]),
        tag in proptest::option::of(".{0,20}"),
    ) {
        let amount = Decimal::new(units, scale);
        let asset = match network { Some(n) => Asset::new(code).on(n), None => Asset::new(code) };
        let mut builder = WithdrawalRequest::builder()
            .reference(reference.clone())
            .asset(asset)
            .amount(amount)
            .address(address.clone())
            .end_user(EndUser::new(user.clone()));
        if let Some(tag) = tag {
            builder = builder.tag(tag);
        }
        match builder.build() {
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidRequest),
            Ok(request) => {
                prop_assert!(amount > Decimal::ZERO);
                prop_assert!((1..=255).contains(&request.reference().as_str().chars().count()));
                prop_assert!(!request.address().is_empty() && !request.address().chars().any(char::is_whitespace));
                match create_body(&request) {
                    Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidRequest),
                    Ok(body) => {
                        let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        // No e-mail address goes out as the end user's id ("@" alone is none).
                        let id = sent["end_user_reference"].as_str().unwrap_or_default().trim();
                        let e_mail = id.split_once('@').is_some_and(|(local, domain)| {
                            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
                        });
                        prop_assert!(!e_mail, "{} went out", id);
                        // The amount goes out as the same number, never rounded.
                        let out = Decimal::from_str(sent["amount"].as_str().unwrap()).unwrap();
                        prop_assert_eq!(out, amount);
                    }
                }
            }
        }
    }

    /// Any id handed to a lookup is AlphaPo's integer or refused before anything is sent.
    #[test]
    fn any_id_is_an_integer_or_refused(id in prop_oneof![".{0,30}", "-?[0-9]{1,30}", " [0-9]{1,5} "]) {
        match payout_alphapo::mapping::numeric_id(&payout_core::WithdrawalId::new(id.clone())) {
            Ok(n) => prop_assert_eq!(Some(n), id.trim().parse::<u64>().ok()),
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidRequest),
        }
    }
}

/// Any change of one byte of a signed body is refused; so is any change of one byte of the
/// signature, except turning a hex letter into its other case (the same signature).
#[test]
fn one_changed_byte_is_refused() {
    let mut headers = HeaderMap::new();
    headers.insert("X-Processing-Key", KEY.parse().unwrap());
    assert_one_changed_byte_is_refused(config(), sign, &headers, "X-Processing-Signature", |h, b| {
        offline_client().parse_webhook(h, b)
    });
}

/// Amounts in answers (a callback's `currency_sent`), of any size, sign and precision, as
/// strings or numbers: read exactly when they are decimals, never rounded, never a panic.
#[test]
fn answer_amounts_are_read_exactly_or_not_at_all() {
    assert_amounts_read_exactly(config(), |text, as_number| {
        let amount = if as_number { text.to_owned() } else { format!("\"{text}\"") };
        let body = format!(
            r#"{{"id":1,"foreign_id":"r","type":"withdrawal","crypto_address":{{"currency":"BTC","address":"a"}},"currency_sent":{{"currency":"BTC","amount":{amount}}},"status":"confirmed"}}"#
        );
        let update = offline_client().parse_webhook(&signed(body.as_bytes()), body.as_bytes());
        update.ok()?.withdrawal.amount_sent
    });
}
