//! The workloads on our scheduler, written as its users would: `#[task]` fns,
//! `scheduler::queue_to_run`, `join()`, `yield_now()` and `wait(future)` for channels, on
//! `Scheduler::new()` and on `Scheduler::builder().threads(n)`.
//! Part of the benches (`runtimes/mod.rs` says how to run them).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_channel::{Receiver, Sender};
use scheduler::{MultiThread, Scheduler, TaskHandle, task};

use super::{Parallel, Runtime, spin_for, stall};

/// `Scheduler::new()`: single-threaded, driven by the bench's thread.
pub struct Ours {
    scheduler: Scheduler,
}

impl Ours {
    /// A fresh single-threaded scheduler.
    pub fn new() -> Self {
        Ours {
            scheduler: Scheduler::new(),
        }
    }

    /// The workloads on a scheduler built some other way (e.g. without the watchdog).
    pub fn on(scheduler: Scheduler) -> Self {
        Ours { scheduler }
    }
}

/// `Scheduler::builder().threads(n)`: the work-stealing pool.
pub struct OursThreads {
    scheduler: Scheduler<MultiThread>,
}

impl OursThreads {
    /// A fresh pool of `threads` threads.
    pub fn new(threads: usize) -> Self {
        OursThreads {
            scheduler: Scheduler::builder().threads(threads).build(),
        }
    }

    /// The workloads on a pool built some other way (e.g. without the watchdog).
    pub fn on(scheduler: Scheduler<MultiThread>) -> Self {
        OursThreads { scheduler }
    }
}

/// The same `Runtime` impl for both flavours: their `run_until_finished` methods have the
/// same shape but are inherent to each `Scheduler<K>`.
macro_rules! impl_runtime {
    ($ty:ty, $name:literal) => {
        impl Runtime for $ty {
            fn name(&self) -> &'static str {
                $name
            }

            fn spawn_many(&self, n: usize) {
                self.scheduler.run_until_finished(spawn_many, (n,));
            }

            fn yield_many(&self, tasks: usize, yields: usize) {
                self.scheduler
                    .run_until_finished(yield_many, (tasks, yields));
            }

            fn ping_pong(&self, pairs: usize) {
                self.scheduler.run_until_finished(ping_pong, (pairs,));
            }

            fn chained_spawn(&self, depth: usize) {
                self.scheduler.run_until_finished(chained_spawn, (depth,));
            }

            fn park_many(&self, n: usize, probe: fn() -> usize) -> usize {
                self.scheduler.run_until_finished(park_many, (n, probe))
            }
        }
    };
}

impl_runtime!(Ours, "ours");
impl_runtime!(OursThreads, "ours");

#[task]
fn bump(counter: Arc<AtomicUsize>) {
    counter.fetch_add(1, Ordering::Relaxed);
}

#[task]
fn spawn_many(n: usize) {
    let counter = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        handles.push(scheduler::queue_to_run(bump, (counter.clone(),)));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(counter.load(Ordering::Relaxed), n);
}

#[task]
fn yield_a_lot(yields: usize) {
    for _ in 0..yields {
        scheduler::yield_now();
    }
}

#[task]
fn yield_many(tasks: usize, yields: usize) {
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        handles.push(scheduler::queue_to_run(yield_a_lot, (yields,)));
    }
    for handle in handles {
        handle.join().unwrap();
    }
}

#[task]
fn pong(pings: Receiver<u32>, pongs: Sender<u32>) {
    let ball = scheduler::wait(pings.recv()).unwrap();
    scheduler::wait(pongs.send(ball + 1)).unwrap();
}

#[task]
fn ping() {
    let (to_pong, pings) = async_channel::bounded(1);
    let (pongs, from_pong) = async_channel::bounded(1);
    scheduler::queue_to_run(pong, (pings, pongs));
    scheduler::wait(to_pong.send(1)).unwrap();
    assert_eq!(scheduler::wait(from_pong.recv()).unwrap(), 2);
}

#[task]
fn ping_pong(pairs: usize) {
    let mut handles = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        handles.push(scheduler::queue_to_run(ping, ()));
    }
    for handle in handles {
        handle.join().unwrap();
    }
}

#[task]
fn chain(done: Sender<()>, left: usize) {
    if left == 0 {
        done.try_send(()).unwrap();
    } else {
        scheduler::queue_to_run(chain, (done, left - 1));
    }
}

#[task]
fn chained_spawn(depth: usize) {
    let (done, finished) = async_channel::bounded(1);
    scheduler::queue_to_run(chain, (done, depth));
    scheduler::wait(finished.recv()).unwrap();
}

