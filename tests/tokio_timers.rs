//! With the `tokio` feature, tokio's timers work in tasks on both flavours: a
//! `tokio::time::sleep` made inside a task (or in plain code, as an argument of
//! `run_until_finished`) is driven by the shared tokio runtime, never wakes early, and
//! tokio's `timeout`, `interval` and `spawn` work through `scheduler::wait(..)`; blocking
//! code in `run_in_thread` can block on a tokio future.

use std::time::Duration;

use scheduler::{Scheduler, task};
use tokio::time::Instant;

const NAP: Duration = Duration::from_millis(20);

/// Sleeps with tokio's timer, made here in the task, and gives how long it slept.
#[task]
fn tokio_nap() -> Duration {
    let start = Instant::now();
    scheduler::wait(tokio::time::sleep(NAP));
    start.elapsed()
}

/// Naps in three tasks at once and gives what each slept.
#[task]
fn three_naps() -> Vec<Duration> {
    let naps: Vec<_> = (0..3)
        .map(|_| scheduler::queue_to_run(tokio_nap, ()))
        .collect();
    scheduler::wait_all(naps)
}

#[test]
fn a_tokio_sleep_made_in_a_task_wakes_it_no_earlier_than_asked_on_one_thread() {
    let slept = Scheduler::new().run_until_finished(three_naps, ());
    assert!(slept.iter().all(|&d| d >= NAP), "{slept:?}");
}

#[test]
fn a_tokio_sleep_made_in_a_task_wakes_it_no_earlier_than_asked_on_two_threads() {
    let slept = Scheduler::builder()
        .threads(2)
        .build()
        .run_until_finished(three_naps, ());
    assert!(slept.iter().all(|&d| d >= NAP), "{slept:?}");
}

/// Waits for a tokio future that plain code made.
#[task]
fn sleep_on(sleep: tokio::time::Sleep) -> bool {
    scheduler::wait(sleep);
    true
}

#[test]
fn plain_code_can_make_a_tokio_sleep_for_a_task_on_one_thread() {
    let s = Scheduler::new();
    assert!(s.run_until_finished(sleep_on, (tokio::time::sleep(NAP),)));
}

#[test]
fn plain_code_can_make_a_tokio_sleep_for_a_task_on_two_threads() {
    let s = Scheduler::builder().threads(2).build();
    assert!(s.run_until_finished(sleep_on, (tokio::time::sleep(NAP),)));
}

/// tokio's `timeout` around a long sleep, its `interval`, and a task `tokio::spawn`ed on the
/// shared runtime: what the task saw of each.
#[task]
fn timeout_interval_and_spawn() -> (bool, u32, bool) {
    let timed_out = scheduler::wait(tokio::time::timeout(
        NAP,
        tokio::time::sleep(Duration::from_secs(3600)),
    ))
    .is_err();
    let mut interval = tokio::time::interval(Duration::from_millis(1));
    let mut ticks = 0;
    for _ in 0..3 {
        scheduler::wait(interval.tick());
        ticks += 1;
    }
    let spawned = scheduler::wait(tokio::spawn(tokio::time::sleep(NAP))).is_ok();
    (timed_out, ticks, spawned)
}

#[test]
fn tokio_timeout_interval_and_spawn_work_in_a_task_on_one_thread() {
    let seen = Scheduler::new().run_until_finished(timeout_interval_and_spawn, ());
    assert_eq!(seen, (true, 3, true));
}

#[test]
fn tokio_timeout_interval_and_spawn_work_in_a_task_on_two_threads() {
    let seen = Scheduler::builder()
        .threads(2)
        .build()
        .run_until_finished(timeout_interval_and_spawn, ());
    assert_eq!(seen, (true, 3, true));
}

/// Blocks a `run_in_thread` thread on a tokio sleep made there.
#[task]
fn block_on_a_tokio_sleep_in_a_thread() -> bool {
    scheduler::run_in_thread(
        || {
            let handle = tokio::runtime::Handle::current();
            handle.block_on(tokio::time::sleep(NAP));
            true
        },
        (),
    )
}

#[test]
fn run_in_thread_can_block_on_a_tokio_future_on_one_thread() {
    assert!(Scheduler::new().run_until_finished(block_on_a_tokio_sleep_in_a_thread, ()));
}

#[test]
fn run_in_thread_can_block_on_a_tokio_future_on_two_threads() {
    let s = Scheduler::builder().threads(2).build();
    assert!(s.run_until_finished(block_on_a_tokio_sleep_in_a_thread, ()));
}
