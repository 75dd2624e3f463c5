//! [`Scheduler::stats`](crate::Scheduler::stats): how many tasks are where, how many polls
//! ran, and (when asked for) which tasks the poll time went to.
//!
//! The counters are bumped where a task's poll already looks its scheduler up (see
//! `TaskFuture::poll`): plain cells on a single-threaded scheduler, one relaxed atomic per
//! worker on a pool. No clock is read for them unless the user opted in with
//! [`Builder::measure_poll_time`](crate::Builder::measure_poll_time) (or tracing is on).

use core::cell::{Cell, RefCell};
use core::fmt;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::lock::lock;
use crate::names::TaskName;

/// A snapshot of a scheduler's tasks and polls, from
/// [`Scheduler::stats`](crate::Scheduler::stats).
///
/// The counts of tasks *now* (`queued`, `running`, `paused`) are read at the moment of the
/// call; on a multi-threaded scheduler they move while they are read, so they are a close
/// picture rather than an exact one. The totals (`finished`, `cancelled`, `panicked`,
/// `polls`) count since the scheduler was built.
///
/// `Display` prints a small table.
///
/// # Cost
///
/// Counting costs one non-atomic increment per poll and per task end on a single-threaded
/// scheduler, one relaxed atomic increment on a worker's own counter on a multi-threaded
/// one, and no clock read. [`poll_time`](Stats::poll_time) needs two clock reads per poll,
/// so it stays empty unless the scheduler was built with
/// [`Builder::measure_poll_time(true)`](crate::Builder::measure_poll_time).
///
/// # Examples
///
/// ```
/// let s = scheduler::Scheduler::builder().measure_poll_time(true).build();
/// s.queue_to_run(|| (), ());
/// let never = s.queue_to_run(|| (), ());
/// never.cancel();
/// s.run();
/// let stats = s.stats();
/// assert_eq!((stats.finished, stats.cancelled, stats.queued), (1, 1, 0));
/// assert_eq!(stats.polls, 1);
/// assert_eq!(stats.top(5).len(), 1); // one task name had poll time
/// println!("{stats}");
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Tasks ready to run and waiting for their turn: never started ones, and paused ones
    /// that were woken.
    pub queued: usize,
    /// Tasks being polled right now (on a single-threaded scheduler: 1 when asked from
    /// inside one of its tasks, else 0).
    pub running: usize,
    /// Tasks started and not ended that are not running: waiting at a pause point, or woken
    /// and queued again (then counted in `queued` too).
    pub paused: usize,
    /// Tasks that returned.
    pub finished: u64,
    /// Tasks cancelled (by [`TaskHandle::cancel`](crate::TaskHandle::cancel), a scope, a
    /// timeout), whether they had started or not.
    pub cancelled: u64,
    /// Tasks that panicked.
    pub panicked: u64,
    /// Polls: runs of a task from one pause point to the next (or to its end).
    pub polls: u64,
    /// Time spent polling, per task name, most first; empty unless the scheduler was built
    /// with [`Builder::measure_poll_time(true)`](crate::Builder::measure_poll_time).
    pub poll_time: Vec<TaskTime>,
}

/// The polls of every task with one name, and the time they took: a row of
/// [`Stats::poll_time`].
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn twice() {
///     scheduler::yield_now();
/// }
///
/// let s = scheduler::Scheduler::builder().measure_poll_time(true).build();
/// s.run_until_finished(twice, ());
/// let row = &s.stats().poll_time[0];
/// assert!(row.task.to_string().ends_with("twice"));
/// assert_eq!(row.polls, 2);
/// assert!(row.time > std::time::Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskTime {
    /// The tasks' name.
    pub task: TaskName,
    /// How many polls they had.
    pub polls: u64,
    /// The time those polls took, in all.
    pub time: Duration,
}

impl Stats {
    /// The `n` task names that took the most poll time, most first (fewer when fewer were
    /// measured; none unless the scheduler measures poll time).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = scheduler::Scheduler::builder().measure_poll_time(true).build();
    /// s.run_until_finished(|| std::thread::sleep(std::time::Duration::from_millis(2)), ());
    /// let stats = s.stats();
    /// let top = stats.top(3);
    /// assert_eq!(top.len(), 1);
    /// assert!(top[0].time >= std::time::Duration::from_millis(2));
    /// ```
    pub fn top(&self, n: usize) -> &[TaskTime] {
        &self.poll_time[..n.min(self.poll_time.len())]
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "tasks: {} queued, {} running, {} paused, {} finished, {} cancelled, {} panicked; {} polls",
            self.queued,
            self.running,
            self.paused,
            self.finished,
            self.cancelled,
            self.panicked,
            self.polls
        )?;
        if self.poll_time.is_empty() {
            return Ok(());
        }
        writeln!(f, "{:>12}  {:>8}  task", "poll time", "polls")?;
        for row in self.top(10) {
            writeln!(
                f,
                "{:>12}  {:>8}  {}",
                format!("{:.3?}", row.time),
                row.polls,
                row.task
            )?;
        }
        if self.poll_time.len() > 10 {
            writeln!(f, "{:>12}  {:>8}  ...", "", "")?;
        }
        Ok(())
    }
}

/// How a task ended, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    Finished,
    Cancelled,
    Panicked,
}

