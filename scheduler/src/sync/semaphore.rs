//! [`Semaphore`]: a count of permits, to bound how many tasks do something at once.

use core::fmt;
use core::future::Future;

use crate::pause::Pause;
use crate::reason::why;

/// A permit of a [`Semaphore`]: dropping it gives the permit back.
pub use async_lock::SemaphoreGuard;

/// A count of permits (over `async_lock::Semaphore`): `acquire()` takes one, pausing the
/// task while none is left; the guard gives it back when dropped. Use it to bound how many
/// tasks do something at once (connections, downloads).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use scheduler::sync::Semaphore;
///
/// #[scheduler::task]
/// fn download(slots: Rc<Semaphore>, busy: Rc<Cell<u32>>, most: Rc<Cell<u32>>) {
///     let _permit = slots.acquire(); // at most two at once past this line
///     busy.set(busy.get() + 1);
///     most.set(most.get().max(busy.get()));
///     scheduler::yield_now();
///     busy.set(busy.get() - 1);
/// }
///
/// #[scheduler::task]
/// fn download_all() -> u32 {
///     let (slots, busy, most) = (Rc::new(Semaphore::new(2)), Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
///     let handles: Vec<_> = (0..5)
///         .map(|_| scheduler::queue_to_run(download, (slots.clone(), busy.clone(), most.clone())))
///         .collect();
///     scheduler::wait_all(handles);
///     most.get()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(download_all, ()), 2);
/// ```
pub struct Semaphore {
    inner: async_lock::Semaphore,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::sync::Semaphore::new(1);
    /// assert!(s.try_acquire().is_some());
    /// ```
    pub const fn new(permits: usize) -> Self {
        Semaphore {
            inner: async_lock::Semaphore::new(permits),
        }
    }

    /// ⏸ Takes a permit, pausing the task until one is free; the guard gives it back.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn work(s: std::rc::Rc<scheduler::sync::Semaphore>) -> bool {
    ///     let _permit = s.acquire();
    ///     s.try_acquire().is_none() // the only permit is ours
    /// }
    ///
    /// let s = std::rc::Rc::new(scheduler::sync::Semaphore::new(1));
    /// assert!(scheduler::Scheduler::new().run_until_finished(work, (s,)));
    /// ```
    #[track_caller]
    pub fn acquire(&self) -> Pause<impl Future<Output = SemaphoreGuard<'_>>> {
        Pause::because(why::Acquire, self.inner.acquire())
    }

    /// Takes a permit if one is free now; never pauses.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::sync::Semaphore::new(1);
    /// let permit = s.try_acquire().unwrap();
    /// assert!(s.try_acquire().is_none());
    /// drop(permit);
    /// assert!(s.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        // Its guard (or the permits) may wake a task from outside every scheduler.
        crate::context::note_possible_foreign_use();
        self.inner.try_acquire()
    }

    /// Adds `n` permits.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::sync::Semaphore::new(0);
    /// assert!(s.try_acquire().is_none());
    /// s.add_permits(1);
    /// assert!(s.try_acquire().is_some());
    /// ```
    pub fn add_permits(&self, n: usize) {
        // Its guard (or the permits) may wake a task from outside every scheduler.
        crate::context::note_possible_foreign_use();
        self.inner.add_permits(n);
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
