//! The journal's and the receiver's tests in one binary (one link instead of one per file), over
//! real SQLite files and a real PostgreSQL server. Apart, because they run this binary again as a
//! worker by its exact test name: `group_commit` and `soak`.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod postgres;
mod receiver;
mod sqlite;
