//! How a run loop parks until it is woken or its next timer is due.
//!
//! The single-threaded scheduler parks in async-io's reactor (`local::block_on`), with an
//! async-io timer for its next deadline, so that the I/O and timers of async-io futures in
//! its tasks are handled on its own thread.
//!
//! The workers of a pool park on a parker of their own ([`block_on`], a futex), with their
//! next deadline as its timeout: one system call to park, none to time out. In async-io's
//! reactor only one thread can wait at a time: the timer of a worker parked elsewhere would
//! first wake the thread holding the reactor, which then wakes the worker (two switches
//! where one will do); with n workers it also left async-io's fallback thread polling for
//! the reactor. In `benches/timers.rs` on two threads this took the pool from 1.38x tokio's
//! CPU to 1.05x. The I/O of async-io futures on a pool is driven by async-io's own thread
//! (which drives the reactor whenever no thread is in async-io's `block_on`), and wakes the
//! task from there.

use core::cell::Cell;
use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::time::Instant;

std::thread_local! {
    /// Set while this thread's run loop is driven by [`block_on`].
    static OWN_PARKER: Cell<bool> = const { Cell::new(false) };
    /// Until when the run loop asked [`block_on`] to park, at its last pending poll.
    static PARK_UNTIL: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Drives `run_loop` on this thread, parking on a parker of its own (until the deadline the
/// loop gave [`park`], if any) whenever it is pending.
pub(crate) fn block_on<T>(run_loop: impl Future<Output = T>) -> T {
    let (parker, unparker) = parking::pair();
    let waker = Waker::from(unparker);
    let mut cx = Context::from_waker(&waker);
    let mut run_loop = pin!(run_loop);
    let previous = OWN_PARKER.replace(true);
    let _restore = Restore(previous);
    loop {
        if let Poll::Ready(value) = run_loop.as_mut().poll(&mut cx) {
            return value;
        }
        match PARK_UNTIL.take() {
            Some(at) => {
                parker.park_deadline(at);
            }
            None => parker.park(),
        }
    }
}

/// Puts back the previous `OWN_PARKER`, also on unwind.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        OWN_PARKER.set(self.0);
        PARK_UNTIL.set(None);
    }
}

/// Waits for `woken` (a push to the parked loop), or until `until` (the loop's next timer)
/// has come, whichever is first.
#[cfg(not(miri))]
pub(crate) async fn park(woken: impl Future<Output = ()>, until: Option<Instant>) {
    if OWN_PARKER.get() {
        let mut woken = pin!(woken);
        poll_fn(|cx| {
            if woken.as_mut().poll(cx).is_ready() || until.is_some_and(|at| Instant::now() >= at) {
                return Poll::Ready(());
            }
            PARK_UNTIL.set(until);
            Poll::Pending
        })
        .await;
        return;
    }
    match until {
        None => woken.await,
        Some(at) => {
            futures_lite::future::or(woken, async {
                async_io::Timer::at(at).await;
            })
            .await
        }
    }
}

/// Under miri, which cannot run the reactor (its tests use no timers): waits for `woken`.
#[cfg(miri)]
pub(crate) async fn park(woken: impl Future<Output = ()>, _until: Option<Instant>) {
    woken.await
}
