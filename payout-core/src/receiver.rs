//! Applying webhook and callback updates to the state you store, safely.
//!
//! Providers deliver status changes at least once, not exactly once, and not in order: AlphaPo
//! documents duplicates, retries for hours, and its callbacks carry no timestamp; AlpPay's carry
//! `updatedAt`. [`decide`] compares an incoming [`Withdrawal`] with the one you hold and says
//! what to do; [`apply`] does it on an `Option<Withdrawal>`:
//!
//! - nothing stored yet: [`Decision::Store`];
//! - the same state again: [`Decision::Duplicate`] (acknowledge, change nothing);
//! - an older state delivered late: [`Decision::Stale`] (acknowledge, keep yours). Older means an
//!   earlier `updated_at` when both sides carry one; without timestamps the status order of
//!   [`WithdrawalStatus::transition_to`] decides, and a final status is never moved back;
//! - a legal move forward, or the same status with newer facts (a transaction hash, the amount
//!   sent, a later `updated_at`): [`Decision::Store`];
//! - a move that cannot happen (two different final statuses, or a backward move the provider's
//!   own newer timestamp claims): [`Decision::IllegalMove`] (keep yours, and have a person look:
//!   it is either a provider bug or a reversal this library does not know);
//! - an update about another withdrawal than the one passed in: [`Decision::OtherWithdrawal`].
//!
//! A provider that documents a reversal of a final status (a payout returned after it completed)
//! can allow that one edge with [`Rules::allow_reversal`]; neither AlphaPo nor AlpPay documents
//! one, so the default rules allow none.
//!
//! ```
//! use payout_core::receiver::{apply, Decision};
//! use payout_core::{ProviderId, Withdrawal, WithdrawalId, WithdrawalStatus, WithdrawalUpdate};
//!
//! let w = |status, raw: &str| Withdrawal::new(ProviderId::from_static("alphapo"), WithdrawalId::new("7"), status, raw);
//! let mut stored = None;
//! assert_eq!(apply(&mut stored, WithdrawalUpdate::new(w(WithdrawalStatus::Completed, "confirmed"))), Decision::Store);
//! // A late delivery of an earlier state, then the same callback again:
//! assert_eq!(apply(&mut stored, WithdrawalUpdate::new(w(WithdrawalStatus::Processing, "not_confirmed"))), Decision::Stale);
//! assert_eq!(apply(&mut stored, WithdrawalUpdate::new(w(WithdrawalStatus::Completed, "confirmed"))), Decision::Duplicate);
//! assert_eq!(stored.unwrap().status, WithdrawalStatus::Completed);
//! ```
//!
//! In a web handler: verify the webhook (`PayoutProvider::parse_webhook`), load the stored
//! withdrawal by provider and id, call [`apply`], save if it says [`Decision::Store`], and
//! answer `200 OK` for every decision (a non-2xx answer only makes the provider deliver the same
//! thing again). Do the load, decide and save in one transaction (or under a per-withdrawal
//! lock) so that two deliveries racing each other are decided one after the other.

use std::cmp::Ordering;

use crate::status::{Transition, WithdrawalStatus};
use crate::withdrawal::{Withdrawal, WithdrawalUpdate};

/// What to do with an incoming update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decision {
    /// Store the incoming withdrawal: it is the first one seen, a legal move forward, or newer
    /// facts about the same status.
    Store,
    /// The same state as stored (a duplicate delivery): nothing to do.
    Duplicate,
    /// Older than what is stored (a late delivery): keep what you have.
    Stale,
    /// A move that cannot happen (between two final statuses, or backwards although the
    /// provider says it is newer): keep what you have and look at it.
    IllegalMove,
    /// The update is about another withdrawal (provider or id differ): nothing was compared.
    OtherWithdrawal,
}

impl Decision {
    /// Whether the incoming withdrawal should replace the stored one.
    pub fn stores(self) -> bool {
        self == Decision::Store
    }
}

/// The rules [`decide`] and [`apply`] follow: the core table of
/// [`WithdrawalStatus::transition_to`], plus what a provider documents beyond it (its
/// [`PayoutProvider::status_rules`](crate::PayoutProvider::status_rules)): final-status
/// reversals (none by default) and provisional statuses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    reversals: Vec<(WithdrawalStatus, WithdrawalStatus)>,
    provisional: Vec<String>,
}

impl Rules {
    /// The default rules: no final status is ever left.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows one documented move out of a final status (for example `completed` →
    /// `cancelled` for a provider that reverses payouts). It is applied only when the incoming
    /// update is provably newer (both sides carry `updated_at`) or neither side has a timestamp.
    pub fn allow_reversal(mut self, from: WithdrawalStatus, to: WithdrawalStatus) -> Self {
        self.reversals.push((from, to));
        self
    }

