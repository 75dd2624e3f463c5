//! The work-stealing threads of `Scheduler::builder().threads(n)`.
//!
//! Each worker thread runs the tasks woken on it from its own `ready` queue, a plain
//! `VecDeque` (no atomics, no lock: only that thread touches it). Some of those tasks are
//! *pinned*: queued by the free functions on that thread, they may be `!Send` and never
//! leave it. The others are shared out: between two jobs, a worker whose `ready` queue holds
//! more than one task while another worker is idle or searching moves half of its `Send`
//! tasks to its `stealable` queue and wakes an idle worker, which takes them. Sharing only
//! between jobs keeps the order promise: a task queued by a running task never starts before
//! that task's next pause, on any worker.
//!
//! Work queued from other threads (`Scheduler`/`Handle` methods, which require `Send`) goes
//! to a global injector; a pinned task woken on another thread goes to its worker's `pinned`
//! queue. Idle workers park on the async-io reactor (one of them drives timers and I/O)
//! until a push wakes one of them: no thread spins while there is nothing to do.
//!
//! A worker looks for work in this order: its `ready` queue, its `pinned` queue, the tasks
//! it shared that nobody took, the injector, then the other workers' `stealable` queues;
//! once every [`FAIRNESS`] jobs it looks at the `pinned` queue and the injector first, so
//! that work from other threads is never starved.

use core::future::Future;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use core::task::Waker;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use async_task::Runnable;
use concurrent_queue::{ConcurrentQueue, PushError};
use event_listener::{Event, listener};
use slab::Slab;

use crate::config::Config;
use crate::context::{self, Current, SchedulerGuard};
use crate::home::Home;
use crate::names::TaskName;
use crate::stats::{NOT_RUNNING, RUNNING, RUNNING_STARTED, SharedCounters, Stats};
use crate::task::{self, Meta};
use crate::task_handle::TaskHandle;

/// How many tasks a worker's stealable queue holds before sharing overflows to the injector.
const LOCAL_CAPACITY: usize = 256;

/// A worker looks at its `pinned` queue and the injector first once every this many jobs.
const FAIRNESS: u32 = 61;

/// How many jobs a worker runs before it lets the reactor look for due timers and I/O.
const REACTOR_BUDGET: u32 = 128;

/// One worker's queues that other threads reach.
struct Slot {
    /// `Send` tasks this worker shared out; idle workers take them from here.
    stealable: ConcurrentQueue<Runnable<Meta>>,
    /// Tasks that must stay on this worker's thread (maybe `!Send`), woken on other threads.
    pinned: ConcurrentQueue<Runnable<Meta>>,
    /// Wakes this worker when it parks.
    wake: Event,
    /// Set by `wake_one_idle` when it wakes this worker to search (counted in `searching`).
    woken_to_search: AtomicBool,
}

/// A started task, as the registry knows it.
struct Entry {
    name: TaskName,
    /// The task header's address, to tell it from a queued copy of itself.
    meta: usize,
    waker: Waker,
    /// The worker a pinned task must run (and be dropped) on.
    pinned_to: Option<usize>,
}

/// The started tasks that first paused on one worker (or, in the last part, on other
/// threads). A task is recorded in the part of the thread it first pauses on and leaves it
/// from wherever it ends: so workers that start and end tasks take different locks, and the one
/// a task ends on is usually its own. Its key says which part: `slab key * parts + part`.
type RegistryPart = CacheLine<Mutex<Slab<Entry>>>;

/// A value alone in its cache line (128 bytes: two lines, as adjacent-line prefetchers pull
/// pairs), so that writing it never slows down a thread that reads its neighbours.
#[repr(align(128))]
struct CacheLine<T>(T);

