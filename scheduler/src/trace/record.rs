//! Recording: the hooks the run loops call around every poll, and the file they go to.
//!
//! Off by default, and then the whole cost is one relaxed load per poll ([`begin`]). On,
//! events go to a buffer that [`flush`] appends to the file: at the end of every top-level
//! blocking call and when a scheduler is dropped. The file is valid JSON after every flush
//! (the closing `]}` is rewritten each time), so a program whose scheduler lives until
//! `exit` still leaves a complete trace of what it ran.

use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::cell::Cell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::json;
use crate::lock::lock;
use crate::names::TaskName;
use crate::reason::Reason;

/// Bit of [`CLOCK`]: tracing is on (`SCHEDULER_TRACE` named a file).
const TRACING: u8 = 1;
/// Bit of [`CLOCK`]: some scheduler measures its poll time (`Builder::measure_poll_time`).
const MEASURING: u8 = 2;

/// Why polls read the clock: [`TRACING`] and [`MEASURING`] bits; 0 (the default) makes
/// every hook here return at once.
static CLOCK: AtomicU8 = AtomicU8::new(0);

/// Task ids for tracks; 0 means "not traced".
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The id of the task being polled on this thread, while tracing.
    static CURRENT: Cell<u64> = const { Cell::new(0) };
}

/// The trace being recorded.
struct Recording {
    path: String,
    start: Instant,
    events: Mutex<Vec<Event>>,
    file: Mutex<Writer>,
}

/// One recorded event. Times are nanoseconds since the recording started.
pub(super) enum Event {
    /// A poll of task `id` on `thread`.
    Slice {
        id: u64,
        name: TaskName,
        thread: u64,
        start: u64,
        duration: u64,
        outcome: Outcome,
        /// It held its thread longer than the scheduler's `slow_poll` threshold.
        blocking: bool,
        /// When it paused: the `#[task]` calls it paused inside, outer first (its pause
        /// stack without the root, which is the task itself).
        calls: Vec<&'static str>,
    },
    /// The task being polled as `parent` queued task `child`, named `name`.
    Spawn {
        parent: u64,
        child: u64,
        name: TaskName,
        at: u64,
    },
}

/// How a poll ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    /// The task paused, waiting for this (if known).
    Paused(Option<Reason>),
    /// The task returned.
    Finished,
    /// The task panicked.
    Panicked,
}

fn recording() -> &'static OnceLock<Recording> {
    static RECORDING: OnceLock<Recording> = OnceLock::new();
    &RECORDING
}

/// Reads `SCHEDULER_TRACE` once per process and turns tracing on when it names a file.
pub(crate) fn init() {
    recording().get_or_init(|| {
        let path = std::env::var("SCHEDULER_TRACE").unwrap_or_default();
        if !path.is_empty() {
            CLOCK.fetch_or(TRACING, Ordering::Relaxed);
        }
        Recording {
            path,
            start: Instant::now(),
            events: Mutex::new(Vec::new()),
            file: Mutex::new(Writer::default()),
        }
    });
}

/// Makes every poll read the clock, for a scheduler that measures its poll time.
pub(crate) fn measure_poll_time() {
    CLOCK.fetch_or(MEASURING, Ordering::Relaxed);
}

/// Whether tracing is on.
#[inline]
pub(crate) fn enabled() -> bool {
    CLOCK.load(Ordering::Relaxed) & TRACING != 0
}

/// A fresh task id when tracing, else 0.
#[inline]
pub(crate) fn new_id() -> u64 {
    if enabled() {
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    } else {
        0
    }
}

