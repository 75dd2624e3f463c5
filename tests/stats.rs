//! `Scheduler::stats()` on both flavours: tasks queued, running, finished, cancelled,
//! panicked; polls; poll time per task name when measured (and only then).

use std::rc::Rc;
use std::time::Duration;

use scheduler::{Scheduler, task};

#[task]
fn yields_twice() {
    scheduler::yield_now();
    scheduler::yield_now();
}

#[task]
fn panics() {
    panic!("on purpose");
}

#[task]
fn busy() {
    std::thread::sleep(Duration::from_millis(5));
}

#[test]
fn a_single_threaded_scheduler_counts_its_tasks_and_polls() {
    let s = Scheduler::new();
    s.queue_to_run(yields_twice, ());
    s.queue_to_run(panics, ());
    let cancelled = s.queue_to_run(yields_twice, ());
    cancelled.cancel();
    let before = s.stats();
    assert_eq!((before.queued, before.polls, before.finished), (3, 0, 0));
    s.run();
    let after = s.stats();
    assert_eq!(after.queued, 0);
    assert_eq!(after.running, 0);
    assert_eq!(after.paused, 0);
    assert_eq!((after.finished, after.cancelled, after.panicked), (1, 1, 1));
    assert_eq!(
        after.polls,
        3 + 1,
        "three polls of yields_twice, one of panics"
    );
    assert!(after.poll_time.is_empty(), "not measured unless asked");
}

#[test]
fn a_multi_threaded_scheduler_counts_its_tasks_and_polls() {
    let s = Scheduler::builder().threads(2).build();
    for _ in 0..10 {
        s.queue_to_run(yields_twice, ());
    }
    s.queue_to_run(panics, ());
    s.run();
    let stats = s.stats();
    assert_eq!((stats.queued, stats.running, stats.paused), (0, 0, 0));
    assert_eq!(
        (stats.finished, stats.panicked, stats.cancelled),
        (10, 1, 0)
    );
    assert_eq!(stats.polls, 10 * 3 + 1);
    assert!(stats.poll_time.is_empty());
}

#[test]
fn a_task_asking_its_own_scheduler_sees_itself_running() {
    let s = Rc::new(Scheduler::new());
    let inner = s.clone();
    s.queue_to_run(yields_twice, ()); // queued while the root runs
    let during = s.run_until_finished(move || inner.stats(), ());
    assert_eq!(during.running, 1);
    assert_eq!(during.queued, 1);
}

#[task]
fn waits(rx: scheduler::sync::Receiver<u32>) {
    let _ = rx.recv();
}

#[test]
fn a_task_waiting_at_a_pause_point_is_counted_as_paused() {
    let s = Scheduler::new();
    let (tx, rx) = scheduler::sync::channel::<u32>(1);
    s.queue_to_run(waits, (rx,));
    s.run_until_finished(scheduler::yield_now, ()); // `waits` runs and pauses on `recv`
    let stats = s.stats();
    assert_eq!((stats.paused, stats.queued, stats.finished), (1, 0, 1));
    drop(tx);
    s.run();
    assert_eq!((s.stats().paused, s.stats().finished), (0, 2));
}

#[test]
fn poll_time_per_task_name_when_measured_on_one_thread() {
    let s = Scheduler::builder().measure_poll_time(true).build();
    s.queue_to_run(busy, ());
    s.queue_to_run(busy, ());
    s.queue_to_run(yields_twice, ());
    s.run();
    let stats = s.stats();
    let top = stats.top(1);
    assert!(top[0].task.to_string().ends_with("::busy"), "{stats}");
    assert_eq!(top[0].polls, 2);
    assert!(top[0].time >= Duration::from_millis(10));
    assert_eq!(stats.poll_time.len(), 2);
    assert!(stats.to_string().contains("busy"), "{stats}");
}

#[test]
fn poll_time_per_task_name_when_measured_on_a_pool() {
    let s = Scheduler::builder()
        .threads(2)
        .measure_poll_time(true)
        .build();
    for _ in 0..4 {
        s.queue_to_run(busy, ());
    }
    s.queue_to_run(yields_twice, ());
    s.run();
    let stats = s.stats();
    let top = &stats.top(5)[0];
    assert!(top.task.to_string().ends_with("::busy"), "{stats}");
    assert_eq!(top.polls, 4);
    assert!(top.time >= Duration::from_millis(20));
}
