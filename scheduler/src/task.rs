//! The future every queued task runs in: it names the task while it runs, turns a panic
//! into a [`TaskError`], and drops the task's state at once when it is cancelled.

use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_task::{Builder, WithInfo};
use pin_project_lite::pin_project;

use crate::context::{self, TaskGuard};
use crate::drain::{self, Pending};
use crate::home::{self, Home};
use crate::names::TaskName;
use crate::reason;
use crate::report::payload_text;
use crate::stats::Ended;
use crate::task_handle::{TaskError, TaskHandle};
use crate::trace::{self, Outcome};

/// What every task carries in its header (async-task metadata).
pub(crate) struct Meta {
    /// The task's name, for messages and traces.
    pub(crate) name: TaskName,
    /// Set by [`TaskHandle::cancel`](crate::TaskHandle::cancel) and by a dropped scheduler;
    /// read before every poll. Once set it is never cleared.
    pub(crate) cancelled: AtomicBool,
    /// The scheduler the task belongs to, as `home.rs` keeps it: `Arc::into_raw` of its
    /// shared state, whose type `home_kind` says; the header owns that reference.
    pub(crate) home: NonNull<()>,
    /// On a pool, the worker a pinned task stays on (see `home.rs`).
    pub(crate) home_worker: u32,
    /// Which scheduler `home` is, and whether the task is pinned (see `home.rs`).
    pub(crate) home_kind: u8,
    /// Set when the task first pauses, as it enters its scheduler's registry; never cleared
    /// (it leaves the registry only when it ends). A task that never pauses never enters it.
    pub(crate) started: AtomicBool,
}

impl Meta {
    pub(crate) fn new(name: TaskName, home: Home) -> Self {
        let (home, home_kind, home_worker) = home.into_raw();
        Meta {
            name,
            cancelled: AtomicBool::new(false),
            home,
            home_worker,
            home_kind,
            started: AtomicBool::new(false),
        }
    }

    /// This header's address: tells tasks apart (names may repeat).
    pub(crate) fn address(&self) -> usize {
        self as *const Meta as usize
    }
}

pin_project! {
    /// A task's future `F`, as the run loop polls it.
    pub(crate) struct TaskFuture<'m, F> {
        meta: &'m Meta,
        // Where the task stands with its scheduler, in one word (tasks are small, and a
        // parked one is nothing else): its key in the registry of started tasks from its
        // first pause, `UNREGISTERED` before, `ENDED` once its end was reported (exactly
        // once). A task that ends in its first poll never touches the registry.
        standing: u32,
        // The task's track in a trace (0 when not tracing): next to `standing`, in the
        // same word.
        id: u32,
        // `None` once the task finished, panicked or was cancelled: its state is dropped
        // right then, not when the last handle goes. A task polled with `None` is a
        // cancelled one whose drain goes on (see `DRAINING`).
        #[pin]
        inner: Option<F>,
    }

    impl<'m, F> PinnedDrop for TaskFuture<'m, F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // No state and no end yet: dropped while it drained (its scheduler went), and
            // nobody waits any more.
            let draining = this.inner.is_none() && *this.standing != ENDED;
            // Drop the state first (user drop code may still want the registry), then leave.
            this.inner.set(None);
            if draining {
                drop(take_drain(this.meta));
            }
            end(this.standing, Ended::Cancelled, None);
        }
    }
}

/// Cancelled tasks whose drop left tasks still stopping (the tasks of their scopes, maybe
/// on other workers), by their header's address: such a task ends, and its `join` reports
/// the cancellation, only once they have stopped. Kept beside the tasks rather than in them,
/// so that no task is bigger for it: only a cancellation that leaves something stopping
/// comes here, and it never holds the lock while it polls or drops what it waits for.
static DRAINING: Mutex<Vec<(usize, Drain)>> = Mutex::new(Vec::new());

/// A cancelled task waiting for what its drop left stopping.
struct Drain {
    pending: Vec<Pending>,
    /// How the task ended, reported once `pending` has drained.
    how: Ended,
    error: TaskError,
}

/// Takes the drain of the task `meta` out of `DRAINING`, if it has one.
fn take_drain(meta: &Meta) -> Option<Drain> {
    let mut draining = DRAINING.lock().unwrap_or_else(PoisonError::into_inner);
    let index = draining.iter().position(|(at, _)| *at == meta.address())?;
    Some(draining.swap_remove(index).1)
}

