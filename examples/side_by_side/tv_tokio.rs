//! The notes' "doing things asynchronously but in order", in tokio:
//! `cargo run --example side_by_side_tv_tokio`.
//!
//! Side by side with `tv.py` (asyncio) and `tv.rs` (scheduler); see README.md.
//! `do_both` turns the TV on, then sets its channel: in order. `check_the_weather` is queued
//! beside it, and the two interleave at their pause points (the sleeps).

use std::sync::LazyLock;
use std::time::{Duration, Instant};

static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Prints `what` after the time since START, floored to 10 ms so every version matches.
fn say(what: &str) {
    let ms = START.elapsed().as_millis() / 10 * 10;
    println!("{ms:>4} ms  {what}");
}

async fn turn_on_tv() {
    say("tv: pressing the power button");
    tokio::time::sleep(Duration::from_millis(300)).await; // pause point: other tasks run meanwhile
    say("tv: on");
}

async fn set_tv_channel(channel: u32) -> u32 {
    say(&format!("tv: switching to channel {channel}"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    say(&format!("tv: on channel {channel}"));
    channel
}

async fn do_both(channel: u32) -> u32 {
    turn_on_tv().await; // in order: this finishes first,
    set_tv_channel(channel).await // then this runs
}

async fn check_the_weather() {
    for hour in [9, 12, 15] {
        say(&format!("weather: looking up {hour}:00"));
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    say("weather: sunny all day");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    LazyLock::force(&START);
    // The notes' event handler: it must not block, so it only queues work.
    let tv = tokio::spawn(do_both(7)); // call do_both to get a future, then queue it
    let weather = tokio::spawn(check_the_weather()); // a second task beside it
    say("main: queued do_both and check_the_weather");
    let channel = tv.await.unwrap();
    weather.await.unwrap();
    say(&format!("main: do_both returned channel {channel}"));
}
