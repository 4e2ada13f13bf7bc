//! The AlpPay simulator: `POST /withdrawal`, `GET /withdrawal/{id}` and `GET /withdrawal`, under
//! `/v2` by default.
//!
//! See the [`sim`](crate) module for the endpoint and error tables and an example.

mod handlers;
mod query;
mod snapshot;
mod state;
mod validate;
mod wire;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use state::{AlpPayCustomer, AlpPayStatus, AlpPayWithdrawal};

use super::SimError;
use super::deliveries::Delivery;
use super::engine::{Engine, Rules};
use state::Store;

/// The default test API key (`API-KEY`).
pub const DEFAULT_API_KEY: &str = "alppay-sandbox-key";
/// The default test HMAC key (signs `X-HMAC`).
pub const DEFAULT_HMAC_KEY: &str = "alppay-sandbox-hmac";

/// An asset/network pair the simulator accepts, with what the withdrawal object shows for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlpPayAsset {
    /// `asset.short` (`USDT`).
    pub short: String,
    /// `asset.network` (`tron`).
    pub network: String,
    /// `asset.name` (`Tether`).
    pub name: String,
    /// `asset.logoUrl`.
    pub logo_url: String,
    /// The merchant's wallet that completed withdrawals show in `addressFrom`.
    pub hot_wallet: String,
}

impl AlpPayAsset {
    /// A pair with its display data.
    pub fn new(short: &str, network: &str, name: &str, logo_url: &str, hot_wallet: &str) -> Self {
        Self {
            short: short.to_owned(),
            network: network.to_owned(),
            name: name.to_owned(),
            logo_url: logo_url.to_owned(),
            hot_wallet: hot_wallet.to_owned(),
        }
    }
}

/// The documented pairs of the newer withdrawal page: USDT/tron, USDT/ethereum, USDC/ethereum.
pub fn default_assets() -> Vec<AlpPayAsset> {
    const TETHER: &str = "https://cryptologos.cc/logos/tether-usdt-logo.png";
    const USDC: &str = "https://cryptologos.cc/logos/usd-coin-usdc-logo.png";
    const TRON_WALLET: &str = "TXkFpL3HmzE9KPpXGWNXdCbNcDYYn73U4C";
    const ETH_WALLET: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    vec![
        AlpPayAsset::new("USDT", "tron", "Tether", TETHER, TRON_WALLET),
        AlpPayAsset::new("USDT", "ethereum", "Tether", TETHER, ETH_WALLET),
        AlpPayAsset::new("USDC", "ethereum", "USD Coin", USDC, ETH_WALLET),
    ]
}

/// The merchant object every withdrawal shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlpPayMerchant {
    /// An integer, as in the withdrawal examples.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Site URL (`""` in the examples).
    pub site_url: String,
    /// Logo URL (`""` in the examples).
    pub logo_url: String,
}

impl Default for AlpPayMerchant {
    fn default() -> Self {
        Self {
            id: 1,
            name: "SandboxMerchant".to_owned(),
            email: "merchant@example.com".to_owned(),
            site_url: String::new(),
            logo_url: String::new(),
        }
    }
}

crate::simulator::config! {
    /// How an AlpPay simulator behaves.
    AlpPayConfig {
        credentials: api_key = DEFAULT_API_KEY, hmac_key = DEFAULT_HMAC_KEY;
        prefix: "/v2", sandbox "/alppay/v2";
        /// Accepted asset/network pairs; default [`default_assets`].
        assets: Vec<AlpPayAsset> = default_assets(),
        /// The merchant shown in every withdrawal.
        merchant: AlpPayMerchant = AlpPayMerchant::default(),
        /// Automatic approval this long after creation (`timeToApprove` = `createdAt` + it), or `None`
        /// (default: `timeToApprove` is `null` and only the control handle approves).
        auto_approve_after: Option<Duration> = None,
        /// After an automatic approval, completion this much later, or `None` (stays `APPROVED`).
        complete_after: Option<Duration> = None,
        /// Refuse a second withdrawal with the same `invoice` (422). Default `false`: the documents
        /// are silent, so duplicates are accepted.
        refuse_duplicate_invoice: bool = false,
    }
}

impl AlpPayConfig {
    /// Turns the automatic life cycle on: approve after `approve_after`, complete
    /// `complete_after` later (if given).
    pub fn with_lifecycle(mut self, approve_after: Duration, complete_after: Option<Duration>) -> Self {
        self.auto_approve_after = Some(approve_after);
        self.complete_after = complete_after;
        self
    }

    /// Refuses duplicate invoices with 422.
    pub fn refusing_duplicate_invoices(mut self) -> Self {
        self.refuse_duplicate_invoice = true;
        self
    }
}

