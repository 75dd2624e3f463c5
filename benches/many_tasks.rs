//! `many_tasks` (issue 22): the workloads where the work is in holding many tasks, not in
//! running them, on ours, tokio and smol (async-executor) in the same run, interleaved:
//!
//! - `idle`: spawn 1,000,000 tasks from inside a task, each capturing three pointers and
//!   parking on a channel, until all are parked; the heap bytes per parked task; then drop
//!   the runtime with all of them parked.
//! - `ticker`: one task ticking with a 1 ms sleep while N tasks (0, 100,000, 1,000,000) wait
//!   on a channel of the runtime (ours: `scheduler::sync::channel`, the case where the run
//!   loop's deadlock check used to walk every task at each park): the CPU per tick.
//! - `ping_pong`: 1,000 pairs per iteration, each pair making two `async_channel::bounded(1)`,
//!   every task detached and the last pair signalling the end (the shape of tokio's
//!   `rt_multi_ping_pong`), on one thread and two.
//!
//! `cargo bench --bench many_tasks` prints Markdown tables: the median over the rounds and
//! the range (lowest to highest), ratios ours/peer taken within each round. The runtimes run
//! one after another within a round and the order rotates from round to round. CPU is the
//! process's user+sys time (`getrusage`), less disturbed by other load than wall time.
//! `MANY_TASKS_ROUNDS` sets the rounds (default 5), `MANY_TASKS_ONLY=idle|ticker|ping_pong`
//! runs one workload, `MANY_TASKS_RUNTIME=ours|tokio|smol` one runtime, and for ping_pong
//! `MANY_TASKS_THREADS=1|2` one thread count and `MANY_TASKS_ITERATIONS` its iterations
//! (default 100). For instruction counts, per iteration = (count at 3N - count at N) / 2N:
//!
//! ```text
//! MANY_TASKS_ONLY=ping_pong MANY_TASKS_THREADS=1 MANY_TASKS_ROUNDS=1 MANY_TASKS_RUNTIME=ours \
//!   MANY_TASKS_ITERATIONS=10 valgrind --tool=callgrind target/release/deps/many_tasks-<hash>
//! ```

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scheduler::{MultiThread, Scheduler, task};

mod counting_alloc;

use counting_alloc::live;

#[allow(dead_code, reason = "each bench binary uses a part of what they share")]
mod measure;

use measure::env_or;

/// The process's CPU time so far (user + system, all threads).
fn cpu() -> Duration {
    measure::cpu_time(&measure::own_usage())
}

const RUNTIMES: [&str; 3] = ["ours", "tokio", "smol"];
const IDLE_TASKS: usize = 1_000_000;
const TICKS: usize = 200;
const WAITERS: [usize; 3] = [0, 100_000, 1_000_000];
const PAIRS: usize = 1_000;
const PING_PONG_ITERATIONS: usize = 100;

// ---------------------------------------------------------------------------------------
// idle: spawn, park, drop

/// What one idle run measured.
struct Idle {
    spawn: Duration,
    bytes_per_task: f64,
    drop: Duration,
}

/// The idle task: three captured pointers, parked on `event` until it closes.
async fn idle_body(
    event: async_channel::Receiver<()>,
    parked: Arc<AtomicUsize>,
    woken: Arc<AtomicUsize>,
) {
    parked.fetch_add(1, Ordering::Relaxed);
    let _closed = event.recv().await;
    woken.fetch_add(1, Ordering::Relaxed);
}

#[task]
fn idle_task(
    event: async_channel::Receiver<()>,
    parked: Arc<AtomicUsize>,
    woken: Arc<AtomicUsize>,
) {
    parked.fetch_add(1, Ordering::Relaxed);
    let _closed = scheduler::wait(event.recv());
    woken.fetch_add(1, Ordering::Relaxed);
}

#[task]
fn spawn_idle(n: usize, event: async_channel::Receiver<()>, parked: Arc<AtomicUsize>) {
    let woken = Arc::new(AtomicUsize::new(0));
    for _ in 0..n {
        scheduler::queue_to_run(idle_task, (event.clone(), parked.clone(), woken.clone()));
    }
    while parked.load(Ordering::Relaxed) < n {
        scheduler::yield_now();
    }
}

