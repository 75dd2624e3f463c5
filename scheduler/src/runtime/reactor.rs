//! What both flavours' loops share with the outside world: the reactor they park on
//! ([`block_on`]), and the first step of closing a scheduler to `Handle`s ([`close`]); the
//! second, cancelling what is left, is `registry::cancel_all`.

use core::future::Future;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Drives a run loop on this thread, parking (in the sockets' reactor or on a parker of its
/// own, `time/park.rs`) whenever no task is ready.
#[cfg(not(miri))]
pub(crate) fn block_on<T>(run_loop: impl Future<Output = T>) -> T {
    crate::time::block_on(run_loop)
}

/// Under miri, which cannot run the reactor's system calls, park without driving it: the
/// tests run there use no timers or I/O.
#[cfg(miri)]
pub(crate) fn block_on<T>(run_loop: impl Future<Output = T>) -> T {
    futures_lite::future::block_on(run_loop)
}

/// Closes a scheduler to new work from `Handle`s, then waits for the ones queuing right now
/// (they announced themselves in `queuing` before checking `closed`), so that everything
/// queued is there to cancel.
pub(crate) fn close(closed: &AtomicBool, queuing: &AtomicUsize) {
    closed.store(true, Ordering::SeqCst);
    while queuing.load(Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
}
