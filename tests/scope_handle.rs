//! A scope handed to its tasks: `Scope::handle()` gives a `ScopeHandle` whose
//! `queue_to_run` queues into the same scope (which waits for those tasks too), and
//! `Scope::cancel()` / `ScopeHandle::cancel()` cancel every task of the scope, not the body,
//! and the scope then returns normally. On one thread and on two.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::sync::{Receiver, channel};
use scheduler::{ScopeHandle, TaskError, TaskHandle, task};
use scheduler_workspace::{DropCounter, DropToken, in_child, run_child};

const HOUR: Duration = Duration::from_secs(3600);

/// `ScopeHandle` goes into tasks on any worker, and is cloned into each.
const _: fn() = || {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send_sync_clone::<ScopeHandle>();
};

/// Counts itself, and queues two children one level further down, through the handle.
#[task]
fn walk(depth: u32, seen: Arc<AtomicU32>, s: ScopeHandle) {
    scheduler::yield_now();
    seen.fetch_add(1, Ordering::SeqCst);
    if depth > 0 {
        s.queue_to_run(walk, (depth - 1, seen.clone(), s.clone()));
        s.queue_to_run(walk, (depth - 1, seen, s.clone()));
    }
}

#[task]
fn walk_a_tree(depth: u32) -> u32 {
    let seen = Arc::new(AtomicU32::new(0));
    scheduler::scope(|s| {
        s.queue_to_run(walk, (depth, seen.clone(), s.handle()));
    });
    seen.load(Ordering::SeqCst) // read as the scope returns: every task has run by now
}

#[task]
fn sleep_an_hour(_guard: DropToken) {
    scheduler::sleep(HOUR);
}

/// Cancels the scope from its body: the body goes on, the tasks stop.
#[task]
fn cancel_from_the_body(counter: DropCounter) -> (Vec<Result<(), TaskError>>, &'static str) {
    let mut body_went_on = "";
    let handles = scheduler::scope(|s| {
        let handles: Vec<TaskHandle<()>> = (0..3)
            .map(|_| s.queue_to_run(sleep_an_hour, (counter.token(),)))
            .collect();
        s.cancel();
        body_went_on = "after cancel";
        handles
    });
    assert_eq!(
        counter.alive(),
        0,
        "the scope returned once its tasks stopped"
    );
    (scheduler::wait_all_results(handles), body_went_on)
}

/// Notes `id` (a plain fn: a std lock is held only here, never across a pause).
fn record(winner: &Mutex<Vec<u32>>, id: u32) {
    winner.lock().unwrap().push(id);
}

fn recorded(winner: &Mutex<Vec<u32>>) -> Vec<u32> {
    winner.lock().unwrap().clone()
}

/// The first of several attempts to finish cancels the others through the handle.
#[task]
fn attempt(id: u32, ready: Receiver<()>, winner: Arc<Mutex<Vec<u32>>>, s: ScopeHandle) -> u32 {
    ready.recv().unwrap(); // only one attempt is let through
    record(&winner, id);
    s.cancel();
    id
}

#[task]
fn first_success_cancels_the_rest() -> (Vec<u32>, usize, usize) {
    let winner = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = channel(1);
    let handles = scheduler::scope(|s| {
        let handles: Vec<TaskHandle<u32>> = (0..4)
            .map(|id| s.queue_to_run(attempt, (id, rx.clone(), winner.clone(), s.handle())))
            .collect();
        tx.try_send(()).unwrap();
        handles
    });
    let results = scheduler::wait_all_results(handles);
    let won = results.iter().filter(|r| r.is_ok()).count();
    let cancelled = results
        .iter()
        .filter(|r| matches!(r, Err(TaskError::Cancelled { .. })))
        .count();
    let winners = recorded(&winner);
    (winners, won, cancelled)
}

/// A task queued into a scope already cancelled never starts.
#[task]
fn queue_into_a_cancelled_scope() -> (u32, Result<(), TaskError>, Result<(), TaskError>) {
    let started = Arc::new(AtomicU32::new(0));
    let (through_handle, directly) = scheduler::scope(|s| {
        let handle = s.handle();
        s.cancel();
        let counted = started.clone();
        let through_handle = handle.queue_to_run(
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
            },
            (),
        );
        let counted = started.clone();
        let directly = s.queue_to_run(
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
            },
            (),
        );
        (through_handle, directly)
    });
    (
        started.load(Ordering::SeqCst),
        through_handle.join(),
        directly.join(),
    )
}