impl<T> core::ops::Deref for CacheLine<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The state every worker, waker and `Handle` of a pool shares.
pub(crate) struct PoolShared {
    pub(crate) config: Config,
    injector: ConcurrentQueue<Runnable<Meta>>,
    slots: Box<[Slot]>,
    /// Workers parked (or about to park), by index. `idle_count` mirrors its length so that
    /// a push can skip the lock when no worker is idle.
    idle: Mutex<Vec<usize>>,
    idle_count: CacheLine<AtomicUsize>,
    /// Workers woken to look for work that have not found any yet.
    searching: CacheLine<AtomicUsize>,
    /// Workers that found a task since they last found none.
    busy: CacheLine<AtomicUsize>,
    /// Tasks that have paused and have not ended, in one part per worker and a last part for
    /// other threads (see [`RegistryPart`]).
    registry: Box<[RegistryPart]>,
    /// Tasks queued and not yet finished; `all_done` is notified when it drops to zero.
    live: CacheLine<AtomicUsize>,
    all_done: Event,
    /// Set when the `Scheduler` is dropped: workers stop, new work is refused.
    pub(crate) closed: AtomicBool,
    /// `Handle`s queuing a task right now (see `local::close`).
    pub(crate) queuing: AtomicUsize,
    /// Each worker's counters for `stats()`, by index: only that worker bumps them.
    counters: Box<[SharedCounters]>,
    /// The counters of tasks that end on other threads (cancelled as the pool is dropped).
    pub(crate) other_counters: SharedCounters,
}

/// Locks `mutex`, ignoring poisoning: no code panics while holding these locks.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl PoolShared {
    /// This thread's worker index, when it is one of this pool's workers.
    fn current_worker(&self) -> Option<usize> {
        context::with_worker(|worker| worker.of(self).then_some(worker.index)).flatten()
    }

    /// Queues a task that became ready on this thread's own queue, when this thread is a
    /// worker of this pool (worker `pinned`, for a pinned task): a worker shares tasks out
    /// between jobs when others have none. Gives it back otherwise.
    pub(crate) fn try_push_here(
        &self,
        pinned: Option<usize>,
        runnable: Runnable<Meta>,
    ) -> Option<Runnable<Meta>> {
        push_here(self, pinned, runnable)
    }

    /// Queues a task woken on a thread that is not its worker: a pinned task on its worker's
    /// `pinned` queue, waking that worker; any other on the injector, waking an idle worker.
    pub(crate) fn push_from_elsewhere(&self, pinned: Option<usize>, runnable: Runnable<Meta>) {
        match pinned {
            Some(index) => {
                let slot = &self.slots[index];
                let _ = slot.pinned.push(runnable);
                slot.wake.notify(1);
            }
            None => {
                let _ = self.injector.push(runnable);
                self.wake_one_idle();
            }
        }
    }

    /// Whether some worker has no task to run (it is starting, searching, or parked), and so
    /// would take shared tasks. Not `idle_count`: a worker between two searches is in
    /// neither list, and a task kept from it then could wait behind a long poll.
    #[inline]
    fn wants_work(&self) -> bool {
        self.busy.load(Ordering::Relaxed) < self.slots.len()
    }

    /// Wakes one parked worker, if any is parked.
    ///
    /// Not while another worker is searching: it will find the job (a searcher checks every
    /// queue again before it parks), and waking one per push would wake them all for
    /// nothing.
    fn wake_one_idle(&self) {
        // Pairs with the fence in `Worker::run`: either the worker sees the new job when it
        // checks again, or we see it in the idle list (or searching) here.
        fence(Ordering::SeqCst);
        if self.searching.load(Ordering::SeqCst) > 0 || self.idle_count.load(Ordering::SeqCst) == 0
        {
            return;
        }
        let woken = {
            let mut idle = lock(&self.idle);
            let woken = idle.pop();
            self.idle_count.store(idle.len(), Ordering::SeqCst);
            if let Some(index) = woken {
                // It searches from now on: later pushes need not wake anyone else. Set under
                // the idle lock, where the worker reads it as it leaves the idle list, so the
                // count is always handed to a worker that will take it down.
                self.searching.fetch_add(1, Ordering::SeqCst);
                self.slots[index]
                    .woken_to_search
                    .store(true, Ordering::SeqCst);
            }
            woken
        };
        if let Some(index) = woken {
            self.slots[index].wake.notify(1);
        }
    }

    /// Queues a `Send` task on the pool from any thread.
    ///
    /// # Safety
    ///
    /// If `F` is not `'static`, the caller must not let anything it borrows go before the
    /// task has finished (see `Pool::run_until_finished`).
    pub(crate) unsafe fn spawn<'a, F>(
        self: &Arc<Self>,
        name: TaskName,
        future: F,
    ) -> TaskHandle<F::Output>
    where
        F: Future + Send + 'a,
        F::Output: Send + 'a,
    {
        self.live.fetch_add(1, Ordering::SeqCst);
        // SAFETY: `future` and its output are `Send`, so the task may run and be dropped on
        // any thread. If `future` is not `'static`, the caller keeps what it borrows alive
        // until the task is done.
        unsafe { task::spawn(name, Home::Pool(self.clone()), future) }
    }

    /// Queues a task that stays on worker `index` (the calling thread).
    ///
    /// # Safety
    ///
    /// Must be called on worker `index`'s thread: the task may be `!Send`.
    unsafe fn spawn_pinned<F>(
        self: &Arc<Self>,
        index: usize,
        name: TaskName,
        future: F,
    ) -> TaskHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.live.fetch_add(1, Ordering::SeqCst);
        let worker = u32::try_from(index).expect("fewer than 4 billion workers");
        // SAFETY: `future` is `'static`. The task may be `!Send`: we are on worker `index`
        // (caller's promise), and its `Runnable` only travels through `slots[index].pinned`
        // and the worker's own `ready` queue, which only worker `index` pops
        // (`Worker::find_work` runs it, `Worker::shut_down` cancels it there, and
        // `Worker::share` never moves a pinned task).
        unsafe { task::spawn(name, Home::Pinned(self.clone(), worker), future) }
    }

    /// Records a task at its first pause; returns its key.
    pub(crate) fn register(&self, meta: &Meta, waker: Waker) -> usize {
        let here = self.current_worker();
        let part = here.unwrap_or(self.slots.len());
        let key = lock(&self.registry[part].0).insert(Entry {
            name: meta.name,
            meta: meta.address(),
            waker,
            pinned_to: here.filter(|_| meta.pinned()),
        });
        key * self.registry.len() + part
    }

    /// Forgets a started task whose state was dropped.
    pub(crate) fn deregister(&self, key: usize) {
        let parts = self.registry.len();
        let entry = lock(&self.registry[key % parts].0).try_remove(key / parts);
        drop(entry); // Dropping the waker may queue the task: after the lock is released.
    }

    /// A queued task reached its end (finished, panicked, cancelled or dropped); returns
    /// whether it was the last one. The caller tells `run()` once the task's handle shows it
    /// finished, which is after the task's poll returns (see `Worker::run_job`).
    pub(crate) fn task_ended(&self) -> bool {
        self.live.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// Wakes `run()` callers: no task is left.
    pub(crate) fn notify_all_done(&self) {
        self.all_done.notify(usize::MAX);
    }

    /// A snapshot of the pool's tasks and counters (see [`Stats`]).
    pub(crate) fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        SharedCounters::fill(
            self.counters.iter().chain([&self.other_counters]),
            &mut stats,
        );
        stats.queued = self.injector.len()
            + self
                .slots
                .iter()
                .map(|slot| slot.stealable.len() + slot.pinned.len())
                .sum::<usize>();
        let started: usize = self.registry.iter().map(|part| lock(&part.0).len()).sum();
        let running_started = self
            .counters
            .iter()
            .filter(|c| c.running.load(Ordering::Relaxed) == RUNNING_STARTED)
            .count();
        // Between the loads a task may pause or end: never report fewer than none.
        stats.paused = started.saturating_sub(running_started);
        stats
    }
}

