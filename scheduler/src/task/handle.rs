//! [`TaskHandle`]: a queued task, to join, cancel, or let go; and [`TaskError`].

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::header::Meta;
use crate::context::TaskGuard;
use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::Reason;

/// How a task ended when it did not return a value.
///
/// # Examples
///
/// ```
/// use scheduler::{Scheduler, TaskError};
///
/// #[scheduler::task]
/// fn fails() -> u32 {
///     panic!("no signal")
/// }
///
/// #[scheduler::task]
/// fn check() {
///     let handle = scheduler::queue_to_run(fails, ());
///     match handle.join() {
///         Err(TaskError::Panicked { task, message }) => {
///             assert!(task.to_string().ends_with("fails"));
///             assert_eq!(message, "no signal");
///         }
///         other => panic!("unexpected {other:?}"),
///     }
/// }
///
/// Scheduler::new().run_until_finished(check, ());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// The task panicked; `message` is its panic message.
    Panicked {
        /// The task that panicked.
        task: TaskName,
        /// Its panic message.
        message: String,
    },
    /// The task was cancelled (with [`TaskHandle::cancel`], or by its scheduler being
    /// dropped) before it finished.
    Cancelled {
        /// The task that was cancelled.
        task: TaskName,
    },
}

impl TaskError {
    /// The task this error is about.
    pub fn task(&self) -> TaskName {
        match self {
            TaskError::Panicked { task, .. } | TaskError::Cancelled { task } => *task,
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Panicked { task, message } => {
                write!(f, "task `{task}` panicked: {message}")
            }
            TaskError::Cancelled { task } => write!(f, "task `{task}` was cancelled"),
        }
    }
}

impl std::error::Error for TaskError {}

/// A queued task: [`join`](TaskHandle::join) it to wait for its value,
/// [`cancel`](TaskHandle::cancel) it, or drop the handle to let it run on its own.
///
/// Returned by every `queue_to_run`. It is also a [`Future`] of `Result<T, TaskError>`, so
/// async code from other libraries can `.await` it.
///
/// # Examples
///
/// ```
/// use scheduler::Scheduler;
///
/// #[scheduler::task]
/// fn double(x: u32) -> u32 {
///     scheduler::yield_now();
///     x * 2
/// }
///
/// #[scheduler::task]
/// fn main_task() -> u32 {
///     let a = scheduler::queue_to_run(double, (1,)); // queued, not waited for
///     let b = scheduler::queue_to_run(double, (2,));
///     a.join().unwrap() + b.join().unwrap() // each join pauses until that task is done
/// }
///
/// assert_eq!(Scheduler::new().run_until_finished(main_task, ()), 6);
/// ```
pub struct TaskHandle<T> {
    task: Option<async_task::Task<Finished<T>, Meta>>,
    /// Wakes the task so that a cancellation takes effect at once.
    waker: Waker,
    /// Set once, polled as a `Future`, it gave the task's value: it has no second one.
    returned: bool,
}

impl<T> TaskHandle<T> {
    pub(crate) fn new(task: async_task::Task<Finished<T>, Meta>, waker: Waker) -> Self {
        TaskHandle {
            task: Some(task),
            waker,
            returned: false,
        }
    }

    fn task(&self) -> &async_task::Task<Finished<T>, Meta> {
        self.task
            .as_ref()
            .expect("a TaskHandle has its task until it is dropped")
    }

