//! The one way the scheduler writes to stderr: reports, warnings and the panic report.

use std::fmt;
use std::io::Write;

/// Writes one line to stderr, ignoring a failed write (`2>/dev/full`, a closed pipe), as
/// std's own panic hook does: a report that cannot be written must never become a panic of
/// its own (inside the panic hook, that aborts the process; on the watchdog thread, it
/// would end the watchdog).
pub(crate) fn say(line: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_fmt(line);
    let _ = stderr.write_all(b"\n");
}