fn idle(runtime: &str, n: usize) -> Idle {
    let (set, event) = async_channel::bounded::<()>(1);
    let parked = Arc::new(AtomicUsize::new(0));
    let before = live();
    let start = Instant::now();
    let (spawn, bytes, dropped) = match runtime {
        "ours" => {
            let s = Scheduler::builder().slow_poll(None).build();
            s.run_until_finished(spawn_idle, (n, event, parked.clone()));
            let spawn = start.elapsed();
            let bytes = live() - before;
            let start = Instant::now();
            drop(s); // says on stderr that it cancelled them: one line
            (spawn, bytes, start.elapsed())
        }
        "tokio" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let counter = parked.clone();
            rt.block_on(async move {
                let woken = Arc::new(AtomicUsize::new(0));
                for _ in 0..n {
                    tokio::spawn(idle_body(event.clone(), counter.clone(), woken.clone()));
                }
                while counter.load(Ordering::Relaxed) < n {
                    tokio::task::yield_now().await;
                }
            });
            let spawn = start.elapsed();
            let bytes = live() - before;
            let start = Instant::now();
            drop(rt);
            (spawn, bytes, start.elapsed())
        }
        _ => {
            let ex = smol::LocalExecutor::new();
            let counter = parked.clone();
            let woken = Arc::new(AtomicUsize::new(0));
            smol::block_on(ex.run(async {
                for _ in 0..n {
                    ex.spawn(idle_body(event.clone(), counter.clone(), woken.clone()))
                        .detach();
                }
                while counter.load(Ordering::Relaxed) < n {
                    smol::future::yield_now().await;
                }
            }));
            let spawn = start.elapsed();
            let bytes = live() - before;
            let start = Instant::now();
            drop(ex);
            (spawn, bytes, start.elapsed())
        }
    };
    drop(set);
    Idle {
        spawn,
        bytes_per_task: bytes as f64 / n as f64,
        drop: dropped,
    }
}

// ---------------------------------------------------------------------------------------
// ticker: one 1 ms ticker beside N waiters

#[task]
fn waiter(jobs: scheduler::sync::Receiver<u32>, parked: Arc<AtomicUsize>) {
    parked.fetch_add(1, Ordering::Relaxed);
    while jobs.recv().is_ok() {}
    parked.fetch_sub(1, Ordering::Relaxed);
}

#[task]
fn tick_beside(waiters: usize, ticks: usize) -> Duration {
    let (tx, jobs) = scheduler::sync::channel::<u32>(1);
    let parked = Arc::new(AtomicUsize::new(0));
    for _ in 0..waiters {
        scheduler::queue_to_run(waiter, (jobs.clone(), parked.clone()));
    }
    while parked.load(Ordering::Relaxed) < waiters {
        scheduler::yield_now();
    }
    let start = cpu();
    for _ in 0..ticks {
        scheduler::sleep(Duration::from_millis(1));
    }
    let spent = cpu() - start;
    drop((tx, jobs));
    while parked.load(Ordering::Relaxed) > 0 {
        scheduler::yield_now();
    }
    spent / ticks as u32
}

/// The peers' waiter: an `async_channel` receiver (a worker pool's job queue).
async fn waiter_body(jobs: async_channel::Receiver<u32>, parked: Arc<AtomicUsize>) {
    parked.fetch_add(1, Ordering::Relaxed);
    while jobs.recv().await.is_ok() {}
    parked.fetch_sub(1, Ordering::Relaxed);
}

