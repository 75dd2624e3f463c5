//! Task names: a `#[task]` fn's path, a plain fn's path, or a closure's `file:line`.

use core::fmt;
use std::panic::Location;

/// The suffix the `#[task]` macro's name marker adds to a fn's path.
const MARKER: &str = "::__scheduler_task_name";

/// The name of a task, as shown in messages, [`TaskError`](crate::TaskError)s and traces.
///
/// A `#[task]` fn's name is its path (`tv::do_both`); a plain fn's is its path too; a
/// closure's is the `file:line` of the call that queued it.
///
/// # Examples
///
/// ```
/// fn add(a: u32, b: u32) -> u32 {
///     a + b
/// }
///
/// let s = scheduler::Scheduler::new();
/// let handle = s.queue_to_run(add, (1, 2));
/// assert!(handle.name().to_string().ends_with("::add"));
/// let closure = s.queue_to_run(|| 3, ());
/// assert!(closure.name().to_string().contains(".rs:"));
/// # s.run();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskName(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Repr {
    Path(&'static str),
    Site(&'static Location<'static>),
}

impl TaskName {
    /// A name that is a path (a fn's, or one given with `#[task(name = "...")]`).
    pub(crate) fn path(path: &'static str) -> Self {
        TaskName(Repr::Path(path))
    }

    /// A name that is a call site.
    pub(crate) fn site(site: &'static Location<'static>) -> Self {
        TaskName(Repr::Site(site))
    }

    /// The name's parts: a path, or a call site.
    pub(crate) fn parts(self) -> Result<&'static str, &'static Location<'static>> {
        match self.0 {
            Repr::Path(path) => Ok(path),
            Repr::Site(site) => Err(site),
        }
    }

    /// The name of a callable: its path when it is a fn item, else the call site.
    pub(crate) fn of<F>(site: &'static Location<'static>) -> Self {
        let path = core::any::type_name::<F>();
        if path.contains("{{closure}}") || path.contains('{') {
            TaskName(Repr::Site(site))
        } else {
            TaskName(Repr::Path(path))
        }
    }
}

/// A path as it is shown: the macro's marker suffix removed.
pub(crate) fn display_path(path: &'static str) -> &'static str {
    path.strip_suffix(MARKER).unwrap_or(path)
}

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Path(path) => f.write_str(display_path(path)),
            Repr::Site(site) => write!(f, "{}:{}", site.file(), site.line()),
        }
    }
}

impl fmt::Debug for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{self}`")
    }
}
