//! The notes' "schedule normal code to run later", with this crate:
//! `cargo run --example side_by_side_call_soon`.
//!
//! Side by side with `call_soon.py` (asyncio) and `call_soon_tokio.rs` (tokio); see
//! README.md. A plain function is queued to run soon (asyncio's `call_soon`), with
//! "keyword arguments" through a closure, and after a delay (`call_later`). A plain fn or
//! closure runs in one go when its turn comes.

use std::time::Duration;

#[expect(
    clippy::disallowed_names,
    reason = "`foo` is the notes' own argument name"
)]
fn thing_to_do_later(a: i32, b: i32, foo: &str, thing: i32) {
    println!("thing_to_do_later({a}, {b}, foo={foo}, thing={thing})");
}

#[scheduler::main]
fn main() {
    // Arguments follow the function, as a tuple.
    scheduler::queue_to_run(thing_to_do_later, (1, 2, "Foo", 0));
    // Keyword arguments: a closure plays functools.partial.
    scheduler::queue_to_run(move || thing_to_do_later(1, 2, "Bar", 27), ());
    // The notes' partial, run after 50 ms.
    scheduler::queue_to_run_after(Duration::from_millis(50), || println!("Hello"), ());
    println!("main: queued three, none has run yet");
    scheduler::sleep(Duration::from_millis(100)); // pause point: the queued code runs meanwhile
    println!("main: done");
}
