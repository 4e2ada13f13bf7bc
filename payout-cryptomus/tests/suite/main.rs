//! The crate's integration tests in one binary: the client against wiremock for exact bytes,
//! headers, signatures, the envelope, error mapping, cursor paging and webhooks.

#[path = "../common/mod.rs"]
mod common;

mod create;
mod read;
mod secrets;
mod webhook;
