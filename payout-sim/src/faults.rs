//! Faults injected into the next requests, so clients can be tested against what networks and
//! providers do on bad days.
//!
//! Each [`Fault`] says exactly what the listener does instead of (or on top of) the normal answer.
//! Rules are kept in a queue: a request takes the first rule whose path (and, when the rule names
//! one, method) matches it, and a rule is dropped once it has been applied the number of times it
//! was given.
//!
//! These are wire-level faults: the real client under test turns them into errors. The
//! testkit's `payout_testkit::fake::Fault` is the other layer, for the in-memory fake that has no
//! wire: it fails a call with an error directly. A fault matrix names its rows with this enum.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One misbehaviour of the listener.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long, then serves the request normally (it is acted on and answered). The
    /// request is acted on even when the client stops waiting before the delay is over, as a
    /// provider that was slow, not down, would.
    Delay(Duration),
    /// Answers `429 Too Many Requests` with `{"error":"Too Many Requests"}` and, when given, a
    /// `Retry-After` header of that many seconds. The request is not acted on.
    TooManyRequests {
        /// The `Retry-After` value in seconds, or no header.
        retry_after: Option<u64>,
    },
    /// Answers this status (500 if it is not a valid status code) with this body and
    /// `Content-Type: application/json`. The request is not acted on.
    Status {
        /// The HTTP status, e.g. 500, 502, 503.
        status: u16,
        /// The body, sent as is.
        body: Cow<'static, str>,
    },
    /// Reads the request, acts on it (a create creates the withdrawal), then closes the TCP
    /// connection without writing any response: the client sees a connection error although the
    /// operation happened.
    CloseAfterActing,
    /// Reads the whole request and closes the connection without acting and without answering:
    /// the client sees the same connection error, but nothing happened.
    CloseBeforeActing,
    /// Acts and answers with the real status and headers, but the body is the first half of the
    /// real body followed by `<<malformed>>`, which no JSON parser accepts.
    MalformedJson,
    /// Acts and answers with the real status and a `Content-Length` of the real body, sends the
    /// first half of the body and then aborts the connection: the client's body read fails.
    TruncatedBody,
    /// Acts and answers with the real status; the body is the real JSON followed by spaces up to
    /// `bytes` bytes (still valid JSON), to test that clients bound the size they read.
    OversizedBody {
        /// The total body size in bytes.
        bytes: usize,
    },
    /// Acts and answers normally, except that every `status` field (at the top level, in `data`
    /// or Cryptomus's `result`, in the items of such an array, or in `result.items`) reads
    /// `"surprise_status"`.
    UnknownStatus,
    /// Acts and answers normally, except that the named field is removed from the same objects
    /// as [`Fault::UnknownStatus`] changes.
    MissingField(Cow<'static, str>),
    /// Acts and answers with the real status and well-formed JSON of another shape than the
    /// documented one: an object holding a `data` array becomes `{"results": [...], "total": n}`
    /// (the envelope of AlpPay's newer `listPayments` page); any other object is wrapped as
    /// `{"data": {...}}` (AlphaPo's wrapper, around an answer that has none, or around the one
    /// it has). A client must not read either as "nothing found".
    OtherShape,
    /// Nothing listens: the connection is refused before anything is sent. A fault matrix
    /// produces it by pointing the client at a port nothing listens on; a listener that has
    /// already accepted can only come close, so armed on one it closes the connection at once,
    /// without reading the request or acting.
    ConnectionRefused,
}

impl Fault {
    /// A short name for the request log.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Delay(_) => "delay",
            Fault::TooManyRequests { .. } => "too_many_requests",
            Fault::Status { .. } => "status",
            Fault::CloseAfterActing => "close_after_acting",
            Fault::CloseBeforeActing => "close_before_acting",
            Fault::MalformedJson => "malformed_json",
            Fault::TruncatedBody => "truncated_body",
            Fault::OversizedBody { .. } => "oversized_body",
            Fault::UnknownStatus => "unknown_status",
            Fault::MissingField(_) => "missing_field",
            Fault::OtherShape => "other_shape",
            Fault::ConnectionRefused => "connection_refused",
        }
    }
}

#[derive(Debug)]
struct Rule {
    fault: Fault,
    method: Option<http::Method>,
    path_suffix: Option<String>,
    /// Matching requests still to let through unharmed before the fault applies.
    skip: usize,
    remaining: usize,
}

impl Rule {
    fn matches(&self, method: &http::Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self.path_suffix.as_deref().is_none_or(|s| path.ends_with(s))
    }
}

/// The fault queue of one listener. Cloning gives another handle to the same queue.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    rules: Arc<Mutex<VecDeque<Rule>>>,
    // Lets the request path skip the lock when no fault is queued (the usual case).
    armed: Arc<AtomicUsize>,
}

impl Faults {
    /// Applies `fault` to the next request, whatever its path.
    pub fn next(&self, fault: Fault) {
        self.push(fault, None, None, 1);
    }

    /// Applies `fault` to each of the next `times` requests, whatever their path.
    pub fn next_n(&self, fault: Fault, times: usize) {
        self.push(fault, None, None, times);
    }

