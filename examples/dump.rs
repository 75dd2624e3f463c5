//! A program with a few stuck tasks, and the dump that says where each one is.
//!
//! `cargo run -p scheduler-examples --example dump` prints (the times vary):
//!
//! ```text
//! scheduler (one thread): 6 unfinished tasks
//!
//! task `dump::main_task` [running]:
//!     dump::main_task
//!         examples/dump.rs:87:16
//!
//! task `dump::refresh_cache` [paused: channel recv, 186.8µs]:
//!     dump::refresh_cache
//!         examples/dump.rs:54:13
//!     dump::fetch
//!         examples/dump.rs:48:13
//!
//! task `dump::hold_the_log` [paused: event wait, 189.9µs]:
//!     dump::hold_the_log
//!         examples/dump.rs:67:8
//!
//! task `dump::write_log` [paused: mutex lock, 191.7µs]:
//!     dump::write_log
//!         examples/dump.rs:60:9
//!
//! task `dump::fetch_or_give_up` [paused: sleep, 193.5µs]:
//!     dump::fetch_or_give_up
//!         examples/dump.rs:73:5
//!     branch 1 of 2:
//!         dump::fetch_or_give_up
//!             examples/dump.rs:74:17
//!         dump::fetch
//!             examples/dump.rs:48:13
//!     branch 2 of 2:
//!         dump::fetch_or_give_up
//!             examples/dump.rs:75:13
//!
//! task `examples/dump.rs:88` [ready]
//! ```
//!
//! The dump lists every unfinished task with its state (`running`, `ready`, `paused`),
//! what it waits on and for how long, and its pause stack: the chain of `#[task]` calls
//! from the task's root to where it waits, the outer call first, each with its
//! `file:line`. A program run with `SCHEDULER_DUMP_ON_SIGNAL=1` prints the same on stderr
//! for every live scheduler when it gets SIGQUIT (Ctrl-\), and goes on.

use std::rc::Rc;
use std::time::Duration;

use scheduler::sync::{Event, Mutex, Receiver};
use scheduler::{Scheduler, task};

/// Waits for a reply that never comes.
#[task]
fn fetch(replies: Receiver<String>) -> Option<String> {
    replies.recv().ok()
}

/// Fetches, one level down.
#[task]
fn refresh_cache(replies: Receiver<String>) {
    let _ = fetch(replies);
}

/// Locks a mutex that the other task holds.
#[task]
fn write_log(log: Rc<Mutex<Vec<String>>>) {
    log.lock().push("written".to_string());
}

/// Holds the mutex while it waits for an event nobody sets.
#[task]
fn hold_the_log(log: Rc<Mutex<Vec<String>>>, go: Event) {
    let _guard = log.lock();
    go.wait();
}

/// Waits for a reply or an hour, whichever comes first: a branch per arm in the dump.
#[task]
fn fetch_or_give_up(replies: Receiver<String>) -> Option<String> {
    scheduler::select! {
        reply = fetch(replies) => reply,
        _ = scheduler::sleep(Duration::from_secs(3600)) => None,
    }
}

#[task]
fn main_task(log: Rc<Mutex<Vec<String>>>, go: Event) -> String {
    let (_tx, rx) = scheduler::sync::channel(1);
    let (_other_tx, other_rx) = scheduler::sync::channel(1);
    scheduler::queue_to_run(refresh_cache, (rx,));
    scheduler::queue_to_run(hold_the_log, (log.clone(), go));
    scheduler::queue_to_run(write_log, (log,));
    scheduler::queue_to_run(fetch_or_give_up, (other_rx,));
    scheduler::sleep(Duration::from_millis(50)); // every task runs and gets stuck
    scheduler::queue_to_run(|| (), ()); // ready: queued, not started
    let dump = scheduler::dump().to_string();
    drop((_tx, _other_tx));
    dump
}

fn main() {
    let s = Scheduler::builder().virtual_time().build();
    let dump = s.run_until_finished(main_task, (Rc::new(Mutex::new(Vec::new())), Event::new()));
    println!("{dump}");
}
