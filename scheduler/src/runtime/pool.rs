//! The work-stealing threads of `Scheduler::builder().threads(n)`.
//!
//! Parallel means parallel: no task waits behind another task's poll while a worker is idle.
//!
//! Each worker thread runs the `Send` tasks woken on it from its own `local` queue, a
//! lock-free `ConcurrentQueue` (FIFO): every other worker can take tasks from it at any time, also while the owner is in the middle of a long
//! poll. A push there while the owner runs wakes an idle worker to take it (one fence and
//! two loads when none is idle). Tasks that are *pinned* (queued by the free functions on
//! that thread, they may be `!Send`) never leave it: they wait in a plain `VecDeque` only
//! that worker sees, which also keeps their place among its `local` tasks: a worker runs its
//! own tasks in the order they were woken, pinned or not, less those others took.
//!
//! Work queued from other threads (`Scheduler`/`Handle` methods, which require `Send`) goes
//! to a global injector; a pinned task woken on another thread goes to its worker's `pinned`
//! queue. Idle workers park on a parker of their own, until a push wakes one of them or
//! their timer wheel's next deadline comes (`time/park.rs`): no thread spins while there is
//! nothing to do.
//!
//! A worker looks for work in this order: its own queues, its `pinned` queue from other
//! threads, the injector, then the other workers' `local` queues (half of one at a time);
//! once every [`FAIRNESS`] jobs it looks at the `pinned` queue and the injector first, so
//! that work from other threads is never starved.

use core::future::Future;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use core::task::Waker;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use async_task::{Runnable, ScheduleInfo};
use concurrent_queue::ConcurrentQueue;
use event_listener::{Event, listener};
use slab::Slab;

use super::reactor;
use super::registry::{self, Entry, Registered};
use crate::config::Config;
use crate::context::SchedulerGuard;
use crate::lock::lock;
use crate::names::TaskName;
use crate::reason::Reason;
use crate::stats::{Ended, RUNNING_BITS, RUNNING_REGISTERED, SharedCounters, Stats};
use crate::task::{self, Meta, Polled, Schedule, TaskHandle};
use crate::time::Wheel;

mod worker;

use worker::work;
pub(crate) use worker::{Worker, with_worker};

/// The most tasks a worker moves from the injector to its `local` queue at once, besides the
/// one it runs.
const INJECTOR_BATCH: usize = 128;

/// A worker looks at its `pinned` queue and the injector first once every this many jobs.
const FAIRNESS: u32 = 61;

/// How many jobs a worker runs before it lets the reactor look for due timers and I/O.
const REACTOR_BUDGET: u32 = 128;

/// One worker's queues that other threads reach.
struct Slot {
    /// The `Send` tasks woken on this worker's thread: it pushes and pops here, and other
    /// workers steal from here whenever they have none.
    local: ConcurrentQueue<Runnable<Meta>>,
    /// Tasks that must stay on this worker's thread (maybe `!Send`), woken on other threads.
    pinned: ConcurrentQueue<Runnable<Meta>>,
    /// Wakes this worker when it parks.
    wake: Event,
    /// The real-time timers of the tasks polled on this worker (`time/wheel.rs`): fired by
    /// it, or by an idle worker while it is busy in a long poll.
    timers: Arc<Wheel>,
    /// Set by `wake_one_idle` when it wakes this worker to search (counted in `searching`).
    woken_to_search: AtomicBool,
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
    /// Tasks that have paused and have not ended, in one part per worker and a last part for
    /// other threads (see [`RegistryPart`]).
    registry: Box<[RegistryPart]>,
    /// Tasks queued and not yet finished; `all_done` is notified when it drops to zero.
    live: CacheLine<AtomicUsize>,
    all_done: Event,
    /// Set when the `Scheduler` is dropped: workers stop, new work is refused.
    pub(crate) closed: AtomicBool,
    /// `Handle`s queuing a task right now (see `reactor::close`).
    pub(crate) queuing: AtomicUsize,
    /// Each worker's counters for `stats()`, by index: only that worker bumps them.
    counters: Box<[SharedCounters]>,
    /// The counters of tasks that end on other threads (cancelled as the pool is dropped).
    pub(crate) other_counters: SharedCounters,
    /// Set when one of the pool's own tasks dropped it: the names of the tasks cancelled so
    /// far, for the worker that ran it, which finishes the shutdown (see `Pool::shut_down`).
    left_to_worker: Mutex<Option<Vec<TaskName>>>,
}

