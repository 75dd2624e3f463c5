//! The notes' "doing things asynchronously but in order", runnable:
//! `cargo run --example tv`.
//!
//! `do_both` turns the TV on, then sets its channel: in order, without blocking anything
//! else. A second task, `check_the_weather`, is queued beside it; the output shows the two
//! interleaving at their pause points (the `sleep` calls).

use std::time::{Duration, Instant};

use scheduler::{Scheduler, task};

/// Prints `what`, prefixed with the milliseconds since `start`.
fn say(start: Instant, what: &str) {
    println!("{:>4} ms  {what}", start.elapsed().as_millis());
}

#[task]
fn turn_on_tv(start: Instant) {
    say(start, "tv: pressing the power button");
    scheduler::sleep(Duration::from_millis(300)); // pause point: other tasks run meanwhile
    say(start, "tv: on");
}

#[task]
fn set_tv_channel(start: Instant, channel: u32) -> u32 {
    say(start, &format!("tv: switching to channel {channel}"));
    scheduler::sleep(Duration::from_millis(100));
    say(start, &format!("tv: on channel {channel}"));
    channel
}

/// The notes' `do_both`, spelled with `run_until_finished`, as in the notes.
#[task]
fn do_both(start: Instant, channel: u32) -> u32 {
    scheduler::run_until_finished(turn_on_tv, (start,));
    scheduler::run_until_finished(set_tv_channel, (start, channel))
}

/// The same, spelled as plain calls: each call to a `#[task]` fn pauses the same way.
#[task]
fn do_both_again(start: Instant, channel: u32) -> u32 {
    turn_on_tv(start);
    set_tv_channel(start, channel)
}

#[task]
fn check_the_weather(start: Instant) {
    for hour in [9, 12, 15] {
        say(start, &format!("weather: looking up {hour}:00"));
        scheduler::sleep(Duration::from_millis(150));
    }
    say(start, "weather: sunny all day");
}

fn main() {
    let start = Instant::now();
    let s = Scheduler::new();
    // Queued, not run yet: it starts when the scheduler runs, beside `do_both`.
    s.queue_to_run(check_the_weather, (start,));
    // Schedule plain code to run later, like asyncio's `call_soon`.
    s.queue_to_run(move || say(start, "a plain closure, run in its turn"), ());
    let channel = s.run_until_finished(do_both, (start, 7));
    say(start, &format!("do_both returned channel {channel}"));
    let channel = s.run_until_finished(do_both_again, (start, 9));
    say(start, &format!("do_both_again returned channel {channel}"));
    s.run(); // whatever is left
}