    /// ⏸ Waits until the task finishes and gives its value, or how it failed.
    ///
    /// A pause point: in a `#[task]` fn, `handle.join()` pauses this task until the other
    /// one is done.
    ///
    /// # Cancellation
    ///
    /// Of a cancelled task, `join` reports [`TaskError::Cancelled`] only once the task's
    /// state has been dropped, with the state of every task it cancelled by stopping: those
    /// of a [`scope`](crate::scope) it was running, down to the scopes inside them, on any
    /// worker. Cancelling the task that calls `join` only stops the waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn answer() -> u32 {
    ///     42
    /// }
    ///
    /// #[scheduler::task]
    /// fn ask() -> u32 {
    ///     scheduler::queue_to_run(answer, ()).join().unwrap()
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(ask, ()), 42);
    /// ```
    #[track_caller]
    pub fn join(self) -> Pause<impl Future<Output = Result<T, TaskError>>> {
        let task = self.name();
        Pause::because(Reason::Join(task), self)
    }

    /// Cancels the task: it stops at its next pause point (at once if it is paused now), its
    /// state is dropped (drop guards run), and [`join`](TaskHandle::join) gives
    /// [`TaskError::Cancelled`] once that and what it cancelled in turn (the tasks of its
    /// scopes) are done. Cancelling a finished task does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use scheduler::TaskError;
    ///
    /// #[scheduler::task]
    /// fn forever() {
    ///     scheduler::sleep(Duration::from_secs(3600));
    /// }
    ///
    /// #[scheduler::task]
    /// fn stop_it() -> bool {
    ///     let handle = scheduler::queue_to_run(forever, ());
    ///     scheduler::yield_now();
    ///     handle.cancel();
    ///     matches!(handle.join(), Err(TaskError::Cancelled { .. })) // no hour-long wait
    /// }
    ///
    /// assert!(scheduler::Scheduler::new().run_until_finished(stop_it, ()));
    /// ```
    pub fn cancel(&self) {
        if !self.is_finished() {
            self.task()
                .metadata()
                .cancelled
                .store(true, Ordering::Release);
            self.waker.wake_by_ref();
        }
    }

    /// A second way to cancel this task, for the scheduler's own bookkeeping (a scope
    /// cancelling its children).
    pub(crate) fn canceller(&self) -> Canceller {
        Canceller {
            flag: NonNull::from(&self.task().metadata().cancelled),
            waker: self.waker.clone(),
        }
    }

    /// Whether the task has finished: returned, panicked, or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.queue_to_run(|| 1, ());
    /// assert!(!handle.is_finished());
    /// s.run();
    /// assert!(handle.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task().is_finished()
    }

    /// The task's name: a `#[task]` fn's path, or the `file:line` where a closure was queued.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn turn_on_tv() {}
    ///
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.queue_to_run(turn_on_tv, ());
    /// assert!(handle.name().to_string().ends_with("turn_on_tv"));
    /// # s.run();
    /// ```
    pub fn name(&self) -> TaskName {
        self.task().metadata().name
    }
}

/// Cancels a task like [`TaskHandle::cancel`], without being its handle.
pub(crate) struct Canceller {
    /// The task's `Meta::cancelled`.
    flag: NonNull<AtomicBool>,
    /// The task's waker: it also keeps the task's allocation, and the flag in it, alive.
    waker: Waker,
}

// SAFETY: the flag is an `AtomicBool` (`Sync`) and the waker is `Send + Sync`; the pointer is
// only read through `&AtomicBool`.
unsafe impl Send for Canceller {}
// SAFETY: as above.
unsafe impl Sync for Canceller {}

impl Canceller {
    /// Cancels the task: it stops at its next pause point (at once if it waits now).
    pub(crate) fn cancel(&self) {
        // SAFETY: `flag` points into the task's metadata, which async-task drops only when the
        // last reference to the task goes; `self.waker` is such a reference.
        let flag = unsafe { self.flag.as_ref() };
        flag.store(true, Ordering::Release);
        self.waker.wake_by_ref();
    }
}

impl<T> Future for TaskHandle<T> {
    type Output = Result<T, TaskError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.returned {
            panic!(
                "the `TaskHandle` of task `{}` {}",
                self.name(),
                crate::misuse::HANDLE_POLLED_AFTER_VALUE
            );
        }
        let task = self
            .task
            .as_mut()
            .expect("a TaskHandle has its task until it is dropped");
        let polled = Pin::new(task).poll(cx).map(Finished::into_result);
        self.returned = polled.is_ready();
        polled
    }
}

impl<T> Drop for TaskHandle<T> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }
}

impl<T> fmt::Debug for TaskHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("name", &self.name())
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// A task's result as its handle receives it. If nobody takes it (the task was detached),
/// async-task drops it where a panic aborts the process: so its `Drop` drops the value
/// itself, catching a panic there as the task's, reported once by name like any other.
pub(crate) struct Finished<T> {
    task: TaskName,
    result: core::mem::ManuallyDrop<Result<T, TaskError>>,
}

impl<T> Finished<T> {
    pub(super) fn new(task: TaskName, result: Result<T, TaskError>) -> Self {
        Finished {
            task,
            result: core::mem::ManuallyDrop::new(result),
        }
    }

    /// The result, for the task's handle.
    pub(crate) fn into_result(self) -> Result<T, TaskError> {
        let mut this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped (`ManuallyDrop`), so `result` is taken exactly
        // once, here, and never dropped by `Finished::drop`.
        unsafe { core::mem::ManuallyDrop::take(&mut this.result) }
    }
}

impl<T> Drop for Finished<T> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs once, and `into_result`, the only other taker, never lets
        // `drop` run: `result` is taken exactly once.
        let result = unsafe { core::mem::ManuallyDrop::take(&mut self.result) };
        // Only a value runs user code as it drops (a `TaskError` holds a name and a
        // message): a cancelled or failed task's, or a `()`, needs no guard.
        let Ok(value) = result else { return };
        if !core::mem::needs_drop::<T>() {
            return;
        }
        let _running = TaskGuard::enter(self.task);
        // The panic hook has reported it, naming the task; nobody waits for this value.
        if catch_unwind(AssertUnwindSafe(move || drop(value))).is_err() {
            crate::stderr::say_caught();
        }
    }
}
