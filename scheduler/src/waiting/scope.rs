//! [`scope`] and its [`Scope`]: structured concurrency.

use core::fmt;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use pin_project_lite::pin_project;

use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::Reason;
use crate::report::payload_text;
use crate::schedulable::Schedulable;
use crate::task_handle::{Canceller, TaskError, TaskHandle};

/// ⏸ Structured concurrency (Trio's nursery, asyncio's `TaskGroup`): calls `body` with a
/// [`Scope`] to queue tasks on, then waits until every one of them has finished, and gives
/// `body`'s value.
///
/// - When a task of the scope panics, the others are cancelled (at their pause points,
///   their state dropped), and once all have stopped the panic is re-raised in the caller,
///   naming the task.
/// - When the task running the scope is cancelled (or the scope's pause value is dropped),
///   every task of the scope is cancelled.
///
/// `body` is a plain closure: it queues work and cannot pause; the waiting happens after
/// it returns. A task of the scope cancelled through its own handle is not a failure.
///
/// # Panics
///
/// With the first failure of a task of the scope, naming the task, after the others have
/// been cancelled.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn download(page: u32) -> u32 {
///     scheduler::sleep(Duration::from_millis(page as u64));
///     page * 100
/// }
///
/// #[scheduler::task]
/// fn download_three() -> u32 {
///     let handles = scheduler::scope(|s| {
///         [s.queue_to_run(download, (1,)), s.queue_to_run(download, (2,)), s.queue_to_run(download, (3,))]
///     });
///     // Every task of the scope has finished here; joining them does not pause for long.
///     let mut total = 0;
///     for handle in handles {
///         total += handle.join().unwrap();
///     }
///     total
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(download_three, ()), 600);
/// ```
#[track_caller]
pub fn scope<R>(body: impl FnOnce(&Scope) -> R) -> Pause<impl Future<Output = R>> {
    let site = Location::caller();
    Pause::because(Reason::Scope, async move {
        let scope = Scope {
            state: Arc::new(ScopeState::default()),
        };
        // Cancels the scope's tasks when this future is dropped before they all ended: the
        // calling task was cancelled, or `body` panicked.
        let _cancel_on_drop = CancelOnDrop(scope.state.clone());
        let value = body(&scope);
        if let Some(failure) = poll_fn(|cx| scope.state.poll_all_ended(cx)).await {
            panic!("{failure} (re-raised by `scheduler::scope` at {site})");
        }
        value
    })
}

/// Where the tasks of a [`scope`] are queued; `scope` passes one to its closure.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// #[scheduler::task]
/// fn both() -> u32 {
///     let count = Rc::new(Cell::new(0));
///     scheduler::scope(|s| {
///         for _ in 0..2 {
///             let count = count.clone();
///             s.queue_to_run(move || count.set(count.get() + 1), ());
///         }
///     });
///     count.get() // both tasks have run by now
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(both, ()), 2);
/// ```
pub struct Scope {
    state: Arc<ScopeState>,
}

impl Scope {
    /// Queues `f(args)` as a task of this scope, like the free
    /// [`queue_to_run`](crate::queue_to_run): the scope waits for it, and cancels it when a
    /// sibling panics or when the scope is cancelled. The handle can be joined, cancelled or
    /// dropped as usual.
    ///
    /// A task of the scope that the scope cancels (after a sibling's panic, or because the
    /// task running the scope was cancelled) stops at its next pause point with its state
    /// dropped; its handle then reports [`TaskError::Cancelled`].
    ///
    /// On a pool, written in a `#[task]` body inside `scheduler::scope(|s| ..)`, a `Send`
    /// task may run on any worker, as with [`queue_to_run`](crate::queue_to_run).
    ///
    /// # Panics
    ///
    /// When no scheduler is running on this thread (see
    /// [`queue_to_run`](crate::queue_to_run)).
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn square(x: u32) -> u32 {
    ///     scheduler::yield_now();
    ///     x * x
    /// }
    ///
    /// #[scheduler::task]
    /// fn squares() -> Vec<u32> {
    ///     let handles = scheduler::scope(|s| {
    ///         (1..=3).map(|x| s.queue_to_run(square, (x,))).collect::<Vec<_>>()
    ///     });
    ///     scheduler::wait_all(handles)
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(squares, ()), [1, 4, 9]);
    /// ```
    #[track_caller]
    pub fn queue_to_run<F, Args, Kind>(&self, f: F, args: Args) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        self.queue_to_run_here(f, args, Location::caller())
    }

    /// [`queue_to_run`](Scope::queue_to_run), called at `site`: the task stays on this thread.
    pub(crate) fn queue_to_run_here<F, Args, Kind>(
        &self,
        f: F,
        args: Args,
        site: &'static Location<'static>,
    ) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        let handle = crate::context::queue_here("Scope::queue_to_run", || {
            let (future, name) = f.into_task(args, site);
            (self.child(future, name), name)
        });
        self.state.adopt(handle.canceller());
        handle
    }

    /// [`queue_to_run`](Scope::queue_to_run) for a `Send` task: on a pool, any worker may
    /// run it. A `#[task]` body's `s.queue_to_run(f, args)` comes here when the task is
    /// `Send` (see `__private`).
    pub(crate) fn queue_to_run_anywhere<F, Args, Kind>(
        &self,
        f: F,
        args: Args,
        site: &'static Location<'static>,
    ) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: 'static,
    {
        let handle = crate::context::queue_anywhere("Scope::queue_to_run", || {
            let (future, name) = f.into_task(args, site);
            (self.child(future, name), name)
        });
        self.state.adopt(handle.canceller());
        handle
    }

    /// A child task of this scope, counted as running until it ends.
    fn child<F>(&self, future: F, name: TaskName) -> ScopeChild<F> {
        self.state.add_child();
        ScopeChild {
            inner: Some(future),
            scope: self.state.clone(),
            name,
            ended: false,
        }
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.state.lock();
        f.debug_struct("Scope")
            .field("running", &inner.running)
            .field("cancelled", &inner.cancelled)
            .finish()
    }
}

