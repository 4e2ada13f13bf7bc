//! The log of requests a listener received, kept in a bounded ring so that load tests do not
//! grow it without limit.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One request as the listener saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The status answered; `None` when the connection was closed without an answer.
    pub status: Option<u16>,
    /// The name of the fault applied ([`crate::Fault::name`]), if any.
    pub fault: Option<&'static str>,
}

/// What the listener keeps per request: cheap clones (the URI shares the request's bytes), turned
/// into strings only when the log is read.
#[derive(Clone, Debug)]
pub(crate) struct RawRecord {
    pub(crate) method: http::Method,
    pub(crate) uri: http::Uri,
    pub(crate) status: Option<u16>,
    pub(crate) fault: Option<&'static str>,
}

impl RawRecord {
    fn render(&self) -> RequestRecord {
        RequestRecord {
            method: self.method.to_string(),
            path: self.uri.path().to_owned(),
            query: self.uri.query().map(str::to_owned),
            status: self.status,
            fault: self.fault,
        }
    }
}

#[derive(Debug)]
struct Ring {
    capacity: usize,
    entries: VecDeque<RawRecord>,
}

/// The request log of one listener (cloning gives another handle). Enabled by default with room
/// for the last 1,024 requests.
#[derive(Clone, Debug)]
pub struct RequestLog {
    ring: Arc<Mutex<Ring>>,
    // Read on every request, so kept outside the lock.
    enabled: Arc<AtomicBool>,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self {
            ring: Arc::new(Mutex::new(Ring { capacity: 1024, entries: VecDeque::new() })),
            enabled: Arc::new(AtomicBool::new(true)),
        }
    }
}

impl RequestLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The recorded requests, oldest first.
    pub fn entries(&self) -> Vec<RequestRecord> {
        self.lock().entries.iter().map(RawRecord::render).collect()
    }

    /// How many requests are recorded.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every recorded request.
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Turns recording on or off (off costs nothing per request, for benchmarks).
    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Keeps at most the last `capacity` requests.
    pub fn set_capacity(&self, capacity: usize) {
        let mut ring = self.lock();
        ring.capacity = capacity;
        while ring.entries.len() > capacity {
            ring.entries.pop_front();
        }
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub(crate) fn record(&self, record: RawRecord) {
        if !self.is_enabled() {
            return;
        }
        let mut ring = self.lock();
        if ring.capacity == 0 {
            return;
        }
        if ring.entries.len() >= ring.capacity {
            ring.entries.pop_front();
        }
        ring.entries.push_back(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: u16) -> RawRecord {
        RawRecord { method: http::Method::GET, uri: http::Uri::from_static("/p?q=1"), status: Some(i), fault: None }
    }

    #[test]
    fn ring_keeps_the_last() {
        let log = RequestLog::default();
        log.set_capacity(3);
        for i in 0..5 {
            log.record(rec(i));
        }
        let s: Vec<_> = log.entries().into_iter().map(|r| r.status).collect();
        assert_eq!(s, vec![Some(2), Some(3), Some(4)]);
        let first = &log.entries()[0];
        assert_eq!((first.method.as_str(), first.path.as_str(), first.query.as_deref()), ("GET", "/p", Some("q=1")));
        log.set_enabled(false);
        log.record(rec(9));
        assert_eq!(log.len(), 3);
    }
}
