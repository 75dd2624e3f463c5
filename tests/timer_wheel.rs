//! The timer wheel under `sleep`, `sleep_until` and the timeouts (issue 22): each run loop
//! keeps its tasks' timers in a wheel of its own (one per single-threaded scheduler, one per
//! pool worker) and parks until the next deadline. These tests check the promises of
//! `API.md` on both flavours: a sleep never ends before its deadline, sleepers wake in
//! deadline order, and a sleep works wherever it is polled (on no scheduler, after its
//! scheduler is gone, past the wheel's range).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scheduler::{Scheduler, task};
use scheduler_workspace::Watchdog;

const LIMIT: Duration = Duration::from_secs(30);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[task]
fn sleep_until_and_note(index: usize, at: Instant, order: Arc<Mutex<Vec<usize>>>) {
    scheduler::sleep_until(at);
    order.lock().unwrap().push(index);
}

#[task]
fn sleepers_in_scrambled_order() -> Vec<usize> {
    let order = Arc::new(Mutex::new(Vec::new()));
    // Deadlines 50 µs apart (ten of them share a tick of the wheel), queued out of order:
    // they wake earliest first.
    let base = Instant::now() + ms(5);
    let steps = [5, 1, 7, 3, 8, 2, 6, 4, 0, 9, 15, 11, 13, 10, 14, 12];
    let handles: Vec<_> = steps
        .iter()
        .map(|&n| {
            let at = base + Duration::from_micros(50 * n as u64);
            scheduler::queue_to_run(sleep_until_and_note, (n, at, order.clone()))
        })
        .collect();
    scheduler::wait_all(handles);
    order.lock().unwrap().clone()
}

#[test]
fn sleepers_wake_in_deadline_order_even_within_one_tick() {
    let _watchdog = Watchdog::new(LIMIT, "sleepers in deadline order");
    let order = Scheduler::new().run_until_finished(sleepers_in_scrambled_order, ());
    assert_eq!(order, (0..16).collect::<Vec<_>>());
}

#[task]
fn sleep_and_measure(length: Duration) -> Duration {
    let start = Instant::now();
    scheduler::sleep(length);
    let slept = start.elapsed();
    assert!(
        slept >= length,
        "a sleep of {length:?} ended after {slept:?}"
    );
    slept
}

#[task]
fn many_sleepers(count: u64) -> usize {
    let handles: Vec<_> = (0..count)
        .map(|n| {
            scheduler::queue_to_run(sleep_and_measure, (Duration::from_micros(n * 97 % 5_000),))
        })
        .collect();
    scheduler::wait_all(handles).len()
}

#[test]
fn no_sleep_ends_before_its_deadline_on_one_thread() {
    let _watchdog = Watchdog::new(LIMIT, "sleepers on one thread");
    assert_eq!(
        Scheduler::new().run_until_finished(many_sleepers, (300,)),
        300
    );
}

#[test]
fn no_sleep_ends_before_its_deadline_on_a_pool() {
    let _watchdog = Watchdog::new(LIMIT, "sleepers on a pool");
    let pool = Scheduler::builder().threads(2).build();
    assert_eq!(pool.run_until_finished(many_sleepers, (300,)), 300);
}

#[task]
fn sleep_until_in_a_loop(step: Duration, steps: u32) -> Vec<Duration> {
    let start = scheduler::now();
    let mut woke = Vec::new();
    for n in 1..=steps {
        scheduler::sleep_until(start + step * n);
        woke.push(scheduler::now() - start);
    }
    woke
}

#[test]
fn sleep_until_never_wakes_early_on_either_flavour() {
    let _watchdog = Watchdog::new(LIMIT, "sleep_until in a loop");
    let one = Scheduler::new().run_until_finished(sleep_until_in_a_loop, (ms(2), 10));
    let pool = Scheduler::builder().threads(2).build();
    let two = pool.run_until_finished(sleep_until_in_a_loop, (ms(2), 10));
    for woke in [one, two] {
        for (n, at) in woke.iter().enumerate() {
            assert!(*at >= ms(2) * (n as u32 + 1), "step {n} woke at {at:?}");
        }
    }
}

#[test]
fn virtual_time_stays_exact_over_a_thousand_short_sleeps() {
    let s = Scheduler::builder().virtual_time().build();
    let woke = s.run_until_finished(sleep_until_in_a_loop, (ms(1), 1_000));
    assert_eq!(woke.last(), Some(&Duration::from_secs(1)));
    assert!(
        woke.iter()
            .enumerate()
            .all(|(n, at)| *at == ms(n as u64 + 1))
    );
}

#[test]
fn a_sleep_polled_on_no_scheduler_ends_on_async_io() {
    let _watchdog = Watchdog::new(LIMIT, "a sleep on a plain thread");
    let start = Instant::now();
    // A pause value is a future: plain code on a plain thread can block on it.
    futures_lite::future::block_on(scheduler::sleep(ms(5)));
    assert!(start.elapsed() >= ms(5));
}

/// Polls `future` once, from whatever runs this.
fn poll_once<F: core::future::Future + Unpin>(future: &mut F) -> bool {
    futures_lite::future::block_on(futures_lite::future::poll_once(future)).is_some()
}

#[test]
fn a_sleep_that_outlives_its_scheduler_ends_on_async_io() {
    let _watchdog = Watchdog::new(LIMIT, "a sleep kept after its scheduler");
    let start = Instant::now();
    let mut sleep = Box::pin(scheduler::sleep(ms(20)));
    let s = Scheduler::new();
    // First polled by a task of `s`: it goes on that loop's wheel.
    let done = s.run_until_finished(|| poll_once(&mut sleep), ());
    assert!(!done, "not due yet");
    drop(s);
    // The wheel is gone: the sleep moves to async-io and still ends, not before time.
    futures_lite::future::block_on(sleep);
    assert!(start.elapsed() >= ms(20));
}

#[task]
fn beyond_the_wheel() -> bool {
    // Past the wheel's range (73 years): async-io keeps that timer.
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    let quick = scheduler::timeout(century, scheduler::sleep(ms(1)));
    let cancelled = scheduler::with_timeout(ms(1), scheduler::sleep, (century,));
    quick.is_ok() && cancelled.is_err()
}

#[test]
fn timeouts_past_the_wheels_range_work_on_both_flavours() {
    let _watchdog = Watchdog::new(LIMIT, "timeouts past the wheel's range");
    assert!(Scheduler::new().run_until_finished(beyond_the_wheel, ()));
    let pool = Scheduler::builder().threads(2).build();
    assert!(pool.run_until_finished(beyond_the_wheel, ()));
}

#[task]
fn cancel_a_long_sleeper() -> bool {
    let sleeper = scheduler::queue_to_run(scheduler::sleep, (Duration::from_secs(3600),));
    scheduler::sleep(ms(1));
    sleeper.cancel();
    sleeper.join().is_err()
}

#[test]
fn a_cancelled_sleeper_leaves_at_once_on_both_flavours() {
    let _watchdog = Watchdog::new(LIMIT, "a cancelled hour-long sleep");
    assert!(Scheduler::new().run_until_finished(cancel_a_long_sleeper, ()));
    let pool = Scheduler::builder().threads(2).build();
    assert!(pool.run_until_finished(cancel_a_long_sleeper, ()));
    // And `run()` returns: no timer of the cancelled task keeps the loop waiting.
    let s = Scheduler::new();
    s.queue_to_run(cancel_a_long_sleeper, ());
    s.run();
}
