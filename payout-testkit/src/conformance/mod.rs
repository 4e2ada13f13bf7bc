//! One suite of behaviour every [`PayoutProvider`] must pass, callable from any crate's tests.
//!
//! A [`Harness`] tells the suite how to build a request the backend accepts and, optionally, how
//! to move its withdrawals and inject a lost answer. Cases that cannot be driven on a backend are
//! skipped, not failed. Every reference the suite creates starts with `conf-<run id>-`, so it can
//! run again and again against a stateful simulator.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use payout_testkit::{FakeProvider, conformance};
//!
//! let fake = FakeProvider::new();
//! let harness = conformance::FakeHarness::new(fake.clone());
//! let report = conformance::run(&fake, &harness).await;
//! report.assert_passed(); // on failure: each failed case, its rule, and what did not hold
//!
//! // One case alone, while fixing it:
//! conformance::run_case(&fake, &harness, "duplicate_reference").await.assert_passed();
//! # }
//! ```

mod cases;
mod context;
mod fake_harness;
mod harness;
mod report;

use std::sync::atomic::{AtomicU32, Ordering};

use payout_core::{OffsetDateTime, PayoutProvider};

use context::{Ctx, Findings, Stop};
pub use fake_harness::FakeHarness;
pub use harness::{Drive, Harness, InvalidCase, RequestTemplate, Step, UNKNOWN_ID, unknown_asset_case};
pub use report::{CaseReport, Outcome, Report};

/// Every case, by name, with the rule it checks, in the order [`run`] runs them.
pub const CASES: &[(&str, &str)] = &[
    (
        "create_echoes_request",
        "create_withdrawal returns a withdrawal of this provider with an id and the request's reference, amount, asset and address",
    ),
    (
        "get_and_find_agree",
        "get_withdrawal(id) and find_withdrawal(reference) return the withdrawal create returned (same id, reference, amount; status never behind)",
    ),
    ("unknown_lookups", "find_withdrawal of an unknown reference is None; get_withdrawal of an unknown id is NotFound"),
    ("duplicate_reference", "a second create with a used reference is DuplicateReference and creates nothing"),
    (
        "invalid_requests_refused",
        "a request the provider cannot carry out is refused with InvalidRequest or Unsupported, and nothing is created",
    ),
    (
        "unsupported_options",
        "an option capabilities() leaves out (conversion, tag) is refused with Unsupported or InvalidRequest, and nothing is created",
    ),
    ("capabilities_match", "an operation capabilities() leaves out returns Unsupported; one it lists does not"),
    (
        "listing_pages",
        "list_withdrawals pages without gaps or repeats, reports the right total, and filters by reference, id, tx hash and status",
    ),
    (
        "status_moves",
        "moves on the backend are reported with unified statuses (approve: approved or processing; complete: completed with the tx hash); completed never moves",
    ),
    ("cancel_is_final", "a cancel on the backend is reported cancelled, and a cancelled withdrawal never moves"),
    (
        "reject_is_final",
        "a reject on the backend is reported rejected (or cancelled without a decline status), and never moves",
    ),
    (
        "submit_reconciles",
        "after a create whose answer was lost, submit returns the one withdrawal with SubmitPath::Reconciled and never creates a second",
    ),
    ("submit_is_idempotent", "submit of the same request twice returns one withdrawal: Created, then AlreadyExisted"),
    ("webhook_roundtrip", "parse_webhook accepts the backend's signed webhook and refuses a tampered or unsigned one"),
];

/// Runs every case against `provider`.
pub async fn run(provider: &dyn PayoutProvider, harness: &dyn Harness) -> Report {
    let names: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    run_only(provider, harness, &names).await
}

/// Runs one case by name (see [`CASES`]). An unknown name is reported as a failed case that
/// lists the names.
pub async fn run_case(provider: &dyn PayoutProvider, harness: &dyn Harness, name: &str) -> Report {
    run_only(provider, harness, &[name]).await
}

/// Runs the named cases, in the order given.
pub async fn run_only(provider: &dyn PayoutProvider, harness: &dyn Harness, names: &[&str]) -> Report {
    let run_id = new_run_id();
    let mut cases = Vec::with_capacity(names.len());
    for name in names {
        cases.push(run_one(provider, harness, &run_id, name).await);
    }
    Report { provider: provider.id(), run_id, cases }
}

async fn run_one(provider: &dyn PayoutProvider, harness: &dyn Harness, run_id: &str, name: &str) -> CaseReport {
    let Some(&(name, rule)) = CASES.iter().find(|(n, _)| *n == name) else {
        let known = CASES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
        return CaseReport {
            name: name.to_owned(),
            rule: "the case exists",
            outcome: Outcome::Failed(vec![format!("no case is named `{name}`; the cases are: {known}")]),
            notes: Vec::new(),
        };
    };
    let cx = Ctx::new(provider, harness, run_id, name);
    let mut f = Findings::default();
    let stop = match name {
        "create_echoes_request" => cases::create_echoes_request(&cx, &mut f).await,
        "get_and_find_agree" => cases::get_and_find_agree(&cx, &mut f).await,
        "unknown_lookups" => cases::unknown_lookups(&cx, &mut f).await,
        "duplicate_reference" => cases::duplicate_reference(&cx, &mut f).await,
        "invalid_requests_refused" => cases::invalid_requests_refused(&cx, &mut f).await,
        "unsupported_options" => cases::unsupported_options(&cx, &mut f).await,
        "capabilities_match" => cases::capabilities_match(&cx, &mut f).await,
        "listing_pages" => cases::listing_pages(&cx, &mut f).await,
        "status_moves" => cases::status_moves(&cx, &mut f).await,
        "cancel_is_final" => cases::cancel_is_final(&cx, &mut f).await,
        "reject_is_final" => cases::reject_is_final(&cx, &mut f).await,
        "submit_reconciles" => cases::submit_reconciles(&cx, &mut f).await,
        "submit_is_idempotent" => cases::submit_is_idempotent(&cx, &mut f).await,
        "webhook_roundtrip" => cases::webhook_roundtrip(&cx, &mut f).await,
        other => Err(Stop::Failed(format!("case `{other}` is listed but has no body (a bug in the testkit)"))),
    };
    let outcome = match stop {
        Err(Stop::Failed(why)) => {
            f.problems.push(why);
            Outcome::Failed(f.problems)
        }
        _ if !f.problems.is_empty() => Outcome::Failed(f.problems),
        Err(Stop::Skipped(why)) => Outcome::Skipped(why),
        Ok(()) => Outcome::Passed,
    };
    CaseReport { name: name.to_owned(), rule, outcome, notes: f.notes }
}

/// A run id unlikely to repeat: the clock's nanoseconds and a counter, in hex.
fn new_run_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos().unsigned_abs() as u64;
    format!("{nanos:x}{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
