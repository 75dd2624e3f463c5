//! What the slow-poll watchdog (issue 9) costs: `yield_many` on ours with the watchdog on
//! (the default, 100 ms) and off (`slow_poll(None)`), single-threaded and on two threads, in
//! one run: `cargo bench --bench watchdog`. Results: `benches/RESULTS.md`, "The watchdog".

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use scheduler::Scheduler;

#[path = "runtimes/mod.rs"]
#[allow(
    dead_code,
    reason = "each bench binary uses a part of the runtimes' code"
)]
mod runtimes;

use runtimes::ours::{Ours, OursThreads};
use runtimes::{Runtime, YIELD_TASKS, YIELDS};

fn watchdog(c: &mut Criterion) {
    let on_off: [(&str, Box<dyn Runtime>); 4] = [
        ("one_thread/watchdog_on", Box::new(Ours::new())),
        (
            "one_thread/watchdog_off",
            Box::new(Ours::on(Scheduler::builder().slow_poll(None).build())),
        ),
        ("two_threads/watchdog_on", Box::new(OursThreads::new(2))),
        (
            "two_threads/watchdog_off",
            Box::new(OursThreads::on(
                Scheduler::builder().threads(2).slow_poll(None).build(),
            )),
        ),
    ];
    let mut group = c.benchmark_group("yield_many");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (id, runtime) in &on_off {
        group.bench_function(*id, |b| b.iter(|| runtime.yield_many(YIELD_TASKS, YIELDS)));
    }
    group.finish();
}

criterion_group!(benches, watchdog);
criterion_main!(benches);
