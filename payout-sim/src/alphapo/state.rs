//! What the AlphaPo simulator remembers: withdrawals with their statuses, indexed by id and by
//! `foreign_id`, and the balance each has taken.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::clock;
use crate::engine::{Ledger, Step, TwoSteps};
use crate::ids::IdGen;

use super::AlphaPoConfig;
use super::currencies::hash_has_0x;
use super::validate::Validated;
use super::wire::{self, FieldErrors};

/// A withdrawal's status inside the simulator. Lookups and callbacks print it with the documented
/// mapping ([`AlphaPoStatus::wire`]): `processing` reads `not_confirmed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlphaPoStatus {
    /// Just created (the only status a create answer shows).
    Processing,
    /// Above a withdrawal limit, waiting for a reviewer.
    Pending,
    /// Sent to the blockchain, not yet confirmed (has a tx hash).
    NotConfirmed,
    /// Final: confirmed.
    Confirmed,
    /// Final: cancelled by the provider (with an `error` text).
    Cancelled,
    /// Final: declined by a reviewer (with an `error` text).
    Declined,
}

impl AlphaPoStatus {
    /// Every status.
    pub const ALL: [AlphaPoStatus; 6] = [
        AlphaPoStatus::Processing,
        AlphaPoStatus::Pending,
        AlphaPoStatus::NotConfirmed,
        AlphaPoStatus::Confirmed,
        AlphaPoStatus::Cancelled,
        AlphaPoStatus::Declined,
    ];

    /// The simulator's own name (`processing`, `not_confirmed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AlphaPoStatus::Processing => "processing",
            AlphaPoStatus::Pending => "pending",
            AlphaPoStatus::NotConfirmed => "not_confirmed",
            AlphaPoStatus::Confirmed => "confirmed",
            AlphaPoStatus::Cancelled => "cancelled",
            AlphaPoStatus::Declined => "declined",
        }
    }

    /// The value `/transactions/info` and callbacks print (internal processing → `not_confirmed`).
    pub fn wire(self) -> &'static str {
        match self {
            AlphaPoStatus::Processing => "not_confirmed",
            other => other.as_str(),
        }
    }

    /// Whether the status is final (confirmed, cancelled, declined).
    pub fn is_final(self) -> bool {
        matches!(self, AlphaPoStatus::Confirmed | AlphaPoStatus::Cancelled | AlphaPoStatus::Declined)
    }

    /// Whether `currency_sent`/`currency_received` are printed: the documents say only for
    /// confirmed, verifying or processing transactions; the simulator's `not_confirmed` is the
    /// provider's "processing" stage (sent, awaiting confirmations), so it counts too.
    pub(crate) fn shows_currencies(self) -> bool {
        matches!(self, AlphaPoStatus::Processing | AlphaPoStatus::NotConfirmed | AlphaPoStatus::Confirmed)
    }

    /// Whether the amount stays debited from the balance (a cancelled or declined one is refunded).
    fn holds_balance(self) -> bool {
        !matches!(self, AlphaPoStatus::Cancelled | AlphaPoStatus::Declined)
    }
}

/// The automatic life cycle: processing → `not_confirmed` (with a tx hash) `send_after` the
/// creation, then → `confirmed` `confirm_after` later. Computed lazily from timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlphaPoLifecycle {
    /// From creation to `not_confirmed`.
    pub send_after: Duration,
    /// From `not_confirmed` to `confirmed`.
    pub confirm_after: Duration,
}

