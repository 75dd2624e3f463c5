//! The work-stealing threads of `Scheduler::builder().threads(n)`.
//!
//! Each worker thread has a bounded queue that others may steal from, and a queue of
//! *pinned* tasks that never leave it: the ones queued by the free functions on that thread,
//! which may be `!Send` (the free functions cannot know which kind of scheduler is current).
//! Work queued from outside (`Scheduler`/`Handle` methods, which require `Send`) goes to a
//! global injector. Idle workers park on the async-io reactor (one of them drives timers and
//! I/O) until a push wakes one of them: no thread spins while there is nothing to do.
//!
//! A worker looks for work in this order: its pinned queue, its own queue, the injector
//! (first, once every [`FAIRNESS`] jobs, so that injected work is never starved), then the
//! other workers' queues.

use core::future::Future;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use core::task::Waker;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use async_task::Runnable;
use concurrent_queue::{ConcurrentQueue, PushError};
use event_listener::{Event, listener};
use slab::Slab;

use crate::config::Config;
use crate::context::{self, Current, SchedulerGuard};
use crate::names::TaskName;
use crate::stats::{SharedCounters, Stats};
use crate::task::{self, Meta};
use crate::task_handle::TaskHandle;

/// How many tasks a worker's stealable queue holds before it overflows to the injector.
const LOCAL_CAPACITY: usize = 256;

/// A worker takes from the injector first once every this many jobs.
const FAIRNESS: u32 = 61;

/// How many jobs a worker runs before it lets the reactor look for due timers and I/O.
const REACTOR_BUDGET: u32 = 128;

