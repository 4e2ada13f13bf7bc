//! The Cryptomus simulator: `POST /payout`, `POST /payout/info`, `POST /payout/list`,
//! `POST /payout/services` and `POST /test-webhook/payout`, under `/v1` by default.
//!
//! Every call is a `POST` signed with the `merchant` and `sign` headers
//! (`md5(base64(raw body) + payout key)`); answers are `{"state":0,"result":…}`, refusals 422
//! `{"state":1,"errors":{field:[rule]}}` or `{"state":1,"message":…}`. A create with an
//! `order_id` the merchant already used returns that payout as it is now and creates nothing.
//! Webhooks carry their `sign` inside the JSON body and go to each payout's `url_callback`.
//! See the [`sim`](crate) module for the tables and the choices made where the documents are
//! silent.

mod handlers;
mod services;
mod snapshot;
mod state;
mod validate;
mod wire;

use std::time::Duration;

use rust_decimal::Decimal;

pub use services::{CryptomusService, default_balances, default_rates, default_services};
pub use state::{CryptomusLifecycle, CryptomusMove, CryptomusPayout, CryptomusStatus};

use super::SimError;
use super::deliveries::Delivery;
use super::engine::{Engine, Rules};
use state::Store;

/// The default test merchant uuid (the `merchant` header).
pub const DEFAULT_MERCHANT: &str = "8b03432e-385b-4670-8d06-064591096795";
/// The default test payout API key (signs requests and webhooks).
pub const DEFAULT_PAYOUT_KEY: &str = "cryptomus-sandbox-payout-key";

/// What a create whose `order_id` is already used, with other fields than the stored payout's,
/// gets (the documents are silent on the mismatch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReplayMismatch {
    /// The stored payout, as for an identical replay (default: the documented rule, "we return
    /// its details, a new payout will not be created", names no exception).
    #[default]
    ReturnExisting,
    /// 422 `{"state":1,"errors":{"order_id":["validation.unique"]}}`.
    Refuse,
}

crate::simulator::config! {
    /// How a Cryptomus simulator behaves.
    CryptomusConfig {
        credentials: merchant = DEFAULT_MERCHANT, payout_key = DEFAULT_PAYOUT_KEY;
        prefix: "/v1", sandbox "/cryptomus/v1";
        /// The payout services (currency, network, limits, fees); default [`default_services`].
        services: Vec<CryptomusService> = default_services(),
        /// The merchant's balance per currency; default [`default_balances`].
        balances: Vec<(String, Decimal)> = default_balances(),
        /// The value of one unit of each currency in USD, for fiat amounts (`to_currency`) and
        /// `from_currency: USDT`; default [`default_rates`].
        rates: Vec<(String, Decimal)> = default_rates(),
        /// The automatic life cycle, or `None` (default) to move statuses only by hand.
        lifecycle: Option<CryptomusLifecycle> = None,
        /// What a replay with other fields gets; default [`ReplayMismatch::ReturnExisting`].
        replay_mismatch: ReplayMismatch = ReplayMismatch::ReturnExisting,
        /// The longest `order_id` `/payout/info` reads: 32, as its page says (create takes 100).
        info_order_id_max: usize = 32,
        /// History page size (`perPage`): 15, as the examples show.
        per_page: usize = 15,
        /// History newest first; default `false`, oldest first, as the payout page's example runs.
        newest_first: bool = false,
        /// `balance` and `payer_amount` of create and info as JSON numbers, as the documented
        /// example prints them (default `true`); `false` prints them as 8-decimal strings.
        numeric_amounts: bool = true,
        /// Webhook bodies with `/` escaped as `\/`, as PHP's `json_encode` writes them (default
        /// `true`).
        escape_slashes: bool = true,
    }
}

impl CryptomusConfig {
    /// Turns the automatic life cycle on: `process` → `check` after `check_after`, → `paid`
    /// (final) `paid_after` later.
    pub fn with_lifecycle(mut self, check_after: Duration, paid_after: Duration) -> Self {
        self.lifecycle = Some(CryptomusLifecycle { check_after, paid_after });
        self
    }

    /// Refuses a replay with other fields (422) instead of returning the stored payout.
    pub fn refusing_mismatched_replays(mut self) -> Self {
        self.replay_mismatch = ReplayMismatch::Refuse;
        self
    }

    /// The configured balance of `currency` (before any payout).
    pub(crate) fn opening_balance(&self, currency: &str) -> Decimal {
        self.balances.iter().find(|(c, _)| c == currency).map(|(_, b)| *b).unwrap_or_default()
    }

    /// The USD value of one unit of `currency`, if known.
    pub(crate) fn rate(&self, currency: &str) -> Option<Decimal> {
        self.rates.iter().find(|(c, _)| c.eq_ignore_ascii_case(currency)).map(|(_, r)| *r)
    }
}

impl Rules for Cryptomus {
    type Config = CryptomusConfig;
    type Store = Store;

    const OWN_URLS: bool = true;

    fn tick(config: &CryptomusConfig) -> Option<Duration> {
        config.lifecycle.map(|life| life.check_after.min(life.paid_after) / 2)
    }

