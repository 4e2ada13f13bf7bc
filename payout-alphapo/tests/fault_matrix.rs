//! The fault matrix: every operation under every fault the network and AlphaPo can produce, with
//! the outcome it must end in. The table below is the one `RELIABILITY.md` shows (the test checks
//! that the document holds exactly this table; `PAYOUT_UPDATE_DOCS=1` rewrites it).
//!
//! The engine is `payout_sim::fault_matrix` (shared with AlpPay), driven through
//! `common::sim::Backend`: each row runs against a fresh simulator, the fault armed on the method and path of the
//! operation's request (`POST /withdrawal/crypto` for creates, `GET /transactions/info` for
//! lookups). Reads recover within the retry bound when the fault is transient; creates are never
//! repeated after they may have reached AlphaPo. AlphaPo has no listing endpoint, so the list
//! operations are `unsupported` whatever the network does (tested in `errors.rs`).

mod common;

use payout_core::ErrorKind::OutcomeUnknown;
use payout_sim::Fault;
use payout_sim::fault_matrix::{DELAY, Expect, OVERSIZED, Operation, missing, status};

use Fault::*;
use Operation::*;
use payout_sim::fault_matrix::cells::*;

/// The operations AlphaPo supports: the columns of [`GRID`].
const OPS: [Operation; 4] = [Create, Get, Find, Submit];

/// One line per fault: how each operation of [`OPS`] must end under it.
#[rustfmt::skip]
static GRID: &[(Fault, [Expect; 4])] = &[
    (Delay(DELAY), [unknown(1), rec(2), rec(2), fails(OutcomeUnknown, 1)]),
    (TooManyRequests { retry_after: Some(1) }, [ok(2), rec(2), rec(2), submitted(CREATED, 2)]),
    (TooManyRequests { retry_after: None }, [ok(2), rec(2), rec(2), submitted(CREATED, 2)]),
    (status(500), [unknown(0), rec(2), rec(2), submitted(CREATED, 2)]),
    (status(502), [unknown(0), rec(2), rec(2), submitted(CREATED, 2)]),
    (status(503), [unknown(0), rec(2), rec(2), submitted(CREATED, 2)]),
    (status(504), [unknown(0), rec(2), rec(2), fails(OutcomeUnknown, 1)]),
    (ConnectionRefused, [REFUSED; 4]),
    (CloseAfterActing, [unknown(1), rec(2), rec(2), submitted(RECONCILED, 1)]),
    (CloseBeforeActing, [unknown(0), rec(2), rec(2), submitted(CREATED, 2)]),
    (MalformedJson, [unknown(1), PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    (TruncatedBody, [unknown(1), rec(2), rec(2), submitted(RECONCILED, 1)]),
    (OversizedBody { bytes: OVERSIZED }, [unknown(1), PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    (UnknownStatus, [kept(1); 4]),
    // `id` and `status` are required: without them nothing can be said about the withdrawal.
    (missing("id"), [unknown(1), PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    (missing("status"), [unknown(1), PROTOCOL, PROTOCOL, submitted(RECONCILED, 1)]),
    // Optional in the documents: the lookup object carries `end_user_reference` only with KYC
    // data.
    (missing("end_user_reference"), [ok(1), ok(1), ok(1), submitted(CREATED, 1)]),
    // A create's answer or a read by id without `foreign_id` is still the withdrawal asked
    // about; a lookup *by* `foreign_id` answered without one is not proof of anything.
    (missing("foreign_id"), [ok(1), ok(1), PROTOCOL, submitted(CREATED, 1)]),
    // The transaction wrapped in `{"data": ..}` (as AlphaPo's other answers are, but not this
    // one) is not a transaction: never "not found". For `submit` the create's answer is lost
    // and the reconciling lookup answers so: the outcome stays unknown, never a second create.
    (OtherShape, [unknown(1), PROTOCOL, PROTOCOL, unknown(1)]),
];

payout_sim::fault_matrix_tests!(
    backend: common::sim::Backend,
    marker: "alphapo-fault-matrix",
    rows: payout_sim::fault_matrix::grid(&OPS, GRID),
);