/// What a worker thread keeps for itself.
pub(crate) struct Worker {
    index: usize,
    pub(crate) pool: Arc<PoolShared>,
    ticks: Cell<u32>,
    /// Set when the job being run ended the pool's last task.
    pub(crate) ended_last: Cell<bool>,
    /// Tasks woken on this worker's own thread, pinned or not, in order (no atomics).
    ready: RefCell<VecDeque<Runnable<Meta>>>,
    /// How many tasks of `ready` are not pinned (may be shared with other workers).
    shareable: Cell<usize>,
    /// Set while this worker is parked.
    parked: Cell<bool>,
}

impl Worker {
    /// Whether this worker works for `pool`.
    #[inline]
    fn of(&self, pool: &PoolShared) -> bool {
        core::ptr::eq(Arc::as_ptr(&self.pool), pool)
    }

    /// Queues a task woken on this worker's thread.
    #[inline]
    fn push_ready(&self, runnable: Runnable<Meta>) {
        if !runnable.metadata().pinned() {
            self.shareable.set(self.shareable.get() + 1);
        }
        self.ready.borrow_mut().push_back(runnable);
        // Parked, it drives the reactor, whose timers and I/O wake tasks here.
        if self.parked.get() {
            self.pool.slots[self.index].wake.notify(1);
        }
    }

