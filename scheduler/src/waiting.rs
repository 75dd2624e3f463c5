//! Waiting for many things at once: [`wait_all`], [`wait_all_results`], [`wait_any`],
//! [`with_timeout`], and [`scope`] with its [`Scope`]. Each returns a [`Pause`], so in a
//! `#[task]` body it is a plain call that pauses the task.
//!
//! `wait_all` and `wait_any` poll only the handles that woke since they last looked (each
//! handle gets a waker of its own that records its index), so waiting for `n` tasks costs
//! `O(n)` polls in all, not `O(n)` per wake-up.

use core::fmt;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Wake;
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::misuse;
use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::Reason;
use crate::report::payload_text;
use crate::schedulable::Schedulable;
use crate::task_handle::{Canceller, TaskError, TaskHandle};

// ---------------------------------------------------------------------------------------
// wait_all, wait_all_results, wait_any
// ---------------------------------------------------------------------------------------

/// ⏸ Waits until every task in `handles` has finished and gives their values in the order
/// of `handles` (asyncio's `gather`).
///
/// `handles` is any iterator of [`TaskHandle`]s (a `Vec` is the common case), or of
/// `&mut TaskHandle`s to keep the handles. An empty one gives an empty `Vec` at once.
///
/// # Panics
///
/// As soon as one of the tasks fails (panics or is cancelled), with that task's
/// [`TaskError`] as the message, naming it: the failure is re-raised in the caller, as
/// `gather` does. The other tasks keep running. To get every outcome instead, use
/// [`wait_all_results`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn fetch(id: u32, millis: u64) -> u32 {
///     scheduler::sleep(Duration::from_millis(millis));
///     id * 10
/// }
///
/// #[scheduler::task]
/// fn fetch_all() -> Vec<u32> {
///     let handles = vec![
///         scheduler::queue_to_run(fetch, (1, 20)),
///         scheduler::queue_to_run(fetch, (2, 5)),
///         scheduler::queue_to_run(fetch, (3, 10)),
///     ];
///     scheduler::wait_all(handles) // in input order, whatever order they finish in
/// }
///
/// let values = scheduler::Scheduler::new().run_until_finished(fetch_all, ());
/// assert_eq!(values, [10, 20, 30]);
/// ```
#[track_caller]
pub fn wait_all<I, H, T>(handles: I) -> Pause<impl Future<Output = Vec<T>>>
where
    I: IntoIterator<Item = H>,
    H: Future<Output = Result<T, TaskError>> + Unpin,
{
    let site = Location::caller();
    Pause::because(
        Reason::WaitAll,
        gather(handles, move |result| match result {
            Ok(value) => value,
            Err(error) => panic!("{error} (re-raised by `scheduler::wait_all` at {site})"),
        }),
    )
}

/// Waits until every task in `handles` has finished and gives each one's outcome, passed
/// through `keep` as it arrives (`keep` may panic: `wait_all` re-raises a failure at once),
/// in the order of `handles`.
fn gather<I, H, T, U>(
    handles: I,
    mut keep: impl FnMut(Result<T, TaskError>) -> U,
) -> impl Future<Output = Vec<U>>
where
    I: IntoIterator<Item = H>,
    H: Future<Output = Result<T, TaskError>> + Unpin,
{
    let mut children = Children::new(handles);
    let mut kept: Vec<Option<U>> = (0..children.len()).map(|_| None).collect();
    let mut left = children.len();
    poll_fn(move |cx| {
        children.poll_woken(cx, |index, result| {
            kept[index] = Some(keep(result));
            left -= 1;
            left == 0
        });
        if left == 0 {
            Poll::Ready(
                kept.drain(..)
                    .map(|k| k.expect("every task gave its outcome"))
                    .collect(),
            )
        } else {
            Poll::Pending
        }
    })
}

/// ⏸ Waits until every task in `handles` has finished and gives each one's outcome, in the
/// order of `handles`: its value, or how it failed (asyncio's
/// `gather(return_exceptions=True)`). Never panics because a task failed.
///
/// # Examples
///
/// ```
/// use scheduler::TaskError;
///
/// #[scheduler::task]
/// fn check(n: u32) -> u32 {
///     assert!(n != 2, "two is not allowed");
///     n
/// }
///
/// #[scheduler::task]
/// fn check_all() -> Vec<Result<u32, TaskError>> {
///     let handles: Vec<_> = (1..=3).map(|n| scheduler::queue_to_run(check, (n,))).collect();
///     scheduler::wait_all_results(handles)
/// }
///
/// let results = scheduler::Scheduler::new().run_until_finished(check_all, ());
/// assert_eq!(results[0], Ok(1));
/// assert!(matches!(&results[1], Err(TaskError::Panicked { message, .. }) if message == "two is not allowed"));
/// assert_eq!(results[2], Ok(3));
/// ```
#[track_caller]
pub fn wait_all_results<I, H, T>(
    handles: I,
) -> Pause<impl Future<Output = Vec<Result<T, TaskError>>>>
where
    I: IntoIterator<Item = H>,
    H: Future<Output = Result<T, TaskError>> + Unpin,
{
    Pause::because(Reason::WaitAll, gather(handles, |result| result))
}

