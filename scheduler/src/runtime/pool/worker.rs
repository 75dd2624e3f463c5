//! One worker thread of a pool: its own queues, where it looks for work, how it lets idle
//! workers take its tasks while it runs a poll, how it parks, and how it cancels its pinned
//! tasks when the pool closes. The pool's shared state is in `pool.rs`.

use core::future::Future;
use core::marker::PhantomData;
use core::sync::atomic::{Ordering, fence};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_task::Runnable;
use concurrent_queue::ConcurrentQueue;
use event_listener::listener;

use super::{
    FAIRNESS, INJECTOR_BATCH, PoolShared, REACTOR_BUDGET, pinned_to, registered_tasks, started_left,
};
use crate::context::SchedulerGuard;
use crate::lock::lock;
use crate::names::TaskName;
use crate::runtime::registry;
use crate::stats::{NOT_RUNNING, RUNNING, RUNNING_BITS, RUNNING_REGISTERED, SharedCounters};
use crate::task::{Meta, TaskHandle};
use crate::time::Wheel;

/// How late a busy worker's timers may be (it fires them between polls) before an idle
/// worker fires them instead.
const TIMERS_GRACE: Duration = Duration::from_millis(1);

thread_local! {
    /// The pool worker this thread is, while it works: a plain pointer for the pool's hot
    /// path (no destructor: it is there even at thread exit).
    static WORKER: Cell<*const Worker> = const { Cell::new(core::ptr::null()) };
}

/// Calls `f` with the pool worker this thread is, if it is one.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(&Worker) -> R) -> Option<R> {
    let worker = WORKER.with(Cell::get);
    if worker.is_null() {
        return None;
    }
    // SAFETY: `WORKER` is set by `work` to the `Worker` of an `Rc` it holds until after it
    // set `WORKER` back (the `Entered` guard), on this thread only.
    Some(f(unsafe { &*worker }))
}

/// Hides the worker this thread is (if it is one) until the guard drops: a pool closing
/// here cancels its tasks as no worker's.
pub(crate) fn hide() -> impl Drop {
    Entered {
        previous: WORKER.with(|w| w.replace(core::ptr::null())),
        _context: None,
        _worker: PhantomData,
    }
}

/// Makes a `Worker` this thread's running scheduler until it drops.
struct Entered<'a> {
    previous: *const Worker,
    /// The flavour-free part (dropped after `WORKER` is restored).
    _context: Option<SchedulerGuard>,
    _worker: PhantomData<&'a Worker>,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        WORKER.with(|w| w.set(self.previous));
    }
}

/// What a worker thread keeps for itself: `!Send` (see `_not_send`).
/// (`compile_fail` doctests on `__private::WorkerState` check it).
pub(crate) struct Worker {
    pub(super) index: usize,
    pub(crate) pool: Arc<PoolShared>,
    ticks: Cell<u32>,
    /// Set while a job runs: a task that ends then is counted off `live` only once the job
    /// returns, when its handle shows it finished (so `run()` never returns before that).
    in_job: Cell<bool>,
    /// Tasks that ended during the job being run.
    ended_in_job: Cell<usize>,
    /// The pinned tasks woken on this worker's thread (maybe `!Send`), and while one waits,
    /// where they stand among the `local` ones: seen by no other thread (no atomics). Empty
    /// when no pinned task waits, so that a worker with none pays one check per push.
    order: RefCell<VecDeque<Turn>>,
    /// Set while this worker is parked.
    parked: Cell<bool>,
    /// Set when tasks went into `local` while no idle worker was told (pushed while this
    /// worker was parked, or taken in a batch); the next job starts only after telling one.
    unannounced: Cell<bool>,
    /// Makes `Worker` `!Send` on purpose, not by the accident of a field's type: its `order`
    /// holds pinned tasks, maybe `!Send`, which only this thread may run or drop.
    _not_send: PhantomData<*const ()>,
}

/// One entry of a worker's `order`: so that its own tasks run in the order they were woken,
/// pinned or not (as on a single thread: `yield_now` lets every other ready task go first).
enum Turn {
    /// The next this many tasks of `local` (fewer if other workers took some meanwhile).
    Local(usize),
    /// A pinned task.
    Pinned(Runnable<Meta>),
}

