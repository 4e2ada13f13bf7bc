//! Helpers every provider gets for free: lazy listing, the safe create, and polling.

use std::time::Duration;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use tokio::time::Instant;

use crate::error::PayoutError;
use crate::id::WithdrawalId;
use crate::provider::PayoutProvider;
use crate::query::ListQuery;
use crate::request::{PayoutAmount, WithdrawalRequest};
use crate::withdrawal::Withdrawal;

/// How [`PayoutProviderExt::submit`] got its withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitPath {
    /// Created by this call.
    Created,
    /// The create's answer was lost; the withdrawal was found by its reference.
    Reconciled,
    /// The provider already held a withdrawal with this reference, for the same payout.
    AlreadyExisted,
}

/// The result of [`PayoutProviderExt::submit`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Submitted {
    /// The one withdrawal for the request's reference.
    pub withdrawal: Withdrawal,
    /// How it was obtained.
    pub path: SubmitPath,
}

/// How [`PayoutProviderExt::watch`] and [`PayoutProviderExt::wait_until_final`] poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// The first wait between polls.
    pub interval: Duration,
    /// The longest wait between polls; waits double up to it while nothing changes.
    pub max_interval: Duration,
    /// When to stop watching, measured from the start.
    pub timeout: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(3600),
        }
    }
}

/// How many times `submit` creates after the provider said the reference does not exist.
const SUBMIT_ROUNDS: usize = 3;

