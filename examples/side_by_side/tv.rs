//! The notes' "doing things asynchronously but in order", with this crate:
//! `cargo run --example side_by_side_tv`.
//!
//! Side by side with `tv.py` (asyncio) and `tv_tokio.rs` (tokio); see README.md.
//! `do_both` turns the TV on, then sets its channel: in order. `check_the_weather` is queued
//! beside it, and the two interleave at their pause points (the sleeps).

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use scheduler::task;

static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Prints `what` after the time since START, floored to 10 ms so every version matches.
fn say(what: &str) {
    let ms = START.elapsed().as_millis() / 10 * 10;
    println!("{ms:>4} ms  {what}");
}

#[task]
fn turn_on_tv() {
    say("tv: pressing the power button");
    scheduler::sleep(Duration::from_millis(300)); // pause point: other tasks run meanwhile
    say("tv: on");
}

#[task]
fn set_tv_channel(channel: u32) -> u32 {
    say(&format!("tv: switching to channel {channel}"));
    scheduler::sleep(Duration::from_millis(100));
    say(&format!("tv: on channel {channel}"));
    channel
}

#[task]
fn do_both(channel: u32) -> u32 {
    turn_on_tv(); // in order: this finishes first,
    set_tv_channel(channel) // then this runs
}

#[task]
fn check_the_weather() {
    for hour in [9, 12, 15] {
        say(&format!("weather: looking up {hour}:00"));
        scheduler::sleep(Duration::from_millis(120));
    }
    say("weather: sunny all day");
}

#[scheduler::main]
fn main() {
    LazyLock::force(&START);
    // The notes' event handler: it must not block, so it only queues work.
    let tv = scheduler::queue_to_run(do_both, (7,)); // the fn and its args: nothing is called
    let weather = scheduler::queue_to_run(check_the_weather, ()); // a second task beside it
    say("main: queued do_both and check_the_weather");
    let channel = tv.join().unwrap();
    weather.join().unwrap();
    say(&format!("main: do_both returned channel {channel}"));
}