    /// Applies `fault` to the next `times` requests whose path ends with `path_suffix`
    /// (e.g. `"/withdrawal/crypto"`); `usize::MAX` means every such request until [`clear`].
    ///
    /// [`clear`]: Faults::clear
    pub fn on_path(&self, path_suffix: &str, fault: Fault, times: usize) {
        self.push(fault, None, Some(path_suffix.to_owned()), times);
    }

    /// Like [`on_path`](Faults::on_path), for requests with this method only: AlpPay's
    /// `GET /withdrawal` (listing, and the reference lookup a create makes first) and
    /// `POST /withdrawal` (the create) share a path, so `on_request(Method::POST, "/withdrawal", ..)`
    /// reaches the create alone. `usize::MAX` times means until [`clear`](Faults::clear).
    pub fn on_request(&self, method: http::Method, path_suffix: &str, fault: Fault, times: usize) {
        self.push_skipping(fault, Some(method), Some(path_suffix.to_owned()), 0, times);
    }

    /// Like [`on_request`](Faults::on_request), but the first `skip` matching requests are
    /// served normally: e.g. AlpPay's reconciling lookup after a lost create answer, past the
    /// lookup the create made first. A request let through takes no other rule.
    pub fn on_request_after(&self, method: http::Method, path_suffix: &str, skip: usize, fault: Fault, times: usize) {
        self.push_skipping(fault, Some(method), Some(path_suffix.to_owned()), skip, times);
    }

    /// Removes every queued rule.
    pub fn clear(&self) {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.clear();
        self.armed.store(0, Ordering::Release);
    }

    /// How many rules are still queued.
    pub fn pending(&self) -> usize {
        self.armed.load(Ordering::Acquire)
    }

    fn push(&self, fault: Fault, method: Option<http::Method>, path_suffix: Option<String>, times: usize) {
        self.push_skipping(fault, method, path_suffix, 0, times);
    }

    fn push_skipping(
        &self,
        fault: Fault,
        method: Option<http::Method>,
        path_suffix: Option<String>,
        skip: usize,
        times: usize,
    ) {
        if times == 0 {
            return;
        }
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.push_back(Rule { fault, method, path_suffix, skip, remaining: times });
        self.armed.store(rules.len(), Ordering::Release);
    }

    /// Takes the fault for a `method` request to `path`, if a rule matches.
    pub(crate) fn take(&self, method: &http::Method, path: &str) -> Option<Fault> {
        if self.armed.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let pos = rules.iter().position(|r| r.matches(method, path))?;
        let rule = &mut rules[pos];
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        let fault = rule.fault.clone();
        if rule.remaining != usize::MAX {
            rule.remaining -= 1;
        }
        if rule.remaining == 0 {
            rules.remove(pos);
        }
        self.armed.store(rules.len(), Ordering::Release);
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: http::Method = http::Method::GET;

    #[test]
    fn method_and_path() {
        let f = Faults::default();
        f.on_request(http::Method::POST, "/withdrawal", Fault::CloseAfterActing, 1);
        assert_eq!(f.take(&GET, "/v2/withdrawal"), None);
        assert_eq!(f.take(&http::Method::POST, "/v2/withdrawal/x"), None);
        assert_eq!(f.take(&http::Method::POST, "/v2/withdrawal"), Some(Fault::CloseAfterActing));
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn skipped_requests_are_served_then_the_fault_applies() {
        let f = Faults::default();
        f.on_request_after(GET, "/withdrawal", 2, Fault::OtherShape, 1);
        assert_eq!(f.take(&http::Method::POST, "/v2/withdrawal"), None);
        assert_eq!(f.take(&GET, "/v2/withdrawal"), None);
        assert_eq!(f.pending(), 1);
        assert_eq!(f.take(&GET, "/v2/withdrawal"), None);
        assert_eq!(f.take(&GET, "/v2/withdrawal"), Some(Fault::OtherShape));
        assert_eq!(f.take(&GET, "/v2/withdrawal"), None);
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn first_matching_rule_and_counts() {
        let f = Faults::default();
        assert_eq!(f.take(&GET, "/x"), None);
        f.on_path("/withdrawal/crypto", Fault::CloseAfterActing, 1);
        f.next_n(Fault::UnknownStatus, 2);
        assert_eq!(f.take(&GET, "/api/v2/ping"), Some(Fault::UnknownStatus));
        assert_eq!(f.take(&GET, "/api/v2/withdrawal/crypto"), Some(Fault::CloseAfterActing));
        assert_eq!(f.take(&GET, "/api/v2/withdrawal/crypto"), Some(Fault::UnknownStatus));
        assert_eq!(f.take(&GET, "/api/v2/withdrawal/crypto"), None);
        assert_eq!(f.pending(), 0);
        f.on_path("/ping", Fault::MalformedJson, usize::MAX);
        for _ in 0..5 {
            assert_eq!(f.take(&GET, "/ping"), Some(Fault::MalformedJson));
        }
        f.clear();
        assert_eq!(f.take(&GET, "/ping"), None);
    }
}
