//! The vocabulary of a fault matrix: which [`Operation`] (the testkit's), under which injected
//! [`Fault`] (the simulator's), must end how.
//!
//! A provider crate writes its matrix as one `static` array of [`Row`]s and hands it, with its
//! [`SimBackend`], to [`assert_rows`], which drives every row against a fresh simulator
//! (`payout-alphapo/tests/fault_matrix.rs`, `payout-alppay/tests/fault_matrix.rs`);
//! [`assert_complete`] checks the table covers every supported operation under every fault, and
//! [`render`] prints the same array as the Markdown grid that `RELIABILITY.md` shows
//! ([`check_doc_table`]), so the documented table and the tested one cannot drift apart.
//!
//! ```
//! use payout_core::ErrorKind;
//! use payout_sim::Fault;
//! use payout_sim::fault_matrix::{Expect, Operation, Row, render, status};
//!
//! static ROWS: &[Row] = &[
//!     Row::new(Operation::Get, status(503), Expect::Recovers { requests: 2 }),
//!     Row::new(Operation::Get, Fault::MalformedJson, Expect::Fails { kind: ErrorKind::Protocol, requests: 1 }),
//! ];
//! let table = render(ROWS);
//! assert!(table.contains("| 503 | recovers (2 requests) |"));
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

use futures::TryStreamExt;
use payout_core::{
    ErrorKind, ListQuery, PayoutError, PayoutProvider, PayoutProviderExt, Reference, SubmitPath, Withdrawal,
    WithdrawalId, WithdrawalStatus,
};

use crate::Fault;
use crate::backend::{ClientSettings, SimBackend};

pub use payout_testkit::Operation;

/// The column heading of an operation.
fn column(op: Operation) -> &'static str {
    match op {
        Operation::Create => "create",
        Operation::Get => "get",
        Operation::Find => "find",
        Operation::List => "list page",
        Operation::ListAll => "`list_all`",
        Operation::Submit => "`submit`",
        Operation::ParseWebhook => "`parse_webhook`",
    }
}

/// The body of an injected 5xx.
const INJECTED_BODY: &str = r#"{"error":"injected"}"#;

/// A row's fault: this status with an injected error body, without acting.
pub const fn status(status: u16) -> Fault {
    Fault::Status { status, body: Cow::Borrowed(INJECTED_BODY) }
}

/// A row's fault: the provider acts; this field is missing from the answer.
pub const fn missing(field: &'static str) -> Fault {
    Fault::MissingField(Cow::Borrowed(field))
}

