//! `LedgerProvider`: the `PayoutProvider` over the ledger file, and the operator's controls.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use payout_core::{
    Asset, Capabilities, Capability, EndUser, ListQuery, Page, PayoutAmount, PayoutError, PayoutProvider, ProviderId,
    RawJson, Reference, Withdrawal, WithdrawalId, WithdrawalRequest, WithdrawalStatus, amount,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ledger::{Entry, LedgerFile, LedgerStatus};

const ID: ProviderId = ProviderId::from_static("ledger");

/// A provider that writes payouts to a JSON ledger file. Cheap to clone; clones share the file.
#[derive(Clone)]
pub struct LedgerProvider {
    path: Arc<PathBuf>,
    state: Arc<Mutex<LedgerFile>>,
}

impl std::fmt::Debug for LedgerProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerProvider").field("path", &self.path).finish()
    }
}

fn io_error(path: &Path, what: &str, e: impl std::error::Error + Send + Sync + 'static) -> PayoutError {
    PayoutError::unavailable(format!("cannot {what} the ledger {}: {e}", path.display()), None).with_source(e)
}

fn now() -> String {
    OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default()
}

/// The one place a ledger status becomes a unified one.
fn unified(status: LedgerStatus) -> WithdrawalStatus {
    match status {
        LedgerStatus::Queued => WithdrawalStatus::Pending,
        LedgerStatus::Signed => WithdrawalStatus::Processing,
        LedgerStatus::Settled => WithdrawalStatus::Completed,
        LedgerStatus::Voided => WithdrawalStatus::Cancelled,
    }
}

fn raw_status(status: LedgerStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The one place a ledger entry becomes a unified withdrawal.
fn withdrawal(e: &Entry) -> Withdrawal {
    let mut w = Withdrawal::new(ID, WithdrawalId::new(&e.id), unified(e.status), raw_status(e.status));
    w.reference = Reference::new(e.reference.as_str()).ok();
    w.end_user = Some(EndUser::new(&e.end_user));
    w.asset = Some(match &e.network {
        Some(n) => Asset::new(&e.asset).on(n),
        None => Asset::new(&e.asset),
    });
    w.amount = amount::parse_exact("amount", &e.amount).ok();
    w.address = Some(e.address.clone());
    w.tag = e.tag.clone();
    w.tx_hash = e.tx_hash.clone();
    w.created_at = OffsetDateTime::parse(&e.created_at, &Rfc3339).ok();
    w.updated_at = OffsetDateTime::parse(&e.updated_at, &Rfc3339).ok();
    w.raw = RawJson::from_serialize(e).unwrap_or_default();
    w
}

impl LedgerProvider {
    /// Opens (or starts) the ledger at `path`.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, PayoutError> {
        let path = path.into();
        let file = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                PayoutError::configuration(format!("the ledger {} is not a ledger file: {e}", path.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => LedgerFile::default(),
            Err(e) => return Err(io_error(&path, "read", e)),
        };
        Ok(Self { path: Arc::new(path), state: Arc::new(Mutex::new(file)) })
    }

    fn lock(&self) -> MutexGuard<'_, LedgerFile> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the ledger atomically: a crash leaves the old file or the new one, never half.
    fn save(&self, file: &LedgerFile) -> Result<(), PayoutError> {
        let bytes = serde_json::to_vec_pretty(file).map_err(|e| io_error(&self.path, "encode", e))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_error(&self.path, "create the folder of", e))?;
        }
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, bytes).map_err(|e| io_error(&self.path, "write", e))?;
        std::fs::rename(&tmp, self.path.as_ref()).map_err(|e| io_error(&self.path, "replace", e))
    }

    /// Moves an entry, refusing moves the unified life cycle forbids (a settled entry stays so).
    fn move_to(&self, id: &WithdrawalId, next: LedgerStatus, tx_hash: Option<&str>) -> Result<Withdrawal, PayoutError> {
        let mut file = self.lock();
        let entry = file
            .entries
            .iter_mut()
            .find(|e| e.id == id.as_str())
            .ok_or_else(|| PayoutError::NotFound { what: format!("ledger entry {id}") })?;
        if !unified(entry.status).can_transition_to(unified(next)) {
            return Err(PayoutError::invalid_field(
                "status",
                format!("ledger entry {id} is {} and cannot become {}", raw_status(entry.status), raw_status(next)),
            ));
        }
        entry.status = next;
        if let Some(h) = tx_hash {
            entry.tx_hash = Some(h.to_owned());
        }
        entry.updated_at = now();
        let w = withdrawal(entry);
        self.save(&file)?;
        Ok(w)
    }

    /// The operator signs a queued entry.
    pub fn sign(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        self.move_to(id, LedgerStatus::Signed, None)
    }

    /// The operator records the entry on chain.
    pub fn settle(&self, id: &WithdrawalId, tx_hash: &str) -> Result<Withdrawal, PayoutError> {
        self.move_to(id, LedgerStatus::Settled, Some(tx_hash))
    }

    /// The operator voids an entry that was not settled.
    pub fn void(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        self.move_to(id, LedgerStatus::Voided, None)
    }
}

