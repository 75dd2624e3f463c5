//! How a run loop parks until it is woken or its next timer is due.
//!
//! Both flavours' loops are driven by [`block_on`]: when nothing is ready, a loop parks in
//! the sockets' reactor (`net/driver.rs`: its edges then wake tasks on this thread, in
//! place) if no other thread holds it, and otherwise on a parker of its own (a futex),
//! with its next deadline as the timeout: one system call to park, none to time out.
//!
//! The loops no longer park in async-io's reactor: there only one thread can wait at a
//! time, so the timer of a loop parked elsewhere first woke the thread holding it, which
//! then woke the loop (two switches where one will do). The I/O and timers of async-io
//! futures in `wait(..)` are driven by async-io's own thread, which wakes the task from
//! there.

use core::cell::Cell;
use core::future::Future;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::task::Wake;
use std::time::Instant;

use crate::net::driver::{self, Wakeup};

std::thread_local! {
    /// Set while this thread's run loop is driven by [`block_on`].
    static OWN_PARKER: Cell<bool> = const { Cell::new(false) };
    /// Until when the run loop asked [`block_on`] to park, at its last pending poll.
    static PARK_UNTIL: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The waker of a loop driven by [`block_on`].
struct LoopWaker {
    unparker: parking::Unparker,
    /// Set by a wake; cleared before each poll of the loop.
    woken: AtomicBool,
    /// Set while the loop waits in the sockets' reactor, which a wake must then notify.
    in_reactor: AtomicBool,
}

impl Wake for LoopWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Pairs with `driver::park`: either it sees `woken` before it waits, or this sees
        // it in the reactor (all `SeqCst`).
        if !self.woken.swap(true, Ordering::SeqCst) {
            if self.in_reactor.load(Ordering::SeqCst) {
                driver::notify();
            }
            self.unparker.unpark();
        }
    }
}

/// Drives `run_loop` on this thread, parking (in the sockets' reactor or on a parker of its
/// own, until the deadline the loop gave [`park`], if any) whenever it is pending.
pub(crate) fn block_on<T>(run_loop: impl Future<Output = T>) -> T {
    let (parker, unparker) = parking::pair();
    let state = Arc::new(LoopWaker {
        unparker,
        woken: AtomicBool::new(false),
        in_reactor: AtomicBool::new(false),
    });
    let waker = Waker::from(state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut run_loop = pin!(run_loop);
    let previous = OWN_PARKER.replace(true);
    let _restore = Restore(previous);
    let _drives = driver::enter_loop();
    let _ends = LoopEnds;
    // A wake that came while the loop ran left the parker a permit: park again after it.
    let park_here = |until: Option<Instant>| {
        while !state.woken.load(Ordering::SeqCst) {
            match until {
                Some(at) => {
                    if !parker.park_deadline(at) {
                        return; // timed out
                    }
                }
                None => parker.park(),
            }
        }
    };
    loop {
        state.woken.store(false, Ordering::SeqCst);
        if let Poll::Ready(value) = run_loop.as_mut().poll(&mut cx) {
            return value;
        }
        let until = PARK_UNTIL.take();
        if state.woken.load(Ordering::SeqCst) {
            continue; // woken while it was polled
        }
        let wakeup = Wakeup {
            woken: &state.woken,
            in_reactor: &state.in_reactor,
            waker: &waker,
        };
        driver::park(wakeup, until, park_here);
    }
}

/// Tells the sockets' reactor that a loop stops driving it, also on unwind.
struct LoopEnds;

impl Drop for LoopEnds {
    fn drop(&mut self) {
        driver::loop_ends();
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
    use core::future::poll_fn; // not under miri, whose `park` below needs none
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
