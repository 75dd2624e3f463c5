//! Shapes that must compile without warnings: `#![deny(warnings)]`.
#![deny(warnings)]

use std::time::Duration;

#[scheduler::task]
fn unused_param(_unused: u32) {}

#[scheduler::task]
fn move_only(text: String) -> usize {
    scheduler::sleep(Duration::from_millis(1));
    text.len()
}

#[scheduler::task]
fn diverges() -> u32 {
    scheduler::yield_now();
    std::process::exit(0)
}

#[scheduler::task]
fn closure_returning_a_task() {
    let handle = scheduler::queue_to_run(move || move_only(String::from("hi")), ());
    assert_eq!(handle.join().unwrap(), 2);
}

#[scheduler::main]
fn main() {
    let _ = unused_param;
    let _ = diverges;
    scheduler::run_until_finished(move_only, (String::new(),));
    scheduler::run_until_finished(closure_returning_a_task, ());
}
