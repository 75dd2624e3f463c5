//! Locking a std `Mutex` the one way this crate does: ignoring poisoning. No code of ours
//! panics while it holds one of these locks, and a user panic caught elsewhere must not
//! make every later lock fail.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, ignoring poisoning (see above).
#[inline]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
