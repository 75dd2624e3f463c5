//! Cancellation is finished when it returns: `join` of a cancelled task, `with_timeout`,
//! `timeout`, a `scope` that re-raises a panic or was cancelled, and a cancelled task's own
//! `run_until_finished` report the cancellation only once the state of every task they
//! cancelled has been dropped, down to the tasks of a scope inside a task of a scope. On
//! one thread and on two, where those tasks may be on the other worker.
//!
//! Each test holds drop tokens in every task it cancels, waits (a channel handshake) until
//! they have all started and paused, cancels, and counts the live tokens the moment the
//! cancellation returns: none may be left.

use std::time::Duration;

use scheduler::sync::{Receiver, Sender, channel};
use scheduler::{Pause, ScopeHandle, TaskError, TimedOut, task};
use scheduler_workspace::{DropCounter, DropToken, Watchdog};

const LIMIT: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Holds `guard` until cancelled, after saying it has started.
#[task]
fn hold(guard: DropToken, started: Sender<()>) {
    started.send(()).unwrap();
    scheduler::sleep(HOUR);
    drop(guard);
}

/// A task of a scope that runs a scope of its own, `depth` levels down to a holder; each
/// level holds a token while it waits for its scope.
#[task]
fn nest(counter: DropCounter, started: Sender<()>, depth: u32) {
    let own = counter.token();
    scheduler::scope(|s| {
        if depth == 0 {
            s.queue_to_run(hold, (counter.token(), started.clone()));
        } else {
            s.queue_to_run(nest, (counter.clone(), started.clone(), depth - 1));
        }
    });
    drop(own);
}

/// Tokens held by `family` and the scopes below it: three levels of `nest`, their holder,
/// and a second holder.
const FAMILY_TOKENS: usize = 5;

/// A scope with scopes nested three deep in one task (`nest`) and a holder in another:
/// `FAMILY_TOKENS` tokens, two `started` signals. The depth matters on one thread: each
/// level is dropped one turn of the run loop after the level above, so a cancellation that
/// did not wait would return before the deepest level is dropped.
#[task]
fn family(counter: DropCounter, started: Sender<()>) {
    scheduler::scope(|s| {
        s.queue_to_run(nest, (counter.clone(), started.clone(), 2));
        s.queue_to_run(hold, (counter.token(), started.clone()));
    });
}

/// Waits until `n` holders have said they started.
#[task]
fn until_started(started: &Receiver<()>, n: usize) {
    for _ in 0..n {
        started.recv().unwrap();
    }
}

/// Cancels `family` through its handle once everything in it holds its token, and
/// counts the live tokens when `join` returns.
#[task]
fn cancel_and_join(counter: DropCounter) -> (Result<(), TaskError>, usize) {
    let (tx, rx) = channel(4);
    let handle = scheduler::queue_to_run(family, (counter.clone(), tx));
    until_started(&rx, 2);
    assert_eq!(counter.alive(), FAMILY_TOKENS, "everything holds its token");
    handle.cancel();
    let result = handle.join();
    (result, counter.alive())
}

/// Runs `family` through `run_until_finished` in a task, which is cancelled.
#[task]
fn runs_family(counter: DropCounter, started: Sender<()>) {
    scheduler::run_until_finished(family, (counter, started));
}

#[task]
fn cancel_a_runner(counter: DropCounter) -> (Result<(), TaskError>, usize) {
    let (tx, rx) = channel(4);
    let handle = scheduler::queue_to_run(runs_family, (counter.clone(), tx));
    until_started(&rx, 2);
    handle.cancel();
    let result = handle.join();
    (result, counter.alive())
}

/// `family` under `with_timeout`: the timer fires while everything holds its token (on a
/// virtual clock, only once every task waits; on a pool, after a real millisecond).
#[task]
fn time_out_family(counter: DropCounter) -> (Result<(), TimedOut>, usize) {
    let (tx, rx) = channel(4);
    let result = scheduler::with_timeout(Duration::from_millis(1), family, (counter.clone(), tx));
    drop(rx);
    (result, counter.alive())
}

/// `timeout` around a scope's pause value, made in plain code (a `#[task]` body would
/// pause on the scope where it is written).
fn scope_with_timeout(
    counter: DropCounter,
    started: Sender<()>,
) -> Pause<impl Future<Output = Result<(), TimedOut>>> {
    scheduler::timeout(
        Duration::from_millis(1),
        scheduler::scope(move |s| {
            s.queue_to_run(nest, (counter.clone(), started.clone(), 2));
            s.queue_to_run(hold, (counter.token(), started));
        }),
    )
}

#[task]
fn time_out_a_scope(counter: DropCounter) -> (Result<(), TimedOut>, usize) {
    let (tx, rx) = channel(4);
    let result = scope_with_timeout(counter.clone(), tx);
    drop(rx);
    (result, counter.alive())
}

/// Panics once `n` holders have started.
#[task]
fn explode_once_started(started: Receiver<()>, n: usize) {
    until_started(&started, n);
    panic!("boom");
}