    /// The webhook goes to the payout's `url_callback`; a payout without one gets none, unless
    /// the configuration names a receiver (a simulator convenience: Cryptomus has no
    /// account-level URL for payouts).
    fn delivery(store: &Store, idx: usize, config: &CryptomusConfig) -> Option<Delivery> {
        let p = store.items.get(idx)?;
        let url = p.url_callback.clone().or_else(|| config.callback.as_ref().map(|c| c.url.clone()))?;
        Some(webhook(p, url, config))
    }
}

/// The webhook of `p`'s current state to `url` (signed inside the body).
fn webhook(p: &CryptomusPayout, url: String, config: &CryptomusConfig) -> Delivery {
    Delivery::new(p.uuid.clone(), p.status.as_str(), wire::webhook(p, config), Vec::new()).to(url)
}

impl CryptomusSim {
    /// A simulator with no payouts. With a life cycle, inside a tokio runtime, a background task
    /// delivers the automatic changes' webhooks even when nobody reads them.
    pub fn new(config: CryptomusConfig) -> Self {
        Self { engine: Engine::start(config, Store::default()) }
    }

    fn index(store: &Store, uuid: &str) -> Option<usize> {
        store.by_uuid.get(uuid).copied()
    }

    /// One payout by uuid (caught up with the automatic life cycle first).
    pub fn get(&self, uuid: &str) -> Option<CryptomusPayout> {
        self.engine.read(|s| Self::index(s, uuid), |s, idx, _| s.items.get(idx).cloned())
    }

    /// One payout by `order_id`.
    pub fn find(&self, order_id: &str) -> Option<CryptomusPayout> {
        self.engine.read(|s| s.by_order_id.get(order_id).copied(), |s, idx, _| s.items.get(idx).cloned())
    }

    /// Every payout, in creation order.
    pub fn payouts(&self) -> Vec<CryptomusPayout> {
        self.engine.advance_all();
        self.engine.lock().items.clone()
    }

    /// The merchant's balance of `currency` now (the configured one less what payouts hold).
    pub fn balance(&self, currency: &str) -> Decimal {
        let store = self.engine.lock();
        self.config().opening_balance(currency) - store.debited(currency)
    }

    /// The exact bytes of the payout object `POST /payout/info` answers in `result`.
    pub fn wire_object(&self, uuid: &str) -> Option<Vec<u8>> {
        self.engine.read(|s| Self::index(s, uuid), |s, idx, c| s.items.get(idx).map(|p| wire::payout(p, c)))
    }

    /// The exact signed webhook body a delivery of the payout's current state carries.
    pub fn webhook_body(&self, uuid: &str) -> Option<Vec<u8>> {
        self.engine.read(|s| Self::index(s, uuid), |s, idx, c| s.items.get(idx).map(|p| wire::webhook(p, c)))
    }

    /// Sends the webhook `POST /test-webhook/payout` asks for, to its `url_callback`, changing
    /// nothing; the service must exist ("Payout service not found").
    pub(crate) fn test_webhook(&self, t: &validate::TestWebhook) -> Result<(), wire::Refusal> {
        let config = self.config();
        let service = config
            .services
            .iter()
            .find(|s| s.currency.eq_ignore_ascii_case(&t.currency) && s.network.eq_ignore_ascii_case(&t.network))
            .ok_or_else(|| wire::Refusal::message("Payout service not found"))?;
        let p = self.engine.lock().test_webhook(t, service)?;
        self.engine.send(vec![webhook(&p, t.url_callback.clone(), config)]);
        Ok(())
    }

    /// Signs `body` with the configured payout key (the `sign` header of a request).
    pub fn sign(&self, body: &[u8]) -> String {
        payout_testkit::signing::cryptomus_signature(self.config().payout_key.as_bytes(), body)
    }

    /// Moves a payout to `status` by hand (it leaves the automatic life cycle), after catching it
    /// up with that life cycle, with the status's usual finality ([`CryptomusStatus::is_final`]):
    /// `paid` gets a generated `txid`, `fail` the `fail_reason` `aml`. A final failure returns
    /// the funds to the balance. Sends the webhook.
    pub fn set_status(&self, uuid: &str, status: CryptomusStatus) -> Result<CryptomusPayout, SimError> {
        self.set_status_with(uuid, CryptomusMove::to(status))
    }

    /// Like [`set_status`](Self::set_status), with the finality, `txid` and `fail_reason` of
    /// `step` (e.g. a `fail` that is not final, which support could still resend).
    pub fn set_status_with(&self, uuid: &str, step: CryptomusMove) -> Result<CryptomusPayout, SimError> {
        self.engine.move_by_hand(
            uuid,
            |s| Self::index(s, uuid),
            |s, idx, config, changed| s.manual(idx, step, config, changed),
            |s, idx, _| s.items.get(idx).cloned(),
        )
    }
}

crate::simulator::simulator!(
    CryptomusSim, CryptomusServer, CryptomusConfig, "cryptomus" ("a Cryptomus", saved as list "payouts"),
    rules: Cryptomus "payouts by creation index, webhooks signed inside the body with the payout key",
    credentials: merchant, payout_key
);
