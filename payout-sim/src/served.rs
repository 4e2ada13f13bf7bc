//! A simulator serving on its own listener: what both providers' running handles share.

use std::io;
use std::net::SocketAddr;
use std::path::Path;

use super::server::SimServer;
use super::{Faults, RequestLog, SimError, Simulator, read_json, write_json};

/// A running simulator: the control methods of its handle `S` (through `Deref`), plus the
/// listener's address, fault queue and request log. Dropping it stops the server.
///
/// Named [`AlphaPoServer`](super::AlphaPoServer), [`AlpPayServer`](super::AlpPayServer) and
/// [`CryptomusServer`](super::CryptomusServer) for the providers, which add `start` and their
/// credentials.
#[derive(Debug)]
pub struct Served<S> {
    sim: S,
    server: SimServer,
}

impl<S> Served<S> {
    pub(crate) fn new(sim: S, server: SimServer) -> Self {
        Self { sim, server }
    }

    /// The control handle (also reachable through `Deref`).
    pub fn sim(&self) -> &S {
        &self.sim
    }

    /// The listener's fault queue.
    pub fn faults(&self) -> &Faults {
        self.server.faults()
    }

    /// The listener's request log.
    pub fn requests(&self) -> &RequestLog {
        self.server.requests()
    }

    /// The listener itself.
    pub fn server(&self) -> &SimServer {
        &self.server
    }
}

impl<S: Simulator + Clone> Served<S> {
    /// Serves `sim` alone on `addr` (e.g. `127.0.0.1:0`) in the current tokio runtime.
    pub async fn bind(sim: S, addr: SocketAddr) -> io::Result<Self> {
        let server = SimServer::bind(addr, crate::router(&[&sim])).await?;
        Ok(Self::new(sim, server))
    }

    /// The listener's URL followed by the simulator's prefix, without a trailing `/`
    /// (`http://127.0.0.1:PORT/api/v2`).
    pub fn base_url(&self) -> String {
        format!("{}{}", self.server.url(), self.sim.prefix().trim_end_matches('/'))
    }

    /// Writes the simulator's [`snapshot`](Simulator::snapshot) to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SimError> {
        write_json(path.as_ref(), &self.sim.snapshot())
    }

    /// Restores the simulator from a file written by [`save`](Self::save).
    pub fn load(&self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.sim.restore(&read_json(path.as_ref())?)
    }
}

impl<S> std::ops::Deref for Served<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.sim
    }
}
