//! `scope` is structured concurrency: it returns once every task queued in it finished;
//! when one panics the others are cancelled and the panic is re-raised naming the task; and
//! cancelling the task that runs a scope cancels the scope's tasks.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{DropCounter, DropToken, in_child, run_child};

type Log = Rc<RefCell<Vec<String>>>;

fn note(log: &Log, what: &str) {
    log.borrow_mut().push(what.to_string());
}

#[task]
fn step(log: Log, name: &'static str, millis: u64) {
    scheduler::sleep(Duration::from_millis(millis));
    note(&log, name);
}

#[task]
fn sleep_an_hour(_guard: DropToken) {
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn explode() {
    scheduler::yield_now();
    panic!("boom");
}

#[test]
fn a_scope_returns_once_every_task_queued_in_it_finished() {
    #[task]
    fn run_scope(log: Log) -> &'static str {
        let value = scheduler::scope(|s| {
            s.queue_to_run(step, (log.clone(), "slow", 20));
            s.queue_to_run(step, (log.clone(), "fast", 1));
            "the closure's value"
        });
        note(&log, "after the scope");
        value
    }
    let log = Log::default();
    let value = Scheduler::new().run_until_finished(run_scope, (log.clone(),));
    assert_eq!(value, "the closure's value");
    assert_eq!(*log.borrow(), ["fast", "slow", "after the scope"]);
}

#[test]
fn a_scope_with_no_tasks_returns_at_once() {
    #[task]
    fn empty() -> u32 {
        scheduler::scope(|_| 5)
    }
    assert_eq!(Scheduler::new().run_until_finished(empty, ()), 5);
}

#[test]
fn when_one_task_panics_the_others_are_cancelled_and_the_panic_is_re_raised_naming_it() {
    #[task]
    fn run_scope(counter: DropCounter) {
        scheduler::scope(|s| {
            s.queue_to_run(sleep_an_hour, (counter.token(),));
            s.queue_to_run(explode, ());
            s.queue_to_run(sleep_an_hour, (counter.token(),));
        });
    }
    #[task]
    fn check(counter: DropCounter) -> TaskError {
        let handle = scheduler::queue_to_run(run_scope, (counter.clone(),));
        let error = handle.join().unwrap_err();
        assert_eq!(
            counter.alive(),
            0,
            "the siblings were cancelled before the re-raise"
        );
        error
    }
    let counter = DropCounter::new();
    let error = Scheduler::new().run_until_finished(check, (counter.clone(),));
    match error {
        TaskError::Panicked { task, message } => {
            assert!(task.to_string().ends_with("::run_scope"), "{task}");
            assert!(
                message.starts_with("task `scope::explode` panicked: boom"),
                "{message}"
            );
        }
        other => panic!("expected the scope to panic, got {other:?}"),
    }
}

#[test]
fn the_re_raised_panic_is_reported_once_naming_the_task_that_panicked() {
    #[task]
    fn run_scope() {
        scheduler::scope(|s| {
            s.queue_to_run(explode, ());
        });
    }
    if in_child() {
        Scheduler::new().run_until_finished(run_scope, ());
        return;
    }
    let (ok, stderr) =
        run_child("the_re_raised_panic_is_reported_once_naming_the_task_that_panicked");
    assert!(!ok);
    assert_eq!(
        stderr.matches("task `scope::explode` panicked at").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("task `scope::explode` panicked: boom (re-raised by `scheduler::scope` at tests/scope.rs:"), "{stderr}");
}

#[test]
fn cancelling_the_task_that_runs_a_scope_cancels_its_children() {
    #[task]
    fn run_scope(counter: DropCounter) {
        scheduler::scope(|s| {
            s.queue_to_run(sleep_an_hour, (counter.token(),));
            s.queue_to_run(sleep_an_hour, (counter.token(),));
        });
    }
    #[task]
    fn check(counter: DropCounter) -> usize {
        let handle = scheduler::queue_to_run(run_scope, (counter.clone(),));
        scheduler::sleep(Duration::from_millis(5)); // the children start and fall asleep
        assert_eq!(counter.alive(), 2);
        handle.cancel();
        let result = handle.join();
        assert!(matches!(result, Err(TaskError::Cancelled { .. })));
        scheduler::yield_now(); // the children stop at their pause points
        counter.alive()
    }
    let counter = DropCounter::new();
    assert_eq!(
        Scheduler::new().run_until_finished(check, (counter.clone(),)),
        0
    );
}

#[test]
fn the_handles_of_a_scope_can_be_joined_after_it() {
    #[task]
    fn double(x: u32) -> u32 {
        scheduler::yield_now();
        x * 2
    }
    #[task]
    fn run_scope() -> Vec<u32> {
        let handles = scheduler::scope(|s| {
            (1..=3)
                .map(|x| s.queue_to_run(double, (x,)))
                .collect::<Vec<_>>()
        });
        assert!(handles.iter().all(|h| h.is_finished()));
        scheduler::wait_all(handles)
    }
    assert_eq!(
        Scheduler::new().run_until_finished(run_scope, ()),
        [2, 4, 6]
    );
}

#[test]
fn a_task_of_a_scope_cancelled_through_its_handle_is_not_a_failure() {
    #[task]
    fn run_scope(counter: DropCounter) -> bool {
        scheduler::scope(|s| {
            let sleeper = s.queue_to_run(sleep_an_hour, (counter.token(),));
            sleeper.cancel();
            s.queue_to_run(|| (), ());
        });
        counter.alive() == 0
    }
    assert!(Scheduler::new().run_until_finished(run_scope, (DropCounter::new(),)));
}