    /// Takes the next task of this worker's `ready` queue.
    #[inline]
    fn pop_ready(&self) -> Option<Runnable<Meta>> {
        let runnable = self.ready.borrow_mut().pop_front()?;
        if !runnable.metadata().pinned() {
            self.shareable.set(self.shareable.get() - 1);
        }
        Some(runnable)
    }

    /// Between two jobs: when this worker has more than one task ready, some of them `Send`,
    /// and another worker has none, moves half of its `Send` tasks (the newer ones) to its
    /// `stealable` queue and wakes an idle worker to take them (a worker that is not parked
    /// looks there before it parks).
    #[inline]
    fn share(&self) {
        let pool = &*self.pool;
        if self.shareable.get() == 0 || self.ready.borrow().len() < 2 || !pool.wants_work() {
            return;
        }
        let slot = &pool.slots[self.index];
        if !slot.stealable.is_empty() {
            return; // what was shared before has not been taken yet
        }
        self.share_half(pool, slot);
        pool.wake_one_idle();
    }

    /// Moves half of the `ready` queue's `Send` tasks (at least one, and never its last
    /// task), from the back, to `slot.stealable` (the injector once that is full); pinned
    /// tasks stay, in order.
    #[cold]
    fn share_half(&self, pool: &PoolShared, slot: &Slot) {
        let mut ready = self.ready.borrow_mut();
        let shareable = self.shareable.get();
        let mut to_move = shareable.div_ceil(2).min(ready.len() - 1);
        self.shareable.set(shareable - to_move);
        let mut kept = Vec::new();
        while to_move > 0 {
            let Some(runnable) = ready.pop_back() else {
                break;
            };
            if runnable.metadata().pinned() {
                kept.push(runnable);
                continue;
            }
            to_move -= 1;
            if let Err(PushError::Full(runnable) | PushError::Closed(runnable)) =
                slot.stealable.push(runnable)
            {
                let _ = pool.injector.push(runnable);
            }
        }
        ready.extend(kept.into_iter().rev());
    }

