//! Timeouts and cancelled groups (issue 17), on ours, tokio and async-executor in one run:
//! `cargo bench --bench cancel`. Regression checks of these paths, not real-world
//! performance.
//!
//! - `timeout_not_fired`: 10,000 timeouts of an hour in a row, each around work that
//!   pauses once and finishes: ours `with_timeout(HOUR, f, ())`, tokio `time::timeout`,
//!   async-executor (smol's way) `future::or(work, Timer::after(HOUR))`.
//! - `group_cancel`: 1,000 tasks parked on an hour's timer in a group, cancelled, and waited
//!   for until every one has been dropped: ours a `scope` whose task calls
//!   `ScopeHandle::cancel()`, tokio a `JoinSet`'s `abort_all()` then `join_next()` until
//!   empty, async-executor `Task::cancel().await` on each.
//!
//! One thread: `Scheduler::new()`, tokio `current_thread`, `LocalExecutor`. Two threads:
//! `threads(2)` and tokio `multi_thread(2)` (async-executor has no pool of its own).
//!
//! For instruction counts, one runtime and workload at a time, with no harness:
//!
//! ```text
//! cargo bench --bench cancel --no-run
//! valgrind --tool=callgrind target/release/deps/cancel-<hash> profile ours group_cancel 3
//! ```
//!
//! (runtimes `ours`, `tokio`, `local_executor`; per iteration = (count for 3 - count for 1) / 2).

use std::time::Duration;

use async_executor::LocalExecutor;
use criterion::Criterion;
use scheduler::{MultiThread, Scheduler, ScopeHandle, task};

const HOUR: Duration = Duration::from_secs(3600);
const TIMEOUTS: usize = 10_000;
const GROUP: usize = 1_000;

// ---- ours -------------------------------------------------------------------------------

#[task]
fn pause_once() {
    scheduler::yield_now();
}

#[task]
fn timeouts(n: usize) {
    for _ in 0..n {
        scheduler::with_timeout(HOUR, pause_once, ()).unwrap();
    }
}

#[task]
fn sleep_an_hour() {
    scheduler::sleep(HOUR);
}

#[task]
fn cancel_soon(group: ScopeHandle) {
    scheduler::yield_now(); // the others park meanwhile
    group.cancel();
}

#[task]
fn group_cancel(n: usize) {
    scheduler::scope(|s| {
        for _ in 0..n {
            s.queue_to_run(sleep_an_hour, ());
        }
        s.queue_to_run(cancel_soon, (s.handle(),));
    });
}

// ---- tokio ------------------------------------------------------------------------------

async fn tokio_timeouts(n: usize) {
    for _ in 0..n {
        tokio::time::timeout(HOUR, tokio::task::yield_now())
            .await
            .unwrap();
    }
}

async fn tokio_group_cancel(n: usize) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        set.spawn(tokio::time::sleep(HOUR));
    }
    tokio::task::yield_now().await; // the others park meanwhile
    set.abort_all();
    while set.join_next().await.is_some() {}
}

// ---- async-executor ---------------------------------------------------------------------

async fn smol_timeouts(n: usize) {
    for _ in 0..n {
        let work = async {
            futures_lite::future::yield_now().await;
            Ok(())
        };
        let timer = async {
            async_io::Timer::after(HOUR).await;
            Err(())
        };
        futures_lite::future::or(work, timer).await.unwrap();
    }
}

async fn smol_group_cancel(ex: &LocalExecutor<'_>, n: usize) {
    let tasks: Vec<_> = (0..n)
        .map(|_| ex.spawn(async_io::Timer::after(HOUR)))
        .collect();
    futures_lite::future::yield_now().await; // the others park meanwhile
    for task in tasks {
        task.cancel().await;
    }
}

// ---- the runtimes -----------------------------------------------------------------------

struct Runtimes {
    ours: Scheduler,
    ours_pool: Scheduler<MultiThread>,
    tokio: tokio::runtime::Runtime,
    tokio_pool: tokio::runtime::Runtime,
    local: LocalExecutor<'static>,
}

impl Runtimes {
    fn new() -> Self {
        Runtimes {
            ours: Scheduler::new(),
            ours_pool: Scheduler::builder().threads(2).build(),
            tokio: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap(),
            tokio_pool: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_time()
                .build()
                .unwrap(),
            local: LocalExecutor::new(),
        }
    }

    /// Runs `workload` once on `runtime`.
    fn run(&self, runtime: &str, workload: &str) {
        match (runtime, workload) {
            ("ours", "timeout_not_fired") => self.ours.run_until_finished(timeouts, (TIMEOUTS,)),
            ("ours", "group_cancel") => self.ours.run_until_finished(group_cancel, (GROUP,)),
            ("ours_2_threads", "timeout_not_fired") => {
                self.ours_pool.run_until_finished(timeouts, (TIMEOUTS,))
            }
            ("ours_2_threads", "group_cancel") => {
                self.ours_pool.run_until_finished(group_cancel, (GROUP,))
            }
            ("tokio", "timeout_not_fired") => self.tokio.block_on(tokio_timeouts(TIMEOUTS)),
            ("tokio", "group_cancel") => self.tokio.block_on(tokio_group_cancel(GROUP)),
            ("tokio_2_threads", "timeout_not_fired") => {
                let task = self.tokio_pool.spawn(tokio_timeouts(TIMEOUTS));
                self.tokio_pool.block_on(task).unwrap();
            }
            ("tokio_2_threads", "group_cancel") => {
                let task = self.tokio_pool.spawn(tokio_group_cancel(GROUP));
                self.tokio_pool.block_on(task).unwrap();
            }
            ("local_executor", "timeout_not_fired") => {
                async_io::block_on(self.local.run(smol_timeouts(TIMEOUTS)));
            }
            ("local_executor", "group_cancel") => {
                async_io::block_on(self.local.run(smol_group_cancel(&self.local, GROUP)));
            }
            _ => panic!("no workload {workload} on {runtime}"),
        }
    }
}

const WORKLOADS: [&str; 2] = ["timeout_not_fired", "group_cancel"];

fn main() {
    let runtimes = Runtimes::new();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [mode, runtime, workload, iterations] = args.as_slice()
        && mode == "profile"
    {
        for _ in 0..iterations.parse::<usize>().expect("a number of iterations") {
            runtimes.run(runtime, workload);
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    for (suffix, names) in [
        ("", ["ours", "tokio", "local_executor"].as_slice()),
        (
            "_2_threads",
            ["ours_2_threads", "tokio_2_threads"].as_slice(),
        ),
    ] {
        for workload in WORKLOADS {
            let mut group = c.benchmark_group(format!("{workload}{suffix}"));
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(1));
            for name in names {
                group.bench_function(*name, |b| b.iter(|| runtimes.run(name, workload)));
            }
            group.finish();
        }
    }
    c.final_summary();
}