/// The CPU per tick of one ticker beside `waiters` waiting tasks.
fn ticker(runtime: &str, waiters: usize) -> Duration {
    match runtime {
        "ours" => Scheduler::builder()
            .slow_poll(None)
            .build()
            .run_until_finished(tick_beside, (waiters, TICKS)),
        "tokio" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            rt.block_on(async {
                let (tx, jobs) = async_channel::bounded::<u32>(1);
                let parked = Arc::new(AtomicUsize::new(0));
                for _ in 0..waiters {
                    tokio::spawn(waiter_body(jobs.clone(), parked.clone()));
                }
                while parked.load(Ordering::Relaxed) < waiters {
                    tokio::task::yield_now().await;
                }
                let start = cpu();
                for _ in 0..TICKS {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                let spent = cpu() - start;
                drop((tx, jobs));
                while parked.load(Ordering::Relaxed) > 0 {
                    tokio::task::yield_now().await;
                }
                spent / TICKS as u32
            })
        }
        _ => {
            let ex = smol::LocalExecutor::new();
            smol::block_on(ex.run(async {
                let (tx, jobs) = async_channel::bounded::<u32>(1);
                let parked = Arc::new(AtomicUsize::new(0));
                for _ in 0..waiters {
                    ex.spawn(waiter_body(jobs.clone(), parked.clone())).detach();
                }
                while parked.load(Ordering::Relaxed) < waiters {
                    smol::future::yield_now().await;
                }
                let start = cpu();
                for _ in 0..TICKS {
                    smol::Timer::after(Duration::from_millis(1)).await;
                }
                let spent = cpu() - start;
                drop((tx, jobs));
                while parked.load(Ordering::Relaxed) > 0 {
                    smol::future::yield_now().await;
                }
                spent / TICKS as u32
            }))
        }
    }
}

// ---------------------------------------------------------------------------------------
// ping_pong, the harness's shape: detached pairs, the last one signals the end

#[task]
fn pong(pings: async_channel::Receiver<()>, pongs: async_channel::Sender<()>) {
    scheduler::wait(pings.recv()).unwrap();
    scheduler::wait(pongs.send(())).unwrap();
}

#[task]
fn ping(left: Arc<AtomicUsize>, done: async_channel::Sender<()>) {
    let (to_pong, pings) = async_channel::bounded(1);
    let (pongs, from_pong) = async_channel::bounded(1);
    scheduler::queue_to_run(pong, (pings, pongs));
    scheduler::wait(to_pong.send(())).unwrap();
    scheduler::wait(from_pong.recv()).unwrap();
    if left.fetch_sub(1, Ordering::Relaxed) == 1 {
        done.try_send(()).unwrap();
    }
}

#[task]
fn ping_pong_ours(pairs: usize) {
    let left = Arc::new(AtomicUsize::new(pairs));
    let (done, finished) = async_channel::bounded(1);
    for _ in 0..pairs {
        scheduler::queue_to_run(ping, (left.clone(), done.clone()));
    }
    scheduler::wait(finished.recv()).unwrap();
}

/// How a peer spawns a detached task (no boxing: each runtime sees the future's own type).
trait Spawn: Clone + Send + 'static {
    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static);
}

#[derive(Clone)]
struct TokioSpawn;

impl Spawn for TokioSpawn {
    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(future);
    }
}

thread_local! {
    /// The bench thread's `LocalExecutor`, reached as tokio reaches its runtime.
    static LOCAL: smol::LocalExecutor<'static> = const { smol::LocalExecutor::new() };
}

#[derive(Clone)]
struct SmolLocal;

impl Spawn for SmolLocal {
    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        LOCAL.with(|ex| ex.spawn(future).detach());
    }
}

impl Spawn for Arc<smol::Executor<'static>> {
    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        smol::Executor::spawn(self, future).detach();
    }
}

/// The peers' ping_pong, spawning with `spawn`.
async fn ping_pong_peer(pairs: usize, spawn: impl Spawn) {
    let left = Arc::new(AtomicUsize::new(pairs));
    let (done, finished) = async_channel::bounded(1);
    for _ in 0..pairs {
        let (left, done, inner) = (left.clone(), done.clone(), spawn.clone());
        spawn.spawn(async move {
            let (to_pong, pings) = async_channel::bounded::<()>(1);
            let (pongs, from_pong) = async_channel::bounded::<()>(1);
            inner.spawn(async move {
                pings.recv().await.unwrap();
                pongs.send(()).await.unwrap();
            });
            to_pong.send(()).await.unwrap();
            from_pong.recv().await.unwrap();
            if left.fetch_sub(1, Ordering::Relaxed) == 1 {
                done.try_send(()).unwrap();
            }
        });
    }
    finished.recv().await.unwrap();
}

