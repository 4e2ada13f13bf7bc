//! The providers' wire objects as they are sent, written once: the simulators of `payout-sim`
//! fill them from their state to answer lookups and deliver webhooks, and [`webhooks`](crate::webhooks)
//! fills them from a unified `Withdrawal` to build signed webhooks. Field names, order and nesting
//! live here and nowhere else.
//!
//! Each object borrows what it prints; a field the simulator always knows is an `Option` only
//! because a unified `Withdrawal` may not (it is then `null`, as a provider never sends it but a
//! test may want to).

pub mod alphapo;
pub mod alppay;
pub mod cryptomus;

use serde::{Serialize, Serializer};
use time::OffsetDateTime;

/// An id as a JSON number when it is one, else as text (so a test can send a malformed id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberOrText<'a> {
    /// Printed as a number.
    Number(i64),
    /// Printed as a string.
    Text(&'a str),
}

impl<'a> NumberOrText<'a> {
    /// `text` as a number when it parses as one.
    pub fn parse(text: &'a str) -> Self {
        text.parse().map_or(Self::Text(text), Self::Number)
    }
}

impl Serialize for NumberOrText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => s.serialize_i64(*n),
            Self::Text(t) => s.serialize_str(t),
        }
    }
}

/// A time as RFC 3339 in UTC with nine digits of nanoseconds (`2025-08-07T09:08:58.780375195Z`),
/// as AlpPay writes times. Serializes without an intermediate string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nanos(pub OffsetDateTime);

impl std::fmt::Display for Nanos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond()
        )
    }
}

impl Serialize for Nanos {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanos_prints_nine_digits_and_z() {
        let t = time::macros::datetime!(2025-08-07 09:08:58.780375195 UTC);
        assert_eq!(Nanos(t).to_string(), "2025-08-07T09:08:58.780375195Z");
        let t = time::macros::datetime!(2025-08-07 09:08:58 UTC);
        assert_eq!(Nanos(t).to_string(), "2025-08-07T09:08:58.000000000Z");
    }

    #[test]
    fn ids_print_as_numbers_when_they_are() {
        assert_eq!(serde_json::to_string(&NumberOrText::parse("42")).unwrap(), "42");
        assert_eq!(serde_json::to_string(&NumberOrText::parse("x-1")).unwrap(), "\"x-1\"");
    }
}
