//! A user crate with the strictest lints a crate commonly turns on: what the macros write
//! into it must pass them, in a debug build (`cargo clippy --workspace`) and in an
//! optimized one (`.ci/run` also runs `cargo clippy --release` here), whose pause points
//! expand differently (`Locate` in `scheduler/src/stack.rs`).
#![deny(
    clippy::pedantic,
    clippy::nursery,
    warnings,
    unsafe_code,
    rust_2018_idioms,
    unused_qualifications,
    unreachable_pub,
    missing_docs,
    let_underscore_drop,
    unused_results,
    trivial_casts,
    single_use_lifetimes,
    unused_lifetimes,
    elided_lifetimes_in_paths
)]
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Pushes `n` under a std lock, then pauses twice; returns the length it saw.
///
/// # Panics
///
/// If the lock is poisoned.
#[scheduler::task]
pub fn worker(shared: Arc<Mutex<Vec<u32>>>, n: u32) -> usize {
    let len = {
        let mut g = shared.lock().unwrap();
        g.push(n);
        g.len()
    };
    scheduler::sleep(Duration::from_millis(1));
    scheduler::yield_now();
    len
}

/// Gives `value` back after a pause.
#[scheduler::task]
pub fn generic<T: Send + 'static>(value: T) -> T {
    scheduler::yield_now();
    value
}

/// Queues one worker, calls another and a generic fn.
///
/// # Panics
///
/// If a worker panics.
#[scheduler::task]
pub fn all() -> usize {
    let shared = Arc::new(Mutex::new(Vec::new()));
    let a = scheduler::queue_to_run(worker, (shared.clone(), 1));
    let b = worker(shared, 2);
    let c = generic(3_usize);
    a.join().unwrap() + b + c
}

/// A counter with task methods.
pub struct Counter {
    /// The count.
    pub n: Mutex<u32>,
}

impl Counter {
    /// Adds `by` after a pause.
    ///
    /// # Panics
    ///
    /// If the lock is poisoned.
    #[scheduler::task]
    pub fn bump(&self, by: u32) -> u32 {
        scheduler::yield_now();
        let mut n = self.n.lock().unwrap();
        *n += by;
        *n
    }
}

/// A trait with a task method.
pub trait Fetch {
    /// Fetches.
    #[scheduler::task]
    fn fetch(&self) -> u32;
}

impl Fetch for Counter {
    #[scheduler::task]
    fn fetch(&self) -> u32 {
        scheduler::yield_now();
        *self.n.lock().unwrap()
    }
}

/// `n!`, recursively, pausing at each level.
#[scheduler::task]
pub fn fact(n: u64) -> u64 {
    if n <= 1 {
        return 1;
    }
    scheduler::yield_now();
    n * fact(n - 1)
}

/// Calls `pong`, which calls back (mutual recursion: boxed here).
#[scheduler::task(boxed)]
pub fn ping(n: u32) -> u32 {
    if n == 0 {
        0
    } else {
        pong(n - 1) + 1
    }
}

/// Calls `ping` back.
#[scheduler::task]
pub fn pong(n: u32) -> u32 {
    scheduler::yield_now();
    if n == 0 {
        0
    } else {
        ping(n - 1) + 1
    }
}

/// Task methods, inherent and of a trait.
#[scheduler::task]
pub fn shapes() -> u64 {
    let counter = Counter { n: Mutex::new(0) };
    let bumped = counter.bump(2);
    let fetched = counter.fetch();
    u64::from(bumped + fetched)
}

/// A `select!` between a channel and a sleep.
#[scheduler::task]
pub fn racing() -> u32 {
    let (tx, rx) = scheduler::sync::channel::<u32>(1);
    let raced = scheduler::select! {
        got = rx.recv() => got.unwrap_or(0),
        () = scheduler::sleep(Duration::from_millis(5)) => 7,
    };
    drop(tx);
    raced
}

/// A pausing block under `with_timeout`.
#[scheduler::task]
pub fn timed() -> u32 {
    scheduler::with_timeout(
        Duration::from_secs(1),
        || {
            scheduler::yield_now();
            3
        },
        (),
    )
    .unwrap_or(0)
}

/// A scope whose body pauses, and recursion inside it.
///
/// # Panics
///
/// If the scope's task panics.
#[scheduler::task]
pub fn scoped() -> u64 {
    let result = scheduler::scope(|s| {
        let handle = s.queue_to_run(fact, (5,));
        scheduler::sleep(Duration::from_millis(1));
        handle.join().unwrap()
    });
    result + fact(4) + u64::from(ping(4))
}

#[cfg(test)]
mod tests {
    use super::{all, racing, scoped, shapes, timed};

    #[test]
    fn every_shape_runs_as_it_reads() {
        let s = scheduler::Scheduler::new();
        assert_eq!(s.run_until_finished(all, ()), 6);
        assert_eq!(s.run_until_finished(shapes, ()), 4);
        assert_eq!(s.run_until_finished(racing, ()), 7);
        assert_eq!(s.run_until_finished(timed, ()), 3);
        assert_eq!(s.run_until_finished(scoped, ()), 148);
    }
}
