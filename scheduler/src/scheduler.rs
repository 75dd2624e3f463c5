//! [`Scheduler`] and its [`Builder`]: what plain code holds to run tasks.

use core::fmt;
use core::marker::PhantomData;
use std::panic::Location;
use std::rc::Rc;

use std::time::Duration;

use crate::config::Config;
use crate::dump::Dump;
use crate::flavor::{Flavor, MultiThread, SingleThread};
use crate::handle::Handle;
use crate::report;
use crate::runtime::local::Local;
use crate::runtime::pool::Pool;
use crate::schedulable::Schedulable;
use crate::stats::Stats;
use crate::task::TaskHandle;

/// Runs tasks: the notes' scheduler. `Scheduler` (that is, `Scheduler<SingleThread>`, from
/// [`Scheduler::new`]) runs them on the thread that calls it; `Scheduler<MultiThread>`, from
/// [`Scheduler::builder().threads(n)`](Builder::threads), on `n` work-stealing threads.
///
/// Hand it functions: [`queue_to_run`](Scheduler::queue_to_run) schedules one without
/// waiting, [`run_until_finished`](Scheduler::run_until_finished) runs one (and everything
/// else that is queued) until it returns, [`run`](Scheduler::run) runs until nothing is left.
/// Tasks of a single-threaded scheduler may be `!Send`: they never leave its thread. Tasks
/// handed to a multi-threaded one must be `Send`, checked at compile time:
///
/// ```compile_fail
/// let s = scheduler::Scheduler::builder().threads(2).build();
/// let not_send = std::rc::Rc::new(1);
/// s.queue_to_run(move || *not_send, ()); // error: `Rc<i32>` cannot be sent between threads
/// ```
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
pub struct Scheduler<K: Flavor = SingleThread> {
    inner: K::Inner,
}

/// A single-threaded scheduler's state: owned by its thread (`Rc`, so `!Send`).
#[doc(hidden)]
pub struct LocalInner {
    local: Rc<Local>,
}

impl Drop for LocalInner {
    fn drop(&mut self) {
        report::scheduler_dropped();
        self.local.cancel_all(|names| report::dropped_with(&names));
        crate::trace::flush();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        report::scheduler_dropped();
        self.shut_down();
        crate::trace::flush();
    }
}

impl Scheduler<SingleThread> {
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
    /// let one = scheduler::Scheduler::builder().build();
    /// let pool = scheduler::Scheduler::builder().threads(2).build();
    /// # let _ = (one, pool);
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
        self.inner.local.spawn(name, future)
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
        let _flush = crate::trace::FlushOnReturn;
        self.inner.local.run_until_finished(name, future)
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
        let _flush = crate::trace::FlushOnReturn;
        self.inner.local.run();
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
        Handle::local(self.inner.local.shared.clone())
    }

    /// A snapshot of this scheduler's tasks (queued, running, paused; finished, cancelled,
    /// panicked), how many polls ran, and, when built with
    /// [`Builder::measure_poll_time(true)`](Builder::measure_poll_time), the poll time per
    /// task name. See [`Stats`] for what each number means and what counting costs.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn naps() {
    ///     scheduler::yield_now();
    ///     scheduler::yield_now();
    /// }
    ///
    /// let s = scheduler::Scheduler::new();
    /// let waiting = s.queue_to_run(naps, ());
    /// assert_eq!(s.stats().queued, 1);
    /// s.run();
    /// let stats = s.stats();
    /// assert_eq!((stats.queued, stats.finished, stats.polls), (0, 1, 3));
    /// # drop(waiting);
    /// ```
    pub fn stats(&self) -> Stats {
        self.inner.local.stats()
    }

    /// Where every unfinished task of this scheduler is: its state (running, ready,
    /// paused) and pause stack (see [`Dump`]). From plain code on this thread, between or
    /// during runs (inside a task, [`scheduler::dump()`](crate::dump) says the same);
    /// from other threads, [`Handle::dump`].
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn stuck(rx: scheduler::sync::Receiver<u32>) -> u32 {
    ///     rx.recv().unwrap_or(0)
    /// }
    ///
    /// let s = scheduler::Scheduler::new();
    /// let (tx, rx) = scheduler::sync::channel(1);
    /// let task = s.queue_to_run(stuck, (rx,));
    /// s.run_until_finished(|| scheduler::yield_now(), ());
    /// let text = s.dump().to_string();
    /// assert!(text.contains("::stuck` [paused: channel recv"), "{text}");
    /// assert!(text.contains(file!()), "{text}"); // where it waits
    /// drop(tx);
    /// s.run();
    /// # drop(task);
    /// ```
    pub fn dump(&self) -> Dump {
        Dump::of(self.inner.local.dump())
    }
}