#[async_trait]
impl PayoutProvider for LedgerProvider {
    fn id(&self) -> ProviderId {
        ID
    }

    /// No webhooks (the default `parse_webhook` says unsupported), no conversion and no
    /// travel-rule data.
    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
            .without(Capability::Webhook)
            .without(Capability::Convert)
            .without(Capability::TravelRule)
            .without(Capability::IdempotentCreate)
    }

    async fn create_withdrawal(&self, request: &WithdrawalRequest) -> Result<Withdrawal, PayoutError> {
        let PayoutAmount::Exact(amount) = request.amount() else {
            return Err(PayoutError::unsupported(ID, "conversion on withdrawal"));
        };
        if request.travel_rule().is_some() {
            return Err(PayoutError::unsupported(ID, "travel-rule data"));
        }
        request.refuse_unsupported(&ID, payout_core::RequestOptions::none())?;
        if request.asset().decimals().is_none() {
            return Err(PayoutError::invalid_field(
                "asset",
                format!(
                    "the ledger keeps only assets whose decimal places it knows (BTC, ETH, USDT...), not {}",
                    request.asset()
                ),
            ));
        }
        let mut file = self.lock();
        if file.entries.iter().any(|e| e.reference == request.reference().as_str()) {
            return Err(PayoutError::DuplicateReference { reference: request.reference().clone() });
        }
        file.next_id += 1;
        let stamp = now();
        let entry = Entry {
            id: format!("L-{:06}", file.next_id),
            reference: request.reference().to_string(),
            end_user: request.end_user().id.clone(),
            asset: request.asset().symbol().to_owned(),
            network: request.asset().network().map(str::to_owned),
            amount: amount.to_string(),
            address: request.address().to_owned(),
            tag: request.tag().map(str::to_owned),
            status: LedgerStatus::Queued,
            tx_hash: None,
            created_at: stamp.clone(),
            updated_at: stamp,
        };
        let w = withdrawal(&entry);
        file.entries.push(entry);
        if let Err(e) = self.save(&file) {
            file.entries.pop();
            file.next_id -= 1;
            return Err(e);
        }
        Ok(w)
    }

    async fn get_withdrawal(&self, id: &WithdrawalId) -> Result<Withdrawal, PayoutError> {
        let file = self.lock();
        file.entries
            .iter()
            .find(|e| e.id == id.as_str())
            .map(withdrawal)
            .ok_or_else(|| PayoutError::NotFound { what: format!("ledger entry {id}") })
    }

    async fn find_withdrawal(&self, reference: &Reference) -> Result<Option<Withdrawal>, PayoutError> {
        Ok(self.lock().entries.iter().find(|e| e.reference == reference.as_str()).map(withdrawal))
    }

    /// Newest first; filters as `ListQuery` describes them.
    async fn list_withdrawals(&self, query: &ListQuery) -> Result<Page<Withdrawal>, PayoutError> {
        query.validate()?;
        let file = self.lock();
        let matches = |e: &&Entry| {
            (query.ids.is_empty() || query.ids.iter().any(|i| i.as_str() == e.id))
                && (query.references.is_empty() || query.references.iter().any(|r| r.as_str() == e.reference))
                && (query.tx_hashes.is_empty() || query.tx_hashes.iter().any(|h| Some(h) == e.tx_hash.as_ref()))
                && (query.statuses.is_empty() || query.statuses.contains(&unified(e.status)))
        };
        let total = file.entries.iter().filter(matches).count();
        let skip = query.page as usize * query.limit as usize;
        let items =
            file.entries.iter().rev().filter(matches).skip(skip).take(query.limit as usize).map(withdrawal).collect();
        Ok(Page::new(items, query.page, query.limit, Some(total as u64)))
    }
}
