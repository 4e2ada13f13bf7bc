//! [`FakeProvider`]: an in-memory [`PayoutProvider`] with a real provider's semantics, whose
//! statuses the test moves, whose failures the test scripts, and which logs every call.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use payout_core::{Asset, EndUser, ErrorKind, PayoutProvider, PayoutProviderExt, SubmitPath};
//! use payout_core::WithdrawalRequest;
//! use payout_testkit::fake::{FakeProvider, Fault, Operation};
//!
//! let fake = FakeProvider::new();
//! let request = WithdrawalRequest::builder()
//!     .reference("order-7")
//!     .asset(Asset::new("BTC"))
//!     .amount("0.0002".parse().unwrap())
//!     .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
//!     .end_user(EndUser::new("user-1"))
//!     .build()
//!     .unwrap();
//!
//! // The provider creates the withdrawal but the answer is lost: `submit` reconciles.
//! fake.fail_next(Operation::Create, Fault::LoseAnswer);
//! let submitted = fake.submit(&request).await.unwrap();
//! assert_eq!(submitted.path, SubmitPath::Reconciled);
//! assert_eq!(fake.withdrawals().len(), 1);
//!
//! // The test moves the status; illegal moves are refused.
//! let id = submitted.withdrawal.id;
//! fake.complete(&id, "0xabc").unwrap();
//! assert!(fake.cancel(&id).is_err());
//! assert_eq!(fake.get_withdrawal(&id).await.unwrap().tx_hash.as_deref(), Some("0xabc"));
//! # }
//! ```

mod calls;
mod script;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use http::HeaderMap;
use payout_core::{
    Asset, Capabilities, Capability, ListQuery, OffsetDateTime, Page, PayoutAmount, PayoutError, PayoutProvider,
    ProviderId, RawJson, Reference, Transition, Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalStatus,
    WithdrawalUpdate,
};

pub use crate::Operation;
pub use calls::Call;
pub use script::Fault;

use crate::signing;
use crate::webhooks::SignedWebhook;
use script::{Rule, Script, error_of_kind};

/// The header carrying the fake's webhook signature: lowercase hex HMAC-SHA256 of the raw body,
/// keyed with the fake's webhook secret (the same construction as AlpPay's `X-HMAC`).
pub const SIGNATURE_HEADER: &str = "x-fake-signature";

/// The provider id of a fake built without one.
pub const DEFAULT_ID: &str = "fake";

const DEFAULT_SECRET: &[u8] = b"fake-webhook-secret";

/// The fake's own ("raw") status strings, one per unified status. They differ from the unified
/// names on purpose, so a test notices code that shows `provider_status` where it meant `status`.
///
/// | unified | fake raw status |
/// |---|---|
/// | `pending` | `awaiting_approval` |
/// | `approved` | `approved` |
/// | `processing` | `broadcasting` |
/// | `completed` | `sent` |
/// | `cancelled` | `cancelled` |
/// | `rejected` | `declined` |
/// | `unknown` | whatever [`FakeProvider::set_raw_status`] was given |
pub fn raw_status(status: WithdrawalStatus) -> &'static str {
    match status {
        WithdrawalStatus::Pending => "awaiting_approval",
        WithdrawalStatus::Approved => "approved",
        WithdrawalStatus::Processing => "broadcasting",
        WithdrawalStatus::Completed => "sent",
        WithdrawalStatus::Cancelled => "cancelled",
        WithdrawalStatus::Rejected => "declined",
        WithdrawalStatus::Unknown => "unknown",
    }
}

/// The unified status of one of the fake's raw status strings; anything else is `Unknown`.
pub fn status_of_raw(raw: &str) -> WithdrawalStatus {
    WithdrawalStatus::ALL
        .into_iter()
        .find(|s| *s != WithdrawalStatus::Unknown && raw_status(*s) == raw)
        .unwrap_or(WithdrawalStatus::Unknown)
}

/// The address completed withdrawals are reported to have left from.
pub const SOURCE_ADDRESS: &str = "fake-hot-wallet";