/// A runtime made once for the ping_pong rounds.
enum PingPong {
    Ours(Scheduler),
    OursPool(Scheduler<MultiThread>),
    Tokio(tokio::runtime::Runtime),
    /// The thread's [`LOCAL`] executor.
    Smol,
    /// An executor run by worker threads until the sender is dropped.
    SmolPool(
        Arc<smol::Executor<'static>>,
        Option<async_channel::Sender<()>>,
        Vec<std::thread::JoinHandle<()>>,
    ),
}

impl PingPong {
    fn new(runtime: &str, threads: usize) -> Self {
        match (runtime, threads) {
            ("ours", 1) => PingPong::Ours(Scheduler::new()),
            ("ours", _) => PingPong::OursPool(Scheduler::builder().threads(threads).build()),
            ("tokio", 1) => PingPong::Tokio(
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap(),
            ),
            ("tokio", _) => PingPong::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads)
                    .build()
                    .unwrap(),
            ),
            (_, 1) => PingPong::Smol,
            _ => {
                let ex = Arc::new(smol::Executor::new());
                let (stop, stopped) = async_channel::bounded::<()>(1);
                let workers = (0..threads)
                    .map(|_| {
                        let (ex, stopped) = (ex.clone(), stopped.clone());
                        std::thread::spawn(move || {
                            let _ = smol::block_on(ex.run(stopped.recv()));
                        })
                    })
                    .collect();
                PingPong::SmolPool(ex, Some(stop), workers)
            }
        }
    }

    fn run(&self, pairs: usize) {
        match self {
            PingPong::Ours(s) => s.run_until_finished(ping_pong_ours, (pairs,)),
            PingPong::OursPool(s) => s.run_until_finished(ping_pong_ours, (pairs,)),
            PingPong::Tokio(rt) => rt.block_on(ping_pong_peer(pairs, TokioSpawn)),
            PingPong::Smol => {
                LOCAL.with(|ex| smol::block_on(ex.run(ping_pong_peer(pairs, SmolLocal))))
            }
            PingPong::SmolPool(ex, _, _) => smol::block_on(ping_pong_peer(pairs, ex.clone())),
        }
    }
}

impl Drop for PingPong {
    fn drop(&mut self) {
        if let PingPong::SmolPool(_, stop, workers) = self {
            drop(stop.take()); // the workers' `run` returns
            for worker in workers.drain(..) {
                worker.join().unwrap();
            }
        }
    }
}

/// Wall and CPU per ping_pong iteration.
fn ping_pong(runtime: &PingPong, iterations: usize) -> (Duration, Duration) {
    runtime.run(PAIRS); // warm up
    let (wall, cpu_start) = (Instant::now(), cpu());
    for _ in 0..iterations {
        runtime.run(PAIRS);
    }
    let n = iterations as u32;
    (wall.elapsed() / n, (cpu() - cpu_start) / n)
}

// ---------------------------------------------------------------------------------------
// rounds and tables

/// Median and range of `values`.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

/// One row: each runtime's median, then ours/peer per round (median and range).
fn row(label: &str, unit: &str, scale: f64, per_round: &[Vec<f64>], runtimes: &[&str]) {
    let mut cells = vec![label.to_string()];
    for (i, _) in runtimes.iter().enumerate() {
        let (median, _, _) = spread(per_round.iter().map(|r| r[i]).collect());
        cells.push(format!("{:.1} {unit}", median * scale));
    }
    for (i, _) in runtimes.iter().enumerate().skip(1) {
        let (median, low, high) = spread(per_round.iter().map(|r| r[0] / r[i]).collect());
        cells.push(format!("{median:.2} ({low:.2}–{high:.2})"));
    }
    println!("| {} |", cells.join(" | "));
}

fn header(first: &str, runtimes: &[&str]) {
    let mut cells = vec![first.to_string()];
    cells.extend(runtimes.iter().map(|r| r.to_string()));
    cells.extend(runtimes.iter().skip(1).map(|r| format!("ours / {r}")));
    println!("| {} |", cells.join(" | "));
    println!("|---|{}", "---:|".repeat(cells.len() - 1));
}

