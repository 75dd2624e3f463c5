//! Giving up in time: [`with_timeout`], [`with_deadline`], [`timeout`], and their error,
//! [`TimedOut`].

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::Location;
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::drain::{self, Pending};
use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::why;
use crate::schedulable::Schedulable;
use crate::time::Sleep;

/// The error of [`with_timeout`], [`with_deadline`] and [`timeout`]: the work did not
/// finish in time, and was cancelled.
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
    /// The function that did not finish in time (for [`timeout`], the `file:line` it was
    /// called at).
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

    /// How long it was given (for [`with_deadline`], the time left to the deadline when it
    /// was called).
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
/// stopped at the pause point it is waiting at, its state is dropped (drop guards run, locks
/// are released), and the result is `Err(TimedOut)` (asyncio's `wait_for`).
///
/// If `f` finishes as the time runs out, its value wins. A plain fn runs in one go and
/// cannot be stopped part way. Cancelling the calling task cancels `f` too. The time is on
/// [`now()`](crate::now)'s clock (virtual under [`virtual_time`](crate::Builder::virtual_time)).
///
/// # Cancellation
///
/// Finished when it returns: if `f` runs a [`scope`](crate::scope), `Err(TimedOut)` comes
/// only once every task of that scope has stopped with its state dropped (the sockets and
/// locks they held are free by then), even those running on other workers of a pool.
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
    Pause::because(why::Sleep, Deadline::new(future, timer, task, duration))
}

/// ⏸ Runs `f(args)` like [`with_timeout`], until the instant `at` on
/// [`now()`](crate::now)'s clock (virtual under [`virtual_time`](crate::Builder::virtual_time))
/// rather than for a duration: for several steps that share one deadline (Trio's
/// `move_on_at`, asyncio's `timeout_at`). A deadline already passed still lets `f` run up
/// to its first pause point.
///
/// # Cancellation
///
/// As for [`with_timeout`]: `Err(TimedOut)` comes once what `f` cancelled has stopped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn step(millis: u64) -> u64 {
///     scheduler::sleep(Duration::from_millis(millis));
///     millis
/// }
///
/// #[scheduler::task]
/// fn three_steps() -> Vec<Result<u64, scheduler::TimedOut>> {
///     let deadline = scheduler::now() + Duration::from_millis(100);
///     let mut results = Vec::new();
///     for millis in [40, 40, 40] {
///         // 40 ms, then 40 ms more, then the third step has only 20 ms left.
///         results.push(scheduler::with_deadline(deadline, step, (millis,)));
///     }
///     results
/// }
///
/// let s = scheduler::Scheduler::builder().virtual_time().build();
/// let results = s.run_until_finished(three_steps, ());
/// assert_eq!(results[..2], [Ok(40), Ok(40)]);
/// assert_eq!(results[2].unwrap_err().after(), Duration::from_millis(20));
/// ```
#[track_caller]
pub fn with_deadline<F, Args, Kind>(
    at: Instant,
    f: F,
    args: Args,
) -> Pause<impl Future<Output = Result<F::Output, TimedOut>>>
where
    F: Schedulable<Args, Kind>,
{
    let (future, task) = f.into_task(args, Location::caller());
    let left = at.saturating_duration_since(crate::time::now());
    let timer = crate::time::sleep_until(at);
    Pause::because(why::Sleep, Deadline::new(future, timer, task, left))
}

/// ⏸ Waits for any future (as [`wait`](crate::wait) does) for at most `duration`: gives its
/// output, or `Err(TimedOut)` once `duration` has passed, the future then dropped (asyncio's
/// `wait_for` on a coroutine, tokio's `time::timeout`). The [`TimedOut`] names the call site.
///
/// Any future works: one of another library, or a pause value, such as
/// `timeout(d, scheduler::wait(fut))` or `timeout(d, rx.recv())`. The time is on
/// [`now()`](crate::now)'s clock (virtual under [`virtual_time`](crate::Builder::virtual_time)).
///
/// # Cancellation
///
/// On time out the future is dropped, and `Err(TimedOut)` comes once what that drop
/// cancelled (the tasks of a [`scope`](crate::scope) inside it) has stopped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn receive() -> (u32, bool) {
///     let (tx, rx) = async_channel::bounded(1);
///     tx.try_send(7).unwrap();
///     let first = scheduler::timeout(Duration::from_secs(1), rx.recv()).unwrap().unwrap();
///     // Nothing more is sent: this one gives up after 10 ms.
///     let second = scheduler::timeout(Duration::from_millis(10), rx.recv());
///     (first, second.is_err())
/// }
///
/// let s = scheduler::Scheduler::builder().virtual_time().build();
/// assert_eq!(s.run_until_finished(receive, ()), (7, true));
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(
    duration: Duration,
    future: F,
) -> Pause<impl Future<Output = Result<F::Output, TimedOut>>> {
    let task = TaskName::site(Location::caller());
    let timer = crate::time::sleep(duration);
    Pause::because(
        why::Sleep,
        Deadline::new(future.into_future(), timer, task, duration),
    )
}

pin_project! {
    /// `work`, given up when `timer` fires first; what dropping it leaves stopping is
    /// waited for before the `TimedOut`.
    struct Deadline<F> {
        #[pin]
        work: Option<F>,
        timer: Sleep,
        // Set when the time ran out: the shutdowns left by dropping `work`.
        stopping: Option<Vec<Pending>>,
        task: TaskName,
        after: Duration,
    }

    impl<F> PinnedDrop for Deadline<F> {
        fn drop(this: Pin<&mut Self>) {
            // Dropped while it waits for them (the task around it was cancelled): whoever
            // dropped it waits instead.
            let this = this.project();
            this.stopping.take().into_iter().flatten().for_each(drain::leave);
        }
    }
}

impl<F> Deadline<F> {
    fn new(work: F, timer: Sleep, task: TaskName, after: Duration) -> Self {
        Deadline {
            work: Some(work),
            timer,
            stopping: None,
            task,
            after,
        }
    }
}

impl<F: Future> Future for Deadline<F> {
    type Output = Result<F::Output, TimedOut>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if this.stopping.is_none() {
            // The work first, so that a value ready as the timer fires wins.
            let work = this
                .work
                .as_mut()
                .as_pin_mut()
                .expect("a timeout was polled after it ended");
            let mark = crate::stack::mark();
            if let Poll::Ready(value) = work.poll(cx) {
                this.work.set(None);
                return Poll::Ready(Ok(value));
            }
            if Pin::new(&mut *this.timer).poll(cx).is_pending() {
                return Poll::Pending;
            }
            // The work paused, but the task does not pause there: what it pushed on the
            // pause stack is not where the task is.
            crate::stack::back_to(mark);
            let ((), stopping) = drain::collect(|| this.work.set(None));
            *this.stopping = Some(stopping);
        }
        let stopping = this.stopping.as_mut().expect("set above");
        if drain::poll_all(stopping, cx).is_pending() {
            return Poll::Pending;
        }
        *this.stopping = Some(Vec::new());
        Poll::Ready(Err(TimedOut {
            task: *this.task,
            after: *this.after,
        }))
    }
}
