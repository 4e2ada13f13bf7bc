//! The withdrawal JSON has the contract's keys and keeps an amount's scale.

use crate::common;

use payout_core::{Asset, EndUser, Withdrawal, WithdrawalStatus, amount};
use payout_testkit::contract::WITHDRAWAL_KEYS as CONTRACT_KEYS;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use time::macros::datetime;

#[test]
fn contract_keys_and_values() {
    let mut w = common::withdrawal("134702815", "order-1", WithdrawalStatus::Processing);
    w.provider_status = "not_confirmed".into();
    w.amount = Some(dec!(0.00020000));
    w.asset = Some(Asset::new("USDT").on("tron"));
    w.end_user = Some(EndUser::new("user-1").with_email("hidden@example.com"));
    w.created_at = Some(datetime!(2025-08-07 09:08:58.780375195 UTC));
    let v = serde_json::to_value(&w).unwrap();
    for key in CONTRACT_KEYS {
        assert!(v.get(key).is_some(), "key {key} present in {v}");
    }
    assert_eq!(v["amount"], json!("0.00020000"), "amount is a string with its scale");
    assert_eq!(v["status"], json!("processing"));
    assert_eq!(v["provider_status"], json!("not_confirmed"));
    assert_eq!(v["asset"], json!("USDT"));
    assert_eq!(v["network"], json!("tron"));
    assert_eq!(v["end_user"], json!("user-1"), "only the id, never personal data");
    assert_eq!(v["created_at"], json!("2025-08-07T09:08:58.780375195Z"));
    assert_eq!(v["tag"], Value::Null);
    assert_eq!(v["updated_at"], Value::Null);
    assert!(!v.to_string().contains("hidden@"));
}

#[test]
fn round_trip_keeps_scale() {
    let mut w = common::withdrawal("1", "r", WithdrawalStatus::Completed);
    w.amount = Some(dec!(0.00020000));
    w.amount_sent = Some(dec!(10.10));
    w.tx_hash = Some("0xabc".into());
    let text = serde_json::to_string(&w).unwrap();
    let back: Withdrawal = serde_json::from_str(&text).unwrap();
    assert_eq!(back.amount.unwrap().to_string(), "0.00020000");
    assert_eq!(back.amount_sent.unwrap().to_string(), "10.10");
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}

#[test]
fn amounts_read_from_strings_and_numbers_exactly() {
    #[derive(serde::Deserialize)]
    struct A {
        #[serde(with = "payout_core::amount::serde_str")]
        a: rust_decimal::Decimal,
    }
    let from = |s: &str| serde_json::from_str::<A>(s).map(|x| x.a.to_string());
    assert_eq!(from(r#"{"a":"0.00020000"}"#).unwrap(), "0.00020000");
    assert_eq!(from(r#"{"a":0.0001}"#).unwrap(), "0.0001");
    assert_eq!(from(r#"{"a":10000}"#).unwrap(), "10000");
    assert_eq!(from(r#"{"a":1e-4}"#).unwrap(), "0.0001");
    assert!(from(r#"{"a":"abc"}"#).is_err());
    assert!(from(r#"{"a":null}"#).is_err());
    assert!(from(r#"{"a":7.854431205445763e+76}"#).is_err(), "too large to hold: refused, not rounded");
}

#[test]
fn withdrawals_read_from_a_json_value_too() {
    let mut w = common::withdrawal("1", "r", WithdrawalStatus::Pending);
    w.amount = Some(dec!(0.00020000));
    let value = serde_json::to_value(&w).unwrap();
    let back: Withdrawal = serde_json::from_value(value).unwrap();
    assert_eq!(back.amount.unwrap().to_string(), "0.00020000");
}

#[test]
fn exact_parsing_never_rounds() {
    assert!(amount::parse_exact("amount", "0.12345678901234567890123456789").is_err());
    assert!(amount::parse_exact("amount", "1,5").is_err());
    assert!(amount::parse_exact("amount", "").is_err());
    assert!(amount::parse_exact("amount", "--1").is_err());
    assert_eq!(amount::parse_exact("amount", "-0.5").unwrap(), dec!(-0.5));
    assert_eq!(amount::format_scaled(dec!(0.0002), 8).as_deref(), Some("0.00020000"));
    assert_eq!(amount::format_scaled(dec!(0.123), 2), None);
}
