//! [`Dump`]: where every unfinished task of a scheduler is, like Go's goroutine dump; and
//! `SCHEDULER_DUMP_ON_SIGNAL=1`, which prints every live scheduler's dump on SIGQUIT.
//!
//! A pool's tasks are read from any thread: its registry is behind its (per-worker) locks
//! and each task's stack is in its header (`stack.rs`). A single-threaded scheduler's
//! registry belongs to its thread, which takes no lock: its own thread (plain code or a
//! task) reads it directly, and another thread asks it with a small task that the loop runs
//! at its next turn, waiting at most [`ANSWER_WITHIN`] for the answer.

use core::fmt;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use crate::names::TaskName;
use crate::runtime::local::LocalShared as Shared;
use crate::runtime::pool::PoolShared;
use crate::stack::{Snapshot, TaskState};

/// How long another thread waits for a single-threaded scheduler to answer a dump.
pub(crate) const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// The name of the task that answers a dump asked from another thread (left out of it).
pub(crate) const ASKING: &str = "scheduler::dump";

/// Every unfinished task of one scheduler (or, from [`scheduler::dump`](crate::dump)
/// outside any scheduler, of every live one), with its state and pause stack.
///
/// `Display` prints it like Go's goroutine dump: one paragraph per task, its state
/// (`running`, `ready` or `paused`, with what it waits on and for how long), then its
/// pause stack, the outer call first, each level the fn and the `file:line` where it is.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// use scheduler::sync::Event;
/// use scheduler::{Scheduler, TaskState, task};
///
/// #[task]
/// fn wait_for(event: Arc<Event>) {
///     event.wait();
/// }
///
/// #[task]
/// fn outer(event: Arc<Event>) {
///     wait_for(event);
/// }
///
/// let s = Scheduler::new();
/// let event = Arc::new(Event::new());
/// let task = s.queue_to_run(outer, (event.clone(),));
/// s.run_until_finished(|| scheduler::yield_now(), ()); // `outer` runs and pauses
/// let dump = s.dump();
/// let paused = &dump.tasks()[0];
/// assert_eq!(paused.state(), TaskState::Paused);
/// assert!(paused.name().to_string().ends_with("::outer"));
/// let text = dump.to_string();
/// assert!(text.contains("paused") && text.contains("event wait"), "{text}");
/// event.set();
/// s.run();
/// # drop(task);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Dump {
    tasks: Vec<TaskDump>,
    /// Each scheduler's flavour, notes, and how many of `tasks` are its, in order.
    schedulers: Vec<(String, Vec<String>, usize)>,
}

/// One scheduler's part of a [`Dump`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Section {
    /// "one thread", "2 threads".
    flavour: String,
    tasks: Vec<TaskDump>,
    /// What the dump could not see, said in words.
    notes: Vec<String>,
}

/// One task in a [`Dump`]: its name, state and pause stack.
///
/// # Examples
///
/// ```
/// let s = scheduler::Scheduler::new();
/// let queued = s.queue_to_run(|| 1, ());
/// let dump = s.dump();
/// let task = &dump.tasks()[0];
/// assert_eq!(task.state(), scheduler::TaskState::Ready); // queued, not started
/// assert!(task.stack().is_empty());
/// # s.run(); drop(queued);
/// ```
#[derive(Clone, Debug)]
pub struct TaskDump {
    name: TaskName,
    state: TaskState,
    stack: Vec<StackFrame>,
    /// Inner levels the stack did not keep (it keeps the outer 32).
    lost: usize,
    /// What the innermost level waits on, in words.
    waits: Option<String>,
    paused_for: Option<Duration>,
}

/// One level of a pause stack: a `#[task]` fn and the pause point in it where the task is.
///
/// # Examples
///
/// ```
/// #[scheduler::task]
/// fn nap() {
///     scheduler::sleep(std::time::Duration::from_secs(60));
/// }
///
/// let s = scheduler::Scheduler::builder().virtual_time().build();
/// let napping = s.queue_to_run(nap, ());
/// s.run_until_finished(|| scheduler::yield_now(), ());
/// let dump = s.dump();
/// let frame = &dump.tasks()[0].stack()[0];
/// assert!(frame.function().ends_with("::nap"));
/// assert_eq!(frame.location().file(), file!());
/// # napping.cancel();
/// ```
#[derive(Clone, Debug)]
pub struct StackFrame {
    function: String,
    location: &'static Location<'static>,
    /// Its branch (see [`StackFrame::branch`]), each step with the number of branches.
    branch: Vec<(usize, usize)>,
}

impl StackFrame {
    /// The `#[task]` fn's path (`tv::turn_on_tv`).
    pub fn function(&self) -> &str {
        &self.function
    }

