//! The fault matrix: every operation under every fault the network and AlpPay can produce, with
//! the outcome it must end in. The table below is the one `RELIABILITY.md` shows (the test checks
//! that the document holds exactly this table; `PAYOUT_UPDATE_DOCS=1` rewrites it).
//!
//! The engine is `payout_sim::fault_matrix` (shared with AlphaPo), driven through
//! `common::sim::Backend`: each row runs against a fresh simulator, the fault armed on the method and path of the
//! operation's request (`POST /withdrawal` for creates, so the reference lookup that precedes a
//! create is not hit). Reads recover within the retry bound when the fault is transient; creates
//! are never repeated after they may have reached AlpPay.

mod common;

use payout_core::ErrorKind::{OutcomeUnknown, Protocol, Unavailable};
use payout_core::SubmitPath;
use payout_sim::Fault;
use payout_sim::fault_matrix::{
    DELAY, Expect, OVERSIZED, Operation, Row, assert_complete, assert_rows, check_doc_table, missing, render, status,
};

use Expect::*;
use Fault::*;
use Operation::*;

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
const fn kept(requests: u32) -> Expect {
    UnknownKept { requests }
}
/// The answer could not be read.
const PROTOCOL: Expect = fails(Protocol, 1);
/// Nothing was sent.
const REFUSED: Expect = fails(Unavailable, 0);
const CREATED: SubmitPath = SubmitPath::Created;
const RECONCILED: SubmitPath = SubmitPath::Reconciled;

/// The operations AlpPay supports: the columns of [`GRID`].
const OPS: [Operation; 6] = [Create, Get, Find, List, ListAll, Submit];

/// One line per fault: how each operation of [`OPS`] must end under it.
/// `list_all` reads three pages; a retried first page makes four requests.
#[rustfmt::skip]
static GRID: &[(Fault, [Expect; 6])] = &[
    (Delay(DELAY), [unknown(1), rec(2), rec(2), rec(2), rec(4), fails(OutcomeUnknown, 1)]),
    (TooManyRequests { retry_after: Some(1) }, [ok(2), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (TooManyRequests { retry_after: None }, [ok(2), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (status(500), [unknown(0), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (status(502), [unknown(0), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (status(503), [unknown(0), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (status(504), [unknown(0), rec(2), rec(2), rec(2), rec(4), fails(OutcomeUnknown, 1)]),
    (ConnectionRefused, [REFUSED; 6]),
    (CloseAfterActing, [unknown(1), rec(2), rec(2), rec(2), rec(4), submitted(RECONCILED, 1)]),
    (CloseBeforeActing, [unknown(0), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (MalformedJson, [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    (TruncatedBody, [unknown(1), rec(2), rec(2), rec(2), rec(4), submitted(RECONCILED, 1)]),
    (OversizedBody { bytes: OVERSIZED }, [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    (UnknownStatus, [kept(1), kept(1), kept(1), kept(1), kept(3), kept(1)]),
    // `id` and `status` are required: without them nothing can be said about the withdrawal.
    (missing("id"), [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    (missing("status"), [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    // `invoice` is missing from the documented reduced listing: a lookup by reference reads the
    // withdrawal by id to learn it rather than concluding the reference is free.
    (missing("invoice"), [ok(1), ok(1), ok(1), ok(1), ok(3), submitted(CREATED, 1)]),
    // A listing under `results` (the newer `listPayments` envelope) and an object wrapped in
    // `{"data": ..}` show nothing: never "not found". For `submit` the create's answer is lost
    // and the reconciling lookup answers so: the outcome stays unknown, never a second create.
    (OtherShape, [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, unknown(1)]),
];

/// The grid as the engine's rows, fault by fault in the order above.
fn matrix() -> Vec<Row> {
    GRID.iter()
        .flat_map(|(fault, cells)| OPS.iter().zip(cells).map(|(op, expect)| Row::new(*op, fault.clone(), *expect)))
        .collect()
}

#[test]
fn the_table_is_complete_and_within_the_retry_bound() {
    assert_complete(&common::sim::Backend, &matrix());
}

#[test]
fn reliability_md_shows_this_table() {
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../RELIABILITY.md");
    check_doc_table(&doc, "alppay-fault-matrix", &render(&matrix())).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_under_every_fault() {
    assert_rows(&common::sim::Backend, &matrix()).await;
}
