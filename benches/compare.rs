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
    CHAIN_DEPTH, PING_PONG_PAIRS, Runtime, SPAWN_MANY, YIELD_TASKS, YIELDS, ours::Ours,
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

criterion_group!(benches, single_threaded, macro_overhead, two_threads);
criterion_main!(benches);
