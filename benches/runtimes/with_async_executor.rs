//! The workloads on async-executor, written as its users would: `async` blocks and
//! `spawn`, on a `LocalExecutor` driven by the bench's thread or an `Executor` run by
//! worker threads. Part of the benches (`runtimes/mod.rs` says how to run them).

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use async_channel::Sender;
use async_executor::{Executor, LocalExecutor, Task};
use futures_lite::future;

use super::{Parallel, Runtime, spin_for, stall};

/// What the workloads need of an executor: spawning, from inside a task.
trait Spawner: Clone + Send + 'static {
    fn spawn<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Task<T>;
}

thread_local! {
    /// The bench thread's `LocalExecutor`, reached as tokio reaches its runtime: through a
    /// thread-local, so spawning needs no `Rc` moved into `Send` futures.
    static LOCAL: LocalExecutor<'static> = const { LocalExecutor::new() };
}

/// Spawns on this thread's [`LOCAL`] executor.
#[derive(Clone, Copy)]
struct LocalSpawner;

impl Spawner for LocalSpawner {
    fn spawn<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Task<T> {
        LOCAL.with(|ex| ex.spawn(fut))
    }
}

impl Spawner for Arc<Executor<'static>> {
    fn spawn<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Task<T> {
        Executor::spawn(self, fut)
    }
}

/// `async_executor::LocalExecutor`, driven by the bench's thread.
pub struct Local {
    /// The executor is the thread's: this value must stay on it.
    _not_send: PhantomData<*const ()>,
}

impl Local {
    /// This thread's local executor.
    pub fn new() -> Self {
        Local {
            _not_send: PhantomData,
        }
    }

    /// Runs `work(spawner)` as a task until it finishes.
    fn run<T: Send + 'static, F>(&self, work: impl FnOnce(LocalSpawner) -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
    {
        let task = LocalSpawner.spawn(work(LocalSpawner));
        LOCAL.with(|ex| future::block_on(ex.run(task)))
    }
}

/// `async_executor::Executor`, run by worker threads; the bench's thread only waits.
pub struct Shared {
    ex: Arc<Executor<'static>>,
    stop: Option<Sender<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Shared {
    /// An executor run by `threads` threads until this value is dropped.
    pub fn new(threads: usize) -> Self {
        let ex = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let workers = (0..threads)
            .map(|_| {
                let (ex, stopped) = (ex.clone(), stopped.clone());
                std::thread::spawn(move || {
                    let _ = future::block_on(ex.run(stopped.recv()));
                })
            })
            .collect();
        Shared {
            ex,
            stop: Some(stop),
            workers,
        }
    }

    /// Runs `work(spawner)` as a task until it finishes.
    fn run<T: Send + 'static, F>(&self, work: impl FnOnce(Arc<Executor<'static>>) -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
    {
        future::block_on(self.ex.spawn(work(self.ex.clone())))
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        drop(self.stop.take()); // closes the channel: every worker's `run` returns
        for worker in self.workers.drain(..) {
            worker.join().unwrap();
        }
    }
}

/// The same `Runtime` impl for both executors: each runs a workload through its own `run`.
macro_rules! impl_runtime {
    ($ty:ty, $name:literal) => {
        impl Runtime for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn spawn_many(&self, n: usize) {
                self.run(|ex| spawn_many(ex, n))
            }
            fn yield_many(&self, tasks: usize, yields: usize) {
                self.run(|ex| yield_many(ex, tasks, yields))
            }
            fn ping_pong(&self, pairs: usize) {
                self.run(|ex| ping_pong(ex, pairs))
            }
            fn chained_spawn(&self, depth: usize) {
                self.run(|ex| chained_spawn(ex, depth))
            }
            fn park_many(&self, n: usize, probe: fn() -> usize) -> usize {
                self.run(|ex| park_many(ex, n, probe))
            }
        }
    };
}

impl_runtime!(Local, "local_executor");
impl_runtime!(Shared, "executor");

async fn spawn_many(ex: impl Spawner, n: usize) {
    let counter = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        let counter = counter.clone();
        handles.push(ex.spawn(async move {
            counter.fetch_add(1, Ordering::Relaxed);
        }));
    }
    for handle in handles {
        handle.await;
    }
    assert_eq!(counter.load(Ordering::Relaxed), n);
}

