//! `SCHEDULER_TRACE=trace.json`: a Chrome trace-event file of what ran when (open it in
//! Perfetto or chrome://tracing). One track per task, a slice per poll (a run between two
//! pause points) with the reason it paused, and flow arrows from a task to those it queued.
//!
//! Off by default, and then the whole cost is one relaxed load per poll ([`begin`]).

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::names::TaskName;
use crate::reason::Reason;

/// Whether tracing is on (the variable was set when the first scheduler was built).
static ENABLED: AtomicBool = AtomicBool::new(false);

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
}

/// One recorded event.
enum Event {
    /// A poll of task `id` on `thread`, from `start` for `duration` microseconds.
    Slice {
        id: u64,
        name: TaskName,
        thread: u64,
        start: f64,
        duration: f64,
        outcome: Outcome,
    },
    /// Task `parent` queued task `child` at `at`.
    Spawn { parent: u64, child: u64, at: f64 },
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
            ENABLED.store(true, Ordering::Relaxed);
        }
        Recording {
            path,
            start: Instant::now(),
            events: Mutex::new(Vec::new()),
        }
    });
}

/// Whether tracing is on.
#[inline]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
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

/// A number for the current thread, for the trace's `tid`.
fn thread_number() -> u64 {
    thread_local! {
        static NUMBER: u64 = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.with(|n| *n)
}

fn micros_since_start(at: Instant) -> f64 {
    let start = recording().get().map_or(at, |r| r.start);
    at.saturating_duration_since(start).as_secs_f64() * 1e6
}

fn record(event: Event) {
    if let Some(recording) = recording().get() {
        recording
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event);
    }
}

/// A poll of task `id` starts; returns when, if tracing.
#[inline]
pub(crate) fn begin(id: u64) -> Option<Instant> {
    if !enabled() || id == 0 {
        return None;
    }
    CURRENT.with(|c| c.set(id));
    Some(Instant::now())
}

/// The poll that `begin` started ended with `outcome`.
#[inline]
pub(crate) fn end(started: Option<Instant>, id: u64, name: TaskName, outcome: Outcome) {
    let Some(started) = started else { return };
    CURRENT.with(|c| c.set(0));
    let now = Instant::now();
    record(Event::Slice {
        id,
        name,
        thread: thread_number(),
        start: micros_since_start(started),
        duration: now.saturating_duration_since(started).as_secs_f64() * 1e6,
        outcome,
    });
}

/// Task `child` was just queued (by the task being polled, if any).
#[inline]
pub(crate) fn spawned(child: u64) {
    if child == 0 {
        return;
    }
    let parent = CURRENT.with(Cell::get);
    if parent != 0 {
        record(Event::Spawn {
            parent,
            child,
            at: micros_since_start(Instant::now()),
        });
    }
}

/// Writes everything recorded so far to the file named by `SCHEDULER_TRACE`.
pub(crate) fn flush() {
    let Some(recording) = recording().get() else {
        return;
    };
    if !enabled() {
        return;
    }
    let events = recording.events.lock().unwrap_or_else(|e| e.into_inner());
    let json = to_json(&events);
    if let Err(error) = std::fs::write(&recording.path, json) {
        eprintln!(
            "SCHEDULER_TRACE: could not write `{}`: {error}",
            recording.path
        );
    }
}

/// The Chrome trace-event JSON of `events`: one process, one track (`tid`) per task.
fn to_json(events: &[Event]) -> String {
    let mut out = String::from("{\"traceEvents\":[\n");
    let mut named = std::collections::HashSet::new();
    let mut first = true;
    let mut push = |out: &mut String, line: String| {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&line);
    };
    for event in events {
        match event {
            Event::Slice {
                id,
                name,
                thread,
                start,
                duration,
                outcome,
            } => {
                if named.insert(*id) {
                    push(
                        &mut out,
                        format!(
                            "{{\"ph\":\"M\",\"pid\":1,\"tid\":{id},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}",
                            json_string(&name.to_string())
                        ),
                    );
                }
                let (label, reason) = match outcome {
                    Outcome::Paused(Some(reason)) => ("paused", reason.to_string()),
                    Outcome::Paused(None) => ("paused", String::new()),
                    Outcome::Finished => ("finished", String::new()),
                    Outcome::Panicked => ("panicked", String::new()),
                };
                push(
                    &mut out,
                    format!(
                        "{{\"ph\":\"X\",\"pid\":1,\"tid\":{id},\"ts\":{start:.3},\"dur\":{duration:.3},\"name\":{},\"args\":{{\"outcome\":\"{label}\",\"pause\":{},\"thread\":{thread}}}}}",
                        json_string(&name.to_string()),
                        json_string(&reason)
                    ),
                );
            }
            Event::Spawn { parent, child, at } => {
                push(
                    &mut out,
                    format!(
                        "{{\"ph\":\"s\",\"pid\":1,\"tid\":{parent},\"ts\":{at:.3},\"id\":{child},\"name\":\"queue_to_run\",\"cat\":\"spawn\"}}"
                    ),
                );
                push(
                    &mut out,
                    format!(
                        "{{\"ph\":\"f\",\"bp\":\"e\",\"pid\":1,\"tid\":{child},\"ts\":{at:.3},\"id\":{child},\"name\":\"queue_to_run\",\"cat\":\"spawn\"}}"
                    ),
                );
            }
        }
    }
    out.push_str("\n]}\n");
    out
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
