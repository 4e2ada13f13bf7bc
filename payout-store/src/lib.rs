//! A durable journal for payouts: exactly-once creates across crashes, restarts, deploys and
//! several processes on several machines, for any [`payout_core::PayoutProvider`].
//!
//! ```no_run
//! # async fn demo(provider: std::sync::Arc<dyn payout_core::PayoutProvider>, req: payout_core::WithdrawalRequest) -> Result<(), Box<dyn std::error::Error>> {
//! use payout_store::{Journal, JournalOptions, JournaledProvider};
//! use std::time::Duration;
//!
//! let journal = Journal::open("postgres://payouts@db.internal:5432/payouts").await?;
//! let payouts = JournaledProvider::new(provider, journal)
//!     .with_options(JournalOptions::new().in_flight_window(Duration::from_secs(600)));
//! let submitted = payouts.submit(&req).await?; // sent at most once, whatever crashed before
//! println!("{} via {:?}", submitted.withdrawal.id, submitted.via);
//! let report = payouts.reconcile().await?;     // resolve what crashes and lost answers left
//! assert!(report.is_clean() || !report.unresolved().is_empty());
//! # Ok(()) }
//! ```
//!
//! # How a payout goes through the journal
//!
//! | step | journal | a crash here leaves | what the next submit does |
//! |---|---|---|---|
//! | claim `(provider, reference)` + fingerprint, one guarded insert, written already marked sent (one durable commit before the request leaves) | `sent`, leased | nothing, or `sent` | looks the reference up: found → `created`; not found within the in-flight window → outcome unknown; after it → sends again |
//! | (a payout taken over from a refusal, or from `recorded` in a journal of an earlier version) mark sent, durably, under the new generation | `sent` | `sent` | as above |
//! | the provider answers; the answer recorded in one guarded statement | `created` / `refused` / `unanswered` | `sent` (answer not recorded) | looks it up and finds it |
//!
//! A provider that replays a create by reference (`Capability::IdempotentCreate`, Cryptomus by
//! `order_id`) is not made to wait out the in-flight window: a create whose answer was lost is
//! sent again at once, in the same call or by the next submit after a crash (also when the
//! lookup fails), each send marked durably first, and the provider answers with the withdrawal
//! it holds. A refusal of such a repeat is looked up before it is believed.
//!
//! A journaled payout is so two durable commits (the claim, the answer) and no read. On SQLite,
//! the writes that wait at the same moment (claims, answers, webhook updates of every task of the
//! process) commit in one transaction, one savepoint each: one fsync for all of them, each caller
//! answered only after it.
//!
//! Every write of a holder is conditioned on its lease generation, so a holder that was taken
//! over changes nothing; a live holder makes every other worker wait for its answer (bounded)
//! instead of sending. [`JournaledProvider::reconcile`] resolves unanswered payouts and follows
//! created ones to a final status; [`JournaledProvider::apply_update`] applies webhooks through
//! [`payout_core::receiver`] with durable delivery dedupe.
//!
//! # Backends
//!
//! SQLite (feature `sqlite`, the default): WAL, a busy timeout and `synchronous=FULL`, so each
//! commit is on disk before the request it guards leaves; one writer connection per journal
//! commits the waiting writes together (group commit). PostgreSQL (feature `postgres`): one
//! journal for many processes and machines; sweeps lease with `FOR UPDATE SKIP LOCKED`. Both
//! through sqlx's concrete pools, with the schema embedded and migrated on open. Amounts are
//! stored as exact decimal text inside the request and withdrawal JSON, never as floats. Times
//! are each process's wall clock: keep the machines sharing a PostgreSQL journal in sync (NTP),
//! well within the lease and the in-flight window.
//!
//! # Modules
//!
//! - `journal`: [`Journal`], opening and listing;
//! - `provider`: [`JournaledProvider`] and its exactly-once [`JournaledProvider::submit`];
//! - `options`: [`JournalOptions`] and the [`Checkpoint`]s of a submit;
//! - `entry`: the row model, [`Entry`] and its [`State`]s;
//! - `update`: lookups and webhooks applied, [`UpdateOutcome`];
//! - `receiver` (feature `receiver`, on by default): [`WebhookReceiver`], the axum endpoint
//!   that verifies webhook deliveries and applies them durably before it answers 200;
//! - `reconcile`: the sweep, [`ReconcileReport`];
//! - `fingerprint`: what a payout asks, stored and fingerprinted;
//! - `db`, `sqlite`, `postgres`, `migrations`: the SQL, written once for both backends;
//! - `error`: [`StoreError`].

#![cfg_attr(docsrs, feature(doc_cfg))]

mod db;
mod entry;
mod error;
pub mod fingerprint;
mod journal;
mod migrations;
mod options;
#[cfg(feature = "postgres")]
mod postgres;
mod provider;
#[cfg(feature = "receiver")]
pub mod receiver;
mod reconcile;
#[cfg(feature = "sqlite")]
mod sqlite;
mod update;

pub use entry::{Entry, EntryFilter, Lease, ParseStateError, State};
pub use error::StoreError;
pub use journal::{Backend, Journal};
pub use options::{Checkpoint, CheckpointHook, JournalOptions};
pub use provider::{JournaledProvider, Submission, SubmitVia};
#[cfg(feature = "receiver")]
pub use receiver::{Delivered, WebhookReceiver};
pub use reconcile::{ReconcileReport, Resolution};
pub use update::UpdateOutcome;
