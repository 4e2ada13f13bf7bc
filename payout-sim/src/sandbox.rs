//! Both simulators on one listener, as the `payout sandbox` command serves them: AlphaPo under
//! `/alphapo/api/v2`, AlpPay under `/alppay/v2`, with one state file for both.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::{
    AlpPayConfig, AlpPaySim, AlphaPoConfig, AlphaPoSim, Faults, RequestLog, SimError, SimServer, read_json, router,
    write_json,
};

/// The sandbox's AlphaPo prefix.
pub const SANDBOX_ALPHAPO_PREFIX: &str = "/alphapo/api/v2";
/// The sandbox's AlpPay prefix.
pub const SANDBOX_ALPPAY_PREFIX: &str = "/alppay/v2";

impl AlphaPoConfig {
    /// The sandbox's AlphaPo: mounted at `/alphapo/api/v2`, default credentials, and a life cycle
    /// of a few seconds (sent 2 s after creation, confirmed 3 s later).
    pub fn sandbox() -> Self {
        Self::default()
            .with_prefix(SANDBOX_ALPHAPO_PREFIX)
            .with_lifecycle(Duration::from_secs(2), Duration::from_secs(3))
    }
}

impl AlpPayConfig {
    /// The sandbox's AlpPay: mounted at `/alppay/v2`, default credentials, approved 2 s after
    /// creation (`timeToApprove`) and complete 3 s later.
    pub fn sandbox() -> Self {
        Self::default()
            .with_prefix(SANDBOX_ALPPAY_PREFIX)
            .with_lifecycle(Duration::from_secs(2), Some(Duration::from_secs(3)))
    }
}

/// Both simulators served on one address. Dropping it stops the server.
#[derive(Debug)]
pub struct SandboxServer {
    /// The AlphaPo simulator's control handle.
    pub alphapo: AlphaPoSim,
    /// The AlpPay simulator's control handle.
    pub alppay: AlpPaySim,
    server: SimServer,
}

impl SandboxServer {
    /// Serves both simulators on `addr` (port 0 picks a free one) in the current tokio runtime.
    pub async fn start(addr: SocketAddr, alphapo: AlphaPoConfig, alppay: AlpPayConfig) -> io::Result<Self> {
        let alphapo = AlphaPoSim::new(alphapo);
        let alppay = AlpPaySim::new(alppay);
        let server = SimServer::bind(addr, router(Some(&alphapo), Some(&alppay))).await?;
        Ok(Self { alphapo, alppay, server })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// `http://HOST:PORT/alphapo/api/v2`.
    pub fn alphapo_base_url(&self) -> String {
        format!("{}{}", self.server.url(), self.alphapo.config().prefix.trim_end_matches('/'))
    }

    /// `http://HOST:PORT/alppay/v2`.
    pub fn alppay_base_url(&self) -> String {
        format!("{}{}", self.server.url(), self.alppay.config().prefix.trim_end_matches('/'))
    }

    /// The listener's fault queue.
    pub fn faults(&self) -> &Faults {
        self.server.faults()
    }

    /// The listener's request log.
    pub fn requests(&self) -> &RequestLog {
        self.server.requests()
    }

    /// Both states: `{"alphapo": <AlphaPo snapshot>, "alppay": <AlpPay snapshot>}`.
    pub fn snapshot(&self) -> Value {
        snapshot(&self.alphapo, &self.alppay)
    }

    /// Restores both states from [`snapshot`](Self::snapshot).
    pub fn restore(&self, value: &Value) -> Result<(), SimError> {
        restore(&self.alphapo, &self.alppay, value)
    }

    /// Writes both states to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SimError> {
        write_json(path.as_ref(), &self.snapshot())
    }

    /// Restores both states from a file written by [`save`](Self::save).
    pub fn load(&self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.restore(&read_json(path.as_ref())?)
    }
}

/// Both simulators' states in one value (what the CLI keeps in its state file).
pub fn snapshot(alphapo: &AlphaPoSim, alppay: &AlpPaySim) -> Value {
    serde_json::json!({ "alphapo": alphapo.snapshot(), "alppay": alppay.snapshot() })
}

/// Restores both simulators from [`snapshot`]; a missing half leaves that simulator as it is.
pub fn restore(alphapo: &AlphaPoSim, alppay: &AlpPaySim, value: &Value) -> Result<(), SimError> {
    if !value.is_object() {
        return Err(SimError::Snapshot("expected an object with alphapo and alppay".into()));
    }
    if let Some(a) = value.get("alphapo") {
        alphapo.restore(a)?;
    }
    if let Some(a) = value.get("alppay") {
        alppay.restore(a)?;
    }
    Ok(())
}
