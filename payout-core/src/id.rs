//! Identifiers: the provider's name, the caller's reference and the provider's withdrawal id.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{FieldError, PayoutError};

/// The name of a provider: `"alphapo"`, `"alppay"`, or a downstream provider's own name.
///
/// ```
/// use payout_core::ProviderId;
/// const LEDGER: ProviderId = ProviderId::from_static("ledger");
/// assert_eq!(LEDGER.as_str(), "ledger");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderId(Cow<'static, str>);

impl ProviderId {
    /// A provider id known at compile time.
    pub const fn from_static(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// A provider id built at run time.
    pub fn new(name: impl Into<String>) -> Self {
        Self(Cow::Owned(name.into()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The caller's unique id of a payout (AlphaPo `foreign_id`, AlpPay `invoice`).
///
/// It is what makes a payout safe to reconcile: keep it stable across retries of the same payout
/// and never reuse it for another. 1 to 255 characters, no control characters, no surrounding
/// white space.
///
/// ```
/// use payout_core::Reference;
/// let r = Reference::new("order-1").unwrap();
/// assert_eq!(r.as_str(), "order-1");
/// assert!(Reference::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Reference(String);

impl Reference {
    /// The longest reference either provider accepts.
    pub const MAX_LEN: usize = 255;

    /// Checks and wraps a reference; the error names the `reference` field and what to fix.
    pub fn new(value: impl Into<String>) -> Result<Self, PayoutError> {
        let value = value.into();
        match Self::problem(&value) {
            None => Ok(Self(value)),
            Some(message) => Err(PayoutError::invalid(vec![FieldError::new("reference", message)])),
        }
    }

    pub(crate) fn problem(value: &str) -> Option<String> {
        let len = value.chars().count();
        if len == 0 {
            Some("must not be empty".into())
        } else if len > Self::MAX_LEN {
            Some(format!("must be at most {} characters, got {len}", Self::MAX_LEN))
        } else if value.chars().any(char::is_control) {
            Some("must not contain control characters".into())
        } else if value.trim() != value {
            Some("must not start or end with white space".into())
        } else {
            None
        }
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Reference::new(s).map_err(serde::de::Error::custom)
    }
}

/// Which characters a provider accepts in a reference, beyond the core's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ReferenceAlphabet {
    /// What [`Reference`] itself allows: any characters but control characters, no surrounding
    /// white space.
    #[default]
    Any,
    /// ASCII letters and digits, `_` and `-` only (Laravel's `alpha_dash`, as Cryptomus checks
    /// `order_id`; this crate keeps to ASCII).
    AsciiAlphaDash,
}

impl ReferenceAlphabet {
    fn admits(self, c: char) -> bool {
        match self {
            ReferenceAlphabet::Any => true,
            ReferenceAlphabet::AsciiAlphaDash => c.is_ascii_alphanumeric() || c == '_' || c == '-',
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ReferenceAlphabet::Any => "any characters but control characters",
            ReferenceAlphabet::AsciiAlphaDash => "ASCII letters, digits, `_` and `-` only",
        }
    }
}

/// A provider's own rules for references, declared by
/// [`PayoutProvider::reference_rules`](crate::PayoutProvider::reference_rules) and checked before
/// anything is sent: the longest reference a create accepts, the characters it accepts, and the
/// longest one its lookup by reference can read. The default is the core's rules (1 to
/// [`Reference::MAX_LEN`] characters, any but control characters).
///
/// ```
/// use payout_core::{ProviderId, Reference, ReferenceAlphabet, ReferenceRules};
/// // Cryptomus: `order_id` is 1..=100 of letters, digits, `_`, `-`; its lookup reads 32 at most.
/// let rules = ReferenceRules::new().max_len(100).alphabet(ReferenceAlphabet::AsciiAlphaDash).lookup_max_len(32);
/// let cryptomus = ProviderId::from_static("cryptomus");
/// assert!(rules.check_create(&cryptomus, &Reference::new("order-1_a").unwrap()).is_ok());
/// let err = rules.check_create(&cryptomus, &Reference::new("order 1").unwrap()).unwrap_err();
/// assert_eq!(err.field_errors()[0].field, "reference");
/// let long = Reference::new("x".repeat(40)).unwrap();
/// assert!(rules.check_create(&cryptomus, &long).is_ok());
/// assert!(rules.check_lookup(&cryptomus, &long).unwrap_err().to_string().contains("32"));
/// assert!(ReferenceRules::default().check_create(&cryptomus, &Reference::new("any text").unwrap()).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferenceRules {
    max_len: usize,
    lookup_max_len: usize,
    alphabet: ReferenceAlphabet,
}

impl Default for ReferenceRules {
    fn default() -> Self {
        Self::new()
    }
}

impl ReferenceRules {
    /// The core's rules: up to [`Reference::MAX_LEN`] characters, any but control characters,
    /// looked up as long as created.
    pub const fn new() -> Self {
        Self { max_len: Reference::MAX_LEN, lookup_max_len: Reference::MAX_LEN, alphabet: ReferenceAlphabet::Any }
    }

    /// These rules with a create taking at most `n` characters (at most [`Reference::MAX_LEN`]).
    pub const fn max_len(mut self, n: usize) -> Self {
        self.max_len = if n < Reference::MAX_LEN { n } else { Reference::MAX_LEN };
        self
    }

    /// These rules with the lookup by reference reading at most `n` characters.
    pub const fn lookup_max_len(mut self, n: usize) -> Self {
        self.lookup_max_len = n;
        self
    }

    /// These rules with only `alphabet`'s characters accepted.
    pub const fn alphabet(mut self, alphabet: ReferenceAlphabet) -> Self {
        self.alphabet = alphabet;
        self
    }

    /// The longest reference a create accepts.
    pub const fn max_len_of_create(&self) -> usize {
        self.max_len
    }

    /// The longest reference the lookup by reference reads.
    pub const fn max_len_of_lookup(&self) -> usize {
        self.lookup_max_len
    }

    /// The characters accepted.
    pub const fn accepted(&self) -> ReferenceAlphabet {
        self.alphabet
    }

    /// What is wrong with `reference` for a create, in words, if anything.
    pub fn problem(&self, reference: &Reference) -> Option<String> {
        let len = reference.as_str().chars().count();
        if len > self.max_len {
            return Some(format!("must be at most {} characters here, got {len}", self.max_len));
        }
        if let Some(c) = reference.as_str().chars().find(|c| !self.alphabet.admits(*c)) {
            return Some(format!("may hold {}; `{}` is not allowed", self.alphabet.describe(), c.escape_default()));
        }
        None
    }

    /// Refuses, before sending, a reference `provider` does not accept for a create: an
    /// invalid-request error naming `reference` and the rule.
    pub fn check_create(&self, provider: &ProviderId, reference: &Reference) -> Result<(), PayoutError> {
        match self.problem(reference) {
            None => Ok(()),
            Some(problem) => Err(PayoutError::invalid(vec![FieldError::new(
                "reference",
                format!("{problem} ({provider}'s rule for references)"),
            )])),
        }
    }

    /// Refuses, before sending, a lookup by a reference longer than `provider`'s lookup reads (a
    /// lookup by a cut reference could find another payout, and one that is refused proves
    /// nothing): an invalid-request error naming `reference`.
    pub fn check_lookup(&self, provider: &ProviderId, reference: &Reference) -> Result<(), PayoutError> {
        let len = reference.as_str().chars().count();
        if len > self.lookup_max_len {
            return Err(PayoutError::invalid(vec![FieldError::new(
                "reference",
                format!(
                    "{provider} looks payouts up by references of at most {} characters, this one has {len}: \
                     it cannot be found by reference (get it by the provider's id, or list)",
                    self.lookup_max_len
                ),
            )]));
        }
        self.check_create(provider, reference)
    }
}

/// The provider's id of a withdrawal (AlphaPo's integer, AlpPay's UUID), kept as text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WithdrawalId(String);

impl WithdrawalId {
    /// Wraps a provider id. Providers check its form themselves (AlphaPo wants digits).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for WithdrawalId {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for WithdrawalId {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// Every id prints as its text: `Display` the text itself, `Debug` the text quoted (no wrapper
/// name, so logs and test failures read like the value).
macro_rules! prints_as_text {
    ($($id:ty),*) => {$(
        impl fmt::Display for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }
    )*};
}

prints_as_text!(ProviderId, Reference, WithdrawalId);
