//! Exact amounts: strict parsing of decimal text and fixed-precision formatting.

use rust_decimal::{Decimal, RoundingStrategy};

/// Parses plain decimal text (`"10"`, `"0.00020000"`): ASCII digits with at most one point that
/// has digits on both sides; no sign, exponent, spaces or separators. `None` for anything else.
pub(crate) fn parse_plain(s: &str) -> Option<Decimal> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    Decimal::from_str_exact(s).ok()
}

/// The number of significant decimal places (`0.00020000` → 4): trailing zeros do not count
/// against a currency's precision.
pub(crate) fn significant_scale(d: Decimal) -> u32 {
    d.normalize().scale()
}

/// Rounds toward zero to `precision` decimals (what the receiver of a conversion gets).
pub(crate) fn round_down(d: Decimal, precision: u32) -> Decimal {
    d.round_dp_with_strategy(precision, RoundingStrategy::ToZero)
}

/// Rounds away from zero to `precision` decimals (what the sender of a conversion pays).
pub(crate) fn round_up(d: Decimal, precision: u32) -> Decimal {
    d.round_dp_with_strategy(precision, RoundingStrategy::AwayFromZero)
}

/// `d` with exactly `precision` decimals (`"0.00020000"`), rounding half away from zero if needed.
pub(crate) fn fixed(d: Decimal, precision: u32) -> String {
    let mut r = d.round_dp_with_strategy(precision, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(precision);
    r.to_string()
}

/// `d` without trailing zeros (`"10"`, `"250.5"`), as a Go decimal library prints it.
pub(crate) fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parse() {
        assert_eq!(parse_plain("0.00020000").map(|d| d.to_string()), Some("0.00020000".into()));
        assert_eq!(parse_plain("10").map(|d| d.to_string()), Some("10".into()));
        for bad in ["", ".5", "5.", "-1", "+1", "1e5", " 1", "1 ", "1,5", "0x10", "1.2.3", "NaN"] {
            assert!(parse_plain(bad).is_none(), "{bad:?}");
        }
        assert_eq!(significant_scale(Decimal::from_str_exact("0.00020000").unwrap()), 4);
        assert_eq!(significant_scale(Decimal::from_str_exact("7.0").unwrap()), 0);
    }

    #[test]
    fn formats() {
        let d = Decimal::from_str_exact("0.0002").unwrap();
        assert_eq!(fixed(d, 8), "0.00020000");
        assert_eq!(fixed(Decimal::from_str_exact("1.23456789").unwrap(), 6), "1.234568");
        assert_eq!(plain(Decimal::from_str_exact("250.00").unwrap()), "250");
    }
}
