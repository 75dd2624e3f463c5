//! What this thread is doing: the scheduler it is running (if any) and the task it is
//! polling (if any). Both are set by guards and restored when the guard drops, also while
//! unwinding, so a panic leaves the thread as it found it.

use core::future::Future;
use core::task::Waker;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use core::sync::atomic::{AtomicBool, Ordering};

use crate::config::Config;
use crate::handle::Handle;
use crate::local::Local;
use crate::misuse;
use crate::names::TaskName;
use crate::pool::{PoolShared, Worker};
use crate::reason::Reason;
use crate::stats::Ended;
use crate::task::Meta;
use crate::task_handle::TaskHandle;
use crate::watchdog;

thread_local! {
    /// The scheduler this thread is running, while it runs.
    static SCHEDULER: RefCell<Option<Current>> = const { RefCell::new(None) };
    /// The task this thread is polling, while it polls.
    static TASK: Cell<Option<TaskName>> = const { Cell::new(None) };
    /// Whether that task paused before (it is in its scheduler's registry).
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// The single-threaded scheduler this thread runs, if that is what `SCHEDULER` holds: a
    /// plain pointer for the hot path (no `RefCell`, no lazily initialized thread-local).
    static LOCAL: Cell<*const Local> = const { Cell::new(core::ptr::null()) };

    /// The pool worker this thread is, if that is what `SCHEDULER` holds: the same kind of
    /// plain pointer, for the pool's hot path.
    static WORKER: Cell<*const Worker> = const { Cell::new(core::ptr::null()) };
}

/// Calls `f` with the single-threaded scheduler this thread is running, if it runs one.
#[inline]
pub(crate) fn with_local<R>(f: impl FnOnce(&Local) -> R) -> Option<R> {
    let local = LOCAL.with(Cell::get);
    if local.is_null() {
        return None;
    }
    // SAFETY: `LOCAL` is set by a `SchedulerGuard` to the `Local` of the `Rc` it has just
    // put in `SCHEDULER`, and set back before that `Rc` is taken out again, on this thread
    // only: while it is non-null, the `Local` it points to is alive.
    Some(f(unsafe { &*local }))
}

/// Calls `f` with the pool worker this thread is, if it is one.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(&Worker) -> R) -> Option<R> {
    let worker = WORKER.with(Cell::get);
    if worker.is_null() {
        return None;
    }
    // SAFETY: as for `LOCAL` in `with_local`: `WORKER` points at the `Worker` of the `Rc`
    // a `SchedulerGuard` holds in `SCHEDULER`, and is set back before that `Rc` goes.
    Some(f(unsafe { &*worker }))
}

/// The scheduler a thread is running: the two flavours behind one set of operations.
#[derive(Clone)]
pub(crate) enum Current {
    /// A single-threaded scheduler, run by its owner thread.
    Local(Rc<Local>),
    /// One worker thread of a multi-threaded scheduler.
    Worker(Rc<Worker>),
    /// The thread dropping a multi-threaded scheduler, cancelling what is left.
    Closing(Arc<PoolShared>),
}

impl Current {
    /// Records a task at its first pause; returns its key in the registry.
    pub(crate) fn register(&self, meta: &Meta, waker: Waker) -> usize {
        match self {
            Current::Local(local) => local.register(meta, waker),
            Current::Worker(worker) => worker.pool.register(meta, waker),
            Current::Closing(pool) => pool.register(meta, waker),
        }
    }

    /// Forgets a started task whose state was dropped.
    pub(crate) fn deregister(&self, key: usize) {
        match self {
            Current::Local(local) => local.deregister(key),
            Current::Worker(worker) => worker.pool.deregister(key),
            Current::Closing(pool) => pool.deregister(key),
        }
    }

    /// A started task paused, waiting for `reason` (if known).
    #[inline]
    pub(crate) fn note_paused(&self, key: usize, reason: Option<Reason>) {
        if let Current::Local(local) = self {
            local.note_paused(key, reason);
        }
    }

    /// A poll of `task` ended; it took `elapsed` when the clock was read (tracing, or poll
    /// time measured). For `Scheduler::stats`: a plain increment, or a relaxed one on a
    /// worker's own counter.
    #[inline]
    pub(crate) fn note_polled(&self, task: TaskName, elapsed: Option<Duration>) {
        match self {
            Current::Local(local) => local.note_polled(task, elapsed),
            Current::Worker(worker) => worker.note_polled(task, elapsed),
            Current::Closing(pool) => {
                pool.other_counters
                    .polled(task, elapsed, pool.config.measure_poll_time);
            }
        }
    }

    /// A task of this scheduler ended `how`, for `Scheduler::stats`.
    #[inline]
    pub(crate) fn note_ended(&self, how: Ended) {
        match self {
            Current::Local(local) => local.counters.ended(how),
            Current::Worker(worker) => worker.counters().ended(how),
            Current::Closing(pool) => pool.other_counters.ended(how),
        }
    }

