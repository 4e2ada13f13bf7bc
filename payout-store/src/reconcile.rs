//! The sweep: resolve payouts whose create's outcome is unknown, and follow created ones to a
//! final status on a backoff schedule. One worker per payout at a time: each batch is leased in
//! one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL).

use payout_core::{PayoutError, Reference, Withdrawal};

use crate::db::RawEntry;
use crate::entry::{Entry, State, now_millis};
use crate::error::StoreError;
use crate::provider::JournaledProvider;
use crate::update::{backoff_after, matches_request};

/// How many payouts one sweep leases at a time.
const BATCH: i64 = 32;

/// What reconcile found for one payout.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Resolution {
    /// The provider shows the withdrawal of a payout whose answer was lost: now `created`.
    Found(Withdrawal),
    /// A created payout followed: its withdrawal as the provider shows it now.
    Followed(Withdrawal),
    /// Still unknown: the provider does not show it (yet), or could not be asked.
    Unresolved {
        /// The entry as it is now.
        entry: Box<Entry>,
        /// Why, in words.
        message: String,
    },
}

/// What one [`JournaledProvider::reconcile`] did, payout by payout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReconcileReport {
    /// One item per payout looked at, with its reference.
    pub items: Vec<(Reference, Resolution)>,
}

impl ReconcileReport {
    /// The references still unresolved.
    pub fn unresolved(&self) -> Vec<&Reference> {
        self.items.iter().filter(|(_, r)| matches!(r, Resolution::Unresolved { .. })).map(|(r, _)| r).collect()
    }

    /// Whether nothing is left unresolved.
    pub fn is_clean(&self) -> bool {
        self.unresolved().is_empty()
    }
}

impl JournaledProvider {
    /// Looks up every payout of this provider whose create's outcome is unknown (`sent` with a
    /// lapsed lease, or `unanswered`) and records what the provider shows; follows created
    /// payouts whose withdrawal is not final, when their next check is due (5 s after the last
    /// change, doubling up to an hour). It never sends a create: a payout the provider does not
    /// show stays `unanswered` (the next submit sends it once the in-flight window is over, or
    /// at once to a provider that replays creates by reference).
    pub async fn reconcile(&self) -> Result<ReconcileReport, PayoutError> {
        let provider = self.inner.id();
        let started = now_millis();
        let mut report = ReconcileReport::default();
        loop {
            let now = now_millis();
            let lease_until = now + i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX / 4);
            let batch = self
                .journal
                .claim_due(provider.as_str(), &self.options.owner, lease_until, now, BATCH, started)
                .await?;
            if batch.is_empty() {
                return Ok(report);
            }
            for row in batch {
                let item = self.reconcile_one(&row).await?;
                report.items.push(item);
            }
        }
    }

    async fn reconcile_one(&self, row: &RawEntry) -> Result<(Reference, Resolution), StoreError> {
        let entry = row.to_entry()?;
        let key = (row.provider.as_str(), row.reference.as_str());
        let generation = row.lease_generation;
        let reference = entry.reference.clone();
        let unresolved = |message: String, entry: Entry| Resolution::Unresolved { entry: Box::new(entry), message };
        let now = now_millis();
        if entry.state == State::Created {
            let Some(stored) = entry.withdrawal.clone() else {
                self.journal
                    .finish(key, generation, State::Created, Some("created without a withdrawal"), None, now)
                    .await?;
                return Ok((reference, unresolved("created without a withdrawal".into(), entry)));
            };
            return match self.inner.get_withdrawal(&stored.id).await {
                Ok(w) => {
                    let keep = if self.rules.decide(Some(&stored), &w).stores() { w } else { stored };
                    let next =
                        (!keep.status.is_terminal()).then(|| now + backoff_after(self.options.recheck, row.checks + 1));
                    self.journal.store_withdrawal(row, &keep, Some(generation), next, now).await?;
                    self.journal.finish(key, generation, State::Created, None, next, now).await?;
                    Ok((reference, Resolution::Followed(keep)))
                }
                Err(e) => {
                    let next = Some(now + backoff_after(self.options.recheck, row.checks + 1));
                    self.journal.finish(key, generation, State::Created, Some(&e.to_string()), next, now).await?;
                    Ok((reference, Resolution::Followed(stored)))
                }
            };
        }
        match self.inner.find_withdrawal(&reference).await {
            Ok(Some(w)) if matches_request(&entry.request, &w) => {
                let next = (!w.status.is_terminal()).then(|| now + backoff_after(self.options.recheck, 0));
                self.journal.store_withdrawal(row, &w, Some(generation), next, now).await?;
                self.adopt_unmatched(key.0, w.id.as_str()).await?;
                Ok((reference, Resolution::Found(w)))
            }
            Ok(Some(_)) => {
                let msg = "the provider holds another payout under this reference";
                self.journal.finish(key, generation, State::Refused, Some(msg), None, now).await?;
                Ok((reference, unresolved(msg.into(), entry)))
            }
            Ok(None) => {
                let since = row.sent_at.unwrap_or(row.updated_at);
                let window = i64::try_from(self.options.in_flight_window.as_millis()).unwrap_or(i64::MAX / 4);
                let msg = if self.replays_creates() {
                    "not shown by the provider; it replays creates by reference, so submitting the \
                     payout again sends it at once and gets the withdrawal it holds, if any"
                        .to_owned()
                } else if now - since < window {
                    format!(
                        "not shown by the provider yet; it may still be working on it (sent {} s ago, in-flight window {} s)",
                        (now - since) / 1000,
                        window / 1000
                    )
                } else {
                    "the provider has no withdrawal with this reference after the in-flight window: \
                     submitting the payout again sends it"
                        .to_owned()
                };
                self.journal.finish(key, generation, State::Unanswered, Some(&msg), None, now).await?;
                Ok((reference, unresolved(msg, entry)))
            }
            Err(e) => {
                let msg = format!("looking the reference up failed: {e}");
                self.journal.finish(key, generation, State::Unanswered, Some(&msg), None, now).await?;
                Ok((reference, unresolved(msg, entry)))
            }
        }
    }
}
