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
use payout_sim::fault_matrix::{
    DELAY, Expect, OVERSIZED, Operation, Row, assert_complete, assert_rows, check_doc_table, missing, render, status,
};

use Expect::*;
use Operation::*;
use payout_sim::Fault::*;

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

/// `list_all` reads three pages; a retried first page makes four requests.
#[rustfmt::skip]
static MATRIX: &[Row] = &[
    Row::new(Create, Delay(DELAY), unknown(1)),
    Row::new(Get, Delay(DELAY), rec(2)),
    Row::new(Find, Delay(DELAY), rec(2)),
    Row::new(List, Delay(DELAY), rec(2)),
    Row::new(ListAll, Delay(DELAY), rec(4)),
    Row::new(Submit, Delay(DELAY), fails(OutcomeUnknown, 1)),

    Row::new(Create, TooManyRequests { retry_after: Some(1) }, ok(2)),
    Row::new(Get, TooManyRequests { retry_after: Some(1) }, rec(2)),
    Row::new(Find, TooManyRequests { retry_after: Some(1) }, rec(2)),
    Row::new(List, TooManyRequests { retry_after: Some(1) }, rec(2)),
    Row::new(ListAll, TooManyRequests { retry_after: Some(1) }, rec(4)),
    Row::new(Submit, TooManyRequests { retry_after: Some(1) }, submitted(CREATED, 2)),

    Row::new(Create, TooManyRequests { retry_after: None }, ok(2)),
    Row::new(Get, TooManyRequests { retry_after: None }, rec(2)),
    Row::new(Find, TooManyRequests { retry_after: None }, rec(2)),
    Row::new(List, TooManyRequests { retry_after: None }, rec(2)),
    Row::new(ListAll, TooManyRequests { retry_after: None }, rec(4)),
    Row::new(Submit, TooManyRequests { retry_after: None }, submitted(CREATED, 2)),

    Row::new(Create, status(500), unknown(0)),
    Row::new(Get, status(500), rec(2)),
    Row::new(Find, status(500), rec(2)),
    Row::new(List, status(500), rec(2)),
    Row::new(ListAll, status(500), rec(4)),
    Row::new(Submit, status(500), submitted(CREATED, 2)),

    Row::new(Create, status(502), unknown(0)),
    Row::new(Get, status(502), rec(2)),
    Row::new(Find, status(502), rec(2)),
    Row::new(List, status(502), rec(2)),
    Row::new(ListAll, status(502), rec(4)),
    Row::new(Submit, status(502), submitted(CREATED, 2)),

    Row::new(Create, status(503), unknown(0)),
    Row::new(Get, status(503), rec(2)),
    Row::new(Find, status(503), rec(2)),
    Row::new(List, status(503), rec(2)),
    Row::new(ListAll, status(503), rec(4)),
    Row::new(Submit, status(503), submitted(CREATED, 2)),

    Row::new(Create, status(504), unknown(0)),
    Row::new(Get, status(504), rec(2)),
    Row::new(Find, status(504), rec(2)),
    Row::new(List, status(504), rec(2)),
    Row::new(ListAll, status(504), rec(4)),
    Row::new(Submit, status(504), fails(OutcomeUnknown, 1)),

    Row::new(Create, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(Get, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(Find, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(List, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(ListAll, ConnectionRefused, fails(Unavailable, 0)),
    Row::new(Submit, ConnectionRefused, fails(Unavailable, 0)),

    Row::new(Create, CloseAfterActing, unknown(1)),
    Row::new(Get, CloseAfterActing, rec(2)),
    Row::new(Find, CloseAfterActing, rec(2)),
    Row::new(List, CloseAfterActing, rec(2)),
    Row::new(ListAll, CloseAfterActing, rec(4)),
    Row::new(Submit, CloseAfterActing, submitted(RECONCILED, 1)),

    Row::new(Create, CloseBeforeActing, unknown(0)),
    Row::new(Get, CloseBeforeActing, rec(2)),
    Row::new(Find, CloseBeforeActing, rec(2)),
    Row::new(List, CloseBeforeActing, rec(2)),
    Row::new(ListAll, CloseBeforeActing, rec(4)),
    Row::new(Submit, CloseBeforeActing, submitted(CREATED, 2)),

    Row::new(Create, MalformedJson, unknown(1)),
    Row::new(Get, MalformedJson, fails(Protocol, 1)),
    Row::new(Find, MalformedJson, fails(Protocol, 1)),
    Row::new(List, MalformedJson, fails(Protocol, 1)),
    Row::new(ListAll, MalformedJson, fails(Protocol, 1)),
    Row::new(Submit, MalformedJson, submitted(RECONCILED, 1)),

    Row::new(Create, TruncatedBody, unknown(1)),
    Row::new(Get, TruncatedBody, rec(2)),
    Row::new(Find, TruncatedBody, rec(2)),
    Row::new(List, TruncatedBody, rec(2)),
    Row::new(ListAll, TruncatedBody, rec(4)),
    Row::new(Submit, TruncatedBody, submitted(RECONCILED, 1)),

    Row::new(Create, OversizedBody { bytes: OVERSIZED }, unknown(1)),
    Row::new(Get, OversizedBody { bytes: OVERSIZED }, fails(Protocol, 1)),
    Row::new(Find, OversizedBody { bytes: OVERSIZED }, fails(Protocol, 1)),
    Row::new(List, OversizedBody { bytes: OVERSIZED }, fails(Protocol, 1)),
    Row::new(ListAll, OversizedBody { bytes: OVERSIZED }, fails(Protocol, 1)),
    Row::new(Submit, OversizedBody { bytes: OVERSIZED }, submitted(RECONCILED, 1)),

    Row::new(Create, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(Get, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(Find, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(List, UnknownStatus, UnknownKept { requests: 1 }),
    Row::new(ListAll, UnknownStatus, UnknownKept { requests: 3 }),
    Row::new(Submit, UnknownStatus, UnknownKept { requests: 1 }),

    // `id` and `status` are required: without them nothing can be said about the withdrawal.
    Row::new(Create, missing("id"), unknown(1)),
    Row::new(Get, missing("id"), fails(Protocol, 1)),
    Row::new(Find, missing("id"), fails(Protocol, 1)),
    Row::new(List, missing("id"), fails(Protocol, 1)),
    Row::new(ListAll, missing("id"), fails(Protocol, 1)),
    Row::new(Submit, missing("id"), submitted(RECONCILED, 1)),

    Row::new(Create, missing("status"), unknown(1)),
    Row::new(Get, missing("status"), fails(Protocol, 1)),
    Row::new(Find, missing("status"), fails(Protocol, 1)),
    Row::new(List, missing("status"), fails(Protocol, 1)),
    Row::new(ListAll, missing("status"), fails(Protocol, 1)),
    Row::new(Submit, missing("status"), submitted(RECONCILED, 1)),

    // `invoice` is missing from the documented reduced listing: a lookup by reference reads the
    // withdrawal by id to learn it rather than concluding the reference is free.
    Row::new(Create, missing("invoice"), ok(1)),
    Row::new(Get, missing("invoice"), ok(1)),
    Row::new(Find, missing("invoice"), ok(1)),
    Row::new(List, missing("invoice"), ok(1)),
    Row::new(ListAll, missing("invoice"), ok(3)),
    Row::new(Submit, missing("invoice"), submitted(CREATED, 1)),

    // A listing under `results` (the newer `listPayments` envelope) and an object wrapped in
    // `{"data": ..}` show nothing: never "not found". For `submit` the create's answer is lost
    // and the reconciling lookup answers so: the outcome stays unknown, never a second create.
    Row::new(Create, OtherShape, unknown(1)),
    Row::new(Get, OtherShape, fails(Protocol, 1)),
    Row::new(Find, OtherShape, fails(Protocol, 1)),
    Row::new(List, OtherShape, fails(Protocol, 1)),
    Row::new(ListAll, OtherShape, fails(Protocol, 1)),
    Row::new(Submit, OtherShape, unknown(1)),
];

#[test]
fn the_table_is_complete_and_within_the_retry_bound() {
    assert_complete(&common::sim::Backend, MATRIX);
}

#[test]
fn reliability_md_shows_this_table() {
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../RELIABILITY.md");
    check_doc_table(&doc, "alppay-fault-matrix", &render(MATRIX)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_under_every_fault() {
    assert_rows(&common::sim::Backend, MATRIX).await;
}
