//! The crate's integration tests in one binary (one link instead of one per file): the model,
//! its rules, `submit` / `list_all` / `watch` over the mock, and the HTTP layer against a real
//! loopback server.

#[path = "../common/mod.rs"]
mod common;

mod base_url;
mod errors;
mod http_layer;
mod json;
mod list_all;
mod receiver;
mod status;
mod submit;
mod typed_amounts;
mod validation;
mod watch;
