//! Soak: a minute of mixed work on a two-thread scheduler (tasks that yield, sleep, send
//! and receive over channels, take a lock, get cancelled, panic) with every task accounted
//! for and memory flat once warmed up. Opt-in, as it takes a minute:
//!
//! ```text
//! cargo test --release --test soak -- --ignored --nocapture
//! ```
//!
//! `SOAK_SECS` changes the length (60 by default; `.ci/run` runs it for 6). It prints the
//! resident memory it read at each sample and the count of tasks by how they ended.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scheduler::sync::{Mutex, Receiver, Sender, channel};
use scheduler::{Scheduler, TaskError, TaskHandle, task};
use scheduler_workspace::{DropCounter, DropToken};

/// The message of the panics the soak makes on purpose (kept off stderr).
const PLANNED: &str = "soak: a planned panic";

/// How many tasks ended each way.
#[derive(Default)]
struct Tally {
    queued: AtomicU64,
    finished: AtomicU64,
    cancelled: AtomicU64,
    panicked: AtomicU64,
}

impl Tally {
    fn count(&self, results: &[Result<u64, TaskError>]) {
        for result in results {
            let slot = match result {
                Ok(_) => &self.finished,
                Err(TaskError::Cancelled { .. }) => &self.cancelled,
                Err(TaskError::Panicked { .. }) => &self.panicked,
            };
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Queues `f(args)` through the scheduler's handle, so it may run on either thread.
fn queue<F, Args, Kind>(tally: &Tally, f: F, args: Args) -> TaskHandle<F::Output>
where
    F: scheduler::Schedulable<Args, Kind> + Send + 'static,
    F::Future: Send + 'static,
    F::Output: Send + 'static,
    Args: Send + 'static,
{
    tally.queued.fetch_add(1, Ordering::Relaxed);
    scheduler::current().queue_to_run(f, args)
}

#[task]
fn yielder(n: u64, _token: DropToken) -> u64 {
    for _ in 0..5 {
        scheduler::yield_now();
    }
    n
}

#[task]
fn sleeper(millis: u64, _token: DropToken) -> u64 {
    scheduler::sleep(Duration::from_millis(millis));
    millis
}

#[task]
fn produce(tx: Sender<u64>, count: u64, _token: DropToken) -> u64 {
    for n in 1..=count {
        tx.send(n).expect("the consumers are there");
    }
    count
}

#[task]
fn consume(rx: Receiver<u64>, _token: DropToken) -> u64 {
    let mut total = 0;
    while let Ok(n) = rx.recv() {
        total += n;
    }
    total
}

#[task]
fn add_under_lock(total: Arc<Mutex<u64>>, _token: DropToken) -> u64 {
    let mut guard = total.lock();
    scheduler::yield_now(); // the others wait for the lock meanwhile
    *guard += 1;
    *guard
}

#[task]
fn crash(_token: DropToken) -> u64 {
    scheduler::yield_now();
    panic!("{PLANNED}");
}

/// One round of every kind of work; checks what it can of the results and tallies them.
#[task]
fn round(r: u64, tally: Arc<Tally>, drops: DropCounter) {
    let mut handles = Vec::new();
    for n in 0..20 {
        handles.push(queue(&tally, yielder, (n, drops.token())));
    }
    for millis in 0..3 {
        handles.push(queue(&tally, sleeper, (millis, drops.token())));
    }
    let (tx, rx) = channel(4);
    handles.push(queue(&tally, produce, (tx, 50, drops.token())));
    let consumers = vec![
        queue(&tally, consume, (rx.clone(), drops.token())),
        queue(&tally, consume, (rx, drops.token())),
    ];
    let total = Arc::new(Mutex::new(0));
    for _ in 0..10 {
        handles.push(queue(
            &tally,
            add_under_lock,
            (total.clone(), drops.token()),
        ));
    }
    let doomed: Vec<_> = (0..5)
        .map(|_| queue(&tally, sleeper, (3_600_000, drops.token())))
        .collect();
    if r.is_multiple_of(10) {
        handles.push(queue(&tally, crash, (drops.token(),)));
    }
    scheduler::yield_now();
    doomed.iter().for_each(TaskHandle::cancel);

    let results = scheduler::wait_all_results(handles);
    let received = scheduler::wait_all_results(consumers);
    let cancelled = scheduler::wait_all_results(doomed);
    assert_eq!(
        received.iter().map(|r| r.as_ref().unwrap()).sum::<u64>(),
        (1..=50).sum::<u64>(),
        "every value sent was received once"
    );
    assert_eq!(*total.lock(), 10);
    assert!(
        cancelled
            .iter()
            .all(|r| matches!(r, Err(TaskError::Cancelled { .. })))
    );
    tally.count(&results);
    tally.count(&received);
    tally.count(&cancelled);
}

/// Resident memory in bytes, from `/proc/self/statm`.
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[test]
#[ignore = "a minute long: cargo test --release --test soak -- --ignored --nocapture"]
fn a_minute_of_mixed_work_on_two_threads_keeps_memory_flat_and_accounts_for_every_task() {
    let secs: u64 = std::env::var("SOAK_SECS").map_or(60, |s| s.parse().expect("SOAK_SECS"));
    let length = Duration::from_secs(secs);
    let warm_up = length / 6;
    let sample_every = length / 12;

    let s = Scheduler::builder().threads(2).build();
    // The planned panics would flood stderr; every other panic is still reported.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let planned = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m == PLANNED);
        if !planned {
            report(info);
        }
    }));

