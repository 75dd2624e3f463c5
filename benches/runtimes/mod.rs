//! The runtimes the benchmarks compare, behind one small trait, and the workloads' sizes.
//!
//! Not a bench itself: `compare.rs`, `idle_memory.rs` and `profile.rs` include it with
//! `#[path = "runtimes/mod.rs"] mod runtimes;`. Run them with `cargo bench` (see
//! `benches/RESULTS.md`).
//!
//! Each runtime writes every workload the way its users would: `#[task]` fns and
//! `scheduler::queue_to_run` on ours, `async` blocks and `spawn` on the others. Every
//! workload starts from inside a task on a runtime made once (not per iteration) and
//! returns when all of its tasks have finished. Channels are `async_channel::bounded` on
//! every runtime, so they cost the same everywhere.
//!
//! To add a runtime: implement [`Runtime`] for it and add it to [`single_threaded`] or
//! [`multi_threaded`].

use std::sync::Arc;
use std::time::{Duration, Instant};

pub mod ours;
pub mod with_async_executor;
pub mod with_tokio;

/// `spawn_many`: tasks spawned from inside one task, each bumping an atomic.
pub const SPAWN_MANY: usize = 10_000;
/// `yield_many`: this many tasks ...
pub const YIELD_TASKS: usize = 200;
/// ... each yielding this many times.
pub const YIELDS: usize = 1_000;
/// `ping_pong`: pairs of tasks, each pair doing one round trip over a channel.
pub const PING_PONG_PAIRS: usize = 1_000;
/// `chained_spawn`: each task spawns the next, this deep.
pub const CHAIN_DEPTH: usize = 1_000;
/// `idle_memory`: tasks parked on one event at once.
pub const IDLE_TASKS: usize = 100_000;

/// One runtime, running each workload to completion from inside a task.
pub trait Runtime {
    /// The name in benchmark ids and tables: `ours`, `tokio_current_thread`, ...
    fn name(&self) -> &'static str;

    /// From inside a task, spawns `n` tasks that each bump one shared atomic; waits for all.
    fn spawn_many(&self, n: usize);

    /// Spawns `tasks` tasks that each yield `yields` times; waits for all.
    fn yield_many(&self, tasks: usize, yields: usize);

    /// Spawns `pairs` pingers; each spawns its ponger and does one round trip with it over
    /// two `async_channel::bounded(1)` channels; waits for all.
    fn ping_pong(&self, pairs: usize);

    /// Spawns a task that spawns the next, `depth` deep; the last signals the first caller.
    fn chained_spawn(&self, depth: usize);

    /// Spawns `n` tasks that each wait on one event (an `async_channel` that is closed to
    /// set it), and once all of them are parked calls `probe` and keeps its value; then
    /// sets the event, waits for all and returns the value.
    fn park_many(&self, n: usize, probe: fn() -> usize) -> usize;
}

/// `fan_out_imbalanced`: CPU-bound tasks queued from one task ...
pub const FAN_OUT_TASKS: usize = 1_000;
/// ... each spinning (never pausing) for a cost drawn at random below this.
pub const FAN_OUT_MAX_COST: Duration = Duration::from_millis(2);
/// `spawn_many_remote_busy` (tokio's `rt_multi_spawn_many_remote_busy1`): tasks spawned
/// from outside the runtime ...
pub const REMOTE_SPAWNS: usize = 10_000;
/// ... while this many busy tasks per worker keep every worker busy, each spinning this
/// long between two yields.
pub const BUSY_PER_WORKER: usize = 2;
pub const STALL: Duration = Duration::from_micros(10);
/// `steal_latency`: how long the task that queues the one measured holds its worker at most
/// (a runtime that lets the queued task wait behind that poll reports about this).
pub const STEAL_LIMIT: Duration = Duration::from_millis(10);

/// The workloads of issue 16, for runtimes on several threads: does an idle worker take
/// work from a busy one, and how soon.
pub trait Parallel: Runtime {
    /// From inside one task, spawns one task per cost, each spinning for its cost without
    /// pausing; waits for all (the makespan is what counts).
    fn fan_out_imbalanced(&self, costs: &Arc<[Duration]>);

    /// Keeps every worker busy with `busy` tasks that yield and spin [`STALL`] in turns,
    /// spawns `n` empty tasks from outside the runtime (this thread), waits for them, and
    /// stops the busy ones.
    fn spawn_many_remote_busy(&self, busy: usize, n: usize);

    /// From inside a task that then holds its worker (spinning, never pausing) until the
    /// spawned task started or `limit` passed, spawns one task; returns how long after the
    /// spawn it started. The other workers are idle (parked) when it is spawned.
    fn steal_latency(&self, limit: Duration) -> Duration;
}

/// Spins, never pausing, for `cost`: a CPU-bound task.
pub fn spin_for(cost: Duration) {
    let start = Instant::now();
    while start.elapsed() < cost {
        std::hint::spin_loop();
    }
}

/// tokio's `stall()`: holds the thread [`STALL`] long, letting other threads of the machine
/// run meanwhile.
pub fn stall() {
    let start = Instant::now();
    while start.elapsed() < STALL {
        std::thread::yield_now();
    }
}

/// The costs of `fan_out_imbalanced`: `n` durations uniform below `max`, the same on every
/// run and runtime (a fixed-seed xorshift, so the benches need no random crate).
pub fn fan_out_costs(n: usize, max: Duration) -> Arc<[Duration]> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let max = max.as_nanos() as u64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Duration::from_nanos(state % max)
        })
        .collect()
}

/// Single-threaded runtimes: ours first, then the ones it is compared with.
pub fn single_threaded() -> Vec<Box<dyn Runtime>> {
    vec![
        Box::new(ours::Ours::new()),
        Box::new(with_tokio::Tokio::current_thread()),
        Box::new(with_async_executor::Local::new()),
    ]
}

/// Runtimes on two threads: ours first, then the ones it is compared with.
pub fn multi_threaded() -> Vec<Box<dyn Runtime>> {
    vec![
        Box::new(ours::OursThreads::new(2)),
        Box::new(with_tokio::Tokio::multi_thread(2)),
        Box::new(with_async_executor::Shared::new(2)),
    ]
}

/// The runtimes of [`multi_threaded`] on `threads` threads, with the [`Parallel`] workloads.
pub fn parallel(threads: usize) -> Vec<Box<dyn Parallel>> {
    vec![
        Box::new(ours::OursThreads::new(threads)),
        Box::new(with_tokio::Tokio::multi_thread(threads)),
        Box::new(with_async_executor::Shared::new(threads)),
    ]
}
