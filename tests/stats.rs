//! `Scheduler::stats()` on both flavours: tasks queued, running, finished, cancelled,
//! panicked; polls; poll time per task name when measured (and only then).

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{Scheduler, Stats, task};

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

#[task]
fn waits_for_event(event: Arc<Event>) {
    event.wait();
}

/// Queues a task that waits and pauses once itself; then reads its scheduler's stats, and
/// has a new task read them in its first poll while this one waits for it.
#[task]
fn count_from_inside<S: Fn() -> Stats + Clone + 'static>(stats: S) -> [(usize, usize); 2] {
    let event = Arc::new(Event::new());
    let waiter = scheduler::queue_to_run(waits_for_event, (event.clone(),));
    scheduler::yield_now(); // the waiter runs and pauses; this task has paused once too
    let here = stats();
    let there = scheduler::queue_to_run(stats, ()).join().unwrap();
    event.set();
    waiter.join().unwrap();
    [(here.running, here.paused), (there.running, there.paused)]
}

/// Runs `count_from_inside` as a queued task (a single-threaded scheduler's root is not
/// counted: it is polled in place by `run_until_finished`).
#[task]
fn queued<S: Fn() -> Stats + Clone + 'static>(stats: S) -> [(usize, usize); 2] {
    scheduler::queue_to_run(count_from_inside, (stats,))
        .join()
        .unwrap()
}

#[test]
fn a_running_task_is_never_counted_as_paused_on_either_flavour() {
    let one = Rc::new(Scheduler::new());
    let inner = one.clone();
    let counted = one.run_until_finished(queued, (move || inner.stats(),));
    // Running: the task that asks. Paused: the waiter, then also the task that waits for
    // the one asking (which asks in its first poll).
    assert_eq!(counted, [(1, 1), (1, 2)]);

    // One worker: the counts are exact only when the tasks take turns.
    let pool = Arc::new(Scheduler::builder().threads(1).build());
    let inner = pool.clone();
    let counted = pool.run_until_finished(queued, (move || inner.stats(),));
    // The same, and the root: on a pool, it is a task like the others.
    assert_eq!(counted, [(1, 2), (1, 3)]);
}
