//! The notes' "schedule normal code to run later", in tokio:
//! `cargo run --example side_by_side_call_soon_tokio`.
//!
//! Side by side with `call_soon.py` (asyncio) and `call_soon.rs` (scheduler); see
//! README.md. A plain function is queued to run soon (asyncio's `call_soon`), with
//! "keyword arguments" through a closure, and after a delay (`call_later`). tokio only
//! spawns futures, so each plain call is wrapped in an `async` block.

use std::time::Duration;

#[expect(
    clippy::disallowed_names,
    reason = "`foo` is the notes' own argument name"
)]
fn thing_to_do_later(a: i32, b: i32, foo: &str, thing: i32) {
    println!("thing_to_do_later({a}, {b}, foo={foo}, thing={thing})");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Arguments go into an async block: tokio has no call_soon for plain fns.
    tokio::spawn(async { thing_to_do_later(1, 2, "Foo", 0) });
    // Keyword arguments: Rust has none; the block names the values.
    tokio::spawn(async { thing_to_do_later(1, 2, "Bar", 27) });
    // The notes' partial, run after 50 ms.
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        println!("Hello");
    });
    println!("main: queued three, none has run yet");
    tokio::time::sleep(Duration::from_millis(100)).await; // pause point: the queued code runs meanwhile
    println!("main: done");
}
