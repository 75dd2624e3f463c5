//! A panic hook the program set before (a crash reporter, `tracing`'s) sees the panics of
//! tasks too, as they happen; the scheduler's own report naming the task follows, once,
//! where the panic is caught (so that a test harness can capture it).
//! (One test in this file: the panic hook is one per process.)

use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{in_child, run_child};

#[task]
fn fails() {
    scheduler::yield_now();
    panic!("no signal");
}

#[test]
fn a_users_panic_hook_sees_task_panics_then_the_named_report_follows() {
    if in_child() {
        std::panic::set_hook(Box::new(|info| {
            let message = info.payload().downcast_ref::<&str>().copied();
            eprintln!("the user's hook saw: {}", message.unwrap_or("?"));
        }));
        for threads in [None, Some(2)] {
            let error = match threads {
                None => Scheduler::new().run_until_finished(join_failing, ()),
                Some(n) => Scheduler::builder()
                    .threads(n)
                    .build()
                    .run_until_finished(join_failing, ()),
            };
            assert!(matches!(error, TaskError::Panicked { .. }), "{error:?}");
        }
        return;
    }
    let (ok, stderr) =
        run_child("a_users_panic_hook_sees_task_panics_then_the_named_report_follows");
    assert!(ok, "{stderr}");
    assert_eq!(
        stderr.matches("the user's hook saw: no signal").count(),
        2,
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("task `panic_hook_chain::fails` panicked at")
            .count(),
        2,
        "{stderr}"
    );
    let report = stderr
        .find("task `panic_hook_chain::fails` panicked")
        .unwrap();
    let hook = stderr.find("the user's hook saw").unwrap();
    assert!(
        hook < report,
        "the user's hook sees the panic first: {stderr}"
    );
    assert!(
        !stderr.contains("thread '"),
        "std's default hook stays out: {stderr}"
    );
}

#[task]
fn join_failing() -> TaskError {
    scheduler::queue_to_run(fails, ()).join().unwrap_err()
}
