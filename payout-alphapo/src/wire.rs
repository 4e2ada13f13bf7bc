//! AlphaPo's JSON, exactly as it travels, kept apart from the unified model.
//!
//! Requests are written in the field order of AlphaPo's examples; answers are read tolerantly,
//! because the documented examples disagree with each other (section 4 and 7 of the provider
//! notes): ids are integers, amounts come as strings *or* numbers (read exactly, never through
//! `f64`), `confirmations` as an integer or a string, `tag` as `null` or a string, `txid` may be
//! missing, `null` or even a number (`7.854431205445763e+76`, kept as its text), and
//! `currency_sent`, `currency_received`, `end_user_reference` and `error` are optional.
//! Unknown `type` and `status` values are kept as they are.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// `POST /withdrawal/crypto`: the body of a create. Either `amount` (with or without
/// `convert_to`), or `amount_to` with `convert_to`, is set. The travel-rule fields follow
/// `end_user_reference`, as in the documented example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateWithdrawal<'a> {
    /// The currency debited from the balance (`BTC`, or `EUR` for a withdrawal with exchange).
    pub currency: &'a str,
    /// The caller's unique id of this withdrawal.
    pub foreign_id: &'a str,
    /// The caller's stable id of the end user; no personal data.
    pub end_user_reference: &'a str,
    /// `natural` or `legal` (MiCA sender data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_type: Option<&'a str>,
    /// The sender's data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_data: Option<PartyData<'a>>,
    /// `natural`, `legal` or `self` (an internal transfer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver_type: Option<&'a str>,
    /// The receiver's data (none for `self`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver_data: Option<PartyData<'a>>,
    /// The destination address.
    pub address: &'a str,
    /// The amount of `currency`, written with the currency's precision (`"0.00020000"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The currency the funds are converted into before sending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convert_to: Option<&'a str>,
    /// The exact amount of `convert_to` the recipient gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_to: Option<String>,
    /// The destination tag or memo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<&'a str>,
}

/// `sender_data` / `receiver_data`: a natural person's names and date of birth, or a legal
/// entity's name and country, each with an optional e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartyData<'a> {
    /// A person's first name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
    /// A person's last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<&'a str>,
    /// A person's date of birth, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// A company's registered name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<&'a str>,
    /// A company's country of registration (`DEU`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_of_registration: Option<&'a str>,
    /// An e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
}

/// `GET /transactions/info`: the signed JSON body naming exactly one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lookup<'a> {
    /// `{"id": 123}`: by AlphaPo's id.
    Id(u64),
    /// `{"foreign_id": "..."}`: by the caller's id (withdrawals only).
    ForeignId(&'a str),
}

/// The `201` answer to a create: `{"data": {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Created {
    /// The withdrawal created.
    pub data: CreatedWithdrawal,
}

/// A create's answer with the withdrawal left as its text, for
/// [`RawJson::decode`](payout_core::RawJson::decode) to read once.
#[derive(Debug, Deserialize)]
pub struct CreatedText<'a> {
    /// The withdrawal created, as sent.
    #[serde(borrow)]
    pub data: &'a serde_json::value::RawValue,
}

/// The withdrawal in a create's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreatedWithdrawal {
    /// AlphaPo's id (an integer, kept as text).
    pub id: Text,
    /// The caller's id, echoed.
    pub foreign_id: Option<Text>,
    /// The end user's id, echoed.
    pub end_user_reference: Option<String>,
    /// `withdrawal` or `withdrawal_exchange` (kept as sent).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Always `processing` in the documented examples; the outcome comes later.
    pub status: String,
    /// The amount, in the sender currency.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub amount: Option<Decimal>,
    /// The amount debited.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub sender_amount: Option<Decimal>,
    /// The currency debited.
    pub sender_currency: Option<String>,
    /// The currency the recipient gets.
    pub receiver_currency: Option<String>,
    /// The amount the recipient gets.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub receiver_amount: Option<Decimal>,
}

/// A transaction as `/transactions/info` returns it (top level, no `data` wrapper) and as
/// callbacks carry it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transaction {
    /// AlphaPo's id; the same as the create's `data.id`.
    pub id: Text,
    /// The caller's id of a withdrawal.
    pub foreign_id: Option<Text>,
    /// The end user's id, when one was given.
    pub end_user_reference: Option<String>,
    /// `withdrawal`, `withdrawal_exchange`, `deposit`, `deposit_exchange`, `exchange`, or
    /// anything newer (kept as sent).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The destination (for a withdrawal) with its currency and tag.
    pub crypto_address: Option<CryptoAddress>,
    /// What left the balance.
    pub currency_sent: Option<CurrencyAmount>,
    /// What the recipient gets.
    pub currency_received: Option<CurrencyAmount>,
    /// The blockchain, internal and exchange legs.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub transactions: Vec<Leg>,
    /// Fees charged.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub fees: Vec<Fee>,
    /// Why it failed (`""` or `null` on success).
    pub error: Option<String>,
    /// `pending`, `not_confirmed`, `confirmed`, `cancelled`, `declined`, `processing`, or
    /// anything newer (kept as sent).
    pub status: String,
}

/// The `crypto_address` object.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CryptoAddress {
    /// AlphaPo's id of the address.
    pub id: Option<Text>,
    /// Its currency.
    pub currency: Option<String>,
    /// The address.
    pub address: Option<String>,
    /// The tag or memo, if any.
    pub tag: Option<Text>,
    /// The conversion target, in older examples.
    pub convert_to: Option<String>,
}