/// A task queued through a handle that panics cancels the rest, as any task of the scope.
#[task]
fn explode() {
    scheduler::yield_now();
    panic!("boom");
}

#[task]
fn queue_a_bomb(s: ScopeHandle, guard: DropToken) {
    s.queue_to_run(explode, ());
    s.queue_to_run(sleep_an_hour, (guard,));
}

#[task]
fn a_bomb_through_the_handle(counter: DropCounter) {
    scheduler::scope(|s| {
        s.queue_to_run(queue_a_bomb, (s.handle(), counter.token()));
    });
}

#[task]
fn join_the_bomb(counter: DropCounter) -> (Result<(), TaskError>, usize) {
    let result = scheduler::queue_to_run(a_bomb_through_the_handle, (counter.clone(),)).join();
    (result, counter.alive())
}

macro_rules! scope_handle_tests {
    ($flavor:ident, $scheduler:expr) => {
        mod $flavor {
            use super::*;

            #[test]
            fn tasks_queued_through_the_handle_are_waited_for() {
                // 1 + 2 + 4 + 8 tasks, each queued by its parent through the handle.
                assert_eq!($scheduler.run_until_finished(walk_a_tree, (3,)), 15);
            }

            #[test]
            fn cancel_stops_every_task_and_the_body_goes_on() {
                let counter = DropCounter::new();
                let (results, body) =
                    $scheduler.run_until_finished(cancel_from_the_body, (counter.clone(),));
                assert_eq!(body, "after cancel");
                assert_eq!(results.len(), 3);
                for result in results {
                    assert!(
                        matches!(result, Err(TaskError::Cancelled { .. })),
                        "{result:?}"
                    );
                }
                assert_eq!(counter.alive(), 0);
            }

            #[test]
            fn the_first_success_cancels_the_rest() {
                let (winners, won, cancelled) =
                    $scheduler.run_until_finished(first_success_cancels_the_rest, ());
                assert_eq!(winners.len(), 1, "one attempt got through: {winners:?}");
                assert_eq!((won, cancelled), (1, 3));
            }

            #[test]
            fn a_task_queued_into_a_cancelled_scope_never_starts() {
                let (started, through_handle, directly) =
                    $scheduler.run_until_finished(queue_into_a_cancelled_scope, ());
                assert_eq!(started, 0);
                assert!(matches!(through_handle, Err(TaskError::Cancelled { .. })));
                assert!(matches!(directly, Err(TaskError::Cancelled { .. })));
            }

            #[test]
            fn a_panic_in_a_task_queued_through_the_handle_cancels_the_rest() {
                let counter = DropCounter::new();
                let (result, alive) =
                    $scheduler.run_until_finished(join_the_bomb, (counter.clone(),));
                match result {
                    Err(TaskError::Panicked { message, .. }) => assert!(
                        message.starts_with("task `scope_handle::explode` panicked: boom"),
                        "{message}"
                    ),
                    other => panic!("expected the scope to re-raise, got {other:?}"),
                }
                assert_eq!(alive, 0);
            }
        }
    };
}

scope_handle_tests!(on_one_thread, scheduler::Scheduler::new());
scope_handle_tests!(
    on_two_threads,
    scheduler::Scheduler::builder().threads(2).build()
);

#[test]
fn a_cancelled_scope_is_no_failure_and_prints_nothing() {
    if in_child() {
        let counter = DropCounter::new();
        scheduler::Scheduler::new().run_until_finished(cancel_from_the_body, (counter,));
        return;
    }
    let (ok, stderr) = run_child("a_cancelled_scope_is_no_failure_and_prints_nothing");
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Keeps the handle past the end of its scope.
#[task]
fn keep_the_handle() -> ScopeHandle {
    scheduler::scope(|s| s.handle())
}

#[task]
fn queue_after_the_end() {
    let handle = keep_the_handle();
    handle.queue_to_run(explode, ());
}

#[test]
fn queuing_into_a_scope_that_ended_panics_naming_the_task_and_the_fix() {
    let panic = std::panic::catch_unwind(|| {
        scheduler::Scheduler::new().run_until_finished(queue_after_the_end, ());
    })
    .unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("task `scope_handle::explode` was queued with `ScopeHandle::queue_to_run` after its scope had ended"),
        "{message}"
    );
    assert!(
        message.contains("scheduler::queue_to_run(f, args)"),
        "{message}"
    );
}