impl Scheduler<MultiThread> {
    /// Queues `f(args)` on the pool without waiting for it; returns its [`TaskHandle`]. Any
    /// idle worker thread may take it, so `f`, `args` and the result must be `Send`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    ///
    /// let s = scheduler::Scheduler::builder().threads(2).build();
    /// let count = Arc::new(AtomicU32::new(0));
    /// for _ in 0..100 {
    ///     let count = count.clone();
    ///     s.queue_to_run(move || count.fetch_add(1, Ordering::Relaxed), ());
    /// }
    /// s.run();
    /// assert_eq!(count.load(Ordering::Relaxed), 100);
    /// ```
    #[track_caller]
    pub fn queue_to_run<F, Args, Kind>(&self, f: F, args: Args) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + Send + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: Send + 'static,
    {
        let (future, name) = f.into_task(args, Location::caller());
        // SAFETY: the future is `'static`: it borrows nothing.
        unsafe { self.inner.shared.spawn(name, future) }
    }

    /// Runs `f(args)` on the pool and blocks this thread until it returns; gives its value.
    /// `f` and `args` may borrow from the caller, and must be `Send`.
    ///
    /// Inside `f` and its tasks, `scheduler::queue_to_run` in a `#[task]` body lets any
    /// worker run `Send` work, and keeps other work on the calling worker (see the crate
    /// docs, "Multiple threads").
    ///
    /// # Panics
    ///
    /// Re-raises `f`'s panic with its message; panics when called inside a running task
    /// (see [`Scheduler::run_until_finished`](Scheduler::run_until_finished)).
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
    /// let s = scheduler::Scheduler::builder().threads(2).build();
    /// assert_eq!(s.run_until_finished(sum, (data.as_slice(),)), 6);
    /// ```
    #[track_caller]
    pub fn run_until_finished<F, Args, Kind>(&self, f: F, args: Args) -> F::Output
    where
        F: Schedulable<Args, Kind> + Send,
        F::Future: Send,
        F::Output: Send,
        Args: Send,
    {
        crate::context::refuse_inside_a_task("Scheduler::run_until_finished");
        let (future, name) = f.into_task(args, Location::caller());
        let _flush = crate::trace::FlushOnReturn;
        self.inner.run_until_finished(name, future)
    }

    /// Blocks this thread until no task is left on the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::builder().threads(2).build();
    /// let task = s.queue_to_run(|| std::thread::sleep(std::time::Duration::from_millis(5)), ());
    /// s.run();
    /// assert!(task.is_finished());
    /// ```
    pub fn run(&self) {
        crate::context::refuse_inside_a_task("Scheduler::run");
        let _flush = crate::trace::FlushOnReturn;
        self.inner.run();
    }