/// One withdrawal as the simulator keeps it (also the snapshot format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlphaPoWithdrawal {
    /// The provider's id (`data.id`).
    pub id: i64,
    /// The merchant's unique reference.
    pub foreign_id: String,
    /// The end user's stable id.
    pub end_user_reference: String,
    /// Whether it was a withdrawal with conversion (`withdrawal_exchange`).
    pub exchange: bool,
    /// The current status.
    pub status: AlphaPoStatus,
    /// The currency debited (`currency`).
    pub sender_currency: String,
    /// The amount debited.
    pub sender_amount: Decimal,
    /// Decimal places of the sender currency.
    pub sender_precision: u32,
    /// The currency sent to the address.
    pub receiver_currency: String,
    /// The amount sent to the address.
    pub receiver_amount: Decimal,
    /// Decimal places of the receiver currency.
    pub receiver_precision: u32,
    /// The destination address.
    pub address: String,
    /// The destination tag or memo.
    pub tag: Option<String>,
    /// `crypto_address.id`.
    pub address_id: i64,
    /// `transactions[].id` of the blockchain transaction.
    pub transaction_id: i64,
    /// The blockchain hash, once sent.
    pub txid: Option<String>,
    /// The error text (`""` unless cancelled or declined).
    pub error: String,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Whether the automatic life cycle still drives it (false once moved by hand, and for
    /// seeded withdrawals).
    pub automatic: bool,
    /// Whether its amount was taken from the simulated balance (seeded ones are not).
    pub debited: bool,
}

impl AlphaPoWithdrawal {
    /// `withdrawal` or `withdrawal_exchange`.
    pub fn kind(&self) -> &'static str {
        if self.exchange { "withdrawal_exchange" } else { "withdrawal" }
    }
}

/// A status change to report by callback.
pub(crate) type Change = i64;

/// The withdrawals of one simulator and their indexes.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) by_id: HashMap<i64, AlphaPoWithdrawal>,
    pub(crate) by_foreign_id: HashMap<String, i64>,
    /// Withdrawals the automatic life cycle may still move.
    pub(crate) active: HashSet<i64>,
    /// Debited per currency.
    pub(crate) spent: HashMap<String, Decimal>,
    pub(crate) next_id: i64,
    pub(crate) next_aux_id: i64,
    pub(crate) ids: IdGen,
}

impl Store {
    pub(crate) fn new(first_id: i64) -> Self {
        Self {
            by_id: HashMap::new(),
            by_foreign_id: HashMap::new(),
            active: HashSet::new(),
            spent: HashMap::new(),
            next_id: first_id,
            next_aux_id: 400_001,
            ids: IdGen::new(),
        }
    }

    pub(crate) fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(crate) fn take_aux_id(&mut self) -> i64 {
        let id = self.next_aux_id;
        self.next_aux_id += 1;
        id
    }

    pub(crate) fn spent(&self, currency: &str) -> Decimal {
        self.spent.get(currency).copied().unwrap_or_default()
    }

    /// Creates the withdrawal a validated request asks for: a used `foreign_id` or a balance too
    /// small is refused; above the merchant's limit it waits for a reviewer. The create answer,
    /// and the withdrawals whose change is delivered.
    pub(crate) fn create(
        &mut self,
        req: &Validated,
        config: &AlphaPoConfig,
    ) -> (Result<Vec<u8>, FieldErrors>, Vec<i64>) {
        if self.by_foreign_id.contains_key(&req.foreign_id) {
            let mut e = FieldErrors::default();
            e.add("foreign_id", "The foreign id has already been taken.");
            return (Err(e), Vec::new());
        }
        if self.spent(&req.sender.code).checked_add(req.sender_amount).is_none_or(|total| total > req.sender.balance) {
            let mut e = FieldErrors::default();
            e.add("amount", "Not enough money on balance");
            return (Err(e), Vec::new());
        }
        let now = crate::clock::now();
        let w = AlphaPoWithdrawal {
            id: self.take_id(),
            foreign_id: req.foreign_id.clone(),
            end_user_reference: req.end_user_reference.clone(),
            exchange: req.exchange,
            status: AlphaPoStatus::Processing,
            sender_currency: req.sender.code.clone(),
            sender_amount: req.sender_amount,
            sender_precision: req.sender.precision,
            receiver_currency: req.receiver.code.clone(),
            receiver_amount: req.receiver_amount,
            receiver_precision: req.receiver.precision,
            address: req.address.clone(),
            tag: req.tag.clone(),
            address_id: self.take_aux_id(),
            transaction_id: self.take_aux_id(),
            txid: None,
            error: String::new(),
            created_at: now,
            updated_at: now,
            automatic: config.lifecycle.is_some(),
            debited: true,
        };
        let body = wire::created(&w);
        let (id, created_at) = (w.id, w.created_at);
        let eur = req.sender_amount.checked_mul(req.sender.eur_rate).unwrap_or(Decimal::MAX);
        self.insert(w);
        // Above the merchant's withdrawal limit the withdrawal waits for a reviewer; the create
        // answer still says "processing" (as in every documented example), the callback "pending".
        let changed = match config.review_above_eur {
            Some(limit) if eur > limit => {
                self.transition(id, AlphaPoStatus::Pending, None, None, created_at);
                vec![id]
            }
            _ => Vec::new(),
        };
        (Ok(body), changed)
    }

