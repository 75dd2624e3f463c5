//! One workload on one runtime, repeated, with no harness: a small binary to run under a
//! profiler. `cargo bench --bench profile` builds it and prints this usage; then
//!
//! ```text
//! CARGO_PROFILE_BENCH_DEBUG=true cargo bench --bench profile --no-run
//! valgrind --tool=callgrind target/release/deps/profile-<hash> ours spawn_many 5
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```
//!
//! Runtimes: `ours`, `tokio_current_thread`, `local_executor`, and on two threads
//! `ours_2_threads`, `tokio_multi_thread_2_threads`, `executor_2_threads` (for `perf`;
//! callgrind runs one thread at a time). Workloads: `spawn_many`,
//! `yield_many`, `ping_pong`, `chained_spawn`, `macro_task_fn`, `macro_async_fn` (ours).

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::{CHAIN_DEPTH, PING_PONG_PAIRS, SPAWN_MANY, YIELD_TASKS, YIELDS, ours::Ours};

const USAGE: &str = "usage: profile <ours|tokio_current_thread|local_executor|\
    ours_2_threads|tokio_multi_thread_2_threads|executor_2_threads> \
    <spawn_many|yield_many|ping_pong|chained_spawn|macro_task_fn|macro_async_fn> [iterations]";

fn main() {
    // `cargo bench` runs every bench with `--bench`: flags are not ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [runtime, workload, rest @ ..] = args.as_slice() else {
        println!("{USAGE}");
        return;
    };
    let iterations: usize = rest.first().map_or(1, |n| n.parse().expect(USAGE));
    if let Some(hand_written) = match workload.as_str() {
        "macro_task_fn" => Some(false),
        "macro_async_fn" => Some(true),
        _ => None,
    } {
        let ours = Ours::new();
        for _ in 0..iterations {
            ours.macro_overhead(hand_written);
        }
        return;
    }
    let runtime = match runtime.strip_suffix("_2_threads") {
        Some(name) => runtimes::multi_threaded()
            .into_iter()
            .find(|r| r.name() == name),
        None => runtimes::single_threaded()
            .into_iter()
            .find(|r| r.name() == runtime),
    }
    .expect(USAGE);
    for _ in 0..iterations {
        match workload.as_str() {
            "spawn_many" => runtime.spawn_many(SPAWN_MANY),
            "yield_many" => runtime.yield_many(YIELD_TASKS, YIELDS),
            "ping_pong" => runtime.ping_pong(PING_PONG_PAIRS),
            "chained_spawn" => runtime.chained_spawn(CHAIN_DEPTH),
            _ => panic!("{USAGE}"),
        }
    }
}
