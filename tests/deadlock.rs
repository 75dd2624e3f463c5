//! A single-threaded scheduler where every task waits and nothing can wake one panics,
//! listing the waiting tasks and what each waits on (Go's "all goroutines are asleep").
//! Each scenario runs in a process of its own: detection turns itself off for good once a
//! sync primitive is used outside a scheduler, which another test might do.

use std::sync::Arc;
use std::time::Duration;

use scheduler::sync::{Event, channel};
use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, run_child};

#[task]
fn wait_for(event: Arc<Event>) {
    event.wait();
}

#[task]
fn forgets_to_set() {
    let event = Arc::new(Event::new());
    let waiter = scheduler::queue_to_run(wait_for, (event.clone(),));
    waiter.join().unwrap(); // nobody will ever set the event
}

#[test]
fn a_task_waiting_on_an_event_nobody_sets_is_a_deadlock_naming_every_waiter() {
    if in_child() {
        Scheduler::new().run_until_finished(forgets_to_set, ());
        return;
    }
    let (ok, stderr) =
        run_child("a_task_waiting_on_an_event_nobody_sets_is_a_deadlock_naming_every_waiter");
    assert!(!ok, "the deadlock panics");
    assert!(
        stderr.contains("deadlock: every task is waiting and nothing can wake one"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`deadlock::forgets_to_set` (the root of `run_until_finished`): join of `deadlock::wait_for`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`deadlock::wait_for`: event wait"),
        "{stderr}"
    );
}

#[task]
fn receives_from_itself() -> u32 {
    let (tx, rx) = channel::<u32>(1);
    let value = rx.recv().unwrap(); // `tx` is alive, but only this task could send
    drop(tx);
    value
}

#[test]
fn receiving_on_a_channel_only_the_receiver_could_send_to_is_a_deadlock() {
    if in_child() {
        Scheduler::new().run_until_finished(receives_from_itself, ());
        return;
    }
    let (ok, stderr) =
        run_child("receiving_on_a_channel_only_the_receiver_could_send_to_is_a_deadlock");
    assert!(!ok);
    assert!(
        stderr.contains(
            "`deadlock::receives_from_itself` (the root of `run_until_finished`): channel recv"
        ),
        "{stderr}"
    );
}

#[task]
fn waits_for_a_timer() {
    let event = Arc::new(Event::new());
    let setter = event.clone();
    scheduler::queue_to_run_after(Duration::from_millis(50), move || setter.set(), ());
    event.wait(); // a timer will set it: no deadlock
}

#[test]
fn waiting_while_a_timer_is_pending_is_no_deadlock() {
    if in_child() {
        Scheduler::new().run_until_finished(waits_for_a_timer, ());
        return;
    }
    let (ok, stderr) = run_child("waiting_while_a_timer_is_pending_is_no_deadlock");
    assert!(ok, "{stderr}");
}

#[task]
fn waits_for_another_thread(event: Arc<Event>) {
    event.wait();
}

#[test]
fn waiting_on_an_event_another_thread_sets_is_no_deadlock() {
    if in_child() {
        let event = Arc::new(Event::new());
        let setter = event.clone();
        // Set by a plain thread before the wait even starts.
        std::thread::spawn(move || setter.set()).join().unwrap();
        Scheduler::new().run_until_finished(waits_for_another_thread, (event,));
        return;
    }
    let (ok, stderr) = run_child("waiting_on_an_event_another_thread_sets_is_no_deadlock");
    assert!(ok, "{stderr}");
}

#[test]
fn a_live_handle_means_another_thread_may_still_wake_a_task() {
    if in_child() {
        let s = Scheduler::new();
        let handle = s.handle();
        let event = Arc::new(Event::new());
        let setter = event.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            handle.queue_to_run(move || setter.set(), ());
        });
        s.run_until_finished(waits_for_another_thread, (event,));
        thread.join().unwrap();
        return;
    }
    let (ok, stderr) = run_child("a_live_handle_means_another_thread_may_still_wake_a_task");
    assert!(ok, "{stderr}");
}

#[task]
fn waits_with_a_timeout(event: Arc<Event>) -> bool {
    let timed_out = scheduler::with_timeout(Duration::from_millis(50), wait_for, (event,));
    timed_out.is_err()
}

#[test]
fn an_event_wait_under_a_timeout_times_out_instead_of_being_a_deadlock() {
    if in_child() {
        let event = Arc::new(Event::new());
        assert!(Scheduler::new().run_until_finished(waits_with_a_timeout, (event,)));
        return;
    }
    let (ok, stderr) =
        run_child("an_event_wait_under_a_timeout_times_out_instead_of_being_a_deadlock");
    assert!(ok, "{stderr}");
}

#[task]
fn joins_work_on_a_pool(pool: scheduler::Handle) -> u32 {
    let handle = pool.queue_to_run(
        || {
            std::thread::sleep(Duration::from_millis(50));
            7
        },
        (),
    );
    drop(pool); // no handle of ours left: only the pool can wake this task
    handle.join().unwrap()
}

#[test]
fn joining_a_task_of_another_scheduler_is_no_deadlock() {
    if in_child() {
        let pool = Scheduler::builder().threads(1).build();
        let s = Scheduler::new();
        assert_eq!(
            s.run_until_finished(joins_work_on_a_pool, (pool.handle(),)),
            7
        );
        return;
    }
    let (ok, stderr) = run_child("joining_a_task_of_another_scheduler_is_no_deadlock");
    assert!(ok, "{stderr}");
}
