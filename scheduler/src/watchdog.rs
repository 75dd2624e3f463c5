//! Naming a task that blocks its thread: one low-frequency watchdog thread per process
//! notices a thread whose current poll has not ended for longer than its scheduler's
//! `slow_poll` threshold, and says so on stderr while it is still happening.
//!
//! The hot path reads no clock: each thread that polls tasks owns a [`Lane`], and a poll
//! only stores the task's name and bumps a sequence number there (odd while a task is being
//! polled, even between polls). The watchdog compares sequence numbers between its ticks.

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::panic::Location;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use crate::lock::lock;
use crate::misuse;
use crate::names::TaskName;

/// How often the watchdog looks at the lanes.
const TICK: Duration = Duration::from_millis(20);

/// How often a task that keeps blocking is reported again.
const REPEAT: Duration = Duration::from_secs(1);

/// The default `slow_poll` threshold.
pub(crate) const DEFAULT_THRESHOLD: Duration = Duration::from_millis(100);

/// What one thread publishes about the poll it is running.
struct Lane {
    /// Odd while a task is being polled; bumped at every poll's start and end.
    seq: AtomicUsize,
    /// The polled task's name, written before `seq` turns odd: kind (0 path, 1 site),
    /// pointer, length.
    name: [AtomicUsize; 3],
    /// The address of the polled task's pause stack (`stack.rs`, 0 if none), written with
    /// the name: the report says where the task was resumed from.
    stack: AtomicUsize,
    /// The running scheduler's threshold in milliseconds; 0 when the watchdog is off.
    threshold_ms: AtomicU64,
    /// The thread's name, for the message.
    thread: String,
}

thread_local! {
    /// This thread's lane, made the first time it runs a scheduler.
    static LANE: LaneOwner = LaneOwner::new();
    /// A plain pointer to it for the hot path, which then needs no lazy thread-local
    /// (null until the lane is made, and again once it is gone).
    static FAST: Cell<*const Lane> = const { Cell::new(core::ptr::null()) };
}

/// Owns this thread's lane; clears `FAST` before letting it go.
struct LaneOwner(Arc<Lane>);

impl LaneOwner {
    fn new() -> Self {
        let lane = new_lane();
        let _ = FAST.try_with(|fast| fast.set(Arc::as_ptr(&lane)));
        LaneOwner(lane)
    }
}

impl Drop for LaneOwner {
    fn drop(&mut self) {
        let _ = FAST.try_with(|fast| fast.set(core::ptr::null()));
    }
}

/// Calls `f` with this thread's lane, if it has one, on the hot path.
#[inline]
fn with_fast_lane(f: impl FnOnce(&Lane)) {
    let lane = FAST.with(Cell::get);
    if !lane.is_null() {
        // SAFETY: `FAST` points into the `Arc` that this thread's `LANE` owns; it is set
        // when that `LaneOwner` is made and cleared before it is dropped, so a non-null
        // value always points to a live `Lane`. It is only read on this thread.
        f(unsafe { &*lane });
    }
}

/// The lanes the watchdog looks at.
fn lanes() -> &'static Mutex<Vec<Weak<Lane>>> {
    static LANES: OnceLock<Mutex<Vec<Weak<Lane>>>> = OnceLock::new();
    LANES.get_or_init(Default::default)
}

fn new_lane() -> Arc<Lane> {
    let thread = std::thread::current();
    let lane = Arc::new(Lane {
        seq: AtomicUsize::new(0),
        name: Default::default(),
        stack: AtomicUsize::new(0),
        threshold_ms: AtomicU64::new(0),
        thread: thread
            .name()
            .map_or_else(|| format!("{:?}", thread.id()), str::to_string),
    });
    let mut lanes = lock(lanes());
    lanes.retain(|lane| lane.strong_count() > 0);
    lanes.push(Arc::downgrade(&lane));
    lane
}

/// Sets this thread's threshold (for the scheduler it starts running); returns the one
/// before, to restore.
pub(crate) fn set_threshold(threshold: Option<Duration>) -> Option<Duration> {
    let ms = threshold.map_or(0, |t| (t.as_millis() as u64).max(1));
    if ms != 0 {
        start();
    }
    // At thread exit this thread's lane may be gone already (a scheduler kept in a
    // `thread_local!` is dropped after it): then there is nothing to watch.
    let before = LANE
        .try_with(|lane| lane.0.threshold_ms.swap(ms, Ordering::Relaxed))
        .unwrap_or(0);
    (before != 0).then(|| Duration::from_millis(before))
}

/// The `slow_poll` threshold of the scheduler running on this thread, if it has one.
pub(crate) fn threshold() -> Option<Duration> {
    let mut ms = 0;
    with_fast_lane(|lane| ms = lane.threshold_ms.load(Ordering::Relaxed));
    (ms != 0).then(|| Duration::from_millis(ms))
}