    pub(crate) fn insert(&mut self, w: AlphaPoWithdrawal) {
        if w.debited && w.status.holds_balance() {
            *self.spent.entry(w.sender_currency.clone()).or_default() += w.sender_amount;
        }
        if w.automatic && !w.status.is_final() {
            self.active.insert(w.id);
        }
        self.by_foreign_id.insert(w.foreign_id.clone(), w.id);
        self.by_id.insert(w.id, w);
    }

    /// Moves `id` to `status`; fills the tx hash and error text as the documents show.
    pub(crate) fn transition(
        &mut self,
        id: i64,
        status: AlphaPoStatus,
        txid: Option<String>,
        error: Option<String>,
        at: OffsetDateTime,
    ) -> Option<Change> {
        let ids = &mut self.ids;
        let w = self.by_id.get_mut(&id)?;
        let old = w.status;
        match status {
            AlphaPoStatus::NotConfirmed | AlphaPoStatus::Confirmed => {
                if let Some(t) = txid {
                    w.txid = Some(t);
                } else if w.txid.is_none() {
                    let hash = if hash_has_0x(&w.receiver_currency) { ids.hash0x() } else { ids.hash64() };
                    w.txid = Some(hash);
                }
                w.error = error.unwrap_or_default();
            }
            AlphaPoStatus::Cancelled | AlphaPoStatus::Declined => {
                if txid.is_some() {
                    w.txid = txid;
                }
                w.error = error.unwrap_or_else(|| {
                    if status == AlphaPoStatus::Cancelled { "Withdrawal cancelled" } else { "Withdrawal declined" }
                        .to_owned()
                });
            }
            AlphaPoStatus::Processing | AlphaPoStatus::Pending => {
                if txid.is_some() {
                    w.txid = txid;
                }
                w.error = error.unwrap_or_default();
            }
        }
        w.status = status;
        w.updated_at = at;
        if w.debited && old.holds_balance() != status.holds_balance() {
            let spent = self.spent.entry(w.sender_currency.clone()).or_default();
            if status.holds_balance() {
                *spent += w.sender_amount;
            } else {
                *spent -= w.sender_amount;
            }
        }
        if status.is_final() || !w.automatic {
            self.active.remove(&id);
        }
        Some(id)
    }

    /// Moves `id` by hand: the automatic life cycle no longer drives it.
    pub(crate) fn manual(
        &mut self,
        id: i64,
        status: AlphaPoStatus,
        txid: Option<String>,
        error: Option<String>,
    ) -> Option<Change> {
        let w = self.by_id.get_mut(&id)?;
        w.automatic = false;
        self.transition(id, status, txid, error, clock::now())
    }
}

/// The automatic life cycle: a withdrawal moved by hand, pending review or final leaves it.
impl Ledger for Store {
    type Config = AlphaPoConfig;
    type Key = Change;
    type Status = AlphaPoStatus;

    fn next_step(&self, id: i64, config: &AlphaPoConfig, now: OffsetDateTime) -> Option<Step<AlphaPoStatus>> {
        let (life, w) = (config.lifecycle?, self.by_id.get(&id)?);
        let stages = [AlphaPoStatus::Processing, AlphaPoStatus::NotConfirmed, AlphaPoStatus::Confirmed];
        let steps = TwoSteps { stages, first: life.send_after, then: life.confirm_after };
        Some(if w.automatic { steps.next(w.status, w.created_at, now) } else { Step::Leave })
    }

    fn step(&mut self, id: i64, status: AlphaPoStatus, at: OffsetDateTime) {
        self.transition(id, status, None, None, at);
    }

    fn driven(&mut self) -> &mut HashSet<i64> {
        &mut self.active
    }

    fn count(&self) -> usize {
        self.by_id.len()
    }
}
