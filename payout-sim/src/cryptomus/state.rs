//! What the Cryptomus simulator remembers, and every change of it: payouts in creation order,
//! indexed by uuid and by `order_id` (unique per merchant: a repeated create returns the stored
//! payout), the funds each holds, and the life cycle, automatic or by hand.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::engine::{Ledger, Step, TwoSteps};
use crate::ids::IdGen;
use crate::{SimError, clock};

use super::CryptomusConfig;
use super::services::CryptomusService;
use super::validate::{HistoryQuery, Priced, TestWebhook, Validated};
use super::wire::{Cursor, Refusal};

/// A payout's status, as the statuses page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CryptomusStatus {
    /// In process (what a create answers).
    Process,
    /// Being verified.
    Check,
    /// Successful; final.
    Paid,
    /// Failed (final unless support can still resend it).
    Fail,
    /// Cancelled; final.
    Cancel,
    /// A system error occurred (final unless support can still resend it).
    SystemFail,
}

impl CryptomusStatus {
    /// Every status.
    pub const ALL: [CryptomusStatus; 6] = [
        CryptomusStatus::Process,
        CryptomusStatus::Check,
        CryptomusStatus::Paid,
        CryptomusStatus::Fail,
        CryptomusStatus::Cancel,
        CryptomusStatus::SystemFail,
    ];

    /// The wire value (`system_fail`).
    pub fn as_str(self) -> &'static str {
        match self {
            CryptomusStatus::Process => "process",
            CryptomusStatus::Check => "check",
            CryptomusStatus::Paid => "paid",
            CryptomusStatus::Fail => "fail",
            CryptomusStatus::Cancel => "cancel",
            CryptomusStatus::SystemFail => "system_fail",
        }
    }

    /// Parses a wire value exactly.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The `is_final` a move to this status gets unless told otherwise: `false` for `process`
    /// and `check`, `true` for the rest ("when payout is finalized it's either paid or failed").
    pub fn is_final(self) -> bool {
        !matches!(self, CryptomusStatus::Process | CryptomusStatus::Check)
    }

    /// Whether the payout did not go out (`fail`, `cancel`, `system_fail`).
    pub fn failed(self) -> bool {
        matches!(self, CryptomusStatus::Fail | CryptomusStatus::Cancel | CryptomusStatus::SystemFail)
    }
}

/// The automatic life cycle: `process` → `check` `check_after` the creation, → `paid` (final,
/// with a `txid`) `paid_after` later. Computed lazily from timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CryptomusLifecycle {
    /// From creation to `check`.
    pub check_after: Duration,
    /// From `check` to `paid`.
    pub paid_after: Duration,
}

/// A move by hand: the status, its `is_final`, and the `txid` / `fail_reason` to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CryptomusMove {
    /// The new status.
    pub status: CryptomusStatus,
    /// The new `is_final`.
    pub is_final: bool,
    /// The `txid` (`paid` gets a generated one when `None` and it has none).
    pub txid: Option<String>,
    /// The `fail_reason` (`aml`, `system_error`, `address_error`); `system_fail` gets
    /// `system_error` when `None`.
    pub fail_reason: Option<String>,
}

impl CryptomusMove {
    /// A move to `status` with its usual finality ([`CryptomusStatus::is_final`]).
    pub fn to(status: CryptomusStatus) -> Self {
        Self { status, is_final: status.is_final(), txid: None, fail_reason: None }
    }

    /// The same move with this `is_final` (a failure support can still resend is not final).
    pub fn with_final(mut self, is_final: bool) -> Self {
        self.is_final = is_final;
        self
    }

    /// The same move with this `txid`.
    pub fn with_txid(mut self, txid: &str) -> Self {
        self.txid = Some(txid.to_owned());
        self
    }

    /// The same move with this `fail_reason`.
    pub fn with_fail_reason(mut self, reason: &str) -> Self {
        self.fail_reason = Some(reason.to_owned());
        self
    }
}