impl Rules for AlpPay {
    type Config = AlpPayConfig;
    type Store = Store;

    fn tick(config: &AlpPayConfig) -> Option<Duration> {
        let approve = config.auto_approve_after?;
        Some(config.complete_after.map_or(approve, |c| c.min(approve)) / 2)
    }

    fn delivery(store: &Store, idx: usize, config: &AlpPayConfig) -> Option<Delivery> {
        let w = store.items.get(idx)?;
        let body = wire::withdrawal(w, &config.merchant);
        let signature = payout_testkit::signing::alppay_signature(config.hmac_key.as_bytes(), &body);
        Some(Delivery::new(w.id.clone(), w.status.as_str(), body, vec![("X-HMAC", signature)]))
    }
}

impl AlpPaySim {
    /// A simulator with no withdrawals. With a life cycle and a webhook URL, inside a tokio
    /// runtime, a background task delivers the automatic changes even when nobody reads them.
    pub fn new(config: AlpPayConfig) -> Self {
        Self { engine: Engine::start(config, Store::default()) }
    }

    /// Inserts under the lock; answers the created object and sends the creation webhook.
    pub(crate) fn insert_with<E>(&self, f: impl FnOnce(&mut Store) -> Result<usize, E>) -> Result<Vec<u8>, E> {
        self.engine.change(|store, config| match f(store) {
            Ok(idx) => {
                let body = store.items.get(idx).map(|w| wire::withdrawal(w, &config.merchant)).unwrap_or_default();
                (Ok(body), vec![idx])
            }
            Err(e) => (Err(e), Vec::new()),
        })
    }

    /// Finds one withdrawal, catches it up and prints it.
    pub(crate) fn read_one(&self, id: &str) -> Option<Vec<u8>> {
        self.engine
            .read(|s| s.by_id.get(id).copied(), |s, idx, c| s.items.get(idx).map(|w| wire::withdrawal(w, &c.merchant)))
    }

    /// One withdrawal (caught up with the automatic life cycle first).
    pub fn get(&self, id: &str) -> Option<AlpPayWithdrawal> {
        self.engine.read(|s| s.by_id.get(id).copied(), |s, idx, _| s.items.get(idx).cloned())
    }

    /// The withdrawals with this invoice, oldest first.
    pub fn find_by_invoice(&self, invoice: &str) -> Vec<AlpPayWithdrawal> {
        self.engine.advance_all();
        let store = self.engine.lock();
        store.by_invoice.get(invoice).map(|v| v.iter().map(|i| store.items[*i].clone()).collect()).unwrap_or_default()
    }

    /// Every withdrawal, in creation order.
    pub fn withdrawals(&self) -> Vec<AlpPayWithdrawal> {
        self.engine.advance_all();
        self.engine.lock().items.clone()
    }

    /// The exact bytes `GET /withdrawal/{id}` (and a webhook) would carry.
    pub fn wire_object(&self, id: &str) -> Option<Vec<u8>> {
        self.read_one(id)
    }

    /// Signs `body` with the configured HMAC key.
    pub fn sign(&self, body: &[u8]) -> String {
        payout_testkit::signing::alppay_signature(self.config().hmac_key.as_bytes(), body)
    }

    /// Moves a withdrawal to `status` by hand (it leaves the automatic life cycle), after
    /// catching it up with that life cycle. Approving by hand (to `APPROVED`, or straight to
    /// `COMPLETE`) an `OPEN` withdrawal is a manual approval: `timeToApprove` is `null`, as the
    /// seed page documents ("null if manual"), even if a timer was scheduled; a withdrawal a
    /// timer already approved keeps its time. `COMPLETE` fills `txnId` (generated),
    /// `addressFrom` and `receivedAmount`. Sends a webhook if configured.
    pub fn set_status(&self, id: &str, status: AlpPayStatus) -> Result<AlpPayWithdrawal, SimError> {
        self.set_status_with(id, status, None)
    }

    /// Like [`set_status`](Self::set_status), with the `txnId` to show.
    pub fn set_status_with(
        &self,
        id: &str,
        status: AlpPayStatus,
        txn_id: Option<&str>,
    ) -> Result<AlpPayWithdrawal, SimError> {
        self.engine.move_by_hand(
            id,
            |s| s.by_id.get(id).copied(),
            |s, idx, config, changed| s.manual(idx, status, txn_id.map(str::to_owned), config, changed),
            |s, idx, _| s.items.get(idx).cloned(),
        )
    }
}

crate::simulator::simulator!(
    AlpPaySim, AlpPayServer, AlpPayConfig, "alppay" ("an AlpPay", saved as list "withdrawals"),
    rules: AlpPay "withdrawals by creation index, webhooks signed with the HMAC key",
    credentials: api_key, hmac_key
);
