//! The Cryptomus simulator of payout-sim with a client pointed at it, and the `SimBackend` every
//! shared suite (conformance, fault matrix, money, load) drives it through.

use async_trait::async_trait;
use http::header::{CONTENT_TYPE, HeaderValue};
use payout_core::{Asset, Withdrawal, WithdrawalId};
use payout_cryptomus::{CryptomusBuilder, CryptomusClient};
use payout_sim::backend::SimBackend;
use payout_sim::cryptomus::{CryptomusConfig as SimConfig, CryptomusMove, CryptomusServer, CryptomusStatus};
use payout_testkit::Operation;
use payout_testkit::conformance::{Drive, InvalidCase, RequestTemplate, Step};
use payout_testkit::webhooks::SignedWebhook;
use rust_decimal_macros::dec;

use super::fast_retry;

/// The history page size of the suites' simulator: five seeded payouts make three pages, as the
/// page size of 2 the other providers' suites ask for (Cryptomus's history takes no `limit`).
pub const PER_PAGE: usize = 2;

/// A fresh simulator on 127.0.0.1:0 (default test credentials and services, statuses moved by
/// hand), with history pages of [`PER_PAGE`].
pub async fn start() -> CryptomusServer {
    start_with(SimConfig { per_page: PER_PAGE, ..SimConfig::default() }).await
}

pub async fn start_with(config: SimConfig) -> CryptomusServer {
    CryptomusServer::start(config).await.expect("the simulator binds to loopback")
}

/// The builder for a client of `server`, with its credentials and fast retries (the services
/// check on, as by default).
pub fn builder_for(server: &CryptomusServer) -> CryptomusBuilder {
    CryptomusClient::builder()
        .merchant(server.merchant())
        .payout_key(server.payout_key())
        .base_url(server.base_url())
        .retry(fast_retry())
}

/// A client of `server` with the default settings.
pub fn client_for(server: &CryptomusServer) -> CryptomusClient {
    builder_for(server).build().expect("a loopback configuration is valid")
}

/// The Cryptomus simulator and client as the shared suites of payout-sim drive them.
#[derive(Debug, Default)]
pub struct Backend;

#[async_trait]
impl SimBackend for Backend {
    type Sim = payout_sim::cryptomus::CryptomusSim;
    type Builder = CryptomusBuilder;

    async fn start(&self) -> CryptomusServer {
        start().await
    }
    fn builder(&self, server: &CryptomusServer) -> CryptomusBuilder {
        builder_for(server)
    }
    fn ops(&self) -> &'static [Operation] {
        &[Operation::Create, Operation::Get, Operation::Find, Operation::List, Operation::ListAll, Operation::Submit]
    }
    /// Every call is a `POST`: a create to `/payout`, a get and a find to `/payout/info`, the
    /// history to `/payout/list` (the services read a create makes first, `/payout/services`, is
    /// not hit).
    fn endpoint(&self, op: Operation, _target: &WithdrawalId) -> (http::Method, String) {
        let path = match op {
            Operation::Create | Operation::Submit => "/payout",
            Operation::Get | Operation::Find => "/payout/info",
            _ => "/payout/list",
        };
        (http::Method::POST, path.into())
    }
    fn template(&self) -> RequestTemplate {
        payout_testkit::requests::cryptomus()
    }

    /// Cryptomus's own rules, checked before sending: the services table (a currency and network
    /// it offers, an amount within their limits), 8 decimal places, a memo of at most 30
    /// characters. (The reference rules are checked in `conformance.rs`: the suite picks the
    /// references itself.)
    fn invalid_cases(&self) -> Vec<InvalidCase> {
        let base = self.template();
        let with = |what: &str, change: fn(&mut RequestTemplate)| InvalidCase::of(&base, what, change);
        vec![
            with("a currency Cryptomus does not pay out (XYZ)", |t| t.asset = Asset::new("XYZ").on("TRON")),
            with("USDT on a network it offers no payout service for", |t| t.asset = Asset::new("USDT").on("SOLANA")),
            with("USDT without a network", |t| t.asset = Asset::new("USDT")),
            with("an amount below the service's minimum (0.5)", |t| t.amount = dec!(0.1)),
            with("an amount above the service's maximum (1,000,000)", |t| t.amount = dec!(1000000.01)),
            with("more than 8 decimal places", |t| {
                t.asset = Asset::new("USDT").on("TRON").with_decimals(18);
                t.amount = dec!(1.123456789);
            }),
            with("a memo longer than 30 characters", |t| t.tag = Some("m".repeat(31))),
        ]
    }

    fn unknown_id(&self) -> WithdrawalId {
        WithdrawalId::new("00000000-0000-4000-8000-000000000000")
    }

    /// The contract's status table: approve is `process` (processing), complete `paid` with the
    /// txid, cancel `cancel`, reject a final `fail` with `fail_reason` `aml`.
    fn drive(&self, server: &CryptomusServer, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let current = server.get(id.as_str()).ok_or_else(|| format!("the simulator has no payout {id}"))?;
        // Cryptomus never moves a final payout; the simulator's manual control would, so the
        // harness refuses as Cryptomus would.
        if current.is_final {
            return Err(format!("payout {id} is final ({}); Cryptomus does not move it", current.status.as_str()));
        }
        let step = match step {
            Step::Approve => CryptomusMove::to(CryptomusStatus::Process),
            Step::Complete { tx_hash } => CryptomusMove::to(CryptomusStatus::Paid).with_txid(tx_hash),
            Step::Cancel => CryptomusMove::to(CryptomusStatus::Cancel),
            Step::Reject => CryptomusMove::to(CryptomusStatus::Fail).with_final(true).with_fail_reason("aml"),
            _ => return Ok(Drive::NotSupported),
        };
        server.set_status_with(id.as_str(), step).map(|_| Drive::Done).map_err(|e| e.to_string())
    }

    /// The simulator's signed body: Cryptomus webhooks carry their `sign` inside it, no header.
    fn webhook(&self, server: &CryptomusServer, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        let body = server.webhook_body(withdrawal.id.as_str())?;
        let mut headers = http::HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Some(SignedWebhook { headers, body })
    }
    fn seed(&self, server: &CryptomusServer, n: usize) -> Vec<WithdrawalId> {
        server.seed(n).into_iter().map(WithdrawalId::new).collect()
    }
    fn reference_of(&self, server: &CryptomusServer, id: &WithdrawalId) -> Option<String> {
        server.get(id.as_str()).map(|p| p.order_id)
    }
    /// At most one: Cryptomus keeps one payout per `order_id`.
    fn holding(&self, server: &CryptomusServer, reference: &str) -> Vec<WithdrawalId> {
        server.find(reference).into_iter().map(|p| WithdrawalId::new(p.uuid)).collect()
    }
    fn count(&self, server: &CryptomusServer) -> usize {
        server.count()
    }
}
