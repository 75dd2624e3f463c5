//! Where a task belongs: its scheduler, kept in the task's header (its [`Meta`]) as one
//! pointer, and [`schedule`], the one function that queues every woken task.
//!
//! async-task clones and drops a waker around each call of a schedule function that
//! captures anything, to keep what it captured alive during the call: two atomic operations
//! per wake-up, a fifth of the time of a `yield_now` on one thread. [`schedule`] captures
//! nothing; it finds the scheduler through the task's header, and holds a reference of its
//! own only on the path where the task may run, and be freed, on another thread before the
//! call returns.

use core::ptr::NonNull;
use std::sync::Arc;

use async_task::{Runnable, ScheduleInfo};

use crate::context;
use crate::local::{Job, Shared};
use crate::names::TaskName;
use crate::pool::{self, PoolShared};
use crate::task::Meta;

/// A task's scheduler, owned: what a task is made with.
pub(crate) enum Home {
    /// A single-threaded scheduler.
    Local(Arc<Shared>),
    /// A pool; any worker may run the task.
    Pool(Arc<PoolShared>),
    /// A pool; only worker `.1` may run the task (it may be `!Send`).
    Pinned(Arc<PoolShared>, u32),
}

/// [`Meta::home_kind`]: `home` is an `Arc<Shared>`.
const LOCAL: u8 = 0;
/// [`Meta::home_kind`]: `home` is an `Arc<PoolShared>`; the task may run anywhere.
const POOL: u8 = 1;
/// [`Meta::home_kind`]: `home` is an `Arc<PoolShared>`; the task stays on worker
/// [`Meta::home_worker`].
const PINNED: u8 = 2;

impl Home {
    /// The header fields that own this home (`Meta::home`, `home_kind`, `home_worker`):
    /// kept in `Meta` itself, not in a struct of their own, so that the kind and worker
    /// index fill its padding and a task is no bigger than with a capturing schedule
    /// function.
    pub(crate) fn into_raw(self) -> (NonNull<()>, u8, u32) {
        let (ptr, kind, worker) = match self {
            Home::Local(shared) => (Arc::into_raw(shared).cast::<()>(), LOCAL, 0),
            Home::Pool(pool) => (Arc::into_raw(pool).cast::<()>(), POOL, 0),
            Home::Pinned(pool, worker) => (Arc::into_raw(pool).cast::<()>(), PINNED, worker),
        };
        let ptr = NonNull::new(ptr.cast_mut()).expect("`Arc::into_raw` is never null");
        (ptr, kind, worker)
    }
}

impl Meta {
    /// The single-threaded scheduler, if the task belongs to one.
    pub(crate) fn local(&self) -> Option<&Shared> {
        // SAFETY: for `LOCAL`, `home` came from `Arc::<Shared>::into_raw` and `self` still
        // owns that reference (it is given back only in `drop`), so the `Shared` is alive
        // for as long as `self` is borrowed.
        (self.home_kind == LOCAL).then(|| unsafe { self.home.cast::<Shared>().as_ref() })
    }

    /// The pool, if the task belongs to one, and the worker it is pinned to, if it is.
    pub(crate) fn pool(&self) -> Option<(&PoolShared, Option<usize>)> {
        let pinned = self.pinned().then_some(self.home_worker as usize);
        // SAFETY: as in `local`, for an `Arc<PoolShared>`.
        (self.home_kind != LOCAL)
            .then(|| (unsafe { self.home.cast::<PoolShared>().as_ref() }, pinned))
    }

    /// Whether the task must stay on the worker thread that queued it (it may be `!Send`).
    pub(crate) fn pinned(&self) -> bool {
        self.home_kind == PINNED
    }

    /// A reference of the caller's own to the scheduler, to keep it alive once the task is
    /// queued (after which the task, and `self` with it, may be freed on another thread).
    fn keep_alive(&self) -> Home {
        // SAFETY: `home` came from `Arc::into_raw` of the type `home_kind` says, and `self`
        // owns one reference, so the count is at least one while we add ours.
        unsafe {
            if self.home_kind == LOCAL {
                let shared = self.home.cast::<Shared>().as_ptr();
                Arc::increment_strong_count(shared);
                Home::Local(Arc::from_raw(shared))
            } else {
                let pool = self.home.cast::<PoolShared>().as_ptr();
                Arc::increment_strong_count(pool);
                Home::Pool(Arc::from_raw(pool))
            }
        }
    }
}

impl Drop for Meta {
    fn drop(&mut self) {
        // SAFETY: `home` came from `Arc::into_raw` of the type `home_kind` says, and this is
        // the one place that gives the reference back.
        unsafe {
            if self.home_kind == LOCAL {
                drop(Arc::from_raw(self.home.cast::<Shared>().as_ptr()));
            } else {
                drop(Arc::from_raw(self.home.cast::<PoolShared>().as_ptr()));
            }
        }
    }
}

// SAFETY: `Meta::home` is an `Arc<Shared>` or an `Arc<PoolShared>` in disguise, and both
// are `Send + Sync` (asserted below); every other field is `Send + Sync`. So sending or
// sharing a `Meta` sends or shares an `Arc` and plain data.
unsafe impl Send for Meta {}
// SAFETY: see `Send`.
unsafe impl Sync for Meta {}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Arc<Shared>>();
    send_sync::<Arc<PoolShared>>();
    send_sync::<TaskName>();
};

/// Queues a woken task on its scheduler: the schedule function of every task.
pub(crate) fn schedule(runnable: Runnable<Meta>, info: ScheduleInfo) {
    let meta = runnable.metadata();
    if let Some(shared) = meta.local() {
        // On the scheduler's own thread: its own queue (the `Local` running here keeps the
        // scheduler alive). Only the address is compared: the task may be queued away.
        let shared: *const Shared = shared;
        let mut job = Some(Job::Task(runnable));
        context::with_local(|local| {
            if core::ptr::eq(&*local.shared, shared) {
                local.push_own(job.take().expect("queued once"), info.woken_while_running);
            }
        });
        if let Some(Job::Task(runnable)) = job
            && let Home::Local(shared) = runnable.metadata().keep_alive()
        {
            crate::test_hooks::reached!(ForeignWakeBeforePush);
            shared.push(Job::Task(runnable), false);
        }
        return;
    }
    let Some((pool, pinned)) = meta.pool() else {
        return;
    };
    let pool: *const PoolShared = pool;
    let Some(runnable) = pool::push_here(pool, pinned, runnable) else {
        return;
    };
    if let Home::Pool(pool) = runnable.metadata().keep_alive() {
        crate::test_hooks::reached!(ForeignWakeBeforePush);
        pool.push_from_elsewhere(pinned, runnable);
    }
}
