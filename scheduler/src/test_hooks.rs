//! Points where an integration test can stop a thread, so that a race between threads
//! happens the same way every run instead of by luck (feature `test-hooks`, for this
//! workspace's own tests; not part of the API). Without the feature, [`reached!`] expands to
//! nothing: the library has no hook, no check, no cost.
//!
//! A cargo feature rather than an environment variable: the hooks are compiled out of
//! every build but the tests that ask for them, so the benchmarks and users' builds cannot
//! be slowed by them, and no program's behaviour depends on its environment.

use std::sync::{Arc, RwLock};

/// Where a thread is when it calls the hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Point {
    /// A task woken on a thread that does not run its single-threaded scheduler is about
    /// to be pushed on the scheduler's shared queue (its wake-up is in flight).
    ForeignWakeBeforePush,
    /// A dropped single-threaded scheduler has cancelled what it found, before it makes
    /// sure no wake-up is still in flight.
    ClosingDrained,
    /// The slow-poll watchdog thread finished one look at every thread.
    WatchdogTicked,
    /// A single-threaded loop parks looking certainly deadlocked: it gives a plain thread
    /// its grace to release a sync primitive before it looks again.
    DeadlockGrace,
    /// A single-threaded loop parks looking deadlocked, but for something outside it (a
    /// live `Handle`, another scheduler): it will look again.
    DeadlockSuspected,
    /// Such a loop said on stderr that it may be deadlocked.
    DeadlockWarned,
}

type Hook = Arc<dyn Fn(Point) + Send + Sync>;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);

/// Calls `hook` at every [`Point`] any thread reaches from now on (replacing the hook set
/// before); `clear()` removes it.
pub fn set(hook: impl Fn(Point) + Send + Sync + 'static) {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(hook));
}

/// Removes the hook.
pub fn clear() {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Calls the hook, if one is set, at `point`.
pub(crate) fn call(point: Point) {
    let hook = HOOK.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(hook) = hook {
        hook(point);
    }
}

/// `reached!(Point)`: calls the test hook at that point, with the feature `test-hooks`;
/// nothing without it.
macro_rules! reached {
    ($point:ident) => {
        #[cfg(feature = "test-hooks")]
        $crate::test_hooks::call($crate::test_hooks::Point::$point);
    };
}
pub(crate) use reached;
