//! The primitives of issue 18 against tokio's (and async-executor with the smol-rs crates
//! ours wrap), in one run, on one thread and on two: a 4-stage pipeline of bounded
//! channels, a fan-in from 100 producers over one unbounded channel, an `RwLock` hammered
//! by 8 tasks, and 1,000 tasks ticking an `interval`.
//!
//! ```sh
//! cargo bench --bench primitives                      # every workload, 5 runs each: a table
//! cargo bench --bench primitives -- pipeline          # the workloads whose name has `pipeline`
//! cargo bench --bench primitives -- pipeline ours_1 --once   # one run of one pair (callgrind)
//! ```
//!
//! Each runtime runs the workload the way its users would write it: `#[task]` fns and
//! `scheduler::sync` on ours; `async` blocks, `tokio::spawn` and `tokio::sync` on tokio;
//! `async` blocks on async-executor with `async-channel` / `async-lock` / `async-io`
//! (what ours wraps, so that column shows what our layer costs). A regression check, not a
//! real-world figure. `benches/RESULTS.md` (issue 18) has the table and how it was made.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scheduler::sync::{Receiver, RwLock, Sender, channel, unbounded};
use scheduler::{MultiThread, Scheduler, task};

/// Messages through the pipeline.
const PIPELINE_MESSAGES: u64 = 1_000_000;
/// Room in each of the pipeline's channels.
const PIPELINE_CAPACITY: usize = 128;
/// Channels in the pipeline: a source, 3 relays, a sink.
const PIPELINE_STAGES: usize = 4;
/// Producers of the fan-in ...
const FAN_IN_PRODUCERS: u64 = 100;
/// ... each sending this many messages.
const FAN_IN_EACH: u64 = 10_000;
/// Tasks on the lock ...
const RWLOCK_TASKS: u64 = 8;
/// ... each doing this many lock operations (one in ten a write), yielding every 64.
const RWLOCK_OPS: u64 = 100_000;
/// Tasks with an interval ...
const INTERVAL_TASKS: u64 = 1_000;
/// ... each ticking this many times ...
const INTERVAL_TICKS: u64 = 10;
/// ... this far apart.
const INTERVAL_PERIOD: Duration = Duration::from_millis(1);

