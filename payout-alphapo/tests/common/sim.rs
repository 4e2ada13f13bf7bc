//! The AlphaPo simulator of payout-sim with a client pointed at it, and the `SimBackend` every
//! shared suite (conformance, fault matrix, money, load) drives it through.

use async_trait::async_trait;
use payout_alphapo::{AlphaPoBuilder, AlphaPoClient, AlphaPoConfig};
use std::collections::HashMap;

use payout_core::{Asset, EndUser, PayoutProvider, Withdrawal, WithdrawalId};
use payout_sim::alphapo::AlphaPoServer;
use payout_sim::backend::SimBackend;
use payout_sim::{AlphaPoConfig as SimConfig, AlphaPoStatus};
use payout_testkit::Operation;
use payout_testkit::conformance::{Drive, InvalidCase, RequestTemplate, Step};
use payout_testkit::webhooks::{SignedWebhook, sign_alphapo};
use rust_decimal_macros::dec;

use super::fast_retry;

/// A fresh simulator on 127.0.0.1:0 (default test credentials, statuses moved by hand).
pub async fn start() -> AlphaPoServer {
    AlphaPoServer::start(SimConfig::default()).await.expect("the simulator binds to loopback")
}

/// A valid BTC withdrawal of 0.001 to the documented address, under `reference`.
pub fn btc_request(reference: &str) -> payout_core::WithdrawalRequest {
    Backend.request(reference)
}

/// A client for `server` with its credentials and fast retries.
pub fn client_for(server: &AlphaPoServer) -> AlphaPoClient {
    builder_for(server).build().expect("a loopback configuration is valid")
}

/// The configuration builder for `server`, to adjust before building.
pub fn builder_for(server: &AlphaPoServer) -> payout_alphapo::AlphaPoBuilder {
    AlphaPoConfig::builder()
        .api_key(server.api_key())
        .api_secret(server.api_secret())
        .base_url(server.base_url())
        .retry(fast_retry())
}

/// The simulator's integer id of a unified id.
pub fn sim_id(id: &WithdrawalId) -> Result<i64, String> {
    id.as_str().parse().map_err(|_| format!("`{id}` is not an AlphaPo id"))
}

/// Creates one withdrawal per reference through `client`, in order.
pub async fn create_each(client: &AlphaPoClient, references: &[&str]) -> Vec<Withdrawal> {
    let mut created = Vec::new();
    for reference in references {
        created.push(client.create_withdrawal(&btc_request(reference)).await.expect("the simulator creates"));
    }
    created
}

/// Moves the simulator's withdrawal `w` to `status`.
pub fn set(server: &AlphaPoServer, w: &Withdrawal, status: AlphaPoStatus) {
    let id = sim_id(&w.id).expect("an AlphaPo id");
    server.set_status(id, status).expect("the simulator holds the withdrawal");
}

/// Confirms `w` as AlphaPo does: `not_confirmed` with its transaction hash, then `confirmed`.
pub fn confirm(server: &AlphaPoServer, w: &Withdrawal, tx_hash: &str) {
    let id = sim_id(&w.id).expect("an AlphaPo id");
    server.set_status_with(id, AlphaPoStatus::NotConfirmed, Some(tx_hash), None).expect("the simulator holds it");
    set(server, w, AlphaPoStatus::Confirmed);
}

/// What AlphaPo holds now for each of `withdrawals`, by id.
pub async fn held_now(client: &AlphaPoClient, withdrawals: &[Withdrawal]) -> HashMap<WithdrawalId, Withdrawal> {
    let mut held = HashMap::new();
    for w in withdrawals {
        held.insert(w.id.clone(), client.get_withdrawal(&w.id).await.expect("the simulator answers"));
    }
    held
}

/// The AlphaPo simulator and client as the shared suites of payout-sim drive them.
pub struct Backend;

#[async_trait]
impl SimBackend for Backend {
    type Sim = payout_sim::AlphaPoSim;
    type Builder = AlphaPoBuilder;

