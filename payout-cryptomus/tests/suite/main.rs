//! The crate's integration tests in one binary: the client against wiremock for exact bytes,
//! headers, signatures, the envelope, error mapping, cursor paging and webhooks, and against the
//! Cryptomus simulator: the conformance suite, the money figures and the load driver. Apart, in a
//! process of its own: `fault_matrix` (its timeout rows must not share the machine with other
//! tests).

#[path = "../common/mod.rs"]
mod common;

mod conformance;
mod create;
mod load;
mod money;
mod read;
mod secrets;
mod simulator;
mod webhook;
