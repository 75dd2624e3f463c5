//! [`scope`] and its [`Scope`]: structured concurrency.

use core::fmt;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, MutexGuard};

use pin_project_lite::pin_project;

use crate::drain::{self, Draining, Pending};
use crate::lock::lock;
use crate::misuse;
use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::why;
use crate::report::payload_text;
use crate::runtime::{self, Here, Placement};
use crate::schedulable::Schedulable;
use crate::task::{Canceller, TaskError, TaskHandle};

/// ⏸ Structured concurrency (Trio's nursery, asyncio's `TaskGroup`): calls `body` with a
/// [`Scope`] to queue tasks on, then waits until every one of them has finished, and gives
/// `body`'s value.
///
/// - When a task of the scope panics, the others are cancelled (at their pause points,
///   their state dropped), and once all have stopped the panic is re-raised in the caller,
///   naming the task.
/// - [`Scope::cancel`] (or [`ScopeHandle::cancel`] from one of its tasks) cancels every task
///   of the scope, and `scope` returns `body`'s value normally once they have stopped:
///   Trio's "the first success cancels the rest". A task of the scope cancelled through its
///   own handle is not a failure either.
/// - [`Scope::handle`] gives a [`ScopeHandle`] to pass into the scope's tasks, so they can
///   queue more tasks into it ([`ScopeHandle::queue_to_run`]); the scope waits for those too.
///
/// `body` is a plain closure: it queues work and cannot pause; the waiting happens after
/// it returns.
///
/// # Cancellation
///
/// When the task running the scope is cancelled, or a timeout around it runs out, every task
/// of the scope is cancelled, and the cancellation is finished only once each of them has
/// stopped with its state dropped (drop guards run, the sockets and locks they held are free),
/// even one running on another worker of a pool at that moment: the cancelled task's `join`,
/// or the [`with_timeout`](crate::with_timeout) around it, returns only then. The same holds
/// for a failure: `scope` re-raises it only once every other task of the scope has stopped.
///
/// # Panics
///
/// With the first failure of a task of the scope, naming the task, after the others have
/// been cancelled and have stopped.
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
    scope_with(body)
}

/// [`scope`] with any body: a closure, or a pausing block (`__private::scope_pausing`).
#[track_caller]
pub(crate) fn scope_with<R>(body: impl ScopeBody<R>) -> Pause<impl Future<Output = R>> {
    let site = Location::caller();
    Pause::because(why::Scope, async move {
        let scope = Scope {
            state: Arc::new(ScopeState::default()),
        };
        // Cancels the scope's tasks when this future is dropped before they all ended (the
        // calling task was cancelled, a timeout ran out, or `body` panicked); whoever
        // dropped it waits until they have stopped.
        let _cancel_on_drop = CancelOnDrop(scope.state.clone());
        let value = body
            .run(Scope {
                state: scope.state.clone(),
            })
            .await;
        if let Some(failure) = poll_fn(|cx| scope.state.poll_all_ended(cx)).await {
            panic!("{failure} (re-raised by `scheduler::scope` at {site})");
        }
        value
    })
}

/// What [`scope`] runs with its [`Scope`]: a closure `|s| { .. }`, or, in a `#[task]` body,
/// the same closure as a *pausing block* (the macro hands it to `__private::scope_pausing`),
/// whose pause points pause the task like the body around it.
///
/// The body gets the scope by value (one more handle to the same scope), so a pausing
/// block's future borrows nothing from its caller's frame: a borrowed `&Scope` there would
/// make the compiler prove `Send` for every lifetime of it, which it cannot (rust-lang/rust
/// #110338).
pub(crate) trait ScopeBody<R> {
    /// Runs the body with the scope it queues into.
    fn run(self, scope: Scope) -> impl Future<Output = R>;
}

impl<F, R> ScopeBody<R> for F
where
    F: FnOnce(&Scope) -> R,
{
    #[inline]
    fn run(self, scope: Scope) -> impl Future<Output = R> {
        core::future::ready(self(&scope))
    }
}

/// A pausing block handed to [`scope`] in a `#[task]` body: what the macro makes of
/// `scope(|s| { .. })` (see `__private::scope_pausing`), a closure that takes the scope
/// and returns the block's future, which owns it.
pub(crate) struct PausingScope<F>(pub(crate) F);

