//! AlphaPo's withdrawal object: what `GET /transactions/info` answers at the top level and what a
//! callback carries, in the documented field order.

use serde::Serialize;

use super::NumberOrText;

/// The withdrawal object.
#[derive(Debug, Serialize)]
pub struct Info<'a> {
    /// The withdrawal's id (an integer).
    pub id: NumberOrText<'a>,
    /// The caller's reference.
    pub foreign_id: Option<&'a str>,
    /// The end user's id.
    pub end_user_reference: Option<&'a str>,
    /// `withdrawal` or `withdrawal_exchange`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The destination.
    pub crypto_address: CryptoAddress<'a>,
    /// What left the balance, once the withdrawal is processing or confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_sent: Option<CurrencyAmount<'a>>,
    /// What the recipient got, once the withdrawal is processing or confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_received: Option<CurrencyAmount<'a>>,
    /// The exchange and blockchain transactions, once there are any.
    pub transactions: Vec<Transaction<'a>>,
    /// Always empty in the documented examples.
    pub fees: [(); 0],
    /// The failure reason, or `""`.
    pub error: &'a str,
    /// The raw status (`processing`, `confirmed`, ...).
    pub status: &'a str,
}

/// `crypto_address`: the destination.
#[derive(Debug, Serialize)]
pub struct CryptoAddress<'a> {
    /// The address's id.
    pub id: NumberOrText<'a>,
    /// The currency code received.
    pub currency: Option<&'a str>,
    /// The address.
    pub address: Option<&'a str>,
    /// The destination tag, or `null`.
    pub tag: Option<&'a str>,
}

/// `currency_sent` / `currency_received`.
#[derive(Debug, Serialize)]
pub struct CurrencyAmount<'a> {
    /// The currency code.
    pub currency: Option<&'a str>,
    /// The amount, as AlphaPo prints it (8 decimals).
    pub amount: Option<String>,
}

/// One entry of `transactions`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Transaction<'a> {
    /// The conversion of a `withdrawal_exchange`.
    Exchange {
        /// The transaction's id.
        id: i64,
        /// What was sold.
        currency: &'a str,
        /// What was bought.
        currency_to: &'a str,
        /// `exchange`.
        transaction_type: &'a str,
        /// `exchange`.
        #[serde(rename = "type")]
        kind: &'a str,
        /// The amount sold.
        amount: String,
        /// The amount bought.
        amount_to: String,
    },
    /// The transfer on chain.
    Blockchain {
        /// The transaction's id.
        id: NumberOrText<'a>,
        /// The currency code sent.
        currency: Option<&'a str>,
        /// `blockchain`.
        transaction_type: &'a str,
        /// `withdrawal`.
        #[serde(rename = "type")]
        kind: &'a str,
        /// The destination address.
        address: Option<&'a str>,
        /// The destination tag, or `null`.
        tag: Option<&'a str>,
        /// The amount sent.
        amount: Option<String>,
        /// The transaction hash, `null` until there is one.
        txid: Option<&'a str>,
        /// `"1"` once confirmed, else `"0"`.
        confirmations: &'a str,
    },
}
