//! What the journal learns after a create: lookups and webhook updates, applied through
//! [`payout_core::receiver`] (a duplicate changes nothing, a stale update never wins, a final
//! status never moves back), with webhook deliveries deduplicated durably.

use payout_core::receiver::Decision;
use payout_core::{PayoutError, Withdrawal, WithdrawalUpdate};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::{Stmt, Write};
use crate::entry::{State, now_millis};
use crate::error::StoreError;
use crate::journal::Journal;
use crate::provider::JournaledProvider;

/// What [`JournaledProvider::apply_update`] did with an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UpdateOutcome {
    /// Stored: the first news, or a legal move forward, or newer facts.
    Stored,
    /// The same delivery or the same state again: nothing changed.
    Duplicate,
    /// Older than what the journal holds: kept what it holds.
    Stale,
    /// A move that cannot happen (say, between two final statuses): kept what the journal holds;
    /// a person should look.
    IllegalMove,
    /// No journaled payout names this withdrawal: the update is kept in the journal (and folded
    /// into the payout if one names it later), never dropped.
    KeptUnmatched,
}

impl UpdateOutcome {
    fn of(decision: Decision) -> Self {
        match decision {
            Decision::Store => UpdateOutcome::Stored,
            Decision::Duplicate => UpdateOutcome::Duplicate,
            Decision::Stale => UpdateOutcome::Stale,
            _ => UpdateOutcome::IllegalMove,
        }
    }

    /// The name written in the deliveries table and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateOutcome::Stored => "stored",
            UpdateOutcome::Duplicate => "duplicate",
            UpdateOutcome::Stale => "stale",
            UpdateOutcome::IllegalMove => "illegal_move",
            UpdateOutcome::KeptUnmatched => "kept_unmatched",
        }
    }
}

/// The wait before the `checks`-th look at a withdrawal that is not final: `first`, doubling,
/// at most an hour.
pub(crate) fn backoff_after(first: std::time::Duration, checks: i64) -> i64 {
    let first = i64::try_from(first.as_millis()).unwrap_or(3_600_000).min(3_600_000);
    let shift = u32::try_from(checks.clamp(0, 12)).unwrap_or(12);
    first.saturating_mul(1i64 << shift).min(3_600_000)
}

/// Whether `w` is the payout the stored request describes: the exact side of the amount (the
/// amount paid or delivered; for an exact debit converted, the amount debited) and the address
/// the provider reports, when it reports them.
pub(crate) fn matches_request(request: &Value, w: &Withdrawal) -> bool {
    let parse = |v: &Value| v.as_str().and_then(|a| a.parse::<payout_core::Decimal>().ok());
    let (held, asked) = match parse(&request["amount"]["debit_converted"]["amount"]) {
        Some(debit) => (w.sender_amount, Some(debit)),
        None => {
            (w.amount, parse(&request["amount"]["exact"]).or_else(|| parse(&request["amount"]["converted"]["amount"])))
        }
    };
    let amount_ok = match (held, asked) {
        (Some(held), Some(asked)) => held == asked,
        _ => true,
    };
    let address_ok = match (w.address.as_deref(), request["address"].as_str()) {
        (Some(held), Some(asked)) => held == asked,
        _ => true,
    };
    amount_ok && address_ok
}

impl JournaledProvider {
    /// Applies what a lookup showed to the journaled payout it belongs to (by withdrawal id, or
    /// by reference for a payout that has none yet). Withdrawals no payout names are ignored
    /// here (a lookup is not news); `None` then.
    pub(crate) async fn learn(&self, w: &Withdrawal) -> Result<Option<Decision>, StoreError> {
        self.apply(w, None).await.map(|o| o.map(|(d, _)| d))
    }

