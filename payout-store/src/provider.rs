//! [`JournaledProvider`]: any provider, with every create journaled so that it is sent at most
//! once across crashes, restarts and processes.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use payout_core::{
    Capabilities, Capability, ErrorKind, ListQuery, Page, PayoutError, PayoutProvider, ProviderId, Reference,
    Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalUpdate,
};
use tokio::time::Instant;

use crate::db::RawEntry;
use crate::entry::{State, now_millis};
use crate::error::StoreError;
use crate::fingerprint::{fingerprint, request_json};
use crate::journal::Journal;
use crate::options::{Checkpoint, JournalOptions};
use crate::update::{backoff_after, matches_request};

/// How [`JournaledProvider::submit`] got its withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubmitVia {
    /// This call sent the create and recorded the answer.
    Created,
    /// An earlier create's answer was lost; the provider showed the withdrawal when looked up.
    Reconciled,
    /// The journal already held the withdrawal: nothing was sent.
    Journal,
    /// Another worker held the payout; this call waited for its answer and sent nothing.
    OtherWorker,
    /// The provider refused the create as a duplicate and showed this payout under the reference.
    AlreadyExisted,
}

/// The one withdrawal of a payout, and how this call got it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Submission {
    /// The withdrawal.
    pub withdrawal: Withdrawal,
    /// How it was obtained.
    pub via: SubmitVia,
}

/// A provider whose creates go through a [`Journal`].
///
/// - [`JournaledProvider::submit`] is the exactly-once create (see the crate docs for the
///   algorithm); [`PayoutProvider::create_withdrawal`] is the same, except that a reference the
///   journal already holds is a [`PayoutError::DuplicateReference`], as a provider would say.
/// - `get_withdrawal` and `find_withdrawal` delegate and record what they learn about journaled
///   payouts; `list_withdrawals` and `parse_webhook` only delegate.
/// - [`JournaledProvider::apply_update`] applies a verified webhook update durably;
///   [`JournaledProvider::reconcile`] resolves what crashes and lost answers left behind.
#[derive(Clone)]
pub struct JournaledProvider {
    pub(crate) inner: Arc<dyn PayoutProvider>,
    pub(crate) journal: Journal,
    pub(crate) options: JournalOptions,
    /// The provider's own status rules (AlphaPo's provisional create answer), read once.
    pub(crate) rules: payout_core::receiver::Rules,
}

impl std::fmt::Debug for JournaledProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournaledProvider")
            .field("provider", &self.inner.id())
            .field("journal", &self.journal)
            .field("options", &self.options)
            .finish()
    }
}

/// Errors after which the provider provably created nothing: the payout may be sent again.
fn definitely_not_created(e: &PayoutError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::InvalidRequest
            | ErrorKind::Unsupported
            | ErrorKind::Configuration
            | ErrorKind::Authentication
            | ErrorKind::Rejected
            | ErrorKind::RateLimited
            // A create's `Unavailable` means the request was not sent (a 5xx or a lost answer
            // after sending is `OutcomeUnknown`): the trait's contract.
            | ErrorKind::Unavailable
    )
}

/// How many times a create whose answer was lost is sent again at once, to a provider that
/// replays creates by reference ([`Capability::IdempotentCreate`]), before the lookup decides.
const REPLAY_RESENDS: u32 = 2;

/// What one turn of the submit loop decided. (Short-lived and never stored: its size does not
/// matter, and boxing the result would only add an allocation per submit.)
#[allow(clippy::large_enum_variant)]
enum Turn {
    Done(Result<Submission, PayoutError>),
    /// The row changed under us (a lease lost or taken): look again.
    Again,
    /// Another live holder has it: wait and look again.
    Wait,
}

impl JournaledProvider {
    /// Wraps `inner` with `journal`, with the default [`JournalOptions`].
    pub fn new(inner: Arc<dyn PayoutProvider>, journal: Journal) -> Self {
        let rules = inner.status_rules();
        Self { inner, journal, options: JournalOptions::default(), rules }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: JournalOptions) -> Self {
        self.options = options;
        self
    }