/// The row heading of a fault. A [`Fault::Delay`] in a matrix is always one past the client's
/// timeout ([`DELAY`] against [`TIMEOUT`]); [`Fault::ConnectionRefused`] points the client at a
/// port nothing listens on; for `submit`, [`Fault::OtherShape`] is the answer of the reconciling
/// lookup after the create's answer was lost (the create is closed after acting).
pub fn label(fault: &Fault) -> String {
    match fault {
        Fault::Delay(_) => "delay past the timeout".into(),
        Fault::TooManyRequests { retry_after: Some(_) } => "429 with `Retry-After`".into(),
        Fault::TooManyRequests { retry_after: None } => "429 without `Retry-After`".into(),
        Fault::Status { status, .. } => status.to_string(),
        Fault::ConnectionRefused => "connection refused".into(),
        Fault::CloseAfterActing => "closed after the provider acted".into(),
        Fault::CloseBeforeActing => "closed before the provider acted".into(),
        Fault::MalformedJson => "malformed JSON".into(),
        Fault::TruncatedBody => "truncated body".into(),
        Fault::OversizedBody { .. } => "body over the client's limit".into(),
        Fault::UnknownStatus => "unknown status".into(),
        Fault::MissingField(f) => format!("missing `{f}`"),
        Fault::OtherShape => "answer of another shape".into(),
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

/// The cells of a provider's grid, short enough that one line of the grid reads as one fault:
/// `use payout_sim::fault_matrix::cells::*;`.
pub mod cells {
    use payout_core::{ErrorKind, SubmitPath};

    use super::Expect;

    /// Succeeds after `requests` requests.
    pub const fn ok(requests: u32) -> Expect {
        Expect::Ok { requests }
    }
    /// Succeeds after the client retried on its own.
    pub const fn rec(requests: u32) -> Expect {
        Expect::Recovers { requests }
    }
    /// Fails with `kind`.
    pub const fn fails(kind: ErrorKind, requests: u32) -> Expect {
        Expect::Fails { kind, requests }
    }
    /// A create sent once ends outcome-unknown, with `created` withdrawals afterwards.
    pub const fn unknown(created: u32) -> Expect {
        Expect::OutcomeUnknown { requests: 1, created }
    }
    /// `submit` returns the one withdrawal, got by `path`.
    pub const fn submitted(path: SubmitPath, requests: u32) -> Expect {
        Expect::Submitted { path, requests }
    }
    /// Succeeds with status `unknown`, the raw one kept.
    pub const fn kept(requests: u32) -> Expect {
        Expect::UnknownKept { requests }
    }
    /// The answer could not be read.
    pub const PROTOCOL: Expect = fails(ErrorKind::Protocol, 1);
    /// Nothing was sent.
    pub const REFUSED: Expect = fails(ErrorKind::Unavailable, 0);
    /// `submit` created the withdrawal.
    pub const CREATED: SubmitPath = SubmitPath::Created;
    /// `submit` found the withdrawal by looking its reference up.
    pub const RECONCILED: SubmitPath = SubmitPath::Reconciled;
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
    pub op: Operation,
    /// The fault injected into its (first) request to the provider.
    pub fault: Fault,
    /// How it must end.
    pub expect: Expect,
}

impl Row {
    /// A row.
    pub const fn new(op: Operation, fault: Fault, expect: Expect) -> Self {
        Self { op, fault, expect }
    }
}

/// A provider's grid (one line per fault, one cell per operation of `ops`) as rows, fault by
/// fault in the grid's order.
pub fn grid<const N: usize>(ops: &[Operation; N], lines: &[(Fault, [Expect; N])]) -> Vec<Row> {
    lines
        .iter()
        .flat_map(|(fault, cells)| ops.iter().zip(cells).map(|(op, expect)| Row::new(*op, fault.clone(), *expect)))
        .collect()
}

/// The three tests every provider's fault matrix runs, for a `backend` (a [`SimBackend`]
/// value), the `marker` of its table in `RELIABILITY.md`, and its rows (a `Vec<Row>`
/// expression): the table covers every operation and fault within the retry bound, the document
/// shows exactly this table (`PAYOUT_UPDATE_DOCS=1` rewrites it), and every row holds against a
/// fresh simulator.
#[macro_export]
macro_rules! fault_matrix_tests {
    (backend: $backend:expr, marker: $marker:literal, rows: $rows:expr $(,)?) => {
        #[test]
        fn the_table_is_complete_and_within_the_retry_bound() {
            $crate::fault_matrix::assert_complete(&$backend, &$rows);
        }

        #[test]
        fn reliability_md_shows_this_table() {
            let doc = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../RELIABILITY.md");
            let table = $crate::fault_matrix::render(&$rows);
            $crate::fault_matrix::check_doc_table(&doc, $marker, &table).unwrap();
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn every_operation_under_every_fault() {
            $crate::fault_matrix::assert_rows(&$backend, &$rows).await;
        }
    };
}

/// The rows as a Markdown grid: one line per fault (in first-seen order), one column per
/// operation that appears (in [`Operation::ALL`] order). A pair without a row shows `—`.
pub fn render(rows: &[Row]) -> String {
    let ops: Vec<Operation> = Operation::ALL.into_iter().filter(|op| rows.iter().any(|r| r.op == *op)).collect();
    let mut faults: Vec<&Fault> = Vec::new();
    for r in rows {
        if !faults.contains(&&r.fault) {
            faults.push(&r.fault);
        }
    }
    let mut out = String::from("| fault |");
    for op in &ops {
        let _ = write!(out, " {} |", column(*op));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(ops.len()));
    out.push('\n');
    for fault in faults {
        let _ = write!(out, "| {} |", label(fault));
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

/// The client's timeout per attempt in the delay rows; the delay fault waits [`DELAY`]. (Other
/// rows use [`NO_TIMEOUT`], which no loaded machine reaches, so that only the injected fault
/// makes a difference.)
pub const TIMEOUT: Duration = Duration::from_millis(800);
/// How long the delay fault holds its answer.
pub const DELAY: Duration = Duration::from_millis(1500);
/// The timeout of the rows whose fault is not a delay.
pub const NO_TIMEOUT: Duration = Duration::from_secs(30);
/// The client's bound on answers.
pub const MAX_BODY: usize = 64 * 1024;
/// The size of a row's oversized body ([`Fault::OversizedBody`]): twice [`MAX_BODY`].
pub const OVERSIZED: usize = 2 * MAX_BODY;
/// Retries after the first attempt (the default policy's count, with millisecond waits).
pub const RETRIES: u32 = 3;
/// Withdrawals seeded for reads.
pub const SEEDED: usize = 5;
/// The page size of the list rows: [`SEEDED`] withdrawals make three pages.
pub const LIMIT: u32 = 2;

/// One connection pool for every row's client (building a client loads TLS roots, which is slow
/// in a debug build): without redirects, as the provider crates' own clients.
static SHARED: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(|| {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().expect("a plain client")
});

/// Checks that `rows` hold exactly one row per fault and supported operation of `backend`, and
/// that no recovery needs more retries than [`RETRIES`]. Panics otherwise.
pub fn assert_complete<B: SimBackend>(backend: &B, rows: &[Row]) {
    for fault in rows.iter().map(|r| &r.fault) {
        for op in backend.ops().iter().copied() {
            let n = rows.iter().filter(|r| r.op == op && &r.fault == fault).count();
            assert_eq!(n, 1, "{} × {}: {n} rows", column(op), label(fault));
        }
    }
    for row in rows {
        assert!(backend.ops().contains(&row.op), "{row:?}: {} does not support this operation", B::NAME);
        if let Expect::Recovers { requests } = row.expect {
            let pages = if row.op == Operation::ListAll { SEEDED.div_ceil(LIMIT as usize) as u32 } else { 1 };
            assert!(requests - pages < RETRIES + 1, "{row:?} needs more retries than the policy allows");
        }
    }
}

/// Runs every row against a fresh simulator of `backend` and panics listing the rows that did
/// not end as they must. The rows whose fault is a timeout run first and alone, so that no other
/// row's load can make an ordinary request look like a timed-out one; the rest then run
/// together. Run it in a multi-threaded runtime.
pub async fn assert_rows<B: SimBackend>(backend: &B, rows: &[Row]) {
    use futures::StreamExt;
    let (slow, fast): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| matches!(r.fault, Fault::Delay(_)));
    let mut failures = Vec::new();
    for phase in [slow, fast] {
        failures.extend(
            futures::stream::iter(phase)
                .map(|row| async move {
                    check_row(backend, row)
                        .await
                        .err()
                        .map(|e| format!("{} × {}: {e}", column(row.op), label(&row.fault)))
                })
                .buffer_unordered(32)
                .filter_map(|f| async move { f })
                .collect::<Vec<_>>()
                .await,
        );
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

/// What an operation returned, reduced to what the checks need.
#[derive(Clone)]
enum Outcome {
    One(Withdrawal),
    Many(Vec<Withdrawal>),
    Submitted(payout_core::Submitted),
}

fn page() -> ListQuery {
    ListQuery::new().limit(LIMIT).expect("a valid page size")
}

async fn run_op<B: SimBackend>(
    backend: &B,
    client: &dyn PayoutProvider,
    op: Operation,
    target: &WithdrawalId,
    reference: &str,
    fresh: &str,
) -> Result<Outcome, PayoutError> {
    Ok(match op {
        Operation::Create => Outcome::One(client.create_withdrawal(&backend.request(fresh)).await?),
        Operation::Get => Outcome::One(client.get_withdrawal(target).await?),
        Operation::Find => {
            let reference = Reference::new(reference).expect("a seeded reference is valid");
            match client.find_withdrawal(&reference).await? {
                Some(w) => Outcome::One(w),
                None => Outcome::Many(Vec::new()),
            }
        }
        Operation::List => Outcome::Many(client.list_withdrawals(&page()).await?.items),
        Operation::ListAll => Outcome::Many(client.list_all(page()).try_collect().await?),
        Operation::Submit => Outcome::Submitted(client.submit(&backend.request(fresh)).await?),
        Operation::ParseWebhook => {
            return Err(PayoutError::unsupported(client.id(), "a fault matrix sends no webhooks"));
        }
    })
}

/// Runs one row against a fresh simulator of `backend`: arms the fault on the row's endpoint,
/// runs the operation, and checks its ending, the requests that reached the endpoint and the
/// withdrawals holding the created reference.
pub async fn check_row<B: SimBackend>(backend: &B, row: &Row) -> Result<(), String> {
    let server = backend.start().await;
    let ids = backend.seed(&server, SEEDED);
    let target = ids.first().cloned().ok_or("nothing was seeded")?;
    let invoice = backend.reference_of(&server, &target).ok_or("the seeded withdrawal is gone")?;
    let fresh = "fresh-1";
    let delayed = matches!(row.fault, Fault::Delay(_));
    let settings = ClientSettings {
        timeout: Some(if delayed { TIMEOUT } else { NO_TIMEOUT }),
        max_response_bytes: Some(MAX_BODY),
        http: Some(SHARED.clone()),
        base_url: (row.fault == Fault::ConnectionRefused).then(|| crate::net::refused_url(B::BASE_PATH)),
        ..ClientSettings::default()
    };
    let client = backend.client(&server, settings).map_err(|e| e.to_string())?;
    if delayed {
        // Open the connection first, so the faulted request only waits for the provider.
        client.get_withdrawal(&target).await.map_err(|e| format!("warm-up: {e}"))?;
    }
    let (method, path) = backend.endpoint(row.op, &target);
    server.requests().clear();
    if row.op == Operation::Submit && row.fault == Fault::OtherShape {
        // The create acts and its answer is lost; the lookup that reconciles it (past those the
        // create itself makes first) answers in another shape.
        server.faults().on_request(method.clone(), &path, Fault::CloseAfterActing, 1);
        let (find_method, find_path) = backend.endpoint(Operation::Find, &target);
        server.faults().on_request_after(
            find_method,
            &find_path,
            backend.lookups_before_create(),
            Fault::OtherShape,
            1,
        );
    } else if row.fault != Fault::ConnectionRefused {
        server.faults().on_request(method.clone(), &path, row.fault.clone(), 1);
    }

    let result = run_op(backend, client.as_ref(), row.op, &target, &invoice, fresh).await;
    if delayed {
        // Let the slow request land before counting (it is logged once answered).
        for _ in 0..300 {
            if server.requests().entries().iter().any(|r| r.fault == Some("delay")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let requests =
        server.requests().entries().iter().filter(|r| r.method == method.as_str() && r.path.ends_with(&path)).count()
            as u32;
    let created = backend.holding(&server, fresh).len() as u32;
    let creates = matches!(row.op, Operation::Create | Operation::Submit);

    let got = |what: &str| format!("expected {what}, got {}", describe(&result));
    match row.expect {
        Expect::Ok { requests: want } | Expect::Recovers { requests: want } => {
            expect_requests(requests, want)?;
            match &result {
                Ok(outcome) => check_value(row.op, outcome, &target, fresh, false)?,
                Err(_) => return Err(got("success")),
            }
            if creates && created != 1 {
                return Err(format!("{created} withdrawals hold the reference; expected exactly 1"));
            }
        }
        Expect::UnknownKept { requests: want } => {
            expect_requests(requests, want)?;
            match &result {
                Ok(outcome) => check_value(row.op, outcome, &target, fresh, true)?,
                Err(_) => return Err(got("success with an unknown status")),
            }
        }
        Expect::Fails { kind, requests: want } => {
            match &result {
                // Nothing is lost: an unknown outcome always names the reference to reconcile.
                Err(PayoutError::OutcomeUnknown { reference, .. }) if reference.as_str() != fresh => {
                    return Err(got("outcome_unknown naming the reference"));
                }
                Err(e) if e.kind() == kind => {}
                _ => return Err(got(kind.as_str())),
            }
            expect_requests(requests, want)?;
            if creates && created > 1 {
                return Err(format!("paid twice: {created} withdrawals hold the reference"));
            }
        }
        Expect::OutcomeUnknown { requests: want, created: want_created } => {
            match &result {
                Err(PayoutError::OutcomeUnknown { reference, .. }) if reference.as_str() == fresh => {}
                _ => return Err(got("outcome_unknown naming the reference")),
            }
            expect_requests(requests, want)?;
            if created != want_created {
                return Err(format!("{created} withdrawals hold the reference; expected {want_created}"));
            }
        }
        Expect::Submitted { path: want_path, requests: want } => {
            match &result {
                Ok(outcome @ Outcome::Submitted(s)) if s.path == want_path => {
                    check_value(row.op, outcome, &target, fresh, false)?
                }
                _ => return Err(got(&format!("submit by path {want_path:?}"))),
            }
            expect_requests(requests, want)?;
            if created != 1 {
                return Err(format!("{created} withdrawals hold the reference; expected exactly 1"));
            }
        }
    }
    Ok(())
}

fn expect_requests(got: u32, want: u32) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{got} requests reached the faulted endpoint; expected {want}")) }
}

fn describe(result: &Result<Outcome, PayoutError>) -> String {
    match result {
        Ok(Outcome::One(w)) => format!("withdrawal {} ({})", w.id, w.provider_status),
        Ok(Outcome::Many(items)) => format!("{} withdrawals", items.len()),
        Ok(Outcome::Submitted(s)) => format!("submitted {} by {:?}", s.withdrawal.id, s.path),
        Err(e) => format!("{} error: {e}", e.kind()),
    }
}

fn check_value(
    op: Operation,
    outcome: &Outcome,
    target: &WithdrawalId,
    fresh: &str,
    unknown: bool,
) -> Result<(), String> {
    let status_ok = |w: &Withdrawal| {
        if unknown {
            w.status == WithdrawalStatus::Unknown && w.provider_status == "surprise_status"
        } else {
            w.status != WithdrawalStatus::Unknown
        }
    };
    match (op, outcome) {
        (Operation::Create, Outcome::One(w))
            if w.reference.as_ref().is_none_or(|r| r.as_str() == fresh) && status_ok(w) =>
        {
            Ok(())
        }
        (Operation::Get, Outcome::One(w)) | (Operation::Find, Outcome::One(w)) if &w.id == target && status_ok(w) => {
            Ok(())
        }
        (Operation::Submit, Outcome::Submitted(s))
            if s.withdrawal.reference.as_ref().is_none_or(|r| r.as_str() == fresh) && status_ok(&s.withdrawal) =>
        {
            Ok(())
        }
        (Operation::List, Outcome::Many(items)) if items.len() == LIMIT as usize && items.iter().all(status_ok) => {
            Ok(())
        }
        (Operation::ListAll, Outcome::Many(items)) => {
            let mut ids: Vec<_> = items.iter().map(|w| w.id.clone()).collect();
            ids.sort();
            ids.dedup();
            let first_page_ok = items.iter().take(LIMIT as usize).all(status_ok);
            if ids.len() == SEEDED && items.len() == SEEDED && first_page_ok {
                Ok(())
            } else {
                Err(format!("list_all gave {} items ({} distinct)", items.len(), ids.len()))
            }
        }
        (_, other) => Err(format!("unexpected value: {}", describe(&Ok(other.clone())))),
    }
}
