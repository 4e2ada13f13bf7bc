//! Loopback addresses for tests.

use std::net::{Ipv4Addr, SocketAddr};

/// A loopback address where nothing listens, for "connection refused" tests: port 9 (discard)
/// on 127.0.0.2.
///
/// The usual trick, binding port 0 and closing it, leaves a port the system may hand to the next
/// server a parallel test starts, which then answers. Simulators and test servers listen on
/// 127.0.0.1, so 127.0.0.2 stays refused; plain `http://` to it passes the loopback rule.
pub const REFUSED: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), 9);

/// `127.0.0.1:0`: where a simulator listens in tests, on a port the system picks.
pub const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// `http://127.0.0.2:9` followed by `path`: a base URL whose connections are refused.
pub fn refused_url(path: &str) -> String {
    format!("http://{REFUSED}{path}")
}