/// ⏸ Waits until the first of `handles` finishes and gives its index in `handles` and its
/// value (asyncio's `wait(..., return_when=FIRST_COMPLETED)`). The other tasks keep
/// running.
///
/// Pass `&mut handles` to keep the handles, to wait for the rest later or to cancel them.
/// The winner's handle has then given its value: take it out (`handles.swap_remove(index)`)
/// before waiting on the others again.
///
/// # Panics
///
/// When `handles` is empty (nothing could ever finish), and when the first task to finish
/// failed: its [`TaskError`] is re-raised in the caller, naming it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn mirror(millis: u64) -> u64 {
///     scheduler::sleep(Duration::from_millis(millis));
///     millis
/// }
///
/// #[scheduler::task]
/// fn fastest() -> (usize, u64) {
///     let mut handles = vec![
///         scheduler::queue_to_run(mirror, (3_600_000,)), // an hour
///         scheduler::queue_to_run(mirror, (1,)),
///     ];
///     let winner = scheduler::wait_any(&mut handles);
///     for loser in &handles {
///         loser.cancel(); // we kept the handles, so we can stop the others
///     }
///     winner
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(fastest, ()), (1, 1));
/// ```
#[track_caller]
pub fn wait_any<I, H, T>(handles: I) -> Pause<impl Future<Output = (usize, T)>>
where
    I: IntoIterator<Item = H>,
    H: Future<Output = Result<T, TaskError>> + Unpin,
{
    let site = Location::caller();
    let mut children = Children::new(handles);
    assert!(
        children.len() > 0,
        "`scheduler::wait_any` {}",
        misuse::WAIT_ANY_EMPTY
    );
    let mut first = None;
    Pause::because(
        Reason::WaitAny,
        poll_fn(move |cx| {
            children.poll_woken(cx, |index, result| {
                first = Some((index, result));
                true
            });
            match first.take() {
                Some((index, Ok(value))) => Poll::Ready((index, value)),
                Some((_, Err(error))) => {
                    panic!("{error} (re-raised by `scheduler::wait_any` at {site})")
                }
                None => Poll::Pending,
            }
        }),
    )
}

/// The handles `wait_all` and `wait_any` wait on, each polled only when it was woken.
struct Children<H> {
    /// `None` once the handle gave its outcome.
    handles: Vec<Option<H>>,
    /// One waker per handle, recording its index in `wakeups` when it fires.
    wakers: Vec<Waker>,
    wakeups: Arc<Wakeups>,
}

/// The indexes woken since the waiting task last looked, and that task's waker.
struct Wakeups(Mutex<WakeupsInner>);

struct WakeupsInner {
    /// Indexes to poll next, each at most once (`queued` says which are in here).
    woken: Vec<usize>,
    queued: Vec<bool>,
    /// The task that waits, woken whenever a handle is.
    waiter: Option<Waker>,
}

