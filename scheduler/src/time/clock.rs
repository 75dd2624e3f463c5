//! A scheduler's virtual clock (`.virtual_time()`): how far it has jumped, and the timers
//! waiting on it. Its own file, below `time.rs`, so that the run loop that owns a clock
//! knows it without knowing the sleeps that read it.

use core::sync::atomic::{AtomicU64, Ordering};
use core::task::Waker;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::lock::lock;

/// The deadline of a virtual sleep that never ends.
pub(super) const NEVER: u64 = u64::MAX;

/// A scheduler's virtual clock: how far it has jumped, and the timers waiting on it.
pub(crate) struct VirtualClock {
    /// The real instant the clock started at; virtual now is `start + elapsed`.
    pub(super) start: Instant,
    /// Nanoseconds the clock has advanced.
    elapsed: AtomicU64,
    /// Waiting timers by (deadline, id).
    timers: Mutex<BTreeMap<(u64, u64), Waker>>,
    pub(super) next_id: AtomicU64,
}

impl VirtualClock {
    pub(crate) fn new() -> Self {
        VirtualClock {
            start: Instant::now(),
            elapsed: AtomicU64::new(0),
            timers: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(0),
        }
    }

    pub(super) fn timers(&self) -> MutexGuard<'_, BTreeMap<(u64, u64), Waker>> {
        lock(&self.timers)
    }

    pub(super) fn elapsed(&self) -> u64 {
        self.elapsed.load(Ordering::Acquire)
    }

    /// The virtual now.
    pub(crate) fn now(&self) -> Instant {
        self.start + Duration::from_nanos(self.elapsed())
    }

    /// The deadline of a sleep of `duration` that starts now, in nanoseconds on the clock.
    /// One past the clock's range (584 years from its start) is [`NEVER`], as
    /// `sleep(Duration::MAX)` never ends on the real clock: the clock never jumps there,
    /// which would leave it stuck at its end, where every later sleep would end at once.
    pub(super) fn deadline_after(&self, duration: Duration) -> u64 {
        u64::try_from(duration.as_nanos())
            .ok()
            .and_then(|nanos| self.elapsed().checked_add(nanos))
            .filter(|&deadline| deadline != NEVER)
            .unwrap_or(NEVER)
    }

    /// Jumps to the earliest deadline and wakes every timer due by then; returns whether
    /// there was one.
    pub(crate) fn advance(&self) -> bool {
        let due: Vec<Waker> = {
            let mut timers = self.timers();
            let Some((&(deadline, _), _)) = timers.first_key_value() else {
                return false;
            };
            self.elapsed.fetch_max(deadline, Ordering::AcqRel);
            let later = timers.split_off(&(deadline, u64::MAX));
            core::mem::replace(&mut *timers, later)
                .into_values()
                .collect()
        };
        due.into_iter().for_each(Waker::wake);
        true
    }
}
