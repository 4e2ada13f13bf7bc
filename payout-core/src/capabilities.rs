//! What a provider can do, said up front so callers need not discover it by error.

use std::fmt;

use serde::{Serialize, Serializer};

/// One operation or option a provider may support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// Creating withdrawals.
    Create,
    /// Getting a withdrawal by the provider's id.
    Get,
    /// Finding a withdrawal by the caller's reference.
    Find,
    /// Listing withdrawals with filters and pages.
    List,
    /// Verifying and parsing webhooks or callbacks.
    Webhook,
    /// Converting on withdrawal, in both forms: an exact amount delivered in another asset
    /// (`amount_to`), or an exact amount debited and converted (`amount` with `convert_to`).
    Convert,
    /// Destination tags or memos.
    Tag,
    /// Sender and receiver data ([`crate::travel::TravelRule`]) sent with a withdrawal.
    TravelRule,
    /// The provider itself replays a create whose reference it already holds: it answers with
    /// the existing withdrawal instead of making a second one (Cryptomus by `order_id`). A
    /// create whose answer was lost may then be sent again at once, with the same reference:
    /// [`submit`](crate::PayoutProviderExt::submit) and the journal do, instead of waiting out
    /// the in-flight window. Declare it only when the provider documents that replay; without
    /// it, a lost answer is reconciled by looking the reference up.
    IdempotentCreate,
}

impl Capability {
    /// Every capability, in a stable order.
    pub const ALL: [Capability; 9] = [
        Capability::Create,
        Capability::Get,
        Capability::Find,
        Capability::List,
        Capability::Webhook,
        Capability::Convert,
        Capability::Tag,
        Capability::TravelRule,
        Capability::IdempotentCreate,
    ];

    /// The lower-case name used in JSON (`"list"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Create => "create",
            Capability::Get => "get",
            Capability::Find => "find",
            Capability::List => "list",
            Capability::Webhook => "webhook",
            Capability::Convert => "convert",
            Capability::Tag => "tag",
            Capability::TravelRule => "travel_rule",
            Capability::IdempotentCreate => "idempotent_create",
        }
    }

    fn bit(self) -> u32 {
        1 << Capability::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set of [`Capability`]s a provider has. Serializes as a JSON array of names.
///
/// ```
/// use payout_core::{Capabilities, Capability};
/// let caps = Capabilities::all().without(Capability::List);
/// assert!(caps.supports(Capability::Find));
/// assert!(!caps.supports(Capability::List));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities(u32);

impl Capabilities {
    /// No capabilities.
    pub const fn none() -> Self {
        Self(0)
    }

    /// Every capability. A provider that does not replay creates by reference leaves out
    /// [`Capability::IdempotentCreate`] (`Capabilities::all().without(..)`).
    pub fn all() -> Self {
        Capability::ALL.into_iter().collect()
    }

    /// This set plus `c`.
    pub fn with(self, c: Capability) -> Self {
        Self(self.0 | c.bit())
    }

    /// This set without `c`.
    pub fn without(self, c: Capability) -> Self {
        Self(self.0 & !c.bit())
    }

    /// Whether `c` is in the set.
    pub fn supports(self, c: Capability) -> bool {
        self.0 & c.bit() != 0
    }

    /// The capabilities in the set, in [`Capability::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL.into_iter().filter(move |c| self.supports(*c))
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        iter.into_iter().fold(Self::none(), Self::with)
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Capability::as_str)).finish()
    }
}

impl Serialize for Capabilities {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Capability::as_str))
    }
}