async fn yield_many(ex: impl Spawner, tasks: usize, yields: usize) {
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        handles.push(ex.spawn(async move {
            for _ in 0..yields {
                future::yield_now().await;
            }
        }));
    }
    for handle in handles {
        handle.await;
    }
}

async fn ping_pong<S: Spawner>(ex: S, pairs: usize) {
    let mut handles = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let inner = ex.clone();
        handles.push(ex.spawn(async move {
            let (to_pong, pings) = async_channel::bounded(1);
            let (pongs, from_pong) = async_channel::bounded(1);
            inner
                .spawn(async move {
                    let ball: u32 = pings.recv().await.unwrap();
                    pongs.send(ball + 1).await.unwrap();
                })
                .detach();
            to_pong.send(1).await.unwrap();
            assert_eq!(from_pong.recv().await.unwrap(), 2);
        }));
    }
    for handle in handles {
        handle.await;
    }
}

fn chain<S: Spawner>(ex: S, done: Sender<()>, left: usize) {
    if left == 0 {
        done.try_send(()).unwrap();
    } else {
        let next = ex.clone();
        ex.spawn(async move { chain(next, done, left - 1) })
            .detach();
    }
}

async fn chained_spawn<S: Spawner>(ex: S, depth: usize) {
    let (done, finished) = async_channel::bounded(1);
    let next = ex.clone();
    ex.spawn(async move { chain(next, done, depth) }).detach();
    finished.recv().await.unwrap();
}

async fn park_many(ex: impl Spawner, n: usize, probe: fn() -> usize) -> usize {
    let (set, event) = async_channel::bounded::<()>(1);
    let parked = Arc::new(AtomicUsize::new(0));
    for _ in 0..n {
        let (event, parked) = (event.clone(), parked.clone());
        // Detached: the task runs on, so only the task is measured.
        ex.spawn(async move {
            parked.fetch_add(1, Ordering::Relaxed);
            let _closed = event.recv().await;
            parked.fetch_sub(1, Ordering::Relaxed);
        })
        .detach();
    }
    while parked.load(Ordering::Relaxed) < n {
        future::yield_now().await;
    }
    let value = probe();
    set.close();
    while parked.load(Ordering::Relaxed) > 0 {
        future::yield_now().await;
    }
    value
}

impl Parallel for Shared {
    fn fan_out_imbalanced(&self, costs: &Arc<[Duration]>) {
        let costs = costs.clone();
        self.run(|ex| async move {
            let tasks: Vec<_> = costs
                .iter()
                .map(|&cost| ex.spawn(async move { spin_for(cost) }))
                .collect();
            for task in tasks {
                task.await;
            }
        });
    }

    fn spawn_many_remote_busy(&self, busy: usize, n: usize) {
        let running = Arc::new(AtomicBool::new(true));
        let busy: Vec<_> = (0..busy)
            .map(|_| {
                let running = running.clone();
                self.ex.spawn(async move {
                    while running.load(Ordering::Relaxed) {
                        future::yield_now().await;
                        stall();
                    }
                })
            })
            .collect();
        let spawned: Vec<_> = (0..n).map(|_| self.ex.spawn(async {})).collect();
        future::block_on(async move {
            for task in spawned {
                task.await;
            }
        });
        running.store(false, Ordering::Relaxed);
        future::block_on(async move {
            for task in busy {
                task.await;
            }
        });
    }

    fn steal_latency(&self, limit: Duration) -> Duration {
        self.run(move |ex| async move {
            let started = Arc::new(AtomicU64::new(0));
            let queued = Instant::now();
            let note = started.clone();
            let task = ex.spawn(async move {
                note.store(queued.elapsed().as_nanos() as u64 + 1, Ordering::SeqCst);
            });
            while started.load(Ordering::SeqCst) == 0 && queued.elapsed() < limit {
                std::hint::spin_loop();
            }
            task.await;
            Duration::from_nanos(started.load(Ordering::SeqCst) - 1)
        })
    }
}
