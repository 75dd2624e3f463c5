//! The notes' "waiting for multiple things", with this crate:
//! `cargo run --example side_by_side_waiting`.
//!
//! Side by side with `waiting.py` (asyncio) and `waiting_tokio.rs` (tokio); see README.md.
//! Three downloads are waited for all together (asyncio's `gather`), the first of two
//! mirrors wins (`wait(FIRST_COMPLETED)`), a slow call is given up on (`wait_for`), and a
//! group of tasks is waited for as one (`TaskGroup`: `scope`). No `async`, no `.await`.

use std::time::Duration;

#[scheduler::task]
fn download(page: u32, millis: u64) -> String {
    scheduler::sleep(Duration::from_millis(millis));
    format!("page {page}")
}

#[scheduler::main]
fn main() {
    // All of them, in the order asked (gather).
    let handles =
        [(1, 30), (2, 10), (3, 20)].map(|(page, ms)| scheduler::queue_to_run(download, (page, ms)));
    let pages = scheduler::wait_all(handles);
    println!("all: {pages:?}");

    // The first to finish; cancel the other (wait FIRST_COMPLETED).
    let mut mirrors = vec![
        scheduler::queue_to_run(download, (1, 50)),
        scheduler::queue_to_run(download, (2, 10)),
    ];
    let (winner, first) = scheduler::wait_any(&mut mirrors);
    mirrors.swap_remove(winner);
    for loser in &mirrors {
        loser.cancel();
    }
    println!("first: {first}");

    // Give up after a while (wait_for).
    if scheduler::with_timeout(Duration::from_millis(20), download, (4, 3_600_000)).is_err() {
        println!("timeout: page 4 did not come within 20ms");
    }

    // A group: wait for every task in it; one panicking cancels the rest (TaskGroup).
    let (a, b) = scheduler::scope(|s| {
        (
            s.queue_to_run(download, (5, 10)),
            s.queue_to_run(download, (6, 20)),
        )
    });
    println!("group: {:?}", scheduler::wait_all([a, b]));
}
