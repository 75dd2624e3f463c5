//! `cancel()` takes effect at the task's next pause point: it never resumes past it, its
//! state is dropped at once (drop guards run), and `join` reports `Cancelled` without
//! waiting out its sleep.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{DropCounter, DropToken};

#[task]
fn sleep_an_hour(resumed: Rc<Cell<bool>>, _guard: DropToken) {
    scheduler::sleep(Duration::from_secs(3600));
    resumed.set(true);
}

#[task]
fn cancel_a_sleeper(counter: DropCounter, resumed: Rc<Cell<bool>>) -> Result<(), TaskError> {
    let handle = scheduler::queue_to_run(sleep_an_hour, (resumed, counter.token()));
    scheduler::yield_now(); // let it start and fall asleep
    assert_eq!(counter.alive(), 1);
    handle.cancel();
    let result = handle.join();
    assert_eq!(
        counter.alive(),
        0,
        "the state was dropped by the time join returned"
    );
    result
}

#[test]
fn a_cancelled_sleeper_is_dropped_at_once_and_join_says_cancelled() {
    let counter = DropCounter::new();
    let resumed = Rc::new(Cell::new(false));
    let start = Instant::now();
    let result =
        Scheduler::new().run_until_finished(cancel_a_sleeper, (counter.clone(), resumed.clone()));
    assert!(start.elapsed() < Duration::from_secs(60));
    match result {
        Err(TaskError::Cancelled { task }) => assert_eq!(task.to_string(), "cancel::sleep_an_hour"),
        other => panic!("expected Cancelled, got {other:?}"),
    }
    assert!(
        !resumed.get(),
        "a cancelled task never resumes past its pause point"
    );
    assert_eq!(counter.alive(), 0);
}

#[test]
fn a_task_cancelled_before_it_starts_never_runs_and_its_arguments_are_dropped() {
    let s = Scheduler::new();
    let counter = DropCounter::new();
    let ran = Rc::new(Cell::new(false));
    let flag = ran.clone();
    let token = counter.token();
    let handle = s.queue_to_run(move |_token: DropToken| flag.set(true), (token,));
    handle.cancel();
    s.run();
    assert!(!ran.get());
    assert_eq!(counter.alive(), 0);
    assert!(handle.is_finished());
}

#[task]
fn child(_guard: DropToken) {
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn parent(guard: DropToken) {
    scheduler::run_until_finished(child, (guard,)); // the child runs as part of the parent
}

#[test]
fn cancelling_a_task_cancels_what_it_runs_with_run_until_finished() {
    #[task]
    fn check(counter: DropCounter) -> bool {
        let handle = scheduler::queue_to_run(parent, (counter.token(),));
        scheduler::yield_now();
        handle.cancel();
        let result = handle.join();
        matches!(result, Err(TaskError::Cancelled { .. })) && counter.alive() == 0
    }
    assert!(Scheduler::new().run_until_finished(check, (DropCounter::new(),)));
}

#[test]
fn cancelling_a_finished_task_changes_nothing() {
    #[task]
    fn check() -> u32 {
        let handle = scheduler::queue_to_run(|| 7, ());
        scheduler::yield_now();
        assert!(handle.is_finished());
        handle.cancel();
        handle.join().unwrap()
    }
    assert_eq!(Scheduler::new().run_until_finished(check, ()), 7);
}

#[test]
fn dropping_a_handle_detaches_the_task_which_keeps_running() {
    let s = Scheduler::new();
    let done = Rc::new(Cell::new(false));
    let flag = done.clone();
    #[task]
    fn slow(flag: Rc<Cell<bool>>) {
        scheduler::sleep(Duration::from_millis(5));
        flag.set(true);
    }
    drop(s.queue_to_run(slow, (flag,)));
    s.run();
    assert!(done.get());
}

/// Panics when dropped.
struct ExplodesOnDrop;

impl Drop for ExplodesOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("boom while dropping");
        }
    }
}

#[task]
fn holds_a_bomb(_bomb: ExplodesOnDrop) {
    scheduler::sleep(Duration::from_secs(3600));
}

#[test]
fn a_panic_while_a_cancelled_task_is_dropped_is_that_tasks_panic() {
    #[task]
    fn check() -> bool {
        let handle = scheduler::queue_to_run(holds_a_bomb, (ExplodesOnDrop,));
        scheduler::yield_now();
        handle.cancel();
        let result = handle.join();
        matches!(result, Err(TaskError::Panicked { ref message, .. }) if message == "boom while dropping")
    }
    let s = Scheduler::new();
    assert!(s.run_until_finished(check, ()));
    assert_eq!(
        s.run_until_finished(|| 1, ()),
        1,
        "the scheduler carries on"
    );
}
