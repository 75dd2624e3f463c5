//! Every task's state (its arguments, its locals, its return value) is dropped exactly once,
//! however the task ends: it finished, was cancelled (before it started or while paused),
//! panicked, or was dropped with its scheduler. Each test holds tokens of a [`DropCounter`],
//! which counts every token's drops, and runs on both `Scheduler::new()` and
//! `Scheduler::builder().threads(2).build()`.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use futures_lite::future::block_on;
use scheduler::sync::Event;
use scheduler::{Scheduler, TaskError, TaskHandle, task};
use scheduler_workspace::{DropCounter, DropToken, Watchdog};

const LIMIT: Duration = Duration::from_secs(60);

#[task]
fn nap(_token: DropToken) -> u32 {
    let local = String::from("a local of the body, alive across a pause");
    scheduler::sleep(Duration::from_millis(1));
    drop(local);
    7
}

#[task]
fn give_back(token: DropToken) -> DropToken {
    scheduler::yield_now();
    token
}

#[task]
fn crash(_token: DropToken) {
    scheduler::yield_now();
    panic!("crash as planned");
}

/// Says it started, then sleeps for an hour.
#[task]
fn sleep_an_hour(started: Arc<Event>, _token: DropToken) {
    started.set();
    scheduler::sleep(Duration::from_secs(3600));
}

