//! Timeouts, with this crate: `cargo run --example side_by_side_timeout`.
//!
//! Side by side with `timeout.py` (asyncio) and `timeout_tokio.rs` (tokio); see README.md.
//! A block of work is given up on after a while (`with_timeout`), and what it held is
//! released by the time the timeout returns; several steps share one deadline
//! (`with_deadline`); a receive from a channel is waited for at most 20 ms (`timeout`, for
//! any future); and a loop keeps a 100 ms grid whatever each turn took (`sleep_until`).
//! No `async`, no `.await`.

use std::time::Duration;

use scheduler::{now, sleep, sleep_until, timeout, with_deadline, with_timeout};

struct Connection;

impl Connection {
    fn open() -> Self {
        println!("long task: connecting");
        Connection
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        println!("long task: connection closed");
    }
}

#[scheduler::task]
fn long_running_task() {
    let _connection = Connection::open();
    sleep(Duration::from_secs(3600));
}

#[scheduler::task]
fn step(n: u32, millis: u64) {
    sleep(Duration::from_millis(millis));
    println!("step {n} done");
}

#[scheduler::main]
fn main() {
    // A block of work, given up on after 50 ms (asyncio.timeout).
    if with_timeout(Duration::from_millis(50), long_running_task, ()).is_err() {
        println!("timeout: the long operation timed out, but we've handled it");
    }
    println!("this statement runs regardless");

    // Three steps of 40 ms under one deadline 100 ms away (asyncio.timeout_at).
    let deadline = now() + Duration::from_millis(100);
    for n in 1..=3 {
        if with_deadline(deadline, step, (n, 40)).is_err() {
            println!("step {n}: out of time");
        }
    }

    // Any future (here async-channel's): a receive that gets no message (wait_for).
    let (_tx, rx) = async_channel::bounded::<u32>(1);
    if timeout(Duration::from_millis(20), rx.recv()).is_err() {
        println!("no message within 20ms");
    }

    // Ticks on a grid: work of 30 ms, then sleep until the next tick.
    let start = now();
    let mut next_tick = start;
    for n in 1..=3 {
        next_tick += Duration::from_millis(100);
        sleep(Duration::from_millis(30));
        sleep_until(next_tick);
        println!("tick {n} at {} ms", (now() - start).as_millis() / 10 * 10);
    }
}
