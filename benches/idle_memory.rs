//! `idle_memory` (issue 6): bytes per parked task, with 100,000 tasks waiting on one event,
//! on every single-threaded runtime; prints a Markdown table. Counts bytes with a counting
//! global allocator, not time: `cargo bench --bench idle_memory`.
//!
//! Per task = (live heap bytes while all tasks are parked - live bytes before they were
//! spawned) / tasks. The runtime's own growth (run queues, slabs) counts: it is memory held
//! for the parked tasks. Each runtime first runs the workload with 100 tasks, so lazily made
//! state (thread-locals, reactors) is not counted.

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::IDLE_TASKS;

mod counting_alloc;

use counting_alloc::live;

fn main() {
    println!("idle_memory: {IDLE_TASKS} tasks parked on one event\n");
    println!("| runtime | bytes per parked task | ratio ours/this |");
    println!("|---|---:|---:|");
    let mut rows = Vec::new();
    for runtime in runtimes::single_threaded() {
        runtime.park_many(100, live);
        let before = live();
        let parked = runtime.park_many(IDLE_TASKS, live);
        let per_task = parked.saturating_sub(before) as f64 / IDLE_TASKS as f64;
        rows.push((runtime.name(), per_task));
    }
    let ours = rows[0].1; // `single_threaded()` lists ours first
    for (name, per_task) in rows {
        println!("| {name} | {per_task:.0} | {:.2} |", ours / per_task);
    }
}