/// Why a status move or lookup on the fake's test surface was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FakeError {
    /// No withdrawal has this id.
    NotFound(WithdrawalId),
    /// The move is illegal by [`WithdrawalStatus::transition_to`] (out of a final status, or
    /// backwards).
    IllegalMove {
        /// The withdrawal.
        id: WithdrawalId,
        /// Its status.
        from: WithdrawalStatus,
        /// The status asked for.
        to: WithdrawalStatus,
    },
    /// The withdrawal cannot be written as JSON (why).
    Unserializable(String),
}

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FakeError::NotFound(id) => write!(f, "the fake holds no withdrawal with id {id}"),
            FakeError::IllegalMove { id, from, to } if from.is_terminal() => {
                write!(f, "withdrawal {id} cannot move from {from} to {to}: {from} is final")
            }
            FakeError::IllegalMove { id, from, to } => {
                write!(f, "withdrawal {id} cannot move from {from} back to {to}")
            }
            FakeError::Unserializable(why) => write!(f, "the withdrawal cannot be written as JSON: {why}"),
        }
    }
}

impl std::error::Error for FakeError {}

type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Which assets the fake pays out.
#[derive(Debug, Clone)]
enum Assets {
    /// Those whose decimals payout-core knows (or that carry an explicit number of decimals).
    Known,
    /// Any asset at all.
    Any,
    /// Exactly these (symbol and network).
    Only(Vec<Asset>),
}

/// Configures a [`FakeProvider`]. Start with [`FakeProvider::builder`].
#[must_use]
pub struct FakeProviderBuilder {
    id: ProviderId,
    capabilities: Capabilities,
    assets: Assets,
    initial_status: WithdrawalStatus,
    secret: Vec<u8>,
    clock: Clock,
}

impl fmt::Debug for FakeProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeProviderBuilder")
            .field("id", &self.id)
            .field("capabilities", &self.capabilities)
            .field("assets", &self.assets)
            .field("initial_status", &self.initial_status)
            .field("webhook_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl FakeProviderBuilder {
    /// The provider id the fake reports (default `"fake"`).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = ProviderId::new(id);
        self
    }

    payout_core::setters! {
        /// Exactly these capabilities (default: all but [`Capability::IdempotentCreate`]).
        /// Operations left out return `Unsupported`. With [`Capability::IdempotentCreate`] the fake
        /// replays a create whose reference it holds for the same payout (amount and address), as
        /// Cryptomus does by `order_id`: it answers with the existing withdrawal and creates nothing.
        capabilities(capabilities: Capabilities) => capabilities;
        /// The status of a new withdrawal (default `pending`; AlphaPo, for one, answers `processing`).
        initial_status(status: WithdrawalStatus) => initial_status;
        /// The key of the webhook signature (default: a fixed test key). Never shown by `Debug`.
        webhook_secret(secret: impl Into<Vec<u8>>) => secret;
    }

    /// Drops one capability: `without(Capability::List)` acts like a provider without listing.
    pub fn without(mut self, capability: Capability) -> Self {
        self.capabilities = self.capabilities.without(capability);
        self
    }

    /// Pays out exactly these assets (symbol and, if given, network); others are refused with
    /// `InvalidRequest` naming the accepted ones. By default the fake pays out every asset whose
    /// decimals payout-core knows.
    pub fn assets(mut self, assets: impl IntoIterator<Item = Asset>) -> Self {
        self.assets = Assets::Only(assets.into_iter().collect());
        self
    }

    /// Pays out any asset, even one payout-core does not know.
    pub fn any_asset(mut self) -> Self {
        self.assets = Assets::Any;
        self
    }

    /// The clock for `created_at` and `updated_at` (default: `OffsetDateTime::now_utc`).
    pub fn clock(mut self, clock: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The fake.
    pub fn build(self) -> FakeProvider {
        FakeProvider { inner: Arc::new(Inner { settings: self, state: Mutex::new(State::default()) }) }
    }
}

