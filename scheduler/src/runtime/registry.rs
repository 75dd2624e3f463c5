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

/// What a closing loop takes from its registry before it cancels: each started task's
/// header and waker. The names are read only as each task is woken, when its header is in
/// the cache anyway (a million parked tasks are not each read twice from memory).
#[derive(Default)]
pub(crate) struct Registered {
    tasks: Vec<(NonNull<Meta>, Waker)>,
}

impl Registered {
    /// Adds `entry`, taking its waker (the entry keeps a no-op one: it is only there to be
    /// taken here, and is dropped with the entry when the task ends), so that no reference
    /// to the task is added and dropped again for each of a million tasks.
    /// An entry already taken (by an earlier closing pass) is left out.
    pub(crate) fn take(&mut self, entry: &mut Entry) {
        if entry.waker.will_wake(Waker::noop()) {
            return;
        }
        let waker = core::mem::replace(&mut entry.waker, Waker::noop().clone());
        self.tasks.push((entry.meta, waker));
    }
}

/// Runs a task one last time as cancelled: its state is dropped and its handle reports
/// `Cancelled`.
pub(crate) fn cancel(runnable: Runnable<Meta>) {
    runnable.metadata().cancelled.store(true, Ordering::Release);
    runnable.run();
}

/// How many started tasks are woken at a time to be cancelled: their queue stays this short
/// (a million parked tasks are not all queued at once).
const WOKEN_AT_A_TIME: usize = 256;

/// Cancels every task a closing loop has left, on the thread that must drop them, and gives
/// their names to `announce` *before* it cancels any: the started ones (`registered`, taken
/// while the loop was closed to new work) and the ones queued that never started. `next`
/// takes the next queued task (`None` once none is queued); `left` says whether a started
/// task is still in the registry.
///
/// Announced first, because a cancelled task's handle has its result as soon as the task
/// is cancelled: a program waiting on it may go on and end at once, and what it would not
/// have seen is the line that names what was cancelled.
///
/// Queued tasks are cancelled at once; started ones are woken (a batch at a time), come
/// back through the queue, and are cancelled there. A wake-up from another thread may still
/// be in flight: it marked its task scheduled (so the wake-up here did nothing) and has not
/// pushed it yet. So it waits until every started task came back and ended, taking the
/// queue again; the wait is as long as that thread's push (it only runs the task's schedule
/// function).
pub(crate) fn cancel_all(
    registered: Registered,
    mut next: impl FnMut() -> Option<Runnable<Meta>>,
    mut left: impl FnMut() -> bool,
    announce: impl FnOnce(Vec<TaskName>),
) {
    let Registered { tasks } = registered;
    // SAFETY: each `waker` is its task's own (`Registered::take` leaves out the no-op ones),
    // held here until it is given up (by `wake`, below): the task's allocation, and the
    // header in it, is alive.
    let mut names: Vec<TaskName> = tasks
        .iter()
        .map(|(meta, _)| unsafe { meta.as_ref() }.name)
        .collect();
    // Named after the started ones.
    let mut queued_names = Vec::new();
    let mut queued = Vec::new();
    let mut registered: Option<HashSet<usize>> = None;
    while let Some(runnable) = next() {
        // A started task that was woken is queued too: it is named with the others as it
        // is woken below. One that never started (most of them) is not in the registry: no
        // lookup.
        let meta = runnable.metadata();
        let listed = meta.registered.load(Ordering::Relaxed)
            && registered
                .get_or_insert_with(|| {
                    tasks
                        .iter()
                        .map(|(meta, _)| meta.as_ptr() as usize)
                        .collect()
                })
                .contains(&meta.address());
        if !listed {
            queued_names.push(meta.name);
        }
        queued.push(runnable);
    }
    drop(registered);
    names.append(&mut queued_names);
    announce(names);
    queued.into_iter().for_each(cancel);
    // Dropping a task's state may wake others.
    while let Some(runnable) = next() {
        cancel(runnable);
    }
    let mut tasks = tasks.into_iter();
    loop {
        let mut woken = 0;
        for (_, waker) in tasks.by_ref().take(WOKEN_AT_A_TIME) {
            waker.wake();
            woken += 1;
        }
        while let Some(runnable) = next() {
            cancel(runnable);
        }
        if woken < WOKEN_AT_A_TIME {
            break;
        }
    }
    crate::test_hooks::reached!(ClosingDrained);
    loop {
        match next() {
            Some(runnable) => cancel(runnable),
            None if left() => std::thread::yield_now(),
            None => break,
        }
    }
}
