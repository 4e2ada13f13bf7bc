//! The fault matrix: every operation under every fault the network and AlphaPo can produce, with
//! the outcome it must end in. The table below is the one `RELIABILITY.md` shows (the test checks
//! that the document holds exactly this table; `PAYOUT_UPDATE_DOCS=1` rewrites it).
//!
//! Each row runs against a fresh simulator, the fault armed on the method and path of the
//! operation's request (`POST /withdrawal/crypto` for creates, `GET /transactions/info` for
//! lookups). Reads recover within the retry bound when the fault is transient; creates are never
//! repeated after they may have reached AlphaPo. AlphaPo has no listing endpoint, so the list
//! operations are `unsupported` whatever the network does (tested in `errors.rs`).

mod common;

use std::time::Duration;

use futures::StreamExt;
use payout_alphapo::AlphaPoClient;
use payout_core::ErrorKind::{OutcomeUnknown, Protocol, Unavailable};
use payout_core::{
    Asset, EndUser, PayoutError, PayoutProvider, PayoutProviderExt, Reference, SubmitPath, Withdrawal, WithdrawalId,
    WithdrawalRequest, WithdrawalStatus,
};
use payout_testkit::fault_matrix::{Expect, Injected, Op, Row, check_doc_table, render};
use payout_testkit::sim::AlphaPoServer;
use rust_decimal_macros::dec;

use Expect::*;
use Injected::*;
use Op::*;

/// The client's timeout per attempt in the delay rows; the delay fault waits longer. (Other rows
/// use a timeout no loaded machine reaches, so that only the injected fault makes a difference.)
const TIMEOUT: Duration = Duration::from_millis(800);
const DELAY: Duration = Duration::from_millis(1500);
const NO_TIMEOUT: Duration = Duration::from_secs(30);
/// The client's bound on answers; the oversized fault sends more.
const MAX_BODY: usize = 64 * 1024;
/// Retries after the first attempt (the default policy's count, with millisecond waits).
const RETRIES: u32 = 3;
/// Withdrawals seeded for reads.
const SEEDED: usize = 5;

const fn ok(requests: u32) -> Expect {
    Ok { requests }
}
const fn rec(requests: u32) -> Expect {
    Recovers { requests }
}
const fn fails(kind: payout_core::ErrorKind, requests: u32) -> Expect {
    Fails { kind, requests }
}
const fn unknown(created: u32) -> Expect {
    Expect::OutcomeUnknown { requests: 1, created }
}
const fn submitted(path: SubmitPath, requests: u32) -> Expect {
    Submitted { path, requests }
}
const CREATED: SubmitPath = SubmitPath::Created;
const RECONCILED: SubmitPath = SubmitPath::Reconciled;

