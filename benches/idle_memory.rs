//! `idle_memory` (issue 6): bytes per parked task, with 100,000 tasks waiting on one event,
//! on every single-threaded runtime; prints a Markdown table. Counts bytes with a counting
//! global allocator, not time: `cargo bench --bench idle_memory`.
//!
//! Per task = (live heap bytes while all tasks are parked - live bytes before they were
//! spawned) / tasks. The runtime's own growth (run queues, slabs) counts: it is memory held
//! for the parked tasks. Each runtime first runs the workload with 100 tasks, so lazily made
//! state (thread-locals, reactors) is not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::IDLE_TASKS;

/// The system allocator, counting the bytes that are live.
struct Counting;

/// Bytes allocated and not yet freed, over the whole process.
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; the counting touches only an atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` needs.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `System` with `layout`; the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

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
