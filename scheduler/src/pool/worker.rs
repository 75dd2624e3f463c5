//! One worker thread of a pool: its own `ready` queue, where it looks for work, how it
//! shares tasks with idle workers between jobs, how it parks, and how it cancels its pinned
//! tasks when the pool closes. The pool's shared state is in `pool.rs`.

use core::future::Future;
use core::sync::atomic::{Ordering, fence};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use async_task::Runnable;
use concurrent_queue::{ConcurrentQueue, PushError};
use event_listener::listener;

use super::{
    FAIRNESS, LOCAL_CAPACITY, PoolShared, REACTOR_BUDGET, Slot, cancel, lock, registered_tasks,
    started_left,
};
use crate::context::{Current, SchedulerGuard};
use crate::names::TaskName;
use crate::stats::{NOT_RUNNING, RUNNING, RUNNING_STARTED, SharedCounters};
use crate::task::Meta;
use crate::task_handle::TaskHandle;

/// What a worker thread keeps for itself.
pub(crate) struct Worker {
    pub(super) index: usize,
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
    pub(super) fn of(&self, pool: &PoolShared) -> bool {
        core::ptr::eq(Arc::as_ptr(&self.pool), pool)
    }

    /// Queues a task woken on this worker's thread.
    #[inline]
    pub(super) fn push_ready(&self, runnable: Runnable<Meta>) {
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
                // A wake-up from another thread may still be in flight (see
                // `Local::cancel_all`): wait for every started task pinned here.
                None if started_left(pool, Some(self.index)) => std::thread::yield_now(),
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

/// A worker thread's body.
pub(super) fn work(pool: Arc<PoolShared>, index: usize) -> Vec<TaskName> {
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
    let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
    crate::local::block_on(worker.run());
    let mut names = worker.shut_down();
    // One of this worker's tasks dropped the pool: nobody joins this thread, so it finishes
    // the shutdown (see `Pool::shut_down`) and says what it cancelled.
    let left = lock(&pool.left_to_worker).take();
    if let Some(left) = left {
        names.extend(left);
        names.extend(pool.cancel_send_tasks());
        crate::report::dropped_with(&names);
        return Vec::new();
    }
    names
}