/// One payout as the simulator keeps it (also the snapshot format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptomusPayout {
    /// The provider's id.
    pub uuid: String,
    /// Creation order (the history's cursor walks it).
    pub seq: u64,
    /// The merchant's unique reference.
    pub order_id: String,
    /// The amount asked for, in `currency`.
    pub amount: Decimal,
    /// The currency asked for (a coin, or fiat with `to_currency`).
    pub currency: String,
    /// The network, as the services list spells it (`TRON`).
    pub network: String,
    /// The destination.
    pub address: String,
    /// Whether the fee comes from the balance (`true`) or from the amount.
    pub is_subtract: bool,
    /// Where its webhooks go.
    pub url_callback: Option<String>,
    /// The coin sent (`payer_currency`).
    pub payer_currency: String,
    /// What the recipient gets, in `payer_currency`.
    pub payer_amount: Decimal,
    /// What the balance is debited, fees included (`merchant_amount`), in `payer_currency`.
    pub merchant_amount: Decimal,
    /// Cryptomus's commission, in `payer_currency`.
    pub commission: Decimal,
    /// The wallet debited (`payer_currency`, or USDT with `from_currency`).
    pub debit_currency: String,
    /// What that wallet is debited.
    pub debit_amount: Decimal,
    /// That wallet's balance right after the payout was made (`balance`).
    pub balance: Decimal,
    /// The status.
    pub status: CryptomusStatus,
    /// Whether the status will not change any more.
    pub is_final: bool,
    /// The transaction hash, once paid.
    pub txid: Option<String>,
    /// Why it failed, for `fail` and `system_fail`.
    pub fail_reason: Option<String>,
    /// The TON memo, if any.
    pub memo: Option<String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Whether the automatic life cycle still drives it.
    pub automatic: bool,
}

impl CryptomusPayout {
    /// Whether its funds stay debited: every payout but a final failure ("the funds will be
    /// returned to your balance").
    pub(crate) fn holds_funds(&self) -> bool {
        !(self.status.failed() && self.is_final)
    }

    /// A transaction hash of the network's shape: `0x` and 64 hex digits on EVM networks, 64 hex
    /// digits elsewhere.
    fn new_txid(&self, ids: &mut IdGen) -> String {
        match self.network.to_ascii_uppercase().as_str() {
            "ETH" | "BSC" | "POLYGON" | "ARBITRUM" | "AVALANCHE" | "OPTIMISM" => ids.hash0x(),
            _ => ids.hash64(),
        }
    }
}

/// The payouts of one simulator and their indexes; empty by default.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// In creation order, which is also `seq` order.
    pub(crate) items: Vec<CryptomusPayout>,
    pub(crate) by_uuid: HashMap<String, usize>,
    pub(crate) by_order_id: HashMap<String, usize>,
    /// What the payouts holding funds have debited, per wallet.
    debited: HashMap<String, Decimal>,
    active: HashSet<usize>,
    /// The highest creation order number taken (0 before the first).
    last_seq: u64,
    pub(crate) ids: IdGen,
}

impl Store {
    pub(crate) fn debited(&self, currency: &str) -> Decimal {
        self.debited.get(currency).copied().unwrap_or_default()
    }

    fn hold(&mut self, currency: &str, amount: Decimal) {
        *self.debited.entry(currency.to_owned()).or_default() += amount;
    }

    /// Creates the payout `req` asks for, or returns the one its `order_id` already names (as
    /// it is now, caught up with the life cycle first; a different body is refused only when the
    /// configuration says so). `price` prices a new one; the funds are checked here. The
    /// payout's index; the changes the catching up made are pushed to `out`.
    pub(crate) fn create(
        &mut self,
        req: &Validated,
        config: &CryptomusConfig,
        price: impl FnOnce() -> Result<Priced, Refusal>,
        out: &mut Vec<usize>,
    ) -> Result<usize, Refusal> {
        if let Some(idx) = self.by_order_id.get(&req.order_id).copied() {
            if config.replay_mismatch == super::ReplayMismatch::Refuse && !req.same_as(&self.items[idx]) {
                return Err(Refusal::field("order_id", "validation.unique"));
            }
            self.advance(idx, config, clock::now(), out);
            return Ok(idx);
        }
        let priced = price()?;
        let left = config.opening_balance(&priced.debit_currency) - self.debited(&priced.debit_currency);
        if left < priced.debit_amount {
            return Err(if priced.debit_currency == priced.payer_currency {
                Refusal::message("Not enough funds")
            } else {
                Refusal::message(format!(
                    "Not enough balance for convert {} to {}",
                    priced.debit_currency, priced.payer_currency
                ))
            });
        }
        let now = clock::now();
        let seq = self.last_seq + 1;
        let p = CryptomusPayout {
            uuid: self.ids.uuid(),
            seq,
            order_id: req.order_id.clone(),
            amount: req.amount,
            currency: req.currency.clone(),
            network: priced.network,
            address: req.address.clone(),
            is_subtract: req.is_subtract,
            url_callback: req.url_callback.clone(),
            payer_currency: priced.payer_currency,
            payer_amount: priced.payer_amount,
            merchant_amount: priced.merchant_amount,
            commission: priced.commission,
            balance: left - priced.debit_amount,
            debit_currency: priced.debit_currency,
            debit_amount: priced.debit_amount,
            status: CryptomusStatus::Process,
            is_final: false,
            txid: None,
            fail_reason: None,
            memo: req.memo.clone(),
            created_at: now,
            updated_at: now,
            automatic: config.lifecycle.is_some(),
        };
        Ok(self.insert(p))
    }