    /// A [`Handle`] to queue work on the pool from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::builder().threads(2).build();
    /// let handle = s.handle();
    /// let task = std::thread::spawn(move || handle.queue_to_run(|| 7, ())).join().unwrap();
    /// s.run();
    /// assert!(task.is_finished());
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::pool(self.inner.shared.clone())
    }

    /// A snapshot of the pool's tasks, polls and (when measured) poll time per task name,
    /// as [`Scheduler::stats`](Scheduler::stats) gives for one thread. The workers keep
    /// running while it is read, so the counts of tasks *now* are approximate.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::builder().threads(2).measure_poll_time(true).build();
    /// for _ in 0..10 {
    ///     s.queue_to_run(|| std::hint::black_box(1 + 1), ());
    /// }
    /// s.run();
    /// let stats = s.stats();
    /// assert_eq!((stats.finished, stats.polls), (10, 10));
    /// assert_eq!(stats.poll_time[0].polls, 10); // all ten share one name
    /// ```
    pub fn stats(&self) -> Stats {
        self.inner.shared.stats()
    }

    /// Where every unfinished task of the pool is: its state (running, ready, paused) and
    /// pause stack (see [`Dump`]), from any thread, while the workers run. A task that has
    /// not paused yet is counted, not listed. A task is `running` until its worker is out
    /// of its poll: for a moment after its poll returned (and [`stats`](Self::stats)
    /// counted it paused), the dump may still say `running`.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn stuck(event: std::sync::Arc<scheduler::sync::Event>) {
    ///     event.wait();
    /// }
    ///
    /// let s = scheduler::Scheduler::builder().threads(2).build();
    /// let event = std::sync::Arc::new(scheduler::sync::Event::new());
    /// let task = s.queue_to_run(stuck, (event.clone(),));
    /// let text = loop {
    ///     let text = s.dump().to_string();
    ///     if text.contains("[paused") {
    ///         break text; // its worker is out of its poll
    ///     }
    ///     std::thread::yield_now();
    /// };
    /// assert!(text.contains("::stuck` [paused: event wait"), "{text}");
    /// event.set();
    /// s.run();
    /// # drop(task);
    /// ```
    pub fn dump(&self) -> Dump {
        Dump::of(self.inner.shared.dump())
    }
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new()
    }
}

impl<K: Flavor> fmt::Debug for Scheduler<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("flavor", &K::NAME)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Scheduler`] before it is made: `Scheduler::builder()`, then options, then
/// [`build`](Builder::build).
///
/// # Examples
///
/// ```
/// let s = scheduler::Scheduler::builder().build();
/// assert_eq!(s.run_until_finished(|| "ran", ()), "ran");
/// let pool = scheduler::Scheduler::builder().threads(2).build();
/// assert_eq!(pool.run_until_finished(|| "ran on a worker", ()), "ran on a worker");
/// ```
#[must_use = "a Builder does nothing until .build() is called"]
pub struct Builder<K: Flavor = SingleThread> {
    threads: usize,
    config: Config,
    _flavor: PhantomData<K>,
}

impl Builder<SingleThread> {
    /// A builder with the defaults of [`Scheduler::new`].
    pub fn new() -> Self {
        Builder {
            threads: 1,
            config: Config::default(),
            _flavor: PhantomData,
        }
    }

    /// Makes the single-threaded scheduler.
    pub fn build(self) -> Scheduler {
        report::install_panic_hook();
        report::scheduler_built();
        crate::tokio_compat::enter_for_plain_code();
        crate::trace::init();
        if self.config.measure_poll_time {
            crate::trace::measure_poll_time();
        }
        Scheduler {
            inner: LocalInner {
                local: {
                    let local = Local::new(self.config);
                    crate::dump::built(crate::dump::Live::Local(std::sync::Arc::downgrade(
                        &local.shared,
                    )));
                    local
                },
            },
        }
    }
}

impl Builder<SingleThread> {
    /// Runs timers on a virtual clock: whenever no task is ready, the clock jumps to the next
    /// timer's deadline (tokio's `start_paused`). `sleep`, `queue_to_run_after`,
    /// `with_timeout` and [`now()`](crate::now) use it, so a test of an hour-long timeout runs
    /// in milliseconds, the same way every time. Real I/O and other libraries' timers still
    /// run on real time. Single-threaded schedulers only.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// #[scheduler::task]
    /// fn slow_answer() -> u32 {
    ///     scheduler::sleep(Duration::from_secs(3600));
    ///     42
    /// }
    ///
    /// #[scheduler::task]
    /// fn impatient() -> bool {
    ///     scheduler::with_timeout(Duration::from_secs(60), slow_answer, ()).is_err()
    /// }
    ///
    /// let start = Instant::now();
    /// let s = scheduler::Scheduler::builder().virtual_time().build();
    /// assert!(s.run_until_finished(impatient, ())); // timed out, in virtual time
    /// assert!(start.elapsed() < Duration::from_secs(10));
    /// ```
    pub fn virtual_time(mut self) -> Self {
        self.config.virtual_time = true;
        self
    }
}