#[task]
fn park(event: Receiver<()>, parked: Arc<AtomicUsize>) {
    parked.fetch_add(1, Ordering::Relaxed);
    // Parks here until the event is set (the channel closed); then `recv` gives `Err`.
    let _closed = scheduler::wait(event.recv());
    parked.fetch_sub(1, Ordering::Relaxed);
}

#[task]
fn park_many(n: usize, probe: fn() -> usize) -> usize {
    let (set, event) = async_channel::bounded::<()>(1);
    let parked = Arc::new(AtomicUsize::new(0));
    for _ in 0..n {
        // The handle is dropped: the task runs on, detached, so only the task is measured.
        scheduler::queue_to_run(park, (event.clone(), parked.clone()));
    }
    while parked.load(Ordering::Relaxed) < n {
        scheduler::yield_now();
    }
    let value = probe();
    set.close();
    while parked.load(Ordering::Relaxed) > 0 {
        scheduler::yield_now();
    }
    value
}

/// `macro_overhead`: how many pause points each body has.
pub const PAUSES: usize = 100;

impl Ours {
    /// Runs `by_macro` (the `#[task]` fn) or `by_hand` (the same body as an `async fn`) to
    /// completion once; both are called the same way, as task fns.
    pub fn macro_overhead(&self, hand_written: bool) {
        if hand_written {
            self.scheduler.run_until_finished(by_hand, ());
        } else {
            self.scheduler.run_until_finished(by_macro, ());
        }
    }
}

/// 100 pause points and 100 plain calls, written as users write them.
#[task]
fn by_macro() {
    for i in 0..PAUSES {
        scheduler::yield_now();
        std::hint::black_box(i);
    }
}

/// The same body written by hand: an `async fn` awaiting `yield_now()`...
async fn by_hand_body() {
    for i in 0..PAUSES {
        scheduler::yield_now().await;
        std::hint::black_box(i);
    }
}

/// ... made a task fn the way `#[task]` makes one: a plain fn returning a `Pause`.
fn by_hand() -> scheduler::Pause<impl Future<Output = ()>> {
    scheduler::wait(by_hand_body())
}

impl Parallel for OursThreads {
    fn fan_out_imbalanced(&self, costs: &Arc<[Duration]>) {
        self.scheduler
            .run_until_finished(fan_out_imbalanced, (costs.clone(),));
    }

    fn spawn_many_remote_busy(&self, busy: usize, n: usize) {
        let running = Arc::new(AtomicBool::new(true));
        let busy: Vec<_> = (0..busy)
            .map(|_| self.scheduler.queue_to_run(keep_busy, (running.clone(),)))
            .collect();
        let handle = self.scheduler.handle();
        let spawned: Vec<_> = (0..n).map(|_| handle.queue_to_run(|| {}, ())).collect();
        self.scheduler.run_until_finished(wait_for, (spawned,));
        running.store(false, Ordering::Relaxed);
        self.scheduler.run_until_finished(wait_for, (busy,));
    }

    fn steal_latency(&self, limit: Duration) -> Duration {
        self.scheduler.run_until_finished(steal_latency, (limit,))
    }
}

#[task]
fn fan_out_imbalanced(costs: Arc<[Duration]>) {
    let handles: Vec<_> = costs
        .iter()
        .map(|&cost| scheduler::queue_to_run(spin_for, (cost,)))
        .collect();
    scheduler::wait_all(handles);
}

#[task]
fn keep_busy(running: Arc<AtomicBool>) {
    while running.load(Ordering::Relaxed) {
        scheduler::yield_now();
        stall();
    }
}

#[task]
fn wait_for(handles: Vec<TaskHandle<()>>) {
    scheduler::wait_all(handles);
}

/// Notes, in nanoseconds since `queued`, when it starts.
fn note_start(queued: Instant, started: Arc<AtomicU64>) {
    started.store(queued.elapsed().as_nanos() as u64 + 1, Ordering::SeqCst);
}

#[task]
fn steal_latency(limit: Duration) -> Duration {
    let started = Arc::new(AtomicU64::new(0));
    let queued = Instant::now();
    let task = scheduler::queue_to_run(note_start, (queued, started.clone()));
    while started.load(Ordering::SeqCst) == 0 && queued.elapsed() < limit {
        std::hint::spin_loop();
    }
    task.join().unwrap();
    Duration::from_nanos(started.load(Ordering::SeqCst) - 1)
}
