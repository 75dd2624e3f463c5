//! Timeouts on `scheduler::now()`'s clock: `timeout(d, future)` for any future,
//! `with_deadline(at, f, args)` and `sleep_until(at)` for an instant. On a virtual clock
//! (exact: the clock jumps to each deadline), and on a pool's real clock (never early).

use std::future::{Future, pending, ready};
use std::time::{Duration, Instant};

use scheduler::{Pause, Scheduler, TimedOut, task};
use scheduler_workspace::{DropCounter, DropToken};

const HOUR: Duration = Duration::from_secs(3600);

/// A future that never ends and holds `token` (async blocks are plain Rust here, outside a
/// task body).
async fn hold_forever(token: DropToken) {
    let _token = token;
    pending::<()>().await;
}

/// `timeout` around a pause value, made in plain code (a `#[task]` body would pause on
/// `wait(..)` where it is written).
fn wait_at_most<F: Future>(
    d: Duration,
    future: F,
) -> Pause<impl Future<Output = Result<F::Output, TimedOut>>> {
    scheduler::timeout(d, scheduler::wait(future))
}

#[task]
fn a_ready_future_in_time() -> Result<u32, TimedOut> {
    scheduler::timeout(HOUR, ready(7))
}

#[task]
fn a_future_that_never_ends(counter: DropCounter) -> (Result<(), TimedOut>, Duration, usize) {
    let start = scheduler::now();
    let result = scheduler::timeout(Duration::from_millis(250), hold_forever(counter.token()));
    (result, scheduler::now() - start, counter.alive())
}

#[task]
fn through_wait(counter: DropCounter) -> Result<(), TimedOut> {
    wait_at_most(Duration::from_millis(10), hold_forever(counter.token()))
}

#[task]
fn zero_time_for_a_ready_future() -> Result<&'static str, TimedOut> {
    scheduler::timeout(Duration::ZERO, ready("the work is polled first"))
}

#[task]
fn step(millis: u64) -> u64 {
    scheduler::sleep(Duration::from_millis(millis));
    millis
}

#[task]
fn no_pause() -> &'static str {
    "done before its first pause"
}

#[task]
fn steps_under_one_deadline() -> (Vec<Result<u64, TimedOut>>, Duration) {
    let start = scheduler::now();
    let deadline = start + Duration::from_millis(100);
    let mut results = Vec::new();
    for millis in [30, 30, 30, 30] {
        results.push(scheduler::with_deadline(deadline, step, (millis,)));
    }
    (results, scheduler::now() - start)
}

#[task]
fn a_deadline_already_passed() -> (Result<&'static str, TimedOut>, Result<u64, TimedOut>) {
    let past = scheduler::now();
    scheduler::sleep(Duration::from_millis(5));
    let plain = scheduler::with_deadline(past, no_pause, ());
    let pausing = scheduler::with_deadline(past, step, (1,));
    (plain, pausing)
}

#[task]
fn sleep_until_a_grid() -> Vec<Duration> {
    let start = scheduler::now();
    let mut at = start;
    let mut woke = Vec::new();
    for work in [10, 60, 0] {
        at += Duration::from_millis(100);
        scheduler::sleep(Duration::from_millis(work));
        scheduler::sleep_until(at);
        woke.push(scheduler::now() - start);
    }
    woke
}

#[task]
fn sleep_until_the_past() -> Duration {
    let start = scheduler::now();
    scheduler::sleep_until(start - Duration::from_secs(1));
    scheduler::now() - start
}

#[task]
fn sleep_until_never_wakes_early() -> (Instant, Instant) {
    let at = scheduler::now() + Duration::from_millis(5);
    scheduler::sleep_until(at);
    (at, scheduler::now())
}

mod on_a_virtual_clock {
    use super::*;

    fn virtual_time() -> Scheduler {
        Scheduler::builder().virtual_time().build()
    }

    #[test]
    fn timeout_gives_the_value_of_a_future_in_time() {
        assert_eq!(
            virtual_time().run_until_finished(a_ready_future_in_time, ()),
            Ok(7)
        );
    }

    #[test]
    fn timeout_gives_up_after_exactly_its_time_and_drops_the_future() {
        let counter = DropCounter::new();
        let (result, waited, alive) =
            virtual_time().run_until_finished(a_future_that_never_ends, (counter,));
        let timed_out = result.unwrap_err();
        assert_eq!(waited, Duration::from_millis(250));
        assert_eq!(timed_out.after(), Duration::from_millis(250));
        assert!(
            timed_out
                .task()
                .to_string()
                .starts_with("tests/timeouts.rs:"),
            "names the call site: {timed_out}"
        );
        assert_eq!(alive, 0, "the future was dropped before timeout returned");
    }

    #[test]
    fn timeout_takes_a_pause_value_made_in_plain_code() {
        let counter = DropCounter::new();
        let result = virtual_time().run_until_finished(through_wait, (counter.clone(),));
        assert!(result.is_err());
        assert_eq!(counter.alive(), 0);
    }

    #[test]
    fn a_value_ready_at_the_first_poll_wins_over_a_zero_timeout() {
        let result = virtual_time().run_until_finished(zero_time_for_a_ready_future, ());
        assert_eq!(result, Ok("the work is polled first"));
    }

    #[test]
    fn with_deadline_shares_one_deadline_between_steps() {
        let (results, took) = virtual_time().run_until_finished(steps_under_one_deadline, ());
        assert_eq!(results[..3], [Ok(30), Ok(30), Ok(30)]);
        let timed_out = results[3].unwrap_err();
        assert_eq!(
            timed_out.after(),
            Duration::from_millis(10),
            "what was left"
        );
        assert!(
            timed_out.task().to_string().ends_with("step"),
            "{timed_out}"
        );
        assert_eq!(took, Duration::from_millis(100));
    }

    #[test]
    fn a_deadline_already_passed_lets_the_work_run_to_its_first_pause() {
        let (plain, pausing) = virtual_time().run_until_finished(a_deadline_already_passed, ());
        assert_eq!(plain, Ok("done before its first pause"));
        assert_eq!(pausing.unwrap_err().after(), Duration::ZERO);
    }

    #[test]
    fn sleep_until_keeps_a_grid_whatever_the_work_took() {
        let woke = virtual_time().run_until_finished(sleep_until_a_grid, ());
        assert_eq!(woke, [100, 200, 300].map(Duration::from_millis));
    }

    #[test]
    fn sleep_until_an_instant_passed_returns_at_once() {
        assert_eq!(
            virtual_time().run_until_finished(sleep_until_the_past, ()),
            Duration::ZERO
        );
    }
}

mod on_two_threads {
    use super::*;

    fn pool() -> Scheduler<scheduler::MultiThread> {
        Scheduler::builder().threads(2).build()
    }

    #[test]
    fn timeout_gives_the_value_of_a_future_in_time() {
        assert_eq!(pool().run_until_finished(a_ready_future_in_time, ()), Ok(7));
    }

    #[test]
    fn timeout_gives_up_and_drops_the_future() {
        let counter = DropCounter::new();
        let (result, waited, alive) =
            pool().run_until_finished(a_future_that_never_ends, (counter,));
        assert!(result.is_err());
        assert!(
            waited >= Duration::from_millis(250),
            "never early: {waited:?}"
        );
        assert_eq!(alive, 0);
    }

    #[test]
    fn sleep_until_never_wakes_before_its_instant() {
        let (at, woke) = pool().run_until_finished(sleep_until_never_wakes_early, ());
        assert!(woke >= at);
    }
}
