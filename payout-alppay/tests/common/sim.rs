//! The AlpPay simulator of payout-sim with a client pointed at it, and the `SimBackend` every
//! shared suite (conformance, fault matrix, money, load) drives it through.

use async_trait::async_trait;
use payout_alppay::{AlpPayBuilder, AlpPayClient};
use payout_core::{Asset, Withdrawal, WithdrawalId};
use payout_sim::backend::SimBackend;
use payout_sim::{AlpPayConfig as SimConfig, AlpPayServer, AlpPayStatus, Fault};
use payout_testkit::Operation;
use payout_testkit::conformance::{Drive, InvalidCase, RequestTemplate, Step};
use payout_testkit::webhooks::{SignedWebhook, sign_alppay};
use rust_decimal_macros::dec;

use super::fast_retry;

/// A fresh simulator on 127.0.0.1:0 (default test credentials, statuses moved by hand,
/// duplicate invoices accepted as the documents are silent on them).
pub async fn start() -> AlpPayServer {
    start_with(SimConfig::default()).await
}

pub async fn start_with(config: SimConfig) -> AlpPayServer {
    AlpPayServer::start(config).await.expect("the simulator binds to loopback")
}

/// The builder for a client of `server`, with its credentials and fast retries.
pub fn builder_for(server: &AlpPayServer) -> AlpPayBuilder {
    AlpPayClient::builder()
        .api_key(server.api_key())
        .hmac_key(server.hmac_key())
        .base_url(server.base_url())
        .retry(fast_retry())
}

/// A client of `server` with the default settings (the reference is looked up before a create).
pub fn client_for(server: &AlpPayServer) -> AlpPayClient {
    builder_for(server).build().expect("a loopback configuration is valid")
}

/// Arms the simulator so that the next create is acted on but its answer never arrives. The
/// fault is armed on `POST /withdrawal` only, so the reference lookup a create makes first
/// (`GET /withdrawal`, when `precheck` is on) is not hit.
pub fn lose_next_create_answer(server: &AlpPayServer) {
    server.faults().on_request(http::Method::POST, "/withdrawal", Fault::CloseAfterActing, 1);
}

/// The AlpPay simulator and client as the shared suites of payout-sim drive them.
pub struct Backend {
    /// Whether the client looks the reference up before a create (its default).
    pub precheck: bool,
    /// Whether the simulator refuses a duplicate invoice (AlpPay's documents are silent on it, so
    /// by default it accepts one).
    pub refuse_duplicates: bool,
}

impl Default for Backend {
    fn default() -> Self {
        Self { precheck: true, refuse_duplicates: false }
    }
}

#[async_trait]
impl SimBackend for Backend {
    type Sim = payout_sim::AlpPaySim;
    type Builder = AlpPayBuilder;

    async fn start(&self) -> AlpPayServer {
        let config = SimConfig::default();
        start_with(if self.refuse_duplicates { config.refusing_duplicate_invoices() } else { config }).await
    }
    fn builder(&self, server: &AlpPayServer) -> AlpPayBuilder {
        builder_for(server).duplicate_check(self.precheck)
    }
    fn ops(&self) -> &'static [Operation] {
        &[Operation::Create, Operation::Get, Operation::Find, Operation::List, Operation::ListAll, Operation::Submit]
    }
    /// Creates are armed on `POST /withdrawal`, so the reference lookup that precedes a create is
    /// not hit.
    fn endpoint(&self, op: Operation, target: &WithdrawalId) -> (http::Method, String) {
        match op {
            Operation::Create | Operation::Submit => (http::Method::POST, "/withdrawal".into()),
            Operation::Get => (http::Method::GET, format!("/withdrawal/{target}")),
            _ => (http::Method::GET, "/withdrawal".into()),
        }
    }
    fn template(&self) -> RequestTemplate {
        payout_testkit::requests::alppay()
    }

    fn invalid_cases(&self) -> Vec<InvalidCase> {
        let base = self.template();
        let with = |what: &str, change: fn(&mut RequestTemplate)| InvalidCase::of(&base, what, change);
        vec![
            with("a customer id that is not an integer", |t| t.end_user.id = "user-42".into()),
            with("no customer e-mail", |t| t.end_user.email = None),
            with("no customer name", |t| t.end_user.name = None),
            with("a malformed customer e-mail", |t| t.end_user.email = Some("not-an-address".into())),
            with("USDC on tron (dropped by the newer documents)", |t| t.asset = Asset::new("USDC").on("tron")),
            with("an asset AlpPay does not pay out (BTC)", |t| t.asset = Asset::new("BTC").on("bitcoin")),
            with("USDT without a network", |t| t.asset = Asset::new("USDT")),
            with("more than 8 decimal places", |t| {
                t.asset = Asset::new("USDT").on("tron").with_decimals(18);
                t.amount = dec!(1.123456789);
            }),
        ]
    }

    fn unknown_id(&self) -> WithdrawalId {
        WithdrawalId::new("00000000-0000-4000-8000-000000000000")
    }

    fn enforces_unique_references(&self, server: &AlpPayServer) -> bool {
        self.precheck || server.config().refuse_duplicate_invoice
    }

    fn drive(&self, server: &AlpPayServer, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let current = server.get(id.as_str()).ok_or_else(|| format!("the simulator has no withdrawal {id}"))?;
        // AlpPay never moves a withdrawal out of COMPLETE or CANCELLED; the simulator's manual
        // control would, so the harness refuses as AlpPay would.
        if matches!(current.status, AlpPayStatus::Complete | AlpPayStatus::Cancelled) {
            return Err(format!("withdrawal {id} is final ({}); AlpPay does not move it", current.status.as_str()));
        }
        let moved = match step {
            Step::Approve => server.set_status(id.as_str(), AlpPayStatus::Approved),
            Step::Complete { tx_hash } => server.set_status_with(id.as_str(), AlpPayStatus::Complete, Some(tx_hash)),
            // AlpPay has no decline status: a withdrawal refused by the merchant or AlpPay is
            // CANCELLED.
            Step::Cancel | Step::Reject => server.set_status(id.as_str(), AlpPayStatus::Cancelled),
            _ => return Ok(Drive::NotSupported),
        };
        moved.map(|_| Drive::Done).map_err(|e| e.to_string())
    }

    fn webhook(&self, server: &AlpPayServer, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        let body = server.wire_object(withdrawal.id.as_str())?;
        Some(sign_alppay(body, server.hmac_key().as_bytes()))
    }
    /// The client looks the reference up before each create (the default duplicate check).
    fn lookups_before_create(&self) -> usize {
        1
    }
    fn seed(&self, server: &AlpPayServer, n: usize) -> Vec<WithdrawalId> {
        server.seed(n).into_iter().map(WithdrawalId::new).collect()
    }
    fn reference_of(&self, server: &AlpPayServer, id: &WithdrawalId) -> Option<String> {
        server.get(id.as_str()).map(|w| w.invoice)
    }
    fn holding(&self, server: &AlpPayServer, reference: &str) -> Vec<WithdrawalId> {
        server.find_by_invoice(reference).into_iter().map(|w| WithdrawalId::new(w.id)).collect()
    }
    fn count(&self, server: &AlpPayServer) -> usize {
        server.count()
    }
}