/// A poll of `task` starts on this thread; `stack` is its pause stack's address (0 if
/// none, see `StackCell::address`).
#[inline]
pub(crate) fn poll_started(task: TaskName, stack: usize) {
    with_fast_lane(|lane| {
        if lane.threshold_ms.load(Ordering::Relaxed) == 0 {
            return;
        }
        let [kind, ptr, len] = encode(task);
        // A seqlock's writer fence: the name stores below may not move before the even
        // `seq` the last `poll_ended` stored, so a reader that sees one of them and then
        // the same `seq` knows the poll it names is still running.
        core::sync::atomic::fence(Ordering::Release);
        lane.name[0].store(kind, Ordering::Relaxed);
        lane.name[1].store(ptr, Ordering::Relaxed);
        lane.name[2].store(len, Ordering::Relaxed);
        lane.stack.store(stack, Ordering::Relaxed);
        let seq = lane.seq.load(Ordering::Relaxed);
        // Odd: a poll is running. Release: the name above is visible with it.
        lane.seq.store(seq | 1, Ordering::Release);
    });
}

/// The poll running on this thread ended.
#[inline]
pub(crate) fn poll_ended() {
    with_fast_lane(|lane| {
        let seq = lane.seq.load(Ordering::Relaxed);
        if seq & 1 == 1 {
            lane.seq.store(seq + 1, Ordering::Release);
        }
    });
}

fn encode(task: TaskName) -> [usize; 3] {
    match task.parts() {
        Ok(path) => [0, path.as_ptr() as usize, path.len()],
        Err(site) => [1, site as *const Location<'static> as usize, 0],
    }
}

/// Reads the name and the stack's address of the poll that made `seq` odd, if `seq` is
/// still the lane's.
fn read_name(lane: &Lane, seq: usize) -> Option<(TaskName, usize)> {
    let kind = lane.name[0].load(Ordering::Relaxed);
    let ptr = lane.name[1].load(Ordering::Relaxed);
    let len = lane.name[2].load(Ordering::Relaxed);
    let stack = lane.stack.load(Ordering::Relaxed);
    core::sync::atomic::fence(Ordering::Acquire);
    if lane.seq.load(Ordering::Relaxed) != seq {
        return None; // the poll ended meanwhile: the fields may be another poll's
    }
    let name = if kind == 0 {
        // SAFETY: `seq` was odd before and after the reads, so the three fields are the ones
        // `poll_started` wrote before making it odd (Release there, Acquire fence here), and
        // they were taken apart from a `&'static str` by `encode`.
        TaskName::path(unsafe {
            core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr as *const u8, len))
        })
    } else {
        // SAFETY: as above; the pointer came from a `&'static Location<'static>`.
        TaskName::site(unsafe { &*(ptr as *const Location<'static>) })
    };
    Some((name, stack))
}

/// What the watchdog remembers of one lane.
struct Watch {
    lane: Weak<Lane>,
    seq: usize,
    since: Instant,
    reported: Option<Duration>,
}

/// Starts the watchdog thread, once per process.
fn start() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::Builder::new()
            .name("scheduler-watchdog".into())
            .spawn(watch)
            .expect("the OS could not start the scheduler's watchdog thread");
    });
}

/// The watchdog's loop.
fn watch() {
    let mut watches: Vec<Watch> = Vec::new();
    loop {
        std::thread::sleep(TICK);
        let now = Instant::now();
        let current: Vec<Weak<Lane>> = lock(lanes()).clone();
        watches.retain(|w| w.lane.strong_count() > 0);
        for lane in current {
            if !watches.iter().any(|w| Weak::ptr_eq(&w.lane, &lane)) {
                watches.push(Watch {
                    lane,
                    seq: 0,
                    since: now,
                    reported: None,
                });
            }
        }
        for watch in &mut watches {
            let Some(lane) = watch.lane.upgrade() else {
                continue;
            };
            let seq = lane.seq.load(Ordering::Acquire);
            if seq != watch.seq || seq & 1 == 0 {
                *watch = Watch {
                    lane: watch.lane.clone(),
                    seq,
                    since: now,
                    reported: None,
                };
                continue;
            }
            let threshold = lane.threshold_ms.load(Ordering::Relaxed);
            if threshold == 0 {
                continue;
            }
            // The same poll has been running since at least one tick before `since`.
            let blocked = now - watch.since + TICK;
            let due = match watch.reported {
                None => blocked >= Duration::from_millis(threshold),
                Some(last) => blocked >= last + REPEAT,
            };
            if due && let Some((task, stack)) = read_name(&lane, seq) {
                let resumed = crate::stack::read_at(stack).report_lines();
                report(
                    task,
                    &lane.thread,
                    blocked,
                    watch.reported.is_some(),
                    &resumed,
                );
                watch.reported = Some(blocked);
            }
        }
        crate::test_hooks::reached!(WatchdogTicked);
    }
}

fn report(task: TaskName, thread: &str, blocked: Duration, again: bool, resumed: &str) {
    let ms = blocked.as_millis();
    let resumed = if resumed.is_empty() {
        String::new()
    } else {
        format!("\n  (it was resumed from where it paused last:{resumed})")
    };
    if again {
        crate::stderr::say_uncaptured(format_args!(
            "task `{task}` is still blocking thread `{thread}`: {ms} ms so far; {}{resumed}",
            misuse::SLOW_POLL
        ));
    } else {
        crate::stderr::say_uncaptured(format_args!(
            "task `{task}` has been running for {ms} ms without reaching a pause point, \
             so every other task on thread `{thread}` waits; {}{resumed}",
            misuse::SLOW_POLL
        ));
    }
}
