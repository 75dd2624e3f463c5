//! `scheduler::interval(period)`: the first tick at once, then one every `period` on a grid
//! that does not drift; a late tick fires at once and the next is back on the grid; a
//! cancelled tick loses nothing. Exact under `virtual_time`; on the real clock, on both
//! flavours, every tick is due on the grid and none returns early. `tick()` is a statement
//! in a task body (this file denies `unused_must_use`).
#![deny(unused_must_use)]

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use std::sync::Arc;
use std::time::{Duration, Instant};

use scheduler::sync::Mutex;
use scheduler::{Interval, Scheduler, task};
use scheduler_workspace::panic_message;

const PERIOD: Duration = Duration::from_secs(10);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn virtual_scheduler() -> Scheduler {
    Scheduler::builder().virtual_time().build()
}

#[task]
fn five_ticks() -> Vec<Duration> {
    let start = scheduler::now();
    let mut every = scheduler::interval(PERIOD);
    let mut at = Vec::new();
    for _ in 0..5 {
        every.tick();
        at.push(scheduler::now() - start);
    }
    at
}

#[test]
fn ticks_come_at_exactly_0_p_2p_under_virtual_time() {
    let at = virtual_scheduler().run_until_finished(five_ticks, ());
    assert_eq!(at, [secs(0), secs(10), secs(20), secs(30), secs(40)]);
}

#[task]
fn work_between_ticks() -> Vec<Duration> {
    let start = scheduler::now();
    let mut every = scheduler::interval(PERIOD);
    let mut at = Vec::new();
    for _ in 0..5 {
        every.tick();
        at.push(scheduler::now() - start);
        scheduler::sleep(secs(3)); // work that takes time: the grid does not move
    }
    at
}

#[test]
fn work_between_ticks_does_not_make_them_drift() {
    let at = virtual_scheduler().run_until_finished(work_between_ticks, ());
    assert_eq!(at, [secs(0), secs(10), secs(20), secs(30), secs(40)]);
}

#[task]
fn late_tick() -> Vec<(Duration, Duration)> {
    let start = scheduler::now();
    let mut every = scheduler::interval(PERIOD);
    let mut ticks = Vec::new();
    for late_by in [0, 25, 0, 0] {
        scheduler::sleep(secs(late_by));
        let due = every.tick();
        ticks.push((due - start, scheduler::now() - start));
    }
    ticks
}

#[test]
fn a_late_tick_fires_at_once_and_the_next_is_back_on_the_grid() {
    // (due, fired): the tick due at 10 fires late, at 25, at once; 20 is skipped; then 30, 40.
    let ticks = virtual_scheduler().run_until_finished(late_tick, ());
    assert_eq!(
        ticks,
        [
            (secs(0), secs(0)),
            (secs(10), secs(25)),
            (secs(30), secs(30)),
            (secs(40), secs(40)),
        ]
    );
}

#[task]
fn tick_shared(every: Arc<Mutex<Interval>>) {
    every.lock().tick();
}

#[task]
fn a_cancelled_tick() -> Vec<Duration> {
    let start = scheduler::now();
    let every = Arc::new(Mutex::new(scheduler::interval(PERIOD)));
    every.lock().tick(); // at 0
    let ticker = scheduler::queue_to_run(tick_shared, (every.clone(),));
    scheduler::sleep(secs(4));
    ticker.cancel(); // it waited for the tick due at 10
    assert!(ticker.join().is_err());
    let cancelled_at = scheduler::now() - start;
    every.lock().tick(); // still the one due at 10
    vec![cancelled_at, scheduler::now() - start]
}

#[test]
fn a_cancelled_tick_loses_nothing_the_next_tick_is_the_same_one() {
    let at = virtual_scheduler().run_until_finished(a_cancelled_tick, ());
    assert_eq!(at, [secs(4), secs(10)]);
}

on_both_flavours!(on_the_real_clock_every_tick_is_due_on_the_grid_and_none_returns_early);

#[task]
fn on_the_real_clock_every_tick_is_due_on_the_grid_and_none_returns_early() {
    let period = Duration::from_millis(2);
    let before = Instant::now();
    let mut every = scheduler::interval(period);
    let first = every.tick();
    assert!(first >= before);
    for k in 1..=5u32 {
        let due = every.tick();
        let now = scheduler::now();
        // Late ticks (a busy machine) skip grid points, but always land on one.
        let offset = due - first;
        assert_eq!(
            offset.as_nanos() % period.as_nanos(),
            0,
            "tick {k} off the grid"
        );
        assert!(offset >= period * k, "tick {k} came before its turn");
        assert!(now >= due, "tick {k} returned before it was due");
    }
}

#[test]
fn a_zero_period_panics_saying_why() {
    let message = panic_message(|| {
        let _ = scheduler::interval(Duration::ZERO);
    });
    assert!(message.contains("interval(Duration::ZERO)"), "{message}");
}

#[test]
fn an_interval_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Interval>();
}