    /// Where in that fn the task is: the pause point's `file:line:column`.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The branch this frame is on, below a `select!` that waits on several pause points
    /// at once: for each such `select!` above it, from the outer one in, the index of the
    /// branch (0 for its first arm still pending, in the order of its arms). Empty on the
    /// task's own chain. A `select!`'s frame comes first, then each pending arm's frames,
    /// branch by branch, the arm's own pause point first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use scheduler::sync::Event;
    /// use scheduler::{Scheduler, task};
    ///
    /// #[task]
    /// fn first_of(a: Arc<Event>, b: Arc<Event>) {
    ///     scheduler::select! {
    ///         _ = a.wait() => {},
    ///         _ = b.wait() => {},
    ///     }
    /// }
    ///
    /// let s = Scheduler::new();
    /// let (a, b) = (Arc::new(Event::new()), Arc::new(Event::new()));
    /// let racing = s.queue_to_run(first_of, (a.clone(), b.clone()));
    /// s.run_until_finished(|| scheduler::yield_now(), ()); // `first_of` runs and pauses
    /// let dump = s.dump();
    /// let frames = dump.tasks()[0].stack();
    /// let branches: Vec<Vec<usize>> = frames.iter().map(|f| f.branch()).collect();
    /// // the select! itself, then one frame per arm: each arm's `wait` line
    /// assert_eq!(branches, [vec![], vec![0], vec![1]]);
    /// # racing.cancel();
    /// ```
    pub fn branch(&self) -> Vec<usize> {
        self.branch.iter().map(|&(index, _)| index).collect()
    }
}

impl TaskDump {
    pub(crate) fn new(name: TaskName, snapshot: Snapshot) -> Self {
        let stack = snapshot
            .frames()
            .into_iter()
            .map(|frame| StackFrame {
                function: frame.site.function().to_string(),
                location: frame.site.location(),
                branch: frame.branch,
            })
            .collect();
        TaskDump {
            name,
            state: snapshot.state,
            stack,
            lost: snapshot.lost,
            waits: snapshot.reason.map(|w| w.to_string()),
            paused_for: snapshot.paused_for,
        }
    }

    /// The task's name.
    pub fn name(&self) -> TaskName {
        self.name
    }

    /// Running, ready or paused.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// Where it paused last: the outer call first, the innermost pause point last (empty for
    /// a task that has not paused yet). A running or ready task's stack is where it paused
    /// before it was woken.
    pub fn stack(&self) -> &[StackFrame] {
        &self.stack
    }

    /// How long it has been paused (to within what its loop's coarse clock tells: the time
    /// of its last look at timers, at most 128 polls before the pause), for a paused task.
    pub fn paused_for(&self) -> Option<Duration> {
        self.paused_for.filter(|_| self.state == TaskState::Paused)
    }
}

impl Dump {
    pub(crate) fn of(section: Section) -> Self {
        let mut dump = Dump::default();
        dump.push(section);
        dump
    }

    fn push(&mut self, section: Section) {
        let Section {
            flavour,
            tasks,
            notes,
        } = section;
        self.schedulers.push((flavour, notes, tasks.len()));
        self.tasks.extend(tasks);
    }

    /// Every unfinished task in the dump, scheduler by scheduler.
    pub fn tasks(&self) -> &[TaskDump] {
        &self.tasks
    }
}

impl Section {
    pub(crate) fn new(flavour: impl Into<String>) -> Self {
        Section {
            flavour: flavour.into(),
            ..Section::default()
        }
    }

    /// Adds a task.
    pub(crate) fn task(&mut self, name: TaskName, snapshot: Snapshot) {
        self.tasks.push(TaskDump::new(name, snapshot));
    }

    /// Adds what the dump could not see.
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task `{}` [", self.name)?;
        match (self.state, &self.waits, self.paused_for()) {
            (TaskState::Paused, Some(waits), Some(d)) => {
                write!(f, "paused: {waits}, {d:.1?}")?;
            }
            (TaskState::Paused, Some(waits), None) => write!(f, "paused: {waits}")?,
            (TaskState::Paused, None, _) => f.write_str("paused")?,
            (TaskState::Ready, ..) => f.write_str("ready")?,
            (TaskState::Running, ..) => f.write_str("running")?,
        }
        f.write_str("]")?;
        if self.stack.is_empty() {
            return Ok(());
        }
        f.write_str(":")?;
        let mut on: &[(usize, usize)] = &[];
        for frame in &self.stack {
            for (depth, (index, count)) in crate::stack::branches_entered(&frame.branch, on) {
                let indent = "    ".repeat(depth);
                write!(f, "\n    {indent}branch {} of {count}:", index + 1)?;
            }
            on = &frame.branch;
            let indent = "    ".repeat(frame.branch.len());
            let (function, location) = (&frame.function, frame.location);
            write!(f, "\n    {indent}{function}\n        {indent}{location}")?;
        }
        if self.lost > 0 {
            write!(f, "\n    ({} inner levels not kept)", self.lost)?;
        }
        Ok(())
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schedulers.is_empty() {
            return f.write_str("no scheduler is alive");
        }
        let mut tasks = self.tasks.iter();
        for (index, (flavour, notes, count)) in self.schedulers.iter().enumerate() {
            if index > 0 {
                f.write_str("\n\n")?;
            }
            let noun = if *count == 1 { "task" } else { "tasks" };
            write!(f, "scheduler ({flavour}): {count} unfinished {noun}")?;
            for note in notes {
                write!(f, "\n({note})")?;
            }
            for task in tasks.by_ref().take(*count) {
                write!(f, "\n\n{task}")?;
            }
        }
        Ok(())
    }
}

