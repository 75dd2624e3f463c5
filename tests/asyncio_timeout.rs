//! A port of asyncio's timeout examples (`asyncio.timeout`, `asyncio.timeout_at` and
//! `asyncio.wait_for` in the "Coroutines and Tasks" docs), on a virtual clock so the ten
//! seconds take no time:
//!
//! ```python
//! async def main():
//!     try:
//!         async with asyncio.timeout(10):
//!             await long_running_task()
//!     except TimeoutError:
//!         print("The long operation timed out, but we've handled it.")
//!     print("This statement will run regardless.")
//!
//! async def main():
//!     loop = get_running_loop()
//!     deadline = loop.time() + 20
//!     try:
//!         async with asyncio.timeout_at(deadline):
//!             await long_running_task()
//!     except TimeoutError:
//!         print("The long operation timed out, but we've handled it.")
//!     print("This statement will run regardless.")
//!
//! async def eternity():
//!     await asyncio.sleep(3600)
//!     print('yay!')
//!
//! async def main():
//!     try:
//!         await asyncio.wait_for(eternity(), timeout=1.0)
//!     except TimeoutError:
//!         print('timeout!')
//! ```
//!
//! An `async with` block becomes a `#[task]` fn run under `with_timeout(d, f, args)` or
//! `with_deadline(at, f, args)` (the lead's pausing blocks will let it be a closure), and a
//! future of another library goes under `timeout(d, future)`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::{Scheduler, task};
use scheduler_workspace::{DropCounter, DropToken};

type Log = Arc<Mutex<Vec<String>>>;

fn print(log: &Log, line: &str) {
    log.lock().unwrap().push(line.to_string());
}

fn lines(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn virtual_time() -> Scheduler {
    Scheduler::builder().virtual_time().build()
}

/// Holds a "connection" (a drop token) for an hour: cancelling it closes the connection.
#[task]
fn long_running_task(connection: DropToken) {
    scheduler::sleep(Duration::from_secs(3600));
    drop(connection);
}

#[task]
fn with_a_timeout(log: Log, open: DropCounter) -> Duration {
    let start = scheduler::now();
    match scheduler::with_timeout(Duration::from_secs(10), long_running_task, (open.token(),)) {
        Ok(()) => print(&log, "finished in time"),
        Err(_) => print(&log, "The long operation timed out, but we've handled it."),
    }
    assert_eq!(
        open.alive(),
        0,
        "the connection is closed when the timeout returns"
    );
    print(&log, "This statement will run regardless.");
    scheduler::now() - start
}

#[test]
fn asyncio_timeout() {
    let log = Log::default();
    let took = virtual_time().run_until_finished(with_a_timeout, (log.clone(), DropCounter::new()));
    assert_eq!(
        lines(&log),
        [
            "The long operation timed out, but we've handled it.",
            "This statement will run regardless."
        ]
    );
    assert_eq!(took, Duration::from_secs(10));
}

#[task]
fn with_a_deadline(log: Log, open: DropCounter) -> Duration {
    let start = scheduler::now();
    let deadline = start + Duration::from_secs(20);
    if scheduler::with_deadline(deadline, long_running_task, (open.token(),)).is_err() {
        print(&log, "The long operation timed out, but we've handled it.");
    }
    print(&log, "This statement will run regardless.");
    scheduler::now() - start
}

#[test]
fn asyncio_timeout_at() {
    let log = Log::default();
    let took =
        virtual_time().run_until_finished(with_a_deadline, (log.clone(), DropCounter::new()));
    assert_eq!(
        lines(&log),
        [
            "The long operation timed out, but we've handled it.",
            "This statement will run regardless."
        ]
    );
    assert_eq!(took, Duration::from_secs(20));
}

#[task]
fn eternity(log: Log) {
    scheduler::sleep(Duration::from_secs(3600));
    print(&log, "yay!");
}

#[task]
fn wait_for_eternity(log: Log) -> Duration {
    let start = scheduler::now();
    if scheduler::with_timeout(Duration::from_secs(1), eternity, (log.clone(),)).is_err() {
        print(&log, "timeout!");
    }
    scheduler::now() - start
}

#[test]
fn asyncio_wait_for() {
    let log = Log::default();
    let took = virtual_time().run_until_finished(wait_for_eternity, (log.clone(),));
    assert_eq!(lines(&log), ["timeout!"]);
    assert_eq!(took, Duration::from_secs(1));
}

/// `wait_for` on a future of another library: an async-channel receive that gets its
/// message in time, and one that does not.
#[task]
fn wait_for_a_message(log: Log) -> (Option<u32>, Duration) {
    let start = scheduler::now();
    let (tx, rx) = async_channel::bounded(1);
    let sender = tx.clone(); // kept open: the second receive waits, it does not fail
    scheduler::queue_to_run_after(Duration::from_millis(300), move || sender.try_send(5), ());
    let first = scheduler::timeout(Duration::from_secs(1), rx.recv());
    if scheduler::timeout(Duration::from_secs(1), rx.recv()).is_err() {
        print(&log, "timeout!");
    }
    drop(tx);
    (first.ok().and_then(Result::ok), scheduler::now() - start)
}

#[test]
fn asyncio_wait_for_a_future_of_another_library() {
    let log = Log::default();
    let (first, took) = virtual_time().run_until_finished(wait_for_a_message, (log.clone(),));
    assert_eq!(first, Some(5), "the first message came in time");
    assert_eq!(lines(&log), ["timeout!"]);
    assert_eq!(
        took,
        Duration::from_millis(1300),
        "300 ms for the first, a full second for the second"
    );
}
