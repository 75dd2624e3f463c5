//! A detached task's value is dropped when the task ends, by nobody's hand: a panic in its
//! `Drop` is the task's, reported once by name, and takes nothing else down (async-task
//! drops an unclaimed output where a panic aborts the process).

use std::time::Duration;

use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, run_child};

struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("Bomb went off in Drop");
    }
}

#[task]
fn returns_bomb() -> Bomb {
    scheduler::yield_now();
    Bomb
}

#[task]
fn detach() -> u32 {
    drop(scheduler::queue_to_run(returns_bomb, ()));
    scheduler::sleep(Duration::from_millis(10));
    7
}

#[test]
fn a_detached_tasks_value_that_panics_in_drop_is_reported_as_the_tasks() {
    if in_child() {
        assert_eq!(Scheduler::new().run_until_finished(detach, ()), 7);
        eprintln!("survived one thread");
        let pool = Scheduler::builder().threads(2).build();
        assert_eq!(pool.run_until_finished(detach, ()), 7);
        eprintln!("survived a pool");
        return;
    }
    let test = "a_detached_tasks_value_that_panics_in_drop_is_reported_as_the_tasks";
    let (ok, stderr) = run_child(test);
    assert!(ok, "the child failed: {stderr}");
    assert!(stderr.contains("survived one thread"), "{stderr}");
    assert!(stderr.contains("survived a pool"), "{stderr}");
    let reports = stderr
        .matches("task `detached_output::returns_bomb` panicked at")
        .count();
    assert_eq!(reports, 2, "one report per run, naming the task: {stderr}");
    assert!(
        !stderr.contains("thread '"),
        "std's hook saw no panic: {stderr}"
    );
}
