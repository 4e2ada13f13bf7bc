//! What the AlpPay simulator remembers: withdrawals in creation order, indexed by id, invoice and
//! transaction hash, with a creation-time order for listing newest first.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::engine::{Ledger, Step};
use crate::ids::IdGen;
use crate::{SimError, clock};

use super::AlpPayConfig;
use super::validate::{Refusal, Validated, invalid};

/// AlpPay's withdrawal statuses (`COMPLETE`, not `COMPLETED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlpPayStatus {
    /// Created, waiting for approval.
    Open,
    /// Approved, not yet sent.
    Approved,
    /// Final: sent (`txnId`, `addressFrom`, `receivedAmount` filled).
    Complete,
    /// Final: cancelled.
    Cancelled,
}

impl AlpPayStatus {
    /// Every status.
    pub const ALL: [AlpPayStatus; 4] =
        [AlpPayStatus::Open, AlpPayStatus::Approved, AlpPayStatus::Complete, AlpPayStatus::Cancelled];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            AlpPayStatus::Open => "OPEN",
            AlpPayStatus::Approved => "APPROVED",
            AlpPayStatus::Complete => "COMPLETE",
            AlpPayStatus::Cancelled => "CANCELLED",
        }
    }

    /// Parses a wire value exactly (case-sensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the status is final.
    pub fn is_final(self) -> bool {
        matches!(self, AlpPayStatus::Complete | AlpPayStatus::Cancelled)
    }
}

/// The customer a withdrawal is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpPayCustomer {
    /// The merchant's integer customer id.
    pub id: i64,
    /// Name (no length rule).
    pub name: String,
    /// A valid e-mail address.
    pub email: String,
}

/// One withdrawal as the simulator keeps it (also the snapshot format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpPayWithdrawal {
    /// The UUID.
    pub id: String,
    /// Creation order, the tie-break when two withdrawals share a creation time.
    pub seq: u64,
    /// The blockchain hash, `""` until complete.
    pub txn_id: String,
    /// The requested amount.
    pub amount: Decimal,
    /// The amount sent, 0 until complete.
    pub received_amount: Decimal,
    /// `asset.short` (`USDT`).
    pub asset_short: String,
    /// `asset.network` (`tron`).
    pub asset_network: String,
    /// `asset.name` (`Tether`).
    pub asset_name: String,
    /// `asset.logoUrl`.
    pub asset_logo_url: String,
    /// The source wallet, `""` until complete.
    pub address_from: String,
    /// The wallet it will be sent from when it completes (the merchant's hot wallet, or the
    /// client's address in withdraw-direct mode).
    pub send_from: String,
    /// The destination.
    pub address_to: String,
    /// The destination tag (`""` when none).
    pub dest_tag: String,
    /// The status.
    pub status: AlpPayStatus,
    /// The customer.
    pub customer: AlpPayCustomer,
    /// The merchant's reference.
    pub invoice: String,
    /// The withdraw-direct client id, if any.
    pub client_id: Option<String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The auto-approval time (`createdAt` + the configured delay) when a timer approves it;
    /// `None` (`null`) when approval is manual.
    #[serde(with = "time::serde::rfc3339::option")]
    pub time_to_approve: Option<OffsetDateTime>,
    /// Whether the automatic life cycle still drives it.
    pub automatic: bool,
}

/// The withdrawals of one simulator and their indexes; empty by default.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) items: Vec<AlpPayWithdrawal>,
    pub(crate) by_id: HashMap<String, usize>,
    pub(crate) by_invoice: HashMap<String, Vec<usize>>,
    pub(crate) by_txn: HashMap<String, Vec<usize>>,
    /// (creation time in ns, seq) → index: newest first is a reverse walk.
    pub(crate) order: BTreeMap<(i128, u64), usize>,
    /// `order` newest first, built on the first listing after a change, so that a page is a
    /// slice rather than a walk past every earlier page.
    newest_first: Option<Vec<usize>>,
    pub(crate) active: HashSet<usize>,
    /// The highest creation order number taken (0 before the first).
    last_seq: u64,
    pub(crate) ids: IdGen,
}