thread_local! {
    /// The pool this thread works for (its address) and the worker's index.
    static WORKER: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// One worker's queues, reachable from every thread.
struct Slot {
    /// `Send` tasks that became ready on this worker; other workers steal from here.
    stealable: ConcurrentQueue<Runnable<Meta>>,
    /// Tasks that must stay on this worker's thread (maybe `!Send`).
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

/// The state every worker, waker and `Handle` of a pool shares.
pub(crate) struct PoolShared {
    pub(crate) config: Config,
    injector: ConcurrentQueue<Runnable<Meta>>,
    slots: Box<[Slot]>,
    /// Workers parked (or about to park), by index. `idle_count` mirrors its length so that
    /// a push can skip the lock when no worker is idle.
    idle: Mutex<Vec<usize>>,
    idle_count: AtomicUsize,
    /// Workers woken to look for work that have not found any yet.
    searching: AtomicUsize,
    /// Tasks that have been polled and have not finished.
    registry: Mutex<Slab<Entry>>,
    /// Tasks queued and not yet finished; `all_done` is notified when it drops to zero.
    live: AtomicUsize,
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
        let me = self as *const PoolShared as usize;
        match WORKER.try_with(Cell::get).ok().flatten() {
            Some((pool, index)) if pool == me => Some(index),
            _ => None,
        }
    }

    /// Queues a `Send` task that became ready: on this worker's own queue when a worker of
    /// ours woke it, else on the injector; then wakes an idle worker to take it.
    ///
    /// A worker that wakes its own task (a yield, a message between two of its tasks) will
    /// run it soon itself: it wakes another worker only once it has more than that one task
    /// queued, or itself when it is parked (its reactor fired the wake-up).
    fn schedule(&self, runnable: Runnable<Meta>) {
        let me: *const PoolShared = self;
        let here = context::with_scheduler(|current| match current {
            Some(Current::Worker(worker)) if Arc::as_ptr(&worker.pool) == me => {
                Some((worker.index, worker.parked.get()))
            }
            _ => None,
        });
        if let Some((index, parked)) = here {
            let slot = &self.slots[index];
            match slot.stealable.push(runnable) {
                Ok(()) if parked => {
                    slot.wake.notify(1);
                }
                Ok(()) if slot.stealable.len() > 1 => self.wake_one_idle(),
                Ok(()) => {}
                Err(PushError::Full(runnable) | PushError::Closed(runnable)) => {
                    let _ = self.injector.push(runnable);
                    self.wake_one_idle();
                }
            }
        } else {
            let _ = self.injector.push(runnable);
            self.wake_one_idle();
        }
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
        let pool = self.clone();
        // SAFETY: `future` and its output are `Send`, so the task may run and be dropped on
        // any thread. If `future` is not `'static`, the caller keeps what it borrows alive
        // until the task is done.
        unsafe { task::spawn(name, false, future, move |runnable| pool.schedule(runnable)) }
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
        let pool = self.clone();
        let schedule = move |runnable| {
            // On the worker's own thread: its own queue, with no atomics.
            let runnable = context::with_scheduler(|current| match current {
                Some(Current::Worker(worker))
                    if worker.index == index && Arc::ptr_eq(&worker.pool, &pool) =>
                {
                    worker.pinned_here.borrow_mut().push_back(runnable);
                    // Parked, it drives the reactor, whose timers and I/O wake tasks here.
                    if worker.parked.get() {
                        pool.slots[index].wake.notify(1);
                    }
                    None
                }
                _ => Some(runnable),
            });
            if let Some(runnable) = runnable {
                let slot = &pool.slots[index];
                let _ = slot.pinned.push(runnable);
                slot.wake.notify(1);
            }
        };
        // SAFETY: `future` is `'static`. The task may be `!Send`: we are on worker `index`
        // (caller's promise), and its `Runnable` only travels through `slots[index].pinned`
        // and the worker's own `pinned_here`, which only worker `index` pops
        // (`Worker::find_work` runs it, `Worker::shut_down` cancels it there).
        unsafe { task::spawn(name, true, future, schedule) }
    }

    /// Records a task's first poll; returns its key.
    pub(crate) fn register(&self, meta: &Meta, waker: Waker) -> usize {
        let pinned_to = if meta.pinned {
            self.current_worker()
        } else {
            None
        };
        lock(&self.registry).insert(Entry {
            name: meta.name,
            meta: meta.address(),
            waker,
            pinned_to,
        })
    }

    /// Forgets a started task whose state was dropped.
    pub(crate) fn deregister(&self, key: usize) {
        let entry = lock(&self.registry).try_remove(key);
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
        stats.paused = lock(&self.registry).len().saturating_sub(stats.running);
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
    /// Pinned tasks woken on this worker's own thread (no atomics).
    pinned_here: RefCell<VecDeque<Runnable<Meta>>>,
    /// Set while this worker is parked.
    parked: Cell<bool>,
}

impl Worker {
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

    /// The next task to run, if there is one anywhere this worker may take it from.
    fn find_work(&self) -> Option<Runnable<Meta>> {
        let pool = &self.pool;
        let slot = &pool.slots[self.index];
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks % FAIRNESS == 0 {
            if let Ok(runnable) = pool.injector.pop() {
                return Some(runnable);
            }
        }
        if let Some(runnable) = self.pinned_here.borrow_mut().pop_front() {
            return Some(runnable);
        }
        if let Ok(runnable) = slot.pinned.pop() {
            return Some(runnable);
        }
        if let Ok(runnable) = slot.stealable.pop() {
            return Some(runnable);
        }
        if let Ok(runnable) = pool.injector.pop() {
            // Take a batch along, so that the injector is not touched once per task.
            let batch = pool.injector.len().min(LOCAL_CAPACITY / 2) / 2;
            for _ in 0..batch {
                match pool.injector.pop() {
                    Ok(more) => {
                        if let Err(PushError::Full(more) | PushError::Closed(more)) =
                            slot.stealable.push(more)
                        {
                            let _ = pool.injector.push(more);
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
            return Some(runnable);
        }
        self.steal()
    }

    /// Takes half of another worker's queue, starting from the next worker.
    fn steal(&self) -> Option<Runnable<Meta>> {
        let pool = &self.pool;
        let count = pool.slots.len();
        let mine = &pool.slots[self.index].stealable;
        for offset in 1..count {
            let victim = &pool.slots[(self.index + offset) % count].stealable;
            let Ok(first) = victim.pop() else { continue };
            for _ in 0..victim.len() / 2 {
                match victim.pop() {
                    Ok(more) => {
                        if let Err(PushError::Full(more) | PushError::Closed(more)) =
                            mine.push(more)
                        {
                            let _ = pool.injector.push(more);
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
            return Some(first);
        }
        None
    }

    /// This worker's counters, for `stats()`.
    #[inline]
    pub(crate) fn counters(&self) -> &SharedCounters {
        &self.pool.counters[self.index]
    }

    /// Runs one job; once it has returned (so its handle shows it finished), tells `run()`
    /// when it was the last task.
    #[inline]
    fn run_job(&self, runnable: Runnable<Meta>) {
        let running = &self.counters().running;
        running.store(true, Ordering::Relaxed);
        runnable.run();
        running.store(false, Ordering::Relaxed);
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
        loop {
            if pool.closed.load(Ordering::Acquire) {
                return;
            }
            if let Some(runnable) = self.find_work() {
                if searching {
                    searching = false;
                    self.stop_searching(true);
                }
                self.run_job(runnable);
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
                self.run_job(runnable);
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
        let (mut names, registered, wakers) = registered_tasks(pool, Some(self.index));
        let mut queued = Vec::new();
        let here: Vec<_> = self.pinned_here.borrow_mut().drain(..).collect();
        let from_elsewhere = core::iter::from_fn(|| slot.pinned.pop().ok());
        for runnable in from_elsewhere.chain(here) {
            if !registered.contains(&runnable.metadata().address()) {
                names.push(runnable.metadata().name);
            }
            queued.push(runnable);
        }
        for waker in wakers {
            waker.wake(); // back into `slot.pinned`
        }
        for runnable in queued {
            cancel(runnable);
        }
        loop {
            let next = self.pinned_here.borrow_mut().pop_front();
            match next.or_else(|| slot.pinned.pop().ok()) {
                Some(runnable) => cancel(runnable),
                None => break,
            }
        }
        names
    }
}

/// The started tasks pinned to worker `pinned_to` (or, for `None`, the ones pinned nowhere):
/// their names, their headers' addresses, and their wakers.
fn registered_tasks(
    pool: &PoolShared,
    pinned_to: Option<usize>,
) -> (Vec<TaskName>, HashSet<usize>, Vec<Waker>) {
    let registry = lock(&pool.registry);
    let mine = || {
        registry
            .iter()
            .map(|(_, e)| e)
            .filter(|e| e.pinned_to == pinned_to)
    };
    (
        mine().map(|e| e.name).collect(),
        mine().map(|e| e.meta).collect(),
        mine().map(|e| e.waker.clone()).collect(),
    )
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
            idle_count: AtomicUsize::new(0),
            searching: AtomicUsize::new(0),
            registry: Mutex::new(Slab::new()),
            live: AtomicUsize::new(0),
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
        pinned_here: RefCell::new(VecDeque::new()),
        parked: Cell::new(false),
    });
    WORKER.with(|w| w.set(Some((Arc::as_ptr(&pool) as usize, index))));
    let _entered = SchedulerGuard::enter(Current::Worker(worker.clone()));
    crate::local::block_on(worker.run());
    worker.shut_down()
}
