//! A scheduler kept in a `thread_local!` is dropped at thread exit like any other: quietly,
//! naming the tasks it cancels, never aborting the process (thread-locals are destroyed in
//! reverse order of first use, so the scheduler's own ones are gone first).

use std::cell::Cell;

use scheduler::Scheduler;
use scheduler_workspace::{in_child, run_child};

thread_local! {
    static RT: Scheduler = Scheduler::new();
    static LEFT: Cell<bool> = const { Cell::new(false) };
}

#[scheduler::task]
fn left_behind() {
    scheduler::yield_now();
}

#[test]
fn a_scheduler_in_a_thread_local_drops_quietly_at_thread_exit() {
    if in_child() {
        std::thread::spawn(|| {
            RT.with(|s| {
                assert_eq!(s.run_until_finished(|| 7, ()), 7);
                s.queue_to_run(left_behind, ());
            });
            LEFT.with(|l| l.set(true));
        })
        .join()
        .unwrap();
        println!("the thread ended");
        return;
    }
    let (ok, stderr) = run_child("a_scheduler_in_a_thread_local_drops_quietly_at_thread_exit");
    assert!(ok, "the child failed: {stderr}");
    assert!(!stderr.contains("AccessError"), "{stderr}");
    assert!(
        stderr.contains(
            "scheduler dropped with 1 unfinished task: `thread_local_scheduler::left_behind`"
        ),
        "{stderr}"
    );
}
