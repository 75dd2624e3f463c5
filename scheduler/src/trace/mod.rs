//! Seeing what ran when: `SCHEDULER_TRACE=trace.json` and [`render_svg`].
//!
//! Run any program with the variable `SCHEDULER_TRACE` naming a file, and every scheduler in
//! it records a [Chrome trace-event] file there (open it in [Perfetto] or
//! `chrome://tracing`):
//!
//! - one track per task, named by its task name;
//! - a slice per *poll* (a run of the task between two pause points), with `args.outcome`
//!   (`paused`, `finished`, `panicked`) and `args.pause`, what the task then waited for
//!   (`sleep`, ``join of `x` ``, `channel recv`, `wait of a future`, `mutex lock`, ...);
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
//! cargo run --example timeline -- trace.json timeline.svg
//! ```
//!
//! [`render_svg`] draws such a file as a Gantt chart: one lane per task, colored by what the
//! task was doing (running, or paused on what), on a labelled time axis.
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

use core::fmt;

mod json;
mod record;
mod svg;

pub(crate) use record::{
    FlushOnReturn, Outcome, begin, end, flush, init, measure_poll_time, new_id, spawned,
};

/// Draws a trace (the JSON that `SCHEDULER_TRACE` writes, or any Chrome trace-event file
/// with `X` slices) as an SVG Gantt chart: one lane per track, labelled with the task's
/// name; running slices in green (red when they blocked their thread), the pauses between
/// them colored by what the task waited for (sleep, join, channel, lock, wait, other), the
/// time before a task's first run in grey; a legend and a labelled time axis. Every lane is
/// an SVG `<g class="lane">` element, and every bar has a tooltip.
///
/// # Errors
///
/// [`TraceError`] when `json` is not valid JSON, or not a trace (no `traceEvents`).
///
/// # Examples
///
/// ```
/// let trace = r#"{"traceEvents":[
///     {"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"tv::do_both"}},
///     {"ph":"X","pid":1,"tid":1,"ts":0,"dur":20,"name":"tv::do_both",
///      "args":{"outcome":"paused","pause":"sleep"}},
///     {"ph":"X","pid":1,"tid":1,"ts":300000,"dur":15,"name":"tv::do_both",
///      "args":{"outcome":"finished","pause":""}}
/// ]}"#;
/// let svg = scheduler::trace::render_svg(trace)?;
/// assert!(svg.starts_with("<svg"));
/// assert_eq!(svg.matches("class=\"lane\"").count(), 1);
/// assert!(svg.contains("tv::do_both"));
///
/// assert!(scheduler::trace::render_svg("{not json").is_err());
/// # Ok::<(), scheduler::trace::TraceError>(())
/// ```
pub fn render_svg(json: &str) -> Result<String, TraceError> {
    svg::render(json)
}

/// Why [`render_svg`] could not read a trace.
///
/// # Examples
///
/// ```
/// let error = scheduler::trace::render_svg("[1, }").unwrap_err();
/// assert!(error.to_string().contains("byte 4"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError {
    message: String,
}

impl TraceError {
    /// The text is not JSON: what was wrong at byte `at`.
    pub(crate) fn json(at: usize, what: &str) -> Self {
        TraceError {
            message: format!("not valid JSON at byte {at}: {what}"),
        }
    }

    /// The JSON is not a trace.
    pub(crate) fn format(what: &str) -> Self {
        TraceError {
            message: format!("not a Chrome trace-event file: {what}"),
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TraceError {}
