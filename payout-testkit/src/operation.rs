//! [`Operation`]: the one name for an operation of a provider under test, shared by the fake's
//! scripted failures and call log, and by `payout-sim`'s fault matrix and money drivers.

use std::fmt;

/// An operation of [`PayoutProvider`](payout_core::PayoutProvider) or of its extension trait.
///
/// The [`FakeProvider`](crate::FakeProvider) logs and fails the trait's own methods (`Create`,
/// `Get`, `Find`, `List`, `ParseWebhook`): `ListAll` and `Submit` are built on them, so a fault
/// scripted for either never fires there (script `List` or `Create` instead). `id()` and
/// `capabilities()` are plain accessors: they are neither logged nor failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `create_withdrawal`.
    Create,
    /// `get_withdrawal`.
    Get,
    /// `find_withdrawal`.
    Find,
    /// `list_withdrawals`: one page.
    List,
    /// `list_all`: every page.
    ListAll,
    /// `submit`, the safe create.
    Submit,
    /// `parse_webhook`.
    ParseWebhook,
}

impl Operation {
    /// Every operation, in the order a fault matrix renders its columns.
    pub const ALL: [Operation; 7] = [
        Operation::Create,
        Operation::Get,
        Operation::Find,
        Operation::List,
        Operation::ListAll,
        Operation::Submit,
        Operation::ParseWebhook,
    ];

    /// The method's name (`"create_withdrawal"`, `"list_all"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create_withdrawal",
            Operation::Get => "get_withdrawal",
            Operation::Find => "find_withdrawal",
            Operation::List => "list_withdrawals",
            Operation::ListAll => "list_all",
            Operation::Submit => "submit",
            Operation::ParseWebhook => "parse_webhook",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
