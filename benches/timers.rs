//! Timers in a loop (issue 22): `TASKS` tasks each sleep 1 ms `SLEEPS` times, on ours, tokio
//! and smol, one thread and two, in one run. For each: the process's CPU time
//! (`getrusage`, every thread of the process, user + system), its voluntary context
//! switches, the wall time, and the median lateness of a 1 ms sleep (how much longer than
//! 1 ms it took, measured around each sleep in the task).
//!
//! `cargo bench -p scheduler-benches --bench timers` runs `ROUNDS` rounds; in each the
//! runtimes run one after another, the order rotating from round to round, and the table
//! gives per runtime the median over the rounds, and ours' CPU over each peer's as the
//! median (lowest–highest) of the per-round ratios. Arguments pick runtimes by name
//! (`-- ours-1`, for a profile under callgrind); `TIMERS_TASKS`, `TIMERS_SLEEPS` and
//! `TIMERS_ROUNDS` change the sizes. See `benches/RESULTS.md`, "Issue 22: timers".

use std::time::{Duration, Instant};

#[allow(dead_code, reason = "each bench binary uses a part of what they share")]
mod measure;

use measure::{env_or, median};

/// How long each sleep is.
const SLEEP: Duration = Duration::from_millis(1);

/// One run's figures.
#[derive(Clone, Copy, Default)]
struct Figures {
    wall: Duration,
    cpu: Duration,
    /// Of which in the kernel.
    sys: Duration,
    voluntary_switches: i64,
    /// Median lateness of one sleep, in microseconds.
    late_us: f64,
}

/// The process's CPU time (user + system, all threads), its system part, and voluntary
/// context switches.
fn usage() -> (Duration, Duration, i64) {
    let usage = measure::own_usage();
    (
        measure::cpu_time(&usage),
        measure::time(usage.ru_stime),
        usage.ru_nvcsw,
    )
}

/// Runs `workload` (which returns every sleep's lateness) and measures it.
fn measure(workload: impl FnOnce() -> Vec<Vec<u32>>) -> Figures {
    let (cpu0, sys0, switches0) = usage();
    let start = Instant::now();
    let lateness = workload();
    let wall = start.elapsed();
    let (cpu1, sys1, switches1) = usage();
    let mut all: Vec<u32> = lateness.into_iter().flatten().collect();
    all.sort_unstable();
    Figures {
        wall,
        cpu: cpu1 - cpu0,
        sys: sys1 - sys0,
        voluntary_switches: switches1 - switches0,
        late_us: f64::from(all.get(all.len() / 2).copied().unwrap_or(0)) / 1000.0,
    }
}

/// How late a sleep that started at `start` ended, in nanoseconds.
fn late(start: Instant) -> u32 {
    let took = start.elapsed().saturating_sub(SLEEP);
    u32::try_from(took.as_nanos()).unwrap_or(u32::MAX)
}

mod ours {
    use super::*;
    use scheduler::{Scheduler, task};

    #[task]
    fn sleeper(sleeps: usize) -> Vec<u32> {
        let mut lateness = Vec::with_capacity(sleeps);
        for _ in 0..sleeps {
            let start = Instant::now();
            scheduler::sleep(SLEEP);
            lateness.push(late(start));
        }
        lateness
    }

    #[task]
    fn all(tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let handles: Vec<_> = (0..tasks)
            .map(|_| scheduler::queue_to_run(sleeper, (sleeps,)))
            .collect();
        scheduler::wait_all(handles)
    }

    pub fn one_thread(tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        Scheduler::new().run_until_finished(all, (tasks, sleeps))
    }

    pub fn threads(n: usize, tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let s = Scheduler::builder().threads(n).build();
        s.run_until_finished(all, (tasks, sleeps))
    }
}

mod with_tokio {
    use super::*;

    async fn sleeper(sleeps: usize) -> Vec<u32> {
        let mut lateness = Vec::with_capacity(sleeps);
        for _ in 0..sleeps {
            let start = Instant::now();
            tokio::time::sleep(SLEEP).await;
            lateness.push(late(start));
        }
        lateness
    }

    async fn all(tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let handles: Vec<_> = (0..tasks).map(|_| tokio::spawn(sleeper(sleeps))).collect();
        let mut out = Vec::with_capacity(tasks);
        for handle in handles {
            out.push(handle.await.unwrap());
        }
        out
    }

    pub fn one_thread(tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(all(tasks, sleeps))
    }

    pub fn threads(n: usize, tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(all(tasks, sleeps))
    }
}

mod with_smol {
    use super::*;
    use std::sync::Arc;