/// A live scheduler, as the process-wide list keeps it (never keeping it alive).
#[derive(Clone)]
pub(crate) enum Live {
    Local(Weak<Shared>),
    Pool(Weak<PoolShared>),
}

/// Every scheduler built and not yet dropped.
static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());

/// A scheduler was built: list it, for dumps of every scheduler.
pub(crate) fn built(live: Live) {
    let mut list = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    list.retain(|live| match live {
        Live::Local(weak) => weak.strong_count() > 0,
        Live::Pool(weak) => weak.strong_count() > 0,
    });
    list.push(live);
    drop(list);
    on_signal::install_if_asked();
}

/// The dump of every live scheduler.
pub(crate) fn every_scheduler() -> Dump {
    let list = LIVE.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let mut dump = Dump::default();
    for live in list {
        let section = match live {
            Live::Local(weak) => match weak.upgrade() {
                Some(shared) if !shared.closed.load(core::sync::atomic::Ordering::Acquire) => {
                    local_from_anywhere(&shared)
                }
                _ => continue,
            },
            Live::Pool(weak) => match weak.upgrade() {
                Some(pool) if !pool.closed.load(core::sync::atomic::Ordering::Acquire) => {
                    pool.dump()
                }
                _ => continue,
            },
        };
        dump.push(section);
    }
    dump
}

/// The dump of a single-threaded scheduler, from any thread.
pub(crate) fn local_from_anywhere(shared: &Arc<Shared>) -> Section {
    let here = crate::runtime::local::with_local(|local| {
        core::ptr::eq(&*local.shared, &**shared).then(|| local.dump())
    })
    .flatten();
    if let Some(section) = here {
        return section;
    }
    if std::thread::current().id() == shared.owner {
        let mut section = Section::new("one thread");
        section.note(
            "asked on the scheduler's own thread while it runs no loop: \
             `Scheduler::dump()` sees its tasks",
        );
        return section;
    }
    let (answer, answered) = std::sync::mpsc::sync_channel(1);
    let asked = shared.try_spawn_send(TaskName::path(ASKING), async move {
        let section = crate::runtime::local::with_local(|local| local.dump());
        let _ = answer.send(section);
    });
    let mut section = Section::new("one thread");
    match asked {
        None => section.note("the scheduler was dropped"),
        Some(handle) => match answered.recv_timeout(ANSWER_WITHIN) {
            Ok(Some(answer)) => return answer,
            Ok(None) | Err(_) => {
                handle.cancel();
                section.note(format!(
                    "its thread did not answer within {} s: it is in a long poll, or \
                     runs no loop now (a dump answers between two polls)",
                    ANSWER_WITHIN.as_secs()
                ));
            }
        },
    }
    section
}

/// `SCHEDULER_DUMP_ON_SIGNAL=1`: SIGQUIT prints every live scheduler's dump.
mod on_signal {
    /// The variable that turns it on.
    pub(crate) const VAR: &str = "SCHEDULER_DUMP_ON_SIGNAL";

    /// Starts the thread that waits for SIGQUIT, once, if the variable is `1`.
    #[cfg(unix)]
    pub(super) fn install_if_asked() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if std::env::var_os(VAR).is_none_or(|v| v != "1") {
                return;
            }
            let mut signals =
                match signal_hook::iterator::Signals::new([signal_hook::consts::SIGQUIT]) {
                    Ok(signals) => signals,
                    Err(error) => {
                        crate::stderr::say(format_args!(
                            "{VAR}=1: could not install the SIGQUIT handler: {error}"
                        ));
                        return;
                    }
                };
            let started = std::thread::Builder::new()
                .name("scheduler-dump-on-signal".into())
                .spawn(move || {
                    for _ in signals.forever() {
                        let dump = super::every_scheduler();
                        crate::stderr::say(format_args!("SIGQUIT: where every task is\n{dump}"));
                    }
                });
            if let Err(error) = started {
                crate::stderr::say(format_args!(
                    "{VAR}=1: could not start the thread that waits for SIGQUIT: {error}"
                ));
            }
        });
    }

    /// Not on this platform: there is no SIGQUIT.
    #[cfg(not(unix))]
    pub(super) fn install_if_asked() {}
}
