//! A task, whatever runs it: its header ([`Meta`], `header.rs`), the future its run loop
//! polls ([`TaskFuture`], `future.rs`) and its handle (`handle.rs`). This layer knows no
//! flavour of scheduler: what a poll reports goes through [`Schedule`], which each flavour
//! implements (`runtime/local.rs`, `runtime/pool.rs`). Every task is made generic over its
//! flavour, so each report is a direct call, statically dispatched.

use core::future::Future;
use core::task::Waker;
use std::sync::Arc;
use std::time::Duration;

use async_task::{Builder, Runnable, ScheduleInfo, WithInfo};

mod future;
mod handle;
mod header;

pub(crate) use future::TaskFuture;
pub(crate) use handle::Canceller;
pub use handle::{TaskError, TaskHandle};
pub(crate) use header::Meta;

use crate::names::TaskName;
use crate::reason::Reason;
use crate::stats::Ended;

/// A poll that just ended: the task's name, and how long it took when the clock was read.
pub(crate) type Polled = (TaskName, Option<Duration>);

/// A flavour of scheduler, as its tasks see it: where a woken task goes, and what the
/// scheduler is told of each poll. Only associated functions: a task knows its flavour by
/// type, and its scheduler through its header's home (or the thread it runs on).
pub(crate) trait Schedule: 'static {
    /// The scheduler's shared state, which every task's header points at.
    type Home: Send + Sync + 'static;

    /// Whether its tasks' headers keep their state (ready or paused) and what they wait on,
    /// for dumps: a flavour whose queues a dump cannot list (the pool's are lock-free) marks
    /// each wake-up and pause (and tells the running tasks from what its workers publish);
    /// one that can (a single thread's) tells the state from them, and keeps the reason in
    /// its registry.
    const STATES: bool;

    /// Queues a woken task: the schedule function of every task of this flavour.
    fn schedule(runnable: Runnable<Meta>, info: ScheduleInfo);

    /// The task paused for the first time: from now on only its waker can bring it back, so
    /// the scheduler records it (to cancel it, name it, or report a deadlock); returns its
    /// key, or `None` when no scheduler of the task's runs here.
    fn register(meta: &Meta, waker: Waker) -> Option<usize>;

    /// A poll of the registered task `key` ended in a pause, waiting for `reason` (if known).
    fn paused(meta: &Meta, key: usize, reason: Option<Reason>, polled: Polled);

    /// The task ended `how` (after its last poll, `polled`, if it was polled); `key` is its
    /// registry key if it registered. Called exactly once per task.
    fn ended(meta: &Meta, key: Option<usize>, how: Ended, polled: Option<Polled>);
}

/// Makes a task of `future` named `name`, of flavour `S`, that belongs to `home` (with the
/// flavour's word `home_slot`, see [`Meta`]), queues it there, and returns its handle.
/// Every flavour spawns through here; whenever the task is woken, `S::schedule` queues it
/// again.
///
/// # Safety
///
/// The obligations of `async_task::Builder::spawn_unchecked`, which the caller's own
/// `# Safety` section discharges: if `F` is not `Send`, its `Runnable` must be run and
/// dropped on this thread; if `F` is not `'static`, what it borrows must outlive the task;
/// the schedule function, a plain fn, is `Send + Sync + 'static`.
pub(crate) unsafe fn spawn<'a, S, F>(
    name: TaskName,
    home: Arc<S::Home>,
    home_slot: u32,
    future: F,
) -> TaskHandle<F::Output>
where
    S: Schedule,
    F: Future + 'a,
    F::Output: 'a,
{
    let builder = Builder::new().metadata(Meta::new(name, home, home_slot));
    let schedule = WithInfo(S::schedule);
    // SAFETY: passed on to the caller (see above).
    let (runnable, task) = unsafe {
        builder.spawn_unchecked(move |meta| TaskFuture::<F, S>::new(meta, future), schedule)
    };
    let waker = runnable.waker();
    runnable.schedule();
    TaskHandle::new(task, waker)
}
