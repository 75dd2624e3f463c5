//! The report of a task's panic (a backtrace capture can take 100 ms) is not the task
//! holding its thread: the slow-poll watchdog does not name the task for it, however long
//! the panic hooks take.
//!
//! Run with `cargo test --features test-hooks --test slow_poll_panic_report`: the hook
//! waits, by handshake, for the watchdog to look at every thread three times.

use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use scheduler::__test_hooks::{self, Point};
use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, run_child};

#[task]
fn panics() {
    panic!("on purpose");
}

#[test]
fn a_slow_panic_report_is_not_reported_as_a_slow_poll() {
    if in_child() {
        let (ticked_tx, ticked_rx) = mpsc::channel::<()>();
        let ticked_tx = Mutex::new(ticked_tx);
        __test_hooks::set(move |point| {
            if point == Point::WatchdogTicked {
                let _ = ticked_tx.lock().unwrap().send(());
            }
        });
        let ticked_rx = Mutex::new(ticked_rx);
        // A user's hook that takes as long as three looks of the watchdog (chained after
        // the scheduler's report, see `tests/panic_hook_chain.rs`).
        std::panic::set_hook(Box::new(move |_| {
            let ticked = ticked_rx.lock().unwrap();
            while ticked.try_recv().is_ok() {}
            for _ in 0..3 {
                ticked.recv().unwrap();
            }
            eprintln!("the user's hook is done");
        }));
        let s = Scheduler::builder()
            .slow_poll(Duration::from_millis(1))
            .build();
        s.queue_to_run(panics, ());
        s.run();
        let pool = Scheduler::builder()
            .threads(2)
            .slow_poll(Duration::from_millis(1))
            .build();
        pool.queue_to_run(panics, ());
        pool.run();
        return;
    }
    let (ok, stderr) = run_child("a_slow_panic_report_is_not_reported_as_a_slow_poll");
    assert!(ok, "{stderr}");
    assert_eq!(
        stderr.matches("the user's hook is done").count(),
        2,
        "{stderr}"
    );
    assert!(
        !stderr.contains("without reaching a pause point"),
        "{stderr}"
    );
}