/// What each workload computes: the same on every runtime, or the run is wrong.
fn expected(workload: Workload) -> u64 {
    match workload {
        // Each relay adds one to every message.
        Workload::Pipeline => {
            let n = PIPELINE_MESSAGES;
            n * (n - 1) / 2 + n * (PIPELINE_STAGES as u64 - 1)
        }
        Workload::FanIn => FAN_IN_PRODUCERS * FAN_IN_EACH,
        Workload::RwLock => RWLOCK_TASKS * RWLOCK_OPS.div_ceil(10),
        Workload::Interval => INTERVAL_TASKS * INTERVAL_TICKS,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Workload {
    Pipeline,
    FanIn,
    RwLock,
    Interval,
}

impl Workload {
    const ALL: [Workload; 4] = [
        Workload::Pipeline,
        Workload::FanIn,
        Workload::RwLock,
        Workload::Interval,
    ];

    fn name(self) -> &'static str {
        match self {
            Workload::Pipeline => "pipeline",
            Workload::FanIn => "fan_in",
            Workload::RwLock => "rwlock",
            Workload::Interval => "interval",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Ours: `#[task]` fns and `scheduler::sync`, the same code on both flavours.

#[task]
fn source(tx: Sender<u64>, n: u64) {
    for i in 0..n {
        tx.send(i).unwrap();
    }
}

#[task]
fn relay(rx: Receiver<u64>, tx: Sender<u64>) {
    while let Ok(v) = rx.recv() {
        tx.send(v + 1).unwrap();
    }
}

#[task]
fn sink(rx: Receiver<u64>) -> u64 {
    let mut total = 0;
    while let Ok(v) = rx.recv() {
        total += v;
    }
    total
}

#[task]
fn ours_pipeline() -> u64 {
    let (tx, mut rx) = channel(PIPELINE_CAPACITY);
    let mut stages = vec![scheduler::queue_to_run(source, (tx, PIPELINE_MESSAGES))];
    for _ in 1..PIPELINE_STAGES {
        let (tx, next) = channel(PIPELINE_CAPACITY);
        stages.push(scheduler::queue_to_run(relay, (rx, tx)));
        rx = next;
    }
    let total = sink(rx);
    scheduler::wait_all(stages);
    total
}

#[task]
fn produce(tx: Sender<u64>) {
    for _ in 0..FAN_IN_EACH {
        tx.send(1).unwrap(); // unbounded: never pauses
    }
}

#[task]
fn ours_fan_in() -> u64 {
    let (tx, rx) = unbounded();
    let producers: Vec<_> = (0..FAN_IN_PRODUCERS)
        .map(|_| scheduler::queue_to_run(produce, (tx.clone(),)))
        .collect();
    drop(tx);
    let total = sink(rx);
    scheduler::wait_all(producers);
    total
}

#[task]
fn hammer(lock: Arc<RwLock<u64>>) {
    for i in 0..RWLOCK_OPS {
        if i % 10 == 0 {
            *lock.write() += 1;
        } else {
            std::hint::black_box(*lock.read());
        }
        if i % 64 == 63 {
            scheduler::yield_now();
        }
    }
}

#[task]
fn ours_rwlock() -> u64 {
    let lock = Arc::new(RwLock::new(0));
    let tasks: Vec<_> = (0..RWLOCK_TASKS)
        .map(|_| scheduler::queue_to_run(hammer, (lock.clone(),)))
        .collect();
    scheduler::wait_all(tasks);
    *lock.read()
}

#[task]
fn tick_n() -> u64 {
    let mut every = scheduler::interval(INTERVAL_PERIOD);
    for _ in 0..INTERVAL_TICKS {
        every.tick();
    }
    INTERVAL_TICKS
}

#[task]
fn ours_interval() -> u64 {
    let tasks: Vec<_> = (0..INTERVAL_TASKS)
        .map(|_| scheduler::queue_to_run(tick_n, ()))
        .collect();
    scheduler::wait_all(tasks).into_iter().sum()
}

fn ours_on_one(s: &Scheduler, workload: Workload) -> u64 {
    match workload {
        Workload::Pipeline => s.run_until_finished(ours_pipeline, ()),
        Workload::FanIn => s.run_until_finished(ours_fan_in, ()),
        Workload::RwLock => s.run_until_finished(ours_rwlock, ()),
        Workload::Interval => s.run_until_finished(ours_interval, ()),
    }
}

fn ours_on_pool(s: &Scheduler<MultiThread>, workload: Workload) -> u64 {
    match workload {
        Workload::Pipeline => s.run_until_finished(ours_pipeline, ()),
        Workload::FanIn => s.run_until_finished(ours_fan_in, ()),
        Workload::RwLock => s.run_until_finished(ours_rwlock, ()),
        Workload::Interval => s.run_until_finished(ours_interval, ()),
    }
}

// ---------------------------------------------------------------------------------------
// Tokio: `async` blocks, `tokio::spawn`, `tokio::sync`, `tokio::time`.

async fn tokio_pipeline() -> u64 {
    use tokio::sync::mpsc;
    let (tx, mut rx) = mpsc::channel::<u64>(PIPELINE_CAPACITY);
    let mut stages = vec![tokio::spawn(async move {
        for i in 0..PIPELINE_MESSAGES {
            tx.send(i).await.unwrap();
        }
    })];
    for _ in 1..PIPELINE_STAGES {
        let (tx, next) = mpsc::channel(PIPELINE_CAPACITY);
        let mut input = rx;
        stages.push(tokio::spawn(async move {
            while let Some(v) = input.recv().await {
                tx.send(v + 1).await.unwrap();
            }
        }));
        rx = next;
    }
    let mut total = 0;
    while let Some(v) = rx.recv().await {
        total += v;
    }
    for stage in stages {
        stage.await.unwrap();
    }
    total
}

async fn tokio_fan_in() -> u64 {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let producers: Vec<_> = (0..FAN_IN_PRODUCERS)
        .map(|_| {
            let tx = tx.clone();
            tokio::spawn(async move {
                for _ in 0..FAN_IN_EACH {
                    tx.send(1).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut total = 0;
    while let Some(v) = rx.recv().await {
        total += v;
    }
    for p in producers {
        p.await.unwrap();
    }
    total
}

async fn tokio_rwlock() -> u64 {
    let lock = Arc::new(tokio::sync::RwLock::new(0u64));
    let tasks: Vec<_> = (0..RWLOCK_TASKS)
        .map(|_| {
            let lock = lock.clone();
            tokio::spawn(async move {
                for i in 0..RWLOCK_OPS {
                    if i % 10 == 0 {
                        *lock.write().await += 1;
                    } else {
                        std::hint::black_box(*lock.read().await);
                    }
                    if i % 64 == 63 {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    *lock.read().await
}

async fn tokio_interval() -> u64 {
    let tasks: Vec<_> = (0..INTERVAL_TASKS)
        .map(|_| {
            tokio::spawn(async move {
                let mut every = tokio::time::interval(INTERVAL_PERIOD);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                for _ in 0..INTERVAL_TICKS {
                    every.tick().await;
                }
                INTERVAL_TICKS
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total
}

fn on_tokio(rt: &tokio::runtime::Runtime, workload: Workload) -> u64 {
    // From inside a spawned task, as on the other runtimes.
    rt.block_on(async move {
        match workload {
            Workload::Pipeline => tokio::spawn(tokio_pipeline()).await,
            Workload::FanIn => tokio::spawn(tokio_fan_in()).await,
            Workload::RwLock => tokio::spawn(tokio_rwlock()).await,
            Workload::Interval => tokio::spawn(tokio_interval()).await,
        }
        .unwrap()
    })
}

// ---------------------------------------------------------------------------------------
// async-executor with async-channel, async-lock and async-io: what ours wraps.

/// Spawns on whichever async-executor runs the workload.
trait Spawn: Clone + 'static {
    fn spawn<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> async_executor::Task<T>;
}

impl Spawn for Arc<async_executor::Executor<'static>> {
    fn spawn<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> async_executor::Task<T> {
        async_executor::Executor::spawn(self, fut)
    }
}

impl Spawn for std::rc::Rc<async_executor::LocalExecutor<'static>> {
    fn spawn<T: Send + 'static>(
        &self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> async_executor::Task<T> {
        async_executor::LocalExecutor::spawn(self, fut)
    }
}

async fn ae_pipeline(ex: impl Spawn) -> u64 {
    let (tx, mut rx) = async_channel::bounded::<u64>(PIPELINE_CAPACITY);
    let mut stages = vec![ex.spawn(async move {
        for i in 0..PIPELINE_MESSAGES {
            tx.send(i).await.unwrap();
        }
    })];
    for _ in 1..PIPELINE_STAGES {
        let (tx, next) = async_channel::bounded(PIPELINE_CAPACITY);
        let input = rx;
        stages.push(ex.spawn(async move {
            while let Ok(v) = input.recv().await {
                tx.send(v + 1).await.unwrap();
            }
        }));
        rx = next;
    }
    let mut total = 0;
    while let Ok(v) = rx.recv().await {
        total += v;
    }
    for stage in stages {
        stage.await;
    }
    total
}

async fn ae_fan_in(ex: impl Spawn) -> u64 {
    let (tx, rx) = async_channel::unbounded::<u64>();
    let producers: Vec<_> = (0..FAN_IN_PRODUCERS)
        .map(|_| {
            let tx = tx.clone();
            ex.spawn(async move {
                for _ in 0..FAN_IN_EACH {
                    tx.try_send(1).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut total = 0;
    while let Ok(v) = rx.recv().await {
        total += v;
    }
    for p in producers {
        p.await;
    }
    total
}

async fn ae_rwlock(ex: impl Spawn) -> u64 {
    let lock = Arc::new(async_lock::RwLock::new(0u64));
    let tasks: Vec<_> = (0..RWLOCK_TASKS)
        .map(|_| {
            let lock = lock.clone();
            ex.spawn(async move {
                for i in 0..RWLOCK_OPS {
                    if i % 10 == 0 {
                        *lock.write().await += 1;
                    } else {
                        std::hint::black_box(*lock.read().await);
                    }
                    if i % 64 == 63 {
                        futures_lite::future::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await;
    }
    *lock.read().await
}

async fn ae_interval(ex: impl Spawn) -> u64 {
    use futures_lite::StreamExt;
    let tasks: Vec<_> = (0..INTERVAL_TASKS)
        .map(|_| {
            ex.spawn(async move {
                let mut every = async_io::Timer::interval(INTERVAL_PERIOD);
                // async-io's first tick comes after one period; tokio's and ours at once.
                for _ in 1..INTERVAL_TICKS {
                    every.next().await;
                }
                INTERVAL_TICKS
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await;
    }
    total
}

async fn on_ae(ex: impl Spawn, workload: Workload) -> u64 {
    match workload {
        Workload::Pipeline => ae_pipeline(ex).await,
        Workload::FanIn => ae_fan_in(ex).await,
        Workload::RwLock => ae_rwlock(ex).await,
        Workload::Interval => ae_interval(ex).await,
    }
}

/// async-executor's `Executor` run by `threads` threads until dropped.
struct AePool {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl AePool {
    fn new(threads: usize) -> Self {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..threads)
            .map(|_| {
                let (ex, stopped) = (ex.clone(), stopped.clone());
                std::thread::spawn(move || {
                    let _ = futures_lite::future::block_on(ex.run(stopped.recv()));
                })
            })
            .collect();
        AePool {
            ex,
            stop: Some(stop),
            threads,
        }
    }

    fn run(&self, workload: Workload) -> u64 {
        let ex = self.ex.clone();
        futures_lite::future::block_on(self.ex.spawn(on_ae(ex, workload)))
    }
}

impl Drop for AePool {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            t.join().unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------
// The harness.

/// The runtimes, by name: `_1` on one thread, `_2` on two.
const RUNTIMES: [&str; 6] = [
    "ours_1",
    "tokio_1",
    "async_executor_1",
    "ours_2",
    "tokio_2",
    "async_executor_2",
];

/// A runtime made once, then running workloads.
enum Made {
    Ours(Scheduler),
    OursPool(Scheduler<MultiThread>),
    Tokio(tokio::runtime::Runtime),
    AeLocal(std::rc::Rc<async_executor::LocalExecutor<'static>>),
    AePool(AePool),
}

impl Made {
    fn new(name: &str) -> Self {
        match name {
            "ours_1" => Made::Ours(Scheduler::new()),
            "ours_2" => Made::OursPool(Scheduler::builder().threads(2).build()),
            "tokio_1" => Made::Tokio(
                tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                    .unwrap(),
            ),
            "tokio_2" => Made::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_time()
                    .build()
                    .unwrap(),
            ),
            "async_executor_1" => {
                Made::AeLocal(std::rc::Rc::new(async_executor::LocalExecutor::new()))
            }
            "async_executor_2" => Made::AePool(AePool::new(2)),
            _ => panic!("no runtime {name}"),
        }
    }

    fn run(&self, workload: Workload) -> u64 {
        match self {
            Made::Ours(s) => ours_on_one(s, workload),
            Made::OursPool(s) => ours_on_pool(s, workload),
            Made::Tokio(rt) => on_tokio(rt, workload),
            Made::AeLocal(ex) => {
                let spawner = ex.clone();
                futures_lite::future::block_on(ex.run(on_ae(spawner, workload)))
            }
            Made::AePool(pool) => pool.run(workload),
        }
    }
}

/// Runs of each pair; the table shows the median.
const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let once = args.iter().any(|a| a == "--once");
    let filters: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    // A filter naming a workload picks workloads, one naming a runtime picks runtimes;
    // with none of a kind, all of that kind run.
    let picks = |names: &[&'static str]| -> Vec<&'static str> {
        let named: Vec<_> = names
            .iter()
            .copied()
            .filter(|n| filters.iter().any(|f| n.contains(f)))
            .collect();
        if named.is_empty() {
            names.to_vec()
        } else {
            named
        }
    };
    let workload_names: Vec<&str> = Workload::ALL.iter().map(|w| w.name()).collect();
    let workloads = picks(&workload_names);
    let runtimes = picks(&RUNTIMES);

    let mut rows = Vec::new();
    for workload in Workload::ALL
        .into_iter()
        .filter(|w| workloads.contains(&w.name()))
    {
        for &runtime in &runtimes {
            let made = Made::new(runtime);
            let runs = if once { 1 } else { RUNS };
            if !once {
                assert_eq!(
                    made.run(workload),
                    expected(workload),
                    "{runtime} {workload:?}"
                );
            }
            let mut times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    let got = made.run(workload);
                    let took = start.elapsed();
                    assert_eq!(got, expected(workload), "{runtime} {workload:?}");
                    took
                })
                .collect();
            times.sort();
            rows.push((workload, runtime, times));
        }
    }

    println!("| workload | runtime | median ms | min ms | max ms | vs tokio |");
    println!("|---|---|---:|---:|---:|---:|");
    let median = |times: &[Duration]| times[times.len() / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for (workload, runtime, times) in &rows {
        let threads = &runtime[runtime.len() - 2..];
        let tokio = rows
            .iter()
            .find(|(w, r, _)| w == workload && r.starts_with("tokio") && r.ends_with(threads));
        let ratio = tokio.map_or(String::new(), |(_, _, t)| {
            format!(
                "{:.2}x",
                median(times).as_secs_f64() / median(t).as_secs_f64()
            )
        });
        println!(
            "| {} | {runtime} | {:.1} | {:.1} | {:.1} | {ratio} |",
            workload.name(),
            ms(median(times)),
            ms(times[0]),
            ms(times[times.len() - 1]),
        );
    }
}
