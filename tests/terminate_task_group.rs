//! A port of asyncio's "Terminating a Task Group" (the `asyncio.TaskGroup` docs), without
//! the exception it needs there: a task of the scope cancels the scope, the tasks still
//! running stop, and the scope returns normally, with nothing printed.
//!
//! ```python
//! class TerminateTaskGroup(Exception): ...
//!
//! async def force_terminate_task_group():
//!     raise TerminateTaskGroup()
//!
//! async def job(task_id, sleep_time):
//!     print(f'Task {task_id}: start')
//!     await asyncio.sleep(sleep_time)
//!     print(f'Task {task_id}: done')
//!
//! async def main():
//!     try:
//!         async with asyncio.TaskGroup() as group:
//!             group.create_task(job(1, 0.5))
//!             group.create_task(job(2, 1.5))
//!             await asyncio.sleep(1)
//!             group.create_task(force_terminate_task_group())
//!     except* TerminateTaskGroup:
//!         pass
//! # Task 1: start
//! # Task 2: start
//! # Task 1: done
//! ```
//!
//! The scope body cannot pause yet (pausing blocks come with the `#[task]` rewrite), so the
//! "sleep one second, then terminate" part is a task of the scope with its handle.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{Scheduler, ScopeHandle, task};
use scheduler_workspace::{in_child, run_child};

type Log = Arc<Mutex<Vec<String>>>;

fn print(log: &Log, line: String) {
    log.lock().unwrap().push(line);
}

/// Signals on the pool's run: which job has started, which is done.
#[derive(Clone, Default)]
struct Signals {
    started: Arc<Event>,
    done: Arc<Event>,
}

#[task]
fn job(log: Log, task_id: u32, sleep_time: Duration, signals: Signals) {
    print(&log, format!("Task {task_id}: start"));
    signals.started.set();
    scheduler::sleep(sleep_time);
    print(&log, format!("Task {task_id}: done"));
    signals.done.set();
}

/// asyncio's `await asyncio.sleep(1)` then `force_terminate_task_group()`, as one task.
#[task]
fn terminate_after(delay: Duration, group: ScopeHandle) {
    scheduler::sleep(delay);
    group.cancel();
}

#[task]
fn main_task(log: Log) -> Duration {
    let start = scheduler::now();
    scheduler::scope(|group| {
        let unused = Signals::default();
        let (half, one_and_a_half) = (Duration::from_millis(500), Duration::from_millis(1500));
        group.queue_to_run(job, (log.clone(), 1, half, unused.clone()));
        group.queue_to_run(job, (log.clone(), 2, one_and_a_half, unused));
        group.queue_to_run(terminate_after, (Duration::from_secs(1), group.handle()));
    });
    scheduler::now() - start
}

#[test]
fn a_task_that_cancels_its_scope_ends_it_normally() {
    let log = Log::default();
    let took = Scheduler::builder()
        .virtual_time()
        .build()
        .run_until_finished(main_task, (log.clone(),));
    assert_eq!(
        *log.lock().unwrap(),
        ["Task 1: start", "Task 2: start", "Task 1: done"]
    );
    assert_eq!(
        took,
        Duration::from_secs(1),
        "the scope ended as it was cancelled"
    );
}

#[test]
fn a_terminated_scope_prints_nothing() {
    if in_child() {
        Scheduler::builder()
            .virtual_time()
            .build()
            .run_until_finished(main_task, (Log::default(),));
        return;
    }
    let (ok, stderr) = run_child("a_terminated_scope_prints_nothing");
    assert!(ok, "{stderr}");
    assert_eq!(stderr, "", "a cancelled scope is a normal outcome");
}

/// On a pool, on the real clock: the terminator waits until job 1 is done and job 2 has
/// started (handshakes instead of the one-second sleep), while job 2 sleeps an hour.
#[task]
fn terminate_when(one: Signals, two: Signals, group: ScopeHandle) {
    one.done.wait();
    two.started.wait();
    group.cancel();
}

#[task]
fn main_task_on_a_pool(log: Log) {
    scheduler::scope(|group| {
        let (one, two) = (Signals::default(), Signals::default());
        let (short, hour) = (Duration::from_millis(1), Duration::from_secs(3600));
        group.queue_to_run(job, (log.clone(), 1, short, one.clone()));
        group.queue_to_run(job, (log.clone(), 2, hour, two.clone()));
        group.queue_to_run(terminate_when, (one, two, group.handle()));
    });
}

#[test]
fn on_two_threads_a_task_that_cancels_its_scope_ends_it_normally() {
    let log = Log::default();
    Scheduler::builder()
        .threads(2)
        .build()
        .run_until_finished(main_task_on_a_pool, (log.clone(),));
    let mut lines = log.lock().unwrap().clone();
    lines.sort(); // the two starts may come in either order on two workers
    assert_eq!(lines, ["Task 1: done", "Task 1: start", "Task 2: start"]);
}
