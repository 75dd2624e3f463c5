//! A program with a few stuck tasks, and the dump that says where each one is.
//!
//! `cargo run -p scheduler-examples --example dump` prints (the times vary):
//!
//! ```text
//! scheduler (one thread): 6 unfinished tasks
//!
//! task `dump::main_task` [running]:
//!     dump::main_task
//!         examples/dump.rs:83:16
//!
//! task `dump::refresh_cache` [paused: channel recv, 244.5µs]:
//!     dump::refresh_cache
//!         examples/dump.rs:54:13
//!     dump::fetch
//!         examples/dump.rs:48:13
//!
//! task `dump::hold_the_log` [paused: event wait, 248.7µs]:
//!     dump::hold_the_log
//!         examples/dump.rs:67:8
//!
//! task `dump::write_log` [paused: mutex lock, 251.8µs]:
//!     dump::write_log
//!         examples/dump.rs:60:9
//!
//! task `dump::nap` [paused: sleep, 257.1µs]:
//!     dump::nap
//!         examples/dump.rs:73:16
//!
//! task `examples/dump.rs:84` [ready]
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

/// Sleeps for an hour.
#[task]
fn nap() {
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn main_task(log: Rc<Mutex<Vec<String>>>, go: Event) -> String {
    let (_tx, rx) = scheduler::sync::channel(1);
    scheduler::queue_to_run(refresh_cache, (rx,));
    scheduler::queue_to_run(hold_the_log, (log.clone(), go));
    scheduler::queue_to_run(write_log, (log,));
    scheduler::queue_to_run(nap, ());
    scheduler::sleep(Duration::from_millis(50)); // every task runs and gets stuck
    scheduler::queue_to_run(|| (), ()); // ready: queued, not started
    let dump = scheduler::dump().to_string();
    drop(_tx);
    dump
}

fn main() {
    let s = Scheduler::builder().virtual_time().build();
    let dump = s.run_until_finished(main_task, (Rc::new(Mutex::new(Vec::new())), Event::new()));
    println!("{dump}");
}
