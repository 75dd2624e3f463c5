//! What every task carries in its header (async-task metadata): its name, its cancel flag,
//! whether it is registered, and its home: the shared state of the scheduler it belongs to,
//! as one pointer and a static vtable, whatever the flavour.
//!
//! async-task clones and drops a waker around each call of a schedule function that
//! captures anything, to keep what it captured alive during the call: two atomic operations
//! per wake-up, a fifth of the time of a `yield_now` on one thread. So the schedule function
//! of every task captures nothing ([`Schedule::schedule`](super::Schedule::schedule), a plain
//! fn of its flavour), and finds its scheduler here.

use core::ptr::NonNull;
use core::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::names::TaskName;

/// A task's header.
pub(crate) struct Meta {
    /// The task's name, for messages and traces.
    pub(crate) name: TaskName,
    /// Set by [`TaskHandle::cancel`](crate::TaskHandle::cancel) and by a dropped scheduler;
    /// read before every poll. Once set it is never cleared.
    pub(crate) cancelled: AtomicBool,
    /// Set when the task first pauses, as it enters its scheduler's registry; never cleared
    /// (it leaves the registry only when it ends). A task that never pauses never enters it.
    pub(crate) registered: AtomicBool,
    /// The word its flavour keeps beside the home (a pool: the worker a pinned task stays
    /// on). Next to the flags, in what would be padding.
    home_slot: u32,
    /// `Arc::into_raw` of the scheduler's shared state; the header owns that reference.
    home: NonNull<()>,
    /// What the type behind `home` is, as far as the header must know: how to let it go.
    vtable: &'static HomeVtable,
    /// Its latest pause stack, for dumps and reports (`stack.rs`).
    pub(crate) stack: crate::stack::StackCell,
}

/// What a header knows of its home's type.
struct HomeVtable {
    /// Gives back the reference `Meta::new` took.
    release: unsafe fn(NonNull<()>),
}

/// The vtable of a home of type `T`: one static per type.
trait HasVtable {
    const VTABLE: &'static HomeVtable;
}

impl<T: Send + Sync + 'static> HasVtable for T {
    const VTABLE: &'static HomeVtable = &HomeVtable {
        release: release::<T>,
    };
}

/// Drops the reference behind `home`.
///
/// # Safety
///
/// `home` came from `Arc::<T>::into_raw`, and that reference is given back only here, once.
unsafe fn release<T>(home: NonNull<()>) {
    // SAFETY: the caller's promise (above).
    drop(unsafe { Arc::from_raw(home.cast::<T>().as_ptr()) });
}

impl Meta {
    /// The header of a task named `name` that belongs to `home`, with its flavour's word
    /// `home_slot`.
    pub(crate) fn new<T: Send + Sync + 'static>(
        name: TaskName,
        home: Arc<T>,
        home_slot: u32,
    ) -> Self {
        let home = NonNull::new(Arc::into_raw(home).cast::<()>().cast_mut())
            .expect("`Arc::into_raw` is never null");
        Meta {
            name,
            cancelled: AtomicBool::new(false),
            registered: AtomicBool::new(false),
            home_slot,
            home,
            vtable: T::VTABLE,
            stack: crate::stack::StackCell::new(),
        }
    }

    /// This header's address: tells tasks apart (names may repeat).
    #[inline]
    pub(crate) fn address(&self) -> usize {
        self as *const Meta as usize
    }

    /// The word the task's flavour keeps beside its home.
    #[inline]
    pub(crate) fn home_slot(&self) -> u32 {
        self.home_slot
    }

    /// The task's home.
    ///
    /// # Safety
    ///
    /// `T` is the type the header was made with (`Meta::new`): a flavour asks only of its
    /// own tasks, which `task::spawn::<S>` made with an `Arc<S::Home>`.
    #[inline]
    pub(crate) unsafe fn home<T>(&self) -> &T {
        // SAFETY: `home` came from `Arc::<T>::into_raw` (the caller's promise) and `self`
        // owns that reference until it drops, so the `T` lives as long as `self` is borrowed.
        unsafe { self.home.cast::<T>().as_ref() }
    }

    /// A reference of the caller's own to the task's home, to keep it alive once the task is
    /// queued (after which the task, and `self` with it, may be freed on another thread).
    ///
    /// # Safety
    ///
    /// As for [`Meta::home`].
    #[inline]
    pub(crate) unsafe fn keep_home_alive<T>(&self) -> Arc<T> {
        let home = self.home.cast::<T>().as_ptr();
        // SAFETY: `home` came from `Arc::<T>::into_raw` (the caller's promise), and `self`
        // owns one reference, so the count is at least one while we add ours.
        unsafe {
            Arc::increment_strong_count(home);
            Arc::from_raw(home)
        }
    }
}

impl Drop for Meta {
    fn drop(&mut self) {
        // SAFETY: `home` came from `Arc::into_raw` of the type the vtable was made for
        // (`Meta::new` takes both from one `T`), and this is the one place that gives the
        // reference back.
        unsafe { (self.vtable.release)(self.home) }
    }
}

// SAFETY: `Meta::home` is an `Arc<T>` in disguise for a `T: Send + Sync` (the bound of
// `Meta::new`), and every other field is `Send + Sync`. So sending or sharing a `Meta` sends
// or shares an `Arc` of a `Send + Sync` value and plain data.
unsafe impl Send for Meta {}
// SAFETY: see `Send`.
unsafe impl Sync for Meta {}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<TaskName>();
};
