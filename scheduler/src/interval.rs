//! [`interval`]: ticks on a fixed grid (Go's `time.Tick`), on the scheduler's clock.

use core::fmt;
use core::future::Future;
use std::time::{Duration, Instant};

use crate::pause::Pause;
use crate::reason::why;

/// Ticks `period` apart, from now: the first [`tick`](Interval::tick) returns at once, the
/// next at now + `period`, then now + 2 × `period`, and so on, without drift (each
/// deadline is counted from the start, not from when the last tick returned). Go's
/// `time.Tick`, tokio's `interval`.
///
/// A tick that is late (the task did something longer than `period` since the last one)
/// returns at once, and the next one is back on the grid: the ticks missed meanwhile are
/// skipped, not fired in a burst.
///
/// The clock is [`scheduler::now()`](crate::now)'s: under
/// [`virtual_time`](crate::Builder::virtual_time) the ticks are exact (at 0, `period`,
/// 2 × `period`, ... after the interval was made), and an hour of ticks takes no time.
/// Make the interval in the task that ticks it, so that it starts on that clock.
///
/// # Panics
///
/// When `period` is zero.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn heartbeat() -> Vec<Duration> {
///     let start = scheduler::now();
///     let mut every = scheduler::interval(Duration::from_secs(10));
///     let mut beats = Vec::new();
///     for _ in 0..4 {
///         every.tick(); // pauses until the next grid point
///         beats.push(scheduler::now() - start);
///     }
///     beats
/// }
///
/// let s = scheduler::Scheduler::builder().virtual_time().build();
/// let secs = |n| Duration::from_secs(n);
/// assert_eq!(s.run_until_finished(heartbeat, ()), [secs(0), secs(10), secs(20), secs(30)]);
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "{}", crate::misuse::ZERO_PERIOD);
    Interval {
        period,
        next: crate::time::now(),
    }
}

/// Ticks on a grid `period` apart: made by [`interval`].
///
/// # Examples
///
/// ```
/// let every = scheduler::interval(std::time::Duration::from_millis(5));
/// assert_eq!(every.period(), std::time::Duration::from_millis(5));
/// ```
pub struct Interval {
    period: Duration,
    /// When the next tick is due: a point of the grid.
    next: Instant,
}

impl Interval {
    /// ⏸ Pauses the task until the next tick is due, and gives the instant it was due at
    /// (a point of the grid; `scheduler::now()` may be later, for a late tick). Called as a
    /// statement: `every.tick();`.
    ///
    /// A late tick returns at once (without pausing), and the next one is due at the first
    /// grid point after now. Cancelling a task paused here loses nothing: the tick it
    /// waited for is still the next one.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// #[scheduler::task]
    /// fn late() -> Vec<Duration> {
    ///     let start = scheduler::now();
    ///     let mut every = scheduler::interval(Duration::from_secs(10));
    ///     every.tick(); // at 0
    ///     scheduler::sleep(Duration::from_secs(25)); // misses the ticks due at 10 and 20
    ///     let late = every.tick(); // at once, at 25: it was due at 10
    ///     let late_at = scheduler::now() - start;
    ///     every.tick(); // at 30: back on the grid
    ///     vec![late - start, late_at, scheduler::now() - start]
    /// }
    ///
    /// let s = scheduler::Scheduler::builder().virtual_time().build();
    /// let secs = |n| Duration::from_secs(n);
    /// assert_eq!(s.run_until_finished(late, ()), [secs(10), secs(25), secs(30)]);
    /// ```
    #[track_caller]
    pub fn tick(&mut self) -> Pause<impl Future<Output = Instant>> {
        Pause::because(why::Sleep, async move {
            let due = self.next;
            let now = crate::time::now();
            if now < due {
                crate::time::sleep(due - now).await;
            }
            self.next = next_after(due, self.period, crate::time::now());
            due
        })
    }

    /// The time between two ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// let every = scheduler::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(every.period(), std::time::Duration::from_secs(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }
}

/// The first point of the grid `due + k × period` (k ≥ 1) that is after `now`, or just
/// `due + period` when that is not past yet.
fn next_after(due: Instant, period: Duration, now: Instant) -> Instant {
    let next = due + period;
    if next > now {
        return next;
    }
    // Late: skip the grid points already past.
    let behind = (now - due).as_nanos();
    let periods = behind / period.as_nanos() + 1;
    let skip = u32::try_from(periods).map_or(Duration::MAX, |k| period.saturating_mul(k));
    due.checked_add(skip).unwrap_or(next)
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("period", &self.period)
            .field("next", &self.next)
            .finish()
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Interval>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_tick_after_a_late_one_is_the_first_grid_point_after_now() {
        let t0 = Instant::now();
        let p = Duration::from_millis(10);
        let ms = Duration::from_millis;
        assert_eq!(next_after(t0, p, t0), t0 + ms(10));
        assert_eq!(next_after(t0, p, t0 + ms(9)), t0 + ms(10));
        assert_eq!(next_after(t0, p, t0 + ms(10)), t0 + ms(20));
        assert_eq!(next_after(t0, p, t0 + ms(25)), t0 + ms(30));
    }
}
