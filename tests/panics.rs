//! A task that panics never takes others down: it is reported once, by name; `join` gives
//! `TaskError::Panicked`; a blocking `run_until_finished` re-raises it in its caller.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{in_child, run_child};

#[task]
fn no_signal() -> u32 {
    scheduler::yield_now();
    panic!("no signal on channel 7")
}

#[task]
fn keeps_going(done: Rc<Cell<bool>>) {
    for _ in 0..3 {
        scheduler::yield_now();
    }
    done.set(true);
}

#[test]
fn other_tasks_keep_running_after_a_panic() {
    let s = Scheduler::new();
    let done = Rc::new(Cell::new(false));
    let failing = s.queue_to_run(no_signal, ());
    s.queue_to_run(keeps_going, (done.clone(),));
    s.run();
    assert!(done.get());
    assert!(failing.is_finished());
}

#[test]
fn join_gives_the_task_and_its_message() {
    #[task]
    fn check() -> TaskError {
        scheduler::queue_to_run(no_signal, ()).join().unwrap_err()
    }
    let error = Scheduler::new().run_until_finished(check, ());
    match &error {
        TaskError::Panicked { task, message } => {
            assert_eq!(task.to_string(), "panics::no_signal");
            assert_eq!(message, "no signal on channel 7");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "task `panics::no_signal` panicked: no signal on channel 7"
    );
}

#[test]
fn run_until_finished_re_raises_the_panic_with_its_message() {
    let s = Scheduler::new();
    let caught = catch_unwind(AssertUnwindSafe(|| s.run_until_finished(no_signal, ())));
    let payload = caught.expect_err("the panic reaches the caller");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"no signal on channel 7")
    );
    // The scheduler is still usable.
    assert_eq!(s.run_until_finished(|| 5, ()), 5);
}

#[test]
fn a_panic_in_a_task_is_reported_once_naming_the_task() {
    if in_child() {
        let s = Scheduler::new();
        s.queue_to_run(no_signal, ());
        s.run();
        return;
    }
    let (ok, stderr) = run_child("a_panic_in_a_task_is_reported_once_naming_the_task");
    assert!(ok, "{stderr}");
    assert_eq!(
        stderr.matches("no signal on channel 7").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("task `panics::no_signal` panicked at tests/panics.rs:"),
        "{stderr}"
    );
}

#[test]
fn a_panic_inside_a_plain_closure_task_names_its_line() {
    let s = Scheduler::new();
    let line = line!() + 1;
    let handle = s.queue_to_run(|| -> u32 { panic!("plain") }, ());
    s.run();
    let error = s
        .run_until_finished(move || scheduler::wait(handle), ())
        .unwrap_err();
    assert_eq!(error.task().to_string(), format!("tests/panics.rs:{line}"));
}
