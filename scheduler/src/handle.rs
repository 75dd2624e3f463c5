//! [`Handle`]: the thread-safe door to a scheduler.

use core::fmt;
use core::sync::atomic::Ordering;
use std::panic::Location;
use std::sync::Arc;

use crate::context;
use crate::dump::Dump;
use crate::misuse;
use crate::runtime::local::LocalShared;
use crate::runtime::pool::PoolShared;
use crate::schedulable::Schedulable;
use crate::task::TaskHandle;

/// A thread-safe way to queue work on a scheduler from anywhere (asyncio's
/// `call_soon_threadsafe`). Get one with [`Scheduler::handle`](crate::Scheduler::handle) or,
/// inside a task, [`current()`](crate::current).
///
/// `Handle` is `Send + Sync + Clone`; the work it queues must be `Send`, since it is made
/// on one thread and runs on the scheduler's.
///
/// # Examples
///
/// ```
/// use scheduler::Scheduler;
///
/// let s = Scheduler::new();
/// let handle = s.handle();
/// let from_thread = std::thread::spawn(move || handle.queue_to_run(|x: u32| x + 1, (41,)))
///     .join()
///     .unwrap();
/// s.run();
/// assert!(from_thread.is_finished());
/// ```
///
/// A `Scheduler` itself stays on its thread:
///
/// ```compile_fail
/// fn needs_send<T: Send>(_: T) {}
/// needs_send(scheduler::Scheduler::new());
/// ```
pub struct Handle {
    target: Target,
}

/// The scheduler a [`Handle`] queues work on.
#[derive(Clone)]
enum Target {
    Local(Arc<LocalShared>),
    Pool(Arc<PoolShared>),
}

/// The scheduler behind a [`Handle`] was dropped: it runs no new work.
///
/// # Examples
///
/// ```
/// let handle = scheduler::Scheduler::new().handle(); // the scheduler is dropped here
/// assert!(handle.try_queue_to_run(|| 1, ()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedulerGone;

impl fmt::Display for SchedulerGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(misuse::SCHEDULER_GONE)
    }
}

impl std::error::Error for SchedulerGone {}

impl Handle {
    pub(crate) fn local(shared: Arc<LocalShared>) -> Self {
        shared.handles.fetch_add(1, Ordering::AcqRel);
        Handle {
            target: Target::Local(shared),
        }
    }

    pub(crate) fn pool(pool: Arc<PoolShared>) -> Self {
        Handle {
            target: Target::Pool(pool),
        }
    }

    /// Queues `f(args)` on this handle's scheduler, from any thread; returns its handle.
    ///
    /// # Panics
    ///
    /// When the scheduler was dropped (see [`try_queue_to_run`](Handle::try_queue_to_run)).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.handle();
    /// let task = handle.queue_to_run(|a: u32, b: u32| a + b, (1, 2));
    /// s.run();
    /// assert!(task.is_finished());
    /// ```
    #[track_caller]
    pub fn queue_to_run<F, Args, Kind>(&self, f: F, args: Args) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + Send + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: Send + 'static,
    {
        match self.try_queue_to_run(f, args) {
            Ok(handle) => handle,
            Err(gone) => panic!("`Handle::queue_to_run`: {gone}"),
        }
    }

