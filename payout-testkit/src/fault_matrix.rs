//! The vocabulary of a fault matrix: which operation, under which injected fault, must end how.
//!
//! A provider crate writes its matrix as one `static` array of [`Row`]s and drives every row
//! against its simulator (`payout-alphapo/tests/fault_matrix.rs`,
//! `payout-alppay/tests/fault_matrix.rs`); [`render`] prints the same array as the Markdown grid
//! that `RELIABILITY.md` shows, so the documented table and the tested one cannot drift apart.
//!
//! ```
//! use payout_core::ErrorKind;
//! use payout_testkit::fault_matrix::{Expect, Injected, Op, Row, render};
//!
//! static ROWS: &[Row] = &[
//!     Row::new(Op::Get, Injected::Status(503), Expect::Recovers { requests: 2 }),
//!     Row::new(Op::Get, Injected::MalformedJson, Expect::Fails { kind: ErrorKind::Protocol, requests: 1 }),
//! ];
//! let table = render(ROWS);
//! assert!(table.contains("| 503 | recovers (2 requests) |"));
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use payout_core::{ErrorKind, SubmitPath};

use crate::sim::Fault;

/// An operation of [`payout_core::PayoutProvider`] (or of its extension trait) under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `create_withdrawal`.
    Create,
    /// `get_withdrawal`.
    Get,
    /// `find_withdrawal`.
    Find,
    /// One `list_withdrawals` page.
    ListPage,
    /// `list_all`, every page (the fault hits the first page).
    ListAll,
    /// `submit`, the safe create.
    Submit,
}

impl Op {
    /// Every operation, in the order of the rendered columns.
    pub const ALL: [Op; 6] = [Op::Create, Op::Get, Op::Find, Op::ListPage, Op::ListAll, Op::Submit];

    /// The column heading.
    pub fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Get => "get",
            Op::Find => "find",
            Op::ListPage => "list page",
            Op::ListAll => "`list_all`",
            Op::Submit => "`submit`",
        }
    }
}

/// A fault, as a matrix names it. Most map onto a simulator [`Fault`]; a refused connection is
/// produced by pointing the client at a port nothing listens on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Injected {
    /// The answer comes later than the client's timeout (the provider still acts).
    DelayPastTimeout,
    /// `429` with `Retry-After: 1`.
    TooManyRequestsRetryAfter,
    /// `429` without `Retry-After`.
    TooManyRequests,
    /// This 5xx status, without acting.
    Status(u16),
    /// Nothing listens: the connection is refused before anything is sent.
    ConnectionRefused,
    /// The provider acts, then the connection closes without an answer.
    CloseAfterActing,
    /// The connection closes without an answer, and the provider did not act.
    CloseBeforeActing,
    /// The provider acts; the answer is not JSON.
    MalformedJson,
    /// The provider acts; the answer's body is cut off half way.
    TruncatedBody,
    /// The provider acts; the answer is larger than the client reads.
    OversizedBody,
    /// The provider acts; the status in the answer is one this version does not know.
    UnknownStatus,
    /// The provider acts; this field is missing from the answer.
    MissingField(&'static str),
}

impl Injected {
    /// The row heading.
    pub fn label(&self) -> String {
        match self {
            Injected::DelayPastTimeout => "delay past the timeout".into(),
            Injected::TooManyRequestsRetryAfter => "429 with `Retry-After`".into(),
            Injected::TooManyRequests => "429 without `Retry-After`".into(),
            Injected::Status(s) => s.to_string(),
            Injected::ConnectionRefused => "connection refused".into(),
            Injected::CloseAfterActing => "closed after the provider acted".into(),
            Injected::CloseBeforeActing => "closed before the provider acted".into(),
            Injected::MalformedJson => "malformed JSON".into(),
            Injected::TruncatedBody => "truncated body".into(),
            Injected::OversizedBody => "body over the client's limit".into(),
            Injected::UnknownStatus => "unknown status".into(),
            Injected::MissingField(f) => format!("missing `{f}`"),
        }
    }

