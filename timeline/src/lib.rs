//! Draws a trace that `SCHEDULER_TRACE` wrote (a Chrome trace-event file) as an SVG Gantt
//! chart, one lane per task: the `timeline` tool of the workspace.
//!
//! ```text
//! SCHEDULER_TRACE=trace.json cargo run --example tv
//! cargo run --bin timeline -- trace.json timeline.svg
//! ```
//!
//! It lives beside the library, not in it: a program that schedules tasks carries no SVG
//! writer and no JSON reader. Pauses are colored by their `args.kind`, one of the labels of
//! [`scheduler::trace::pause_kind`], shared with the library that writes them.

use core::fmt;

mod svg;

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
///      "args":{"outcome":"paused","pause":"sleep","kind":"sleep"}},
///     {"ph":"X","pid":1,"tid":1,"ts":300000,"dur":15,"name":"tv::do_both",
///      "args":{"outcome":"finished","pause":""}}
/// ]}"#;
/// let svg = scheduler_timeline::render_svg(trace)?;
/// assert!(svg.starts_with("<svg"));
/// assert_eq!(svg.matches("class=\"lane\"").count(), 1);
/// assert!(svg.contains("tv::do_both"));
///
/// assert!(scheduler_timeline::render_svg("{not json").is_err());
/// # Ok::<(), scheduler_timeline::TraceError>(())
/// ```
pub fn render_svg(json: &str) -> Result<String, TraceError> {
    svg::render(json)
}

/// Why [`render_svg`] could not read a trace.
///
/// # Examples
///
/// ```
/// let error = scheduler_timeline::render_svg("[1, }").unwrap_err();
/// assert!(error.to_string().contains("line 1, column 5"), "{error}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError {
    message: String,
}

impl TraceError {
    /// The text is not JSON: what was wrong, and where.
    pub(crate) fn json(error: serde_json::Error) -> Self {
        TraceError {
            message: format!(
                "not valid JSON at line {}, column {}: {error}",
                error.line(),
                error.column()
            ),
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
