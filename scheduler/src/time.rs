//! Timers: real ones on the timer wheel of the run loop that polls them (`wheel.rs`: one
//! per single-threaded scheduler, one per pool worker), or on async-io's reactor where no
//! scheduler runs (a plain thread, another executor) and for deadlines past the wheel's
//! range; or, on a scheduler built with `.virtual_time()`, virtual ones whose clock jumps
//! to the next deadline whenever no task is ready (tokio's `start_paused`): a test of an
//! hour-long timeout runs in milliseconds, deterministically.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::Ordering;
use core::task::{Context, Poll};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod clock;
mod park;
mod wheel;

use clock::NEVER;
pub(crate) use clock::VirtualClock;

pub(crate) use park::{block_on, park};

use wheel::Refused;
pub(crate) use wheel::Wheel;

/// The clock of the scheduler running on this thread, when it is virtual.
fn current_clock() -> Option<Arc<VirtualClock>> {
    crate::runtime::virtual_clock()
}

/// Now, on the running scheduler's clock: virtual under `.virtual_time()`, else real.
pub(crate) fn now() -> Instant {
    current_clock().map_or_else(Instant::now, |clock| clock.now())
}

/// A timer of `duration`, on the running scheduler's clock.
pub(crate) fn sleep(duration: Duration) -> Sleep {
    match current_clock() {
        None => match Instant::now().checked_add(duration) {
            Some(deadline) => Sleep::Wheel {
                deadline,
                timer: None,
            },
            None => Sleep::Real(async_io::Timer::never()),
        },
        Some(clock) => {
            let deadline = clock.deadline_after(duration);
            Sleep::Virtual {
                clock,
                deadline,
                id: None,
            }
        }
    }
}

/// A timer that fires at `at`, on the running scheduler's clock (a virtual `at` before the
/// clock started fires at once).
pub(crate) fn sleep_until(at: Instant) -> Sleep {
    match current_clock() {
        None => Sleep::Wheel {
            deadline: at,
            timer: None,
        },
        Some(clock) => {
            let since_start = at.saturating_duration_since(clock.start);
            let deadline = u64::try_from(since_start.as_nanos()).unwrap_or(u64::MAX);
            Sleep::Virtual {
                clock,
                deadline,
                id: None,
            }
        }
    }
}

/// `future`, started once `delay` has passed (from the task's first poll, on the clock of
/// the scheduler that runs it): the future of a `queue_to_run_after` task.
pub(crate) async fn after<F: Future>(delay: Duration, future: F) -> F::Output {
    sleep(delay).await;
    future.await
}

/// A timer: on a run loop's wheel, on async-io's reactor, or virtual.
pub(crate) enum Sleep {
    /// Due at `deadline`: on the wheel of the loop that first polled it (`timer`, with its
    /// key there), or not polled yet.
    Wheel {
        deadline: Instant,
        timer: Option<(Arc<Wheel>, usize)>,
    },
    /// Polled where no run loop has a wheel, past the wheel's range, or after its wheel's
    /// scheduler was dropped: async-io's reactor keeps it.
    Real(async_io::Timer),
    Virtual {
        clock: Arc<VirtualClock>,
        /// When it fires, in nanoseconds on the clock.
        deadline: u64,
        /// Its key in the clock's timers while it waits.
        id: Option<u64>,
    },
}

// Nothing in `Sleep` is pinned structurally: `Timer` is `Unpin`, the rest is plain data.
impl Unpin for Sleep {}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut *self {
            Sleep::Wheel { deadline, timer } => {
                let outcome = match timer {
                    Some((wheel, key)) => wheel.poll(*key, cx.waker()),
                    None => {
                        match crate::runtime::with_wheel(|wheel| {
                            let key = wheel.insert(*deadline, cx.waker())?;
                            Ok((wheel.clone(), key))
                        }) {
                            Some(Ok(registered)) => {
                                *timer = Some(registered);
                                Ok(false)
                            }
                            Some(Err(refused)) => Err(refused),
                            None => Err(Refused::Elsewhere),
                        }
                    }
                };
                match outcome {
                    Ok(false) => Poll::Pending,
                    Ok(true) | Err(Refused::Due) => {
                        *timer = None; // fired: the wheel forgot it
                        Poll::Ready(())
                    }
                    Err(Refused::Elsewhere) => {
                        // No wheel can keep it (the wheel dropped it if it had it).
                        *timer = None;
                        let at = *deadline;
                        *self = Sleep::Real(async_io::Timer::at(at));
                        self.poll(cx)
                    }
                }
            }
            Sleep::Real(timer) => Pin::new(timer).poll(cx).map(drop),
            Sleep::Virtual {
                clock,
                deadline,
                id,
            } => {
                if *deadline == NEVER {
                    return Poll::Pending; // only a cancel, through the task's waker, ends it
                }
                if clock.elapsed() >= *deadline {
                    if let Some(id) = id.take() {
                        clock.timers().remove(&(*deadline, id));
                    }
                    return Poll::Ready(());
                }
                let key = *id.get_or_insert_with(|| clock.next_id.fetch_add(1, Ordering::Relaxed));
                clock.timers().insert((*deadline, key), cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Sleep::Wheel {
            timer: Some((wheel, key)),
            ..
        } = self
        {
            wheel.cancel(*key);
        }
        if let Sleep::Virtual {
            clock,
            deadline,
            id: Some(id),
        } = self
        {
            clock.timers().remove(&(*deadline, *id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::task::Waker;

    /// Polls a virtual sleep of `duration` once, as a task would.
    fn start(clock: &Arc<VirtualClock>, duration: Duration) -> Sleep {
        let deadline = clock.deadline_after(duration);
        let mut sleep = Sleep::Virtual {
            clock: clock.clone(),
            deadline,
            id: None,
        };
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut sleep).poll(&mut cx).is_pending());
        sleep
    }

    #[test]
    fn the_virtual_clock_never_jumps_to_a_sleep_past_its_range() {
        let clock = Arc::new(VirtualClock::new());
        let forever = start(&clock, Duration::MAX);
        assert!(!clock.advance(), "a sleep of Duration::MAX is never due");
        assert_eq!(clock.elapsed(), 0);
        let second = start(&clock, Duration::from_secs(1));
        assert!(clock.advance());
        assert_eq!(
            clock.elapsed(),
            1_000_000_000,
            "a later sleep keeps its length"
        );
        drop((forever, second));
    }
}
