//! What this thread is doing: the scheduler it is running (if any) and the task it is
//! polling (if any). Both are set by guards and restored when the guard drops, also while
//! unwinding, so a panic leaves the thread as it found it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::local::Local;
use crate::misuse;
use crate::names::TaskName;

thread_local! {
    /// The scheduler this thread is running, while it runs.
    static SCHEDULER: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    /// The task this thread is polling, while it polls.
    static TASK: Cell<Option<TaskName>> = const { Cell::new(None) };
}

/// The task this thread is polling right now, if any.
pub(crate) fn current_task() -> Option<TaskName> {
    TASK.try_with(Cell::get).ok().flatten()
}

/// Calls `f` with the scheduler running on this thread, if any.
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&Rc<Local>>) -> R) -> R {
    SCHEDULER.with(|s| f(s.borrow().as_ref()))
}

/// Calls `f` with the scheduler running on this thread; panics naming `what` (the function
/// the user called) and the current task when there is none.
#[track_caller]
pub(crate) fn expect_scheduler<R>(what: &str, f: impl FnOnce(&Rc<Local>) -> R) -> R {
    with_scheduler(|s| match s {
        Some(local) => f(local),
        None => panic!("`{what}` {}", misuse::NO_SCHEDULER),
    })
}

/// Marks `task` as the one being polled until the guard drops.
pub(crate) struct TaskGuard {
    previous: Option<TaskName>,
}

impl TaskGuard {
    #[inline]
    pub(crate) fn enter(task: TaskName) -> Self {
        TaskGuard {
            previous: TASK.with(|t| t.replace(Some(task))),
        }
    }
}

impl Drop for TaskGuard {
    #[inline]
    fn drop(&mut self) {
        TASK.with(|t| t.set(self.previous));
    }
}

/// Makes `local` this thread's running scheduler until the guard drops.
pub(crate) struct SchedulerGuard {
    previous: Option<Rc<Local>>,
    previous_task: Option<TaskName>,
}

impl SchedulerGuard {
    /// Enters `local`, or panics when this thread is inside a task (a blocking call there
    /// would stop every other task on the thread).
    #[track_caller]
    pub(crate) fn enter(local: &Rc<Local>) -> Self {
        if let Some(task) = current_task() {
            panic!("task `{task}` {}", misuse::NESTED_BLOCKING);
        }
        let previous = SCHEDULER.with(|s| s.replace(Some(local.clone())));
        SchedulerGuard {
            previous,
            previous_task: TASK.with(|t| t.replace(None)),
        }
    }

    /// Enters `local` to cancel its tasks while it is dropped, wherever that happens.
    pub(crate) fn enter_while_dropping(local: &Rc<Local>) -> Self {
        let previous = SCHEDULER.with(|s| s.replace(Some(local.clone())));
        SchedulerGuard {
            previous,
            previous_task: TASK.with(|t| t.replace(None)),
        }
    }
}

impl Drop for SchedulerGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // Drop the replaced `Rc` after the borrow ends: its drop may run user code.
        let _ours = SCHEDULER.with(|s| s.replace(previous));
        TASK.with(|t| t.set(self.previous_task));
    }
}