/// Sorts a table of poll times into `Stats::poll_time`'s order.
fn sorted(times: impl IntoIterator<Item = TaskTime>) -> Vec<TaskTime> {
    let mut rows: Vec<TaskTime> = times.into_iter().collect();
    rows.sort_by(|a, b| {
        b.time
            .cmp(&a.time)
            .then_with(|| a.task.to_string().cmp(&b.task.to_string()))
    });
    rows
}

/// Adds one poll of `task` that took `elapsed` to a table of poll times.
fn add_time(times: &mut HashMap<TaskName, TaskTime>, task: TaskName, elapsed: Duration) {
    let row = times.entry(task).or_insert(TaskTime {
        task,
        polls: 0,
        time: Duration::ZERO,
    });
    row.polls += 1;
    row.time += elapsed;
}

/// A single-threaded scheduler's counters: plain cells, only touched by its thread.
#[derive(Default)]
pub(crate) struct LocalCounters {
    polls: Cell<u64>,
    finished: Cell<u64>,
    cancelled: Cell<u64>,
    panicked: Cell<u64>,
    times: RefCell<HashMap<TaskName, TaskTime>>,
}

impl LocalCounters {
    /// A poll of `task` ended; it took `elapsed` when the clock was read and `measure` says
    /// to keep it.
    #[inline]
    pub(crate) fn polled(&self, task: TaskName, elapsed: Option<Duration>, measure: bool) {
        self.polls.set(self.polls.get() + 1);
        if let Some(elapsed) = elapsed
            && measure
        {
            add_time(&mut self.times.borrow_mut(), task, elapsed);
        }
    }

    /// A task ended.
    #[inline]
    pub(crate) fn ended(&self, how: Ended) {
        let counter = match how {
            Ended::Finished => &self.finished,
            Ended::Cancelled => &self.cancelled,
            Ended::Panicked => &self.panicked,
        };
        counter.set(counter.get() + 1);
    }

    /// The totals, into `stats`.
    pub(crate) fn fill(&self, stats: &mut Stats) {
        stats.polls = self.polls.get();
        stats.finished = self.finished.get();
        stats.cancelled = self.cancelled.get();
        stats.panicked = self.panicked.get();
        stats.poll_time = sorted(self.times.borrow().values().copied());
    }
}

/// [`SharedCounters::running`]: the worker is polling no task.
pub(crate) const NOT_RUNNING: usize = 0;
/// [`SharedCounters::running`]'s low bits: the worker is polling a task that never paused
/// before (the other bits: the address of the task's header).
pub(crate) const RUNNING: usize = 1;
/// [`SharedCounters::running`]'s low bits: the worker is polling a task that paused before
/// (one the registry counts).
pub(crate) const RUNNING_REGISTERED: usize = 2;
/// The low bits of [`SharedCounters::running`] that say which (a header's address has
/// them clear).
pub(crate) const RUNNING_BITS: usize = 3;

/// Adds one to a counter that only this thread writes.
#[inline]
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// One pool worker's counters (or those of the thread that drops the pool): atomics that
/// only that one thread writes, so a bump is a plain load and store (no locked instruction),
/// in their own cache line so that bumping them never slows another worker down; `stats()`
/// reads them from any thread.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct SharedCounters {
    polls: AtomicU64,
    finished: AtomicU64,
    cancelled: AtomicU64,
    panicked: AtomicU64,
    /// What this worker is doing: [`NOT_RUNNING`], or the address of the header of the task
    /// it polls with [`RUNNING`] or [`RUNNING_REGISTERED`] in its low bits (a dump tells
    /// the running tasks by it).
    pub(crate) running: AtomicUsize,
    times: Mutex<HashMap<TaskName, TaskTime>>,
}

impl SharedCounters {
    /// A poll of `task` ended (see [`LocalCounters::polled`]).
    #[inline]
    pub(crate) fn polled(&self, task: TaskName, elapsed: Option<Duration>, measure: bool) {
        bump(&self.polls);
        if let Some(elapsed) = elapsed
            && measure
        {
            let mut times = lock(&self.times);
            add_time(&mut times, task, elapsed);
        }
    }

    /// A task ended.
    #[inline]
    pub(crate) fn ended(&self, how: Ended) {
        let counter = match how {
            Ended::Finished => &self.finished,
            Ended::Cancelled => &self.cancelled,
            Ended::Panicked => &self.panicked,
        };
        bump(counter);
    }

    /// The totals of every counter in `all`, into `stats`.
    pub(crate) fn fill<'a>(all: impl IntoIterator<Item = &'a SharedCounters>, stats: &mut Stats) {
        let mut times: HashMap<TaskName, TaskTime> = HashMap::new();
        for counters in all {
            stats.polls += counters.polls.load(Ordering::Relaxed);
            stats.finished += counters.finished.load(Ordering::Relaxed);
            stats.cancelled += counters.cancelled.load(Ordering::Relaxed);
            stats.panicked += counters.panicked.load(Ordering::Relaxed);
            stats.running += usize::from(counters.running.load(Ordering::Relaxed) != NOT_RUNNING);
            let theirs = lock(&counters.times);
            for row in theirs.values() {
                let ours = times.entry(row.task).or_insert(TaskTime {
                    task: row.task,
                    polls: 0,
                    time: Duration::ZERO,
                });
                ours.polls += row.polls;
                ours.time += row.time;
            }
        }
        stats.poll_time = sorted(times.into_values());
    }
}
