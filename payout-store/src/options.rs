//! How a [`crate::JournaledProvider`] waits, leases and judges a create in flight.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The points of a submit where a crash leaves a different trace in the journal. A
/// [`JournalOptions::on_checkpoint`] hook sees each as it is passed (tests stop a process there
/// to kill it; applications can log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Checkpoint {
    /// Before the claim is written: a crash here leaves nothing.
    BeforeClaim,
    /// The claim is durable and nothing is sent yet. A fresh claim is written already marked
    /// `sent` (claim and intent in one commit), so [`Checkpoint::MarkedSent`] follows at once
    /// and a crash here leaves `sent`; only a journal written by an earlier version holds
    /// claims in state `recorded`.
    Claimed,
    /// The payout is durably marked `sent`; its request leaves next.
    MarkedSent,
    /// The provider answered with a withdrawal that is not recorded yet.
    Answered,
}

// The names used by the `payout` command's test hook.
payout_core::names!(Checkpoint {
    BeforeClaim => "before-claim",
    Claimed => "after-claim",
    MarkedSent => "after-sent",
    Answered => "after-answer",
});

/// A hook called at each [`Checkpoint`].
pub type CheckpointHook = Arc<dyn Fn(Checkpoint) + Send + Sync>;

/// The knobs of a [`crate::JournaledProvider`].
#[derive(Clone, Debug)]
pub struct JournalOptions {
    pub(crate) in_flight_window: Duration,
    pub(crate) lease: Duration,
    pub(crate) wait: Duration,
    pub(crate) poll: Duration,
    pub(crate) recheck: Duration,
    pub(crate) owner: String,
    pub(crate) hook: Option<Hook>,
}

/// A [`CheckpointHook`] as the options hold it: `Debug` says only that there is one.
#[derive(Clone)]
pub(crate) struct Hook(pub(crate) CheckpointHook);

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<checkpoint hook>")
    }
}

static OWNERS: AtomicU64 = AtomicU64::new(0);

/// An owner id unique to this process and call: pid, start time and a counter.
fn fresh_owner() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("pid{}-{nanos:x}-{}", std::process::id(), OWNERS.fetch_add(1, Ordering::Relaxed))
}

impl Default for JournalOptions {
    /// In-flight window 10 minutes, lease 30 s (renewed while a request is in flight), waiting
    /// for another holder's answer at most 60 s.
    fn default() -> Self {
        Self {
            in_flight_window: Duration::from_secs(600),
            lease: Duration::from_secs(30),
            wait: Duration::from_secs(60),
            poll: Duration::from_millis(200),
            recheck: Duration::from_secs(5),
            owner: fresh_owner(),
            hook: None,
        }
    }
}

impl JournalOptions {
    /// The defaults (see [`JournalOptions::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    payout_core::setters! {
        /// How long after a create was sent the provider may still be working on it: within it, a
        /// payout whose answer was lost and that the provider does not show is never sent again
        /// (the submit answers outcome unknown). Default 10 minutes.
        in_flight_window(window: Duration) => in_flight_window;
        /// How long a submit waits for another live holder's answer before it answers outcome
        /// unknown. Default 60 s.
        wait(wait: Duration) => wait;
        /// This worker's id in leases (default: unique per process and options value).
        owner(owner: impl Into<String>) => owner;
    }

    /// How long a claim lasts without renewal: a holder that dies is taken over this long after
    /// its last renewal. Renewed every third of it while a request is in flight. Default 30 s.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    /// The longest pause between two looks at a payout another holder has. Default 200 ms.
    pub fn poll(mut self, poll: Duration) -> Self {
        self.poll = poll.max(Duration::from_millis(1));
        self
    }

    /// The first wait before `reconcile` looks at a withdrawal that is not final again; each
    /// look doubles it, up to an hour. Default 5 s.
    pub fn recheck(mut self, first: Duration) -> Self {
        self.recheck = first.max(Duration::from_millis(1));
        self
    }

    /// Calls `hook` at each [`Checkpoint`] of a submit.
    pub fn on_checkpoint(mut self, hook: impl Fn(Checkpoint) + Send + Sync + 'static) -> Self {
        self.hook = Some(Hook(Arc::new(hook)));
        self
    }

    /// The in-flight window.
    pub fn window(&self) -> Duration {
        self.in_flight_window
    }
}
