//! What every simulator's handle holds and does alike, written once over its provider's
//! [`Rules`]: the configuration, the store behind one lock, the deliverer of callbacks, the
//! ticker that drives the automatic life cycle, and the "change under the lock, then deliver"
//! step every read and move goes through.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use time::OffsetDateTime;

use crate::clock;
use crate::deliveries::{CallbackConfig, Deliverer, Delivery, DeliveryAttempt};

/// What the engine reads of every configuration (written by `simulator::config!`).
pub(crate) trait SimConfig {
    /// Where callbacks go, if anywhere.
    fn callback(&self) -> Option<CallbackConfig>;
}

/// A provider's side of the engine: its store, how its life cycle advances and what one change
/// delivers.
pub(crate) trait Rules: Send + Sync + 'static {
    /// How the simulator behaves.
    type Config: SimConfig + Send + Sync + 'static;
    /// What it remembers, empty as the configuration starts it.
    type Store: Send + 'static + for<'a> From<&'a Self::Config>;
    /// What names one withdrawal in the store (an id or an index).
    type Key: Copy + Send + 'static;

    /// How often the ticker catches the life cycle up, when the configuration has one.
    fn tick(config: &Self::Config) -> Option<Duration>;
    /// Catches one withdrawal up with the life cycle at `now`, pushing each change.
    fn advance(
        store: &mut Self::Store,
        key: Self::Key,
        config: &Self::Config,
        now: OffsetDateTime,
        out: &mut Vec<Self::Key>,
    );
    /// Catches every automatically driven withdrawal up; the changes, in order.
    fn advance_all(store: &mut Self::Store, config: &Self::Config, now: OffsetDateTime) -> Vec<Self::Key>;
    /// The signed delivery of `key`'s current state.
    fn delivery(store: &Self::Store, key: Self::Key, config: &Self::Config) -> Option<Delivery>;
    /// How many withdrawals the store holds.
    fn count(store: &Self::Store) -> usize;

    /// Whether each withdrawal names its own receiver (Cryptomus's `url_callback`): deliveries
    /// are then on even when the configuration names no receiver, on the default schedule of
    /// [`CallbackConfig::new`].
    const OWN_URLS: bool = false;
}

/// One simulator's state, shared by every clone of its handle.
pub(crate) struct Engine<R: Rules> {
    config: R::Config,
    store: Mutex<R::Store>,
    deliverer: Deliverer,
}

impl<R: Rules> Engine<R> {
    /// A simulator with an empty store. With a life cycle and a callback URL, inside a tokio
    /// runtime, a background task delivers the automatic changes even when nobody reads them.
    pub(crate) fn start(config: R::Config) -> Arc<Self> {
        let callback = config.callback().or_else(|| R::OWN_URLS.then(|| CallbackConfig::new(String::new())));
        let engine =
            Arc::new(Self { store: Mutex::new(R::Store::from(&config)), deliverer: Deliverer::new(callback), config });
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
        self.store.try_lock().map(|s| R::count(&s)).ok()
    }

    /// Runs `f` under the lock; then, with the lock released, delivers the changes it names.
    pub(crate) fn change<T>(&self, f: impl FnOnce(&mut R::Store, &R::Config) -> (T, Vec<R::Key>)) -> T {
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
        find: impl FnOnce(&R::Store) -> Option<R::Key>,
        print: impl FnOnce(&R::Store, R::Key, &R::Config) -> Option<T>,
    ) -> Option<T> {
        self.change(|store, config| {
            let Some(key) = find(store) else { return (None, Vec::new()) };
            let mut changed = Vec::new();
            R::advance(store, key, config, clock::now(), &mut changed);
            (print(store, key, config), changed)
        })
    }

    /// Catches every withdrawal up with the life cycle and delivers what changed.
    pub(crate) fn advance_all(&self) {
        self.change(|store, config| ((), R::advance_all(store, config, clock::now())));
    }

    /// The deliveries of `changed`, or none when no callback URL is configured.
    pub(crate) fn deliveries_for(&self, store: &R::Store, changed: &[R::Key]) -> Vec<Delivery> {
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
        R::count(&self.lock())
    }

    pub(crate) fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.deliverer.attempts()
    }
}
