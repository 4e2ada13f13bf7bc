//! Bulk state: seeding many withdrawals, and the JSON snapshot the CLI's sandbox keeps in a file.

use rust_decimal::Decimal;
use serde_json::Value;

use super::currencies::{AlphaPoCurrency, CurrencyKind};
use super::state::{AlphaPoStatus, AlphaPoWithdrawal, Store};
use super::{AlphaPoConfig, AlphaPoSim};
use crate::engine::Saved;
use crate::{SimError, clock};

impl AlphaPoSim {
    /// Adds `n` withdrawals at once (not debited, not driven by the life cycle), with statuses
    /// cycling through every [`AlphaPoStatus`], currencies through the crypto ones, `foreign_id`
    /// `seed-<id>`, `end_user_reference` `seed-user-<k mod 97>`, and creation times one
    /// millisecond apart ending now. Returns their ids.
    pub fn seed(&self, n: usize) -> Vec<i64> {
        let cryptos: Vec<AlphaPoCurrency> =
            self.config().currencies.iter().filter(|c| c.kind == CurrencyKind::Crypto).cloned().collect();
        let mut store = self.engine().lock();
        let mut ids = Vec::with_capacity(n);
        // Without a crypto currency nothing is seeded.
        for ((k, created), c) in clock::seed_times(n).enumerate().zip(cryptos.iter().cycle()) {
            let status = AlphaPoStatus::ALL[k % AlphaPoStatus::ALL.len()];
            let id = store.take_id();
            let amount = c.minimum * Decimal::from(1 + k % 10);
            let w = AlphaPoWithdrawal {
                id,
                foreign_id: format!("seed-{id}"),
                end_user_reference: format!("seed-user-{}", k % 97),
                exchange: false,
                status: AlphaPoStatus::Processing,
                sender_currency: c.code.clone(),
                sender_amount: amount,
                sender_precision: c.precision,
                receiver_currency: c.code.clone(),
                receiver_amount: amount,
                receiver_precision: c.precision,
                address: format!("seed-address-{k}"),
                tag: c.uses_tag.then(|| (k % 100_000).to_string()),
                address_id: store.take_aux_id(),
                transaction_id: store.take_aux_id(),
                txid: None,
                error: String::new(),
                created_at: created,
                updated_at: created,
                automatic: false,
                debited: false,
            };
            store.insert(w);
            if status != AlphaPoStatus::Processing {
                store.transition(id, status, None, None, created);
            }
            ids.push(id);
        }
        ids
    }

    /// Forgets every withdrawal (ids keep counting up).
    pub fn reset(&self) {
        let mut store = self.engine().lock();
        let next = store.next_id;
        *store = Store::new(next);
    }
}

/// `"next_id"`, `"next_aux_id"` and `"withdrawals":[...]` by id.
impl Saved for Store {
    fn save(&self) -> Value {
        let mut all: Vec<&AlphaPoWithdrawal> = self.by_id.values().collect();
        all.sort_by_key(|w| w.id);
        serde_json::json!({ "next_id": self.next_id, "next_aux_id": self.next_aux_id, "withdrawals": all })
    }

    /// The counters go on after the highest saved ids even if the saved counters lag behind.
    fn load(snapshot: &Value, config: &AlphaPoConfig) -> Result<Self, SimError> {
        let withdrawals: Vec<AlphaPoWithdrawal> = crate::saved_items(snapshot, "withdrawals")?;
        let mut fresh = Store::new(config.first_id);
        let max_id = withdrawals.iter().map(|w| w.id + 1).max().unwrap_or(fresh.next_id);
        let max_aux =
            withdrawals.iter().map(|w| w.address_id.max(w.transaction_id) + 1).max().unwrap_or(fresh.next_aux_id);
        fresh.next_id = snapshot.get("next_id").and_then(Value::as_i64).unwrap_or(0).max(max_id);
        fresh.next_aux_id = snapshot.get("next_aux_id").and_then(Value::as_i64).unwrap_or(0).max(max_aux);
        for w in withdrawals {
            fresh.insert(w);
        }
        Ok(fresh)
    }
}
