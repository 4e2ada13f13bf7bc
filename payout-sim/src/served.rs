//! A simulator serving on its own listener: what both providers' running handles share.

use super::server::SimServer;
use super::{Faults, RequestLog};

/// A running simulator: the control methods of its handle `S` (through `Deref`), plus the
/// listener's address, fault queue and request log. Dropping it stops the server.
///
/// Named [`AlphaPoServer`](super::AlphaPoServer) and [`AlpPayServer`](super::AlpPayServer) for
/// the two providers, which add `start`, `base_url` and their credentials.
#[derive(Debug)]
pub struct Served<S> {
    sim: S,
    server: SimServer,
}

impl<S> Served<S> {
    pub(crate) fn new(sim: S, server: SimServer) -> Self {
        Self { sim, server }
    }

    /// The listener's URL followed by the simulator's path prefix (without a trailing `/`).
    pub(crate) fn url_under(&self, prefix: &str) -> String {
        format!("{}{}", self.server.url(), prefix.trim_end_matches('/'))
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

impl<S> std::ops::Deref for Served<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.sim
    }
}