/// An in-memory [`PayoutProvider`] that behaves like a real one.
///
/// - References are unique: a second create with a used reference is
///   [`PayoutError::DuplicateReference`] and creates nothing (with
///   [`Capability::IdempotentCreate`], the same payout again is answered with the existing
///   withdrawal instead).
/// - Ids are `"1"`, `"2"`, … in creation order. Listings are newest first (by creation order, so
///   the order is stable even under a fixed clock), with every [`ListQuery`] filter and a total.
/// - New withdrawals are `pending` (see [`FakeProviderBuilder::initial_status`]); the test moves
///   them with [`approve`](Self::approve), [`start_processing`](Self::start_processing),
///   [`complete`](Self::complete), [`cancel`](Self::cancel), [`reject`](Self::reject) and
///   [`set_raw_status`](Self::set_raw_status), which refuse illegal moves. Raw statuses are in
///   [`raw_status`].
/// - Like a real provider it refuses what it cannot do before acting: conversions without
///   [`Capability::Convert`], tags without [`Capability::Tag`], operations left out of its
///   capabilities (`Unsupported`), and assets it does not pay out (`InvalidRequest`).
/// - Failures are scripted for the next call ([`fail_next`](Self::fail_next)), for every call of
///   an operation ([`fail_every`](Self::fail_every), [`fail_every_call`](Self::fail_every_call))
///   or of one reference ([`fail_reference`](Self::fail_reference)); every trait call is logged
///   ([`calls`](Self::calls)).
/// - Webhooks: [`webhook`](Self::webhook) signs one for a withdrawal, `parse_webhook` verifies it.
///
/// Clones share the same state. No runtime or thread is needed to create one.
#[derive(Clone)]
pub struct FakeProvider {
    inner: Arc<Inner>,
}

/// What the builder set, and the withdrawals.
struct Inner {
    settings: FakeProviderBuilder,
    state: Mutex<State>,
}

/// A withdrawal as the fake keeps it.
struct Record {
    withdrawal: Withdrawal,
    /// The asset debited, when the payout was a conversion into `withdrawal.asset`.
    debited: Option<Asset>,
}

#[derive(Default)]
struct State {
    /// In creation order; never shrinks, so indexes stay valid.
    records: Vec<Record>,
    by_id: HashMap<WithdrawalId, usize>,
    by_reference: HashMap<Reference, usize>,
    script: Script,
    calls: Vec<Call>,
}

