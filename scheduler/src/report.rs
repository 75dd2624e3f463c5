//! Reporting task panics once, by name: a panic hook that names the running task, and the
//! text of a panic payload.

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt::Write as _;
use std::panic;
use std::sync::Once;

use crate::context;
use crate::misuse;
use crate::names::TaskName;
use crate::stderr::say;

/// Installs (once per process) a panic hook that reports a panic inside a task as
/// "task `name` panicked at file:line:col: message" and leaves every other panic to the
/// hook that was there before. A hook the user set before (a crash reporter, `tracing`'s)
/// sees task panics too, as they happen; the report follows where the panic is caught
/// (`stderr::say_caught`). std's default hook does not see them, or every task panic would be
/// reported twice.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        // With no hook set, `take_hook` gives a fresh box of std's default hook: the same
        // (zero-sized) value behind the same vtable as `previous` when nobody set a hook.
        let default = panic::take_hook();
        let user_hook = !core::ptr::eq(&*previous, &*default);
        drop(default);
        panic::set_hook(Box::new(move |info| match context::current_task() {
            Some(task) => {
                // The report (a backtrace capture takes a while) is not the task's poll:
                // the slow-poll watchdog must not blame the task for it.
                crate::watchdog::poll_ended();
                report_task_panic(task, info);
                if user_hook {
                    previous(info);
                }
                crate::watchdog::poll_started(task, 0);
            }
            None => previous(info),
        }));
    });
}

/// The report of a panic in `task`: where, what, the seed to replay it, the backtrace.
///
/// Written when the task panics but said where the panic is caught (`say_caught`), by then
/// no longer inside the hook: there it goes through `eprint!`, which the test harness
/// captures, so a passing test whose task panics on purpose prints nothing (libtest's own
/// hook, which this one calls as the previous hook, writes into that capture too).
fn report_task_panic(task: TaskName, info: &panic::PanicHookInfo<'_>) {
    let message = payload_text(info.payload());
    let mut report = String::new();
    let _ = match info.location() {
        Some(at) => writeln!(report, "task `{task}` panicked at {at}:\n{message}"),
        None => writeln!(report, "task `{task}` panicked:\n{message}"),
    };
    if let Some(seed) = context::current_seed() {
        let _ = writeln!(
            report,
            "(the scheduler ran with seed {seed}: rerun with {}={seed} to replay this order \
             of tasks)",
            crate::config::SEED_VAR
        );
    }
    let backtrace = Backtrace::capture();
    if backtrace.status() == BacktraceStatus::Captured {
        let _ = writeln!(report, "stack backtrace:\n{backtrace}");
    }
    crate::stderr::hold(report);
}

/// The message of a panic payload (`&str` or `String`, as `panic!` makes them), with the
/// fix appended where the panic has a known cause (tokio's "no reactor running" without the
/// `tokio` feature). Both the panic report and `TaskError::Panicked` get their text here.
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    };
    crate::tokio_compat::with_hint(text)
}

/// Says on stderr which tasks a dropped scheduler cancelled, if any: each by name when they
/// are few, else a summary (see `dropped_tasks.rs`).
pub(crate) fn dropped_with(names: &[TaskName]) {
    if names.is_empty() {
        return;
    }
    let list = crate::dropped_tasks::describe(names);
    let count = names.len();
    let tasks = if count == 1 { "task" } else { "tasks" };
    say(format_args!(
        "scheduler dropped with {count} unfinished {tasks}: {list}; {}",
        misuse::DROPPED_WITH_TASKS
    ));
}

/// Schedulers alive in this process (a task on one may be woken by another's).
static LIVE_SCHEDULERS: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// A scheduler was built.
pub(crate) fn scheduler_built() {
    LIVE_SCHEDULERS.fetch_add(1, core::sync::atomic::Ordering::AcqRel);
}

/// A scheduler was dropped.
pub(crate) fn scheduler_dropped() {
    LIVE_SCHEDULERS.fetch_sub(1, core::sync::atomic::Ordering::AcqRel);
}

/// How many schedulers are alive.
pub(crate) fn live_schedulers() -> usize {
    LIVE_SCHEDULERS.load(core::sync::atomic::Ordering::Acquire)
}
