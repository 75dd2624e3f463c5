//! The same workloads on every runtime, in one run (issue 6): ours, tokio and
//! async-executor, with criterion. `cargo bench --bench compare`; a filter picks some, as
//! in `cargo bench --bench compare -- spawn_many`. `benches/RESULTS.md` has the latest
//! table, made from criterion's output by `python3 benches/results.py`.
//!
//! The workloads and runtimes are in `runtimes/`; add a runtime there and it runs here.
//! `macro_overhead` is ours only: a `#[task]` fn against the same body as an `async fn`.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::{
    BUSY_PER_WORKER, CHAIN_DEPTH, FAN_OUT_MAX_COST, FAN_OUT_TASKS, PING_PONG_PAIRS, REMOTE_SPAWNS,
    Runtime, SPAWN_MANY, STEAL_LIMIT, YIELD_TASKS, YIELDS, fan_out_costs, ours::Ours,
};

/// How to run a workload once on a runtime.
type RunOnce = fn(&dyn Runtime);

/// The workloads: a name and how to run it once on a runtime.
const WORKLOADS: [(&str, RunOnce); 4] = [
    ("spawn_many", |rt| rt.spawn_many(SPAWN_MANY)),
    ("yield_many", |rt| rt.yield_many(YIELD_TASKS, YIELDS)),
    ("ping_pong", |rt| rt.ping_pong(PING_PONG_PAIRS)),
    ("chained_spawn", |rt| rt.chained_spawn(CHAIN_DEPTH)),
];

/// A group with few, short samples: the machines are small and noisy, so we keep many
/// workloads quick and compare medians.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    group
}

/// Every workload on every runtime in `runtimes`, the runtimes side by side per workload.
fn on_every_runtime(c: &mut Criterion, suffix: &str, runtimes: &[Box<dyn Runtime>]) {
    for (workload, run) in WORKLOADS {
        let mut group = group(c, &format!("{workload}{suffix}"));
        for runtime in runtimes {
            group.bench_function(runtime.name(), |b| b.iter(|| run(&**runtime)));
        }
        group.finish();
    }
}

fn single_threaded(c: &mut Criterion) {
    on_every_runtime(c, "", &runtimes::single_threaded());
}

/// The two-thread rows; ours joins them when the pool lands (see `runtimes/mod.rs`).
fn two_threads(c: &mut Criterion) {
    on_every_runtime(c, "_2_threads", &runtimes::multi_threaded());
}

fn macro_overhead(c: &mut Criterion) {
    let ours = Ours::new();
    let mut group = group(c, "macro_overhead");
    group.bench_function("task_fn", |b| b.iter(|| ours.macro_overhead(false)));
    group.bench_function("async_fn", |b| b.iter(|| ours.macro_overhead(true)));
    group.finish();
}

/// Issue 16 on two threads: whether an idle worker takes work from a busy one, and how soon.
/// `fan_out_imbalanced`: the makespan of 1,000 CPU-bound tasks of random cost below 2 ms,
/// queued from one task. `spawn_many_remote_busy`: tokio's shape, 10,000 empty tasks spawned
/// from outside while busy tasks hold every worker. `steal_latency`: from "a worker is idle
/// and a running task queues one" to "that task runs" (the mean, per task).
fn parallel(c: &mut Criterion) {
    let runtimes = runtimes::parallel(2);
    let costs = fan_out_costs(FAN_OUT_TASKS, FAN_OUT_MAX_COST);
    let mut fan_out = c.benchmark_group("fan_out_imbalanced_2_threads");
    fan_out
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    for runtime in &runtimes {
        fan_out.bench_function(runtime.name(), |b| {
            b.iter(|| runtime.fan_out_imbalanced(&costs))
        });
    }
    fan_out.finish();
    let mut busy = group(c, "spawn_many_remote_busy_2_threads");
    for runtime in &runtimes {
        busy.bench_function(runtime.name(), |b| {
            b.iter(|| runtime.spawn_many_remote_busy(2 * BUSY_PER_WORKER, REMOTE_SPAWNS))
        });
    }
    busy.finish();
    let mut latency = group(c, "steal_latency_2_threads");
    for runtime in &runtimes {
        latency.bench_function(runtime.name(), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| runtime.steal_latency(STEAL_LIMIT)).sum())
        });
    }
    latency.finish();
}

criterion_group!(
    benches,
    single_threaded,
    macro_overhead,
    two_threads,
    parallel
);
criterion_main!(benches);
