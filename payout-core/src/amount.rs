//! Exact decimal amounts: parsed without rounding, written as strings with their scale.
//!
//! Amounts are [`rust_decimal::Decimal`], never floats. Text is parsed with
//! `Decimal::from_str_exact`, which refuses what it cannot hold instead of rounding, and written
//! back with the scale it came with, so `"0.00020000"` stays `"0.00020000"`.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};

use crate::error::PayoutError;

/// Parses an amount exactly, naming `field` in the error.
///
/// Accepts plain decimals (`"0.0002"`, `"10"`) and, for providers that send them, numbers in
/// scientific notation (`"1e-4"`). Refuses empty text, signs other than a leading `-`, and more
/// digits than a decimal holds (28 places): nothing is ever rounded.
///
/// ```
/// use payout_core::amount::parse_exact;
/// assert_eq!(parse_exact("amount", "0.00020000").unwrap().to_string(), "0.00020000");
/// assert!(parse_exact("amount", "0.1234567890123456789012345678901").is_err());
/// assert!(parse_exact("amount", "abc").is_err());
/// ```
pub fn parse_exact(field: &str, text: &str) -> Result<Decimal, PayoutError> {
    parse(text).map_err(|why| PayoutError::invalid_field(field, why))
}

/// Parses an amount that a person or a program typed in, naming `field` in the error.
///
/// Stricter than [`parse_exact`], which reads providers' answers: only a plain decimal is
/// taken, digits with at most one `.` (`"0.0002"`, `"10"`, `"10."`, `".5"`). A sign, an exponent
/// (`1E2` is a hundred: whoever types it meant something else, or slipped), `NaN`, `inf`, hex,
/// `_`, `,` and white space are refused, so that a typo is never paid. Nothing is ever rounded.
///
/// ```
/// use payout_core::amount::parse_typed;
/// assert_eq!(parse_typed("amount", "0.00020000").unwrap().to_string(), "0.00020000");
/// for typo in ["1E2", "2e-4", "-1", "+1", "NaN", "inf", "0x10", "1_000", "1,5", " 1", ""] {
///     assert!(parse_typed("amount", typo).is_err(), "{typo}");
/// }
/// ```
pub fn parse_typed(field: &str, text: &str) -> Result<Decimal, PayoutError> {
    typed(text).map_err(|why| PayoutError::invalid_field(field, why))
}

fn typed(text: &str) -> Result<Decimal, String> {
    let shown: String = text.chars().take(40).collect();
    if text.is_empty() {
        return Err("must be a decimal number, got nothing".into());
    }
    let problem = if let Some(c) = text.chars().find(|c| c.is_whitespace()) {
        Some(format!("contains white space ({c:?})"))
    } else if text.starts_with(['-', '+']) {
        Some("must not carry a sign: give a positive amount such as 0.5".to_owned())
    } else if text.contains(['_', ',', '\'']) {
        Some("must not contain separators (`_`, `,`, `'`): write 1000.5, not 1_000,5".to_owned())
    } else if text.to_ascii_lowercase().starts_with("0x") {
        Some("must be a decimal number, not hex".to_owned())
    } else if text.contains(['e', 'E'])
        && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
    {
        Some("must be written out in plain digits, without an exponent (`1E2` means 100)".to_owned())
    } else if !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        Some("must be a plain decimal number: digits with at most one `.`".to_owned())
    } else if text.matches('.').count() > 1 {
        Some("has more than one `.`".to_owned())
    } else if !text.chars().any(|c| c.is_ascii_digit()) {
        Some("must contain at least one digit".to_owned())
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(format!("`{shown}` {problem}"));
    }
    let normal = match (text.strip_prefix('.'), text.strip_suffix('.')) {
        (Some(frac), _) => format!("0.{frac}"),
        (None, Some(int)) => int.to_owned(),
        (None, None) => text.to_owned(),
    };
    Decimal::from_str_exact(&normal)
        .map_err(|e| format!("`{shown}` cannot be held exactly (at most 28 decimal places and 96 bits): {e}"))
}

fn parse(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("must be a decimal number, got nothing".into());
    }
    if t.contains(['e', 'E']) {
        return Decimal::from_scientific(t)
            .map_err(|e| format!("`{t}` is not a decimal this library can hold exactly: {e}"));
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') || digits.matches('.').count() > 1 {
        return Err(format!("`{t}` is not a decimal number (digits with an optional `.`)"));
    }
    Decimal::from_str_exact(t)
        .map_err(|e| format!("`{t}` cannot be held exactly (at most 28 decimal places and 96 bits): {e}"))
}