    /// Queues a task, maybe `!Send`, that stays on this worker.
    pub(crate) fn spawn_pinned<F>(&self, name: TaskName, future: F) -> TaskHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // SAFETY: a `Worker` is only reachable (through `Rc`, in this thread's context) on
        // its own thread.
        unsafe { self.pool.spawn_pinned(self.index, name, future) }
    }

    /// Queues a `Send` task that any worker may run.
    pub(crate) fn spawn_anywhere<F>(&self, name: TaskName, future: F) -> TaskHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // SAFETY: `future` is `'static`, so nothing it borrows can go before it ends.
        unsafe { self.pool.spawn(name, future) }
    }

    /// A task of this pool ended on this worker: `run()` is told once the job returns if it
    /// was the last.
    #[inline]
    pub(crate) fn task_ended(&self) {
        if self.pool.task_ended() {
            self.ended_last.set(true);
        }
    }

    /// The next task to run, if there is one anywhere this worker may take it from.
    #[inline]
    fn find_work(&self) -> Option<Runnable<Meta>> {
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks % FAIRNESS == 0
            && let Some(runnable) = self.take_from_other_threads()
        {
            return Some(runnable);
        }
        if let Some(runnable) = self.pop_ready() {
            return Some(runnable);
        }
        self.take_from_other_threads().or_else(|| self.steal())
    }

    /// A task from the queues other threads push to: this worker's `pinned` queue, what it
    /// shared and nobody took, the injector (with a batch of more taken along, so that the
    /// injector is not touched once per task).
    fn take_from_other_threads(&self) -> Option<Runnable<Meta>> {
        let pool = &*self.pool;
        let slot = &pool.slots[self.index];
        if let Ok(runnable) = slot.pinned.pop() {
            return Some(runnable);
        }
        if let Ok(runnable) = slot.stealable.pop() {
            return Some(runnable);
        }
        let runnable = pool.injector.pop().ok()?;
        self.take_batch(&pool.injector, pool.injector.len().min(LOCAL_CAPACITY) / 2);
        Some(runnable)
    }

    /// Moves up to `count` tasks from `queue` to this worker's `ready` queue.
    fn take_batch(&self, queue: &ConcurrentQueue<Runnable<Meta>>, count: usize) {
        if count == 0 {
            return;
        }
        let mut ready = self.ready.borrow_mut();
        for _ in 0..count {
            match queue.pop() {
                Ok(more) => {
                    // Only `Send` tasks are shared or injected.
                    self.shareable.set(self.shareable.get() + 1);
                    ready.push_back(more);
                }
                Err(_) => break,
            }
        }
    }

    /// Takes half of what another worker shared, starting from the next worker.
    fn steal(&self) -> Option<Runnable<Meta>> {
        let pool = &*self.pool;
        let count = pool.slots.len();
        for offset in 1..count {
            let victim = &pool.slots[(self.index + offset) % count].stealable;
            let Ok(first) = victim.pop() else { continue };
            self.take_batch(victim, victim.len().div_ceil(2));
            return Some(first);
        }
        None
    }

    /// This worker's counters, for `stats()`.
    #[inline]
    pub(crate) fn counters(&self) -> &SharedCounters {
        &self.pool.counters[self.index]
    }

    /// A poll of `task` on this worker ended, taking `elapsed` if the clock was read.
    #[inline]
    pub(crate) fn note_polled(&self, task: TaskName, elapsed: Option<Duration>) {
        self.counters()
            .polled(task, elapsed, self.pool.config.measure_poll_time);
    }

    /// Runs one job; once it has returned (so its handle shows it finished), tells `run()`
    /// when it was the last task.
    #[inline]
    fn run_job(&self, runnable: Runnable<Meta>) {
        let running = &self.counters().running;
        let started = runnable.metadata().started.load(Ordering::Relaxed);
        running.store(
            if started { RUNNING_STARTED } else { RUNNING },
            Ordering::Relaxed,
        );
        runnable.run();
        running.store(NOT_RUNNING, Ordering::Relaxed);
        if self.ended_last.replace(false) {
            self.pool.notify_all_done();
        }
    }

    /// The worker's loop: run what there is, park when there is nothing, stop when closed.
    async fn run(&self) {
        let pool = &self.pool;
        let slot = &pool.slots[self.index];
        let mut since_reactor = 0;
        let mut searching = false;
        let mut busy = false;
        loop {
            if pool.closed.load(Ordering::Acquire) {
                return;
            }
            if let Some(runnable) = self.find_work() {
                if searching {
                    searching = false;
                    self.stop_searching(true);
                }
                if !busy {
                    busy = true;
                    pool.busy.fetch_add(1, Ordering::Relaxed);
                }
                self.run_job(runnable);
                self.share();
                since_reactor += 1;
                if since_reactor >= REACTOR_BUDGET {
                    since_reactor = 0;
                    futures_lite::future::yield_now().await;
                }
                continue;
            }
            if searching {
                self.stop_searching(false);
            }
            if busy {
                busy = false;
                pool.busy.fetch_sub(1, Ordering::Relaxed);
            }
            listener!(slot.wake => woken);
            {
                let mut idle = lock(&pool.idle);
                idle.push(self.index);
                pool.idle_count.store(idle.len(), Ordering::SeqCst);
            }
            // Pairs with the fence in `PoolShared::wake_one_idle`.
            fence(Ordering::SeqCst);
            let found = if pool.closed.load(Ordering::Acquire) {
                None
            } else {
                self.find_work()
            };
            if found.is_none() && !pool.closed.load(Ordering::Acquire) {
                self.parked.set(true);
                woken.await;
                self.parked.set(false);
            }
            searching = {
                let mut idle = lock(&pool.idle);
                idle.retain(|&i| i != self.index);
                pool.idle_count.store(idle.len(), Ordering::SeqCst);
                // Under the idle lock: see `PoolShared::wake_one_idle`.
                slot.woken_to_search.swap(false, Ordering::SeqCst)
            };
            if let Some(runnable) = found {
                if searching {
                    searching = false;
                    self.stop_searching(true);
                }
                busy = true;
                pool.busy.fetch_add(1, Ordering::Relaxed);
                self.run_job(runnable);
                self.share();
            }
        }
    }

    /// This worker, woken to search, found work (`true`) or is about to park (`false`). The
    /// last searcher to find work wakes another worker, in case there is more.
    fn stop_searching(&self, found: bool) {
        let last = self.pool.searching.fetch_sub(1, Ordering::SeqCst) == 1;
        if found && last {
            self.pool.wake_one_idle();
        }
    }

    /// Cancels this worker's pinned tasks on its own thread (where they must be dropped) and
    /// returns their names. Called once the pool is closed.
    fn shut_down(&self) -> Vec<TaskName> {
        let pool = &self.pool;
        let slot = &pool.slots[self.index];
        self.hand_over_send_tasks();
        let (mut names, registered, wakers) = registered_tasks(pool, Some(self.index));
        let mut queued = Vec::new();
        let here: Vec<_> = self.ready.borrow_mut().drain(..).collect();
        let from_elsewhere = core::iter::from_fn(|| slot.pinned.pop().ok());
        for runnable in from_elsewhere.chain(here) {
            if !registered.contains(&runnable.metadata().address()) {
                names.push(runnable.metadata().name);
            }
            queued.push(runnable);
        }
        for waker in wakers {
            waker.wake(); // back into `ready`
        }
        for runnable in queued {
            cancel(runnable);
        }
        loop {
            // Dropping a task's state may wake others.
            self.hand_over_send_tasks();
            let next = self.pop_ready();
            match next.or_else(|| slot.pinned.pop().ok()) {
                Some(runnable) => cancel(runnable),
                None => break,
            }
        }
        names
    }

    /// Moves the `Send` tasks of this worker's `ready` queue to the injector, where the
    /// thread that drops the pool names and cancels them with the others.
    fn hand_over_send_tasks(&self) {
        let mut ready = self.ready.borrow_mut();
        let all: Vec<_> = ready.drain(..).collect();
        self.shareable.set(0);
        for runnable in all {
            if runnable.metadata().pinned() {
                ready.push_back(runnable);
            } else {
                let _ = self.pool.injector.push(runnable);
            }
        }
    }
}

