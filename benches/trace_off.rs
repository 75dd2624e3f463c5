//! What `SCHEDULER_TRACE` costs: `yield_many` on ours with tracing off (the variable unset:
//! one relaxed load per poll) and on (the variable naming `/dev/null`: two clock reads and
//! an event per poll, formatted and written at the end of each run), in one run:
//! `cargo bench --bench trace_off`. The process reads the variable once, so the "on" half
//! runs in a child process of this bench. Results: `benches/RESULTS.md`, "Tracing".

use std::time::Duration;

use criterion::Criterion;

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::{Runtime, YIELD_TASKS, YIELDS, ours::Ours};

/// Set in the child that runs the "on" half.
const CHILD: &str = "SCHEDULER_TRACE_BENCH_CHILD";

fn bench(c: &mut Criterion, id: &str) {
    let ours = Ours::new();
    let mut group = c.benchmark_group("yield_many");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    group.bench_function(id, |b| b.iter(|| ours.yield_many(YIELD_TASKS, YIELDS)));
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if std::env::var_os(CHILD).is_some() {
        bench(&mut c, "trace_on");
        c.final_summary();
        return;
    }
    assert!(
        std::env::var_os("SCHEDULER_TRACE").is_none(),
        "run this bench without SCHEDULER_TRACE: it sets it itself for the second half"
    );
    bench(&mut c, "trace_off");
    c.final_summary();
    let status = std::process::Command::new(std::env::current_exe().expect("this bench"))
        .args(std::env::args_os().skip(1))
        .env(CHILD, "1")
        .env("SCHEDULER_TRACE", "/dev/null")
        .status()
        .expect("the bench runs itself with tracing on");
    assert!(status.success(), "the traced half failed");
}
