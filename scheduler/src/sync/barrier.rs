//! [`Barrier`]: tasks wait until `n` of them have arrived.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::{Mutex, MutexGuard};

use event_listener::EventListener;

use crate::lock::lock;
use crate::pause::Pause;
use crate::reason::why;

/// A meeting point for `n` tasks: each one's [`wait`](Barrier::wait) pauses until `n` have
/// called it, then all go on together, and the barrier is ready for the next round
/// (asyncio's `Barrier`). Built on `event-listener`.
///
/// Cancelling a task that waits here takes its arrival back, as asyncio does: the others
/// still wait for `n` tasks that are there. (Once the round is complete, it is complete.)
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use scheduler::sync::Barrier;
///
/// #[scheduler::task]
/// fn step(barrier: Arc<Barrier>, arrived: Arc<AtomicU32>) -> u32 {
///     arrived.fetch_add(1, Ordering::SeqCst);
///     barrier.wait(); // pauses until all three arrived
///     arrived.load(Ordering::SeqCst)
/// }
///
/// #[scheduler::task]
/// fn meet() -> Vec<u32> {
///     let barrier = Arc::new(Barrier::new(3));
///     let arrived = Arc::new(AtomicU32::new(0));
///     let handles: Vec<_> = (0..3)
///         .map(|_| scheduler::queue_to_run(step, (barrier.clone(), arrived.clone())))
///         .collect();
///     scheduler::wait_all(handles)
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(meet, ()), [3, 3, 3]);
/// ```
pub struct Barrier {
    /// How many tasks make a round.
    n: usize,
    round: Mutex<Round>,
    /// Notified for everyone when a round completes.
    completed: event_listener::Event,
}

/// The round in progress.
struct Round {
    /// Tasks waiting in this round.
    arrived: usize,
    /// How many rounds completed: a waiter whose round number changed is released.
    number: u64,
}

/// What [`Barrier::wait`] gives: whether this task was the leader of its round (the one
/// whose arrival completed it; there is one per round). It may be ignored.
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn alone() -> bool {
///     let barrier = scheduler::sync::Barrier::new(1);
///     barrier.wait().is_leader()
/// }
///
/// assert!(scheduler::Scheduler::new().run_until_finished(alone, ()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult {
    leader: bool,
}

impl BarrierWaitResult {
    /// Whether this task's arrival completed the round.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn alone() -> bool {
    ///     scheduler::sync::Barrier::new(1).wait().is_leader()
    /// }
    ///
    /// assert!(scheduler::Scheduler::new().run_until_finished(alone, ()));
    /// ```
    pub fn is_leader(&self) -> bool {
        self.leader
    }
}

impl Barrier {
    /// A barrier for rounds of `n` tasks (`0` acts as `1`: nobody waits).
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = scheduler::sync::Barrier::new(4);
    /// # drop(barrier);
    /// ```
    pub const fn new(n: usize) -> Self {
        Barrier {
            n,
            round: Mutex::new(Round {
                arrived: 0,
                number: 0,
            }),
            completed: event_listener::Event::new(),
        }
    }

    fn round(&self) -> MutexGuard<'_, Round> {
        // Nothing panics while the lock is held.
        lock(&self.round)
    }

    /// ⏸ Arrives at the barrier and pauses the task until `n` tasks have arrived in this
    /// round; the last to arrive does not pause. Called as a statement:
    /// `barrier.wait();`, or for its [`BarrierWaitResult`].
    ///
    /// Cancelling a task paused here loses nothing: its arrival is taken back, so the round
    /// waits for another task instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use std::cell::RefCell;
    ///
    /// #[scheduler::task]
    /// fn two_steps(barrier: Rc<scheduler::sync::Barrier>, log: Rc<RefCell<Vec<&'static str>>>) {
    ///     log.borrow_mut().push("first");
    ///     barrier.wait(); // nobody starts the second step before both did the first
    ///     log.borrow_mut().push("second");
    /// }
    ///
    /// #[scheduler::task]
    /// fn run() -> Vec<&'static str> {
    ///     let barrier = Rc::new(scheduler::sync::Barrier::new(2));
    ///     let log = Rc::new(RefCell::new(Vec::new()));
    ///     let a = scheduler::queue_to_run(two_steps, (barrier.clone(), log.clone()));
    ///     let b = scheduler::queue_to_run(two_steps, (barrier, log.clone()));
    ///     scheduler::wait_all([a, b]);
    ///     log.take()
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(run, ()), ["first", "first", "second", "second"]);
    /// ```
    #[track_caller]
    pub fn wait(&self) -> Pause<impl Future<Output = BarrierWaitResult>> {
        Pause::because(
            why::Barrier,
            BarrierWait {
                barrier: self,
                round: None,
                listener: None,
            },
        )
    }
}

/// The future of [`Barrier::wait`].
struct BarrierWait<'a> {
    barrier: &'a Barrier,
    /// The number of the round we arrived in, while we wait in it.
    round: Option<u64>,
    listener: Option<EventListener>,
}

// Nothing is pinned structurally: the listener is `Unpin`.
impl Unpin for BarrierWait<'_> {}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = &mut *self;
        let barrier = this.barrier;
        let number = match this.round {
            Some(number) => number,
            None => {
                let mut round = barrier.round();
                round.arrived += 1;
                if round.arrived >= barrier.n {
                    round.arrived = 0;
                    round.number += 1;
                    drop(round);
                    barrier.completed.notify(usize::MAX);
                    return Poll::Ready(BarrierWaitResult { leader: true });
                }
                this.round = Some(round.number);
                round.number
            }
        };
        loop {
            let round = barrier.round();
            if round.number != number {
                this.round = None;
                this.listener = None;
                return Poll::Ready(BarrierWaitResult { leader: false });
            }
            match &mut this.listener {
                // Listening under the lock: the round cannot complete unseen.
                None => this.listener = Some(barrier.completed.listen()),
                Some(listener) => {
                    drop(round);
                    match Pin::new(listener).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(()) => this.listener = None,
                    }
                }
            }
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        let Some(number) = self.round else { return };
        let mut round = self.barrier.round();
        if round.number == number {
            // Cancelled while waiting: our arrival no longer counts.
            round.arrived -= 1;
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("arrived", &self.round().arrived)
            .finish()
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Barrier>();
    send_sync::<BarrierWaitResult>();
};