    /// A task of this scheduler reached its end.
    pub(crate) fn task_ended(&self) {
        match self {
            Current::Local(_) => {}
            Current::Worker(worker) => worker.task_ended(),
            Current::Closing(pool) => {
                if pool.tasks_ended(1) {
                    pool.notify_all_done();
                }
            }
        }
    }

    /// The scheduler's settings.
    pub(crate) fn config(&self) -> Config {
        match self {
            Current::Local(local) => local.config,
            Current::Worker(worker) => worker.pool.config,
            Current::Closing(pool) => pool.config,
        }
    }

    /// A thread-safe handle to this scheduler.
    pub(crate) fn handle(&self) -> Handle {
        match self {
            Current::Local(local) => Handle::local(local.shared.clone()),
            Current::Worker(worker) => Handle::pool(worker.pool.clone()),
            Current::Closing(pool) => Handle::pool(pool.clone()),
        }
    }
}

/// The task this thread is polling right now, if any.
pub(crate) fn current_task() -> Option<TaskName> {
    TASK.try_with(Cell::get).ok().flatten()
}

/// Calls `f` with the scheduler running on this thread, if any.
#[inline]
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&Current>) -> R) -> R {
    let mut f = Some(f);
    match SCHEDULER.try_with(|s| (f.take().expect("called once"))(s.borrow().as_ref())) {
        Ok(r) => r,
        // At thread exit, once `SCHEDULER` is gone: no scheduler runs here any more.
        Err(_) => (f.take().expect("not called yet"))(None),
    }
}

/// Calls `f` with the scheduler running on this thread; panics naming `what` (the function
/// the user called) when there is none.
#[track_caller]
pub(crate) fn expect_scheduler<R>(what: &str, f: impl FnOnce(&Current) -> R) -> R {
    with_scheduler(|s| match s {
        Some(current) => f(current),
        None => panic!("`{what}` {}", misuse::NO_SCHEDULER),
    })
}

/// Queues the task that `make` makes, maybe `!Send`, on the scheduler running on this
/// thread, where it stays; panics naming `what` (the function the user called) when there is
/// none, before `make` runs. A single-threaded scheduler is reached through its plain
/// pointer.
#[track_caller]
pub(crate) fn queue_here<F>(
    what: &str,
    make: impl FnOnce() -> (F, TaskName),
) -> TaskHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    queue_on(what, make, |worker, name, future| {
        worker.spawn_pinned(name, future)
    })
}

/// Like [`queue_here`], for a `Send` task: on a pool, any worker may run it.
#[track_caller]
pub(crate) fn queue_anywhere<F>(
    what: &str,
    make: impl FnOnce() -> (F, TaskName),
) -> TaskHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    queue_on(what, make, |worker, name, future| {
        worker.spawn_anywhere(name, future)
    })
}

/// Queues the task that `make` makes: on a single-threaded scheduler, or with `on_worker`
/// on a pool's worker, both through their plain pointers (a `SchedulerGuard` sets them with
/// the running scheduler). Anything else (a pool being dropped, or no scheduler) is misuse:
/// panics naming `what`, before `make` runs.
#[track_caller]
fn queue_on<F>(
    what: &str,
    make: impl FnOnce() -> (F, TaskName),
    on_worker: impl FnOnce(&Worker, TaskName, F) -> TaskHandle<F::Output>,
) -> TaskHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let mut make = Some(make);
    let mut make_once = || make.take().expect("made once")();
    if let Some(handle) = with_local(|local| {
        let (future, name) = make_once();
        local.spawn(name, future)
    }) {
        return handle;
    }
    if let Some(handle) = with_worker(|worker| {
        let (future, name) = make_once();
        on_worker(worker, name, future)
    }) {
        return handle;
    }
    match with_scheduler(|current| current.map(|c| matches!(c, Current::Closing(_)))) {
        Some(true) => panic!("`{what}` {}", misuse::SCHEDULER_GONE),
        Some(false) => unreachable!("a running scheduler is reached through its plain pointer"),
        None => panic!("`{what}` {}", misuse::NO_SCHEDULER),
    }
}

/// Marks `task` as the one being polled until the guard drops.
pub(crate) struct TaskGuard {
    previous: Option<TaskName>,
    previous_started: bool,
    /// Whether the thread was unwinding when the guard was made (a drop during a panic
    /// names its task too): only a panic that began under this guard is this guard's.
    entered_unwinding: bool,
}

impl TaskGuard {
    /// Marks `task` as being polled, outside any scheduler's registry.
    #[inline]
    pub(crate) fn enter(task: TaskName) -> Self {
        Self::enter_task(task, false)
    }

