//! How a pool shares work between its threads: tasks queued on a busy worker move to an idle
//! one (at once: `tests/parallel.rs`), a pinned task never before the queuing task pauses,
//! and no kind of task starves another. In a `#[task]` body, `scheduler::queue_to_run` lets
//! any worker run a `Send` task, and keeps the others on the calling thread.

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use scheduler::{Scheduler, task};
use scheduler_workspace::Watchdog;

/// Busy-waits, without pausing, until `arrived` reaches `count` or `limit` passes; returns
/// whether it got there.
fn spin_until(arrived: &AtomicUsize, count: usize, limit: Duration) -> bool {
    let start = Instant::now();
    while arrived.load(Ordering::SeqCst) < count {
        if start.elapsed() > limit {
            return false;
        }
        std::thread::yield_now();
    }
    true
}

/// Arrives, then holds its worker until the other one has arrived too (or 10 s passed).
fn meet(arrived: Arc<AtomicUsize>) -> bool {
    arrived.fetch_add(1, Ordering::SeqCst);
    spin_until(&arrived, 2, Duration::from_secs(10))
}

#[task]
fn queue_two_that_must_meet() -> (bool, bool) {
    let arrived = Arc::new(AtomicUsize::new(0));
    let here = scheduler::current();
    let first = here.queue_to_run(meet, (arrived.clone(),));
    let second = here.queue_to_run(meet, (arrived,));
    (first.join().unwrap(), second.join().unwrap())
}

#[test]
fn two_tasks_queued_on_one_worker_run_at_once_on_two() {
    let s = Scheduler::builder().threads(2).build();
    // Each task holds its thread until the other one runs: on one worker they could not meet.
    assert_eq!(
        s.run_until_finished(queue_two_that_must_meet, ()),
        (true, true)
    );
}

#[task]
fn queue_two_that_must_meet_with_the_free_function() -> (bool, bool) {
    let arrived = Arc::new(AtomicUsize::new(0));
    let first = scheduler::queue_to_run(meet, (arrived.clone(),));
    let second = scheduler::queue_to_run(meet, (arrived,));
    (first.join().unwrap(), second.join().unwrap())
}

#[test]
fn send_work_queued_by_the_free_function_in_a_task_body_runs_on_any_worker() {
    let s = Scheduler::builder().threads(2).build();
    let met = s.run_until_finished(queue_two_that_must_meet_with_the_free_function, ());
    assert_eq!(met, (true, true));
}

/// Works for a while (long enough for an idle thread to wake up and take some of the
/// others), then notes the thread it ran on.
#[task]
fn note_thread(threads: Arc<Mutex<HashSet<ThreadId>>>) {
    let until = Instant::now() + Duration::from_micros(100);
    while Instant::now() < until {
        std::hint::spin_loop();
    }
    note(&threads);
}

/// A plain helper: the lock guard never lives across a call in a task body, where it would
/// make the task `!Send`.
fn note(threads: &Mutex<HashSet<ThreadId>>) {
    threads.lock().unwrap().insert(std::thread::current().id());
}

#[task]
fn count_threads(tasks: usize) -> usize {
    let threads = Arc::new(Mutex::new(HashSet::new()));
    // The common fan-out: a closure around the call, a `#[task]` fn queued in it.
    let handles: Vec<_> = (0..tasks)
        .map(|_| scheduler::queue_to_run(note_thread, (threads.clone(),)))
        .collect();
    scheduler::wait_all(handles);
    how_many(&threads)
}

/// A plain helper, as `note`.
fn how_many(threads: &Mutex<HashSet<ThreadId>>) -> usize {
    threads.lock().unwrap().len()
}

#[test]
fn a_fan_out_from_a_task_body_spreads_over_the_workers() {
    let s = Scheduler::builder().threads(2).build();
    // Tasks move only to an idle worker, so try a few times before calling it a failure.
    let most = (0..20)
        .map(|_| s.run_until_finished(count_threads, (200,)))
        .max();
    assert_eq!(most, Some(2));
}

#[task]
fn count_threads_after_a_delay(tasks: usize) -> (usize, bool) {
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let start = Instant::now();
    let delay = Duration::from_millis(5);
    let handles: Vec<_> = (0..tasks)
        .map(|_| scheduler::queue_to_run_after(delay, note_thread, (threads.clone(),)))
        .collect();
    scheduler::wait_all(handles);
    (how_many(&threads), start.elapsed() >= delay)
}

#[test]
fn delayed_send_work_from_a_task_body_waits_its_delay_and_spreads_over_the_workers() {
    let s = Scheduler::builder().threads(2).build();
    let runs: Vec<_> = (0..20)
        .map(|_| s.run_until_finished(count_threads_after_a_delay, (200,)))
        .collect();
    assert!(runs.iter().all(|&(_, waited)| waited));
    assert_eq!(runs.iter().map(|&(threads, _)| threads).max(), Some(2));
}

#[task]
fn count_threads_in_a_scope(tasks: usize) -> usize {
    let threads = Arc::new(Mutex::new(HashSet::new()));
    scheduler::scope(|s| {
        for _ in 0..tasks {
            s.queue_to_run(note_thread, (threads.clone(),));
        }
    });
    how_many(&threads)
}

#[test]
fn a_scope_in_a_task_body_spreads_its_send_tasks_over_the_workers() {
    let s = Scheduler::builder().threads(2).build();
    let most = (0..20)
        .map(|_| s.run_until_finished(count_threads_in_a_scope, (200,)))
        .max();
    assert_eq!(most, Some(2));
}