#[rustfmt::skip]
static MATRIX: &[Row] = &[
    Row::new(Create, DelayPastTimeout, unknown(1)),
    Row::new(Get, DelayPastTimeout, rec(2)),
    Row::new(Find, DelayPastTimeout, rec(2)),
    Row::new(Submit, DelayPastTimeout, fails(OutcomeUnknown, 1)),

    Row::new(Create, TooManyRequestsRetryAfter, ok(2)),
    Row::new(Get, TooManyRequestsRetryAfter, rec(2)),
    Row::new(Find, TooManyRequestsRetryAfter, rec(2)),
    Row::new(Submit, TooManyRequestsRetryAfter, submitted(CREATED, 2)),

    Row::new(Create, TooManyRequests, ok(2)),
    Row::new(Get, TooManyRequests, rec(2)),
    Row::new(Find, TooManyRequests, rec(2)),
    Row::new(Submit, TooManyRequests, submitted(CREATED, 2)),

    Row::new(Create, Status(500), unknown(0)),
    Row::new(Get, Status(500), rec(2)),
    Row::new(Find, Status(500), rec(2)),
    Row::new(Submit, Status(500), submitted(CREATED, 2)),

    Row::new(Create, Status(502), unknown(0)),
    Row::new(Get, Status(502), rec(2)),
    Row::new(Find, Status(502), rec(2)),
    Row::new(Submit, Status(502), submitted(CREATED, 2)),

    Row::new(Create, Status(503), unknown(0)),
    Row::new(Get, Status(503), rec(2)),
    Row::new(Find, Status(503), rec(2)),
    Row::new(Submit, Status(503), submitted(CREATED, 2)),

    Row::new(Create, Status(504), unknown(0)),
    Row::new(Get, Status(504), rec(2)),
    Row::new(Find, Status(504), rec(2)),
    Row::new(Submit, Status(504), fails(OutcomeUnknown, 1)),

    Row::new(Create, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(Get, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(Find, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(Submit, ConnectionRefused, fails(Unavailable, 0)),

    Row::new(Create, CloseAfterActing, unknown(1)),
    Row::new(Get, CloseAfterActing, rec(2)),
    Row::new(Find, CloseAfterActing, rec(2)),
    Row::new(Submit, CloseAfterActing, submitted(RECONCILED, 1)),

    Row::new(Create, CloseBeforeActing, unknown(0)),
    Row::new(Get, CloseBeforeActing, rec(2)),
    Row::new(Find, CloseBeforeActing, rec(2)),
    Row::new(Submit, CloseBeforeActing, submitted(CREATED, 2)),

    Row::new(Create, MalformedJson, unknown(1)),
    Row::new(Get, MalformedJson, fails(Protocol, 1)),
    Row::new(Find, MalformedJson, fails(Protocol, 1)),
    Row::new(Submit, MalformedJson, submitted(RECONCILED, 1)),

    Row::new(Create, TruncatedBody, unknown(1)),
    Row::new(Get, TruncatedBody, rec(2)),
    Row::new(Find, TruncatedBody, rec(2)),
    Row::new(Submit, TruncatedBody, submitted(RECONCILED, 1)),

    Row::new(Create, OversizedBody, unknown(1)),
    Row::new(Get, OversizedBody, fails(Protocol, 1)),
    Row::new(Find, OversizedBody, fails(Protocol, 1)),
    Row::new(Submit, OversizedBody, submitted(RECONCILED, 1)),

    Row::new(Create, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(Get, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(Find, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(Submit, UnknownStatus, UnknownKept { requests: 1 }),

    // `id` and `status` are required: without them nothing can be said about the withdrawal.
    Row::new(Create, MissingField("id"), unknown(1)),
    Row::new(Get, MissingField("id"), fails(Protocol, 1)),
    Row::new(Find, MissingField("id"), fails(Protocol, 1)),
    Row::new(Submit, MissingField("id"), submitted(RECONCILED, 1)),

    Row::new(Create, MissingField("status"), unknown(1)),
    Row::new(Get, MissingField("status"), fails(Protocol, 1)),
    Row::new(Find, MissingField("status"), fails(Protocol, 1)),
    Row::new(Submit, MissingField("status"), submitted(RECONCILED, 1)),

    // Optional in the documents: the lookup object carries `end_user_reference` only with KYC
    // data, and a `foreign_id` missing from an answer is not another reference.
    Row::new(Create, MissingField("end_user_reference"), ok(1)),
    Row::new(Get, MissingField("end_user_reference"), ok(1)),
    Row::new(Find, MissingField("end_user_reference"), ok(1)),
    Row::new(Submit, MissingField("end_user_reference"), submitted(CREATED, 1)),

    Row::new(Create, MissingField("foreign_id"), ok(1)),
    Row::new(Get, MissingField("foreign_id"), ok(1)),
    Row::new(Find, MissingField("foreign_id"), ok(1)),
    Row::new(Submit, MissingField("foreign_id"), submitted(CREATED, 1)),
];

/// A loopback base URL nothing listens on.
fn refused_base_url() -> String {
    payout_testkit::net::refused_url("/api/v2")
}

/// One connection pool for every row's client (building a client loads TLS roots, which is slow
/// in a debug build): without redirects, as the crate's own client.
static SHARED: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(|| {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap()
});

fn reference(name: &str) -> Reference {
    Reference::new(name).unwrap()
}

/// The method and path suffix a row's fault is armed on (and its requests counted by).
fn endpoint(op: Op) -> (http::Method, String) {
    match op {
        Create | Submit => (http::Method::POST, "/withdrawal/crypto".into()),
        _ => (http::Method::GET, "/transactions/info".into()),
    }
}

fn request(reference: &str) -> WithdrawalRequest {
    WithdrawalRequest::builder()
        .reference(reference)
        .asset(Asset::new("BTC"))
        .amount(dec!(0.001))
        .address("tb1qfdxh6gkfr0qgyatnlkd8khcnxph9tw06n6qwjc")
        .end_user(EndUser::new("user-42"))
        .build()
        .unwrap()
}

/// What an operation returned, reduced to what the checks need.
enum Outcome {
    One(Withdrawal),
    Many(Vec<Withdrawal>),
    Submitted(payout_core::Submitted),
}

async fn run(
    client: &AlphaPoClient,
    op: Op,
    target: &WithdrawalId,
    invoice: &str,
    fresh: &str,
) -> Result<Outcome, PayoutError> {
    Ok(match op {
        Create => Outcome::One(client.create_withdrawal(&request(fresh)).await?),
        Get => Outcome::One(client.get_withdrawal(target).await?),
        Find => match client.find_withdrawal(&reference(invoice)).await? {
            Some(w) => Outcome::One(w),
            None => Outcome::Many(Vec::new()),
        },
        Submit => Outcome::Submitted(client.submit(&request(fresh)).await?),
        ListPage | ListAll => unreachable!("AlphaPo's matrix has no list rows"),
    })
}

async fn check_row(row: &Row) -> Result<(), String> {
    let server: AlphaPoServer = common::sim::start().await;
    let ids = server.seed(SEEDED);
    let target = WithdrawalId::new(ids[0].to_string());
    let invoice = server.get(ids[0]).ok_or("the seeded withdrawal is gone")?.foreign_id;
    let fresh = "fresh-1";
    let timeout = if row.fault == DelayPastTimeout { TIMEOUT } else { NO_TIMEOUT };
    let builder =
        common::sim::builder_for(&server).timeout(timeout).max_response_bytes(MAX_BODY).client(SHARED.clone());
    let client = match row.fault {
        ConnectionRefused => builder.base_url(refused_base_url()).build(),
        _ => builder.build(),
    }
    .map_err(|e| e.to_string())?;
    if row.fault == DelayPastTimeout {
        // Open the connection first, so the faulted request only waits for the provider.
        client.get_withdrawal(&target).await.map_err(|e| format!("warm-up: {e}"))?;
    }
    let (method, path) = endpoint(row.op);
    server.requests().clear();
    if let Some(fault) = row.fault.fault(DELAY, 2 * MAX_BODY) {
        server.faults().on_request(method.clone(), &path, fault, 1);
    }

    let result = run(&client, row.op, &target, &invoice, fresh).await;
    if row.fault == DelayPastTimeout {
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
    let created = u32::from(server.find(fresh).is_some());
    let creates = matches!(row.op, Create | Submit);

    let got = |what: &str| format!("expected {what}, got {}", describe(&result));
    match row.expect {
        Ok { requests: want } | Recovers { requests: want } => {
            expect_requests(requests, want)?;
            match &result {
                Result::Ok(outcome) => check_value(row.op, outcome, &target, fresh, false)?,
                Err(_) => return Err(got("success")),
            }
            if creates && created != 1 {
                return Err(format!("{created} withdrawals hold the reference; expected exactly 1"));
            }
        }
        UnknownKept { requests: want } => {
            expect_requests(requests, want)?;
            match &result {
                Result::Ok(outcome) => check_value(row.op, outcome, &target, fresh, true)?,
                Err(_) => return Err(got("success with an unknown status")),
            }
        }
        Fails { kind, requests: want } => {
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
        Submitted { path: want_path, requests: want } => {
            match &result {
                Result::Ok(Outcome::Submitted(s)) if s.path == want_path => {
                    check_value(row.op, &Outcome::Submitted(s.clone()), &target, fresh, false)?
                }
                _ => return Err(got(&format!("submit by path {want_path:?}"))),
            }
            expect_requests(requests, want)?;
            if created != 1 {
                return Err(format!("{created} withdrawals hold the reference; expected exactly 1"));
            }
        }
    }
    Result::Ok(())
}

fn expect_requests(got: u32, want: u32) -> Result<(), String> {
    if got == want {
        Result::Ok(())
    } else {
        Err(format!("{got} requests reached the faulted endpoint; expected {want}"))
    }
}

fn describe(result: &Result<Outcome, PayoutError>) -> String {
    match result {
        Result::Ok(Outcome::One(w)) => format!("withdrawal {} ({})", w.id, w.provider_status),
        Result::Ok(Outcome::Many(items)) => format!("{} withdrawals", items.len()),
        Result::Ok(Outcome::Submitted(s)) => format!("submitted {} by {:?}", s.withdrawal.id, s.path),
        Err(e) => format!("{} error: {e}", e.kind()),
    }
}

fn check_value(op: Op, outcome: &Outcome, target: &WithdrawalId, fresh: &str, unknown: bool) -> Result<(), String> {
    let status_ok = |w: &Withdrawal| {
        if unknown {
            w.status == WithdrawalStatus::Unknown && w.provider_status == "surprise_status"
        } else {
            w.status != WithdrawalStatus::Unknown
        }
    };
    let fail = |what: String| Err(what);
    match (op, outcome) {
        (Create, Outcome::One(w)) if w.reference.as_ref().is_none_or(|r| r.as_str() == fresh) && status_ok(w) => {
            Result::Ok(())
        }
        (Get, Outcome::One(w)) | (Find, Outcome::One(w)) if &w.id == target && status_ok(w) => Result::Ok(()),
        (Submit, Outcome::Submitted(s))
            if s.withdrawal.reference.as_ref().is_none_or(|r| r.as_str() == fresh) && status_ok(&s.withdrawal) =>
        {
            Result::Ok(())
        }
        (_, other) => fail(format!("unexpected value: {}", describe(&Result::Ok(clone_outcome(other))))),
    }
}

fn clone_outcome(o: &Outcome) -> Outcome {
    match o {
        Outcome::One(w) => Outcome::One(w.clone()),
        Outcome::Many(v) => Outcome::Many(v.clone()),
        Outcome::Submitted(s) => Outcome::Submitted(s.clone()),
    }
}

#[test]
fn the_table_is_complete_and_within_the_retry_bound() {
    let faults: Vec<&Injected> = MATRIX.iter().map(|r| &r.fault).collect();
    let ops: Vec<Op> = Op::ALL.into_iter().filter(|op| MATRIX.iter().any(|r| r.op == *op)).collect();
    for fault in &faults {
        for op in ops.iter().copied() {
            let n = MATRIX.iter().filter(|r| r.op == op && &r.fault == *fault).count();
            assert_eq!(n, 1, "{} × {}: {n} rows", op.name(), fault.label());
        }
    }
    for row in MATRIX {
        if let Recovers { requests } = row.expect {
            assert!(requests - 1 < RETRIES + 1, "{row:?} needs more retries than the policy allows");
        }
    }
}

#[test]
fn reliability_md_shows_this_table() {
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../RELIABILITY.md");
    check_doc_table(&doc, "alphapo-fault-matrix", &render(MATRIX)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_under_every_fault() {
    // The rows whose fault is a timeout run first and alone, so that no other row's load can
    // make an ordinary request look like a timed-out one; the rest then run together.
    let (slow, fast): (Vec<&Row>, Vec<&Row>) = MATRIX.iter().partition(|r| r.fault == DelayPastTimeout);
    let mut failures = Vec::new();
    for phase in [slow, fast] {
        failures.extend(
            futures::stream::iter(phase)
                .map(|row| async move {
                    check_row(row).await.err().map(|e| format!("{} × {}: {e}", row.op.name(), row.fault.label()))
                })
                .buffer_unordered(32)
                .filter_map(|f| async move { f })
                .collect::<Vec<_>>()
                .await,
        );
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), MATRIX.len(), failures.join("\n"));
}