/// Helpers on every [`PayoutProvider`], `dyn` ones included.
///
/// ```
/// # async fn demo(provider: &dyn payout_core::PayoutProvider, req: payout_core::WithdrawalRequest) -> Result<(), payout_core::PayoutError> {
/// use futures::TryStreamExt;
/// use payout_core::{ListQuery, PayoutProviderExt};
///
/// // Create safely: a lost answer is reconciled by reference, never paid twice.
/// let submitted = provider.submit(&req).await?;
///
/// // Page through everything, one page in memory at a time.
/// let mut all = provider.list_all(ListQuery::new());
/// while let Some(w) = all.try_next().await? {
///     println!("{} {}", w.id, w.status);
/// }
/// # let _ = submitted; Ok(()) }
/// ```
#[async_trait]
pub trait PayoutProviderExt: PayoutProvider {
    /// Every withdrawal matching `query`, from `query.page` on (or from `query.cursor`, for a
    /// provider that pages by cursor), as a stream that fetches a page only when the consumer has
    /// used up the one before. It holds one page at a time and stops after the last page (or an
    /// empty one). An error ends the stream.
    ///
    /// It follows whichever paging the provider gives: a page that is
    /// [`cursor_paged`](crate::Page::cursor_paged) leads to the query with its
    /// [`next_cursor`](crate::Page::next_cursor), and ends the listing without one (or when the
    /// provider hands out the cursor it was just given, which would repeat the page forever);
    /// otherwise to the next page number.
    ///
    /// Offset paging over a list that changes while it is read can skip or repeat an item; filter
    /// by status or reference for a stable view.
    fn list_all(&self, query: ListQuery) -> BoxStream<'_, Result<Withdrawal, PayoutError>> {
        stream::try_unfold(Some(query), move |next| async move {
            let Some(query) = next else { return Ok(None) };
            let mut page = self.list_withdrawals(&query).await?;
            let more = page.has_more();
            let following = if page.cursor_paged {
                match page.next_cursor.take() {
                    Some(c) if more && query.cursor.as_deref() != Some(c.as_str()) => {
                        Some(ListQuery { cursor: Some(c), ..query })
                    }
                    _ => None,
                }
            } else {
                match query.page.checked_add(1) {
                    Some(n) if more => Some(ListQuery { page: n, ..query }),
                    _ => None,
                }
            };
            Ok(Some((stream::iter(page.items.into_iter().map(Ok)), following)))
        })
        .try_flatten()
        .boxed()
    }

    /// Creates a withdrawal without ever paying twice.
    ///
    /// - On success, [`SubmitPath::Created`].
    /// - When the answer was lost ([`PayoutError::OutcomeUnknown`]), looks the reference up: a
    ///   withdrawal found is returned ([`SubmitPath::Reconciled`]); only when the provider says
    ///   there is none is the create made again (a few rounds at most).
    /// - For a provider with [`Capability::IdempotentCreate`](crate::Capability::IdempotentCreate)
    ///   (it answers a create whose reference it holds with the existing withdrawal), a lost
    ///   answer is followed at once by the same create again, which the provider replays
    ///   ([`SubmitPath::Reconciled`]); only when every round's answer is lost does it fall back
    ///   to the lookup.
    /// - When the reference is taken ([`PayoutError::DuplicateReference`]), returns the existing
    ///   withdrawal if it is the same payout ([`SubmitPath::AlreadyExisted`]).
    ///
    /// A withdrawal found (or replayed) under the reference but for another amount or address is
    /// not this payout: that is a [`PayoutError::DuplicateReference`]. If the lookup itself fails,
    /// the error is still [`PayoutError::OutcomeUnknown`], naming the reference to reconcile.
    async fn submit(&self, request: &WithdrawalRequest) -> Result<Submitted, PayoutError> {
        let reference = request.reference();
        let mut unknown = None;
        // Asked only once an answer is lost, so a provider (or mock) is not asked otherwise.
        let mut replays: Option<bool> = None;
        // Whether this round's create repeats, at once, one whose answer was lost.
        let mut resent = false;
        // A refusal of such a repeat: trusted only once the lookup shows nothing (the first
        // create may have been made, and a provider could check the balance again).
        let mut refused_after_loss = None;
        for round in 0..SUBMIT_ROUNDS {
            let path = match self.create_withdrawal(request).await {
                Ok(withdrawal) if !resent => {
                    return Ok(Submitted { withdrawal, path: SubmitPath::Created });
                }
                // A create sent again after a lost answer: the provider replayed the first one
                // (or, if it never arrived, made it now); either way, the one withdrawal.
                Ok(withdrawal) if same_payout(&withdrawal, request) => {
                    return Ok(Submitted { withdrawal, path: SubmitPath::Reconciled });
                }
                Ok(_) => return Err(PayoutError::DuplicateReference { reference: reference.clone() }),
                Err(PayoutError::DuplicateReference { .. }) => SubmitPath::AlreadyExisted,
                Err(e @ PayoutError::OutcomeUnknown { .. }) => {
                    unknown = Some(e);
                    let idempotent = *replays
                        .get_or_insert_with(|| self.capabilities().supports(crate::Capability::IdempotentCreate));
                    resent = idempotent && round + 1 < SUBMIT_ROUNDS;
                    if resent {
                        continue;
                    }
                    SubmitPath::Reconciled
                }
                Err(e) if resent => {
                    refused_after_loss = Some(e);
                    SubmitPath::Reconciled
                }
                Err(e) => return Err(e),
            };
            match self.find_withdrawal(reference).await {
                Ok(Some(withdrawal)) if same_payout(&withdrawal, request) => {
                    return Ok(Submitted { withdrawal, path });
                }
                Ok(Some(_)) => return Err(PayoutError::DuplicateReference { reference: reference.clone() }),
                Ok(None) if path == SubmitPath::Reconciled => match refused_after_loss.take() {
                    Some(refusal) => return Err(refusal),
                    None => continue,
                },
                Ok(None) => return Err(PayoutError::DuplicateReference { reference: reference.clone() }),
                Err(e) => {
                    let message = format!("the create's answer was lost and looking the reference up failed: {e}");
                    return Err(PayoutError::outcome_unknown(reference.clone(), message).with_source(e));
                }
            }
        }
        Err(unknown.unwrap_or_else(|| {
            PayoutError::outcome_unknown(reference.clone(), "the provider never confirmed the create")
        }))
    }

    /// Follows one withdrawal: yields it at once, then each time it changes, and ends after a
    /// final status or when `options.timeout` has passed. Polls back off while nothing changes.
    /// Retryable errors are ridden out until the timeout; any other error is yielded and ends the
    /// stream.
    fn watch(&self, id: WithdrawalId, options: WatchOptions) -> BoxStream<'_, Result<Withdrawal, PayoutError>> {
        struct State {
            id: WithdrawalId,
            last: Option<Withdrawal>,
            wait: Duration,
            deadline: Instant,
            done: bool,
        }
        let start =
            State { id, last: None, wait: options.interval, deadline: Instant::now() + options.timeout, done: false };
        stream::unfold(start, move |mut st| async move {
            if st.done {
                return None;
            }
            loop {
                if st.last.is_some() {
                    let now = Instant::now();
                    if now >= st.deadline {
                        return None;
                    }
                    tokio::time::sleep(st.wait.min(st.deadline - now)).await;
                }
                match self.get_withdrawal(&st.id).await {
                    Ok(w) => {
                        let changed = st.last.as_ref().is_none_or(|old| differs(old, &w));
                        st.wait = if changed { options.interval } else { (st.wait * 2).min(options.max_interval) };
                        if changed {
                            st.done = w.status.is_terminal();
                            st.last = Some(w.clone());
                            return Some((Ok(w), st));
                        }
                        if w.status.is_terminal() {
                            return None;
                        }
                    }
                    Err(e) if e.is_retryable() && Instant::now() < st.deadline => {
                        let asked = e.retry_after().unwrap_or(st.wait);
                        st.wait = asked.max(options.interval).min(options.max_interval.max(asked));
                        if st.last.is_none() {
                            tokio::time::sleep(st.wait).await;
                        }
                    }
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                }
            }
        })
        .boxed()
    }

    /// Polls until the withdrawal reaches a final status or `options.timeout` passes, and
    /// returns the last state seen. **Check `status.is_terminal()`**: after a timeout the
    /// withdrawal returned is still in flight.
    async fn wait_until_final(&self, id: &WithdrawalId, options: WatchOptions) -> Result<Withdrawal, PayoutError> {
        let mut changes = self.watch(id.clone(), options);
        let mut last = None;
        while let Some(w) = changes.try_next().await? {
            last = Some(w);
        }
        last.ok_or_else(|| {
            PayoutError::unavailable(format!("withdrawal {id} could not be read before the timeout"), None)
        })
    }
}

impl<P: PayoutProvider + ?Sized> PayoutProviderExt for P {}

/// Whether a poll shows something a watcher cares about.
fn differs(old: &Withdrawal, new: &Withdrawal) -> bool {
    old.status != new.status
        || old.provider_status != new.provider_status
        || old.tx_hash != new.tx_hash
        || old.amount_sent != new.amount_sent
}

/// Whether `w` is the payout `request` describes, judged on the exact side of the amount (the
/// amount paid; for a conversion to an exact amount, the amount delivered; for a conversion of
/// an exact debit, the amount debited) and the address the provider reports. (Assets are not
/// compared: providers name them in their own codes.)
pub(crate) fn same_payout(w: &Withdrawal, request: &WithdrawalRequest) -> bool {
    let amount_ok = match request.amount() {
        PayoutAmount::Exact(a) | PayoutAmount::Converted { amount: a, .. } => w.amount.is_none_or(|held| held == *a),
        PayoutAmount::DebitConverted { amount: a, .. } => w.sender_amount.is_none_or(|held| held == *a),
    };
    let address_ok = w.address.as_deref().is_none_or(|a| a == request.address());
    amount_ok && address_ok
}