/// Polls the drain of a cancelled task; ends the task once it has drained.
fn poll_drain<T>(
    meta: &Meta,
    standing: &mut u32,
    mut drain: Drain,
    cx: &mut Context<'_>,
) -> Poll<Result<T, TaskError>> {
    // Only this task's poll or drop touches its entry, never two at once, so it may be
    // polled outside the lock and put back.
    if drain::poll_all(&mut drain.pending, cx).is_pending() {
        let address = meta.address();
        DRAINING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((address, drain));
        return Poll::Pending;
    }
    end(standing, drain.how, None);
    Poll::Ready(Err(drain.error))
}

impl<'m, F: Future> TaskFuture<'m, F> {
    /// The future of a task being queued (a trace records who queued it).
    pub(crate) fn new(meta: &'m Meta, future: F) -> Self {
        let id = u32::try_from(trace::new_id()).unwrap_or(0);
        trace::spawned(u64::from(id), meta.name);
        TaskFuture {
            meta,
            standing: UNREGISTERED,
            id,
            inner: Some(future),
        }
    }
}

/// A poll that just ended: the task's name, and how long it took when the clock was read.
type Polled = Option<(TaskName, Option<Duration>)>;

/// `TaskFuture::standing` before the task first pauses.
const UNREGISTERED: u32 = u32::MAX;

/// `TaskFuture::standing` once the task's end was reported.
const ENDED: u32 = u32::MAX - 1;

/// A registry key as a `standing`.
fn standing_of(key: usize) -> u32 {
    u32::try_from(key)
        .ok()
        .filter(|&key| key < ENDED)
        .expect("fewer than 4 billion tasks are started at once")
}

/// Marks the task as ended (once, counted as `how`, after its last poll if it was polled)
/// and removes it from its scheduler's registry.
fn end(standing: &mut u32, how: Ended, polled: Polled) {
    let key = core::mem::replace(standing, ENDED);
    if key == ENDED {
        return;
    }
    // The single-threaded scheduler or a pool worker through its plain pointer; a closing
    // pool through the general lookup.
    let on_local = context::with_local(|local| {
        if let Some((task, elapsed)) = polled {
            local.note_polled(task, elapsed);
        }
        if key != UNREGISTERED {
            local.deregister(key as usize);
        }
        local.counters.ended(how);
    });
    if on_local.is_some() {
        return;
    }
    let on_worker = context::with_worker(|worker| {
        if let Some((task, elapsed)) = polled {
            worker.note_polled(task, elapsed);
        }
        if key != UNREGISTERED {
            worker.pool.deregister(key as usize);
        }
        worker.counters().ended(how);
        worker.task_ended();
    });
    if on_worker.is_some() {
        return;
    }
    context::with_scheduler(|current| {
        if let Some(current) = current {
            if let Some((task, elapsed)) = polled {
                current.note_polled(task, elapsed);
            }
            if key != UNREGISTERED {
                current.deregister(key as usize);
            }
            current.note_ended(how);
            current.task_ended();
        }
    });
}

/// A task's result as its handle receives it. If nobody takes it (the task was detached),
/// async-task drops it where a panic aborts the process: so its `Drop` drops the value
/// itself, catching a panic there as the task's, reported once by name like any other.
pub(crate) struct Finished<T> {
    task: TaskName,
    result: core::mem::ManuallyDrop<Result<T, TaskError>>,
}

impl<T> Finished<T> {
    fn new(task: TaskName, result: Result<T, TaskError>) -> Self {
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
        let _running = TaskGuard::enter(self.task);
        // SAFETY: `drop` runs once, and `into_result`, the only other taker, never lets
        // `drop` run: `result` is taken exactly once.
        let result = unsafe { core::mem::ManuallyDrop::take(&mut self.result) };
        // The panic hook has reported it, naming the task; nobody waits for this value.
        if catch_unwind(AssertUnwindSafe(move || drop(result))).is_err() {
            crate::report::say_caught();
        }
    }
}

impl<F: Future> Future for TaskFuture<'_, F> {
    type Output = Finished<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let task = self.meta.name;
        self.poll_result(cx)
            .map(|result| Finished::new(task, result))
    }
}

