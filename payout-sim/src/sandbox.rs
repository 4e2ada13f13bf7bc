//! Both simulators on one listener, as the `payout sandbox` command serves them: AlphaPo under
//! `/alphapo/api/v2`, AlpPay under `/alppay/v2`, with one state file for both.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::{
    AlpPayConfig, AlpPaySim, AlphaPoConfig, AlphaPoSim, Faults, RequestLog, SimError, SimServer, Simulator, read_json,
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
    /// Every simulator the sandbox serves (a third provider's simulator is one more entry).
    fn sims(&self) -> [&dyn Simulator; 2] {
        [&self.alphapo, &self.alppay]
    }

    /// Serves both simulators on `addr` (port 0 picks a free one) in the current tokio runtime.
    pub async fn start(addr: SocketAddr, alphapo: AlphaPoConfig, alppay: AlpPayConfig) -> io::Result<Self> {
        let alphapo = AlphaPoSim::new(alphapo);
        let alppay = AlpPaySim::new(alppay);
        let server = SimServer::bind(addr, crate::router(&[&alphapo, &alppay])).await?;
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
        crate::snapshot(&self.sims())
    }

    /// Restores both states from [`snapshot`](Self::snapshot).
    pub fn restore(&self, value: &Value) -> Result<(), SimError> {
        crate::restore(&self.sims(), value)
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
