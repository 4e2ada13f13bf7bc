//! Wall-clock time and the RFC 3339 form the providers print.
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

/// `2025-08-07T09:08:58.780375195Z`: RFC 3339 in UTC with nine fraction digits, as AlpPay's
/// withdrawal examples show. Serializes without an intermediate string.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Nanos(pub(crate) OffsetDateTime);

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

impl serde::Serialize for Nanos {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
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
    fn prints_nine_digits_and_z() {
        let t = time::macros::datetime!(2025-08-07 09:08:58.780375195 UTC);
        assert_eq!(Nanos(t).to_string(), "2025-08-07T09:08:58.780375195Z");
        let t = time::macros::datetime!(2025-08-07 09:08:58 UTC);
        assert_eq!(Nanos(t).to_string(), "2025-08-07T09:08:58.000000000Z");
    }
}
