//! What every simulator's handle holds and does alike, written once over its provider's
//! [`Rules`]: the configuration, the store behind one lock, the deliverer of callbacks, the
//! ticker that drives the automatic life cycle, and the "change under the lock, then deliver"
//! step every read and move goes through. Over each store's [`Ledger`] (what one withdrawal's
//! next automatic step is) and [`Saved`] (its fields of the snapshot), the catching up of the life
//! cycle and the snapshot's envelope are written here too.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use crate::deliveries::{CallbackConfig, Deliverer, Delivery, DeliveryAttempt};
use crate::{SimError, clock};

/// What the engine reads of every configuration (written by `simulator::config!`).
pub(crate) trait SimConfig {
    /// Where callbacks go, if anywhere.
    fn callback(&self) -> Option<CallbackConfig>;
}

/// What the automatic life cycle does next to one withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step<S> {
    /// It moves to the status, at the time that move was due.
    Move(S, OffsetDateTime),
    /// Its next move is not due yet: it stays driven.
    Wait,
    /// Nothing automatic will move it any more (moved by hand, final, awaiting a person).
    Leave,
}

/// A timed two-step life cycle, as AlphaPo's and Cryptomus's run: `stages[0]` → `stages[1]`
/// `first` after the creation → `stages[2]` `then` later.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TwoSteps<S> {
    pub(crate) stages: [S; 3],
    pub(crate) first: Duration,
    pub(crate) then: Duration,
}

impl<S: Copy + PartialEq> TwoSteps<S> {
    /// The next step of a withdrawal in `status` created at `created_at`, at `now`; one in a status
    /// outside the first two stages leaves the cycle.
    pub(crate) fn next(&self, status: S, created_at: OffsetDateTime, now: OffsetDateTime) -> Step<S> {
        let first_at = clock::add(created_at, self.first);
        let then_at = clock::add(first_at, self.then);
        let move_at = |to, at| if clock::reached(now, at) { Step::Move(to, at) } else { Step::Wait };
        match self.stages.iter().position(|s| *s == status) {
            Some(0) => move_at(self.stages[1], first_at),
            Some(1) => move_at(self.stages[2], then_at),
            _ => Step::Leave,
        }
    }
}

/// A provider's store as the engine drives it: what its life cycle does next to one withdrawal
/// and how that move is made (each provider's `state.rs`). Catching up, one withdrawal or all,
/// is written once here.
pub(crate) trait Ledger: Send + 'static {
    /// The configuration the life cycle reads.
    type Config;
    /// What names one withdrawal in the store (an id or an index).
    type Key: Copy + Ord + Hash + Send + 'static;
    /// A withdrawal's status.
    type Status;

    /// What the life cycle does next to `key` at `now`; `None` when the store has no such
    /// withdrawal or the configuration no life cycle (either way nothing will move it).
    fn next_step(&self, key: Self::Key, config: &Self::Config, now: OffsetDateTime) -> Option<Step<Self::Status>>;
    /// Makes the automatic move to `status`, dated `at`.
    fn step(&mut self, key: Self::Key, status: Self::Status, at: OffsetDateTime);
    /// The withdrawals the life cycle may still move.
    fn driven(&mut self) -> &mut HashSet<Self::Key>;
    /// How many withdrawals the store holds.
    fn count(&self) -> usize;

    /// Catches `key` up with the life cycle at `now`, pushing each change (a step that was due
    /// long ago may be followed by the next).
    fn advance(&mut self, key: Self::Key, config: &Self::Config, now: OffsetDateTime, out: &mut Vec<Self::Key>) {
        loop {
            match self.next_step(key, config, now) {
                Some(Step::Move(status, at)) => {
                    self.step(key, status, at);
                    out.push(key);
                }
                // A withdrawal nothing automatic moves (nor one the store lacks) is walked no more.
                Some(Step::Leave) | None => {
                    self.driven().remove(&key);
                    return;
                }
                Some(Step::Wait) => return,
            }
        }
    }

    /// Catches every driven withdrawal up, in key order (creation order); the changes, in order.
    fn advance_all(&mut self, config: &Self::Config, now: OffsetDateTime) -> Vec<Self::Key> {
        if self.driven().is_empty() {
            return Vec::new();
        }
        let mut keys: Vec<Self::Key> = self.driven().iter().copied().collect();
        keys.sort_unstable();
        let mut out = Vec::new();
        for key in keys {
            self.advance(key, config, now, &mut out);
        }
        out
    }
}

/// How a provider's store is kept in the sandbox's state file (each provider's `snapshot.rs`):
/// the provider's fields, which the engine puts next to `provider` and `version`.
pub(crate) trait Saved: Ledger + Sized {
    /// The provider's fields of the snapshot, as an object (its withdrawals, and any counter).
    fn save(&self) -> Value;
    /// The store a snapshot of this provider holds.
    fn load(snapshot: &Value, config: &Self::Config) -> Result<Self, SimError>;
}

/// A provider's side of the engine: its store, its ticker and what one change delivers.
pub(crate) trait Rules: Send + Sync + 'static {
    /// How the simulator behaves.
    type Config: SimConfig + Send + Sync + 'static;
    /// What it remembers, empty as the configuration starts it.
    type Store: Saved<Config = Self::Config>;

    /// How often the ticker catches the life cycle up, when the configuration has one.
    fn tick(config: &Self::Config) -> Option<Duration>;
    /// The signed delivery of `key`'s current state.
    fn delivery(store: &Self::Store, key: Key<Self>, config: &Self::Config) -> Option<Delivery>;

    /// Whether each withdrawal names its own receiver (Cryptomus's `url_callback`): deliveries
    /// are then on even when the configuration names no receiver, on the default schedule of
    /// [`CallbackConfig::new`].
    const OWN_URLS: bool = false;
}

