//! Started tasks (those that paused once), as both flavours record them: one [`Entry`]
//! type, and [`cancel_all`], the one routine that cancels what a closing loop has left.

use core::ptr::NonNull;
use core::sync::atomic::Ordering;
use core::task::Waker;
use std::collections::HashSet;

use async_task::Runnable;

use crate::names::TaskName;
use crate::task::Meta;

/// A started task, as a registry knows it: its header and its waker, nothing else (a parked
/// task is mostly what it costs here; what it waits on, which only the single-threaded loop
/// notes, is kept beside its registry: `local/reasons.rs`).
pub(crate) struct Entry {
    /// The task's header: alive as long as this entry, which the task's own future removes
    /// (in `TaskFuture`'s poll or drop, through `Schedule::ended`) before its allocation can
    /// go.
    meta: NonNull<Meta>,
    /// Wakes the task: how a closing loop brings it back to cancel it.
    pub(crate) waker: Waker,
}

// SAFETY: `meta` points at a `Meta`, which is `Send + Sync`, and is only read through
// `&Meta` while the task's allocation is alive (see `Entry::meta`); the waker is `Send +
// Sync`.
unsafe impl Send for Entry {}
// SAFETY: as above.
unsafe impl Sync for Entry {}

impl Entry {
    /// The entry of the task whose header is `meta`, woken by `waker`.
    pub(crate) fn new(meta: &Meta, waker: Waker) -> Self {
        Entry {
            meta: NonNull::from(meta),
            waker,
        }
    }

    /// The task's header.
    pub(crate) fn meta(&self) -> &Meta {
        // SAFETY: see `Entry::meta`: the task's allocation, and its header, outlive this
        // entry.
        unsafe { self.meta.as_ref() }
    }

    /// The task's name.
    pub(crate) fn name(&self) -> TaskName {
        self.meta().name
    }
}

/// What a closing loop takes from its registry before it cancels: the started tasks'
/// names, their headers' addresses (to tell a queued copy of one from a task that never
/// started) and their wakers.
#[derive(Default)]
pub(crate) struct Registered {
    names: Vec<TaskName>,
    /// Looked up only if a started task is found queued (rare: one woken as the loop
    /// closed), so that a million parked tasks are not hashed to be cancelled.
    addresses: Vec<usize>,
    wakers: Vec<Waker>,
}

impl Registered {
    /// Adds `entry`.
    pub(crate) fn add(&mut self, entry: &Entry) {
        self.names.push(entry.name());
        self.addresses.push(entry.meta.as_ptr() as usize);
        self.wakers.push(entry.waker.clone());
    }
}

/// Runs a task one last time as cancelled: its state is dropped and its handle reports
/// `Cancelled`.
pub(crate) fn cancel(runnable: Runnable<Meta>) {
    runnable.metadata().cancelled.store(true, Ordering::Release);
    runnable.run();
}

/// Cancels every task a closing loop has left, on the thread that must drop them, and
/// returns their names: the started ones (`registered`, taken while the loop was closed to
/// new work) and the ones queued that never started. `next` takes the next queued task
/// (`None` once none is queued); `left` says whether a started task is still in the
/// registry.
///
/// Queued tasks are cancelled at once; started ones are woken, come back through the queue,
/// and are cancelled there. A wake-up from another thread may still be in flight: it marked
/// its task scheduled (so the wake-up here did nothing) and has not pushed it yet. So it
/// waits until every started task came back and ended, taking the queue again; the wait is
/// as long as that thread's push (it only runs the task's schedule function).
pub(crate) fn cancel_all(
    registered: Registered,
    mut next: impl FnMut() -> Option<Runnable<Meta>>,
    mut left: impl FnMut() -> bool,
) -> Vec<TaskName> {
    let Registered {
        mut names,
        addresses,
        wakers,
    } = registered;
    let mut queued = Vec::new();
    let mut registered: Option<HashSet<usize>> = None;
    while let Some(runnable) = next() {
        // A started task that was woken is queued too: name it once. One that never
        // started (most of them) is not in the registry: no lookup.
        let meta = runnable.metadata();
        let listed = meta.registered.load(Ordering::Relaxed)
            && registered
                .get_or_insert_with(|| addresses.iter().copied().collect())
                .contains(&meta.address());
        if !listed {
            names.push(meta.name);
        }
        queued.push(runnable);
    }
    for waker in wakers {
        waker.wake();
    }
    queued.into_iter().for_each(cancel);
    // Dropping a task's state may wake others.
    while let Some(runnable) = next() {
        cancel(runnable);
    }
    crate::test_hooks::reached!(ClosingDrained);
    loop {
        match next() {
            Some(runnable) => cancel(runnable),
            None if left() => std::thread::yield_now(),
            None => break,
        }
    }
    names
}
