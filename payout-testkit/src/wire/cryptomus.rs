//! Cryptomus's payout webhook: its fields before `sign`, in the documented order (the `sign` is
//! appended over their PHP-encoded bytes: see [`signing::cryptomus_signed_body`](crate::signing::cryptomus_signed_body)).

use serde::Serialize;

/// The webhook's fields.
#[derive(Debug, Clone, Serialize)]
pub struct Webhook<'a> {
    /// `payout`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The payout's uuid.
    pub uuid: &'a str,
    /// The caller's reference.
    pub order_id: Option<&'a str>,
    /// The amount asked for, with 8 decimals.
    pub amount: String,
    /// What the balance was debited, with 8 decimals.
    pub merchant_amount: String,
    /// The fee, with 8 decimals.
    pub commission: String,
    /// Whether the status is final.
    pub is_final: bool,
    /// The raw status (`process`, `check`, `paid`, `fail`, `cancel`, `system_fail`, ...).
    pub status: &'a str,
    /// Only failures carry it (`null` when no reason is known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<Option<&'a str>>,
    /// The transaction hash, `null` until there is one.
    pub txid: Option<&'a str>,
    /// The currency code.
    pub currency: Option<&'a str>,
    /// The network, in lower case as the webhook examples print it.
    pub network: Option<String>,
    /// The currency the recipient got.
    pub payer_currency: Option<&'a str>,
    /// What the recipient got, with 8 decimals.
    pub payer_amount: String,
}