    /// Marks a provider status as *provisional*: one that only a create's answer carries, before
    /// the provider has classified the payout. AlphaPo's create answers always say
    /// `processing`, and a withdrawal over the merchant's limits then waits for review
    /// (`pending`): a move the core table calls backwards.
    ///
    /// - From a provisional status, any move is legal (the first real state follows it);
    /// - to a provisional status from any other, the update is [`Decision::Stale`]: the create's
    ///   answer is older than every lookup and webhook.
    ///
    /// This is a provider's rule, not the core table's, because it rests on that provider's raw
    /// statuses: AlphaPo reports the same internal stage as `not_confirmed` in every lookup and
    /// callback, so a `pending` after `not_confirmed` is still refused as stale. Allowing
    /// `processing → pending` for everyone would let a late review callback overwrite a
    /// withdrawal already on its way to the chain.
    ///
    /// ```
    /// use payout_core::receiver::{Decision, Rules};
    /// use payout_core::{ProviderId, Withdrawal, WithdrawalId, WithdrawalStatus::*};
    /// let w = |status, raw: &str| Withdrawal::new(ProviderId::from_static("alphapo"), WithdrawalId::new("7"), status, raw);
    /// let rules = Rules::new().provisional("processing");
    /// assert_eq!(rules.decide(Some(&w(Processing, "processing")), &w(Pending, "pending")), Decision::Store);
    /// assert_eq!(rules.decide(Some(&w(Pending, "pending")), &w(Processing, "processing")), Decision::Stale);
    /// assert_eq!(rules.decide(Some(&w(Processing, "not_confirmed")), &w(Pending, "pending")), Decision::Stale);
    /// ```
    pub fn provisional(mut self, provider_status: impl Into<String>) -> Self {
        self.provisional.push(provider_status.into());
        self
    }

    fn is_provisional(&self, w: &Withdrawal) -> bool {
        !w.status.is_terminal() && self.provisional.contains(&w.provider_status)
    }

    /// What moving from `stored` to `incoming` means under these rules: the core table, with a
    /// provider's provisional statuses (see [`Rules::provisional`]).
    pub fn transition(&self, stored: &Withdrawal, incoming: &Withdrawal) -> Transition {
        let core = stored.status.transition_to(incoming.status);
        if stored.provider_status == incoming.provider_status {
            return core;
        }
        match (self.is_provisional(stored), self.is_provisional(incoming)) {
            (true, _) if core == Transition::Illegal => Transition::Advance,
            (false, true) => Transition::Illegal,
            _ => core,
        }
    }

    /// What to do with `incoming`, given what is `stored` (if anything).
    pub fn decide(&self, stored: Option<&Withdrawal>, incoming: &Withdrawal) -> Decision {
        let Some(stored) = stored else { return Decision::Store };
        if stored.provider != incoming.provider || stored.id != incoming.id {
            return Decision::OtherWithdrawal;
        }
        let age = match (stored.updated_at, incoming.updated_at) {
            (Some(s), Some(i)) => Some(i.cmp(&s)),
            _ => None,
        };
        if age == Some(Ordering::Less) {
            return Decision::Stale;
        }
        match self.transition(stored, incoming) {
            Transition::Advance => Decision::Store,
            Transition::Unchanged => same_status(stored, incoming, age),
            Transition::Illegal => {
                if self.reversals.contains(&(stored.status, incoming.status)) && age != Some(Ordering::Equal) {
                    Decision::Store
                } else if age == Some(Ordering::Greater)
                    || (stored.status.is_terminal() && incoming.status.is_terminal())
                {
                    Decision::IllegalMove
                } else {
                    Decision::Stale
                }
            }
        }
    }

    /// Decides, and stores `update`'s withdrawal in `stored` when the decision is
    /// [`Decision::Store`].
    pub fn apply(&self, stored: &mut Option<Withdrawal>, update: WithdrawalUpdate) -> Decision {
        let decision = self.decide(stored.as_ref(), &update.withdrawal);
        if decision.stores() {
            *stored = Some(update.withdrawal);
        }
        decision
    }
}

fn raw(w: &Withdrawal) -> Option<&str> {
    (!w.provider_status.is_empty()).then_some(w.provider_status.as_str())
}

/// The same unified status: newer facts are stored, the same facts are a duplicate, fewer facts
/// are a late delivery.
fn same_status(stored: &Withdrawal, incoming: &Withdrawal, age: Option<Ordering>) -> Decision {
    if age == Some(Ordering::Greater) {
        return Decision::Store;
    }
    let facts = [
        (raw(stored), raw(incoming)),
        (stored.tx_hash.as_deref(), incoming.tx_hash.as_deref()),
        (stored.source_address.as_deref(), incoming.source_address.as_deref()),
        (stored.failure_reason.as_deref(), incoming.failure_reason.as_deref()),
    ];
    let sent = (stored.amount_sent, incoming.amount_sent);
    let mut newer = matches!(sent, (None, Some(_)));
    let mut older = matches!(sent, (Some(_), None));
    let mut differs = matches!(sent, (Some(a), Some(b)) if a != b);
    for (s, i) in facts {
        match (s, i) {
            (None, Some(_)) => newer = true,
            (Some(_), None) => older = true,
            (Some(a), Some(b)) if a != b => differs = true,
            _ => {}
        }
    }
    match (newer, older, differs) {
        (false, false, false) => Decision::Duplicate,
        (_, true, _) => Decision::Stale,
        _ => Decision::Store,
    }
}

/// [`Rules::decide`] with the default rules.
pub fn decide(stored: Option<&Withdrawal>, incoming: &Withdrawal) -> Decision {
    Rules::default().decide(stored, incoming)
}

/// [`Rules::apply`] with the default rules.
pub fn apply(stored: &mut Option<Withdrawal>, update: WithdrawalUpdate) -> Decision {
    Rules::default().apply(stored, update)
}
