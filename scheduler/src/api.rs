//! The free functions: they act on the scheduler running the current task. Those marked ⏸
//! return a [`Pause`]: called in a `#[task]` body they pause the task there.

use core::future::{Future, IntoFuture};
use std::panic::Location;
use std::time::Duration;

use crate::handle::Handle;
use crate::pause::Pause;
use crate::reason::why;
use crate::runtime::{self, Here};
use crate::schedulable::Schedulable;
use crate::task::TaskHandle;

/// Queues `f(args)` on the current scheduler to run when its turn comes; does not pause.
///
/// On one thread, it starts no earlier than the calling task's next pause point. `f` is a `#[task]` fn, a
/// plain fn or a closure (which runs in one go, like asyncio's `call_soon`).
///
/// On a pool ([`threads(n)`](crate::Builder::threads)), written in a `#[task]` body, a
/// `Send` task may run on any worker, and starts at once if one is idle (the calling task
/// need not pause first); other work (`!Send`, a closure written in the same
/// body, a fn queuing itself, or any call from plain code) stays on the calling worker.
/// Work that stays there waits for that worker: behind a task that holds the worker
/// without pausing (blocking I/O, a long computation), it starts late even while other
/// workers are idle. Put such blocking work in [`run_in_thread`](crate::run_in_thread), or
/// queue a `Send` `#[task]` fn from the body, which any worker may take.
///
/// A `#[task]` fn may queue itself. Two that queue each other by name do not compile (the
/// compiler finds a cycle, E0391): write one of the calls through a closure,
/// `scheduler::queue_to_run(move || other(x), ())`.
///
/// # Panics
///
/// When no scheduler is running on this thread: from plain code, use
/// [`Scheduler::queue_to_run`](crate::Scheduler::queue_to_run).
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn greet(greeting: &'static str, loud: bool) -> String {
///     if loud { greeting.to_uppercase() } else { greeting.to_string() }
/// }
///
/// #[scheduler::task]
/// fn main_task() -> String {
///     // Keyword arguments and `functools.partial` become closures.
///     let later = scheduler::queue_to_run(move || greet("Hello", true), ());
///     later.join().unwrap()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(main_task, ()), "HELLO");
/// ```
#[track_caller]
pub fn queue_to_run<F, Args, Kind>(f: F, args: Args) -> TaskHandle<F::Output>
where
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    let site = Location::caller();
    runtime::queue::<Here, _>("scheduler::queue_to_run", || f.into_task(args, site))
}

/// Queues `f(args)` to run once `delay` has passed (asyncio's `call_later`); does not pause.
/// [`Scheduler::run`](crate::Scheduler::run) waits for it. On a pool, where it runs is as
/// for [`queue_to_run`].
///
/// # Panics
///
/// When no scheduler is running on this thread.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// #[scheduler::task]
/// fn later() -> Duration {
///     let start = Instant::now();
///     let handle = scheduler::queue_to_run_after(Duration::from_millis(10), move || start.elapsed(), ());
///     handle.join().unwrap()
/// }
///
/// let waited = scheduler::Scheduler::new().run_until_finished(later, ());
/// assert!(waited >= Duration::from_millis(10));
/// ```
#[track_caller]
pub fn queue_to_run_after<F, Args, Kind>(delay: Duration, f: F, args: Args) -> TaskHandle<F::Output>
where
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    let site = Location::caller();
    runtime::queue::<Here, _>("scheduler::queue_to_run_after", || {
        let (future, name) = f.into_task(args, site);
        (crate::time::after(delay, future), name)
    })
}

/// ⏸ Runs `f(args)` to completion and gives its value; the calling task pauses wherever `f`
/// pauses, and other tasks run meanwhile. Written in a `#[task]` body, this is the notes'
/// `scheduler.run_until_finished(func1, *args)`; calling a `#[task]` fn directly is the same.
///
/// `f` runs as part of the calling task: cancelling the caller cancels it, and a panic in
/// it is the caller's panic. To run something beside the caller, use
/// [`queue_to_run`](crate::queue_to_run).
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn turn_on_tv() {
///     scheduler::yield_now();
/// }
///
/// #[scheduler::task]
/// fn set_tv_channel(channel: u32) -> u32 {
///     channel
/// }
///
/// #[scheduler::task]
/// fn do_both(channel: u32) -> u32 {
///     scheduler::run_until_finished(turn_on_tv, ());
///     scheduler::run_until_finished(set_tv_channel, (channel,))
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(do_both, (7,)), 7);
/// ```
#[track_caller]
pub fn run_until_finished<F, Args, Kind>(f: F, args: Args) -> Pause<F::Future>
where
    F: Schedulable<Args, Kind>,
{
    let site = Location::caller();
    let (future, _name) = f.into_task(args, site);
    // Its body's pause points say what it waits for, as a task fn call's do.
    Pause::bare(crate::reason::Reason::Wait, future)
}

/// ⏸ Pauses the calling task for at least `duration`; other tasks run meanwhile. Sleepers
/// wake in deadline order.
///
/// The timer is kept by the run loop that polls it, in a timer wheel with 524 µs ticks: it
/// never ends early, and ends within one tick after its deadline, plus the time the loop
/// takes to wake up and to get to it (a loop busy with other tasks fires due timers every
/// 128 polls). Made and polled outside a scheduler (a plain thread, another executor), the
/// same pause value is a future on async-io's timer.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// #[scheduler::task]
/// fn nap() -> Duration {
///     let start = Instant::now();
///     scheduler::sleep(Duration::from_millis(5));
///     start.elapsed()
/// }
///
/// let slept = scheduler::Scheduler::new().run_until_finished(nap, ());
/// assert!(slept >= Duration::from_millis(5));
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Pause<impl Future<Output = ()>> {
    Pause::because(why::Sleep, crate::time::sleep(duration))
}

