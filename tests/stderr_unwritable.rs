//! When stderr cannot be written (`2>/dev/full`, a closed pipe), the scheduler's reports are
//! lost, never the program: a task's panic, a dropped scheduler's report and the slow-poll
//! watchdog all go on as if the write had worked.

use std::time::Duration;

use scheduler::{Scheduler, TaskHandle, task};
use scheduler_workspace::{in_child, run_child_with_stderr_full};

#[task]
fn boom() {
    scheduler::yield_now();
    panic!("boom in a task");
}

#[task]
fn forever() {
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn failed(h: TaskHandle<()>) -> bool {
    h.join().is_err()
}

#[test]
fn a_task_panic_and_a_drop_report_survive_an_unwritable_stderr() {
    if in_child() {
        let s = Scheduler::new();
        let h = s.queue_to_run(boom, ());
        s.queue_to_run(forever, ());
        assert!(s.run_until_finished(failed, (h,)));
        drop(s); // reports `forever` as cancelled
        println!("survived one thread");
        let pool = Scheduler::builder().threads(2).build();
        let h = pool.queue_to_run(boom, ());
        pool.queue_to_run(forever, ());
        assert!(pool.run_until_finished(failed, (h,)));
        drop(pool);
        println!("survived a pool");
        return;
    }
    let (ok, stdout) =
        run_child_with_stderr_full("a_task_panic_and_a_drop_report_survive_an_unwritable_stderr");
    assert!(ok, "the child failed; its stdout: {stdout}");
    assert!(stdout.contains("survived one thread"), "{stdout}");
    assert!(stdout.contains("survived a pool"), "{stdout}");
}
