//! [`wait_all`], [`wait_all_results`], [`wait_any`]: waiting for many tasks at once.
//!
//! `wait_all` and `wait_any` poll only the handles that woke since they last looked (each
//! handle gets a waker of its own that records its index), so waiting for `n` tasks costs
//! `O(n)` polls in all, not `O(n)` per wake-up.

use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Wake;

use crate::lock::lock;
use crate::misuse;
use crate::pause::Pause;
use crate::reason::why;
use crate::task::TaskError;

/// ⏸ Waits until every task in `handles` has finished and gives their values in the order
/// of `handles` (asyncio's `gather`).
///
/// `handles` is any iterator of [`TaskHandle`](crate::TaskHandle)s (a `Vec` is the common case), or of
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
        why::WaitAll,
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
    Pause::because(why::WaitAll, gather(handles, |result| result))
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
        why::WaitAny,
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
        lock(&self.0)
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
