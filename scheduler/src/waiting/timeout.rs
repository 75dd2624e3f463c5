//! [`with_timeout`] and its error, [`TimedOut`].

use core::fmt;
use core::future::Future;
use std::panic::Location;
use std::time::Duration;

use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::Reason;
use crate::schedulable::Schedulable;

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