/// The runtimes in the order of round `round` (rotating), as indices into `runtimes`.
fn order(round: usize, runtimes: usize) -> impl Iterator<Item = usize> {
    (0..runtimes).map(move |i| (i + round) % runtimes)
}

fn main() {
    let rounds = env_or("MANY_TASKS_ROUNDS", 5);
    let only = std::env::var("MANY_TASKS_ONLY").ok();
    let runtimes: Vec<&str> = match std::env::var("MANY_TASKS_RUNTIME") {
        Ok(one) => RUNTIMES.into_iter().filter(|r| *r == one).collect(),
        Err(_) => RUNTIMES.to_vec(),
    };
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    println!("many_tasks: {rounds} interleaved rounds; median (lowest–highest) over rounds\n");

    if wanted("idle") {
        idle(runtimes[0], 1_000); // lazily made state is not counted
        let mut results: Vec<Vec<Option<Idle>>> = Vec::new();
        for round in 0..rounds {
            let mut this: Vec<Option<Idle>> = runtimes.iter().map(|_| None).collect();
            for i in order(round, runtimes.len()) {
                this[i] = Some(idle(runtimes[i], IDLE_TASKS));
            }
            results.push(this);
        }
        let of = |f: fn(&Idle) -> f64| -> Vec<Vec<f64>> {
            results
                .iter()
                .map(|r| r.iter().map(|i| f(i.as_ref().unwrap())).collect())
                .collect()
        };
        println!("### {IDLE_TASKS} idle tasks (three captured pointers, parked on a channel)\n");
        header("measure", &runtimes);
        row(
            "spawn until all parked",
            "ms",
            1e3,
            &of(|i| i.spawn.as_secs_f64()),
            &runtimes,
        );
        row(
            "heap bytes per parked task",
            "B",
            1.0,
            &of(|i| i.bytes_per_task),
            &runtimes,
        );
        row(
            "drop the runtime with all parked",
            "ms",
            1e3,
            &of(|i| i.drop.as_secs_f64()),
            &runtimes,
        );
        println!();
    }

    if wanted("ticker") {
        println!("### CPU per 1 ms tick of one ticker beside N tasks waiting on a channel\n");
        header("waiting tasks", &runtimes);
        for waiters in WAITERS {
            let mut per_round = Vec::new();
            for round in 0..rounds.min(3) {
                let mut this = vec![0.0; runtimes.len()];
                for i in order(round, runtimes.len()) {
                    this[i] = ticker(runtimes[i], waiters).as_secs_f64();
                }
                per_round.push(this);
            }
            row(&waiters.to_string(), "µs", 1e6, &per_round, &runtimes);
        }
        println!();
    }

    if wanted("ping_pong") {
        let iterations = env_or("MANY_TASKS_ITERATIONS", PING_PONG_ITERATIONS);
        let threads: Vec<usize> = match std::env::var("MANY_TASKS_THREADS") {
            Ok(n) => vec![n.parse().expect("MANY_TASKS_THREADS is a number")],
            Err(_) => vec![1, 2],
        };
        for threads in threads {
            println!(
                "### ping_pong, the harness's shape: {PAIRS} detached pairs per iteration, \
                 {threads} thread(s)\n"
            );
            header("per iteration", &runtimes);
            let made: Vec<PingPong> = runtimes.iter().map(|r| PingPong::new(r, threads)).collect();
            let mut walls = Vec::new();
            let mut cpus = Vec::new();
            for round in 0..rounds {
                let mut wall = vec![0.0; runtimes.len()];
                let mut cpu = vec![0.0; runtimes.len()];
                for i in order(round, runtimes.len()) {
                    let (w, c) = ping_pong(&made[i], iterations);
                    (wall[i], cpu[i]) = (w.as_secs_f64(), c.as_secs_f64());
                }
                walls.push(wall);
                cpus.push(cpu);
            }
            row("wall", "µs", 1e6, &walls, &runtimes);
            row("CPU", "µs", 1e6, &cpus, &runtimes);
            println!();
        }
    }
}