/// `currency_sent` and `currency_received`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CurrencyAmount {
    /// The currency code.
    pub currency: Option<String>,
    /// The amount.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub amount: Option<Decimal>,
    /// Deposits only: the amount after fees.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub amount_minus_fee: Option<Decimal>,
}

/// One leg in `transactions`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Leg {
    /// AlphaPo's id of the leg.
    pub id: Option<Text>,
    /// Its currency.
    pub currency: Option<String>,
    /// For an exchange leg: the currency converted into.
    pub currency_to: Option<String>,
    /// `blockchain`, `internal` or `exchange`.
    pub transaction_type: Option<String>,
    /// `withdrawal`, `deposit` or `exchange`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The address, for a blockchain leg.
    pub address: Option<String>,
    /// The tag, for a blockchain leg.
    pub tag: Option<Text>,
    /// The amount.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub amount: Option<Decimal>,
    /// For an exchange leg: the amount converted into.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub amount_to: Option<Decimal>,
    /// The blockchain transaction hash (or an internal id), once there is one.
    pub txid: Option<Text>,
    /// Confirmations so far (an integer or a string on the wire).
    pub confirmations: Option<Text>,
    /// Deposits only: the risk score.
    pub riskscore: Option<Text>,
}

/// One entry in `fees`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Fee {
    /// `mining`, `withdrawal`, `fee_crypto_deposit_wallet_client`…
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Its currency.
    pub currency: Option<String>,
    /// The amount.
    #[serde(default, with = "payout_core::amount::serde_str_opt")]
    pub amount: Option<Decimal>,
}

/// A scalar AlphaPo sends as a string or as a number, kept as text: a number keeps its exact
/// JSON text (`7.854431205445763e+76` stays that, `3` stays `3`), never passing through `f64`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Text(pub String);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, or `None` when it is empty or only white space.
    pub fn non_empty(&self) -> Option<&str> {
        let t = self.0.trim();
        (!t.is_empty()).then_some(t)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&serde_json::value::RawValue>::deserialize(d)?;
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(text).map(Text).map_err(serde::de::Error::custom),
            Some(b'-' | b'0'..=b'9') => Ok(Text(text.to_owned())),
            _ => Err(serde::de::Error::custom(format!("expected a string or a number, got `{text}`"))),
        }
    }
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_body_is_in_the_documented_order() {
        let body = CreateWithdrawal {
            currency: "BTC",
            foreign_id: "test_foreign_id_0148",
            end_user_reference: "test_end_user_reference",
            sender_type: None,
            sender_data: None,
            receiver_type: None,
            receiver_data: None,
            address: "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc",
            amount: Some("0.00020000".into()),
            convert_to: None,
            amount_to: None,
            tag: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"currency":"BTC","foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.00020000"}"#
        );
    }

    /// The CryptoProcessing page's example with MiCA data, byte for byte.
    #[test]
    fn create_body_with_travel_rule_data_is_in_the_documented_order() {
        let body = CreateWithdrawal {
            currency: "BTC",
            foreign_id: "test_foreign_id_0148",
            end_user_reference: "test_end_user_reference",
            sender_type: Some("legal"),
            sender_data: Some(PartyData {
                legal_name: Some("Example GmbH"),
                country_of_registration: Some("DEU"),
                ..PartyData::default()
            }),
            receiver_type: Some("natural"),
            receiver_data: Some(PartyData {
                first_name: Some("Friedrich"),
                last_name: Some("Müller"),
                date_of_birth: Some("1995-08-17".into()),
                ..PartyData::default()
            }),
            address: "tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc",
            amount: Some("0.00003000".into()),
            convert_to: None,
            amount_to: None,
            tag: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"currency":"BTC","foreign_id":"test_foreign_id_0148","end_user_reference":"test_end_user_reference","sender_type":"legal","sender_data":{"legal_name":"Example GmbH","country_of_registration":"DEU"},"receiver_type":"natural","receiver_data":{"first_name":"Friedrich","last_name":"Müller","date_of_birth":"1995-08-17"},"address":"tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc","amount":"0.00003000"}"#
        );
    }

    #[test]
    fn lookups() {
        assert_eq!(serde_json::to_string(&Lookup::Id(2769144)).unwrap(), r#"{"id":2769144}"#);
        assert_eq!(serde_json::to_string(&Lookup::ForeignId("a\"b")).unwrap(), r#"{"foreign_id":"a\"b"}"#);
    }

    #[test]
    fn text_takes_strings_and_numbers_exactly() {
        let t: Vec<Option<Text>> =
            serde_json::from_str(r#"["abc", 3, 7.854431205445763e+76, null, "", -1.5]"#).unwrap();
        let shown: Vec<Option<&str>> = t.iter().map(|t| t.as_ref().map(Text::as_str)).collect();
        assert_eq!(shown, [Some("abc"), Some("3"), Some("7.854431205445763e+76"), None, Some(""), Some("-1.5")]);
        assert!(serde_json::from_str::<Text>("true").is_err());
        assert!(serde_json::from_str::<Text>("{}").is_err());
    }

    #[test]
    fn null_lists_are_empty() {
        let t: Transaction = serde_json::from_str(r#"{"id":1,"status":"confirmed","transactions":null}"#).unwrap();
        assert!(t.transactions.is_empty() && t.fees.is_empty());
    }
}
