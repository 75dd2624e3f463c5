//! The future every queued task runs in: it names the task while it runs, turns a panic
//! into a [`TaskError`], and drops the task's state at once when it is cancelled.

use core::future::Future;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::sync::atomic::Ordering;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use pin_project_lite::pin_project;

use super::handle::{Finished, TaskError};
use super::header::Meta;
use super::{Polled, Schedule};
use crate::context::TaskGuard;
use crate::drain::{self, Pending};
use crate::lock::lock;
use crate::reason;
use crate::report::payload_text;
use crate::stats::Ended;
use crate::trace::{self, Outcome};

pin_project! {
    /// A task's future `F`, as the run loop of its flavour `S` polls it.
    pub(crate) struct TaskFuture<'m, F, S: Schedule> {
        meta: &'m Meta,
        // Where the task stands with its scheduler, in one word (tasks are small, and a
        // parked one is nothing else): its key in the registry of started tasks from its
        // first pause, `UNREGISTERED` before, `ENDED` once its end was reported (exactly
        // once). A task that ends in its first poll never touches the registry.
        standing: u32,
        // The task's track in a trace (31 bits, 0 when not tracing), and `DROPPED`: next to
        // `standing`, in the same word.
        id: u32,
        // The task's state, dropped in place once the task finished, panicked or was
        // cancelled (right then, not when the last handle goes), which `DROPPED` in `id`
        // then says: an `Option` would cost the task a word for its tag. A task polled with
        // its state dropped is a cancelled one whose drain goes on (see `DRAINING`).
        #[pin]
        inner: ManuallyDrop<F>,
        // What the task reports to: its flavour, by type only.
        flavour: PhantomData<fn() -> S>,
    }

    impl<'m, F, S: Schedule> PinnedDrop for TaskFuture<'m, F, S> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // No state and no end yet: dropped while it drained (its scheduler went), and
            // nobody waits any more.
            let draining = *this.id & DROPPED != 0 && *this.standing != ENDED;
            // Drop the state first (user drop code may still want the registry), then leave.
            drop_state(this.inner.as_mut(), this.id);
            if draining {
                drop(take_drain(this.meta));
            }
            end::<S>(this.meta, this.standing, Ended::Cancelled, None);
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

/// `TaskFuture::id`'s bit that says the task's state was dropped.
const DROPPED: u32 = 1 << 31;

/// Drops the task's state in place, unless it was dropped already, and notes it in `id`.
fn drop_state<F>(inner: Pin<&mut ManuallyDrop<F>>, id: &mut u32) {
    if *id & DROPPED != 0 {
        return;
    }
    // Noted first: a drop that panics has dropped what it could (the rest of the state's
    // fields are dropped as it unwinds) and is never run again.
    *id |= DROPPED;
    // SAFETY: the state is dropped where it was pinned, never moved out (it is only
    // reached through `state`, pinned), and once: `DROPPED`, set just above, is never
    // cleared, and every use of the state checks it first.
    unsafe { ManuallyDrop::drop(inner.get_unchecked_mut()) }
}

/// The task's state, pinned, while it is there (`DROPPED` clear in `id`).
fn state<F>(inner: Pin<&mut ManuallyDrop<F>>, id: u32) -> Pin<&mut F> {
    assert!(id & DROPPED == 0, "a finished task was polled");
    // SAFETY: pinning is structural for the state: it is never moved out of `inner` (it is
    // dropped in place, `drop_state`), and `TaskFuture` is `Unpin` only when `F` is
    // (`ManuallyDrop<F>` is `Unpin` exactly when `F` is).
    unsafe { inner.map_unchecked_mut(|state| &mut **state) }
}

/// Takes the drain of the task `meta` out of `DRAINING`, if it has one.
fn take_drain(meta: &Meta) -> Option<Drain> {
    let mut draining = lock(&DRAINING);
    let index = draining.iter().position(|(at, _)| *at == meta.address())?;
    Some(draining.swap_remove(index).1)
}

/// Polls the drain of a cancelled task; ends the task once it has drained.
fn poll_drain<T, S: Schedule>(
    meta: &Meta,
    standing: &mut u32,
    mut drain: Drain,
    cx: &mut Context<'_>,
) -> Poll<Result<T, TaskError>> {
    // Only this task's poll or drop touches its entry, never two at once, so it may be
    // polled outside the lock and put back.
    if drain::poll_all(&mut drain.pending, cx).is_pending() {
        let address = meta.address();
        lock(&DRAINING).push((address, drain));
        return Poll::Pending;
    }
    end::<S>(meta, standing, drain.how, None);
    Poll::Ready(Err(drain.error))
}