/// A number for the current thread, for the trace's `args.thread`.
fn thread_number() -> u64 {
    thread_local! {
        static NUMBER: u64 = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.with(|n| *n)
}

fn nanos_since_start(at: Instant) -> u64 {
    let start = recording().get().map_or(at, |r| r.start);
    at.saturating_duration_since(start).as_nanos() as u64
}

fn record(event: Event) {
    if let Some(recording) = recording().get() {
        lock(&recording.events).push(event);
    }
}

/// A poll of task `id` starts; returns when, if the clock is wanted (tracing, or poll time
/// measured). When it is not, this is one relaxed load.
#[inline]
pub(crate) fn begin(id: u64) -> Option<Instant> {
    if CLOCK.load(Ordering::Relaxed) == 0 {
        return None;
    }
    begin_slow(id)
}

#[cold]
fn begin_slow(id: u64) -> Option<Instant> {
    if id != 0 {
        CURRENT.with(|c| c.set(id));
    }
    Some(Instant::now())
}

/// The poll that `begin` started ended with `outcome`; records it when tracing, and returns
/// how long it took when the clock was read.
#[inline]
pub(crate) fn end(
    started: Option<Instant>,
    id: u64,
    name: TaskName,
    outcome: Outcome,
) -> Option<Duration> {
    let started = started?;
    Some(end_slow(started, id, name, outcome))
}

#[cold]
fn end_slow(started: Instant, id: u64, name: TaskName, outcome: Outcome) -> Duration {
    let now = Instant::now();
    let duration = now.saturating_duration_since(started);
    if id != 0 && enabled() {
        CURRENT.with(|c| c.set(0));
        let blocking = crate::watchdog::threshold().is_some_and(|limit| duration > limit);
        let calls = match outcome {
            Outcome::Paused(_) => crate::stack::calls(name),
            _ => Vec::new(),
        };
        record(Event::Slice {
            id,
            name,
            thread: thread_number(),
            start: nanos_since_start(started),
            duration: duration.as_nanos() as u64,
            outcome,
            blocking,
            calls,
        });
    }
    duration
}

/// Task `child`, named `name`, was just queued (by the task being polled, if any).
#[inline]
pub(crate) fn spawned(child: u64, name: TaskName) {
    if child == 0 {
        return;
    }
    let parent = CURRENT.with(Cell::get);
    if parent != 0 {
        record(Event::Spawn {
            parent,
            child,
            name,
            at: nanos_since_start(Instant::now()),
        });
    }
}

/// Writes what was recorded since the last flush to the file named by `SCHEDULER_TRACE`
/// (creating it on the first flush). Does nothing when tracing is off.
pub(crate) fn flush() {
    if !enabled() {
        return;
    }
    let Some(recording) = recording().get() else {
        return;
    };
    let mut writer = lock(&recording.file);
    let events = core::mem::take(&mut *lock(&recording.events));
    if let Err(error) = writer.append(&recording.path, &events) {
        if !writer.failed {
            crate::stderr::say(format_args!(
                "SCHEDULER_TRACE: could not write `{}`: {error}",
                recording.path
            ));
        }
        writer.failed = true;
    }
}

/// Flushes the trace when dropped: held by the top-level blocking calls, so that the file
/// is complete when they return (or unwind), even if the scheduler is never dropped.
pub(crate) struct FlushOnReturn;

impl Drop for FlushOnReturn {
    #[inline]
    fn drop(&mut self) {
        if enabled() {
            flush();
        }
    }
}

/// The trace file, as written so far.
#[derive(Default)]
struct Writer {
    file: Option<File>,
    /// Tasks whose track has its name already.
    named: HashSet<u64>,
    /// Writing failed once: said once on stderr, not again.
    failed: bool,
}

impl Writer {
    /// Appends `events`, and the closing `]}` after them.
    fn append(&mut self, path: &str, events: &[Event]) -> std::io::Result<()> {
        if self.failed {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(_) if events.is_empty() => return Ok(()),
            Some(file) => {
                file.seek(SeekFrom::End(-(json::TAIL.len() as i64)))?;
                file
            }
            None => {
                let mut file = File::create(path)?;
                file.write_all(json::HEAD.as_bytes())?;
                self.file.insert(file)
            }
        };
        let mut out = String::new();
        for event in events {
            json::write_event(&mut out, event, &mut self.named);
        }
        out.push_str(json::TAIL);
        file.write_all(out.as_bytes())?;
        file.flush()
    }
}
