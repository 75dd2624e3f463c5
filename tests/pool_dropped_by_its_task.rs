//! A pool dropped by one of its own tasks (the last `Arc<Scheduler<MultiThread>>` let go in
//! a task) shuts down completely: it cannot wait for the worker running that task, so that
//! worker finishes the shutdown once the task's poll returns, and every other task is
//! cancelled and named as usual.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{MultiThread, Scheduler, TaskError, TaskState};
use scheduler_workspace::{DropCounter, DropToken, Watchdog, in_child, run_child};

type Slot = Arc<Mutex<Option<Arc<Scheduler<MultiThread>>>>>;

/// A plain helper: the lock in a task body would make the task `!Send`.
fn take(slot: &Slot) -> Option<Arc<Scheduler<MultiThread>>> {
    slot.lock().unwrap().take()
}

#[scheduler::task]
fn drop_own_pool(slot: Slot, go: Arc<Event>) {
    go.wait();
    drop(take(&slot)); // the last reference: the pool is dropped on its own worker
}

#[scheduler::task]
fn waits_forever(_token: DropToken, never: Arc<Event>) {
    never.wait();
}

#[test]
fn a_pool_dropped_by_its_own_task_cancels_the_others() {
    if in_child() {
        let _watchdog = Watchdog::new(Duration::from_secs(60), "a pool dropped by its task");
        let ledger = DropCounter::new();
        let (go, never) = (Arc::new(Event::new()), Arc::new(Event::new()));
        let pool = Arc::new(Scheduler::builder().threads(2).build());
        let slot: Slot = Arc::new(Mutex::new(Some(pool.clone())));
        let other = pool.queue_to_run(waits_forever, (ledger.labelled("the other task"), never));
        let dropper = pool.queue_to_run(drop_own_pool, (slot, go.clone()));
        // Both tasks are paused (the pool knows them) before it can be dropped.
        let paused = |pool: &Scheduler<MultiThread>| {
            let dump = pool.dump();
            let tasks = dump.tasks().iter();
            tasks
                .filter(|task| task.state() == TaskState::Paused)
                .count()
        };
        while paused(&pool) != 2 {
            std::thread::yield_now();
        }
        drop(pool); // the slot holds the last reference
        go.set();
        assert_eq!(futures_lite::future::block_on(dropper), Ok(()));
        assert!(matches!(
            futures_lite::future::block_on(other),
            Err(TaskError::Cancelled { .. })
        ));
        ledger.assert_each_dropped_once();
        // The worker that finishes the shutdown says what it cancels before it cancels it:
        // a program that ends as soon as a cancelled task's handle has its result has seen
        // the line.
        eprintln!("{HANDLES_RESOLVED}");
        return;
    }
    let (ok, stderr) = run_child("a_pool_dropped_by_its_own_task_cancels_the_others");
    assert!(ok, "{stderr}");
    let said = stderr.find(
        "scheduler dropped with 1 unfinished task: `pool_dropped_by_its_task::waits_forever`",
    );
    let resolved = stderr.find(HANDLES_RESOLVED);
    assert!(
        said.is_some() && resolved.is_some() && said < resolved,
        "the worker that finished the shutdown names what it cancelled, before the \
         cancelled task's handle has its result: {stderr}"
    );
}

/// What the child says once the tasks' handles have their results.
const HANDLES_RESOLVED: &str = "(the tasks' handles have their results)";
