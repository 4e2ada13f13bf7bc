//! The AlphaPo simulator: `POST /withdrawal/crypto`, `GET /transactions/info`,
//! `POST /currencies/list`, `POST /accounts/list` and `GET /ping`, under `/api/v2` by default.
//!
//! See the [`sim`](crate) module for the endpoint and error tables and an example.

mod currencies;
mod handlers;
mod snapshot;
mod state;
mod validate;
mod wire;

use std::time::Duration;

use rust_decimal::Decimal;

pub use currencies::{AlphaPoCurrency, CurrencyKind, default_currencies};
pub use state::{AlphaPoLifecycle, AlphaPoStatus, AlphaPoWithdrawal};

use super::SimError;
use super::deliveries::Delivery;
use super::engine::{Engine, Rules};
use state::Store;

/// The default test API key (`X-Processing-Key`).
pub const DEFAULT_API_KEY: &str = "alphapo-sandbox-key";
/// The default test secret (signs `X-Processing-Signature`).
pub const DEFAULT_API_SECRET: &str = "alphapo-sandbox-secret";

crate::simulator::config! {
    /// How an AlphaPo simulator behaves.
    AlphaPoConfig {
        credentials: api_key = DEFAULT_API_KEY, api_secret = DEFAULT_API_SECRET;
        prefix: "/api/v2", sandbox "/alphapo/api/v2";
        /// The currencies; default [`default_currencies`].
        currencies: Vec<AlphaPoCurrency> = default_currencies(),
        /// The automatic life cycle, or `None` (default) to move statuses only by hand.
        lifecycle: Option<AlphaPoLifecycle> = None,
        /// The id of the first withdrawal. Default 134702815 (the documented example's id).
        first_id: i64 = 134_702_815,
        /// The merchant's withdrawal limit per operation in EUR: a withdrawal worth more becomes
        /// `pending` (awaiting a reviewer) right after creation, with a `pending` callback. Default
        /// `None` (no limit).
        review_above_eur: Option<Decimal> = None,
    }
}

impl AlphaPoConfig {
    /// Turns the automatic life cycle on.
    pub fn with_lifecycle(mut self, send_after: Duration, confirm_after: Duration) -> Self {
        self.lifecycle = Some(AlphaPoLifecycle { send_after, confirm_after });
        self
    }
}

impl Rules for AlphaPo {
    type Config = AlphaPoConfig;
    type Store = Store;

    fn tick(config: &AlphaPoConfig) -> Option<Duration> {
        config.lifecycle.map(|life| life.send_after.min(life.confirm_after) / 2)
    }

    fn delivery(store: &Store, id: i64, config: &AlphaPoConfig) -> Option<Delivery> {
        let w = store.by_id.get(&id)?;
        let body = wire::info(w);
        let signature = payout_testkit::signing::alphapo_signature(config.api_secret.as_bytes(), &body);
        let headers = vec![("X-Processing-Key", config.api_key.clone()), ("X-Processing-Signature", signature)];
        Some(Delivery::new(w.id.to_string(), w.status.wire(), body, headers))
    }
}

impl AlphaPoSim {
    /// A simulator with no withdrawals. When it has both a life cycle and a callback URL and is
    /// created inside a tokio runtime, a background task delivers the automatic status changes
    /// even when nobody reads them.
    pub fn new(config: AlphaPoConfig) -> Self {
        let store = Store::new(config.first_id);
        Self { engine: Engine::start(config, store) }
    }

    pub(crate) fn currency(&self, code: &str) -> Option<AlphaPoCurrency> {
        self.config().currencies.iter().find(|c| c.code == code).cloned()
    }

    /// Finds a withdrawal, catches it up with the life cycle and prints the lookup object.
    pub(crate) fn read(&self, find: impl FnOnce(&Store) -> Option<i64>) -> Option<Vec<u8>> {
        self.engine.read(find, |store, id, _| store.by_id.get(&id).map(wire::info))
    }

    /// One withdrawal by id (caught up with the automatic life cycle first).
    pub fn get(&self, id: i64) -> Option<AlphaPoWithdrawal> {
        self.engine.read(|s| s.by_id.contains_key(&id).then_some(id), |store, id, _| store.by_id.get(&id).cloned())
    }

    /// One withdrawal by `foreign_id`.
    pub fn find(&self, foreign_id: &str) -> Option<AlphaPoWithdrawal> {
        let id = self.engine.lock().by_foreign_id.get(foreign_id).copied()?;
        self.get(id)
    }

    /// Every withdrawal, by id.
    pub fn withdrawals(&self) -> Vec<AlphaPoWithdrawal> {
        self.engine.advance_all();
        let store = self.engine.lock();
        let mut all: Vec<_> = store.by_id.values().cloned().collect();
        all.sort_by_key(|w| w.id);
        all
    }

    /// The exact bytes `/transactions/info` (and a callback) would carry for `id`.
    pub fn wire_object(&self, id: i64) -> Option<Vec<u8>> {
        self.read(|s| s.by_id.contains_key(&id).then_some(id))
    }

    /// Signs `body` with the configured secret (for tests that post callbacks themselves).
    pub fn sign(&self, body: &[u8]) -> String {
        payout_testkit::signing::alphapo_signature(self.config().api_secret.as_bytes(), body)
    }

    /// Moves a withdrawal to `status` by hand (it leaves the automatic life cycle). A tx hash is
    /// generated for `not_confirmed`/`confirmed` if it has none; `cancelled`/`declined` get the
    /// error text "Withdrawal cancelled"/"Withdrawal declined". Sends a callback if configured.
    pub fn set_status(&self, id: i64, status: AlphaPoStatus) -> Result<AlphaPoWithdrawal, SimError> {
        self.set_status_with(id, status, None, None)
    }

    /// Like [`set_status`](Self::set_status), with the tx hash and/or error text to show.
    pub fn set_status_with(
        &self,
        id: i64,
        status: AlphaPoStatus,
        txid: Option<&str>,
        error: Option<&str>,
    ) -> Result<AlphaPoWithdrawal, SimError> {
        self.engine.move_by_hand(
            &id.to_string(),
            |s| s.by_id.contains_key(&id).then_some(id),
            |s, id, _, changed| changed.extend(s.manual(id, status, txid.map(str::to_owned), error.map(str::to_owned))),
            |s, id, _| s.by_id.get(&id).cloned(),
        )
    }
}

crate::simulator::simulator!(
    AlphaPoSim, AlphaPoServer, AlphaPoConfig, "alphapo" ("an AlphaPo"),
    rules: AlphaPo "withdrawals by integer id, callbacks signed with the secret",
    credentials: api_key, api_secret
);