impl<F, Fut, R> ScopeBody<R> for PausingScope<F>
where
    F: FnOnce(Scope) -> Fut,
    Fut: Future<Output = R>,
{
    #[inline]
    fn run(self, scope: Scope) -> impl Future<Output = R> {
        (self.0)(scope)
    }
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
        self.queue_to_run_placed::<Here, _, _, _>(f, args, Location::caller())
    }

    /// [`queue_to_run`](Scope::queue_to_run), called at `site`, placed as `P` says: a
    /// `#[task]` body's `s.queue_to_run(f, args)` comes here with [`Anywhere`] when the task
    /// is `Send` (see `__private`), so that any worker of a pool may run it.
    pub(crate) fn queue_to_run_placed<P, F, Args, Kind>(
        &self,
        f: F,
        args: Args,
        site: &'static Location<'static>,
    ) -> TaskHandle<F::Output>
    where
        P: Placement<ScopeChild<F::Future>>,
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        queue_into::<P, _, _, _>(&self.state, "Scope::queue_to_run", f, args, site)
    }

    /// A handle to this scope for its tasks: they can queue more tasks into it, or cancel
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    /// use scheduler::ScopeHandle;
    ///
    /// #[scheduler::task]
    /// fn walk(depth: u32, seen: Arc<AtomicU32>, s: ScopeHandle) {
    ///     seen.fetch_add(1, Ordering::Relaxed);
    ///     if depth > 0 {
    ///         // Two children, queued into the scope that runs this task.
    ///         s.queue_to_run(walk, (depth - 1, seen.clone(), s.clone()));
    ///         s.queue_to_run(walk, (depth - 1, seen, s.clone()));
    ///     }
    /// }
    ///
    /// #[scheduler::task]
    /// fn count() -> u32 {
    ///     let seen = Arc::new(AtomicU32::new(0));
    ///     scheduler::scope(|s| {
    ///         s.queue_to_run(walk, (3, seen.clone(), s.handle()));
    ///     });
    ///     seen.load(Ordering::Relaxed) // the scope waited for the whole tree
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(count, ()), 15);
    /// ```
    pub fn handle(&self) -> ScopeHandle {
        ScopeHandle {
            state: self.state.clone(),
        }
    }

    /// Cancels every task queued in this scope, now and later: each stops at its next pause
    /// point with its state dropped. The body goes on, and `scope` returns its value
    /// normally once the tasks have stopped: a cancelled scope is no failure (Trio's
    /// `nursery.cancel_scope.cancel()`). Cancelling twice, or after the tasks ended, does
    /// nothing more.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// #[scheduler::task]
    /// fn serve_forever() {
    ///     loop {
    ///         scheduler::sleep(Duration::from_secs(1));
    ///     }
    /// }
    ///
    /// #[scheduler::task]
    /// fn serve_a_while() -> &'static str {
    ///     scheduler::scope(|s| {
    ///         s.queue_to_run(serve_forever, ());
    ///         s.queue_to_run(serve_forever, ());
    ///         s.cancel(); // both stop at their first pause
    ///         "done"
    ///     })
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(serve_a_while, ()), "done");
    /// ```
    pub fn cancel(&self) {
        self.state.cancel_all();
    }
}

/// Queues `f(args)`, called at `site`, as a task of the scope `state`, placed as `P` says:
/// the one path of [`Scope::queue_to_run`] and [`ScopeHandle::queue_to_run`] (`what` names
/// the method in misuse messages).
fn queue_into<P, F, Args, Kind>(
    state: &Arc<ScopeState>,
    what: &'static str,
    f: F,
    args: Args,
    site: &'static Location<'static>,
) -> TaskHandle<F::Output>
where
    P: Placement<ScopeChild<F::Future>>,
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    let handle = runtime::queue::<P, _>(what, || {
        let (future, name) = f.into_task(args, site);
        (child_of(state, future, name), name)
    });
    state.adopt(handle.canceller());
    handle
}

/// A child task of the scope `state`, counted as running until it ends.
///
/// # Panics
///
/// When the scope has ended: nothing would wait for the task.
fn child_of<F>(state: &Arc<ScopeState>, future: F, name: TaskName) -> ScopeChild<F> {
    if !state.add_child() {
        panic!("task `{name}` {}", misuse::SCOPE_ENDED);
    }
    ScopeChild {
        inner: Some(future),
        scope: state.clone(),
        name,
        ended: false,
    }
}

