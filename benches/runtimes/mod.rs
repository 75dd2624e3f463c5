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