    /// The options in force.
    pub fn options(&self) -> &JournalOptions {
        &self.options
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &Arc<dyn PayoutProvider> {
        &self.inner
    }

    fn checkpoint(&self, at: Checkpoint) {
        if let Some(hook) = &self.options.hook {
            (hook.0)(at);
        }
    }

    fn lease_until(&self, now: i64) -> i64 {
        now.saturating_add(i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX / 2))
    }

    /// Whether the provider answers a create whose reference it holds with the existing
    /// withdrawal ([`Capability::IdempotentCreate`]): a create whose answer was lost may then be
    /// sent again at once, instead of after the in-flight window.
    pub(crate) fn replays_creates(&self) -> bool {
        self.inner.capabilities().supports(Capability::IdempotentCreate)
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.options.in_flight_window.as_millis()).unwrap_or(i64::MAX / 2)
    }

    /// Creates the payout `request` describes exactly once, whatever crashed before:
    ///
    /// 1. claims `(provider, reference)` with the request's fingerprint in one guarded insert,
    ///    written already marked sent (one durable commit before the request leaves); another
    ///    fingerprint under the reference is [`PayoutError::DuplicateReference`], and nothing is
    ///    sent;
    /// 2. a payout a live worker holds is waited for (at most [`JournalOptions::wait`]);
    /// 3. a payout whose create may have left (sent, unanswered) is looked up first: found, it is
    ///    recorded and returned; not found within the in-flight window, the answer is
    ///    [`PayoutError::OutcomeUnknown`] naming the reference; not found after it, it is sent
    ///    again. A provider that replays creates by reference
    ///    ([`Capability::IdempotentCreate`]) is sent the same create again at once instead (also
    ///    when the lookup fails): it answers with the withdrawal it holds, if any;
    /// 4. otherwise (a fresh claim, or one taken over from a refusal) it is marked sent (durably)
    ///    and sent, and the answer recorded: the
    ///    withdrawal (`created`), a definite refusal (`refused`), or neither (`unanswered`, then
    ///    looked up once at once). To a provider that replays creates by reference, a create
    ///    whose answer was lost is first sent again at once (a few times, each marked sent
    ///    durably before it leaves).
    pub async fn submit(&self, request: &WithdrawalRequest) -> Result<Submission, PayoutError> {
        let provider = self.inner.id();
        let (p, r) = (provider.as_str(), request.reference().as_str());
        let fp = fingerprint(request);
        self.checkpoint(Checkpoint::BeforeClaim);
        let now = now_millis();
        // A fresh claim is written already marked sent: what this payout is about to do is
        // durable, in one commit, before its request leaves.
        let claimed = self
            .journal
            .claim_sent(p, r, &fp, &request_json(request).to_string(), &self.options.owner, self.lease_until(now), now)
            .await
            .map_err(StoreError::before_send)?;
        if claimed {
            self.checkpoint(Checkpoint::Claimed);
            self.checkpoint(Checkpoint::MarkedSent);
            if let Turn::Done(result) = self.deliver(request, 1, SubmitVia::Created).await {
                return result;
            }
        }
        let deadline = Instant::now() + self.options.wait;
        let mut pause = Duration::from_millis(10);
        let mut waited = false;
        loop {
            let row = self.journal.load(p, r).await.map_err(StoreError::before_send)?.ok_or_else(|| {
                PayoutError::Unavailable {
                    message: format!("the journal lost the claim of {r}; nothing was sent"),
                    status: None,
                    source: None,
                }
            })?;
            match self.turn(request, &fp, &row, waited).await? {
                Turn::Done(result) => return result,
                Turn::Again => continue,
                Turn::Wait => {
                    if Instant::now() >= deadline {
                        return Err(PayoutError::OutcomeUnknown {
                            reference: request.reference().clone(),
                            message: format!(
                                "another worker is sending this payout and has not recorded an answer within {:?}",
                                self.options.wait
                            ),
                            source: None,
                        });
                    }
                    waited = true;
                    tokio::time::sleep(pause.min(deadline - Instant::now())).await;
                    pause = (pause * 2).min(self.options.poll);
                }
            }
        }
    }

    /// One look at the row: what to do with it.
    async fn turn(
        &self,
        request: &WithdrawalRequest,
        fp: &str,
        row: &RawEntry,
        waited: bool,
    ) -> Result<Turn, PayoutError> {
        if row.fingerprint != fp {
            return Ok(Turn::Done(Err(PayoutError::DuplicateReference { reference: request.reference().clone() })));
        }
        let state = row.parsed_state().map_err(StoreError::before_send)?;
        if state == State::Created {
            let withdrawal = row.parsed_withdrawal().map_err(StoreError::before_send)?.ok_or_else(|| {
                StoreError::Corrupt {
                    provider: row.provider.clone(),
                    reference: row.reference.clone(),
                    message: "created without a withdrawal".into(),
                }
                .before_send()
            })?;
            let via = if waited { SubmitVia::OtherWorker } else { SubmitVia::Journal };
            return Ok(Turn::Done(Ok(Submission { withdrawal, via })));
        }
        let now = now_millis();
        if row.lease_live(now) {
            return Ok(Turn::Wait);
        }
        let Some(generation) = self
            .journal
            .take_over(row, &self.options.owner, self.lease_until(now), now)
            .await
            .map_err(StoreError::before_send)?
        else {
            return Ok(Turn::Again);
        };
        match state {
            // Never sent (a holder marks `sent` before sending, under its generation), or
            // definitely refused: safe to send.
            State::Recorded | State::Refused | State::Created => {
                Ok(self.send(request, generation, SubmitVia::Created).await)
            }
            State::Sent | State::Unanswered => self.resolve(request, row, generation).await,
        }
    }

    /// A payout whose create may have left: look it up before anything else.
    async fn resolve(&self, request: &WithdrawalRequest, row: &RawEntry, generation: i64) -> Result<Turn, PayoutError> {
        let reference = request.reference();
        let key = (row.provider.as_str(), row.reference.as_str());
        let unknown =
            |message: String| PayoutError::OutcomeUnknown { reference: reference.clone(), message, source: None };
        match self.inner.find_withdrawal(reference).await {
            Ok(Some(w)) if matches_request(&request_json(request), &w) => {
                self.record_answer(key, generation, &w).await;
                Ok(Turn::Done(Ok(Submission { withdrawal: w, via: SubmitVia::Reconciled })))
            }
            Ok(Some(_)) => {
                let msg = "the provider holds another payout under this reference";
                let _ = self.journal.finish(key, generation, State::Refused, Some(msg), None, now_millis()).await;
                Ok(Turn::Done(Err(PayoutError::DuplicateReference { reference: reference.clone() })))
            }
            // The provider replays a used reference: the same create again is answered with the
            // withdrawal it holds, or makes the one that never arrived. No window to wait out.
            Ok(None) if self.replays_creates() => Ok(self.send(request, generation, SubmitVia::Reconciled).await),
            Err(_) if self.replays_creates() => Ok(self.send(request, generation, SubmitVia::Reconciled).await),
            Ok(None) => {
                let now = now_millis();
                let since = row.sent_at.unwrap_or(row.updated_at);
                if now.saturating_sub(since) < self.window_ms() {
                    let secs = (self.window_ms() - (now - since)) / 1000;
                    let msg = format!(
                        "sent {} s ago and not shown by the provider yet; it may still be working on it \
                         (in-flight window: {secs} s left), so it is not sent again",
                        (now - since) / 1000
                    );
                    let _ = self.journal.finish(key, generation, State::Unanswered, Some(&msg), None, now).await;
                    Ok(Turn::Done(Err(unknown(msg))))
                } else {
                    Ok(self.send(request, generation, SubmitVia::Created).await)
                }
            }
            Err(e) => {
                let msg = format!("looking the reference up failed: {e}");
                let _ = self.journal.finish(key, generation, State::Unanswered, Some(&msg), None, now_millis()).await;
                Ok(Turn::Done(Err(unknown(msg))))
            }
        }
    }

    /// Marks the held (taken-over) payout sent, sends it, and records the answer.
    async fn send(&self, request: &WithdrawalRequest, generation: i64, via: SubmitVia) -> Turn {
        let provider = self.inner.id();
        let key = (provider.as_str(), request.reference().as_str());
        let now = now_millis();
        match self.journal.mark_sent(key, generation, self.lease_until(now), now).await {
            Ok(true) => {}
            Ok(false) => return Turn::Again,
            Err(e) => return Turn::Done(Err(e.before_send())),
        }
        self.checkpoint(Checkpoint::MarkedSent);
        self.deliver(request, generation, via).await
    }

    /// Sends a payout held at `generation` and durably marked sent, and records the answer.
    async fn deliver(&self, request: &WithdrawalRequest, generation: i64, via: SubmitVia) -> Turn {
        let provider = self.inner.id();
        let key = (provider.as_str(), request.reference().as_str());
        let reference = request.reference();
        let mut via = via;
        let mut resends = if self.replays_creates() { REPLAY_RESENDS } else { 0 };
        // Whether this answer is to a create sent again after a lost answer: its refusal is then
        // no proof that nothing was made (the first create may have been), so it is looked up.
        let mut resent = false;
        let answer = loop {
            let answer = {
                let create = self.inner.create_withdrawal(request);
                let renew = async {
                    loop {
                        tokio::time::sleep(self.options.lease / 3).await;
                        let _ = self.journal.renew(key, generation, self.lease_until(now_millis())).await;
                    }
                };
                tokio::select! {
                    answer = create => answer,
                    never = renew => never,
                }
            };
            match answer {
                // The provider replays a used reference: send the same create again at once,
                // marked sent (durably, under this generation) before it leaves.
                Err(PayoutError::OutcomeUnknown { .. }) if resends > 0 => {
                    resends -= 1;
                    resent = true;
                    via = SubmitVia::Reconciled;
                    let now = now_millis();
                    match self.journal.mark_sent(key, generation, self.lease_until(now), now).await {
                        Ok(true) => self.checkpoint(Checkpoint::MarkedSent),
                        Ok(false) => return Turn::Again,
                        Err(store) => return Turn::Done(Err(store.after_send(reference))),
                    }
                }
                other => break other,
            }
        };
        match answer {
            Ok(w) => {
                self.checkpoint(Checkpoint::Answered);
                self.record_answer(key, generation, &w).await;
                Turn::Done(Ok(Submission { withdrawal: w, via }))
            }
            Err(PayoutError::DuplicateReference { .. }) => match self.inner.find_withdrawal(reference).await {
                Ok(Some(w)) if matches_request(&request_json(request), &w) => {
                    self.record_answer(key, generation, &w).await;
                    Turn::Done(Ok(Submission { withdrawal: w, via: SubmitVia::AlreadyExisted }))
                }
                other => {
                    let msg = match other {
                        Err(e) => format!("the provider says the reference is taken, and looking it up failed: {e}"),
                        _ => "the provider holds another payout under this reference".to_owned(),
                    };
                    let _ = self.journal.finish(key, generation, State::Refused, Some(&msg), None, now_millis()).await;
                    Turn::Done(Err(PayoutError::DuplicateReference { reference: reference.clone() }))
                }
            },
            Err(e) if definitely_not_created(&e) && !resent => {
                let msg = e.to_string();
                if let Err(store) =
                    self.journal.finish(key, generation, State::Refused, Some(&msg), None, now_millis()).await
                {
                    tracing::warn!(reference = %reference, error = %store, "the journal could not record a refusal");
                }
                Turn::Done(Err(e))
            }
            Err(e) => {
                let msg = e.to_string();
                if let Err(store) =
                    self.journal.finish(key, generation, State::Unanswered, Some(&msg), None, now_millis()).await
                {
                    return Turn::Done(Err(store.after_send(reference)));
                }
                // The answer was lost: look the reference up once, at once.
                match self.inner.find_withdrawal(reference).await {
                    Ok(Some(w)) if matches_request(&request_json(request), &w) => {
                        if let Err(store) = self.learn(&w).await {
                            tracing::warn!(reference = %reference, error = %store, "the journal could not record a lookup");
                        }
                        Turn::Done(Ok(Submission { withdrawal: w, via: SubmitVia::Reconciled }))
                    }
                    _ => Turn::Done(Err(match e {
                        e @ PayoutError::OutcomeUnknown { .. } => e,
                        other => PayoutError::OutcomeUnknown {
                            reference: reference.clone(),
                            message: format!("the create may have reached the provider: {other}"),
                            source: None,
                        },
                    })),
                }
            }
        }
    }

    /// Records the withdrawal a holder got, under its generation (a stale holder changes
    /// nothing), merging with anything newer a webhook stored meanwhile. Failures are logged:
    /// the entry stays `sent`, and the next submit or reconcile finds the withdrawal by lookup.
    async fn record_answer(&self, key: (&str, &str), generation: i64, w: &Withdrawal) {
        if let Err(e) = self.try_record_answer(key, generation, w).await {
            tracing::warn!(reference = key.1, error = %e, "the journal could not record an answer; reconcile will find it");
        }
    }

    async fn try_record_answer(&self, key: (&str, &str), generation: i64, w: &Withdrawal) -> Result<(), StoreError> {
        // Most often nothing came first (no webhook, no kept update): one statement.
        let next = (!w.status.is_terminal()).then(|| now_millis() + backoff_after(self.options.recheck, 0));
        if self.journal.record_answer_fast(key, generation, w, next, now_millis()).await? {
            return Ok(());
        }
        for _ in 0..16 {
            let Some(row) = self.journal.load(key.0, key.1).await? else { return Ok(()) };
            if row.lease_generation != generation {
                return Ok(()); // taken over: the newer holder decides
            }
            let stored = row.parsed_withdrawal()?;
            let keep = match &stored {
                Some(s) if !self.rules.decide(Some(s), w).stores() => s.clone(),
                _ => w.clone(),
            };
            let next = (!keep.status.is_terminal()).then(|| now_millis() + backoff_after(self.options.recheck, 0));
            if self.journal.store_withdrawal(&row, &keep, Some(generation), next, now_millis()).await? {
                return self.adopt_unmatched(key.0, w.id.as_str()).await;
            }
        }
        Ok(())
    }

    /// Folds an update kept for a withdrawal nobody named into the entry that now names it.
    pub(crate) async fn adopt_unmatched(&self, provider: &str, id: &str) -> Result<(), StoreError> {
        if let Some((text, _)) = self.journal.load_unmatched(provider, id).await? {
            if let Ok(kept) = serde_json::from_str::<Withdrawal>(&text) {
                self.learn(&kept).await?;
            }
            self.journal.drop_unmatched(provider, id).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl PayoutProvider for JournaledProvider {
    fn id(&self) -> ProviderId {
        self.inner.id()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    /// [`JournaledProvider::submit`], answered as a provider's create answers: a reference the
    /// journal (or the provider) already held is [`PayoutError::DuplicateReference`], and a
    /// lost answer is [`PayoutError::OutcomeUnknown`] (the journal has recorded what the lookup
    /// found, so `find_withdrawal` and a later submit return it).
    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let s = self.submit(request).await?;
        match s.via {
            SubmitVia::Created => Ok(s.withdrawal),
            // As a provider's create answers a lost answer; the journal has recorded the
            // withdrawal the lookup found, and `find_withdrawal` shows it.
            SubmitVia::Reconciled => Err(PayoutError::OutcomeUnknown {
                reference: request.reference().clone(),
                message: format!("the create's answer was lost; the provider shows withdrawal {}", s.withdrawal.id),
                source: None,
            }),
            _ => Err(PayoutError::DuplicateReference { reference: request.reference().clone() }),
        }
    }

    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        let w = self.inner.get_withdrawal(id).await?;
        if let Err(e) = self.learn(&w).await {
            tracing::warn!(id = %id, error = %e, "the journal could not record a lookup");
        }
        Ok(w)
    }

    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        let found = self.inner.find_withdrawal(reference).await?;
        if let Some(w) = &found
            && let Err(e) = self.learn(w).await
        {
            tracing::warn!(reference = %reference, error = %e, "the journal could not record a lookup");
        }
        Ok(found)
    }

    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        self.inner.list_withdrawals(query).await
    }

    fn status_rules(&self) -> payout_core::receiver::Rules {
        self.rules.clone()
    }

    fn parse_webhook(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        self.inner.parse_webhook(headers, body)
    }
}