/// A [`Scope`] as its tasks hold it: they queue more tasks into the scope, which waits for
/// them too (Trio's `nursery.start_soon` from a child, asyncio's task group passed into a
/// coroutine), or cancel it. Made by [`Scope::handle`]; `Clone`, `Send` and `Sync`, so it
/// goes into tasks on any worker of a pool (the tasks it queues stay on the worker that
/// queues them).
///
/// # Examples
///
/// ```
/// use scheduler::ScopeHandle;
///
/// #[scheduler::task]
/// fn parent(s: ScopeHandle) {
///     // Queued into the scope, not beside it: the scope waits for the child.
///     s.queue_to_run(child, ());
/// }
///
/// #[scheduler::task]
/// fn child() {
///     scheduler::yield_now();
/// }
///
/// #[scheduler::task]
/// fn family() {
///     scheduler::scope(|s| {
///         s.queue_to_run(parent, (s.handle(),));
///     });
/// }
///
/// scheduler::Scheduler::builder().threads(2).build().run_until_finished(family, ());
/// ```
#[derive(Clone)]
pub struct ScopeHandle {
    state: Arc<ScopeState>,
}

impl ScopeHandle {
    /// Queues `f(args)` as a task of the scope, on the scheduler running the calling task:
    /// like [`Scope::queue_to_run`], the scope waits for it and cancels it with the others.
    /// Queued into a scope that was cancelled, the task is cancelled at once: it never
    /// starts. A `#[task]` fn may queue itself through the handle (tree walks, crawlers).
    ///
    /// The task is made on the calling thread and stays there, so it may be `!Send`; on a
    /// pool it runs on the worker that queued it.
    ///
    /// # Panics
    ///
    /// When the scope has ended (`scope` returned: nothing would wait for the task), and
    /// when no scheduler is running on this thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use scheduler::ScopeHandle;
    /// use scheduler::sync::{Sender, channel};
    ///
    /// #[scheduler::task]
    /// fn producer(s: ScopeHandle, tx: Sender<u32>) {
    ///     for n in 1..=3 {
    ///         let tx = tx.clone();
    ///         s.queue_to_run(move || tx.try_send(n * n).unwrap(), ());
    ///     }
    /// }
    ///
    /// #[scheduler::task]
    /// fn sum() -> u32 {
    ///     let (tx, rx) = channel(8);
    ///     scheduler::scope(|s| {
    ///         s.queue_to_run(producer, (s.handle(), tx));
    ///     });
    ///     let mut total = 0;
    ///     while let Ok(n) = rx.try_recv() {
    ///         total += n;
    ///     }
    ///     total
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(sum, ()), 14);
    /// ```
    #[track_caller]
    pub fn queue_to_run<F, Args, Kind>(&self, f: F, args: Args) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        let site = Location::caller();
        queue_into::<Here, _, _, _>(&self.state, "ScopeHandle::queue_to_run", f, args, site)
    }

    /// Cancels every task of the scope, as [`Scope::cancel`] does: the first success
    /// cancels the rest. The calling task, if it is one of them, stops at its next pause
    /// point (it may return its value first, without pausing).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// use scheduler::ScopeHandle;
    ///
    /// #[scheduler::task]
    /// fn attempt(millis: u64, s: ScopeHandle, winner: Arc<Mutex<Option<u64>>>) {
    ///     scheduler::sleep(Duration::from_millis(millis));
    ///     *winner.lock().unwrap() = Some(millis);
    ///     s.cancel(); // the others stop sleeping now
    /// }
    ///
    /// #[scheduler::task]
    /// fn race() -> Option<u64> {
    ///     let winner = Arc::new(Mutex::new(None));
    ///     scheduler::scope(|s| {
    ///         for millis in [30_000, 10, 20_000] {
    ///             s.queue_to_run(attempt, (millis, s.handle(), winner.clone()));
    ///         }
    ///     });
    ///     winner.lock().unwrap().take()
    /// }
    ///
    /// let s = scheduler::Scheduler::builder().virtual_time().build();
    /// assert_eq!(s.run_until_finished(race, ()), Some(10));
    /// ```
    pub fn cancel(&self) {
        self.state.cancel_all();
    }
}