    async fn sleeper(sleeps: usize) -> Vec<u32> {
        let mut lateness = Vec::with_capacity(sleeps);
        for _ in 0..sleeps {
            let start = Instant::now();
            smol::Timer::after(SLEEP).await;
            lateness.push(late(start));
        }
        lateness
    }

    pub fn one_thread(tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let ex = smol::LocalExecutor::new();
        smol::block_on(ex.run(async {
            let handles: Vec<_> = (0..tasks).map(|_| ex.spawn(sleeper(sleeps))).collect();
            let mut out = Vec::with_capacity(tasks);
            for handle in handles {
                out.push(handle.await);
            }
            out
        }))
    }

    /// smol's way to use several threads: each runs the executor in `block_on`.
    pub fn threads(n: usize, tasks: usize, sleeps: usize) -> Vec<Vec<u32>> {
        let ex = Arc::new(smol::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let workers: Vec<_> = (1..n)
            .map(|_| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                std::thread::spawn(move || smol::block_on(ex.run(stopped.recv())))
            })
            .collect();
        let out = smol::block_on(ex.run(async {
            let handles: Vec<_> = (0..tasks).map(|_| ex.spawn(sleeper(sleeps))).collect();
            let mut out = Vec::with_capacity(tasks);
            for handle in handles {
                out.push(handle.await);
            }
            out
        }));
        drop(stop);
        for worker in workers {
            let _ = worker.join();
        }
        out
    }
}

/// A runtime's name and how it runs the workload.
type Run = fn(usize, usize) -> Vec<Vec<u32>>;

const RUNTIMES: [(&str, Run); 6] = [
    ("ours-1", ours::one_thread),
    ("tokio-1", with_tokio::one_thread),
    ("smol-1", with_smol::one_thread),
    ("ours-2", |t, s| ours::threads(2, t, s)),
    ("tokio-2", |t, s| with_tokio::threads(2, t, s)),
    ("smol-2", |t, s| with_smol::threads(2, t, s)),
];

fn main() {
    let tasks = env_or("TIMERS_TASKS", 1_000);
    let sleeps = env_or("TIMERS_SLEEPS", 1_000);
    let rounds = env_or("TIMERS_ROUNDS", 3);
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runtimes: Vec<(&str, Run)> = RUNTIMES
        .into_iter()
        .filter(|(name, _)| picked.is_empty() || picked.iter().any(|p| name.contains(p)))
        .collect();
    println!("{tasks} tasks x {sleeps} sleeps of 1 ms, {rounds} rounds");
    let mut results: Vec<Vec<Figures>> = vec![Vec::new(); runtimes.len()];
    for round in 0..rounds {
        for offset in 0..runtimes.len() {
            // Rotate within each thread count, so that one- and two-thread runs stay apart.
            let index = (offset + round) % runtimes.len();
            let (name, run) = runtimes[index];
            let figures = measure(|| run(tasks, sleeps));
            println!(
                "round {round} {name:8} wall {:7.1} ms  cpu {:7.1} ms (sys {:6.1})  vcsw {:6}  late {:6.3} ms",
                figures.wall.as_secs_f64() * 1e3,
                figures.cpu.as_secs_f64() * 1e3,
                figures.sys.as_secs_f64() * 1e3,
                figures.voluntary_switches,
                figures.late_us / 1e3,
            );
            results[index].push(figures);
        }
    }
    println!(
        "\n| runtime | CPU ms (median) | wall ms | vol. ctx switches | median lateness ms | ours' CPU / this (median, range) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (index, (name, _)) in runtimes.iter().enumerate() {
        let rows = &results[index];
        let cpu = median(rows.iter().map(|f| f.cpu.as_secs_f64() * 1e3).collect());
        let wall = median(rows.iter().map(|f| f.wall.as_secs_f64() * 1e3).collect());
        let switches = median(rows.iter().map(|f| f.voluntary_switches as f64).collect());
        let late = median(rows.iter().map(|f| f.late_us / 1e3).collect());
        let threads = &name[name.len() - 2..];
        let ours = runtimes
            .iter()
            .position(|(n, _)| n.starts_with("ours") && n.ends_with(threads));
        let ratio = match ours {
            Some(ours) if ours != index => {
                let ratios: Vec<f64> = results[ours]
                    .iter()
                    .zip(rows)
                    .map(|(o, p)| o.cpu.as_secs_f64() / p.cpu.as_secs_f64())
                    .collect();
                let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
                let high = ratios.iter().copied().fold(0.0, f64::max);
                format!("{:.2} ({low:.2}–{high:.2})", median(ratios.clone()))
            }
            _ => "–".to_string(),
        };
        println!("| {name} | {cpu:.0} | {wall:.0} | {switches:.0} | {late:.3} | {ratio} |");
    }
}