    /// Applies `w` to the journal. With `delivery` (a webhook's digest), an update no payout
    /// names is kept, and the delivery record commits in the same write as the update it
    /// caused (one commit: a crash leaves both or neither).
    async fn apply(&self, w: &Withdrawal, delivery: Option<&str>) -> Result<Option<(Decision, bool)>, StoreError> {
        let provider = w.provider.as_str();
        if provider != self.inner.id().as_str() {
            return Ok(Some((Decision::OtherWithdrawal, false)));
        }
        // The write of `stmt` (if any) with the delivery record of `outcome` after it.
        let with_delivery = |stmt: Option<Stmt>, outcome: UpdateOutcome, now: i64| {
            let mut write = Write::default();
            if let Some(stmt) = stmt {
                write = write.then(stmt);
            }
            if let Some(digest) = delivery {
                write =
                    write.then(Journal::record_delivery_stmt(provider, digest, w.id.as_str(), outcome.as_str(), now));
            }
            write
        };
        for _ in 0..32 {
            let mut row = self.journal.load_by_withdrawal(provider, w.id.as_str()).await?;
            if row.is_none()
                && let Some(reference) = &w.reference
            {
                row = self.journal.load(provider, reference.as_str()).await?.filter(|r| {
                    r.withdrawal_id.is_none()
                        && serde_json::from_str::<Value>(&r.request).is_ok_and(|req| matches_request(&req, w))
                        && r.parsed_state().is_ok_and(|s| s != State::Refused)
                });
            }
            let now = now_millis();
            match row {
                Some(row) => {
                    let stored = row.parsed_withdrawal()?;
                    let decision = self.rules.decide(stored.as_ref(), w);
                    let resolves = row.parsed_state()? != State::Created;
                    if !decision.stores() && !resolves {
                        if delivery.is_some() {
                            self.journal.write(with_delivery(None, UpdateOutcome::of(decision), now)).await?;
                        }
                        return Ok(Some((decision, false)));
                    }
                    let keep = if decision.stores() { w } else { stored.as_ref().unwrap_or(w) };
                    let next =
                        (!keep.status.is_terminal()).then(|| now + backoff_after(self.options.recheck, row.checks));
                    let stmt = Journal::store_withdrawal_stmt(&row, keep, None, next, now)?;
                    if self.journal.write(with_delivery(Some(stmt), UpdateOutcome::of(decision), now)).await?.done() {
                        return Ok(Some((decision, false)));
                    }
                }
                None if delivery.is_some() => {
                    let kept = self.journal.load_unmatched(provider, w.id.as_str()).await?;
                    let (decision, version) = match &kept {
                        Some((text, version)) => {
                            let stored: Option<Withdrawal> = serde_json::from_str(text).ok();
                            (self.rules.decide(stored.as_ref(), w), Some(*version))
                        }
                        None => (Decision::Store, None),
                    };
                    if !decision.stores() {
                        self.journal.write(with_delivery(None, UpdateOutcome::KeptUnmatched, now)).await?;
                        return Ok(Some((decision, true)));
                    }
                    let stmt = Journal::keep_unmatched_stmt(w, version, now)?;
                    if self.journal.write(with_delivery(Some(stmt), UpdateOutcome::KeptUnmatched, now)).await?.done() {
                        return Ok(Some((decision, true)));
                    }
                }
                None => return Ok(None),
            }
        }
        Err(StoreError::Corrupt {
            provider: provider.to_owned(),
            reference: w.reference.as_ref().map_or_else(|| w.id.to_string(), |r| r.to_string()),
            message: "too many concurrent writers to apply an update".into(),
        })
    }

    /// Applies a verified webhook (or callback) update durably, through the receiver rules.
    ///
    /// A delivery seen before is [`UpdateOutcome::Duplicate`] without touching the payout. An
    /// update for a withdrawal no journaled payout names is kept ([`UpdateOutcome::KeptUnmatched`])
    /// and folded in when a payout names it later. It returns only once the outcome is durable,
    /// so a receiver can answer 200 afterwards (and 503 on an error, to be delivered again).
    pub async fn apply_update(&self, update: WithdrawalUpdate) -> Result<UpdateOutcome, PayoutError> {
        let w = &update.withdrawal;
        let text = serde_json::to_string(w)
            .map_err(|e| PayoutError::webhook(format!("the update cannot be serialised: {e}")))?;
        let digest = hex::encode(Sha256::digest(text.as_bytes()));
        let provider = w.provider.as_str();
        if self.journal.delivery_seen(provider, &digest).await? {
            return Ok(UpdateOutcome::Duplicate);
        }
        // The update and its delivery record commit together (see `apply`).
        let outcome = match self.apply(w, Some(&digest)).await? {
            Some((Decision::OtherWithdrawal, _)) => {
                return Err(PayoutError::webhook(format!(
                    "an update from {provider} given to the journaled {} provider",
                    self.inner.id()
                )));
            }
            Some((_, true)) => UpdateOutcome::KeptUnmatched,
            Some((decision, false)) => UpdateOutcome::of(decision),
            None => UpdateOutcome::KeptUnmatched,
        };
        Ok(outcome)
    }
}