/// The number of decimal places an amount really uses (`1.50` uses 1).
pub fn places(amount: Decimal) -> u32 {
    amount.normalize().scale()
}

/// Checks that `amount` is positive and uses at most `max_places` decimals; never rounds.
///
/// ```
/// use payout_core::amount::check;
/// use rust_decimal::Decimal;
/// use std::str::FromStr;
/// let a = Decimal::from_str("0.123456789").unwrap();
/// assert!(check("amount", a, 8).is_err());
/// assert!(check("amount", Decimal::from_str("0.10000000").unwrap(), 6).is_ok());
/// ```
pub fn check(field: &str, amount: Decimal, max_places: u32) -> Result<(), PayoutError> {
    check_message(amount, max_places).map_or(Ok(()), |m| Err(PayoutError::invalid_field(field, m)))
}

/// The amount as a provider's JSON string: positive, at most `max_places` decimals, written with
/// its own scale (`250.00` stays `"250.00"`; zeros past `max_places` are dropped, which changes
/// nothing). More places are refused (the message says why), never rounded.
///
/// ```
/// use payout_core::amount::wire_text;
/// use rust_decimal::Decimal;
/// use std::str::FromStr;
/// assert_eq!(wire_text(Decimal::from_str("250.00").unwrap(), 8).unwrap(), "250.00");
/// assert_eq!(wire_text(Decimal::from_str("1.1000000000").unwrap(), 8).unwrap(), "1.10000000");
/// assert!(wire_text(Decimal::from_str("0.000000001").unwrap(), 8).is_err());
/// ```
pub fn wire_text(amount: Decimal, max_places: u32) -> Result<String, String> {
    if let Some(problem) = check_message(amount, max_places) {
        return Err(problem);
    }
    let mut a = amount;
    if a.scale() > max_places {
        a.rescale(max_places);
    }
    Ok(a.to_string())
}

pub(crate) fn check_message(amount: Decimal, max_places: u32) -> Option<String> {
    if amount <= Decimal::ZERO {
        Some(format!("must be greater than zero, got {amount}"))
    } else if places(amount) > max_places {
        Some(format!(
            "{amount} has {} decimal places but at most {max_places} are allowed; it is refused, not rounded",
            places(amount)
        ))
    } else {
        None
    }
}

/// Writes `amount` with exactly `scale` decimals (`0.0002` at 8 gives `"0.00020000"`), or `None`
/// if that would drop a non-zero digit.
pub fn format_scaled(amount: Decimal, scale: u32) -> Option<String> {
    if places(amount) > scale {
        return None;
    }
    let mut a = amount;
    a.rescale(scale);
    Some(a.to_string())
}

/// Serde helpers for an amount written as a JSON string and read from a string or a number.
///
/// Numbers are read from their exact text (serde_json's `RawValue`), never through `f64`.
/// Use with `#[serde(with = "payout_core::amount::serde_str")]`.
pub mod serde_str {
    use super::*;

    /// Writes the amount as a string with its scale.
    pub fn serialize<S: Serializer>(amount: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(amount)
    }

    /// Reads a string or a number, exactly (from JSON text, or from a `serde_json::Value`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected an amount as a string or number"))?;
        from_raw(raw.get()).map_err(serde::de::Error::custom)
    }

    pub(crate) fn from_raw(text: &str) -> Result<Decimal, String> {
        let inner = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(|e| e.to_string())?
        } else {
            text.to_owned()
        };
        parse(&inner)
    }
}

/// Like [`serde_str`], for an optional amount: `null`, a missing key, or `""` read as `None`.
/// Use with `#[serde(default, with = "payout_core::amount::serde_str_opt")]`.
pub mod serde_str_opt {
    use super::*;

    /// Writes the amount as a string, or `null`.
    pub fn serialize<S: Serializer>(amount: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match amount {
            Some(a) => s.collect_str(a),
            None => s.serialize_none(),
        }
    }

    /// Reads a string, a number, `null` or `""`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let raw = Option::<Box<serde_json::value::RawValue>>::deserialize(d)?;
        match raw.as_deref().map(|r| r.get()) {
            None | Some("null") | Some("\"\"") => Ok(None),
            Some(text) => serde_str::from_raw(text).map(Some).map_err(serde::de::Error::custom),
        }
    }
}