    /// The simulator fault that produces it (`None` for [`Injected::ConnectionRefused`]).
    /// `delay` must exceed the client's timeout and `oversized` its response bound.
    pub fn fault(&self, delay: Duration, oversized: usize) -> Option<Fault> {
        Some(match self {
            Injected::DelayPastTimeout => Fault::Delay(delay),
            Injected::TooManyRequestsRetryAfter => Fault::TooManyRequests { retry_after: Some(1) },
            Injected::TooManyRequests => Fault::TooManyRequests { retry_after: None },
            Injected::Status(s) => Fault::Status { status: *s, body: format!(r#"{{"error":"injected {s}"}}"#) },
            Injected::ConnectionRefused => return None,
            Injected::CloseAfterActing => Fault::CloseAfterActing,
            Injected::CloseBeforeActing => Fault::CloseBeforeActing,
            Injected::MalformedJson => Fault::MalformedJson,
            Injected::TruncatedBody => Fault::TruncatedBody,
            Injected::OversizedBody => Fault::OversizedBody { bytes: oversized },
            Injected::UnknownStatus => Fault::UnknownStatus,
            Injected::MissingField(f) => Fault::MissingField((*f).to_owned()),
        })
    }
}

/// How a row must end. `requests` counts the requests that reached the faulted endpoint (the
/// method and path the fault was armed on), including one the provider finished after the client
/// gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Succeeds: the fault does not matter to this operation.
    Ok {
        /// Requests to the faulted endpoint.
        requests: u32,
    },
    /// Succeeds after the client retried on its own, within its retry bound.
    Recovers {
        /// Requests to the faulted endpoint (the faulted one and the retries).
        requests: u32,
    },
    /// Succeeds; the withdrawal's status is `unknown` with the provider's raw string kept.
    UnknownKept {
        /// Requests to the faulted endpoint.
        requests: u32,
    },
    /// Fails with this category.
    Fails {
        /// The error category.
        kind: ErrorKind,
        /// Requests to the faulted endpoint.
        requests: u32,
    },
    /// A create fails with `OutcomeUnknown` naming the reference; it was sent once and never
    /// repeated.
    OutcomeUnknown {
        /// Creates sent.
        requests: u32,
        /// Withdrawals that exist afterwards (the provider may have acted).
        created: u32,
    },
    /// `submit` returns the one withdrawal of its reference.
    Submitted {
        /// How it got it.
        path: SubmitPath,
        /// Creates sent (a repeat only after an answer proved the first did nothing, or a 429).
        requests: u32,
    },
}

impl Expect {
    /// The cell text.
    pub fn describe(&self) -> String {
        let n = |r: u32| if r == 1 { "1 request".to_owned() } else { format!("{r} requests") };
        match *self {
            Expect::Ok { requests } => format!("ok ({})", n(requests)),
            Expect::Recovers { requests } => format!("recovers ({})", n(requests)),
            Expect::UnknownKept { requests } => format!("ok, status `unknown`, raw kept ({})", n(requests)),
            Expect::Fails { kind, requests } => format!("`{kind}` ({})", n(requests)),
            Expect::OutcomeUnknown { requests, created } => {
                format!(
                    "`outcome_unknown`, sent {}, {created} created",
                    if requests == 1 { "once".into() } else { format!("{requests}×") }
                )
            }
            Expect::Submitted { path, requests } => {
                let how = match path {
                    SubmitPath::Created => "created",
                    SubmitPath::Reconciled => "reconciled",
                    SubmitPath::AlreadyExisted => "already existed",
                };
                format!(
                    "one withdrawal, {how} ({} sent)",
                    if requests == 1 { "1 create".into() } else { format!("{requests} creates") }
                )
            }
        }
    }
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The operation.
    pub op: Op,
    /// The fault injected into its (first) request to the provider.
    pub fault: Injected,
    /// How it must end.
    pub expect: Expect,
}

impl Row {
    /// A row.
    pub const fn new(op: Op, fault: Injected, expect: Expect) -> Self {
        Self { op, fault, expect }
    }
}

/// The rows as a Markdown grid: one line per fault (in first-seen order), one column per
/// operation that appears (in [`Op::ALL`] order). A pair without a row shows `—`.
pub fn render(rows: &[Row]) -> String {
    let ops: Vec<Op> = Op::ALL.into_iter().filter(|op| rows.iter().any(|r| r.op == *op)).collect();
    let mut faults: Vec<&Injected> = Vec::new();
    for r in rows {
        if !faults.contains(&&r.fault) {
            faults.push(&r.fault);
        }
    }
    let mut out = String::from("| fault |");
    for op in &ops {
        let _ = write!(out, " {} |", op.name());
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(ops.len()));
    out.push('\n');
    for fault in faults {
        let _ = write!(out, "| {} |", fault.label());
        for op in &ops {
            let cell = rows
                .iter()
                .find(|r| r.op == *op && &r.fault == fault)
                .map_or_else(|| "—".to_owned(), |r| r.expect.describe());
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out
}

/// Checks that `doc` holds `table` between the lines `<!-- begin {marker} -->` and
/// `<!-- end {marker} -->`; with `PAYOUT_UPDATE_DOCS=1` in the environment, rewrites the file at
/// `path` so that it does, and passes.
pub fn check_doc_table(path: &std::path::Path, marker: &str, table: &str) -> Result<(), String> {
    let doc = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let begin = format!("<!-- begin {marker} -->\n");
    let end = format!("<!-- end {marker} -->");
    let (Some(b), Some(e)) = (doc.find(&begin), doc.find(&end)) else {
        return Err(format!("{} has no `{begin}`…`{end}` section", path.display()));
    };
    let current = &doc[b + begin.len()..e];
    if current == table {
        return Ok(());
    }
    if std::env::var("PAYOUT_UPDATE_DOCS").as_deref() == Ok("1") {
        let updated = format!("{}{table}{}", &doc[..b + begin.len()], &doc[e..]);
        return std::fs::write(path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    Err(format!(
        "the `{marker}` table in {} differs from the tested one; run the test with PAYOUT_UPDATE_DOCS=1 to rewrite it. Tested:\n{table}",
        path.display()
    ))
}
