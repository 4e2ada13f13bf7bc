//! [`Operation`]: the one name for an operation of a provider under test, shared by the fake's
//! scripted failures and call log, and by `payout-sim`'s fault matrix and money drivers.

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

// In the order a fault matrix renders its columns; each name is the method's
// (`"create_withdrawal"`, `"list_all"`).
payout_core::names!(Operation {
    Create => "create_withdrawal",
    Get => "get_withdrawal",
    Find => "find_withdrawal",
    List => "list_withdrawals",
    ListAll => "list_all",
    Submit => "submit",
    ParseWebhook => "parse_webhook",
});