impl fmt::Debug for FakeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeProvider")
            .field("id", &self.inner.settings.id)
            .field("capabilities", &self.inner.settings.capabilities)
            .field("withdrawals", &self.state().records.len())
            .field("webhook_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Default for FakeProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeProvider {
    /// A fake with the defaults: id `"fake"`, every capability, new withdrawals `pending`.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Configures a fake.
    pub fn builder() -> FakeProviderBuilder {
        FakeProviderBuilder {
            id: ProviderId::from_static(DEFAULT_ID),
            capabilities: Capabilities::all().without(Capability::IdempotentCreate),
            assets: Assets::Known,
            initial_status: WithdrawalStatus::Pending,
            secret: DEFAULT_SECRET.to_vec(),
            clock: Arc::new(OffsetDateTime::now_utc),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves consistent data: every change is
        // made in one step under the lock.
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> OffsetDateTime {
        (self.inner.settings.clock)()
    }

    // ----- scripted failures and the call log -----

    /// Makes the next call of `op` fail with `fault` (faults for one operation queue up in order).
    pub fn fail_next(&self, op: Operation, fault: impl Into<Fault>) {
        self.state().script.push_next(op, fault.into());
    }

    /// Makes every call of `op` fail with `fault`, until [`clear_failures`](Self::clear_failures).
    pub fn fail_every(&self, op: Operation, fault: impl Into<Fault>) {
        self.state().script.push_every(Rule { op: Some(op), reference: None }, fault.into());
    }

    /// Makes every call of every operation fail with `fault` (a provider that is down).
    pub fn fail_every_call(&self, fault: impl Into<Fault>) {
        self.state().script.push_every(Rule::default(), fault.into());
    }

    /// Makes every call of `op` naming `reference` fail with `fault` (one payout refused while
    /// others go through). Only creates and finds name a reference.
    pub fn fail_reference(&self, op: Operation, reference: Reference, fault: impl Into<Fault>) {
        self.state().script.push_every(Rule { op: Some(op), reference: Some(reference) }, fault.into());
    }

    /// Drops every scripted failure.
    pub fn clear_failures(&self) {
        self.state().script.clear();
    }

    /// Every call received so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The calls of one operation, in order.
    pub fn calls_of(&self, op: Operation) -> Vec<Call> {
        self.state().calls.iter().filter(|c| c.operation() == op).cloned().collect()
    }

    /// Forgets the calls received so far.
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    // ----- inspection (not logged, never failed) -----

    /// Every withdrawal held, in creation order.
    pub fn withdrawals(&self) -> Vec<Withdrawal> {
        self.state().records.iter().map(|r| r.withdrawal.clone()).collect()
    }

    /// The withdrawal with this id, if any.
    pub fn withdrawal(&self, id: &WithdrawalId) -> Option<Withdrawal> {
        let st = self.state();
        st.by_id.get(id).map(|&i| st.records[i].withdrawal.clone())
    }

    /// The withdrawal with this reference, if any.
    pub fn withdrawal_by_reference(&self, reference: &Reference) -> Option<Withdrawal> {
        let st = self.state();
        st.by_reference.get(reference).map(|&i| st.records[i].withdrawal.clone())
    }

    // ----- status moves, driven by the test -----

    /// Approves a pending withdrawal (`approved`).
    pub fn approve(&self, id: &WithdrawalId) -> Result<Withdrawal, FakeError> {
        self.move_with(id, WithdrawalStatus::Approved, |_| {})
    }

    /// Starts sending it (`processing`).
    pub fn start_processing(&self, id: &WithdrawalId) -> Result<Withdrawal, FakeError> {
        self.move_with(id, WithdrawalStatus::Processing, |_| {})
    }

    /// Completes it with this transaction hash (`completed`); the amount sent becomes the amount
    /// requested and the source address [`SOURCE_ADDRESS`].
    pub fn complete(&self, id: &WithdrawalId, tx_hash: impl Into<String>) -> Result<Withdrawal, FakeError> {
        let tx_hash = tx_hash.into();
        self.move_with(id, WithdrawalStatus::Completed, move |w| {
            w.tx_hash = Some(tx_hash);
            w.amount_sent = w.amount;
            w.source_address = Some(SOURCE_ADDRESS.into());
        })
    }

    /// Cancels it (`cancelled`).
    pub fn cancel(&self, id: &WithdrawalId) -> Result<Withdrawal, FakeError> {
        self.move_with(id, WithdrawalStatus::Cancelled, |_| {})
    }

    /// Cancels it and records why, as a provider reports a failed send (`cancelled`).
    pub fn fail(&self, id: &WithdrawalId, reason: impl Into<String>) -> Result<Withdrawal, FakeError> {
        let reason = Some(reason.into());
        self.move_with(id, WithdrawalStatus::Cancelled, move |w| w.failure_reason = reason)
    }

    /// Declines it, as a reviewer would (`rejected`).
    pub fn reject(&self, id: &WithdrawalId) -> Result<Withdrawal, FakeError> {
        self.move_with(id, WithdrawalStatus::Rejected, |_| {})
    }

    /// Sets a raw provider status. One of the fake's own (see [`raw_status`]) maps to its unified
    /// status; anything else maps to `unknown`, as a status a newer provider version added would.
    /// The move is checked like the others.
    pub fn set_raw_status(&self, id: &WithdrawalId, raw: impl Into<String>) -> Result<Withdrawal, FakeError> {
        let raw = raw.into();
        self.move_to(id, status_of_raw(&raw), raw, |_| {})
    }

    /// A move to `to` under the fake's own raw status for it.
    fn move_with(
        &self,
        id: &WithdrawalId,
        to: WithdrawalStatus,
        change: impl FnOnce(&mut Withdrawal),
    ) -> Result<Withdrawal, FakeError> {
        self.move_to(id, to, raw_status(to).into(), change)
    }

    /// Applies a move under one lock. Moving to the status a withdrawal already has changes
    /// nothing (except a different raw status of `unknown`).
    fn move_to(
        &self,
        id: &WithdrawalId,
        to: WithdrawalStatus,
        raw: String,
        change: impl FnOnce(&mut Withdrawal),
    ) -> Result<Withdrawal, FakeError> {
        let now = self.now();
        let mut st = self.state();
        let index = *st.by_id.get(id).ok_or_else(|| FakeError::NotFound(id.clone()))?;
        let record = &mut st.records[index];
        let w = &mut record.withdrawal;
        match w.status.transition_to(to) {
            Transition::Illegal => return Err(FakeError::IllegalMove { id: id.clone(), from: w.status, to }),
            Transition::Unchanged if w.provider_status == raw => return Ok(w.clone()),
            Transition::Unchanged | Transition::Advance => {}
        }
        w.status = to;
        w.provider_status = raw;
        w.updated_at = Some(now);
        change(w);
        record.refresh_raw();
        Ok(record.withdrawal.clone())
    }

    // ----- webhooks -----

    /// A signed webhook carrying the withdrawal with this id as the fake holds it now.
    pub fn webhook(&self, id: &WithdrawalId) -> Result<SignedWebhook, FakeError> {
        let w = self.withdrawal(id).ok_or_else(|| FakeError::NotFound(id.clone()))?;
        self.sign_webhook(&w)
    }

    /// A signed webhook carrying any withdrawal (for example an old state, to test that a late
    /// webhook does not undo progress). The body is the withdrawal's unified JSON; a withdrawal
    /// that has none (a time outside RFC 3339's years) is [`FakeError::Unserializable`].
    pub fn sign_webhook(&self, withdrawal: &Withdrawal) -> Result<SignedWebhook, FakeError> {
        let body = serde_json::to_vec(withdrawal).map_err(|e| FakeError::Unserializable(e.to_string()))?;
        Ok(self.sign_body(body))
    }

    /// Signs any body with the fake's webhook secret (for tests of malformed bodies).
    pub fn sign_body(&self, body: Vec<u8>) -> SignedWebhook {
        // The fake's signature is the same construction as AlpPay's: hex HMAC-SHA256 of the body.
        let signature = signing::alppay_signature(&self.inner.settings.secret, &body);
        SignedWebhook::new(body).header(SIGNATURE_HEADER, &signature)
    }

    // ----- the trait's work -----

    /// Logs the call, refuses it when the operation is left out of the capabilities, and returns
    /// the fault scripted for it, if any.
    fn enter(&self, call: Call) -> Result<Option<Fault>, PayoutError> {
        let op = call.operation();
        let (capability, what) = match op {
            Operation::Create | Operation::Submit => (Capability::Create, "creating withdrawals"),
            Operation::Get => (Capability::Get, "getting withdrawals by id"),
            Operation::Find => (Capability::Find, "finding withdrawals by reference"),
            Operation::List | Operation::ListAll => (Capability::List, "listing withdrawals"),
            Operation::ParseWebhook => (Capability::Webhook, "webhooks"),
        };
        let mut st = self.state();
        let reference = call.reference().cloned();
        st.calls.push(call);
        if !self.inner.settings.capabilities.supports(capability) {
            return Err(PayoutError::unsupported(self.inner.settings.id.clone(), what));
        }
        Ok(st.script.take(op, reference.as_ref()))
    }

    fn fault_error(&self, fault: Fault, op: Operation, reference: Option<&Reference>) -> PayoutError {
        match fault {
            Fault::Error(e) => e,
            Fault::Kind(kind) => error_of_kind(kind, &self.inner.settings.id, op, reference),
            Fault::LoseAnswer => lost_answer(op, reference),
        }
    }

    /// The provider's own rules, checked before anything is created.
    fn check_request(&self, request: &WithdrawalRequest) -> Result<(), PayoutError> {
        let caps = self.inner.settings.capabilities;
        if request.amount().convert_to().is_some() && !caps.supports(Capability::Convert) {
            return Err(PayoutError::unsupported(
                self.inner.settings.id.clone(),
                "conversion on withdrawal (convert_to)",
            ));
        }
        if request.travel_rule().is_some() && !caps.supports(Capability::TravelRule) {
            return Err(PayoutError::unsupported(self.inner.settings.id.clone(), "travel-rule data"));
        }
        if request.tag().is_some() && !caps.supports(Capability::Tag) {
            return Err(PayoutError::unsupported(self.inner.settings.id.clone(), "destination tags"));
        }
        let asset = request.asset();
        let accepted = match &self.inner.settings.assets {
            Assets::Any => true,
            Assets::Known => asset.decimals().is_some() && !asset.is_provider_code(),
            Assets::Only(list) => list.iter().any(|a| a.symbol() == asset.symbol() && a.network() == asset.network()),
        };
        if !accepted {
            let offer = match &self.inner.settings.assets {
                Assets::Only(list) => list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                _ => "assets whose decimals payout-core knows (BTC, ETH, USDT, …)".into(),
            };
            return Err(PayoutError::invalid_field(
                "asset",
                format!("{} does not pay out {asset}; it pays out {offer}", self.inner.settings.id),
            ));
        }
        Ok(())
    }

    fn create(&self, request: &WithdrawalRequest, lose_answer: bool) -> Result<Withdrawal, PayoutError> {
        self.check_request(request)?;
        let now = self.now();
        let mut st = self.state();
        if let Some(&index) = st.by_reference.get(request.reference()) {
            let held = &st.records[index].withdrawal;
            let replays = self.inner.settings.capabilities.supports(Capability::IdempotentCreate);
            if replays && replayable(held, request) {
                let existing = held.clone();
                drop(st);
                if lose_answer {
                    return Err(lost_answer(Operation::Create, Some(request.reference())));
                }
                return Ok(existing);
            }
            return Err(PayoutError::DuplicateReference { reference: request.reference().clone() });
        }
        let index = st.records.len();
        let id = WithdrawalId::new((index + 1).to_string());
        let status = self.inner.settings.initial_status;
        let mut w = Withdrawal::new(self.inner.settings.id.clone(), id.clone(), status, raw_status(status));
        // The fake has no exchange rates: of a conversion only the exact side is known.
        let (asset, amount, debited) = match request.amount() {
            PayoutAmount::Converted { to, amount } => (to.clone(), Some(*amount), Some(request.asset().clone())),
            PayoutAmount::DebitConverted { to, amount } => {
                w.sender_amount = Some(*amount);
                w.sender_currency = Some(request.asset().symbol().to_owned());
                (to.clone(), None, Some(request.asset().clone()))
            }
            other => (request.asset().clone(), Some(other.value()), None),
        };
        w.reference = Some(request.reference().clone());
        w.end_user = Some(request.end_user().clone());
        w.asset = Some(asset);
        w.amount = amount;
        w.address = Some(request.address().to_owned());
        w.tag = request.tag().map(str::to_owned);
        w.created_at = Some(now);
        w.updated_at = Some(now);
        let mut record = Record { withdrawal: w, debited };
        record.refresh_raw();
        let created = record.withdrawal.clone();
        st.records.push(record);
        st.by_id.insert(id, index);
        st.by_reference.insert(request.reference().clone(), index);
        drop(st);
        if lose_answer {
            return Err(lost_answer(Operation::Create, Some(request.reference())));
        }
        Ok(created)
    }

    fn list(&self, query: &ListQuery) -> Page<Withdrawal> {
        let st = self.state();
        let matches = |w: &Withdrawal| {
            (query.ids.is_empty() || query.ids.contains(&w.id))
                && (query.references.is_empty() || w.reference.as_ref().is_some_and(|r| query.references.contains(r)))
                && (query.tx_hashes.is_empty() || w.tx_hash.as_ref().is_some_and(|h| query.tx_hashes.contains(h)))
                && (query.statuses.is_empty() || query.statuses.contains(&w.status))
        };
        let all: Vec<&Withdrawal> = st.records.iter().rev().map(|r| &r.withdrawal).filter(|w| matches(w)).collect();
        let skip = usize::try_from(u64::from(query.page) * u64::from(query.limit)).unwrap_or(usize::MAX);
        let take = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let items = all.iter().skip(skip).take(take).map(|w| (*w).clone()).collect();
        Page::new(items, query.page, query.limit, Some(all.len() as u64))
    }

    fn parse(&self, headers: &HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        let signature = headers
            .get(SIGNATURE_HEADER)
            .ok_or_else(|| PayoutError::webhook(format!("the {SIGNATURE_HEADER} header is missing")))?
            .to_str()
            .map_err(|_| PayoutError::webhook(format!("the {SIGNATURE_HEADER} header is not text")))?;
        if !signing::verify_alppay(&self.inner.settings.secret, body, signature) {
            return Err(PayoutError::webhook(format!(
                "the {SIGNATURE_HEADER} signature does not match the body (wrong secret, or the body was changed)"
            )));
        }
        let raw: &serde_json::value::RawValue =
            serde_json::from_slice(body).map_err(|e| PayoutError::webhook(format!("the body is not JSON: {e}")))?;
        // From the text: payout-core reads amounts through `RawValue`, exactly.
        let mut withdrawal: Withdrawal = serde_json::from_str(raw.get())
            .map_err(|e| PayoutError::webhook(format!("the body is not a withdrawal: {e}")))?;
        if withdrawal.provider != self.inner.settings.id {
            return Err(PayoutError::webhook(format!(
                "the webhook is for provider {}, not {}",
                withdrawal.provider, self.inner.settings.id
            )));
        }
        withdrawal.raw = RawJson::from(raw);
        Ok(WithdrawalUpdate::new(withdrawal))
    }
}

impl Record {
    /// Rebuilds the raw JSON the fake "sent": the unified JSON, plus the debited asset of a
    /// conversion.
    fn refresh_raw(&mut self) {
        let mut raw = serde_json::to_value(&self.withdrawal).unwrap_or(serde_json::Value::Null);
        if let (Some(debited), serde_json::Value::Object(map)) = (&self.debited, &mut raw) {
            map.insert("debited_asset".into(), serde_json::Value::String(debited.symbol().to_owned()));
        }
        self.withdrawal.raw = RawJson::from(raw);
    }
}

/// Whether `request` is the payout `held` records (its exact amount and address), so that a
/// replaying fake answers it with `held`.
fn replayable(held: &Withdrawal, request: &WithdrawalRequest) -> bool {
    let amount = match request.amount() {
        PayoutAmount::DebitConverted { amount, .. } => held.sender_amount == Some(*amount),
        other => held.amount == Some(other.value()),
    };
    amount && held.address.as_deref() == Some(request.address())
}

/// The error of a call whose answer was lost after the fake acted.
fn lost_answer(op: Operation, reference: Option<&Reference>) -> PayoutError {
    match (op, reference) {
        (Operation::Create, Some(reference)) => PayoutError::outcome_unknown(
            reference.clone(),
            "scripted fault: the create reached the fake but its answer was lost",
        ),
        _ => PayoutError::unavailable(format!("scripted fault: the answer to {op} was lost"), None),
    }
}

#[async_trait]
impl PayoutProvider for FakeProvider {
    fn id(&self) -> ProviderId {
        self.inner.settings.id.clone()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.settings.capabilities
    }

    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        match self.enter(Call::Create(request.clone()))? {
            None => self.create(request, false),
            Some(Fault::LoseAnswer) => self.create(request, true),
            Some(fault) => Err(self.fault_error(fault, Operation::Create, Some(request.reference()))),
        }
    }

    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        if let Some(fault) = self.enter(Call::Get(id.clone()))? {
            return Err(self.fault_error(fault, Operation::Get, None));
        }
        self.withdrawal(id).ok_or_else(|| PayoutError::NotFound { what: format!("withdrawal {id}") })
    }

    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        if let Some(fault) = self.enter(Call::Find(reference.clone()))? {
            return Err(self.fault_error(fault, Operation::Find, Some(reference)));
        }
        Ok(self.withdrawal_by_reference(reference))
    }

    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        if let Some(fault) = self.enter(Call::List(query.clone()))? {
            return Err(self.fault_error(fault, Operation::List, None));
        }
        query.validate()?;
        Ok(self.list(query))
    }

    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WithdrawalUpdate, PayoutError> {
        if let Some(fault) = self.enter(Call::ParseWebhook(body.to_vec()))? {
            return Err(self.fault_error(fault, Operation::ParseWebhook, None));
        }
        self.parse(headers, body)
    }
}