    fn builder(&self, server: &AlphaPoServer) -> AlphaPoBuilder {
        builder_for(server)
    }
    /// AlphaPo has no listing endpoint.
    fn ops(&self) -> &'static [Operation] {
        &[Operation::Create, Operation::Get, Operation::Find, Operation::Submit]
    }
    fn endpoint(&self, op: Operation, _target: &WithdrawalId) -> (http::Method, String) {
        match op {
            Operation::Create | Operation::Submit => (http::Method::POST, "/withdrawal/crypto".into()),
            _ => (http::Method::GET, "/transactions/info".into()),
        }
    }
    fn template(&self) -> RequestTemplate {
        RequestTemplate::new(Asset::new("BTC"), dec!(0.001), super::BTC_ADDRESS, EndUser::new("user-42"))
    }
    fn invalid_cases(&self) -> Vec<InvalidCase> {
        let base = self.template();
        let with = |what: &str, change: fn(&mut RequestTemplate)| InvalidCase::of(&base, what, change);
        vec![
            with("an end-user id that is an e-mail address", |t| t.end_user = EndUser::new("jane@example.com")),
            with("USDT without a network (AlphaPo has USDTT and USDTE)", |t| t.asset = Asset::new("USDT")),
            with("an asset AlphaPo does not name (SOL)", |t| t.asset = Asset::new("SOL")),
            with("more decimals than AlphaPo takes for ETH (8)", |t| {
                t.asset = Asset::new("ETH");
                t.amount = dec!(0.123456789);
            }),
            with("fiat paid out without conversion (EUR)", |t| {
                t.asset = Asset::new("EUR");
                t.amount = dec!(20);
            }),
        ]
    }

    fn unknown_id(&self) -> WithdrawalId {
        WithdrawalId::new("999999999")
    }

    fn drive(&self, server: &AlphaPoServer, id: &WithdrawalId, step: &Step) -> Result<Drive, String> {
        let id = sim_id(id)?;
        let current = server.get(id).ok_or_else(|| format!("the simulator has no withdrawal {id}"))?;
        // AlphaPo never moves a withdrawal out of a final status; the simulator's manual control
        // would, so the harness refuses as AlphaPo would.
        if current.status.is_final() {
            return Err(format!("withdrawal {id} is final ({}); AlphaPo does not move it", current.status.as_str()));
        }
        let moved = match step {
            Step::Approve => server.set_status(id, AlphaPoStatus::Processing),
            Step::Complete { tx_hash } => server.set_status_with(id, AlphaPoStatus::Confirmed, Some(tx_hash), None),
            Step::Cancel => server.set_status(id, AlphaPoStatus::Cancelled),
            Step::Reject => server.set_status(id, AlphaPoStatus::Declined),
            _ => return Ok(Drive::NotSupported),
        };
        moved.map(|_| Drive::Done).map_err(|e| e.to_string())
    }

    fn webhook(&self, server: &AlphaPoServer, withdrawal: &Withdrawal) -> Option<SignedWebhook> {
        let body = server.wire_object(sim_id(&withdrawal.id).ok()?)?;
        Some(sign_alphapo(body, server.api_key(), server.api_secret().as_bytes()))
    }
    fn seed(&self, server: &AlphaPoServer, n: usize) -> Vec<WithdrawalId> {
        server.seed(n).into_iter().map(|id| WithdrawalId::new(id.to_string())).collect()
    }
    fn reference_of(&self, server: &AlphaPoServer, id: &WithdrawalId) -> Option<String> {
        server.get(sim_id(id).ok()?).map(|w| w.foreign_id)
    }
    fn holding(&self, server: &AlphaPoServer, reference: &str) -> Vec<WithdrawalId> {
        server.find(reference).map(|w| WithdrawalId::new(w.id.to_string())).into_iter().collect()
    }
    fn count(&self, server: &AlphaPoServer) -> usize {
        server.count()
    }
}
