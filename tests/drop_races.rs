//! A scheduler dropped while another thread wakes one of its tasks still cancels that task:
//! the wake-up marked the task scheduled before the scheduler looked, and pushes it after,
//! and the scheduler waits for that push instead of leaving the task in a queue nobody
//! reads (its state never dropped, its handle never finished).
//!
//! The race is made to happen every run through `scheduler::__test_hooks` (run with
//! `cargo test --features test-hooks --test drop_races`): the waking thread stops just before
//! its push until the dropping thread has cancelled everything it found.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use scheduler::__test_hooks::{self, Point};
use scheduler::{Scheduler, TaskError, TaskState};
use scheduler_workspace::{DropCounter, DropToken, Watchdog};

/// The hook is one per process: the tests here take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Never completes; hands its waker to another thread.
struct Publish(mpsc::Sender<Waker>);

impl Future for Publish {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _ = self.0.send(cx.waker().clone());
        Poll::Pending
    }
}

#[scheduler::task]
fn waits(_token: DropToken, publish: Publish) {
    scheduler::wait(publish);
}

/// The waking thread's name: the hook stops only that thread.
const WAKER: &str = "late waker";

/// Stops the thread named [`WAKER`] before it pushes its task, and says so on `in_flight`,
/// until the dropping thread reached `Point::ClosingDrained`.
fn stop_the_waker_until_drained(in_flight: mpsc::Sender<()>) {
    let (drained_tx, drained_rx) = mpsc::channel::<()>();
    let drained_rx = Mutex::new(drained_rx);
    let in_flight = Mutex::new(in_flight);
    __test_hooks::set(move |point| match point {
        Point::ForeignWakeBeforePush if std::thread::current().name() == Some(WAKER) => {
            in_flight.lock().unwrap().send(()).unwrap();
            drained_rx.lock().unwrap().recv().unwrap();
        }
        Point::ClosingDrained => {
            let _ = drained_tx.send(());
        }
        _ => {}
    });
}

/// Wakes `waker` on a thread named [`WAKER`].
fn wake_late(waker: Waker) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(WAKER.into())
        .spawn(move || waker.wake())
        .unwrap()
}

#[test]
fn a_wake_up_in_flight_while_the_scheduler_is_dropped_is_cancelled_with_the_rest() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let _watchdog = Watchdog::new(Duration::from_secs(60), "the single-threaded drop race");
    let ledger = DropCounter::new();
    let s = Scheduler::new();
    let (waker_tx, waker_rx) = mpsc::channel();
    let handle = s.queue_to_run(
        waits,
        (ledger.labelled("the woken task"), Publish(waker_tx)),
    );
    s.run_until_finished(|| (), ()); // `waits` runs once and pauses
    let (in_flight_tx, in_flight_rx) = mpsc::channel();
    stop_the_waker_until_drained(in_flight_tx);
    let waker = wake_late(waker_rx.recv().unwrap());
    in_flight_rx.recv().unwrap(); // the task is marked scheduled, its push not made
    drop(s);
    waker.join().unwrap();
    __test_hooks::clear();
    ledger.assert_each_dropped_once();
    assert!(handle.is_finished());
    assert!(matches!(
        futures_lite::future::block_on(handle),
        Err(TaskError::Cancelled { .. })
    ));
}

#[test]
fn a_wake_up_in_flight_while_a_pool_is_dropped_is_cancelled_with_the_rest() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let _watchdog = Watchdog::new(Duration::from_secs(60), "the pool's drop race");
    let ledger = DropCounter::new();
    let pool = Scheduler::builder().threads(2).build();
    let (waker_tx, waker_rx) = mpsc::channel();
    let handle = pool.queue_to_run(
        waits,
        (ledger.labelled("the woken task"), Publish(waker_tx)),
    );
    let waker = waker_rx.recv().unwrap(); // `waits` ran once
    // Its poll has returned (the dump says paused, not running): a wake-up during the poll
    // would be taken by its worker as the poll returns, never pushed by the waking thread.
    while !pool
        .dump()
        .tasks()
        .iter()
        .any(|t| t.state() == TaskState::Paused)
    {
        std::thread::yield_now();
    }
    let (in_flight_tx, in_flight_rx) = mpsc::channel();
    stop_the_waker_until_drained(in_flight_tx);
    let waker = wake_late(waker);
    in_flight_rx.recv().unwrap();
    drop(pool);
    waker.join().unwrap();
    __test_hooks::clear();
    ledger.assert_each_dropped_once();
    assert!(handle.is_finished());
    assert!(matches!(
        futures_lite::future::block_on(handle),
        Err(TaskError::Cancelled { .. })
    ));
}

/// Keeps the test hooks' tests honest: the hook is compiled in (`--features test-hooks`).
#[test]
fn the_hook_runs() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    __test_hooks::set(move |point| {
        if point == Point::ClosingDrained {
            let _ = tx.lock().unwrap().send(());
        }
    });
    drop(Scheduler::new());
    __test_hooks::clear();
    assert!(rx.try_recv().is_ok());
}