impl fmt::Debug for ScopeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.state.lock();
        f.debug_struct("ScopeHandle")
            .field("running", &inner.running)
            .field("cancelled", &inner.cancelled)
            .finish()
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
    /// Set when a task panicked, the scope was cancelled or it was dropped: every task stops
    /// at its next poll, and a task queued later is cancelled at once.
    cancelled: bool,
    /// Set once `scope` has seen every task end and returns: no task may be queued any more.
    closed: bool,
    /// The first task that panicked.
    failure: Option<TaskError>,
    /// Shutdowns that ended tasks left behind (their own scopes' tasks, still stopping):
    /// the scope is drained only once these are.
    leftovers: Vec<Pending>,
    /// Who waits for the tasks to end: the task running the scope, and whoever cancelled
    /// it and waits until its tasks have stopped.
    waiters: Vec<Waker>,
}

impl ScopeState {
    fn lock(&self) -> MutexGuard<'_, ScopeInner> {
        // The lock is never held across user code, so a poisoned one is still consistent.
        lock(&self.0)
    }

    /// Counts a task about to be queued (before it can run, so before it can end); `false`
    /// when the scope has ended and takes no more.
    fn add_child(&self) -> bool {
        let mut inner = self.lock();
        if inner.closed {
            return false;
        }
        inner.running += 1;
        true
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

    /// Records that a task ended, with `failure` if it panicked (then the others are told
    /// to stop), leaving `leftovers` still stopping.
    fn child_ended(&self, failure: Option<TaskError>, leftovers: Vec<Pending>) {
        let mut to_cancel = Vec::new();
        let waiters = {
            let mut inner = self.lock();
            inner.running -= 1;
            inner.leftovers.extend(leftovers);
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
                core::mem::take(&mut inner.waiters)
            } else {
                Vec::new()
            }
        };
        to_cancel.iter().for_each(Canceller::cancel);
        waiters.into_iter().for_each(Waker::wake);
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

    /// Ready, with the first failure if any, once every task has ended and what they left
    /// has stopped; from then on the scope takes no more tasks.
    fn poll_all_ended(&self, cx: &mut Context<'_>) -> Poll<Option<TaskError>> {
        let mut inner = self.lock();
        if inner.poll_ended(cx).is_pending() {
            return Poll::Pending;
        }
        inner.closed = true;
        Poll::Ready(inner.failure.take())
    }
}

impl ScopeInner {
    /// Ready once every task has ended and what they left has stopped; else `cx`'s waker
    /// is kept to be woken when that may have changed.
    fn poll_ended(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.running > 0 {
            if !self.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                self.waiters.push(cx.waker().clone());
            }
            return Poll::Pending;
        }
        // Polled under the scope's lock, so that two pollers (the scope above, and the task
        // whose drop left these) never see them half taken. Each is the state of a scope
        // further down the tree, so locks are always taken from the top down.
        drain::poll_all(&mut self.leftovers, cx)
    }
}

impl Draining for ScopeState {
    fn poll_drained(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.lock().poll_ended(cx)
    }
}

/// Cancels a scope's tasks when dropped (a no-op once they have all ended).
struct CancelOnDrop(Arc<ScopeState>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel_all();
        let stopping = {
            let inner = self.0.lock();
            inner.running > 0 || !inner.leftovers.is_empty()
        };
        if stopping {
            // Whoever drops the scope (a cancelled task, a timeout) waits until its tasks
            // have stopped, if it can.
            drain::leave(self.0.clone());
        }
    }
}

pin_project! {
    /// A task of a scope, as queued: reports to the scope how it ended, and stops when the
    /// scope says so.
    pub(crate) struct ScopeChild<F> {
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
            // What dropping its state leaves still stopping (its own scopes' tasks) keeps
            // the scope waiting, and whoever drops this task waits for it too.
            let ((), leftovers) = drain::collect(|| this.inner.set(None));
            leftovers.iter().cloned().for_each(drain::leave);
            if !*this.ended {
                *this.ended = true;
                this.scope.child_ended(None, leftovers);
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
                this.scope.child_ended(None, Vec::new());
                Poll::Ready(value)
            }
            Err(payload) => {
                crate::stderr::say_caught();
                // Its scopes' tasks are cancelled by this drop: the scope waits for them.
                let ((), leftovers) = drain::collect(|| this.inner.set(None));
                *this.ended = true;
                let failure = TaskError::Panicked {
                    task: *this.name,
                    message: payload_text(&*payload),
                };
                this.scope.child_ended(Some(failure), leftovers);
                // Already reported by the panic hook; let the task end as panicked.
                resume_unwind(payload)
            }
        }
    }
}
