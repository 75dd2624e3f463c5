//! A dropped scheduler names the tasks it cancels on stderr *before* it cancels them: a
//! cancelled task's handle has its result as soon as the task is cancelled, and a program
//! that waits on it may go on and end at once; the line must already be out by then.
//!
//! Made exact with `scheduler::__test_hooks` (run with `cargo test --features test-hooks
//! --test drop_names_first`): the dropping thread says a marker at `Point::ClosingDrained`,
//! reached once it has cancelled everything it found. The line must come before it.

use std::sync::Arc;
use std::time::Duration;

use scheduler::__test_hooks::{self, Point};
use scheduler::Scheduler;
use scheduler::sync::Event;
use scheduler_workspace::{Watchdog, in_child, run_child};

/// What the dropping thread says once everything it found is cancelled.
const CANCELLED: &str = "(everything found is cancelled now)";

#[scheduler::task]
fn waits_forever(never: Arc<Event>) {
    never.wait();
}

/// Says [`CANCELLED`] when the thread that calls this reaches `ClosingDrained` (a pool's
/// workers reach it too, each for its own pinned tasks: only this thread's counts).
fn say_when_this_thread_has_cancelled_everything() {
    let dropping = std::thread::current().id();
    __test_hooks::set(move |point| {
        if point == Point::ClosingDrained && std::thread::current().id() == dropping {
            eprintln!("{CANCELLED}");
        }
    });
}

/// Runs `test` in a child and checks that its stderr names `waits_forever` as cancelled
/// before the marker.
fn names_come_first(test: &str) {
    let (ok, stderr) = run_child(test);
    assert!(ok, "{stderr}");
    let said = stderr.find("unfinished task: `drop_names_first::waits_forever`");
    let cancelled = stderr.find(CANCELLED);
    assert!(
        said.is_some() && cancelled.is_some() && said < cancelled,
        "the dropped scheduler names its task before it cancels it: {stderr}"
    );
}

#[test]
fn a_dropped_scheduler_names_what_it_cancels_before_cancelling_it() {
    if in_child() {
        let _watchdog = Watchdog::new(Duration::from_secs(60), "a scheduler's drop");
        let s = Scheduler::new();
        let handle = s.queue_to_run(waits_forever, (Arc::new(Event::new()),));
        s.run_until_finished(|| (), ()); // `waits_forever` runs once and pauses
        say_when_this_thread_has_cancelled_everything();
        drop(s);
        __test_hooks::clear();
        assert!(handle.is_finished());
        return;
    }
    names_come_first("a_dropped_scheduler_names_what_it_cancels_before_cancelling_it");
}

#[test]
fn a_dropped_pool_names_what_it_cancels_before_cancelling_it() {
    if in_child() {
        let _watchdog = Watchdog::new(Duration::from_secs(60), "a pool's drop");
        let pool = Scheduler::builder().threads(2).build();
        let handle = pool.queue_to_run(waits_forever, (Arc::new(Event::new()),));
        say_when_this_thread_has_cancelled_everything();
        drop(pool);
        __test_hooks::clear();
        assert!(handle.is_finished());
        return;
    }
    names_come_first("a_dropped_pool_names_what_it_cancels_before_cancelling_it");
}