impl<'m, F: Future, S: Schedule> TaskFuture<'m, F, S> {
    /// The future of a task being queued (a trace records who queued it).
    pub(crate) fn new(meta: &'m Meta, future: F) -> Self {
        let id = u32::try_from(trace::new_id())
            .ok()
            .filter(|id| id & DROPPED == 0)
            .unwrap_or(0);
        trace::spawned(u64::from(id), meta.name);
        TaskFuture {
            meta,
            standing: UNREGISTERED,
            id,
            inner: ManuallyDrop::new(future),
            flavour: PhantomData,
        }
    }
}

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
/// and tells its scheduler, which removes it from its registry.
fn end<S: Schedule>(meta: &Meta, standing: &mut u32, how: Ended, polled: Option<Polled>) {
    let key = core::mem::replace(standing, ENDED);
    if key == ENDED {
        return;
    }
    let key = (key != UNREGISTERED).then_some(key as usize);
    S::ended(meta, key, how, polled);
}

impl<F: Future, S: Schedule> Future for TaskFuture<'_, F, S> {
    type Output = Finished<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let task = self.meta.name;
        self.poll_result(cx)
            .map(|result| Finished::new(task, result))
    }
}

impl<F: Future, S: Schedule> TaskFuture<'_, F, S> {
    /// The poll of the task itself: its result, once it has one.
    #[inline]
    fn poll_result(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<F::Output, TaskError>> {
        let mut this = self.project();
        let task = this.meta.name;
        if *this.id & DROPPED != 0 {
            // Only a cancelled task whose drain goes on is polled with no state.
            let drain = take_drain(this.meta).expect("a finished task was polled");
            return poll_drain::<_, S>(this.meta, this.standing, drain, cx);
        }
        if this.meta.cancelled.load(Ordering::Acquire) {
            // Dropping the state runs the task's drop code: a panic there is the task's,
            // caught and named like any other, never the run loop's. What the drop leaves
            // stopping (its scopes' tasks) is waited for before the task ends.
            let (dropped, pending) = {
                let _running = TaskGuard::enter(task);
                drain::collect(|| {
                    catch_unwind(AssertUnwindSafe(|| {
                        drop_state(this.inner.as_mut(), this.id)
                    }))
                })
            };
            let (how, error) = match dropped {
                Ok(()) => (Ended::Cancelled, TaskError::Cancelled { task }),
                Err(payload) => {
                    crate::stderr::say_caught();
                    let message = payload_text(&*payload);
                    (Ended::Panicked, TaskError::Panicked { task, message })
                }
            };
            if pending.is_empty() {
                end::<S>(this.meta, this.standing, how, None);
                return Poll::Ready(Err(error));
            }
            let drain = Drain {
                pending,
                how,
                error,
            };
            return poll_drain::<_, S>(this.meta, this.standing, drain, cx);
        }
        let id = u64::from(*this.id);
        // A flavour that keeps states tells its running tasks from its workers.
        crate::stack::begin(this.meta.address(), !S::STATES);
        let started = trace::begin(id);
        let polled = {
            #[cfg(feature = "tracing")]
            let _span = tracing::trace_span!("poll", task = %task).entered();
            let _running = TaskGuard::enter_task(
                task,
                *this.standing != UNREGISTERED,
                this.meta.stack.address(),
            );
            let inner = state(this.inner.as_mut(), *this.id);
            catch_unwind(AssertUnwindSafe(|| inner.poll(cx)))
        };
        match polled {
            Ok(Poll::Pending) => {
                let waits_for = reason::take();
                this.meta.stack.paused(waits_for, S::STATES);
                let elapsed = trace::end(started, id, task, Outcome::Paused(waits_for));
                if *this.standing == UNREGISTERED {
                    // Its first pause: from now on only its waker can bring it back.
                    let meta = *this.meta;
                    if let Some(key) = S::register(meta, cx.waker().clone()) {
                        meta.registered.store(true, Ordering::Relaxed);
                        *this.standing = standing_of(key);
                    }
                }
                if *this.standing < ENDED {
                    let key = *this.standing as usize;
                    S::paused(this.meta, key, waits_for, (task, elapsed));
                }
                Poll::Pending
            }
            Ok(Poll::Ready(value)) => {
                let elapsed = trace::end(started, id, task, Outcome::Finished);
                drop_state(this.inner.as_mut(), this.id);
                end::<S>(
                    this.meta,
                    this.standing,
                    Ended::Finished,
                    Some((task, elapsed)),
                );
                Poll::Ready(Ok(value))
            }
            Err(payload) => {
                let resumed = this.meta.stack.read().report_lines();
                if !resumed.is_empty() {
                    crate::stderr::add_to_held(&format!(
                        "  (it was resumed from where it paused last:{resumed})\n"
                    ));
                }
                crate::stderr::say_caught();
                let elapsed = trace::end(started, id, task, Outcome::Panicked);
                drop_state(this.inner.as_mut(), this.id);
                end::<S>(
                    this.meta,
                    this.standing,
                    Ended::Panicked,
                    Some((task, elapsed)),
                );
                let message = payload_text(&*payload);
                Poll::Ready(Err(TaskError::Panicked { task, message }))
            }
        }
    }
}
