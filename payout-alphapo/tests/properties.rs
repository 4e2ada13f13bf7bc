//! Properties: no input makes the callback parser panic, amounts go out exactly (scale padded,
//! never rounded), and every signed body verifies.

mod common;

use std::str::FromStr;
use std::sync::LazyLock;

use common::*;
use http::HeaderMap;
use payout_alphapo::mapping::create_body;
use payout_alphapo::signing::Signer;
use payout_core::{Asset, EndUser, ErrorKind, PayoutProvider, WithdrawalRequest};
use proptest::prelude::*;
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

fn signed(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-Processing-Signature", sign(body).parse().unwrap());
    h
}

proptest! {
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
        let request = WithdrawalRequest::builder()
            .reference("p-1")
            .asset(Asset::new("BTC"))
            .amount(amount)
            .address("addr")
            .end_user(EndUser::new("u"))
            .build()
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&create_body(&request).unwrap()).unwrap();
        let text = body["amount"].as_str().unwrap().to_owned();
        prop_assert_eq!(text.split('.').nth(1).map(str::len), Some(8), "{}", text);
        prop_assert_eq!(Decimal::from_str(&text).unwrap(), amount);

        // One more significant place than BTC takes is refused, never rounded.
        let too_fine = Decimal::from_i128_with_scale(i128::from(units) * 10 + 1, 8 + extra);
        if let Ok(request) = WithdrawalRequest::builder()
            .reference("p-1")
            .asset(Asset::new("ETH"))
            .amount(too_fine)
            .address("addr")
            .end_user(EndUser::new("u"))
            .build()
        {
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
