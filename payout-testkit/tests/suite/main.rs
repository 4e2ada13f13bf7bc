//! The testkit's tests in one binary (one link instead of one per file): the fake, the mock, the
//! conformance suite and the signed webhooks.

mod conformance;
mod fake;
mod mock;
mod webhooks;
