//! The one way the scheduler writes to stderr ([`say`], and [`say_uncaptured`] where a
//! test harness must not capture it), and the report of a task's panic waiting to be said
//! where the panic is caught ([`hold`], [`say_caught`], [`say_unwinding`]).

use std::cell::RefCell;
use std::fmt;
use std::io::Write as _;
use std::panic;

/// Writes one line to stderr, where a test harness that captures this thread's output
/// captures it (a passing test's reports stay out of the way), and a failed write
/// (`2>/dev/full`, a closed pipe) is ignored: a report that cannot be written never becomes
/// a panic of its own. Inside a panic (the hook, a drop while unwinding), where a second
/// panic would abort, it writes straight to stderr like std's own hook.
pub(crate) fn say(line: fmt::Arguments<'_>) {
    if std::thread::panicking() {
        return say_uncaptured(line);
    }
    // Made whole first, then written at once: `eprintln!` of the arguments writes each
    // piece as it comes (stderr is unbuffered), so a line written as the process exits
    // could be cut, and lines of two threads interleave.
    let whole = format!("{line}\n");
    // `eprint!` panics when the write fails; that panic is caught here, and the report of it
    // (if this thread runs a task, the hook wrote one) is dropped with the failed line.
    if panic::catch_unwind(panic::AssertUnwindSafe(|| eprint!("{whole}"))).is_err() {
        let _ = UNSAID.try_with(RefCell::take);
    }
}

/// Writes one line straight to stderr, ignoring a failed write, as std's own panic hook
/// does. For threads that outlive any one test (the watchdog), whose output a harness
/// would capture into the buffer of whichever test started them, and for reports written
/// inside a panic.
pub(crate) fn say_uncaptured(line: fmt::Arguments<'_>) {
    // Whole first, then one write (see `say`).
    let whole = format!("{line}\n");
    let _ = std::io::stderr().lock().write_all(whole.as_bytes());
}

/// Keeps `report`, the report of the task panic this thread begins to unwind from, until
/// the panic is caught (`say_caught`); one kept before and not said yet (its panic was never
/// caught by us) is said now, as it is.
pub(crate) fn hold(report: String) {
    if let Ok(Some(unsaid)) = UNSAID.try_with(|u| u.replace(Some(report))) {
        say_uncaptured(format_args!("{}", unsaid.trim_end()));
    }
}

thread_local! {
    /// The report of the task panic this thread is unwinding from, until it is caught.
    static UNSAID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Adds `text` to the report of the panic this thread is unwinding from, if the hook wrote
/// one: what only the place that catches it knows (where the task paused last).
pub(crate) fn add_to_held(text: &str) {
    let _ = UNSAID.try_with(|u| {
        if let Some(report) = u.borrow_mut().as_mut() {
            report.push_str(text);
        }
    });
}

/// Says the report of the panic just caught on this thread, if the hook wrote one. Every
/// place that catches a task's panic calls it; a panic that unwinds out of a task guard
/// without being caught (none of ours does) has it said by the guard (`say_unwinding`).
pub(crate) fn say_caught() {
    if let Ok(Some(report)) = UNSAID.try_with(RefCell::take) {
        say(format_args!("{}", report.trim_end()));
    }
}

/// Says the report of a panic that is still unwinding, straight to stderr (`eprint!`
/// could panic again, which aborts while unwinding).
#[cold]
pub(crate) fn say_unwinding() {
    if let Ok(Some(report)) = UNSAID.try_with(RefCell::take) {
        say_uncaptured(format_args!("{}", report.trim_end()));
    }
}