impl Wakeups {
    fn lock(&self) -> MutexGuard<'_, WakeupsInner> {
        // The lock is never held across user code, so a poisoned one is still consistent.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The waker a handle is polled with.
struct ChildWaker {
    index: usize,
    wakeups: Arc<Wakeups>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let waiter = {
            let mut inner = self.wakeups.lock();
            if !inner.queued[self.index] {
                inner.queued[self.index] = true;
                inner.woken.push(self.index);
            }
            inner.waiter.clone()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl<H: Future + Unpin> Children<H> {
    fn new(handles: impl IntoIterator<Item = H>) -> Self {
        let handles: Vec<Option<H>> = handles.into_iter().map(Some).collect();
        let n = handles.len();
        let wakeups = Arc::new(Wakeups(Mutex::new(WakeupsInner {
            woken: (0..n).collect(), // every handle is polled once at first
            queued: vec![true; n],
            waiter: None,
        })));
        let wakers = (0..n)
            .map(|index| {
                Waker::from(Arc::new(ChildWaker {
                    index,
                    wakeups: wakeups.clone(),
                }))
            })
            .collect();
        Children {
            handles,
            wakers,
            wakeups,
        }
    }

    fn len(&self) -> usize {
        self.handles.len()
    }

    /// Polls every handle woken since the last call, and hands each outcome to `ready`,
    /// which says whether to stop looking.
    fn poll_woken(
        &mut self,
        cx: &mut Context<'_>,
        mut ready: impl FnMut(usize, H::Output) -> bool,
    ) {
        let woken = {
            let mut inner = self.wakeups.lock();
            if !inner
                .waiter
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                inner.waiter = Some(cx.waker().clone());
            }
            core::mem::take(&mut inner.woken)
        };
        let mut woken = woken.into_iter();
        for index in woken.by_ref() {
            self.wakeups.lock().queued[index] = false;
            let Some(handle) = self.handles[index].as_mut() else {
                continue;
            };
            if let Poll::Ready(outcome) =
                Pin::new(handle).poll(&mut Context::from_waker(&self.wakers[index]))
            {
                self.handles[index] = None;
                if ready(index, outcome) {
                    break;
                }
            }
        }
        // Indexes not looked at yet (we stopped early) stay queued for the next call.
        let rest: Vec<usize> = woken.collect();
        if !rest.is_empty() {
            self.wakeups.lock().woken.extend(rest);
        }
    }
}

// ---------------------------------------------------------------------------------------
// with_timeout
// ---------------------------------------------------------------------------------------

/// The error of [`with_timeout`]: the function did not finish in time, and was cancelled.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn slow() {
///     scheduler::sleep(Duration::from_secs(3600));
/// }
///
/// #[scheduler::task]
/// fn impatient() -> scheduler::TimedOut {
///     scheduler::with_timeout(Duration::from_millis(5), slow, ()).unwrap_err()
/// }
///
/// let timed_out = scheduler::Scheduler::new().run_until_finished(impatient, ());
/// assert_eq!(timed_out.after(), Duration::from_millis(5));
/// assert!(timed_out.to_string().ends_with("slow` did not finish within 5ms"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut {
    task: TaskName,
    after: Duration,
}

impl TimedOut {
    /// The function that did not finish in time.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn forever() {
    ///     scheduler::sleep(std::time::Duration::from_secs(3600));
    /// }
    ///
    /// #[scheduler::task]
    /// fn try_it() -> String {
    ///     let error = scheduler::with_timeout(std::time::Duration::ZERO, forever, ()).unwrap_err();
    ///     error.task().to_string()
    /// }
    ///
    /// assert!(scheduler::Scheduler::new().run_until_finished(try_it, ()).ends_with("forever"));
    /// ```
    pub fn task(&self) -> TaskName {
        self.task
    }

    /// How long it was given.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// #[scheduler::task]
    /// fn forever() {
    ///     scheduler::sleep(Duration::from_secs(3600));
    /// }
    ///
    /// #[scheduler::task]
    /// fn try_it() -> Duration {
    ///     scheduler::with_timeout(Duration::from_millis(1), forever, ()).unwrap_err().after()
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(try_it, ()), Duration::from_millis(1));
    /// ```
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` did not finish within {:?}", self.task, self.after)
    }
}

impl std::error::Error for TimedOut {}

/// ⏸ Runs `f(args)` like [`run_until_finished`](crate::run_until_finished) (in the calling
/// task, pausing where `f` pauses), but gives up once `duration` has passed: then `f` is
/// stopped at the pause point it is waiting at, its state is dropped at once (drop guards
/// run, locks are released), and the result is `Err(TimedOut)` (asyncio's `wait_for`).
///
/// If `f` finishes as the time runs out, its value wins. A plain fn runs in one go and
/// cannot be stopped part way. Cancelling the calling task cancels `f` too.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn answer(millis: u64) -> u32 {
///     scheduler::sleep(Duration::from_millis(millis));
///     42
/// }
///
/// #[scheduler::task]
/// fn ask() -> (u32, bool) {
///     let quick = scheduler::with_timeout(Duration::from_secs(60), answer, (1,)).unwrap();
///     let slow = scheduler::with_timeout(Duration::from_millis(5), answer, (3_600_000,));
///     (quick, slow.is_err())
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(ask, ()), (42, true));
/// ```
#[track_caller]
pub fn with_timeout<F, Args, Kind>(
    duration: Duration,
    f: F,
    args: Args,
) -> Pause<impl Future<Output = Result<F::Output, TimedOut>>>
where
    F: Schedulable<Args, Kind>,
{
    let (future, task) = f.into_task(args, Location::caller());
    let timer = crate::time::sleep(duration);
    Pause::because(Reason::Sleep, async move {
        // `or` polls `f` first, so a value ready as the timer fires wins; whichever loses
        // is dropped here, before this returns.
        futures_lite::future::or(async { Ok(future.await) }, async {
            timer.await;
            Err(TimedOut {
                task,
                after: duration,
            })
        })
        .await
    })
}

// ---------------------------------------------------------------------------------------
// scope
// ---------------------------------------------------------------------------------------

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