#[task]
fn family_with_a_bomb(counter: DropCounter) {
    let (tx, rx) = channel(4);
    scheduler::scope(|s| {
        s.queue_to_run(nest, (counter.clone(), tx.clone(), 2));
        s.queue_to_run(hold, (counter.token(), tx.clone()));
        s.queue_to_run(explode_once_started, (rx, 2));
    });
}

#[task]
fn join_a_failed_scope(counter: DropCounter) -> (Result<(), TaskError>, usize) {
    let result = scheduler::queue_to_run(family_with_a_bomb, (counter.clone(),)).join();
    (result, counter.alive())
}

/// Cancels the scope it is a task of once `n` holders have started.
#[task]
fn cancel_once_started(started: Receiver<()>, n: usize, scope: ScopeHandle) {
    until_started(&started, n);
    scope.cancel();
}

#[task]
// (The body's value is owned: a pausing scope body whose value holds a reference cannot be
// shown `Send` by rustc, "one type is more general than the other", rust-lang/rust#110338.)
fn cancel_a_scope(counter: DropCounter) -> (String, usize) {
    let (tx, rx) = channel(4);
    let value = scheduler::scope(|s| {
        s.queue_to_run(nest, (counter.clone(), tx.clone(), 2));
        s.queue_to_run(hold, (counter.token(), tx.clone()));
        s.queue_to_run(cancel_once_started, (rx, 2, s.handle()));
        String::from("the body's value")
    });
    (value, counter.alive())
}

macro_rules! cancel_finished_tests {
    ($flavor:ident, $scheduler:expr) => {
        mod $flavor {
            use super::*;

            #[test]
            fn join_of_a_cancelled_task_returns_after_its_scopes_tasks_were_dropped() {
                let _watchdog = Watchdog::new(LIMIT, "join of a cancelled task");
                let counter = DropCounter::new();
                let (result, alive) = $scheduler.run_until_finished(cancel_and_join, (counter,));
                assert!(
                    matches!(result, Err(TaskError::Cancelled { .. })),
                    "{result:?}"
                );
                assert_eq!(alive, 0, "tokens alive when join said Cancelled");
            }

            #[test]
            fn a_cancelled_tasks_run_until_finished_ends_after_what_it_ran_was_dropped() {
                let _watchdog = Watchdog::new(LIMIT, "a cancelled run_until_finished");
                let counter = DropCounter::new();
                let (result, alive) = $scheduler.run_until_finished(cancel_a_runner, (counter,));
                assert!(
                    matches!(result, Err(TaskError::Cancelled { .. })),
                    "{result:?}"
                );
                assert_eq!(alive, 0, "tokens alive when join said Cancelled");
            }

            #[test]
            fn with_timeout_returns_after_the_scopes_tasks_it_cancelled_were_dropped() {
                let _watchdog = Watchdog::new(LIMIT, "with_timeout");
                let counter = DropCounter::new();
                let (result, alive) = $scheduler.run_until_finished(time_out_family, (counter,));
                let timed_out = result.unwrap_err();
                assert!(
                    timed_out.task().to_string().ends_with("family"),
                    "{timed_out}"
                );
                assert_eq!(alive, 0, "tokens alive when with_timeout gave up");
            }

            #[test]
            fn timeout_returns_after_the_scopes_tasks_it_cancelled_were_dropped() {
                let _watchdog = Watchdog::new(LIMIT, "timeout");
                let counter = DropCounter::new();
                let (result, alive) = $scheduler.run_until_finished(time_out_a_scope, (counter,));
                let timed_out = result.unwrap_err();
                assert!(
                    timed_out
                        .task()
                        .to_string()
                        .starts_with("tests/cancel_finished.rs:"),
                    "{timed_out}"
                );
                assert_eq!(alive, 0, "tokens alive when timeout gave up");
            }

            #[test]
            fn a_scope_re_raises_a_panic_after_every_other_task_was_dropped() {
                let _watchdog = Watchdog::new(LIMIT, "a failing scope");
                let counter = DropCounter::new();
                let (result, alive) =
                    $scheduler.run_until_finished(join_a_failed_scope, (counter,));
                match result {
                    Err(TaskError::Panicked { message, .. }) => {
                        assert!(message.contains("panicked: boom"), "{message}")
                    }
                    other => panic!("expected the scope's panic, got {other:?}"),
                }
                assert_eq!(alive, 0, "tokens alive when the scope re-raised");
            }

            #[test]
            fn a_cancelled_scope_returns_normally_after_its_tasks_were_dropped() {
                let _watchdog = Watchdog::new(LIMIT, "a cancelled scope");
                let counter = DropCounter::new();
                let (value, alive) = $scheduler.run_until_finished(cancel_a_scope, (counter,));
                assert_eq!(value, "the body's value");
                assert_eq!(alive, 0, "tokens alive when the scope returned");
            }
        }
    };
}

cancel_finished_tests!(
    on_one_thread,
    scheduler::Scheduler::builder().virtual_time().build()
);
cancel_finished_tests!(
    on_two_threads,
    scheduler::Scheduler::builder().threads(2).build()
);
