//! A withdrawal as every provider reports it, and the update a webhook carries.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::asset::Asset;
use crate::id::{ProviderId, Reference, WithdrawalId};
use crate::raw_json::RawJson;
use crate::request::EndUser;
use crate::status::WithdrawalStatus;

/// A withdrawal, in the same shape whichever provider holds it.
///
/// Fields a provider does not report are `None`; everything the model does not carry is kept in
/// [`Withdrawal::raw`]. Providers build one with [`Withdrawal::new`] and set the rest:
///
/// ```
/// use payout_core::{ProviderId, Withdrawal, WithdrawalId, WithdrawalStatus};
/// let mut w = Withdrawal::new(ProviderId::from_static("ledger"), WithdrawalId::new("42"), WithdrawalStatus::Pending, "queued");
/// w.address = Some("tb1q...".into());
/// assert_eq!(w.provider_status, "queued");
/// ```
///
/// Its JSON (serde) has the keys of the `payout --json` contract: `provider`, `id`, `reference`,
/// `end_user`, `status`, `provider_status`, `asset`, `network`, `amount` (a string, scale kept),
/// `address`, `tag`, `tx_hash`, `created_at`, `updated_at` (RFC 3339), `null` where unknown; plus
/// `amount_sent`, `sender_amount` and `sender_currency` (the debited side of a conversion),
/// `source_address`, `approve_at` and `failure_reason`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "WithdrawalJson", from = "WithdrawalJson")]
#[non_exhaustive]
pub struct Withdrawal {
    /// The provider that holds it.
    pub provider: ProviderId,
    /// The provider's id.
    pub id: WithdrawalId,
    /// The caller's reference (AlphaPo `foreign_id`, AlpPay `invoice`).
    pub reference: Option<Reference>,
    /// The end user paid.
    pub end_user: Option<EndUser>,
    /// The unified status.
    pub status: WithdrawalStatus,
    /// The provider's own status, exactly as it sent it.
    pub provider_status: String,
    /// The asset paid out.
    pub asset: Option<Asset>,
    /// The amount requested.
    pub amount: Option<Decimal>,
    /// The amount actually sent, once known.
    pub amount_sent: Option<Decimal>,
    /// For a conversion, the amount debited from the balance (AlphaPo `sender_amount`), in
    /// [`Withdrawal::sender_currency`]; `asset` and `amount` are then the delivered side.
    pub sender_amount: Option<Decimal>,
    /// For a conversion, the provider's code of the currency debited (AlphaPo `sender_currency`).
    pub sender_currency: Option<String>,
    /// The destination address.
    pub address: Option<String>,
    /// The destination tag or memo.
    pub tag: Option<String>,
    /// The address the funds left from, once known.
    pub source_address: Option<String>,
    /// The blockchain transaction hash, once sent.
    pub tx_hash: Option<String>,
    /// When the provider created it.
    pub created_at: Option<OffsetDateTime>,
    /// When the provider last changed it.
    pub updated_at: Option<OffsetDateTime>,
    /// When the provider will approve it on its own (AlpPay `timeToApprove`), if scheduled.
    pub approve_at: Option<OffsetDateTime>,
    /// Why it failed, when the provider says (AlphaPo `error`).
    pub failure_reason: Option<String>,
    /// The provider's object as the exact text it sent, for anything the model does not carry;
    /// parsed only on demand ([`RawJson::get`], [`RawJson::parse`]). Not part of the JSON form.
    pub raw: RawJson,
}

impl Withdrawal {
    /// A withdrawal with the fields every provider reports; set the others directly.
    pub fn new(
        provider: ProviderId,
        id: WithdrawalId,
        status: WithdrawalStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            provider,
            id,
            reference: None,
            end_user: None,
            status,
            provider_status: provider_status.into(),
            asset: None,
            amount: None,
            amount_sent: None,
            sender_amount: None,
            sender_currency: None,
            address: None,
            tag: None,
            source_address: None,
            tx_hash: None,
            created_at: None,
            updated_at: None,
            approve_at: None,
            failure_reason: None,
            raw: RawJson::default(),
        }
    }
}

/// The flat JSON form of [`Withdrawal`]: the `payout --json` contract.
#[derive(Serialize, Deserialize)]
struct WithdrawalJson {
    provider: ProviderId,
    id: WithdrawalId,
    reference: Option<Reference>,
    end_user: Option<String>,
    status: WithdrawalStatus,
    provider_status: String,
    asset: Option<String>,
    network: Option<String>,
    #[serde(with = "crate::amount::serde_str_opt")]
    amount: Option<Decimal>,
    #[serde(default, with = "crate::amount::serde_str_opt")]
    amount_sent: Option<Decimal>,
    #[serde(default, with = "crate::amount::serde_str_opt")]
    sender_amount: Option<Decimal>,
    #[serde(default)]
    sender_currency: Option<String>,
    address: Option<String>,
    tag: Option<String>,
    #[serde(default)]
    source_address: Option<String>,
    tx_hash: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    created_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    updated_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    approve_at: Option<OffsetDateTime>,
    #[serde(default)]
    failure_reason: Option<String>,
}

impl From<Withdrawal> for WithdrawalJson {
    fn from(w: Withdrawal) -> Self {
        Self {
            provider: w.provider,
            id: w.id,
            reference: w.reference,
            end_user: w.end_user.map(|u| u.id),
            status: w.status,
            provider_status: w.provider_status,
            network: w.asset.as_ref().and_then(|a| a.network().map(str::to_owned)),
            asset: w.asset.map(|a| a.symbol().to_owned()),
            amount: w.amount,
            amount_sent: w.amount_sent,
            sender_amount: w.sender_amount,
            sender_currency: w.sender_currency,
            address: w.address,
            tag: w.tag,
            source_address: w.source_address,
            tx_hash: w.tx_hash,
            created_at: w.created_at,
            updated_at: w.updated_at,
            approve_at: w.approve_at,
            failure_reason: w.failure_reason,
        }
    }
}

impl From<WithdrawalJson> for Withdrawal {
    fn from(j: WithdrawalJson) -> Self {
        let asset = j.asset.map(|s| match j.network {
            Some(n) => Asset::new(s).on(n),
            None => Asset::new(s),
        });
        Self {
            provider: j.provider,
            id: j.id,
            reference: j.reference,
            end_user: j.end_user.map(EndUser::new),
            status: j.status,
            provider_status: j.provider_status,
            asset,
            amount: j.amount,
            amount_sent: j.amount_sent,
            sender_amount: j.sender_amount,
            sender_currency: j.sender_currency,
            address: j.address,
            tag: j.tag,
            source_address: j.source_address,
            tx_hash: j.tx_hash,
            created_at: j.created_at,
            updated_at: j.updated_at,
            approve_at: j.approve_at,
            failure_reason: j.failure_reason,
            raw: RawJson::default(),
        }
    }
}

/// What a verified webhook or callback says about one withdrawal.
///
/// Providers send the whole withdrawal object, so the update carries a [`Withdrawal`]. Expect
/// duplicates and out-of-order deliveries: apply it with [`crate::receiver::apply`], which
/// compares it with what you hold (timestamps when both sides have them, else
/// [`WithdrawalStatus::transition_to`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WithdrawalUpdate {
    /// The withdrawal as the provider describes it now.
    pub withdrawal: Withdrawal,
}

impl WithdrawalUpdate {
    /// An update carrying this withdrawal.
    pub fn new(withdrawal: Withdrawal) -> Self {
        Self { withdrawal }
    }
}