/// Queues `runnable` on this thread's `ready` queue when this thread is a worker of `pool`
/// (worker `index`, if given); gives it back otherwise.
#[inline]
fn push_here(
    pool: &PoolShared,
    index: Option<usize>,
    runnable: Runnable<Meta>,
) -> Option<Runnable<Meta>> {
    let mut runnable = Some(runnable);
    context::with_worker(|worker| {
        if worker.of(pool) && index.is_none_or(|index| index == worker.index) {
            worker.push_ready(runnable.take().expect("not taken yet"));
        }
    });
    runnable
}

/// The started tasks pinned to worker `pinned_to` (or, for `None`, the ones pinned nowhere):
/// their names, their headers' addresses, and their wakers.
fn registered_tasks(
    pool: &PoolShared,
    pinned_to: Option<usize>,
) -> (Vec<TaskName>, HashSet<usize>, Vec<Waker>) {
    let (mut names, mut addresses, mut wakers) = (Vec::new(), HashSet::new(), Vec::new());
    for part in pool.registry.iter() {
        let part = lock(&part.0);
        for (_, entry) in part.iter().filter(|(_, e)| e.pinned_to == pinned_to) {
            names.push(entry.name);
            addresses.insert(entry.meta);
            wakers.push(entry.waker.clone());
        }
    }
    (names, addresses, wakers)
}

/// Runs a task one last time as cancelled: its state is dropped and its handle reports
/// `Cancelled`.
fn cancel(runnable: Runnable<Meta>) {
    runnable.metadata().cancelled.store(true, Ordering::Release);
    runnable.run();
}

/// A running pool: its shared state and its worker threads.
#[doc(hidden)]
pub struct Pool {
    pub(crate) shared: Arc<PoolShared>,
    threads: Vec<JoinHandle<Vec<TaskName>>>,
}

