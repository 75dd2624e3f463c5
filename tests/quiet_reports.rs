//! A test whose tasks panic on purpose, or which drops a scheduler with work left, prints
//! nothing when it passes: the scheduler's reports go where the test harness captures a
//! test's output, and show with the rest of it when the test fails.

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{in_child, panic_message, run_child_captured};

#[task]
fn fails() {
    scheduler::yield_now();
    panic!("on purpose");
}

#[task]
fn join_failing() -> TaskError {
    scheduler::queue_to_run(fails, ()).join().unwrap_err()
}

#[task]
fn forever() {
    scheduler::sleep(std::time::Duration::from_secs(3_600));
}

/// What the child tests do: a task panics on each flavour, a root panics and the panic
/// reaches the caller, and a scheduler is dropped with a task left.
fn panic_on_purpose() {
    let on_one_thread = Scheduler::new().run_until_finished(join_failing, ());
    let on_two = Scheduler::builder()
        .threads(2)
        .build()
        .run_until_finished(join_failing, ());
    for error in [on_one_thread, on_two] {
        assert!(matches!(error, TaskError::Panicked { .. }), "{error:?}");
    }
    let message = panic_message(|| Scheduler::new().run_until_finished(fails, ()));
    assert_eq!(message, "on purpose");
    let s = Scheduler::new();
    s.queue_to_run(forever, ());
    s.run_until_finished(scheduler::yield_now, ());
    drop(s);
}

#[test]
fn child_that_passes() {
    if in_child() {
        panic_on_purpose();
    }
}

#[test]
fn child_that_fails() {
    if in_child() {
        panic_on_purpose();
        panic!("the child fails");
    }
}

#[test]
fn a_passing_test_prints_no_report_of_panics_made_on_purpose() {
    let (ok, output) = run_child_captured("child_that_passes");
    assert!(ok, "{output}");
    assert!(!output.contains("panicked"), "{output}");
    assert!(!output.contains("scheduler dropped"), "{output}");
}

#[test]
fn a_failing_test_shows_the_reports_with_its_output() {
    let (ok, output) = run_child_captured("child_that_fails");
    assert!(!ok, "{output}");
    assert_eq!(
        output
            .matches("task `quiet_reports::fails` panicked at")
            .count(),
        3,
        "{output}"
    );
    assert!(
        output.contains("scheduler dropped with 1 unfinished task: `quiet_reports::forever`"),
        "{output}"
    );
}
