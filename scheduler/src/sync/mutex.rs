//! [`Mutex`]: a lock whose `lock()` pauses the task instead of blocking the thread.

use core::fmt;
use core::future::Future;

use crate::pause::Pause;
use crate::reason::why;

/// The guard of a locked [`Mutex`]: derefs to the value; dropping it unlocks.
pub use async_lock::MutexGuard;

/// A lock for a value shared by tasks (over `async_lock::Mutex`). Waiting for it pauses the
/// task, not the thread, so it may be held across pause points; waiters get it in turn.
///
/// A task cancelled while it holds the guard drops it with its state, which unlocks.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use scheduler::sync::Mutex;
///
/// #[scheduler::task]
/// fn append(log: Rc<Mutex<Vec<u32>>>, n: u32) {
///     let mut log = log.lock();
///     scheduler::yield_now(); // still holding the lock: the other task waits
///     log.push(n);
///     log.push(n);
/// }
///
/// #[scheduler::task]
/// fn both() -> Vec<u32> {
///     let log = Rc::new(Mutex::new(Vec::new()));
///     let a = scheduler::queue_to_run(append, (log.clone(), 1));
///     let b = scheduler::queue_to_run(append, (log.clone(), 2));
///     scheduler::wait_all([a, b]);
///     log.lock().clone()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(both, ()), [1, 1, 2, 2]);
/// ```
#[derive(Default)]
pub struct Mutex<T: ?Sized> {
    inner: async_lock::Mutex<T>,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = scheduler::sync::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    pub const fn new(value: T) -> Self {
        Mutex {
            inner: async_lock::Mutex::new(value),
        }
    }

    /// The value, taking the mutex apart.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = scheduler::sync::Mutex::new(String::from("tv"));
    /// assert_eq!(m.into_inner(), "tv");
    /// ```
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// ⏸ Locks the mutex, pausing the task until it is free, and gives the guard.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn bump(m: std::rc::Rc<scheduler::sync::Mutex<u32>>) -> u32 {
    ///     let mut n = m.lock();
    ///     *n += 1;
    ///     *n
    /// }
    ///
    /// let m = std::rc::Rc::new(scheduler::sync::Mutex::new(1));
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(bump, (m,)), 2);
    /// ```
    #[track_caller]
    pub fn lock(&self) -> Pause<impl Future<Output = MutexGuard<'_, T>>> {
        Pause::because(why::Lock, self.inner.lock())
    }

    /// Locks the mutex if it is free now; never pauses.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = scheduler::sync::Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_none()); // held
    /// drop(guard);
    /// assert!(m.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        // Its guard (or the permits) may wake a task from outside every scheduler.
        crate::context::note_possible_foreign_use();
        self.inner.try_lock()
    }

    /// The value, through a unique borrow of the mutex (no locking needed).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = scheduler::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
