//! Waiting for many things: `cargo run --example waiting`.
//!
//! A TV's start-up checks run side by side: `wait_all` gathers them, `wait_any` takes the
//! first channel list to arrive, `with_timeout` gives up on a slow guide, `scope` runs a
//! group in which one failure stops the rest, and `run_in_thread` does blocking work.

use std::time::Duration;

use scheduler::{TaskError, task};

#[task]
fn check(part: &'static str, millis: u64) -> &'static str {
    scheduler::sleep(Duration::from_millis(millis));
    part
}

#[task]
fn broken_tuner() -> &'static str {
    scheduler::sleep(Duration::from_millis(5));
    panic!("tuner not found")
}

fn checksum_firmware() -> u32 {
    std::thread::sleep(Duration::from_millis(20)); // blocking: keep it off the scheduler
    0xC0FFEE
}

#[task]
fn grouped() {
    scheduler::scope(|s| {
        s.queue_to_run(check, ("speakers", 50));
        s.queue_to_run(broken_tuner, ());
    });
}

#[scheduler::main]
fn main() {
    let parts =
        ["screen", "speakers", "remote"].map(|part| scheduler::queue_to_run(check, (part, 10)));
    println!("all ready: {:?}", scheduler::wait_all(parts));

    let sources = vec![
        scheduler::queue_to_run(check, ("satellite list", 40)),
        scheduler::queue_to_run(check, ("cable list", 5)),
    ];
    let (index, list) = scheduler::wait_any(sources); // the other keeps running
    println!("first channel list: {list} (#{index})");

    match scheduler::with_timeout(Duration::from_millis(15), check, ("guide", 3_600_000)) {
        Ok(guide) => println!("{guide} loaded"),
        Err(timed_out) => println!("gave up: {timed_out}"),
    }

    // A failure inside a scope cancels its siblings and is re-raised: seen here from outside.
    let group = scheduler::queue_to_run(grouped, ());
    if let Err(TaskError::Panicked { message, .. }) = group.join() {
        println!("the group failed: {message}");
    }

    let sum = scheduler::run_in_thread(checksum_firmware, ());
    println!("firmware checksum {sum:#x}");
}
