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

/// `2025-08-07T09:08:58.780375195Z`: RFC 3339 in UTC with nine fraction digits, as AlpPay's
/// withdrawal examples show.
pub(crate) fn rfc3339_nanos(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
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
        assert_eq!(rfc3339_nanos(t), "2025-08-07T09:08:58.780375195Z");
        let t = time::macros::datetime!(2025-08-07 09:08:58 UTC);
        assert_eq!(rfc3339_nanos(t), "2025-08-07T09:08:58.000000000Z");
    }
}
