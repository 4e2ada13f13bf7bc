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

use payout_core::ErrorKind::OutcomeUnknown;
use payout_sim::Fault;
use payout_sim::fault_matrix::{DELAY, Expect, OVERSIZED, Operation, missing, status};

use Fault::*;
use Operation::*;
use payout_sim::fault_matrix::cells::*;

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

payout_sim::fault_matrix_tests!(
    backend: common::sim::Backend::default(),
    marker: "alppay-fault-matrix",
    rows: payout_sim::fault_matrix::grid(&OPS, GRID),
);
