//! Scaling (issue 16): every workload on 1, 2, 4, 8 and 16 threads, on ours, tokio
//! multi_thread and async-executor, with the speed-up over the same runtime on one thread.
//!
//! ```text
//! cargo bench --bench scaling                         # 1, 2, 4, 8, 16 threads, 5 runs each
//! SCALING_THREADS=1,2 SCALING_RUNS=7 cargo bench --bench scaling
//! ```
//!
//! Each cell is the median wall time of `SCALING_RUNS` runs (after one warm-up run) of one
//! workload on a runtime made once per thread count. Speed-ups above the machine's core
//! count mean nothing: run it on a machine with at least 16 cores for the last columns.

use std::time::{Duration, Instant};

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::{
    BUSY_PER_WORKER, CHAIN_DEPTH, FAN_OUT_MAX_COST, FAN_OUT_TASKS, PING_PONG_PAIRS, Parallel,
    REMOTE_SPAWNS, SPAWN_MANY, YIELD_TASKS, YIELDS, fan_out_costs,
};

/// The workloads, by name.
const WORKLOADS: [&str; 6] = [
    "spawn_many",
    "yield_many",
    "ping_pong",
    "chained_spawn",
    "fan_out_imbalanced",
    "spawn_many_remote_busy",
];

/// Runs workload `name` once on `runtime`, which has `threads` threads.
fn run_once(runtime: &dyn Parallel, name: &str, threads: usize) {
    match name {
        "spawn_many" => runtime.spawn_many(SPAWN_MANY),
        "yield_many" => runtime.yield_many(YIELD_TASKS, YIELDS),
        "ping_pong" => runtime.ping_pong(PING_PONG_PAIRS),
        "chained_spawn" => runtime.chained_spawn(CHAIN_DEPTH),
        "fan_out_imbalanced" => {
            runtime.fan_out_imbalanced(&fan_out_costs(FAN_OUT_TASKS, FAN_OUT_MAX_COST))
        }
        "spawn_many_remote_busy" => {
            runtime.spawn_many_remote_busy(BUSY_PER_WORKER * threads, REMOTE_SPAWNS)
        }
        _ => unreachable!("unknown workload {name}"),
    }
}

/// The median of `runs` timed runs, after one warm-up run.
fn median_time(runtime: &dyn Parallel, name: &str, threads: usize, runs: usize) -> Duration {
    run_once(runtime, name, threads);
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run_once(runtime, name, threads);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn env_or<T: std::str::FromStr>(name: &str, default: &str) -> Vec<T> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name}: bad value {v}"))
        })
        .collect()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks workloads by substring.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let threads: Vec<usize> = env_or("SCALING_THREADS", "1,2,4,8,16");
    let runs = env_or::<usize>("SCALING_RUNS", "5")[0];
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# scaling: {cores} cores, threads {threads:?}, median of {runs} runs\n");
    // times[workload][runtime][thread count]
    let workloads: Vec<&str> = WORKLOADS
        .into_iter()
        .filter(|w| filter.is_empty() || filter.iter().any(|f| w.contains(f.as_str())))
        .collect();
    let mut names = Vec::new();
    let mut times = vec![Vec::<Vec<Duration>>::new(); workloads.len()];
    for &n in &threads {
        for (r, runtime) in runtimes::parallel(n).into_iter().enumerate() {
            if names.len() <= r {
                names.push(runtime.name());
            }
            for (w, name) in workloads.iter().enumerate() {
                if times[w].len() <= r {
                    times[w].push(Vec::new());
                }
                let time = median_time(&*runtime, name, n, runs);
                eprintln!("{name} {} {n} threads: {time:?}", runtime.name());
                times[w][r].push(time);
            }
        }
    }
    let header: Vec<String> = threads.iter().map(|n| format!("{n} threads")).collect();
    println!("| workload | runtime | {} |", header.join(" | "));
    println!("|---|---|{}", "---:|".repeat(threads.len()));
    for (w, name) in workloads.iter().enumerate() {
        for (r, runtime) in names.iter().enumerate() {
            let row = &times[w][r];
            let cells: Vec<String> = row
                .iter()
                .map(|t| {
                    let speed_up = row[0].as_secs_f64() / t.as_secs_f64();
                    format!("{:.2} ms ({speed_up:.2}x)", t.as_secs_f64() * 1e3)
                })
                .collect();
            println!("| {name} | {runtime} | {} |", cells.join(" | "));
        }
    }
    println!(
        "\nEach cell: median wall time (speed-up over the same runtime on {} thread(s)).",
        threads[0]
    );
}
