//! The row model: one [`Entry`] per payout, in one of five [`State`]s.

use payout_core::{OffsetDateTime, ProviderId, Reference, Withdrawal};

/// Where a payout stands in the journal (the contract's five states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Claimed and durable; its request has **provably not** left (it is marked `sent` first).
    /// Only journals written by an earlier version hold it: a fresh claim is now written already
    /// marked `sent`, in one commit.
    Recorded,
    /// Marked sent: its request is leaving or left; the holder has not recorded an answer yet.
    Sent,
    /// The request may have reached the provider but no answer was recorded (a lost answer, a
    /// timeout, or a crash seen by a later worker): look the reference up before anything else.
    Unanswered,
    /// The provider holds the withdrawal; the entry carries the last known state of it.
    Created,
    /// The provider definitely created nothing (refused, invalid, not sent at all).
    Refused,
}

// In life-cycle order; the names are those stored and printed.
payout_core::names!(State, parse: ParseStateError "journal state" {
    Recorded => "recorded",
    Sent => "sent",
    Unanswered => "unanswered",
    Created => "created",
    Refused => "refused",
});

/// Who holds a payout, and until when. Every write of a holder names its generation, so a holder
/// whose lease was taken over changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The holder's id (see [`crate::JournalOptions::owner`]).
    pub owner: String,
    /// Raised by one at every claim and takeover.
    pub generation: i64,
    /// When the holder's claim lapses unless renewed.
    pub expires_at: OffsetDateTime,
}

/// One payout as the journal holds it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Entry {
    /// The provider it is paid through.
    pub provider: ProviderId,
    /// The caller's reference (unique per provider).
    pub reference: Reference,
    /// SHA-256 (hex) of the canonical request: the same reference with another fingerprint is
    /// another payout, refused as a duplicate reference.
    pub fingerprint: String,
    /// What is asked, as JSON (amounts as exact decimal strings).
    pub request: serde_json::Value,
    /// Where it stands.
    pub state: State,
    /// The last known withdrawal, once the provider has one.
    pub withdrawal: Option<Withdrawal>,
    /// How many times its create was sent.
    pub attempts: u32,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// The current holder, when one holds it.
    pub lease: Option<Lease>,
    /// When its create was last sent.
    pub sent_at: Option<OffsetDateTime>,
    /// When `reconcile` looks at it next (a withdrawal not final yet), if it does.
    pub next_check_at: Option<OffsetDateTime>,
    /// When it was first recorded.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

impl Entry {
    /// Whether the outcome of its create is unknown (sent or unanswered without an answer):
    /// what `reconcile` resolves.
    pub fn is_unresolved(&self) -> bool {
        matches!(self.state, State::Sent | State::Unanswered)
    }
}

/// Which entries [`crate::Journal::entries`] returns. Empty lists match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Only this provider's.
    pub provider: Option<ProviderId>,
    /// Only entries in one of these states.
    pub states: Vec<State>,
    /// Only entries with one of these references.
    pub references: Vec<String>,
}

impl EntryFilter {
    /// Every entry.
    pub fn new() -> Self {
        Self::default()
    }

    payout_core::setters! {
        /// Only `provider`'s entries.
        provider(provider: ProviderId) => Some(provider);
        /// Adds a state to match.
        state(state: State) => push(states);
        /// Adds a reference to match.
        reference(reference: impl Into<String>) => push(references);
    }
}

/// Unix milliseconds, the journal's clock (each process's own wall clock).
pub(crate) fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn now_millis() -> i64 {
    millis(OffsetDateTime::now_utc())
}

pub(crate) fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
