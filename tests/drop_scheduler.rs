//! A scheduler dropped with work left cancels it at once (never-started tasks' arguments
//! and sleeping tasks' state are dropped) and says so on stderr, naming the tasks.

use std::sync::Arc;
use std::time::Duration;

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{DropCounter, DropToken, in_child, run_child};

#[task]
fn sleeper(_guard: DropToken) {
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn never_started(_guard: DropToken) {}

#[test]
fn dropping_a_scheduler_drops_every_task_state_at_once() {
    let counter = DropCounter::new();
    let s = Scheduler::new();
    let asleep = s.queue_to_run(sleeper, (counter.token(),));
    s.run_until_finished(scheduler::yield_now, ()); // `sleeper` starts and falls asleep
    let queued = s.queue_to_run(never_started, (counter.token(),));
    assert_eq!(counter.alive(), 2);
    drop(s);
    assert_eq!(counter.alive(), 0);
    assert!(asleep.is_finished() && queued.is_finished());
    let result = futures_lite::future::block_on(asleep);
    assert!(
        matches!(result, Err(TaskError::Cancelled { .. })),
        "{result:?}"
    );
}

#[test]
fn dropping_a_scheduler_with_tasks_left_names_them_on_stderr() {
    if in_child() {
        let counter = DropCounter::new();
        let s = Scheduler::new();
        s.queue_to_run(sleeper, (counter.token(),));
        s.run_until_finished(scheduler::yield_now, ());
        s.queue_to_run(never_started, (counter.token(),));
        return; // `s` is dropped here
    }
    let (ok, stderr) = run_child("dropping_a_scheduler_with_tasks_left_names_them_on_stderr");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(
            "scheduler dropped with 2 unfinished tasks: `drop_scheduler::sleeper`, \
             `drop_scheduler::never_started`; they were cancelled"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("call `Scheduler::run()`"), "{stderr}");
}

#[test]
fn dropping_an_empty_scheduler_says_nothing() {
    if in_child() {
        let s = Scheduler::new();
        s.queue_to_run(|| 1, ());
        s.run();
        return;
    }
    let (ok, stderr) = run_child("dropping_an_empty_scheduler_says_nothing");
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("scheduler dropped"), "{stderr}");
}

#[task]
fn spins() {
    loop {
        scheduler::yield_now();
    }
}

#[task]
fn says_then_spins(started: std::sync::mpsc::Sender<()>) {
    scheduler::yield_now(); // registered: it paused once
    started.send(()).unwrap();
    spins();
}

#[test]
fn a_started_task_that_is_queued_again_is_named_once() {
    if in_child() {
        let s = Scheduler::new();
        s.queue_to_run(spins, ());
        s.run_until_finished(scheduler::yield_now, ()); // `spins` started, and is queued again
        drop(s);
        let pool = Scheduler::builder().threads(1).build();
        let (started, has_started) = std::sync::mpsc::channel();
        pool.queue_to_run(says_then_spins, (started,));
        has_started.recv().unwrap(); // it started, and is queued again at its next yield
        return; // the pool is dropped here
    }
    let (ok, stderr) = run_child("a_started_task_that_is_queued_again_is_named_once");
    assert!(ok, "{stderr}");
    for task in ["spins", "says_then_spins"] {
        let line = format!("scheduler dropped with 1 unfinished task: `drop_scheduler::{task}`");
        assert_eq!(stderr.matches(&line).count(), 1, "{stderr}");
    }
}

#[task]
fn parked_forever(event: Arc<scheduler::sync::Event>) {
    event.wait();
}

#[test]
fn a_scheduler_dropped_with_many_tasks_says_how_many_of_each_name_in_one_short_line() {
    if in_child() {
        let s = Scheduler::new();
        let event = Arc::new(scheduler::sync::Event::new());
        for _ in 0..10_000 {
            s.queue_to_run(parked_forever, (event.clone(),));
        }
        s.run_until_finished(scheduler::yield_now, ()); // they all started, and wait
        s.queue_to_run(spins, ());
        return; // `s` is dropped here
    }
    let (ok, stderr) = run_child(
        "a_scheduler_dropped_with_many_tasks_says_how_many_of_each_name_in_one_short_line",
    );
    assert!(ok, "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.starts_with("scheduler dropped"))
        .unwrap_or_else(|| panic!("no drop report: {stderr}"));
    assert!(
        line.starts_with(
            "scheduler dropped with 10001 unfinished tasks: by name 10000 \
             `drop_scheduler::parked_forever`, 1 `drop_scheduler::spins`; the first 5: \
             `drop_scheduler::parked_forever`, "
        ),
        "{line}"
    );
    assert!(line.contains("call `Scheduler::run()`"), "{line}");
    assert!(
        line.len() < 600,
        "one short line, not a list of 10,001 names: {line}"
    );
}