impl<K: Flavor> Builder<K> {
    /// Makes a work-stealing scheduler over `n` threads (`Scheduler<MultiThread>`), whose
    /// tasks must be `Send`.
    ///
    /// # Panics
    ///
    /// When `n` is 0, or after [`virtual_time`](Builder::virtual_time).
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = scheduler::Scheduler::builder().threads(4).build();
    /// assert_eq!(pool.run_until_finished(|| 2 + 2, ()), 4);
    /// ```
    pub fn threads(self, n: usize) -> Builder<MultiThread> {
        assert!(
            n > 0,
            "`Builder::threads(0)`: a scheduler needs at least one thread"
        );
        assert!(
            !self.config.virtual_time,
            "`Builder::virtual_time()` is for single-threaded schedulers: a pool's threads run \
             on real time. Drop `.threads(n)` to test with virtual time"
        );
        Builder {
            threads: n,
            config: self.config,
            _flavor: PhantomData,
        }
    }
}

impl<K: Flavor> Builder<K> {
    /// Names a task that holds its thread longer than `threshold` between two pause points
    /// (100 ms unless set): one line on stderr while it is still happening, with the task's
    /// name, how long so far, and the fix; again every second while it goes on.
    /// `slow_poll(None)` turns this off. Costs no clock read per poll: a watchdog thread
    /// looks at the running threads every 20 ms.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let strict = scheduler::Scheduler::builder().slow_poll(Duration::from_millis(10)).build();
    /// let quiet = scheduler::Scheduler::builder().slow_poll(None).build();
    /// # let _ = (strict, quiet);
    /// ```
    pub fn slow_poll(mut self, threshold: impl Into<Option<Duration>>) -> Self {
        self.config.slow_poll = threshold.into();
        self
    }

    /// Measures how long each poll takes, so that [`Scheduler::stats`] can say which tasks
    /// the time went to ([`Stats::poll_time`], [`Stats::top`]). Off by default: it reads the
    /// clock twice per poll (tens of nanoseconds), and once any scheduler in the process
    /// measures, every poll in the process reads it. The counts of tasks and polls are kept
    /// either way, at no clock read.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::builder().measure_poll_time(true).build();
    /// s.run_until_finished(|| std::thread::sleep(std::time::Duration::from_millis(1)), ());
    /// assert!(s.stats().poll_time[0].time >= std::time::Duration::from_millis(1));
    /// ```
    pub fn measure_poll_time(mut self, on: bool) -> Self {
        self.config.measure_poll_time = on;
        self
    }

    /// Runs ready tasks in an order drawn from a random generator seeded with `seed`,
    /// instead of first-come first-served: an interleaving bug shows up under some seed,
    /// and replays under that seed. A task's panic message names the seed.
    ///
    /// Without this call, the variable `SCHEDULER_SEED` (a number) seeds every scheduler,
    /// so any test can be rerun under a given seed. On a multi-threaded scheduler the seed
    /// is reported but cannot make the threads' interleaving reproducible; replay a seed on
    /// one thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    ///
    /// fn order(seed: u64) -> Vec<u32> {
    ///     let s = scheduler::Scheduler::builder().seed(seed).build();
    ///     let log = Rc::new(RefCell::new(Vec::new()));
    ///     for i in 0..8 {
    ///         let log = log.clone();
    ///         s.queue_to_run(move || log.borrow_mut().push(i), ());
    ///     }
    ///     s.run();
    ///     log.take()
    /// }
    ///
    /// assert_eq!(order(7), order(7)); // the same seed, the same order
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }
}

impl Builder<MultiThread> {
    /// Starts the worker threads and makes the multi-threaded scheduler.
    pub fn build(self) -> Scheduler<MultiThread> {
        report::install_panic_hook();
        report::scheduler_built();
        crate::tokio_compat::enter_for_plain_code();
        crate::trace::init();
        if self.config.measure_poll_time {
            crate::trace::measure_poll_time();
        }
        let pool = Pool::start(self.threads, self.config);
        crate::dump::built(crate::dump::Live::Pool(std::sync::Arc::downgrade(
            &pool.shared,
        )));
        Scheduler { inner: pool }
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl<K: Flavor> fmt::Debug for Builder<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("threads", &self.threads)
            .field("config", &self.config)
            .finish()
    }
}