    /// Marks `task` as being polled; `started` says whether it paused before (it is in its
    /// scheduler's registry).
    #[inline]
    pub(crate) fn enter_task(task: TaskName, started: bool) -> Self {
        watchdog::poll_started(task);
        crate::reason::take(); // a fresh poll: no reason noted yet
        TaskGuard {
            previous: TASK.with(|t| t.replace(Some(task))),
            previous_started: STARTED.with(|s| s.replace(started)),
            entered_unwinding: std::thread::panicking(),
        }
    }
}

/// Whether the task this thread is polling paused before (so its scheduler's registry
/// counts it).
pub(crate) fn running_task_started() -> bool {
    current_task().is_some() && STARTED.with(Cell::get)
}

impl Drop for TaskGuard {
    #[inline]
    fn drop(&mut self) {
        if std::thread::panicking() && !self.entered_unwinding {
            // A task's panic that nobody caught on its way out of this guard: its report is
            // said now, before the task's name goes.
            crate::report::say_unwinding();
        }
        TASK.with(|t| t.set(self.previous));
        STARTED.with(|s| s.set(self.previous_started));
        watchdog::poll_ended();
        if let Some(previous) = self.previous {
            watchdog::poll_started(previous);
        }
    }
}

/// Panics when this thread is inside a task: `what`, the blocking method the user called,
/// would stop every other task on the thread.
#[track_caller]
pub(crate) fn refuse_inside_a_task(what: &str) {
    if let Some(task) = current_task() {
        panic!("task `{task}` called `{what}`, {}", misuse::NESTED_BLOCKING);
    }
}

/// Makes a scheduler this thread's running one until the guard drops.
pub(crate) struct SchedulerGuard {
    previous: Option<Current>,
    previous_local: *const Local,
    previous_worker: *const Worker,
    previous_task: Option<TaskName>,
    previous_threshold: Option<Duration>,
}

impl SchedulerGuard {
    /// Enters `current` for a blocking run, or panics when this thread is inside a task (a
    /// blocking call there would stop every other task on the thread).
    #[track_caller]
    pub(crate) fn enter_blocking(what: &str, current: Current) -> Self {
        refuse_inside_a_task(what);
        Self::enter(current)
    }

    /// Enters `current` unconditionally: a worker thread starting, or a scheduler cancelling
    /// its tasks as it is dropped, wherever that happens.
    pub(crate) fn enter(current: Current) -> Self {
        let previous_threshold = watchdog::set_threshold(current.config().slow_poll);
        let (local, worker) = match &current {
            Current::Local(local) => (Rc::as_ptr(local), core::ptr::null()),
            Current::Worker(worker) => (core::ptr::null(), Rc::as_ptr(worker)),
            Current::Closing(_) => (core::ptr::null(), core::ptr::null()),
        };
        // At thread exit (a scheduler kept in a `thread_local!`, dropped after ours) there
        // is no `SCHEDULER` any more: the plain pointers below, which need no destructor
        // and so are always there, still reach the scheduler while it cancels its tasks.
        let previous = SCHEDULER
            .try_with(|s| s.replace(Some(current)))
            .unwrap_or(None);
        SchedulerGuard {
            previous,
            previous_local: LOCAL.with(|l| l.replace(local)),
            previous_worker: WORKER.with(|w| w.replace(worker)),
            previous_task: TASK.with(|t| t.replace(None)),
            previous_threshold,
        }
    }
}

impl Drop for SchedulerGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // First stop pointing at our `Local` or `Worker`: the `Rc` that keeps it alive goes
        // next.
        LOCAL.with(|l| l.set(self.previous_local));
        WORKER.with(|w| w.set(self.previous_worker));
        // Drop the replaced value after the borrow ends: its drop may run user code.
        let _ours = SCHEDULER.try_with(|s| s.replace(previous));
        TASK.with(|t| t.set(self.previous_task));
        watchdog::set_threshold(self.previous_threshold);
    }
}

/// Set once a scheduler's sync primitive or pause value is used on a thread that runs no
/// scheduler: then some waker may be held where no scheduler can see it, and deadlock
/// detection stays off for the rest of the process.
static FOREIGN_USE: AtomicBool = AtomicBool::new(false);

/// Notes a use of a sync primitive or pause value that may wake a task; remembers it when
/// it happens outside every scheduler.
#[inline]
pub(crate) fn note_possible_foreign_use() {
    if SCHEDULER.try_with(|s| s.borrow().is_none()).unwrap_or(true) {
        FOREIGN_USE.store(true, Ordering::Relaxed);
    }
}

/// Whether something outside every scheduler may hold a waker (see above).
pub(crate) fn foreign_use_seen() -> bool {
    FOREIGN_USE.load(Ordering::Relaxed)
}

/// The seed of the scheduler running on this thread, if it has one (for panic messages;
/// safe to call from a panic hook).
pub(crate) fn current_seed() -> Option<u64> {
    SCHEDULER
        .try_with(|s| s.try_borrow().ok()?.as_ref()?.config().seed)
        .ok()
        .flatten()
}
