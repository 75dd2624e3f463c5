//! Seeing what ran when: `SCHEDULER_TRACE=trace.json`.
//!
//! Run any program with the variable `SCHEDULER_TRACE` naming a file, and every scheduler in
//! it records a [Chrome trace-event] file there (open it in [Perfetto] or
//! `chrome://tracing`):
//!
//! - one track per task, named by its task name;
//! - a slice per *poll* (a run of the task between two pause points), with `args.outcome`
//!   (`paused`, `finished`, `panicked`), `args.pause`, what the task then waited for
//!   (`sleep`, ``join of `x` ``, `channel recv`, `wait of a future`, `mutex lock`, ...), and
//!   `args.kind`, the kind of that wait as one of the labels of [`pause_kind`] (for tools
//!   that group pauses: no need to parse `args.pause`);
//! - slices that held their thread longer than the scheduler's
//!   [`slow_poll`](crate::Builder::slow_poll) threshold are marked: `args.blocking` is
//!   `true`, their name ends with `(blocking)` and their category is `blocking`;
//! - arrows from the poll that queued a task to that task's first poll.
//!
//! The file is written at the end of every top-level blocking call
//! ([`Scheduler::run_until_finished`](crate::Scheduler::run_until_finished),
//! [`Scheduler::run`](crate::Scheduler::run)) and when a scheduler is dropped, and is
//! valid JSON after each of those.
//!
//! ```text
//! SCHEDULER_TRACE=trace.json cargo run --example tv
//! cargo run --bin timeline -- trace.json timeline.svg
//! ```
//!
//! The `timeline` tool (the workspace's `scheduler-timeline` package) draws such a file as
//! a Gantt chart: one lane per task, colored by what the task was doing (running, or paused
//! on what kind of wait), on a labelled time axis.
//!
//! # Cost
//!
//! Tracing is off unless the variable is set when the first scheduler is built. Off, each
//! poll pays one relaxed atomic load, and nothing else: no clock read, no allocation
//! (`benches/trace_off.rs` measures it). On, each poll reads the clock twice and records an
//! event under a lock.
//!
//! [Chrome trace-event]: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
//! [Perfetto]: https://ui.perfetto.dev

mod json;
mod record;

pub use crate::reason::pause_kind;

pub(crate) use record::{
    FlushOnReturn, Outcome, begin, end, flush, init, measure_poll_time, new_id, spawned,
};