/// Sends on `started` (a std channel, for plain code to wait on), then sleeps for an hour.
#[task]
fn sleep_an_hour_after(started: mpsc::Sender<()>, _token: DropToken) {
    started.send(()).unwrap();
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn run_a_sleeper(started: Arc<Event>, _outer: DropToken, inner: DropToken) {
    scheduler::run_until_finished(sleep_an_hour, (started, inner));
}

/// Queues `f(args)` on the current scheduler through its handle (so that it can go to any
/// thread of a pool), waits until it says it started, cancels it, and gives its outcome.
#[task]
fn cancel_once_started(ledger: DropCounter, nested: bool) -> Result<(), TaskError> {
    let started = Arc::new(Event::new());
    let handle = if nested {
        let args = (
            started.clone(),
            ledger.labelled("outer"),
            ledger.labelled("inner"),
        );
        scheduler::current().queue_to_run(run_a_sleeper, args)
    } else {
        let args = (started.clone(), ledger.labelled("sleeper"));
        scheduler::current().queue_to_run(sleep_an_hour, args)
    };
    started.wait();
    handle.cancel();
    let result = handle.join();
    assert_eq!(
        ledger.alive(),
        0,
        "the state was dropped by the time join returned"
    );
    result
}

macro_rules! drop_tests {
    ($flavor:ident, $scheduler:expr) => {
        mod $flavor {
            use super::*;

            #[test]
            fn a_finished_task_is_dropped_once() {
                let _watchdog = Watchdog::new(LIMIT, "a_finished_task_is_dropped_once");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let task = s.queue_to_run(nap, (ledger.labelled("task fn"),));
                let token = ledger.labelled("closure");
                let closure = s.queue_to_run(move || drop(token), ());
                s.run();
                assert_eq!(block_on(task), Ok(7));
                assert_eq!(block_on(closure), Ok(()));
                ledger.assert_each_dropped_once();
            }

            #[test]
            fn a_return_value_is_dropped_once_whether_joined_or_detached() {
                let _watchdog = Watchdog::new(LIMIT, "a_return_value_is_dropped_once");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let joined = s.queue_to_run(give_back, (ledger.labelled("joined"),));
                drop(s.queue_to_run(give_back, (ledger.labelled("detached"),)));
                s.run();
                let token = block_on(joined).unwrap();
                assert_eq!(ledger.alive(), 1, "only the joined value is alive");
                drop(token);
                ledger.assert_each_dropped_once();
            }

            #[test]
            fn a_task_cancelled_before_it_starts_is_dropped_once() {
                let _watchdog = Watchdog::new(LIMIT, "cancelled before it starts");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let task = s.queue_to_run(nap, (ledger.labelled("task fn"),));
                let token = ledger.labelled("closure");
                let closure = s.queue_to_run(move || drop(token), ());
                task.cancel();
                closure.cancel();
                s.run();
                // On a pool a task may start before `cancel` comes: then it finishes.
                assert!(matches!(
                    block_on(task),
                    Ok(7) | Err(TaskError::Cancelled { .. })
                ));
                assert!(matches!(
                    block_on(closure),
                    Ok(()) | Err(TaskError::Cancelled { .. })
                ));
                ledger.assert_each_dropped_once();
            }

            #[test]
            fn a_task_cancelled_while_paused_is_dropped_once_before_join_returns() {
                let _watchdog = Watchdog::new(LIMIT, "cancelled while paused");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let result = s.run_until_finished(cancel_once_started, (ledger.clone(), false));
                assert!(
                    matches!(result, Err(TaskError::Cancelled { .. })),
                    "{result:?}"
                );
                ledger.assert_each_dropped_once();
            }

            #[test]
            fn a_task_cancelled_while_running_another_drops_both_once() {
                let _watchdog = Watchdog::new(LIMIT, "cancelled while running another");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let result = s.run_until_finished(cancel_once_started, (ledger.clone(), true));
                assert!(
                    matches!(result, Err(TaskError::Cancelled { .. })),
                    "{result:?}"
                );
                ledger.assert_each_dropped_once();
            }

            #[test]
            fn a_panicked_task_is_dropped_once() {
                let _watchdog = Watchdog::new(LIMIT, "a_panicked_task_is_dropped_once");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let task = s.queue_to_run(crash, (ledger.labelled("task fn"),));
                let token = ledger.labelled("closure");
                let closure = s.queue_to_run(
                    move || {
                        let _token = token;
                        panic!("crash as planned");
                    },
                    (),
                );
                s.run();
                assert!(matches!(block_on(task), Err(TaskError::Panicked { .. })));
                assert!(matches!(block_on(closure), Err(TaskError::Panicked { .. })));
                ledger.assert_each_dropped_once();
            }

            #[test]
            fn tasks_left_when_the_scheduler_is_dropped_are_dropped_once() {
                let _watchdog = Watchdog::new(LIMIT, "dropped with the scheduler");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let (started, has_started) = mpsc::channel();
                let sleeper =
                    s.queue_to_run(sleep_an_hour_after, (started, ledger.labelled("sleeper")));
                // On one thread it starts while the scheduler runs; on a pool, on its own.
                while has_started.try_recv().is_err() {
                    s.run_until_finished(scheduler::yield_now, ());
                    std::thread::sleep(Duration::from_millis(1));
                }
                let queued = s.queue_to_run(nap, (ledger.labelled("queued"),));
                let token = ledger.labelled("closure");
                let closure = s.queue_to_run(move || drop(token), ());
                drop(s);
                ledger.assert_each_dropped_once();
                assert!(matches!(
                    block_on(sleeper),
                    Err(TaskError::Cancelled { .. })
                ));
                // On a pool the other two may have run before the drop.
                assert!(matches!(
                    block_on(queued),
                    Ok(7) | Err(TaskError::Cancelled { .. })
                ));
                assert!(matches!(
                    block_on(closure),
                    Ok(()) | Err(TaskError::Cancelled { .. })
                ));
            }

            #[test]
            fn hundreds_of_tasks_each_ending_its_own_way_are_each_dropped_once() {
                let _watchdog = Watchdog::new(LIMIT, "hundreds of tasks");
                let ledger = DropCounter::new();
                let s = $scheduler;
                let mut joins = Vec::new();
                for i in 0..300 {
                    let token = ledger.labelled(format!("task {i}"));
                    match i % 4 {
                        0 => settle(i, s.queue_to_run(nap, (token,)), &mut joins),
                        1 => settle(i, s.queue_to_run(give_back, (token,)), &mut joins),
                        2 => settle(i, s.queue_to_run(crash, (token,)), &mut joins),
                        _ => settle(
                            i,
                            s.queue_to_run(move |_token: DropToken| 7, (token,)),
                            &mut joins,
                        ),
                    }
                }
                s.run_until_finished(scheduler::yield_now, ());
                drop(s); // whatever is left is cancelled
                joins.into_iter().for_each(|join| join());
                ledger.assert_each_dropped_once();
            }
        }
    };
}

/// Task `i`'s fate: cancelled when `i % 3 == 0`, detached when `i % 5 == 0`, else kept for
/// a join (which drops a value it gives) once the scheduler is gone.
fn settle<T: 'static>(i: usize, handle: TaskHandle<T>, joins: &mut Vec<Box<dyn FnOnce()>>) {
    if i.is_multiple_of(3) {
        handle.cancel();
    }
    if !i.is_multiple_of(5) {
        joins.push(Box::new(move || drop(block_on(handle))));
    }
}

drop_tests!(on_one_thread, Scheduler::new());
drop_tests!(on_two_threads, Scheduler::builder().threads(2).build());
