//! Wall-clock time (the RFC 3339 form AlpPay prints is the testkit's `wire::Nanos`).
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

/// `t + d`, saturating instead of overflowing on absurd configurations.
pub(crate) fn add(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    let d = time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
    t.checked_add(d).unwrap_or(t)
}

/// Whether `deadline` has been reached at `now`.
pub(crate) fn reached(now: OffsetDateTime, deadline: OffsetDateTime) -> bool {
    now >= deadline
}
