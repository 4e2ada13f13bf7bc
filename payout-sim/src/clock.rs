//! Wall-clock time, and the UTC+3 form Cryptomus prints (AlpPay's RFC 3339 form is the
//! testkit's `wire::Nanos`).
//!
//! The simulators use the wall clock (not a monotonic one) because their automatic life cycles are
//! computed from creation timestamps, and those must keep their meaning in a state file that a
//! later process restores.

use std::time::Duration;

use time::OffsetDateTime;

/// Now, in UTC.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The creation times of `n` seeded withdrawals, oldest first: one millisecond apart, the last
/// one millisecond before now.
pub(crate) fn seed_times(n: usize) -> impl Iterator<Item = OffsetDateTime> {
    let now = now();
    (0..n).map(move |k| now - time::Duration::milliseconds(i64::try_from(n - k).unwrap_or(i64::MAX)))
}

/// `2023-06-21T17:25:55+03:00`: RFC 3339 to the second in UTC+3, as Cryptomus's history prints
/// times ("Timezone is UTC+3").
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlusThree(pub(crate) OffsetDateTime);

impl PlusThree {
    const OFFSET: time::UtcOffset = time::macros::offset!(+3);
}

impl std::fmt::Display for PlusThree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.0.to_offset(Self::OFFSET);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+03:00",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl serde::Serialize for PlusThree {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `YYYY-MM-DD H:mm:ss` (hour of one or two digits) read as a time in UTC+3, as Cryptomus's
/// history filters take it; `None` for anything else.
pub(crate) fn parse_plus_three(text: &str) -> Option<OffsetDateTime> {
    let (date, clock) = text.split_once(' ')?;
    let num = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?, 4..=4)?, num(d.next()?, 2..=2)?, num(d.next()?, 2..=2)?);
    let mut c = clock.split(':');
    let (h, min, sec) = (num(c.next()?, 1..=2)?, num(c.next()?, 2..=2)?, num(c.next()?, 2..=2)?);
    if d.next().is_some() || c.next().is_some() {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let clock = time::Time::from_hms(u8::try_from(h).ok()?, u8::try_from(min).ok()?, u8::try_from(sec).ok()?).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(PlusThree::OFFSET))
}

/// `t + d`, saturating instead of overflowing on absurd configurations.
pub(crate) fn add(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    let d = time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
    t.checked_add(d).unwrap_or(t)
}

/// Whether `deadline` has been reached at `now`.
pub(crate) fn reached(now: OffsetDateTime, deadline: OffsetDateTime) -> bool {
    now >= deadline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_three_prints_and_parses() {
        // To the second, and into the next day (and year) in UTC+3.
        for (t, printed) in [
            (time::macros::datetime!(2023-06-21 14:25:55.9 UTC), "2023-06-21T17:25:55+03:00"),
            (time::macros::datetime!(2023-12-31 22:30:00 UTC), "2024-01-01T01:30:00+03:00"),
        ] {
            assert_eq!(PlusThree(t).to_string(), printed);
        }
        let parsed = parse_plus_three("2023-06-21 17:25:55").unwrap();
        assert_eq!(parsed, time::macros::datetime!(2023-06-21 14:25:55 UTC));
        assert_eq!(parse_plus_three("2023-06-21 7:05:00"), Some(time::macros::datetime!(2023-06-21 04:05:00 UTC)));
        for bad in ["2023-06-21", "2023-6-21 17:25:55", "2023-06-21T17:25:55", "2023-13-01 00:00:00", "x", ""] {
            assert!(parse_plus_three(bad).is_none(), "{bad}");
        }
    }
}
