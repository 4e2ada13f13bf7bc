//! The crate's integration tests in one binary: the client against wiremock for exact bytes and
//! against the AlphaPo simulator, the conformance suite, the money figures and the load drivers.
//! One binary links once instead of once per file. Apart, each in a process of its own: `env`
//! (it sets variables), `secrets_tracing` (it installs the global log capture) and
//! `fault_matrix` (its timeout rows must not share the machine with other tests).

#[path = "../common/mod.rs"]
mod common;

mod conformance;
mod errors;
mod load;
mod money;
mod properties;
mod receiver;
mod reconcile;
mod requests;
mod responses;
mod review;
mod secrets;
mod shape;
mod simulator;
