//! The in-flight memory: creates that got no answer in time and may still be processed by the
//! provider, so that the same reference is not sent again within the window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::id::Reference;

/// The creates that got no answer and may still be processed by the provider, by reference.
#[derive(Debug)]
pub(super) struct InFlight {
    window: Duration,
    since: Mutex<HashMap<Reference, Instant>>,
}

/// How many unanswered creates are remembered before the expired ones are swept.
const IN_FLIGHT_SWEEP: usize = 4096;

impl InFlight {
    /// Remembers unanswered creates for `window`.
    pub(super) fn new(window: Duration) -> Self {
        Self { window, since: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Reference, Instant>> {
        self.since.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When a create for `reference` was last sent without an answer, if within the window.
    pub(super) fn pending(&self, reference: &Reference) -> Option<Duration> {
        let mut map = self.lock();
        let age = map.get(reference)?.elapsed();
        if age < self.window {
            return Some(age);
        }
        map.remove(reference);
        None
    }

    pub(super) fn mark(&self, reference: &Reference) {
        let mut map = self.lock();
        if map.len() >= IN_FLIGHT_SWEEP {
            let window = self.window;
            map.retain(|_, at| at.elapsed() < window);
        }
        map.insert(reference.clone(), Instant::now());
    }
}
