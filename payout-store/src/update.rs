//! What the journal learns after a create: lookups and webhook updates, applied through
//! [`payout_core::receiver`] (a duplicate changes nothing, a stale update never wins, a final
//! status never moves back), with webhook deliveries deduplicated durably.

use payout_core::receiver::{Decision, decide};

use payout_core::{PayoutError, Withdrawal, WithdrawalUpdate};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::entry::{State, now_millis};
use crate::error::StoreError;
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

/// Whether `w` is the payout the stored request describes: the amount (for a conversion, the
/// amount delivered) and address the provider reports, when it reports them.
pub(crate) fn matches_request(request: &Value, w: &Withdrawal) -> bool {
    let asked = request["amount"]["exact"].as_str().or_else(|| request["amount"]["converted"]["amount"].as_str());
    let asked: Option<payout_core::Decimal> = asked.and_then(|a| a.parse().ok());
    let amount_ok = match (w.amount, asked) {
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
    /// The one place the journal decides what an update does to what it holds.
    ///
    /// It must use the wrapped provider's own status rules (AlphaPo's create answer
    /// `processing` is provisional). Once `PayoutProvider::status_rules()` is on this branch
    /// (it is on main), the body becomes `self.inner.status_rules().decide(stored, w)`.
    fn decide(&self, stored: Option<&Withdrawal>, w: &Withdrawal) -> Decision {
        decide(stored, w)
    }

    /// Applies what a lookup showed to the journaled payout it belongs to (by withdrawal id, or
    /// by reference for a payout that has none yet). Withdrawals no payout names are ignored
    /// here (a lookup is not news); `None` then.
    pub(crate) async fn learn(&self, w: &Withdrawal) -> Result<Option<Decision>, StoreError> {
        self.apply(w, false).await.map(|o| o.map(|(d, _)| d))
    }

    async fn apply(&self, w: &Withdrawal, keep_unmatched: bool) -> Result<Option<(Decision, bool)>, StoreError> {
        let provider = w.provider.as_str();
        if provider != self.inner.id().as_str() {
            return Ok(Some((Decision::OtherWithdrawal, false)));
        }
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
                    let decision = self.decide(stored.as_ref(), w);
                    let resolves = row.parsed_state()? != State::Created;
                    if !decision.stores() && !resolves {
                        return Ok(Some((decision, false)));
                    }
                    let keep = if decision.stores() { w } else { stored.as_ref().unwrap_or(w) };
                    let next =
                        (!keep.status.is_terminal()).then(|| now + backoff_after(self.options.recheck, row.checks));
                    if self.journal.store_withdrawal(&row, keep, None, next, now).await? {
                        return Ok(Some((decision, false)));
                    }
                }
                None if keep_unmatched => {
                    let kept = self.journal.load_unmatched(provider, w.id.as_str()).await?;
                    let (decision, version) = match &kept {
                        Some((text, version)) => {
                            let stored: Option<Withdrawal> = serde_json::from_str(text).ok();
                            (self.decide(stored.as_ref(), w), Some(*version))
                        }
                        None => (Decision::Store, None),
                    };
                    if !decision.stores() {
                        return Ok(Some((decision, true)));
                    }
                    if self.journal.keep_unmatched(w, version, now).await? {
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
        let outcome = match self.apply(w, true).await? {
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
        self.journal.record_delivery(provider, &digest, w.id.as_str(), outcome.as_str(), now_millis()).await?;
        Ok(outcome)
    }
}