/// What a scope and its tasks share. Tasks may run on other threads (a multi-threaded
/// scheduler), so this is behind a lock; it is never held while user code runs.
#[derive(Default)]
struct ScopeState(Mutex<ScopeInner>);

#[derive(Default)]
struct ScopeInner {
    /// A way to cancel each task queued in the scope.
    children: Vec<Canceller>,
    /// Tasks queued and not ended yet.
    running: usize,
    /// Set when a task panicked or the scope was dropped: every task stops at its next poll.
    cancelled: bool,
    /// The first task that panicked.
    failure: Option<TaskError>,
    /// The task running the scope, while it waits.
    waiter: Option<Waker>,
}

impl ScopeState {
    fn lock(&self) -> MutexGuard<'_, ScopeInner> {
        // The lock is never held across user code, so a poisoned one is still consistent.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a task about to be queued (before it can run, so before it can end).
    fn add_child(&self) {
        self.lock().running += 1;
    }

    /// Keeps the way to cancel a queued task; cancels it at once if the scope already is.
    fn adopt(&self, canceller: Canceller) {
        let mut inner = self.lock();
        if inner.cancelled {
            drop(inner);
            canceller.cancel();
        } else {
            inner.children.push(canceller);
        }
    }

    /// Records that task `index` ended, with `failure` if it panicked: then the others are
    /// told to stop.
    fn child_ended(&self, failure: Option<TaskError>) {
        let mut to_cancel = Vec::new();
        let waiter = {
            let mut inner = self.lock();
            inner.running -= 1;
            if let Some(failure) = failure {
                inner.failure.get_or_insert(failure);
                if !inner.cancelled {
                    inner.cancelled = true;
                    to_cancel = core::mem::take(&mut inner.children);
                }
            }
            if inner.running == 0 {
                // Every task has ended: nothing left to cancel, and the cancellers' wakers
                // would only keep the finished tasks' memory.
                drop(core::mem::take(&mut inner.children));
            }
            if inner.running == 0 || inner.failure.is_some() {
                inner.waiter.take()
            } else {
                None
            }
        };
        to_cancel.iter().for_each(Canceller::cancel);
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }

    /// Tells every task to stop at its next poll, and wakes those that wait.
    fn cancel_all(&self) {
        let to_cancel = {
            let mut inner = self.lock();
            inner.cancelled = true;
            core::mem::take(&mut inner.children)
        };
        to_cancel.iter().for_each(Canceller::cancel);
    }

    /// Ready, with the first failure if any, once every task has ended.
    fn poll_all_ended(&self, cx: &mut Context<'_>) -> Poll<Option<TaskError>> {
        let mut inner = self.lock();
        if inner.running == 0 {
            Poll::Ready(inner.failure.take())
        } else {
            inner.waiter = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Cancels a scope's tasks when dropped (a no-op once they have all ended).
struct CancelOnDrop(Arc<ScopeState>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel_all();
    }
}

pin_project! {
    /// A task of a scope, as queued: reports to the scope how it ended, and stops when the
    /// scope says so.
    struct ScopeChild<F> {
        #[pin]
        inner: Option<F>,
        scope: Arc<ScopeState>,
        name: TaskName,
        ended: bool,
    }

    impl<F> PinnedDrop for ScopeChild<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // Dropped before it ended: cancelled through its handle, or its scheduler went.
            this.inner.set(None);
            if !*this.ended {
                *this.ended = true;
                this.scope.child_ended(None);
            }
        }
    }
}

impl<F: Future> Future for ScopeChild<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let inner = this
            .inner
            .as_mut()
            .as_pin_mut()
            .expect("a task of a scope was polled after it ended");
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => {
                this.inner.set(None);
                *this.ended = true;
                this.scope.child_ended(None);
                Poll::Ready(value)
            }
            Err(payload) => {
                this.inner.set(None);
                *this.ended = true;
                let failure = TaskError::Panicked {
                    task: *this.name,
                    message: payload_text(&*payload),
                };
                this.scope.child_ended(Some(failure));
                // Already reported by the panic hook; let the task end as panicked.
                resume_unwind(payload)
            }
        }
    }
}