impl<F: Future> TaskFuture<'_, F> {
    /// The poll of the task itself: its result, once it has one.
    #[inline]
    fn poll_result(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<F::Output, TaskError>> {
        let mut this = self.project();
        let task = this.meta.name;
        if this.inner.is_none() {
            // Only a cancelled task whose drain goes on is polled with no state.
            let drain = take_drain(this.meta).expect("a finished task was polled");
            return poll_drain(this.meta, this.standing, drain, cx);
        }
        if this.meta.cancelled.load(Ordering::Acquire) {
            // Dropping the state runs the task's drop code: a panic there is the task's,
            // caught and named like any other, never the run loop's. What the drop leaves
            // stopping (its scopes' tasks) is waited for before the task ends.
            let (dropped, pending) = {
                let _running = TaskGuard::enter(task);
                drain::collect(|| catch_unwind(AssertUnwindSafe(|| this.inner.set(None))))
            };
            let (how, error) = match dropped {
                Ok(()) => (Ended::Cancelled, TaskError::Cancelled { task }),
                Err(payload) => {
                    crate::report::say_caught();
                    let message = payload_text(&*payload);
                    (Ended::Panicked, TaskError::Panicked { task, message })
                }
            };
            if pending.is_empty() {
                end(this.standing, how, None);
                return Poll::Ready(Err(error));
            }
            let drain = Drain {
                pending,
                how,
                error,
            };
            return poll_drain(this.meta, this.standing, drain, cx);
        }
        let id = u64::from(*this.id);
        let started = trace::begin(id);
        let polled = {
            #[cfg(feature = "tracing")]
            let _span = tracing::trace_span!("poll", task = %task).entered();
            let _running = TaskGuard::enter_task(task, *this.standing != UNREGISTERED);
            let inner = this
                .inner
                .as_mut()
                .as_pin_mut()
                .expect("a finished task was polled");
            catch_unwind(AssertUnwindSafe(|| inner.poll(cx)))
        };
        match polled {
            Ok(Poll::Pending) => {
                let waits_for = reason::take();
                let elapsed = trace::end(started, id, task, Outcome::Paused(waits_for));
                if *this.standing == UNREGISTERED {
                    // Its first pause: from now on only its waker can bring it back, so the
                    // scheduler must know it to cancel it, name it, or report a deadlock.
                    let meta = *this.meta;
                    if let Some(key) = context::with_scheduler(|current| {
                        current.map(|current| current.register(meta, cx.waker().clone()))
                    }) {
                        meta.started.store(true, Ordering::Relaxed);
                        *this.standing = standing_of(key);
                    }
                }
                if *this.standing < ENDED {
                    let key = *this.standing as usize;
                    // The single-threaded scheduler or a pool worker through its plain
                    // pointer; a closing pool through the general lookup.
                    let noted = context::with_local(|local| {
                        local.note_paused(key, waits_for);
                        local.note_polled(task, elapsed);
                    })
                    .or_else(|| context::with_worker(|worker| worker.note_polled(task, elapsed)));
                    if noted.is_none() {
                        context::with_scheduler(|current| {
                            if let Some(current) = current {
                                current.note_paused(key, waits_for);
                                current.note_polled(task, elapsed);
                            }
                        });
                    }
                }
                Poll::Pending
            }
            Ok(Poll::Ready(value)) => {
                let elapsed = trace::end(started, id, task, Outcome::Finished);
                this.inner.set(None);
                end(this.standing, Ended::Finished, Some((task, elapsed)));
                Poll::Ready(Ok(value))
            }
            Err(payload) => {
                crate::report::say_caught();
                let elapsed = trace::end(started, id, task, Outcome::Panicked);
                this.inner.set(None);
                end(this.standing, Ended::Panicked, Some((task, elapsed)));
                let message = payload_text(&*payload);
                Poll::Ready(Err(TaskError::Panicked { task, message }))
            }
        }
    }
}

/// Makes a task of `future` named `name` that belongs to `home`, queues it there, and
/// returns its handle. Every flavour of scheduler spawns through here; whenever the task is
/// woken, [`home::schedule`] queues it again.
///
/// # Safety
///
/// The obligations of `async_task::Builder::spawn_unchecked`, which the caller's own
/// `# Safety` section discharges: if `F` is not `Send`, its `Runnable` must be run and
/// dropped on this thread; if `F` is not `'static`, what it borrows must outlive the task;
/// the schedule function, a plain fn, is `Send + Sync + 'static`.
pub(crate) unsafe fn spawn<'a, F>(name: TaskName, home: Home, future: F) -> TaskHandle<F::Output>
where
    F: Future + 'a,
    F::Output: 'a,
{
    let builder = Builder::new().metadata(Meta::new(name, home));
    let schedule = WithInfo(home::schedule);
    // SAFETY: passed on to the caller (see above).
    let (runnable, task) =
        unsafe { builder.spawn_unchecked(move |meta| TaskFuture::new(meta, future), schedule) };
    let waker = runnable.waker();
    runnable.schedule();
    TaskHandle::new(task, waker)
}
