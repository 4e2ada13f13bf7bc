//! The unified withdrawal status and the moves between statuses that are legal.

use serde::{Deserialize, Serialize};

/// Where a withdrawal stands, the same for every provider.
///
/// | status | meaning | terminal | AlphaPo | AlpPay |
/// |---|---|---|---|---|
/// | `pending` | waiting for approval (manual, limits, or an approval timer) | no | `pending` | `OPEN` |
/// | `approved` | approved, not yet sent | no | | `APPROVED` |
/// | `processing` | being built, sent or confirmed on chain | no | `processing`, `not_confirmed` | |
/// | `completed` | sent; final success | yes | `confirmed` | `COMPLETE` |
/// | `cancelled` | not sent, cancelled or failed; final | yes | `cancelled` | `CANCELLED` |
/// | `rejected` | declined by a reviewer; final | yes | `declined` | |
/// | `unknown` | a status this version does not know; the raw one is kept | no | anything else | anything else |
///
/// An unknown provider status is never an error and never a failure: the raw string stays in
/// [`crate::Withdrawal::provider_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalStatus {
    /// Waiting for approval (manual, limits, or an approval timer).
    Pending,
    /// Approved, not yet sent.
    Approved,
    /// Being built, sent or confirmed on chain.
    Processing,
    /// Sent; final success.
    Completed,
    /// Not sent, cancelled or failed; final.
    Cancelled,
    /// Declined by a reviewer; final.
    Rejected,
    /// A provider status this version does not know; not terminal.
    Unknown,
}

/// What moving from one status to another means. See [`WithdrawalStatus::transition_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A legal move forward: apply it.
    Advance,
    /// The same status again (a duplicate or a repeated poll): nothing to do.
    Unchanged,
    /// A move that cannot happen (out of a final status, or backwards): keep what you have.
    Illegal,
}

impl WithdrawalStatus {
    /// Whether the withdrawal has reached its final status (completed, cancelled or rejected).
    pub fn is_terminal(self) -> bool {
        matches!(self, WithdrawalStatus::Completed | WithdrawalStatus::Cancelled | WithdrawalStatus::Rejected)
    }

    /// Position in the life cycle of the known non-final statuses.
    fn rank(self) -> Option<u8> {
        match self {
            WithdrawalStatus::Pending => Some(0),
            WithdrawalStatus::Approved => Some(1),
            WithdrawalStatus::Processing => Some(2),
            _ => None,
        }
    }

    /// What moving from `self` to `next` means, so that a late or duplicate update can never
    /// undo progress:
    ///
    /// - a final status never changes (`completed` never goes back to `processing`);
    /// - the same status again is [`Transition::Unchanged`];
    /// - any non-final status may move to a final one;
    /// - known non-final statuses only move forward: `pending` → `approved` → `processing`
    ///   (steps may be skipped);
    /// - `unknown` may move to or from any non-final status, since its place is unknown.
    ///
    /// A provider can document more (AlphaPo's review after its create answer, `processing` →
    /// `pending`): that is a rule of the provider's, in
    /// [`Rules::provisional`](crate::receiver::Rules::provisional), not of this table.
    ///
    /// ```
    /// use payout_core::{Transition, WithdrawalStatus::*};
    /// assert_eq!(Pending.transition_to(Processing), Transition::Advance);
    /// assert_eq!(Completed.transition_to(Processing), Transition::Illegal);
    /// assert_eq!(Completed.transition_to(Completed), Transition::Unchanged);
    /// assert_eq!(Processing.transition_to(Pending), Transition::Illegal);
    /// ```
    pub fn transition_to(self, next: WithdrawalStatus) -> Transition {
        if self == next {
            return Transition::Unchanged;
        }
        if self.is_terminal() {
            return Transition::Illegal;
        }
        if next.is_terminal() {
            return Transition::Advance;
        }
        match (self.rank(), next.rank()) {
            (Some(a), Some(b)) if b < a => Transition::Illegal,
            _ => Transition::Advance,
        }
    }

    /// Whether moving from `self` to `next` is a legal step forward.
    pub fn can_transition_to(self, next: WithdrawalStatus) -> bool {
        self.transition_to(next) == Transition::Advance
    }
}

// In life-cycle order; the lower-case names are those of JSON and of the command line.
crate::names!(WithdrawalStatus, parse: ParseStatusError "status" {
    Pending => "pending",
    Approved => "approved",
    Processing => "processing",
    Completed => "completed",
    Cancelled => "cancelled",
    Rejected => "rejected",
    Unknown => "unknown",
});
