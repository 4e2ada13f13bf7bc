//! The `payout` command's tests in one binary (one link instead of one per file): every command as
//! a user runs it, the interface for scripts, and the journal and the receiver under real crashes.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod cryptomus;
mod interface;
mod journal;
mod receive;
