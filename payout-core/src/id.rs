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