    /// Like [`queue_to_run`](Handle::queue_to_run), but gives `Err(SchedulerGone)` instead
    /// of panicking when the scheduler was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.handle();
    /// assert!(handle.try_queue_to_run(|| 1, ()).is_ok());
    /// drop(s); // prints that one task was cancelled
    /// assert!(handle.try_queue_to_run(|| 1, ()).is_err());
    /// ```
    #[track_caller]
    pub fn try_queue_to_run<F, Args, Kind>(
        &self,
        f: F,
        args: Args,
    ) -> Result<TaskHandle<F::Output>, SchedulerGone>
    where
        F: Schedulable<Args, Kind> + Send + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: Send + 'static,
    {
        let (closed, in_flight) = match &self.target {
            Target::Local(shared) => (&shared.closed, &shared.queuing),
            Target::Pool(pool) => (&pool.closed, &pool.queuing),
        };
        // Announce the queuing, then check: a scheduler that closes waits for announced
        // queuings before it cancels what is queued, so this task is never left behind.
        in_flight.fetch_add(1, Ordering::SeqCst);
        if closed.load(Ordering::SeqCst) {
            in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(SchedulerGone);
        }
        let (future, name) = f.into_task(args, Location::caller());
        let handle = match &self.target {
            // SAFETY: the future is `Send` and `'static`, so it may be made on any thread.
            Target::Local(shared) => unsafe { shared.spawn(name, future) },
            // SAFETY: the future is `'static`: it borrows nothing.
            Target::Pool(pool) => unsafe { pool.spawn(name, future) },
        };
        in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(handle)
    }

    /// Queues `f(args)` and blocks this thread until it returns; gives its value. For plain
    /// code on a thread other than the scheduler's.
    ///
    /// # Panics
    ///
    /// Inside a task (blocking there would stop every task of the thread; call
    /// `scheduler::run_until_finished(f, args)` or `handle.queue_to_run(f, args).join()`), on
    /// the thread that owns a single-threaded scheduler (nobody else can run it: call
    /// `s.run_until_finished(f, args)` there), when the scheduler was dropped, and, re-raised
    /// here, when `f` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.handle();
    /// let worker = std::thread::spawn(move || handle.run_until_finished(|| 6 * 7, ()));
    /// while !worker.is_finished() {
    ///     s.run();
    /// }
    /// assert_eq!(worker.join().unwrap(), 42);
    /// ```
    #[track_caller]
    pub fn run_until_finished<F, Args, Kind>(&self, f: F, args: Args) -> F::Output
    where
        F: Schedulable<Args, Kind> + Send + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: Send + 'static,
    {
        context::refuse_inside_a_task("Handle::run_until_finished");
        if let Target::Local(shared) = &self.target
            && shared.owner == std::thread::current().id()
        {
            panic!(
                "`Handle::run_until_finished` {}",
                misuse::BLOCKING_ON_OWN_THREAD
            );
        }
        let handle = self.queue_to_run(f, args);
        match futures_lite::future::block_on(handle) {
            Ok(value) => value,
            Err(error) => panic!("{error}"),
        }
    }
}

impl Handle {
    /// Where every unfinished task of this handle's scheduler is (see [`Dump`]), from any
    /// thread, while it runs. A pool answers at once; a single-threaded scheduler's own
    /// thread answers between two polls (within a second, or the dump says it did not).
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn stuck(event: std::sync::Arc<scheduler::sync::Event>) {
    ///     event.wait();
    /// }
    ///
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.handle();
    /// let event = std::sync::Arc::new(scheduler::sync::Event::new());
    /// let set = event.clone();
    /// let looker = std::thread::spawn(move || loop {
    ///     let dump = handle.dump(); // answered by the loop below, between two polls
    ///     if dump.tasks().iter().any(|t| t.state() == scheduler::TaskState::Paused) {
    ///         set.set();
    ///         return dump.to_string();
    ///     }
    /// });
    /// s.run_until_finished(stuck, (event,));
    /// let text = looker.join().unwrap();
    /// assert!(text.contains("::stuck` [paused: event wait"), "{text}");
    /// ```
    pub fn dump(&self) -> Dump {
        Dump::of(match &self.target {
            Target::Local(shared) => crate::dump::local_from_anywhere(shared),
            Target::Pool(pool) => pool.dump(),
        })
    }
}

impl Clone for Handle {
    fn clone(&self) -> Self {
        match &self.target {
            Target::Local(shared) => Handle::local(shared.clone()),
            Target::Pool(pool) => Handle::pool(pool.clone()),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Target::Local(shared) = &self.target {
            shared.handles.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}
