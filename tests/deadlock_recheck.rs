//! Deadlock detection that cannot be sure does not go quiet for good: while another
//! scheduler or a `Handle` is alive, something outside the scheduler could still wake a
//! task, so the parked loop looks again every second. Once that is gone, the deadlock panics
//! as usual; while it lasts, the loop says on stderr after a few seconds that it may be
//! deadlocked, naming the waiting tasks.
//!
//! Run with `cargo test --features test-hooks --test deadlock_recheck`: the hooks say when the
//! loop parked suspecting a deadlock, when it warned, and when it began the grace it gives
//! a plain thread. Each test runs in a child process: a deadlock's certainty depends on
//! every scheduler of the process, and the hooks are the process's.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use scheduler::__test_hooks::{self, Point};
use scheduler::sync::Event;
use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, panic_message, run_child};

#[task]
fn wait_for(event: Arc<Event>) {
    event.wait();
}

#[task]
fn forgets_to_set() {
    let event = Arc::new(Event::new());
    scheduler::queue_to_run(wait_for, (event.clone(),))
        .join()
        .unwrap(); // nobody will ever set the event
}

#[test]
fn a_deadlock_is_found_once_what_could_end_it_is_gone_and_said_while_it_lasts() {
    if in_child() {
        let (suspected_tx, suspected_rx) = mpsc::channel::<()>();
        let (warned_tx, warned_rx) = mpsc::channel::<()>();
        let (suspected_tx, warned_tx) = (Mutex::new(suspected_tx), Mutex::new(warned_tx));
        __test_hooks::set(move |point| match point {
            Point::DeadlockSuspected => drop(suspected_tx.lock().unwrap().send(())),
            Point::DeadlockWarned => drop(warned_tx.lock().unwrap().send(())),
            _ => {}
        });

        // Another scheduler is alive when the loop parks; it goes afterwards.
        let other = Scheduler::builder().threads(1).build();
        let dropper = std::thread::spawn(move || {
            suspected_rx.recv().unwrap();
            drop(other);
        });
        let message = panic_message(|| Scheduler::new().run_until_finished(forgets_to_set, ()));
        assert!(
            message.starts_with("deadlock: every task is waiting"),
            "{message}"
        );
        dropper.join().unwrap();

        // A `Handle` is alive: maybe a deadlock, said on stderr; then the handle ends it.
        let s = Scheduler::new();
        let handle = s.handle();
        let event = Arc::new(Event::new());
        let set_it = event.clone();
        let rescuer = std::thread::spawn(move || {
            warned_rx.recv().unwrap();
            handle.queue_to_run(move || set_it.set(), ());
        });
        s.run_until_finished(wait_for, (event,));
        rescuer.join().unwrap();
        eprintln!("the handle ended the wait");
        return;
    }
    let test = "a_deadlock_is_found_once_what_could_end_it_is_gone_and_said_while_it_lasts";
    let (ok, stderr) = run_child(test);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(
            "scheduler: maybe a deadlock: every task has been waiting, with nothing of this \
             scheduler able to wake one, for 5 s (a `Handle` to this scheduler is alive)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "`deadlock_recheck::wait_for` (the root of `run_until_finished`): event wait"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("the handle ended the wait"), "{stderr}");
}

#[test]
fn an_event_a_plain_thread_sets_during_the_grace_is_no_deadlock() {
    if in_child() {
        let (grace_tx, grace_rx) = mpsc::channel::<()>();
        let grace_tx = Mutex::new(grace_tx);
        __test_hooks::set(move |point| {
            if point == Point::DeadlockGrace {
                let _ = grace_tx.lock().unwrap().send(());
            }
        });
        let event = Arc::new(Event::new());
        let setter = event.clone();
        // Sets the event once the loop parked looking deadlocked, within its grace.
        let thread = std::thread::spawn(move || {
            grace_rx.recv().unwrap();
            setter.set();
        });
        Scheduler::new().run_until_finished(wait_for, (event,));
        thread.join().unwrap();
        return;
    }
    let (ok, stderr) = run_child("an_event_a_plain_thread_sets_during_the_grace_is_no_deadlock");
    assert!(ok, "{stderr}");
}