/// `Meta::home_slot` of a task any worker may run; any other value is the index of the
/// worker a pinned task stays on.
const ANYWHERE: u32 = u32::MAX;

/// The worker the task `meta` is pinned to, if it is pinned (it may be `!Send`).
#[inline]
pub(crate) fn pinned_to(meta: &Meta) -> Option<usize> {
    let slot = meta.home_slot();
    (slot != ANYWHERE).then_some(slot as usize)
}

impl PoolShared {
    /// This thread's worker index, when it is one of this pool's workers.
    fn current_worker(&self) -> Option<usize> {
        with_worker(|worker| worker.of(self).then_some(worker.index)).flatten()
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
        unsafe { task::spawn::<PoolShared, F>(name, self.clone(), ANYWHERE, future) }
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
        let worker = u32::try_from(index)
            .ok()
            .filter(|&index| index != ANYWHERE)
            .expect("fewer than 4 billion workers");
        // SAFETY: `future` is `'static`. The task may be `!Send`: we are on worker `index`
        // (caller's promise), and its `Runnable` only travels through `slots[index].pinned`
        // and the worker's own `order` queue, which only worker `index` pops
        // (`Worker::find_work` runs it, `Worker::shut_down` cancels it there;
        // `Worker::push_ready` never puts a pinned task in the stealable `local` queue).
        unsafe { task::spawn::<PoolShared, F>(name, self.clone(), worker, future) }
    }

    /// Records a task at its first pause; returns its key.
    pub(crate) fn register(&self, meta: &Meta, waker: Waker) -> usize {
        let here = self.current_worker();
        let part = here.unwrap_or(self.slots.len());
        let key = lock(&self.registry[part].0).insert(Entry::new(meta, waker));
        key * self.registry.len() + part
    }

    /// Forgets a started task whose state was dropped.
    pub(crate) fn deregister(&self, key: usize) {
        let parts = self.registry.len();
        let entry = lock(&self.registry[key % parts].0).try_remove(key / parts);
        drop(entry); // Dropping the waker may queue the task: after the lock is released.
    }

    /// `count` queued tasks reached their end (finished, panicked, cancelled or dropped)
    /// and their handles show it (a worker counts those of a job once the job returns: see
    /// `Worker::run_job`); returns whether they were the last ones, so that the caller
    /// tells `run()`.
    pub(crate) fn tasks_ended(&self, count: usize) -> bool {
        self.live.fetch_sub(count, Ordering::SeqCst) == count
    }

    /// Wakes `run()` callers: no task is left.
    pub(crate) fn notify_all_done(&self) {
        self.all_done.notify(usize::MAX);
    }

    /// Where every unfinished task is (see `dump.rs`), from any thread.
    pub(crate) fn dump(&self) -> crate::dump::Section {
        let threads = self.slots.len();
        let mut section = crate::dump::Section::new(if threads == 1 {
            "a pool of 1 thread".to_string()
        } else {
            format!("a pool of {threads} threads")
        });
        // The tasks the workers poll now, by their headers' addresses: a cell keeps only
        // whether its task is paused or ready (a poll stores nothing in it as it starts).
        let running: Vec<usize> = self
            .counters
            .iter()
            .map(|c| c.running.load(Ordering::Relaxed) & !RUNNING_BITS)
            .filter(|&address| address != 0)
            .collect();
        for part in self.registry.iter() {
            let part = lock(&part.0);
            for (_, entry) in part.iter() {
                // The header outlives the entry, which its task removes under this lock.
                let mut snapshot = entry.meta().stack.read();
                if running.contains(&entry.meta().address()) {
                    snapshot.state = crate::stack::TaskState::Running;
                }
                section.task(entry.name(), snapshot);
            }
        }
        let queued = self.stats().queued;
        if queued > 0 {
            section.note(format!(
                "tasks that have not paused yet are not listed: {queued} queued jobs, some \
                 of them maybe tasks listed here that were woken"
            ));
        }
        section
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
                .map(|slot| slot.local.len() + slot.pinned.len())
                .sum::<usize>();
        let started: usize = self.registry.iter().map(|part| lock(&part.0).len()).sum();
        let running_registered = self
            .counters
            .iter()
            .filter(|c| c.running.load(Ordering::Relaxed) & RUNNING_BITS == RUNNING_REGISTERED)
            .count();
        // Between the loads a task may pause or end: never report fewer than none.
        stats.paused = started.saturating_sub(running_registered);
        stats
    }
}

