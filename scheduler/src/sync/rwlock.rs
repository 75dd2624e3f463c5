//! [`RwLock`]: many readers or one writer, and waiting for it pauses the task.

use core::fmt;
use core::future::Future;

use crate::pause::Pause;
use crate::reason::why;

/// The guard of a read lock on a [`RwLock`]: derefs to the value; dropping it unlocks.
pub use async_lock::RwLockReadGuard;
/// The guard of the write lock on a [`RwLock`]: derefs mutably; dropping it unlocks.
pub use async_lock::RwLockWriteGuard;

/// A lock that lets many tasks read a value at once, or one task write it (over
/// `async_lock::RwLock`). Waiting for it pauses the task, not the thread, so guards may be
/// held across pause points. A waiting writer keeps new readers out, so writers are not
/// starved.
///
/// Cancelling a task that waits for the lock loses nothing (the lock goes to the next
/// waiter); a task cancelled while it holds a guard drops it with its state, which unlocks.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use scheduler::sync::RwLock;
///
/// #[scheduler::task]
/// fn reader(config: Arc<RwLock<String>>) -> usize {
///     let config = config.read(); // many readers at once
///     scheduler::yield_now();
///     config.len()
/// }
///
/// #[scheduler::task]
/// fn update() -> Vec<usize> {
///     let config = Arc::new(RwLock::new(String::from("tv")));
///     let readers: Vec<_> = (0..3).map(|_| scheduler::queue_to_run(reader, (config.clone(),))).collect();
///     scheduler::yield_now(); // the readers start, and hold the lock across a pause
///     config.write().push_str(" on"); // waits until no reader holds it
///     let mut lens = scheduler::wait_all(readers);
///     lens.push(config.read().len());
///     lens
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(update, ()), [2, 2, 2, 5]);
/// ```
#[derive(Default)]
pub struct RwLock<T: ?Sized> {
    inner: async_lock::RwLock<T>,
}

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = scheduler::sync::RwLock::new(5);
    /// assert_eq!(lock.into_inner(), 5);
    /// ```
    pub const fn new(value: T) -> Self {
        RwLock {
            inner: async_lock::RwLock::new(value),
        }
    }

    /// The value, taking the lock apart.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = scheduler::sync::RwLock::new(vec![1]);
    /// assert_eq!(lock.into_inner(), [1]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// ⏸ Locks for reading, pausing the task while a writer holds the lock or waits for it,
    /// and gives the guard.
    ///
    /// Cancelling a task paused here loses nothing: it never held the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn both(lock: std::rc::Rc<scheduler::sync::RwLock<u32>>) -> u32 {
    ///     let a = lock.read();
    ///     let b = lock.read(); // a second reader does not wait
    ///     *a + *b
    /// }
    ///
    /// let lock = std::rc::Rc::new(scheduler::sync::RwLock::new(2));
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(both, (lock,)), 4);
    /// ```
    #[track_caller]
    pub fn read(&self) -> Pause<impl Future<Output = RwLockReadGuard<'_, T>>> {
        Pause::because(why::Read, self.inner.read())
    }

    /// ⏸ Locks for writing, pausing the task until no one else holds the lock, and gives
    /// the guard.
    ///
    /// Cancelling a task paused here loses nothing: it never held the lock, and readers it
    /// kept out get in.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn bump(lock: std::rc::Rc<scheduler::sync::RwLock<u32>>) -> u32 {
    ///     *lock.write() += 1;
    ///     *lock.read()
    /// }
    ///
    /// let lock = std::rc::Rc::new(scheduler::sync::RwLock::new(1));
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(bump, (lock,)), 2);
    /// ```
    #[track_caller]
    pub fn write(&self) -> Pause<impl Future<Output = RwLockWriteGuard<'_, T>>> {
        Pause::because(why::Write, self.inner.write())
    }

    /// Locks for reading if no writer holds the lock or waits for it now; never pauses.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = scheduler::sync::RwLock::new(1);
    /// let writer = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_none());
    /// drop(writer);
    /// assert!(lock.try_read().is_some());
    /// ```
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        // Its guard may wake a task from outside every scheduler.
        crate::context::note_possible_foreign_use();
        self.inner.try_read()
    }

    /// Locks for writing if no one holds the lock now; never pauses.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = scheduler::sync::RwLock::new(1);
    /// let reader = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_none());
    /// drop(reader);
    /// assert!(lock.try_write().is_some());
    /// ```
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        crate::context::note_possible_foreign_use();
        self.inner.try_write()
    }

    /// The value, through a unique borrow of the lock (no locking needed).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut lock = scheduler::sync::RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<RwLock<std::string::String>>();
};
