//! What this thread is doing: whether it runs a scheduler (with which settings), and the
//! task it is polling (if any). Thread-locals only, and the guards that set them: both are
//! restored when the guard drops, also while unwinding, so a panic leaves the thread as it
//! found it. Which scheduler runs here is each flavour's own thread-local (`LOCAL` in
//! `runtime/local.rs`, `WORKER` in `runtime/pool/worker.rs`), set with the guard below.

use core::cell::Cell;
use core::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::config::Config;
use crate::misuse;
use crate::names::TaskName;
use crate::watchdog;

thread_local! {
    /// Whether this thread runs a scheduler, while it does, and that scheduler's settings.
    static RUNNING: Cell<Option<Running>> = const { Cell::new(None) };
    /// The task this thread is polling, while it polls.
    static TASK: Cell<Option<TaskName>> = const { Cell::new(None) };
    /// Whether that task paused before (it is in its scheduler's registry).
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
}

/// A scheduler this thread runs, as far as the flavour-free code must know it.
#[derive(Clone, Copy)]
pub(crate) struct Running {
    /// Its settings.
    pub(crate) config: Config,
    /// Set on the thread dropping a pool, which cancels what is left: no scheduler takes
    /// new work here.
    pub(crate) closing: bool,
}

/// The scheduler this thread runs, if any.
pub(crate) fn running() -> Option<Running> {
    RUNNING.try_with(Cell::get).ok().flatten()
}

/// The task this thread is polling right now, if any.
pub(crate) fn current_task() -> Option<TaskName> {
    TASK.try_with(Cell::get).ok().flatten()
}

/// Marks `task` as the one being polled until the guard drops.
pub(crate) struct TaskGuard {
    previous: Option<TaskName>,
    previous_registered: bool,
    /// Whether the thread was unwinding when the guard was made (a drop during a panic
    /// names its task too): only a panic that began under this guard is this guard's.
    entered_unwinding: bool,
}

impl TaskGuard {
    /// Marks `task` as being polled, outside any scheduler's registry.
    #[inline]
    pub(crate) fn enter(task: TaskName) -> Self {
        Self::enter_task(task, false, 0)
    }

    /// Marks `task` as being polled; `registered` says whether it paused before (it is in
    /// its scheduler's registry); `stack` is its pause stack's address, for the slow-poll
    /// report (0 if none).
    #[inline]
    pub(crate) fn enter_task(task: TaskName, registered: bool, stack: usize) -> Self {
        watchdog::poll_started(task, stack);
        crate::reason::take(); // a fresh poll: no reason noted yet
        TaskGuard {
            previous: TASK.with(|t| t.replace(Some(task))),
            previous_registered: REGISTERED.with(|s| s.replace(registered)),
            entered_unwinding: std::thread::panicking(),
        }
    }
}

/// Whether the task this thread is polling paused before (so its scheduler's registry
/// counts it).
pub(crate) fn running_task_registered() -> bool {
    current_task().is_some() && REGISTERED.with(Cell::get)
}

impl Drop for TaskGuard {
    #[inline]
    fn drop(&mut self) {
        if std::thread::panicking() && !self.entered_unwinding {
            // A task's panic that nobody caught on its way out of this guard: its report is
            // said now, before the task's name goes.
            crate::stderr::say_unwinding();
        }
        TASK.with(|t| t.set(self.previous));
        REGISTERED.with(|s| s.set(self.previous_registered));
        watchdog::poll_ended();
        if let Some(previous) = self.previous {
            watchdog::poll_started(previous, 0);
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

/// Makes a scheduler this thread's running one until the guard drops (with no task being
/// polled, and its slow-poll threshold for the watchdog). Each flavour sets its own pointer
/// beside it (`runtime/local.rs`, `runtime/pool/worker.rs`).
pub(crate) struct SchedulerGuard {
    previous: Option<Running>,
    previous_task: Option<TaskName>,
    previous_threshold: Option<Duration>,
}

impl SchedulerGuard {
    /// Enters a scheduler with `config` for a blocking run, or panics when this thread is
    /// inside a task (a blocking call there would stop every other task on the thread).
    #[track_caller]
    pub(crate) fn enter_blocking(what: &str, config: Config) -> Self {
        refuse_inside_a_task(what);
        Self::enter(config, false)
    }

    /// Enters a scheduler unconditionally: a worker thread starting, or a scheduler
    /// cancelling its tasks as it is dropped (`closing`, for a pool), wherever that happens.
    pub(crate) fn enter(config: Config, closing: bool) -> Self {
        let previous_threshold = watchdog::set_threshold(config.slow_poll);
        // At thread exit (a scheduler kept in a `thread_local!`, dropped after ours) these
        // may be gone: the flavours' plain pointers, which need no destructor and so are
        // always there, still reach the scheduler while it cancels its tasks.
        let previous = RUNNING
            .try_with(|r| r.replace(Some(Running { config, closing })))
            .unwrap_or(None);
        SchedulerGuard {
            previous,
            previous_task: TASK.try_with(|t| t.replace(None)).unwrap_or(None),
            previous_threshold,
        }
    }
}

impl Drop for SchedulerGuard {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|r| r.set(self.previous));
        let _ = TASK.try_with(|t| t.set(self.previous_task));
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
    if running().is_none() {
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
    running()?.config.seed
}