impl Store {
    pub(crate) fn take_seq(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Creates the withdrawal a validated request asks for (`OPEN`, on its way to approval when
    /// the configuration approves automatically); a used invoice is refused with 422 when the
    /// configuration says so. Its index.
    pub(crate) fn create(&mut self, req: &Validated, config: &AlpPayConfig) -> Result<usize, Refusal> {
        if config.refuse_duplicate_invoice && self.by_invoice.get(&req.invoice).is_some_and(|v| !v.is_empty()) {
            return Err(invalid("invoice", "invoice already exists"));
        }
        let created_at = clock::now();
        let id = self.ids.uuid();
        let seq = self.take_seq();
        let w = AlpPayWithdrawal {
            id,
            seq,
            txn_id: String::new(),
            amount: req.amount,
            received_amount: Decimal::ZERO,
            asset_short: req.asset.short.clone(),
            asset_network: req.asset.network.clone(),
            asset_name: req.asset.name.clone(),
            asset_logo_url: req.asset.logo_url.clone(),
            address_from: String::new(),
            send_from: req.address_from.clone().unwrap_or_else(|| req.asset.hot_wallet.clone()),
            address_to: req.address_to.clone(),
            dest_tag: req.dest_tag.clone(),
            status: AlpPayStatus::Open,
            customer: req.customer.clone(),
            invoice: req.invoice.clone(),
            client_id: req.client_id.clone(),
            time_to_approve: config.auto_approve_after.map(|d| clock::add(created_at, d)),
            automatic: config.auto_approve_after.is_some(),
            created_at,
            updated_at: clock::now(),
        };
        Ok(self.insert(w))
    }

    pub(crate) fn insert(&mut self, w: AlpPayWithdrawal) -> usize {
        let idx = self.items.len();
        self.last_seq = self.last_seq.max(w.seq);
        self.by_id.insert(w.id.clone(), idx);
        self.by_invoice.entry(w.invoice.clone()).or_default().push(idx);
        if !w.txn_id.is_empty() {
            self.by_txn.entry(w.txn_id.clone()).or_default().push(idx);
        }
        self.order.insert((w.created_at.unix_timestamp_nanos(), w.seq), idx);
        self.newest_first = None;
        if w.automatic && !w.status.is_final() {
            self.active.insert(idx);
        }
        self.items.push(w);
        idx
    }

    /// Adds a withdrawal of a snapshot being restored, refusing an id already restored.
    pub(crate) fn restore(&mut self, w: AlpPayWithdrawal) -> Result<usize, SimError> {
        crate::unique(&self.by_id, &w.id, "id")?;
        Ok(self.insert(w))
    }

    /// Every index, newest first (creation time, then creation order).
    pub(crate) fn newest_first(&mut self) -> &[usize] {
        let order = &self.order;
        self.newest_first.get_or_insert_with(|| order.values().rev().copied().collect())
    }

    /// Moves `idx` to `status` at `at`, filling what the documents show for it.
    pub(crate) fn transition(&mut self, idx: usize, status: AlpPayStatus, txn_id: Option<String>, at: OffsetDateTime) {
        let ids = &mut self.ids;
        let Some(w) = self.items.get_mut(idx) else { return };
        // `timeToApprove` is the auto-approval time, set at creation when a timer approves; it
        // stays `null` when approval is manual (the seed page: "null if manual"), so no move
        // fills it.
        match status {
            AlpPayStatus::Approved => {}
            AlpPayStatus::Complete => {
                let new_txn = txn_id.unwrap_or_else(|| {
                    if w.txn_id.is_empty() {
                        if w.asset_network == "ethereum" { ids.hash0x() } else { ids.hash64() }
                    } else {
                        w.txn_id.clone()
                    }
                });
                if new_txn != w.txn_id {
                    if let Some(v) = self.by_txn.get_mut(&w.txn_id) {
                        v.retain(|i| *i != idx);
                    }
                    self.by_txn.entry(new_txn.clone()).or_default().push(idx);
                    w.txn_id = new_txn;
                }
                w.address_from.clone_from(&w.send_from);
                w.received_amount = w.amount;
            }
            AlpPayStatus::Open | AlpPayStatus::Cancelled => {}
        }
        w.status = status;
        w.updated_at = at;
        if status.is_final() || !w.automatic {
            self.active.remove(&idx);
        }
    }

    /// Moves `idx` by hand after catching it up with the life cycle (what the timer did before
    /// this moment happened first); it leaves the life cycle. Approving an `OPEN` withdrawal by
    /// hand (to `APPROVED` or straight to `COMPLETE`) is a manual approval: `timeToApprove`
    /// becomes `null`. Pushes every change, in order.
    pub(crate) fn manual(
        &mut self,
        idx: usize,
        status: AlpPayStatus,
        txn_id: Option<String>,
        config: &AlpPayConfig,
        out: &mut Vec<usize>,
    ) {
        let now = clock::now();
        self.advance(idx, config, now, out);
        let Some(w) = self.items.get_mut(idx) else { return };
        w.automatic = false;
        if w.status == AlpPayStatus::Open && matches!(status, AlpPayStatus::Approved | AlpPayStatus::Complete) {
            w.time_to_approve = None;
        }
        self.active.remove(&idx);
        self.transition(idx, status, txn_id, now);
        out.push(idx);
    }
}

/// The automatic life cycle: approval at `timeToApprove`, then completion `complete_after` later
/// when configured; a withdrawal moved by hand, without a `timeToApprove`, approved with no
/// completion configured, or final leaves it.
impl Ledger for Store {
    type Config = AlpPayConfig;
    type Key = usize;
    type Status = AlpPayStatus;

    fn next_step(&self, idx: usize, config: &AlpPayConfig, now: OffsetDateTime) -> Option<Step<AlpPayStatus>> {
        let w = self.items.get(idx)?;
        if !w.automatic {
            return Some(Step::Leave);
        }
        Some(match (w.status, w.time_to_approve) {
            (AlpPayStatus::Open, Some(at)) if clock::reached(now, at) => Step::Move(AlpPayStatus::Approved, at),
            (AlpPayStatus::Approved, Some(at)) => match config.complete_after.map(|d| clock::add(at, d)) {
                Some(done) if clock::reached(now, done) => Step::Move(AlpPayStatus::Complete, done),
                Some(_) => Step::Wait,
                None => Step::Leave,
            },
            (s, approve_at) if s.is_final() || approve_at.is_none() => Step::Leave,
            _ => Step::Wait,
        })
    }

    fn step(&mut self, idx: usize, status: AlpPayStatus, at: OffsetDateTime) {
        self.transition(idx, status, None, at);
    }

    fn driven(&mut self) -> &mut HashSet<usize> {
        &mut self.active
    }

    fn count(&self) -> usize {
        self.items.len()
    }
}
