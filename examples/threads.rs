//! The notes' "Multiple threads" section, runnable: `cargo run --example threads`.
//!
//! - A thread has at most one running scheduler, and `scheduler::current()` is that one.
//! - Several threads each run their own `Scheduler::new()`.
//! - Another thread never touches a scheduler directly: it goes through a `Handle`, the
//!   thread-safe door (asyncio's `call_soon_threadsafe`), which only takes `Send` work.
//!
//! Then the same work on one `Scheduler::builder().threads(2)`: a work-stealing pool.

use std::sync::mpsc;
use std::time::Duration;

use scheduler::{Handle, Scheduler, task};

#[task]
fn brew(order: u32) -> String {
    scheduler::sleep(Duration::from_millis(20)); // other orders are brewed meanwhile
    format!(
        "coffee #{order} brewed on {}",
        std::thread::current().name().unwrap_or("?")
    )
}

#[task]
fn take_orders(kitchen: Handle) -> Vec<String> {
    // Hand each order to the kitchen's scheduler, on its own thread, and wait for them all.
    let orders: Vec<_> = (1..=3)
        .map(|order| kitchen.queue_to_run(brew, (order,)))
        .collect();
    let mut brewed = Vec::new();
    for order in orders {
        brewed.push(order.join().unwrap()); // a pause point: a plain loop, not a closure
    }
    brewed
}

/// Keeps the kitchen's scheduler running (its tasks run meanwhile) until told to stop.
#[task]
fn serve_until_closing_time(closing: async_channel::Receiver<()>) {
    let _ = scheduler::wait(closing.recv());
}

fn main() {
    // The kitchen: a thread with a scheduler of its own, running until it is told to stop.
    let (give_handle, kitchen_handle) = mpsc::channel();
    let (stop, stopped) = async_channel::bounded::<()>(1);
    let kitchen = std::thread::Builder::new()
        .name("kitchen".into())
        .spawn(move || {
            let s = Scheduler::new();
            give_handle.send(s.handle()).unwrap();
            s.run_until_finished(serve_until_closing_time, (stopped,));
        })
        .unwrap();

    // The counter: the main thread's scheduler takes orders and hands them over.
    let counter = Scheduler::new();
    for line in counter.run_until_finished(take_orders, (kitchen_handle.recv().unwrap(),)) {
        println!("{line}");
    }
    stop.send_blocking(()).unwrap();
    kitchen.join().unwrap();

    // One pool of two threads: tasks must be `Send`, and any worker may run them.
    let pool = Scheduler::builder().threads(2).build();
    let orders: Vec<_> = (4..=7)
        .map(|order| pool.queue_to_run(brew, (order,)))
        .collect();
    pool.run();
    for order in orders {
        println!("{}", futures_lite::future::block_on(order).unwrap());
    }
}
