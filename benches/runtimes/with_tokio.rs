//! The workloads on tokio, written as its users would: `async` blocks and `tokio::spawn`.
//! Part of the benches (`runtimes/mod.rs` says how to run them).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_channel::Sender;
use tokio::runtime::{Builder, Runtime as TokioRuntime};

use super::{Parallel, Runtime, spin_for, stall};

/// A tokio runtime: `current_thread`, or `multi_thread` with some workers.
pub struct Tokio {
    runtime: TokioRuntime,
    name: &'static str,
}

impl Tokio {
    /// `Builder::new_current_thread()`.
    pub fn current_thread() -> Self {
        Tokio {
            runtime: Builder::new_current_thread().build().unwrap(),
            name: "tokio_current_thread",
        }
    }

    /// `Builder::new_multi_thread()` with `workers` worker threads.
    pub fn multi_thread(workers: usize) -> Self {
        Tokio {
            runtime: Builder::new_multi_thread()
                .worker_threads(workers)
                .build()
                .unwrap(),
            name: "tokio_multi_thread",
        }
    }
}

impl Runtime for Tokio {
    fn name(&self) -> &'static str {
        self.name
    }

    fn spawn_many(&self, n: usize) {
        // `block_on` runs on this thread; spawn a task so the workload starts from inside one
        // on every flavour.
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let counter = Arc::new(AtomicUsize::new(0));
                let mut handles = Vec::with_capacity(n);
                for _ in 0..n {
                    let counter = counter.clone();
                    handles.push(tokio::spawn(async move {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }));
                }
                for handle in handles {
                    handle.await.unwrap();
                }
                assert_eq!(counter.load(Ordering::Relaxed), n);
            })
            .await
            .unwrap();
        });
    }

    fn yield_many(&self, tasks: usize, yields: usize) {
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let mut handles = Vec::with_capacity(tasks);
                for _ in 0..tasks {
                    handles.push(tokio::spawn(async move {
                        for _ in 0..yields {
                            tokio::task::yield_now().await;
                        }
                    }));
                }
                for handle in handles {
                    handle.await.unwrap();
                }
            })
            .await
            .unwrap();
        });
    }

    fn ping_pong(&self, pairs: usize) {
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let mut handles = Vec::with_capacity(pairs);
                for _ in 0..pairs {
                    handles.push(tokio::spawn(async {
                        let (to_pong, pings) = async_channel::bounded(1);
                        let (pongs, from_pong) = async_channel::bounded(1);
                        tokio::spawn(async move {
                            let ball: u32 = pings.recv().await.unwrap();
                            pongs.send(ball + 1).await.unwrap();
                        });
                        to_pong.send(1).await.unwrap();
                        assert_eq!(from_pong.recv().await.unwrap(), 2);
                    }));
                }
                for handle in handles {
                    handle.await.unwrap();
                }
            })
            .await
            .unwrap();
        });
    }

    fn chained_spawn(&self, depth: usize) {
        fn chain(done: Sender<()>, left: usize) {
            if left == 0 {
                done.try_send(()).unwrap();
            } else {
                tokio::spawn(async move { chain(done, left - 1) });
            }
        }
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let (done, finished) = async_channel::bounded(1);
                tokio::spawn(async move { chain(done, depth) });
                finished.recv().await.unwrap();
            })
            .await
            .unwrap();
        });
    }

    fn park_many(&self, n: usize, probe: fn() -> usize) -> usize {
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let (set, event) = async_channel::bounded::<()>(1);
                let parked = Arc::new(AtomicUsize::new(0));
                for _ in 0..n {
                    let (event, parked) = (event.clone(), parked.clone());
                    // The handle is dropped: the task runs on, detached.
                    tokio::spawn(async move {
                        parked.fetch_add(1, Ordering::Relaxed);
                        let _closed = event.recv().await;
                        parked.fetch_sub(1, Ordering::Relaxed);
                    });
                }
                while parked.load(Ordering::Relaxed) < n {
                    tokio::task::yield_now().await;
                }
                let value = probe();
                set.close();
                while parked.load(Ordering::Relaxed) > 0 {
                    tokio::task::yield_now().await;
                }
                value
            })
            .await
            .unwrap()
        })
    }
}

impl Parallel for Tokio {
    fn fan_out_imbalanced(&self, costs: &Arc<[Duration]>) {
        let costs = costs.clone();
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let handles: Vec<_> = costs
                    .iter()
                    .map(|&cost| tokio::spawn(async move { spin_for(cost) }))
                    .collect();
                for handle in handles {
                    handle.await.unwrap();
                }
            })
            .await
            .unwrap();
        });
    }

    fn spawn_many_remote_busy(&self, busy: usize, n: usize) {
        let running = Arc::new(AtomicBool::new(true));
        let busy: Vec<_> = (0..busy)
            .map(|_| {
                let running = running.clone();
                self.runtime.spawn(async move {
                    while running.load(Ordering::Relaxed) {
                        tokio::task::yield_now().await;
                        stall();
                    }
                })
            })
            .collect();
        let handle = self.runtime.handle();
        let spawned: Vec<_> = (0..n).map(|_| handle.spawn(async {})).collect();
        self.runtime.block_on(async move {
            for task in spawned {
                task.await.unwrap();
            }
        });
        running.store(false, Ordering::Relaxed);
        self.runtime.block_on(async move {
            for task in busy {
                task.await.unwrap();
            }
        });
    }

    fn steal_latency(&self, limit: Duration) -> Duration {
        self.runtime.block_on(async move {
            tokio::spawn(async move {
                let started = Arc::new(AtomicU64::new(0));
                let queued = Instant::now();
                let note = started.clone();
                let task = tokio::spawn(async move {
                    note.store(queued.elapsed().as_nanos() as u64 + 1, Ordering::SeqCst);
                });
                while started.load(Ordering::SeqCst) == 0 && queued.elapsed() < limit {
                    std::hint::spin_loop();
                }
                task.await.unwrap();
                Duration::from_nanos(started.load(Ordering::SeqCst) - 1)
            })
            .await
            .unwrap()
        })
    }
}
