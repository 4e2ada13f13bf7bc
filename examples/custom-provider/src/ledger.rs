//! The ledger file: its entries and their statuses, kept apart from the unified model.

use serde::{Deserialize, Serialize};

/// A ledger entry's own status, as the ledger file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerStatus {
    /// Written, waiting for an operator.
    Queued,
    /// Signed by the operator, being broadcast.
    Signed,
    /// On chain.
    Settled,
    /// Voided before it was signed.
    Voided,
}

/// One payout in the ledger file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The ledger's id (`L-000001`).
    pub id: String,
    /// The caller's reference.
    pub reference: String,
    /// The end user's id.
    pub end_user: String,
    /// The asset's symbol.
    pub asset: String,
    /// The asset's network.
    pub network: Option<String>,
    /// The amount, as exact decimal text.
    pub amount: String,
    /// The destination.
    pub address: String,
    /// The destination tag.
    pub tag: Option<String>,
    /// Where the entry stands.
    pub status: LedgerStatus,
    /// The transaction hash, once settled.
    pub tx_hash: Option<String>,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// The whole file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct LedgerFile {
    pub(crate) next_id: u64,
    pub(crate) entries: Vec<Entry>,
}