/// ⏸ Pauses the calling task until the instant `at` on [`now()`]'s clock (virtual under
/// [`virtual_time`](crate::Builder::virtual_time)); an instant already passed pauses only
/// as [`yield_now`] does. For a loop that keeps a grid without drift (Go's `time.Tick`):
/// add the period to the last deadline rather than to the time the work took.
///
/// # Cancellation
///
/// A cancelled sleeper stops at once, with nothing to undo.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn ticks() -> Vec<Duration> {
///     let start = scheduler::now();
///     let mut next = start;
///     let mut seen = Vec::new();
///     for _ in 0..3 {
///         next += Duration::from_millis(100);
///         scheduler::sleep(Duration::from_millis(30)); // work that takes a while
///         scheduler::sleep_until(next);
///         seen.push(scheduler::now() - start);
///     }
///     seen
/// }
///
/// let s = scheduler::Scheduler::builder().virtual_time().build();
/// let grid: Vec<Duration> = [100, 200, 300].map(Duration::from_millis).into();
/// assert_eq!(s.run_until_finished(ticks, ()), grid);
/// ```
#[track_caller]
pub fn sleep_until(at: std::time::Instant) -> Pause<impl Future<Output = ()>> {
    Pause::because(why::Sleep, crate::time::sleep_until(at))
}

/// The current time on the running scheduler's clock: [`Instant::now()`](std::time::Instant::now) normally, and the
/// virtual clock on a scheduler built with [`virtual_time`](crate::Builder::virtual_time).
/// Works anywhere (real time when no scheduler runs).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn an_hour() -> Duration {
///     let start = scheduler::now();
///     scheduler::sleep(Duration::from_secs(3600));
///     scheduler::now() - start
/// }
///
/// let s = scheduler::Scheduler::builder().virtual_time().build();
/// assert_eq!(s.run_until_finished(an_hour, ()), Duration::from_secs(3600)); // at once
/// ```
pub fn now() -> std::time::Instant {
    crate::time::now()
}

/// ⏸ Lets every other ready task run, then continues.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// type Log = Rc<RefCell<Vec<&'static str>>>;
///
/// #[scheduler::task]
/// fn polite(log: Log) {
///     log.borrow_mut().push("polite: before");
///     scheduler::yield_now(); // `eager` runs here
///     log.borrow_mut().push("polite: after");
/// }
///
/// #[scheduler::task]
/// fn eager(log: Log) {
///     log.borrow_mut().push("eager");
/// }
///
/// let log = Log::default();
/// let s = scheduler::Scheduler::new();
/// s.queue_to_run(polite, (log.clone(),));
/// s.queue_to_run(eager, (log.clone(),));
/// s.run();
/// assert_eq!(*log.borrow(), ["polite: before", "eager", "polite: after"]);
/// ```
#[track_caller]
pub fn yield_now() -> Pause<impl Future<Output = ()>> {
    Pause::because(why::Yield, futures_lite::future::yield_now())
}

/// ⏸ Waits for any future (from async-io, async-channel, an HTTP client, ...) and gives its
/// output: the bridge to every other async library, with no `.await` written.
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn receive() -> u32 {
///     let (tx, rx) = async_channel::bounded(1);
///     scheduler::queue_to_run(move || tx.try_send(7).unwrap(), ());
///     scheduler::wait(rx.recv()).unwrap() // pauses until the value arrives
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(receive, ()), 7);
/// ```
#[track_caller]
pub fn wait<F: IntoFuture>(future: F) -> Pause<impl Future<Output = F::Output>> {
    Pause::new(crate::stack::Forgets::new(future.into_future()))
}

/// The scheduler running the current task, as a [`Handle`] (asyncio's `get_running_loop`).
///
/// # Panics
///
/// When no scheduler is running on this thread.
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn hand_out() -> u32 {
///     let handle = scheduler::current();
///     let worker = std::thread::spawn(move || handle.queue_to_run(|| 5, ()));
///     worker.join().unwrap().join().unwrap()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(hand_out, ()), 5);
/// ```
#[track_caller]
pub fn current() -> Handle {
    runtime::handle("scheduler::current")
}

/// Where every unfinished task of the running scheduler is: each one's state (running,
/// ready, paused) and pause stack, the chain of `#[task]` calls from its root to where it
/// waits (see [`Dump`](crate::Dump)). The task that asks shows as `running`, where it
/// paused last. Outside any scheduler, the dump of every live scheduler of the process
/// (what `SCHEDULER_DUMP_ON_SIGNAL=1` prints on SIGQUIT).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// use scheduler::sync::Event;
/// use scheduler::{Scheduler, task};
///
/// #[task]
/// fn wait_for(event: Arc<Event>) {
///     event.wait();
/// }
///
/// #[task]
/// fn look(event: Arc<Event>) -> String {
///     scheduler::yield_now(); // `wait_for` runs and pauses
///     let dump = scheduler::dump();
///     event.set();
///     dump.to_string()
/// }
///
/// let s = Scheduler::new();
/// let event = Arc::new(Event::new());
/// s.queue_to_run(wait_for, (event.clone(),));
/// let text = s.run_until_finished(look, (event,));
/// assert!(text.contains("::wait_for` [paused: event wait"), "{text}");
/// assert!(text.contains("::look` [running]"), "{text}");
/// ```
pub fn dump() -> crate::Dump {
    let section = crate::runtime::local::with_local(|local| local.dump())
        .or_else(|| crate::runtime::pool::with_worker(|worker| worker.pool.dump()));
    match section {
        Some(section) => crate::Dump::of(section),
        None => crate::dump::every_scheduler(),
    }
}