impl Pool {
    /// Starts `threads` workers (at least one).
    pub(crate) fn start(threads: usize, config: Config) -> Pool {
        let threads = threads.max(1);
        let shared = Arc::new(PoolShared {
            config,
            injector: ConcurrentQueue::unbounded(),
            slots: (0..threads)
                .map(|_| Slot {
                    stealable: ConcurrentQueue::bounded(LOCAL_CAPACITY),
                    pinned: ConcurrentQueue::unbounded(),
                    wake: Event::new(),
                    woken_to_search: AtomicBool::new(false),
                })
                .collect(),
            idle: Mutex::new(Vec::with_capacity(threads)),
            idle_count: CacheLine(AtomicUsize::new(0)),
            searching: CacheLine(AtomicUsize::new(0)),
            busy: CacheLine(AtomicUsize::new(0)),
            registry: (0..=threads)
                .map(|_| CacheLine(Mutex::new(Slab::new())))
                .collect(),
            live: CacheLine(AtomicUsize::new(0)),
            all_done: Event::new(),
            closed: AtomicBool::new(false),
            queuing: AtomicUsize::new(0),
            counters: (0..threads).map(|_| SharedCounters::default()).collect(),
            other_counters: SharedCounters::default(),
        });
        let threads = (0..threads)
            .map(|index| {
                let pool = shared.clone();
                std::thread::Builder::new()
                    .name(format!("scheduler-worker-{index}"))
                    .spawn(move || work(pool, index))
                    .expect("the OS could not start a scheduler worker thread")
            })
            .collect();
        Pool { shared, threads }
    }

    /// Runs `future` on the pool and blocks this thread until it is done.
    pub(crate) fn run_until_finished<F>(&self, name: TaskName, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        // SAFETY: we block below until the task has finished, so what `future` borrows
        // outlives it. Nothing between here and the end of `block_on` can unwind: the task's
        // own panic is caught inside it and comes back as a value, and the pool cannot be
        // dropped while we borrow it.
        let handle = unsafe { self.shared.spawn(name, future) };
        match futures_lite::future::block_on(handle) {
            Ok(value) => value,
            Err(crate::TaskError::Panicked { message, .. }) => {
                std::panic::resume_unwind(Box::new(message))
            }
            Err(error) => panic!("{error}"),
        }
    }

    /// Blocks until no task is left on the pool.
    pub(crate) fn run(&self) {
        let shared = &self.shared;
        futures_lite::future::block_on(async {
            loop {
                if shared.live.load(Ordering::SeqCst) == 0 {
                    return;
                }
                listener!(shared.all_done => done);
                if shared.live.load(Ordering::SeqCst) == 0 {
                    return;
                }
                done.await;
            }
        })
    }

    /// Stops the workers and cancels every task left; returns their names.
    pub(crate) fn shut_down(&mut self) -> Vec<TaskName> {
        let shared = self.shared.clone();
        crate::local::close(&shared.closed, &shared.queuing);
        for slot in shared.slots.iter() {
            slot.wake.notify(usize::MAX);
        }
        let mut names = Vec::new();
        for thread in self.threads.drain(..) {
            match thread.join() {
                Ok(pinned) => names.extend(pinned),
                Err(_) => eprintln!("a scheduler worker thread panicked while shutting down"),
            }
        }
        // The workers are gone: cancel the `Send` tasks that are left from here.
        let _entered = SchedulerGuard::enter(Current::Closing(shared.clone()));
        let (left, registered, wakers) = registered_tasks(&shared, None);
        names.extend(left);
        let mut queued = Vec::new();
        let queues =
            core::iter::once(&shared.injector).chain(shared.slots.iter().map(|s| &s.stealable));
        for queue in queues {
            while let Ok(runnable) = queue.pop() {
                if !registered.contains(&runnable.metadata().address()) {
                    names.push(runnable.metadata().name);
                }
                queued.push(runnable);
            }
        }
        for waker in wakers {
            waker.wake(); // into the injector: no worker is running
        }
        queued.into_iter().for_each(cancel);
        while let Ok(runnable) = shared.injector.pop() {
            cancel(runnable);
        }
        names
    }
}

/// A worker thread's body.
fn work(pool: Arc<PoolShared>, index: usize) -> Vec<TaskName> {
    let worker = Rc::new(Worker {
        index,
        pool: pool.clone(),
        ticks: Cell::new(0),
        ended_last: Cell::new(false),
        ready: RefCell::new(VecDeque::new()),
        shareable: Cell::new(0),
        parked: Cell::new(false),
    });
    let _entered = SchedulerGuard::enter(Current::Worker(worker.clone()));
    crate::local::block_on(worker.run());
    worker.shut_down()
}
