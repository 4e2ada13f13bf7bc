//! The fault matrix: every operation under every fault the network and Cryptomus can produce,
//! with the outcome it must end in. The table below is the one `RELIABILITY.md` shows (the test
//! checks that the document holds exactly this table; `PAYOUT_UPDATE_DOCS=1` rewrites it).
//!
//! The engine is `payout_sim::fault_matrix` (shared with AlphaPo and AlpPay), driven through
//! `common::sim::Backend`: each row runs against a fresh simulator, the fault armed on the path
//! of the operation's request (every call is a `POST`: `/payout` for creates, so the services
//! read that precedes a create is not hit; `/payout/info` for get and find; `/payout/list` for
//! the history, three pages of two). Reads recover within the retry bound when the fault is
//! transient; a create is never repeated by the HTTP layer once it may have reached Cryptomus.
//!
//! What differs from the other providers is `submit`: Cryptomus replays a create by `order_id`
//! (the client declares `Capability::IdempotentCreate`), so after any lost or unreadable answer
//! `submit` sends the same create again at once, and that second answer is the payout of the
//! first (`reconciled`, 2 creates sent, one payout), with no lookup by reference in between.

mod common;

use payout_sim::Fault;
use payout_sim::fault_matrix::{DELAY, Expect, OVERSIZED, Operation, missing, status};

use Fault::*;
use Operation::*;
use payout_sim::fault_matrix::cells::*;

/// The operations Cryptomus supports: the columns of [`GRID`].
const OPS: [Operation; 6] = [Create, Get, Find, List, ListAll, Submit];

/// A create whose answer was lost, then the same create replayed by Cryptomus.
const REPLAYED: Expect = submitted(RECONCILED, 2);

/// One line per fault: how each operation of [`OPS`] must end under it.
/// `list_all` reads three pages; a retried first page makes four requests.
#[rustfmt::skip]
static GRID: &[(Fault, [Expect; 6])] = &[
    (Delay(DELAY), [unknown(1), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (TooManyRequests { retry_after: Some(1) }, [ok(2), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (TooManyRequests { retry_after: None }, [ok(2), rec(2), rec(2), rec(2), rec(4), submitted(CREATED, 2)]),
    (status(500), [unknown(0), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (status(502), [unknown(0), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (status(503), [unknown(0), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (status(504), [unknown(0), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (ConnectionRefused, [REFUSED; 6]),
    (CloseAfterActing, [unknown(1), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (CloseBeforeActing, [unknown(0), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (MalformedJson, [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, REPLAYED]),
    (TruncatedBody, [unknown(1), rec(2), rec(2), rec(2), rec(4), REPLAYED]),
    (OversizedBody { bytes: OVERSIZED }, [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, REPLAYED]),
    (UnknownStatus, [kept(1), kept(1), kept(1), kept(1), kept(3), kept(1)]),
    // `uuid` and `status` are required: without them nothing can be said about the payout.
    (missing("uuid"), [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, REPLAYED]),
    (missing("status"), [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, REPLAYED]),
    // An absent `is_final` reads as not final: a `fail` then stays `processing`, never a final
    // failure that would invite paying again.
    (missing("is_final"), [ok(1), ok(1), ok(1), ok(1), ok(3), submitted(CREATED, 1)]),
    // An answer outside the `{"state":0,"result":…}` envelope shows nothing: never "not found".
    // For `submit` the create's answer is lost and the replayed create answers: no lookup by
    // reference is made, so the shape of one never matters.
    (OtherShape, [unknown(1), PROTOCOL, PROTOCOL, PROTOCOL, PROTOCOL, REPLAYED]),
];

payout_sim::fault_matrix_tests!(
    backend: common::sim::Backend,
    marker: "cryptomus-fault-matrix",
    rows: payout_sim::fault_matrix::grid(&OPS, GRID),
);