#[task]
fn a_scope_keeps_not_send_work_on_its_thread() -> usize {
    let me = std::thread::current().id();
    let here = Rc::new(Cell::new(0));
    scheduler::scope(|s| {
        for _ in 0..10 {
            let here = here.clone();
            s.queue_to_run(
                move || {
                    assert_eq!(std::thread::current().id(), me);
                    here.set(here.get() + 1);
                },
                (),
            );
        }
    });
    here.get()
}

#[task]
fn queue_the_scope_keeping_not_send_work() -> usize {
    scheduler::queue_to_run(a_scope_keeps_not_send_work_on_its_thread, ())
        .join()
        .unwrap()
}

#[test]
fn a_scope_on_a_pool_keeps_not_send_work_on_the_calling_worker() {
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(
        s.run_until_finished(queue_the_scope_keeping_not_send_work, ()),
        10
    );
}

#[task]
fn closures_and_self_queuing_stay_put(depth: usize) -> usize {
    let me = std::thread::current().id();
    let here = Rc::new(Cell::new(0));
    // A closure written in the body, bound to a local, capturing a `!Send` value.
    let count = {
        let here = here.clone();
        move || {
            assert_eq!(std::thread::current().id(), me);
            here.set(here.get() + 1);
        }
    };
    scheduler::queue_to_run(count, ()).join().unwrap();
    // A fn queuing itself (its own future cannot be asked about inside its body).
    if depth > 0 {
        scheduler::queue_to_run(closures_and_self_queuing_stay_put, (depth - 1,))
            .join()
            .unwrap();
    }
    here.get()
}

#[task]
fn queue_the_not_send_one() -> usize {
    scheduler::queue_to_run(closures_and_self_queuing_stay_put, (3,))
        .join()
        .unwrap()
}

#[test]
fn not_send_closures_and_self_queuing_tasks_compile_and_run_on_a_pool() {
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(s.run_until_finished(queue_the_not_send_one, ()), 1);
}

/// A plain helper: a `!Send` closure that sets `flag`.
fn not_send_setter(flag: Arc<AtomicBool>) -> impl FnOnce() {
    let not_send = Rc::new(());
    move || {
        let _here = &not_send;
        flag.store(true, Ordering::SeqCst);
    }
}

#[task]
fn queue_a_pinned_task_and_keep_running() -> bool {
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    // `!Send`: pinned to this worker, so it waits for this task's next pause. (A `Send` task
    // would start at once on the idle worker: `tests/parallel.rs`.)
    let task = scheduler::queue_to_run(not_send_setter(flag), ());
    // Hold this worker for a while without pausing: the other worker is idle all along.
    let until = Instant::now() + Duration::from_millis(100);
    let mut started_early = false;
    while Instant::now() < until {
        started_early |= started.load(Ordering::SeqCst);
        std::thread::yield_now();
    }
    task.join().unwrap();
    !started_early && started.load(Ordering::SeqCst)
}

/// Runs the keeper, which is `!Send` (it holds its closure's `Rc`), as a pinned task.
#[task]
fn queue_the_keeper() -> bool {
    scheduler::queue_to_run(queue_a_pinned_task_and_keep_running, ())
        .join()
        .unwrap()
}

#[test]
fn a_pinned_task_starts_no_earlier_than_the_queuing_tasks_next_pause() {
    // The keeper holds its worker for 100 ms on purpose: no slow-poll report of that.
    let s = Scheduler::builder().threads(2).slow_poll(None).build();
    assert!(s.run_until_finished(queue_the_keeper, ()));
}

#[task]
fn yield_until(done: Arc<AtomicBool>) {
    while !done.load(Ordering::SeqCst) {
        scheduler::yield_now();
    }
}

#[task]
fn a_pinned_task_yielding_beside_a_send_one() {
    let done = Arc::new(AtomicBool::new(false));
    // Queued by the free function: stays on this worker.
    let yielder = scheduler::queue_to_run(yield_until, (done.clone(),));
    scheduler::yield_now();
    // Queued through the handle: `Send`, may go anywhere, here it can only go on this worker.
    let flag = done.clone();
    let setter = scheduler::current().queue_to_run(move || flag.store(true, Ordering::SeqCst), ());
    setter.join().unwrap();
    yielder.join().unwrap();
}

#[test]
fn a_task_that_keeps_yielding_never_starves_the_others_on_its_worker() {
    // Starved, the yielder would yield forever: fail instead of hanging.
    let _watchdog = Watchdog::new(Duration::from_secs(60), "a yielder starving its worker");
    let s = Scheduler::builder().threads(1).build();
    s.run_until_finished(a_pinned_task_yielding_beside_a_send_one, ());
}

#[task]
fn count_to(counter: Arc<AtomicUsize>, yields: usize) {
    for _ in 0..yields {
        scheduler::yield_now();
    }
    counter.fetch_add(1, Ordering::SeqCst);
}

#[task]
fn fan_out(tasks: usize) -> usize {
    let counter = Arc::new(AtomicUsize::new(0));
    let here = scheduler::current();
    let handles: Vec<_> = (0..tasks)
        .map(|_| here.queue_to_run(count_to, (counter.clone(), 10)))
        .collect();
    scheduler::wait_all(handles);
    counter.load(Ordering::SeqCst)
}

#[test]
fn a_fan_out_larger_than_a_worker_queue_all_finishes_on_four_threads() {
    let s = Scheduler::builder().threads(4).build();
    assert_eq!(s.run_until_finished(fan_out, (5_000,)), 5_000);
}
