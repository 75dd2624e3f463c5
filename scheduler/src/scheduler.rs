//! [`Scheduler`] and its [`Builder`]: what plain code holds to run tasks.

use core::fmt;
use core::marker::PhantomData;
use std::panic::Location;
use std::rc::Rc;

use crate::handle::Handle;
use crate::local::Local;
use crate::misuse;
use crate::report;
use crate::schedulable::Schedulable;
use crate::task_handle::TaskHandle;

/// Runs tasks on the thread that calls it: the notes' scheduler.
///
/// Hand it functions: [`queue_to_run`](Scheduler::queue_to_run) schedules one without
/// waiting, [`run_until_finished`](Scheduler::run_until_finished) runs one (and everything
/// else that is queued) until it returns, [`run`](Scheduler::run) runs until nothing is left.
/// Tasks may be `!Send`: they never leave this thread.
///
/// Dropping a scheduler cancels the tasks still queued or paused, and says so on stderr,
/// naming them.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use scheduler::{task, Scheduler};
///
/// #[task]
/// fn turn_on_tv() {
///     scheduler::sleep(Duration::from_millis(20)); // pause point: other tasks run meanwhile
///     println!("tv on");
/// }
///
/// #[task]
/// fn set_tv_channel(channel: u32) -> u32 {
///     println!("channel {channel}");
///     channel
/// }
///
/// #[task]
/// fn do_both(channel: u32) -> u32 {
///     scheduler::run_until_finished(turn_on_tv, ()); // in order, as in the notes
///     scheduler::run_until_finished(set_tv_channel, (channel,))
/// }
///
/// let s = Scheduler::new();
/// s.queue_to_run(|| println!("a plain closure, run later"), ());
/// assert_eq!(s.run_until_finished(do_both, (7,)), 7); // blocks this thread
/// ```
pub struct Scheduler {
    local: Rc<Local>,
    /// A scheduler stays on the thread that made it.
    _not_send: PhantomData<*const ()>,
}

impl Scheduler {
    /// A single-threaded scheduler, driven by the thread that calls its methods.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::new();
    /// assert_eq!(s.run_until_finished(|| 1 + 1, ()), 2);
    /// ```
    pub fn new() -> Self {
        Builder::new().build()
    }

    /// A [`Builder`] to configure a scheduler before making it.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::builder().build();
    /// s.run();
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Queues `f(args)` to run when its turn comes, without waiting for it; returns its
    /// [`TaskHandle`]. It runs once this thread runs the scheduler
    /// ([`run`](Scheduler::run) or [`run_until_finished`](Scheduler::run_until_finished)).
    ///
    /// `f` is a `#[task]` fn, a plain fn or a closure; `args` a tuple of its arguments. It may
    /// be `!Send`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let s = scheduler::Scheduler::new();
    /// let shared = Rc::new(5); // tasks of a `Scheduler::new()` may be `!Send`
    /// let task = s.queue_to_run(move |x: u32| *shared + x, (1,));
    /// s.run();
    /// assert!(task.is_finished());
    /// ```
    #[track_caller]
    pub fn queue_to_run<F, Args, Kind>(&self, f: F, args: Args) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        let (future, name) = f.into_task(args, Location::caller());
        self.local.spawn(name, future)
    }

    /// Runs `f(args)` to completion, blocking this thread, and returns its value. Every
    /// other queued task runs too while `f` waits. `f` and `args` may borrow from the caller.
    ///
    /// # Panics
    ///
    /// - Re-raises `f`'s panic, with its message, as a plain call would (the scheduler stays
    ///   usable).
    /// - When called from inside a running task: blocking there would stop every other task
    ///   on this thread. Inside a `#[task]` fn call `scheduler::run_until_finished(f, args)`,
    ///   which pauses only the calling task.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn sum(values: &[u64]) -> u64 {
    ///     scheduler::yield_now();
    ///     values.iter().sum()
    /// }
    ///
    /// let data = vec![1, 2, 3];
    /// let s = scheduler::Scheduler::new();
    /// assert_eq!(s.run_until_finished(sum, (data.as_slice(),)), 6); // borrows `data`
    /// ```
    #[track_caller]
    pub fn run_until_finished<F, Args, Kind>(&self, f: F, args: Args) -> F::Output
    where
        F: Schedulable<Args, Kind>,
    {
        let (future, name) = f.into_task(args, Location::caller());
        self.local.run_until_finished(name, future)
    }

    /// Runs tasks until none is left: none queued, none sleeping or waiting on I/O or on
    /// each other. Work queued with `queue_to_run_after` is waited for too.
    ///
    /// # Panics
    ///
    /// When called from inside a running task (see
    /// [`run_until_finished`](Scheduler::run_until_finished)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let s = scheduler::Scheduler::new();
    /// let count = Rc::new(Cell::new(0));
    /// for _ in 0..3 {
    ///     let count = count.clone();
    ///     s.queue_to_run(move || count.set(count.get() + 1), ());
    /// }
    /// s.run();
    /// assert_eq!(count.get(), 3);
    /// ```
    #[track_caller]
    pub fn run(&self) {
        self.local.run();
    }

    /// A [`Handle`]: a `Send + Sync + Clone` door through which any thread can queue work on
    /// this scheduler.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::new();
    /// let handle = s.handle();
    /// std::thread::spawn(move || handle.queue_to_run(|| println!("from another thread"), ()))
    ///     .join()
    ///     .unwrap();
    /// s.run();
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.local.shared.clone())
    }
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new()
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        let names = self.local.cancel_all();
        if !names.is_empty() {
            let list = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let count = names.len();
            let tasks = if count == 1 { "task" } else { "tasks" };
            eprintln!(
                "scheduler dropped with {count} unfinished {tasks}: {list}; {}",
                misuse::DROPPED_WITH_TASKS
            );
        }
    }
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler").finish_non_exhaustive()
    }
}

/// Configures a [`Scheduler`] before it is made.
///
/// # Examples
///
/// ```
/// let s = scheduler::Scheduler::builder().build();
/// assert_eq!(s.run_until_finished(|| "ran", ()), "ran");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a Builder does nothing until .build() is called"]
pub struct Builder {}

impl Builder {
    /// A builder with the defaults of [`Scheduler::new`].
    pub fn new() -> Self {
        Builder {}
    }

    /// Makes the scheduler.
    pub fn build(self) -> Scheduler {
        report::install_panic_hook();
        Scheduler {
            local: Local::new(),
            _not_send: PhantomData,
        }
    }
}