/// What names one withdrawal in `R`'s store.
pub(crate) type Key<R> = <<R as Rules>::Store as Ledger>::Key;

/// One simulator's state, shared by every clone of its handle.
pub(crate) struct Engine<R: Rules> {
    config: R::Config,
    store: Mutex<R::Store>,
    deliverer: Deliverer,
}

impl<R: Rules> Engine<R> {
    /// A simulator with `store` (empty, as the configuration starts it). With a life cycle and a
    /// callback URL, inside a tokio runtime, a background task delivers the automatic changes even
    /// when nobody reads them.
    pub(crate) fn start(config: R::Config, store: R::Store) -> Arc<Self> {
        let callback = config.callback().or_else(|| R::OWN_URLS.then(|| CallbackConfig::new(String::new())));
        let engine = Arc::new(Self { store: Mutex::new(store), deliverer: Deliverer::new(callback), config });
        if let (Some(step), true) = (R::tick(&engine.config), engine.deliverer.enabled()) {
            crate::spawn_ticker(Arc::downgrade(&engine), step, |engine: Arc<Self>| engine.advance_all());
        }
        engine
    }

    pub(crate) fn config(&self) -> &R::Config {
        &self.config
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, R::Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The store without waiting (for `Debug`, which must not block on a held lock).
    pub(crate) fn try_count(&self) -> Option<usize> {
        self.store.try_lock().map(|s| s.count()).ok()
    }

    /// Runs `f` under the lock; then, with the lock released, delivers the changes it names.
    pub(crate) fn change<T>(&self, f: impl FnOnce(&mut R::Store, &R::Config) -> (T, Vec<Key<R>>)) -> T {
        let (out, deliveries) = {
            let mut store = self.lock();
            let (out, changed) = f(&mut store, &self.config);
            (out, self.deliveries_for(&store, &changed))
        };
        self.deliverer.send(deliveries);
        out
    }

    /// Finds one withdrawal, catches it up with the life cycle and prints it with `print`.
    pub(crate) fn read<T>(
        &self,
        find: impl FnOnce(&R::Store) -> Option<Key<R>>,
        print: impl FnOnce(&R::Store, Key<R>, &R::Config) -> Option<T>,
    ) -> Option<T> {
        self.update(find, |store, key, config, changed| store.advance(key, config, clock::now(), changed), print)
    }

    /// Finds one withdrawal, changes it with `apply` (which pushes each change to deliver) and
    /// prints it as it is then with `print`; `None` when `find` finds none.
    pub(crate) fn update<T>(
        &self,
        find: impl FnOnce(&R::Store) -> Option<Key<R>>,
        apply: impl FnOnce(&mut R::Store, Key<R>, &R::Config, &mut Vec<Key<R>>),
        print: impl FnOnce(&R::Store, Key<R>, &R::Config) -> Option<T>,
    ) -> Option<T> {
        self.change(|store, config| {
            let Some(key) = find(store) else { return (None, Vec::new()) };
            let mut changed = Vec::new();
            apply(store, key, config, &mut changed);
            (print(store, key, config), changed)
        })
    }

    /// Moves the withdrawal `find` finds by hand with `apply` and answers it as it is then with
    /// `print`; [`SimError::NotFound`] naming `name` when there is none.
    pub(crate) fn move_by_hand<T>(
        &self,
        name: &str,
        find: impl FnOnce(&R::Store) -> Option<Key<R>>,
        apply: impl FnOnce(&mut R::Store, Key<R>, &R::Config, &mut Vec<Key<R>>),
        print: impl FnOnce(&R::Store, Key<R>, &R::Config) -> Option<T>,
    ) -> Result<T, SimError> {
        self.update(find, apply, print).ok_or_else(|| SimError::NotFound(name.to_owned()))
    }

    /// Catches every withdrawal up with the life cycle and delivers what changed.
    pub(crate) fn advance_all(&self) {
        self.change(|store, config| ((), store.advance_all(config, clock::now())));
    }

    /// The deliveries of `changed`, or none when no callback URL is configured.
    pub(crate) fn deliveries_for(&self, store: &R::Store, changed: &[Key<R>]) -> Vec<Delivery> {
        if !self.deliverer.enabled() {
            return Vec::new();
        }
        changed.iter().filter_map(|key| R::delivery(store, *key, &self.config)).collect()
    }

    /// Delivers what no change of the store produced (Cryptomus's test webhook).
    pub(crate) fn send(&self, deliveries: Vec<Delivery>) {
        self.deliverer.send(deliveries);
    }

    pub(crate) fn count(&self) -> usize {
        self.lock().count()
    }

    /// The whole state as JSON: `{"provider":…,"version":1,…}` with the provider's fields.
    pub(crate) fn snapshot(&self, provider: &str) -> Value {
        let mut snapshot = self.lock().save();
        if let Some(fields) = snapshot.as_object_mut() {
            fields.insert("provider".to_owned(), Value::from(provider));
            fields.insert("version".to_owned(), Value::from(1));
        }
        snapshot
    }

    /// Replaces the state with a [`snapshot`](Self::snapshot) of `provider` (named in errors as
    /// `article_name`: "an AlpPay").
    pub(crate) fn restore(&self, provider: &str, article_name: &str, snapshot: &Value) -> Result<(), SimError> {
        if snapshot.get("provider").and_then(Value::as_str) != Some(provider) {
            return Err(SimError::Snapshot(format!("not {article_name} snapshot")));
        }
        let fresh = R::Store::load(snapshot, &self.config)?;
        *self.lock() = fresh;
        Ok(())
    }

    pub(crate) fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.deliverer.attempts()
    }
}