impl Worker {
    /// The `Send` tasks woken on this worker's thread, in order (`Slot::local`): idle
    /// workers take from it at any time, also while this worker is running a poll.
    #[inline]
    fn local(&self) -> &ConcurrentQueue<Runnable<Meta>> {
        &self.pool.slots[self.index].local
    }

    /// Whether this worker works for `pool`.
    #[inline]
    pub(super) fn of(&self, pool: &PoolShared) -> bool {
        core::ptr::eq(Arc::as_ptr(&self.pool), pool)
    }

    /// Queues a task woken on this worker's thread: a pinned one on `order`, any other on
    /// `local`, where an idle worker may take it at once.
    ///
    /// Pushed while this worker runs (a poll, or between two), a `Send` task is announced
    /// at once: an idle worker is woken to take it, so it never waits behind the poll that
    /// queued it (`PoolShared::wake_one_idle`: its fence pairs with the one a worker makes
    /// before its last look, so either that worker sees the task or this push sees it idle).
    /// Pushed while this worker is parked (its reactor woke the task), the worker itself is
    /// woken, and it announces what is left in `local` before it runs the first job.
    #[inline]
    pub(super) fn push_ready(&self, runnable: Runnable<Meta>) {
        let parked = self.parked.get();
        if pinned_to(runnable.metadata()).is_some() {
            let mut order = self.order.borrow_mut();
            if order.is_empty() {
                // The `local` tasks queued so far go first.
                let before = self.local().len();
                if before > 0 {
                    order.push_back(Turn::Local(before));
                }
            }
            order.push_back(Turn::Pinned(runnable));
        } else {
            push(self.local(), runnable);
            let mut order = self.order.borrow_mut();
            if !order.is_empty() {
                match order.back_mut() {
                    Some(Turn::Local(count)) => *count += 1,
                    _ => order.push_back(Turn::Local(1)),
                }
            }
            drop(order);
            if parked {
                self.unannounced.set(true);
            } else {
                self.pool.wake_one_idle();
            }
        }
        // Parked, it drives the reactor, whose timers and I/O wake tasks here.
        if parked {
            self.pool.slots[self.index].wake.notify(1);
        }
    }

    /// Takes the next task this worker queued for itself, pinned or from `local`, in the
    /// order they were woken (less the ones other workers took).
    #[inline]
    fn pop_ready(&self) -> Option<Runnable<Meta>> {
        let mut order = self.order.borrow_mut();
        loop {
            match order.front_mut() {
                None => return self.local().pop().ok(),
                Some(Turn::Local(count)) => {
                    let next = self.local().pop().ok();
                    if next.is_some() && *count > 1 {
                        *count -= 1;
                    } else {
                        order.pop_front();
                    }
                    if next.is_some() {
                        return next;
                    }
                }
                Some(Turn::Pinned(_)) => {
                    let Some(Turn::Pinned(runnable)) = order.pop_front() else {
                        unreachable!("the front was a pinned task")
                    };
                    return Some(runnable);
                }
            }
        }
    }

    /// This worker's timer wheel.
    #[inline]
    pub(crate) fn timers(&self) -> &Arc<Wheel> {
        &self.pool.slots[self.index].timers
    }

    /// Fires the timers due on this worker's wheel, and on the wheel of every worker busy in
    /// a poll whose timers are more than [`TIMERS_GRACE`] late; returns how many fired.
    fn fire_timers(&self) -> usize {
        let mut fired = self.timers().fire_due();
        let mut now = None;
        for (index, slot) in self.pool.slots.iter().enumerate() {
            if index == self.index || !self.is_busy(index) {
                continue;
            }
            if let Some(due) = slot.timers.next_deadline()
                && due + TIMERS_GRACE <= *now.get_or_insert_with(Instant::now)
            {
                fired += slot.timers.fire_due();
            }
        }
        fired
    }