/// Queues a task that became ready on this thread's own queue, when this thread is a worker
/// of `pool` (worker `pinned`, for a pinned task): idle workers may take a `Send` one from
/// there at once. Gives it back otherwise. Only `pool`'s address is used: the task
/// may be queued away, and run and freed elsewhere, before this returns.
#[inline]
pub(crate) fn push_here(
    pool: *const PoolShared,
    pinned: Option<usize>,
    runnable: Runnable<Meta>,
) -> Option<Runnable<Meta>> {
    let mut runnable = Some(runnable);
    with_worker(|worker| {
        if core::ptr::eq(Arc::as_ptr(&worker.pool), pool)
            && pinned.is_none_or(|index| index == worker.index)
        {
            worker.push_ready(runnable.take().expect("not taken yet"));
        }
    });
    runnable
}

/// The started tasks pinned to worker `pinned` (or, for `None`, the ones pinned nowhere).
fn registered_tasks(pool: &PoolShared, pinned: Option<usize>) -> Registered {
    let mut registered = Registered::default();
    for part in pool.registry.iter() {
        let mut part = lock(&part.0);
        part.iter_mut()
            .filter(|(_, e)| pinned_to(e.meta()) == pinned)
            .for_each(|(_, entry)| registered.take(entry));
    }
    registered
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
        let epoch = std::time::Instant::now();
        let shared = Arc::new(PoolShared {
            config,
            injector: ConcurrentQueue::unbounded(),
            slots: (0..threads)
                .map(|_| Slot {
                    local: ConcurrentQueue::unbounded(),
                    pinned: ConcurrentQueue::unbounded(),
                    wake: Event::new(),
                    timers: Arc::new(Wheel::with_origin(epoch)),
                    woken_to_search: AtomicBool::new(false),
                })
                .collect(),
            idle: Mutex::new(Vec::with_capacity(threads)),
            idle_count: CacheLine(AtomicUsize::new(0)),
            searching: CacheLine(AtomicUsize::new(0)),
            registry: (0..=threads)
                .map(|_| CacheLine(Mutex::new(Slab::new())))
                .collect(),
            live: CacheLine(AtomicUsize::new(0)),
            all_done: Event::new(),
            closed: AtomicBool::new(false),
            queuing: AtomicUsize::new(0),
            counters: (0..threads).map(|_| SharedCounters::default()).collect(),
            other_counters: SharedCounters::default(),
            left_to_worker: Mutex::new(None),
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

    /// Stops the workers, cancels every task left and names them on stderr.
    ///
    /// Dropped by one of its own tasks (the last `Arc<Scheduler<MultiThread>>` let go in a
    /// task), the pool cannot wait here for the worker running that task, which is this
    /// thread: it joins the others, and that worker finishes the shutdown once the task's
    /// poll returns (see `worker::work`), and says what it cancelled.
    pub(crate) fn shut_down(&mut self) {
        let shared = self.shared.clone();
        reactor::close(&shared.closed, &shared.queuing);
        for slot in shared.slots.iter() {
            slot.wake.notify(usize::MAX);
        }
        let this_thread = std::thread::current().id();
        let mut names = Vec::new();
        let mut on_a_worker = false;
        for thread in self.threads.drain(..) {
            if thread.thread().id() == this_thread {
                on_a_worker = true; // not joined: it ends on its own, after this
                continue;
            }
            match thread.join() {
                Ok(pinned) => names.extend(pinned),
                Err(_) => crate::stderr::say(format_args!(
                    "a scheduler worker thread panicked while shutting down"
                )),
            }
        }
        if on_a_worker {
            lock(&shared.left_to_worker)
                .get_or_insert_with(Vec::new)
                .extend(names);
            return;
        }
        shared.cancel_send_tasks(names);
    }
}

impl PoolShared {
    /// Cancels the `Send` tasks left once the workers stopped (queued or started), from the
    /// thread that closes the pool, and names on stderr every task the pool cancelled, the
    /// workers' pinned ones (`pinned`, cancelled by then) and these, before it cancels these.
    pub(crate) fn cancel_send_tasks(self: &Arc<Self>, pinned: Vec<TaskName>) {
        let _entered = SchedulerGuard::enter(self.config, true);
        let _hidden = (super::local::hide(), worker::hide());
        // Each worker handed its `local` tasks over to the injector as it stopped; take
        // what may be left in those queues all the same. Started tasks come back through
        // the injector once woken: no worker runs.
        let next = || {
            self.injector
                .pop()
                .ok()
                .or_else(|| self.slots.iter().find_map(|slot| slot.local.pop().ok()))
        };
        registry::cancel_all(
            registered_tasks(self, None),
            next,
            || started_left(self, None),
            |names| crate::report::dropped_with(&[pinned, names].concat()),
        );
        // Timers left are those of sleeps kept outside a task: they move to another clock.
        for slot in self.slots.iter() {
            slot.timers.close();
        }
    }
}

/// Whether a started task pinned to worker `pinned_to` (or, for `None`, pinned nowhere) is
/// still in the registry.
fn started_left(pool: &PoolShared, pinned: Option<usize>) -> bool {
    pool.registry.iter().any(|part| {
        lock(&part.0)
            .iter()
            .any(|(_, e)| pinned_to(e.meta()) == pinned)
    })
}

impl Schedule for PoolShared {
    const STATES: bool = true;

    type Home = PoolShared;

    /// Queues a woken task on its pool: on this thread's own queue when this thread is a
    /// worker that may run it, else from elsewhere (see `push_from_elsewhere`).
    #[inline]
    fn schedule(runnable: Runnable<Meta>, _info: ScheduleInfo) {
        let meta = runnable.metadata();
        meta.stack.mark_ready();
        let pinned = pinned_to(meta);
        // SAFETY: a task of this flavour was made with an `Arc<PoolShared>` (`task::spawn`).
        let pool: *const PoolShared = unsafe { meta.home::<PoolShared>() };
        let Some(runnable) = push_here(pool, pinned, runnable) else {
            return;
        };
        // SAFETY: as above.
        let pool = unsafe { runnable.metadata().keep_home_alive::<PoolShared>() };
        crate::test_hooks::reached!(ForeignWakeBeforePush);
        pool.push_from_elsewhere(pinned, runnable);
    }

    #[inline]
    fn register(meta: &Meta, waker: Waker) -> Option<usize> {
        // SAFETY: as in `schedule`.
        let pool = unsafe { meta.home::<PoolShared>() };
        Some(pool.register(meta, waker))
    }

    #[inline]
    fn paused(meta: &Meta, _key: usize, _reason: Option<Reason>, (task, elapsed): Polled) {
        // SAFETY: as in `schedule`.
        let pool = unsafe { meta.home::<PoolShared>() };
        let on_worker = with_worker(|worker| {
            if worker.of(pool) {
                worker.note_polled(task, elapsed);
                return true;
            }
            false
        });
        if on_worker != Some(true) {
            pool.other_counters
                .polled(task, elapsed, pool.config.measure_poll_time);
        }
    }

    #[inline]
    fn ended(meta: &Meta, key: Option<usize>, how: Ended, polled: Option<Polled>) {
        // SAFETY: as in `schedule`.
        let pool = unsafe { meta.home::<PoolShared>() };
        let on_worker = with_worker(|worker| {
            if !worker.of(pool) {
                return false;
            }
            if let Some((task, elapsed)) = polled {
                worker.note_polled(task, elapsed);
            }
            if let Some(key) = key {
                pool.deregister(key);
            }
            worker.counters().ended(how);
            worker.task_ended();
            true
        });
        if on_worker == Some(true) {
            return;
        }
        // On the thread closing the pool (or one that drops the task's last reference).
        if let Some((task, elapsed)) = polled {
            pool.other_counters
                .polled(task, elapsed, pool.config.measure_poll_time);
        }
        if let Some(key) = key {
            pool.deregister(key);
        }
        pool.other_counters.ended(how);
        if pool.tasks_ended(1) {
            pool.notify_all_done();
        }
    }
}
