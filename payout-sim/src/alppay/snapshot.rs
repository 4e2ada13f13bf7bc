//! Bulk state: seeding many withdrawals, and forgetting them. The JSON snapshot the CLI's sandbox
//! keeps in a file is the list of them (`saved as list` in `mod.rs`).

use rust_decimal::Decimal;

use super::AlpPaySim;
use super::state::{AlpPayCustomer, AlpPayStatus, AlpPayWithdrawal, Store};
use crate::clock;

impl AlpPaySim {
    /// Adds `n` withdrawals at once (outside the life cycle): statuses cycle through every
    /// [`AlpPayStatus`], assets through the configured pairs, invoices are `seed-<seq>`,
    /// customers `1 + k mod 50`, and creation times one millisecond apart ending now. Returns
    /// their ids.
    pub fn seed(&self, n: usize) -> Vec<String> {
        let assets = self.config().assets.clone();
        let mut store = self.engine().lock();
        let mut ids = Vec::with_capacity(n);
        // Without an asset nothing is seeded.
        for ((k, created), a) in clock::seed_times(n).enumerate().zip(assets.iter().cycle()) {
            let seq = store.take_seq();
            let id = store.ids.uuid();
            let cust = i64::try_from(1 + k % 50).unwrap_or(1);
            let w = AlpPayWithdrawal {
                id: id.clone(),
                seq,
                txn_id: String::new(),
                amount: Decimal::from(10 + k % 90),
                received_amount: Decimal::ZERO,
                asset_short: a.short.clone(),
                asset_network: a.network.clone(),
                asset_name: a.name.clone(),
                asset_logo_url: a.logo_url.clone(),
                address_from: String::new(),
                send_from: a.hot_wallet.clone(),
                address_to: format!("seed-address-{k}"),
                dest_tag: String::new(),
                status: AlpPayStatus::Open,
                customer: AlpPayCustomer {
                    id: cust,
                    name: format!("Customer {cust}"),
                    email: format!("customer{cust}@example.com"),
                },
                invoice: format!("seed-{seq}"),
                client_id: None,
                created_at: created,
                updated_at: created,
                time_to_approve: None,
                automatic: false,
            };
            let idx = store.insert(w);
            let status = AlpPayStatus::ALL[k % AlpPayStatus::ALL.len()];
            if status != AlpPayStatus::Open {
                store.transition(idx, status, None, created);
            }
            ids.push(id);
        }
        ids
    }

    /// Forgets every withdrawal.
    pub fn reset(&self) {
        *self.engine().lock() = Store::default();
    }
}
