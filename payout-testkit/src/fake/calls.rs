//! The log of calls the fake received, for assertions.

use payout_core::{ListQuery, Reference, WithdrawalId, WithdrawalRequest};

use crate::Operation;

/// One call the fake received, with its key argument. Logged before any scripted fault applies,
/// so a failed call is logged too.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Call {
    /// `create_withdrawal` with this request.
    Create(WithdrawalRequest),
    /// `get_withdrawal` with this id.
    Get(WithdrawalId),
    /// `find_withdrawal` with this reference.
    Find(Reference),
    /// `list_withdrawals` with this query.
    List(ListQuery),
    /// `parse_webhook` with this raw body.
    ParseWebhook(Vec<u8>),
}

impl Call {
    /// The operation called.
    pub fn operation(&self) -> Operation {
        match self {
            Call::Create(_) => Operation::Create,
            Call::Get(_) => Operation::Get,
            Call::Find(_) => Operation::Find,
            Call::List(_) => Operation::List,
            Call::ParseWebhook(_) => Operation::ParseWebhook,
        }
    }

    /// The reference the call named: a create's or a find's.
    pub fn reference(&self) -> Option<&Reference> {
        match self {
            Call::Create(r) => Some(r.reference()),
            Call::Find(r) => Some(r),
            _ => None,
        }
    }
}