    /// Adds a payout as it is (creation, seeding, restoring); its index.
    pub(crate) fn insert(&mut self, p: CryptomusPayout) -> usize {
        let idx = self.items.len();
        self.last_seq = self.last_seq.max(p.seq);
        self.by_uuid.insert(p.uuid.clone(), idx);
        self.by_order_id.insert(p.order_id.clone(), idx);
        if p.holds_funds() {
            self.hold(&p.debit_currency, p.debit_amount);
        }
        if p.automatic && !p.is_final {
            self.active.insert(idx);
        }
        self.items.push(p);
        idx
    }

    /// Adds a payout of a snapshot being restored, refusing a uuid or an `order_id` already
    /// restored.
    pub(crate) fn restore(&mut self, p: CryptomusPayout) -> Result<usize, SimError> {
        crate::unique(&self.by_uuid, &p.uuid, "uuid")?;
        crate::unique(&self.by_order_id, &p.order_id, "order_id")?;
        Ok(self.insert(p))
    }

    /// The next creation order number (for seeding).
    pub(crate) fn take_seq(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Applies `step` to `idx` at `at`: the status, its finality, the `txid` a payment has and a
    /// failure has not, the `fail_reason`, and the funds a final failure gives back (or a
    /// resent one takes again).
    pub(crate) fn transition(&mut self, idx: usize, step: CryptomusMove, at: OffsetDateTime) {
        let ids = &mut self.ids;
        let Some(p) = self.items.get_mut(idx) else { return };
        let held = p.holds_funds();
        match step.status {
            CryptomusStatus::Paid => {
                let txid = step.txid.or_else(|| p.txid.clone()).unwrap_or_else(|| p.new_txid(ids));
                p.txid = Some(txid);
                p.fail_reason = None;
            }
            CryptomusStatus::Fail | CryptomusStatus::SystemFail => {
                p.txid = step.txid;
                p.fail_reason = step
                    .fail_reason
                    .or_else(|| (step.status == CryptomusStatus::SystemFail).then(|| "system_error".to_owned()));
            }
            CryptomusStatus::Process | CryptomusStatus::Check | CryptomusStatus::Cancel => {
                if step.txid.is_some() {
                    p.txid = step.txid;
                }
                p.fail_reason = step.fail_reason;
            }
        }
        p.status = step.status;
        p.is_final = step.is_final;
        p.updated_at = at;
        let (holds, currency, amount) = (p.holds_funds(), p.debit_currency.clone(), p.debit_amount);
        if p.is_final {
            self.active.remove(&idx);
        }
        match (held, holds) {
            (true, false) => self.hold(&currency, -amount),
            (false, true) => self.hold(&currency, amount),
            _ => {}
        }
    }

    /// Moves `idx` by hand after catching it up with the life cycle (what the timer did before
    /// this moment happened first); it leaves the life cycle. Pushes every change, in order.
    pub(crate) fn manual(&mut self, idx: usize, step: CryptomusMove, config: &CryptomusConfig, out: &mut Vec<usize>) {
        let now = clock::now();
        self.advance(idx, config, now, out);
        let Some(p) = self.items.get_mut(idx) else { return };
        p.automatic = false;
        self.active.remove(&idx);
        self.transition(idx, step, now);
        out.push(idx);
    }

    /// The payout a test webhook describes, changed nowhere ("no data is saved"): the stored one
    /// its `uuid` (first) or `order_id` names, or a test record of the service's minimum amount;
    /// shown in the asked status with that status's usual finality.
    pub(crate) fn test_webhook(
        &mut self,
        t: &TestWebhook,
        service: &CryptomusService,
    ) -> Result<CryptomusPayout, Refusal> {
        let stored = match (&t.uuid, &t.order_id) {
            (Some(uuid), _) => Some(self.by_uuid.get(uuid)),
            (None, Some(order_id)) => Some(self.by_order_id.get(order_id)),
            (None, None) => None,
        };
        let mut p = match stored {
            Some(Some(idx)) => self.items[*idx].clone(),
            Some(None) => return Err(Refusal::message("Not found payout")),
            None => {
                let uuid = self.ids.uuid();
                let commission = service.commission(service.min_amount);
                let now = clock::now();
                CryptomusPayout {
                    order_id: format!("test-{}", &uuid[..8]),
                    uuid,
                    seq: 0,
                    amount: service.min_amount,
                    currency: service.currency.clone(),
                    network: service.network.clone(),
                    address: String::new(),
                    is_subtract: true,
                    url_callback: None,
                    payer_currency: service.currency.clone(),
                    payer_amount: service.min_amount,
                    merchant_amount: service.min_amount + commission,
                    commission,
                    debit_currency: service.currency.clone(),
                    debit_amount: service.min_amount + commission,
                    balance: Decimal::ZERO,
                    status: CryptomusStatus::Process,
                    is_final: false,
                    txid: None,
                    fail_reason: None,
                    memo: None,
                    created_at: now,
                    updated_at: now,
                    automatic: false,
                }
            }
        };
        p.status = t.status;
        p.is_final = t.status.is_final();
        if t.status == CryptomusStatus::Paid && p.txid.is_none() {
            p.txid = Some(p.new_txid(&mut self.ids));
        }
        Ok(p)
    }

    /// One history page for `q`: the indexes in page order and the cursors to the next and the
    /// previous page. Payouts are walked by creation order (a keyset, as Laravel's
    /// `cursorPaginate` walks ids), so a page never repeats or skips one that existed when the
    /// walk began, whatever is created meanwhile.
    pub(crate) fn page(
        &self,
        q: &HistoryQuery,
        per_page: usize,
        newest_first: bool,
    ) -> (Vec<usize>, Option<Cursor>, Option<Cursor>) {
        let per_page = per_page.max(1);
        let n = self.items.len();
        let after = |id: u64| self.items.partition_point(|p| p.seq <= id);
        let before = |id: u64| self.items.partition_point(|p| p.seq < id);
        let backwards = q.cursor.is_some_and(|c| !c.points_to_next_items);
        // Walking towards older payouts is descending; a previous-page cursor walks against the
        // page order.
        let walk: Box<dyn Iterator<Item = usize>> = match q.cursor {
            None if newest_first => Box::new((0..n).rev()),
            None => Box::new(0..n),
            Some(c) if newest_first != backwards => Box::new((0..before(c.id)).rev()),
            Some(c) => Box::new(after(c.id)..n),
        };
        let keep = |i: &usize| {
            let t = self.items[*i].created_at;
            q.date_from.is_none_or(|from| t >= from) && q.date_to.is_none_or(|to| t <= to)
        };
        let mut got: Vec<usize> = walk.filter(keep).take(per_page + 1).collect();
        let more = got.len() > per_page;
        got.truncate(per_page);
        if backwards {
            got.reverse();
        }
        let cursor =
            |i: Option<&usize>, next: bool| i.map(|i| Cursor { id: self.items[*i].seq, points_to_next_items: next });
        let (first, last) = (cursor(got.first(), false), cursor(got.last(), true));
        if backwards {
            (got, last, first.filter(|_| more))
        } else {
            (got, last.filter(|_| more), first.filter(|_| q.cursor.is_some()))
        }
    }
}

/// The automatic life cycle: a payout moved by hand or final leaves it.
impl Ledger for Store {
    type Config = CryptomusConfig;
    type Key = usize;
    type Status = CryptomusStatus;

    fn next_step(&self, idx: usize, config: &CryptomusConfig, now: OffsetDateTime) -> Option<Step<CryptomusStatus>> {
        let (life, p) = (config.lifecycle?, self.items.get(idx)?);
        let stages = [CryptomusStatus::Process, CryptomusStatus::Check, CryptomusStatus::Paid];
        let steps = TwoSteps { stages, first: life.check_after, then: life.paid_after };
        Some(if p.automatic && !p.is_final { steps.next(p.status, p.created_at, now) } else { Step::Leave })
    }

    fn step(&mut self, idx: usize, status: CryptomusStatus, at: OffsetDateTime) {
        self.transition(idx, CryptomusMove::to(status), at);
    }

    fn driven(&mut self) -> &mut HashSet<usize> {
        &mut self.active
    }

    fn count(&self) -> usize {
        self.items.len()
    }
}