    /// Until when this worker may park: its next timer, or a busy worker's next timer plus
    /// [`TIMERS_GRACE`], whichever is first.
    fn park_until(&self) -> Option<Instant> {
        let mut until = self.timers().next_deadline();
        for (index, slot) in self.pool.slots.iter().enumerate() {
            if index == self.index || !self.is_busy(index) {
                continue;
            }
            if let Some(due) = slot.timers.next_deadline() {
                let late = due + TIMERS_GRACE;
                until = Some(until.map_or(late, |until| until.min(late)));
            }
        }
        until
    }

    /// Whether worker `index` is in the middle of a poll.
    #[inline]
    fn is_busy(&self, index: usize) -> bool {
        self.pool.counters[index].running.load(Ordering::Relaxed) != NOT_RUNNING
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

    /// A task of this pool ended on this worker. During a job it is counted off once the
    /// job returns (`run_job`); otherwise (a task dropped unrun) at once.
    #[inline]
    pub(crate) fn task_ended(&self) {
        if self.in_job.get() {
            self.ended_in_job.set(self.ended_in_job.get() + 1);
        } else if self.pool.tasks_ended(1) {
            self.pool.notify_all_done();
        }
    }

    /// The next task to run, if there is one anywhere this worker may take it from.
    #[inline]
    fn find_work(&self) -> Option<Runnable<Meta>> {
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks.is_multiple_of(FAIRNESS)
            && let Some(runnable) = self.take_from_other_threads()
        {
            return Some(runnable);
        }
        if let Some(runnable) = self.pop_ready() {
            return Some(runnable);
        }
        self.take_from_other_threads().or_else(|| self.steal())
    }

    /// A task from the queues other threads push to: this worker's `pinned` queue from
    /// elsewhere, then the injector (with a batch of more moved to `local`, so that the
    /// injector is not touched once per task; other workers may steal them from there).
    fn take_from_other_threads(&self) -> Option<Runnable<Meta>> {
        let pool = &*self.pool;
        let slot = &pool.slots[self.index];
        if let Ok(runnable) = slot.pinned.pop() {
            return Some(runnable);
        }
        let runnable = pool.injector.pop().ok()?;
        let count = (pool.injector.len() / 2).min(INJECTOR_BATCH);
        let mut moved = false;
        for _ in 0..count {
            let Ok(more) = pool.injector.pop() else { break };
            // Only `Send` tasks are injected.
            push(self.local(), more);
            moved = true;
        }
        if moved {
            // Between the pops and the pushes the batch was in no queue: a worker that
            // looked then may have parked.
            self.unannounced.set(true);
        }
        Some(runnable)
    }

    /// Takes half of another worker's `local` tasks (the first to run now, the others into
    /// this one's `local`), starting from the next worker.
    fn steal(&self) -> Option<Runnable<Meta>> {
        let pool = &*self.pool;
        let count = pool.slots.len();
        for offset in 1..count {
            let victim = &pool.slots[(self.index + offset) % count].local;
            let Ok(first) = victim.pop() else { continue };
            let more = (victim.len() / 2).min(INJECTOR_BATCH);
            let mut moved = false;
            for _ in 0..more {
                let Ok(runnable) = victim.pop() else { break };
                push(self.local(), runnable);
                moved = true;
            }
            if moved {
                // Between the pops and the pushes the batch was in no queue.
                self.unannounced.set(true);
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

    /// A poll of `task` on this worker ended, taking `elapsed` if the clock was read.
    #[inline]
    pub(crate) fn note_polled(&self, task: TaskName, elapsed: Option<Duration>) {
        self.counters()
            .polled(task, elapsed, self.pool.config.measure_poll_time);
    }

    /// Runs one job; once it has returned (so its handle shows it finished), tells `run()`
    /// when it was the last task.
    ///
    /// Before the poll starts, tasks left in `local` that no idle worker was told of are
    /// announced: none of them waits behind this poll while a worker is idle.
    #[inline]
    fn run_job(&self, runnable: Runnable<Meta>) {
        if self.unannounced.replace(false) && !self.local().is_empty() {
            self.pool.wake_one_idle();
        }
        let running = &self.counters().running;
        let meta = runnable.metadata();
        let registered = meta.registered.load(Ordering::Relaxed);
        // The task's header too: a dump tells the running tasks by it.
        running.store(
            meta.address()
                | if registered {
                    RUNNING_REGISTERED
                } else {
                    RUNNING
                },
            Ordering::Relaxed,
        );
        self.in_job.set(true);
        runnable.run();
        self.in_job.set(false);
        running.store(NOT_RUNNING, Ordering::Relaxed);
        let ended = self.ended_in_job.replace(0);
        if ended > 0 && self.pool.tasks_ended(ended) {
            self.pool.notify_all_done();
        }
    }

    /// The worker's loop: run what there is, park when there is nothing, stop when closed.
    async fn run(&self) {
        let pool = &self.pool;
        let slot = &pool.slots[self.index];
        let mut since_reactor = 0;
        let mut searching = false;
        crate::stack::tick();
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
                    crate::stack::tick(); // the coarse clock of pause stacks
                    self.fire_timers();
                    // The edges that came meanwhile, if no parked loop takes them.
                    crate::net::driver::poll_now();
                }
                continue;
            }
            if self.fire_timers() > 0 {
                continue; // timers fired: their tasks are ready
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
                crate::time::park(woken, self.park_until()).await;
                self.parked.set(false);
                crate::stack::tick();
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
                } else {
                    // It found work after it had stopped searching: more may have come
                    // since, and a searcher that saw none may have parked on it. Without
                    // this wake, that work could wait behind this job's poll while that
                    // worker sleeps (`parking_model.rs` found it).
                    pool.wake_one_idle();
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
        self.hand_over_send_tasks();
        let registered = registered_tasks(pool, Some(self.index));
        let next = || {
            // Dropping a task's state may wake others: their `Send` ones go to the pool.
            self.hand_over_send_tasks();
            self.pop_ready().or_else(|| slot.pinned.pop().ok())
        };
        let mut names = Vec::new();
        registry::cancel_all(
            registered,
            next,
            || started_left(pool, Some(self.index)),
            |pinned| names = pinned,
        );
        names
    }

    /// Moves the `Send` tasks of this worker's `local` queue to the injector, where the
    /// thread that drops the pool names and cancels them with the others.
    fn hand_over_send_tasks(&self) {
        while let Ok(runnable) = self.local().pop() {
            let _ = self.pool.injector.push(runnable);
        }
        self.order
            .borrow_mut()
            .retain(|turn| matches!(turn, Turn::Pinned(_)));
    }
}

/// Pushes `runnable` on a worker's `local` queue, which is unbounded and never closed: the
/// push cannot fail.
#[inline]
fn push(queue: &ConcurrentQueue<Runnable<Meta>>, runnable: Runnable<Meta>) {
    let _ = queue.push(runnable);
}

/// A worker thread's body.
pub(super) fn work(pool: Arc<PoolShared>, index: usize) -> Vec<TaskName> {
    let worker = Rc::new(Worker {
        index,
        pool: pool.clone(),
        ticks: Cell::new(0),
        in_job: Cell::new(false),
        ended_in_job: Cell::new(0),
        order: RefCell::new(VecDeque::new()),
        parked: Cell::new(false),
        unannounced: Cell::new(false),
        _not_send: PhantomData,
    });
    let entered = Entered {
        previous: WORKER.with(|w| w.replace(Rc::as_ptr(&worker))),
        _context: Some(SchedulerGuard::enter(pool.config, false)),
        _worker: PhantomData,
    };
    let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
    // Parks in the sockets' reactor or on a parker of its own (`time/park.rs`).
    crate::runtime::reactor::block_on(worker.run());
    let mut names = worker.shut_down();
    drop(entered);
    // One of this worker's tasks dropped the pool: nobody joins this thread, so it finishes
    // the shutdown (see `Pool::shut_down`) and says what it cancelled.
    let left = lock(&pool.left_to_worker).take();
    if let Some(left) = left {
        names.extend(left);
        pool.cancel_send_tasks(names);
        crate::trace::flush();
        return Vec::new();
    }
    names
}

// A header's address leaves the low bits of `SharedCounters::running` for the state.
const _: () = assert!(core::mem::align_of::<Meta>() > RUNNING_BITS);