    let tally = Arc::new(Tally::default());
    let drops = DropCounter::new();
    let start = Instant::now();
    let (mut rounds, mut samples, mut next_sample) = (0u64, Vec::new(), warm_up);
    let mut baseline = None;
    while start.elapsed() < length {
        s.run_until_finished(round, (rounds, tally.clone(), drops.clone()));
        rounds += 1;
        assert_eq!(
            drops.alive(),
            0,
            "round {rounds}: a task's state outlived it"
        );
        if start.elapsed() >= next_sample {
            let rss = resident_bytes();
            baseline.get_or_insert(rss);
            samples.push((start.elapsed().as_secs(), rss));
            println!(
                "soak: {:>5.1}s  rounds {rounds:>7}  tasks {:>10}  rss {:.1} MiB",
                start.elapsed().as_secs_f64(),
                tally.queued.load(Ordering::Relaxed),
                mib(rss)
            );
            next_sample += sample_every;
        }
    }
    s.run();
    drop(s);
    let _ = std::panic::take_hook();

    let queued = tally.queued.load(Ordering::Relaxed);
    let finished = tally.finished.load(Ordering::Relaxed);
    let cancelled = tally.cancelled.load(Ordering::Relaxed);
    let panicked = tally.panicked.load(Ordering::Relaxed);
    println!(
        "soak: {rounds} rounds in {:.1}s: {queued} tasks queued, {finished} finished, \
         {cancelled} cancelled, {panicked} panicked",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(
        queued,
        finished + cancelled + panicked,
        "every task is accounted for"
    );
    assert_eq!(cancelled, rounds * 5);
    assert_eq!(panicked, rounds.div_ceil(10));
    assert_eq!(drops.alive(), 0);

    let baseline = baseline.expect("a sample after the warm-up");
    let peak = samples.iter().map(|(_, rss)| *rss).max().unwrap();
    println!(
        "soak: rss after warm-up {:.1} MiB, peak {:.1} MiB, last {:.1} MiB",
        mib(baseline),
        mib(peak),
        mib(samples.last().unwrap().1)
    );
    // Slack for the allocator's own caching: a quarter, or 16 MiB.
    let slack = (baseline / 4).max(16 << 20);
    assert!(
        peak <= baseline + slack,
        "memory grew from {:.1} MiB to {:.1} MiB: {samples:?}",
        mib(baseline),
        mib(peak)
    );
}
