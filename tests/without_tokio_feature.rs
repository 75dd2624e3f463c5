//! Without the `tokio` feature, a task that makes or polls a tokio future panics with
//! tokio's "there is no reactor running": its panic report and its `TaskError` carry the fix,
//! turning the feature on, on both flavours.
#![cfg(not(feature = "tokio"))]

use std::time::Duration;

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{in_child, run_child};

/// What the fix says: the feature, as it is written in Cargo.toml.
const FIX: &str = "features = [\"tokio\"]";

/// Makes a tokio sleep, which needs a tokio runtime's context.
#[task]
fn tokio_nap() {
    scheduler::wait(tokio::time::sleep(Duration::from_millis(1)));
}

/// The error `tokio_nap` ends with.
#[task]
fn nap_error() -> TaskError {
    scheduler::queue_to_run(tokio_nap, ())
        .join()
        .expect_err("a tokio future needs a tokio runtime")
}

fn assert_has_the_fix(error: TaskError) {
    let TaskError::Panicked { task, message } = &error else {
        panic!("expected a panic, got {error:?}");
    };
    assert_eq!(task.to_string(), "without_tokio_feature::tokio_nap");
    assert!(message.contains("there is no reactor running"), "{message}");
    assert!(message.contains(FIX), "{message}");
    assert!(error.to_string().contains(FIX), "{error}");
}

#[test]
fn the_error_of_a_task_with_no_tokio_reactor_names_the_feature_on_one_thread() {
    assert_has_the_fix(Scheduler::new().run_until_finished(nap_error, ()));
}

#[test]
fn the_error_of_a_task_with_no_tokio_reactor_names_the_feature_on_two_threads() {
    let s = Scheduler::builder().threads(2).build();
    assert_has_the_fix(s.run_until_finished(nap_error, ()));
}

#[test]
fn the_panic_report_of_a_task_with_no_tokio_reactor_names_the_feature() {
    if in_child() {
        Scheduler::new().run_until_finished(nap_error, ());
        return;
    }
    let (ok, stderr) =
        run_child("the_panic_report_of_a_task_with_no_tokio_reactor_names_the_feature");
    assert!(ok, "the child catches the task's panic: {stderr}");
    assert!(
        stderr.contains("task `without_tokio_feature::tokio_nap` panicked at"),
        "{stderr}"
    );
    assert!(stderr.contains("there is no reactor running"), "{stderr}");
    assert!(stderr.contains(FIX), "{stderr}");
}
