//! Every simulator on one listener, as the `payout sandbox` command serves them: AlphaPo under
//! `/alphapo/api/v2`, AlpPay under `/alppay/v2`, Cryptomus under `/cryptomus/v1`, with one state
//! file for all.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::{
    AlpPayConfig, AlpPaySim, AlphaPoConfig, AlphaPoSim, CryptomusConfig, CryptomusSim, Faults, RequestLog, SimError,
    SimServer, Simulator, read_json, write_json,
};

/// The sandbox's AlphaPo prefix.
pub const SANDBOX_ALPHAPO_PREFIX: &str = "/alphapo/api/v2";
/// The sandbox's AlpPay prefix.
pub const SANDBOX_ALPPAY_PREFIX: &str = "/alppay/v2";
/// The sandbox's Cryptomus prefix.
pub const SANDBOX_CRYPTOMUS_PREFIX: &str = "/cryptomus/v1";

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

impl CryptomusConfig {
    /// The sandbox's Cryptomus: mounted at `/cryptomus/v1`, default credentials, and a life cycle
    /// of a few seconds (`check` 2 s after creation, `paid` 3 s later).
    pub fn sandbox() -> Self {
        Self::default()
            .with_prefix(SANDBOX_CRYPTOMUS_PREFIX)
            .with_lifecycle(Duration::from_secs(2), Duration::from_secs(3))
    }
}

/// Every simulator served on one address. Dropping it stops the server.
#[derive(Debug)]
pub struct SandboxServer {
    /// The AlphaPo simulator's control handle.
    pub alphapo: AlphaPoSim,
    /// The AlpPay simulator's control handle.
    pub alppay: AlpPaySim,
    /// The Cryptomus simulator's control handle.
    pub cryptomus: CryptomusSim,
    server: SimServer,
}

impl SandboxServer {
    /// Every simulator the sandbox serves (another provider's simulator is one more entry).
    fn sims(&self) -> [&dyn Simulator; 3] {
        [&self.alphapo, &self.alppay, &self.cryptomus]
    }

    /// Serves every simulator on `addr` (port 0 picks a free one) in the current tokio runtime,
    /// Cryptomus as [`CryptomusConfig::sandbox`] configures it.
    pub async fn start(addr: SocketAddr, alphapo: AlphaPoConfig, alppay: AlpPayConfig) -> io::Result<Self> {
        Self::start_all(addr, alphapo, alppay, CryptomusConfig::sandbox()).await
    }

    /// Serves every simulator on `addr`, each with its own configuration.
    pub async fn start_all(
        addr: SocketAddr,
        alphapo: AlphaPoConfig,
        alppay: AlpPayConfig,
        cryptomus: CryptomusConfig,
    ) -> io::Result<Self> {
        let alphapo = AlphaPoSim::new(alphapo);
        let alppay = AlpPaySim::new(alppay);
        let cryptomus = CryptomusSim::new(cryptomus);
        let server = SimServer::bind(addr, crate::router(&[&alphapo, &alppay, &cryptomus])).await?;
        Ok(Self { alphapo, alppay, cryptomus, server })
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

    /// `http://HOST:PORT/cryptomus/v1`.
    pub fn cryptomus_base_url(&self) -> String {
        format!("{}{}", self.server.url(), self.cryptomus.config().prefix.trim_end_matches('/'))
    }

    /// The listener's fault queue.
    pub fn faults(&self) -> &Faults {
        self.server.faults()
    }

    /// The listener's request log.
    pub fn requests(&self) -> &RequestLog {
        self.server.requests()
    }

    /// Every state: `{"alphapo": <AlphaPo snapshot>, "alppay": <AlpPay snapshot>, "cryptomus":
    /// <Cryptomus snapshot>}`.
    pub fn snapshot(&self) -> Value {
        crate::snapshot(&self.sims())
    }

    /// Restores the states from [`snapshot`](Self::snapshot) (a simulator it does not name, as
    /// in a state file written before Cryptomus was served, is left as it is).
    pub fn restore(&self, value: &Value) -> Result<(), SimError> {
        crate::restore(&self.sims(), value)
    }

    /// Writes every state to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SimError> {
        write_json(path.as_ref(), &self.snapshot())
    }

    /// Restores the states from a file written by [`save`](Self::save).
    pub fn load(&self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.restore(&read_json(path.as_ref())?)
    }
}
