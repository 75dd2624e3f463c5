//! Timeouts, in tokio: `cargo run --example side_by_side_timeout_tokio`.
//!
//! Side by side with `timeout.py` (asyncio) and `timeout.rs` (scheduler); see README.md.
//! A block of work is given up on after a while (`time::timeout`), and what it held is
//! released by the time the timeout returns; several steps share one deadline
//! (`time::timeout_at`); a receive from a channel is waited for at most 20 ms; and a loop
//! keeps a 100 ms grid whatever each turn took (`time::sleep_until`).

use std::time::Duration;

use tokio::time::{Instant, sleep, sleep_until, timeout, timeout_at};

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

async fn long_running_task() {
    let _connection = Connection::open();
    sleep(Duration::from_secs(3600)).await;
}

async fn step(n: u32, millis: u64) {
    sleep(Duration::from_millis(millis)).await;
    println!("step {n} done");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // A block of work, given up on after 50 ms (timeout).
    if timeout(Duration::from_millis(50), long_running_task())
        .await
        .is_err()
    {
        println!("timeout: the long operation timed out, but we've handled it");
    }
    println!("this statement runs regardless");

    // Three steps of 40 ms under one deadline 100 ms away (timeout_at).
    let deadline = Instant::now() + Duration::from_millis(100);
    for n in 1..=3 {
        if timeout_at(deadline, step(n, 40)).await.is_err() {
            println!("step {n}: out of time");
        }
    }

    // Any future: a receive that gets no message.
    let (_tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
    if timeout(Duration::from_millis(20), rx.recv()).await.is_err() {
        println!("no message within 20ms");
    }

    // Ticks on a grid: work of 30 ms, then sleep until the next tick.
    let start = Instant::now();
    let mut next_tick = start;
    for n in 1..=3 {
        next_tick += Duration::from_millis(100);
        sleep(Duration::from_millis(30)).await;
        sleep_until(next_tick).await;
        println!("tick {n} at {} ms", start.elapsed().as_millis() / 10 * 10);
    }
}
