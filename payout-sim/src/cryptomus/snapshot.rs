//! Bulk state: seeding many payouts, and forgetting them. The JSON snapshot the CLI's sandbox keeps
//! in a file is the list of them (`saved as list` in `mod.rs`).

use rust_decimal::Decimal;

use super::CryptomusSim;
use super::state::{CryptomusMove, CryptomusPayout, CryptomusStatus, Store};
use crate::clock;

impl CryptomusSim {
    /// Adds `n` payouts at once (outside the life cycle): statuses cycle through every
    /// [`CryptomusStatus`] with their usual finality, services through the available ones,
    /// `order_id`s are `seed-<seq>`, amounts 10 to 99 of the coin (fee from the balance), and
    /// creation times one millisecond apart ending now. Returns their uuids, oldest first.
    pub fn seed(&self, n: usize) -> Vec<String> {
        let services: Vec<_> = self.config().services.iter().filter(|s| s.is_available).cloned().collect();
        let mut store = self.engine().lock();
        let mut uuids = Vec::with_capacity(n);
        // Without an available service nothing is seeded.
        for ((k, created), s) in clock::seed_times(n).enumerate().zip(services.iter().cycle()) {
            let seq = store.take_seq();
            let amount = Decimal::from(10 + k % 90);
            let commission = s.commission(amount);
            let p = CryptomusPayout {
                uuid: store.ids.uuid(),
                seq,
                order_id: format!("seed-{seq}"),
                amount,
                currency: s.currency.clone(),
                network: s.network.clone(),
                address: format!("seed-address-{k}"),
                is_subtract: true,
                url_callback: None,
                payer_currency: s.currency.clone(),
                payer_amount: amount,
                merchant_amount: amount + commission,
                commission,
                debit_currency: s.currency.clone(),
                debit_amount: amount + commission,
                balance: self.config().opening_balance(&s.currency) - store.debited(&s.currency) - amount - commission,
                status: CryptomusStatus::Process,
                is_final: false,
                txid: None,
                fail_reason: None,
                memo: None,
                created_at: created,
                updated_at: created,
                automatic: false,
            };
            uuids.push(p.uuid.clone());
            let idx = store.insert(p);
            let status = CryptomusStatus::ALL[k % CryptomusStatus::ALL.len()];
            if status != CryptomusStatus::Process {
                store.transition(idx, CryptomusMove::to(status), created);
            }
        }
        uuids
    }

    /// Forgets every payout (the balances are whole again).
    pub fn reset(&self) {
        *self.engine().lock() = Store::default();
    }
}
