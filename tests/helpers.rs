//! Helpers shared by the workspace's integration tests, examples and benchmarks (the
//! `scheduler` library itself lives in `scheduler/`).

use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Counts how many of its tokens are alive: make tokens, move them into tasks, and check
/// that every one was dropped exactly once. A token made with [`DropCounter::labelled`] is
/// also counted by name: [`DropCounter::assert_each_dropped_once`] names a labelled token
/// that was leaked or dropped twice (plain tokens cost one atomic, for tests that make
/// millions).
///
/// ```
/// let counter = scheduler_workspace::DropCounter::new();
/// let token = counter.token();
/// let named = counter.labelled("task 1");
/// assert_eq!(counter.alive(), 2);
/// drop(token);
/// drop(named);
/// assert_eq!(counter.alive(), 0);
/// counter.assert_each_dropped_once();
/// ```
#[derive(Clone, Default)]
pub struct DropCounter {
    alive: Arc<AtomicUsize>,
    labelled: Labelled,
}

/// Each labelled token's label and drop count, by its id.
type Labelled = Arc<Mutex<Vec<(String, usize)>>>;

impl DropCounter {
    /// A counter with no live tokens.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new live token; dropping it counts down.
    pub fn token(&self) -> DropToken {
        self.alive.fetch_add(1, Ordering::SeqCst);
        DropToken {
            alive: self.alive.clone(),
            label: None,
        }
    }

    /// A new live token, named by `label` in failure messages, whose drops are counted.
    pub fn labelled(&self, label: impl Into<String>) -> DropToken {
        let mut labelled = lock(&self.labelled);
        labelled.push((label.into(), 0));
        let id = labelled.len() - 1;
        drop(labelled);
        let mut token = self.token();
        token.label = Some((id, self.labelled.clone()));
        token
    }

    /// How many tokens are alive now.
    pub fn alive(&self) -> usize {
        self.alive.load(Ordering::SeqCst)
    }

    /// How many labelled tokens were handed out.
    pub fn issued(&self) -> usize {
        lock(&self.labelled).len()
    }

    /// Each labelled token dropped other than exactly once, with its drop count.
    pub fn not_dropped_once(&self) -> Vec<(String, usize)> {
        lock(&self.labelled)
            .iter()
            .filter(|(_, drops)| *drops != 1)
            .cloned()
            .collect()
    }

    /// # Panics
    ///
    /// When a labelled token was leaked or dropped more than once, naming it.
    #[track_caller]
    pub fn assert_each_dropped_once(&self) {
        let wrong = self.not_dropped_once();
        assert!(
            wrong.is_empty(),
            "tokens not dropped exactly once (label, drops): {wrong:?}"
        );
    }
}

/// A value whose drop is counted by its [`DropCounter`].
pub struct DropToken {
    alive: Arc<AtomicUsize>,
    /// A labelled token's id, and where its drops are counted.
    label: Option<(usize, Labelled)>,
}

impl Drop for DropToken {
    fn drop(&mut self) {
        self.alive.fetch_sub(1, Ordering::SeqCst);
        if let Some((id, labelled)) = &self.label {
            lock(labelled)[*id].1 += 1;
        }
    }
}

impl fmt::Debug for DropToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.label {
            Some((id, _)) => write!(f, "DropToken({id})"),
            None => f.write_str("DropToken"),
        }
    }
}

/// Locks `mutex`, ignoring poisoning (a test's panic must not hide what it counted).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Ends the process, saying what hung, if it is not dropped within its limit: a test that
/// would wait forever fails instead.
///
/// ```
/// use std::time::Duration;
/// let _watchdog = scheduler_workspace::Watchdog::new(Duration::from_secs(60), "a short wait");
/// ```
pub struct Watchdog {
    _disarm: mpsc::Sender<()>,
}

impl Watchdog {
    /// Watches for `limit`; `what` says what was running if it runs out.
    pub fn new(limit: Duration, what: impl fmt::Display + Send + 'static) -> Self {
        let (disarm, disarmed) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = disarmed.recv_timeout(limit) {
                // Straight to the process's stderr: the test harness captures `eprintln!`
                // (in this thread too), and would lose it as the process exits.
                let _ = writeln!(
                    std::io::stderr(),
                    "watchdog: still running after {limit:?}: {what}"
                );
                std::process::exit(1);
            }
        });
        Watchdog { _disarm: disarm }
    }
}

/// Runs the test named `test` of the current test binary in a child process, with the
/// environment variable `SCHEDULER_CHILD` set, and returns its exit success and stderr.
///
/// A test that needs to see what a program prints (a panic message, the report of a dropped
/// scheduler) calls this, and does the real work when it finds `SCHEDULER_CHILD` set:
///
/// ```no_run
/// #[test]
/// fn prints_a_report() {
///     if scheduler_workspace::in_child() {
///         eprintln!("the report");
///         return;
///     }
///     let (ok, stderr) = scheduler_workspace::run_child("prints_a_report");
///     assert!(ok && stderr.contains("the report"));
/// }
/// ```
pub fn run_child(test: &str) -> (bool, String) {
    run_child_with(test, &[])
}

/// [`run_child`] with `SCHEDULER_TRACE` naming `trace`: the child records a trace of its
/// schedulers there, which the parent then reads back.
///
/// ```no_run
/// #[test]
/// fn leaves_a_trace() {
///     if scheduler_workspace::in_child() {
///         scheduler::Scheduler::new().run_until_finished(|| 1, ());
///         return;
///     }
///     let trace = std::env::temp_dir().join("leaves_a_trace.json");
///     let (ok, _) = scheduler_workspace::run_child_traced("leaves_a_trace", &trace);
///     assert!(ok && std::fs::read_to_string(&trace).unwrap().contains("traceEvents"));
/// }
/// ```
pub fn run_child_traced(test: &str, trace: &std::path::Path) -> (bool, String) {
    let _ = std::fs::remove_file(trace);
    run_child_with(test, &[("SCHEDULER_TRACE", trace.as_os_str())])
}

/// [`run_child`], with more environment variables.
fn run_child_with(test: &str, env: &[(&str, &std::ffi::OsStr)]) -> (bool, String) {
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads", "1"])
        .env("SCHEDULER_CHILD", "1")
        .env("RUST_BACKTRACE", "0")
        .envs(env.iter().copied())
        .output()
        .expect("the test binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs the test named `test` of the current test binary in a child process, like
/// [`run_child`], but with libtest capturing its output as in a plain `cargo test`; returns
/// whether it passed, and its stdout and stderr together (where libtest shows what it
/// captured of a failed test).
///
/// ```no_run
/// #[test]
/// fn quiet_when_it_passes() {
///     if scheduler_workspace::in_child() {
///         eprintln!("captured");
///         return;
///     }
///     let (ok, output) = scheduler_workspace::run_child_captured("quiet_when_it_passes");
///     assert!(ok && !output.contains("captured"));
/// }
/// ```
pub fn run_child_captured(test: &str) -> (bool, String) {
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--test-threads", "1"])
        .env("SCHEDULER_CHILD", "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the test binary runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// Runs the test named `test` of the current test binary in a child process, like
/// [`run_child`], with its stderr on `/dev/full`, where every write fails; returns whether it
/// exited successfully, and its stdout.
///
/// ```no_run
/// #[test]
/// fn survives_a_full_stderr() {
///     if scheduler_workspace::in_child() {
///         eprintln!("lost");
///         println!("survived");
///         return;
///     }
///     let (ok, stdout) = scheduler_workspace::run_child_with_stderr_full("survives_a_full_stderr");
///     assert!(ok && stdout.contains("survived"));
/// }
/// ```
pub fn run_child_with_stderr_full(test: &str) -> (bool, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists (Linux)");
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads", "1"])
        .env("SCHEDULER_CHILD", "1")
        .env("RUST_BACKTRACE", "0")
        .stderr(full)
        .output()
        .expect("the test binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Whether this process is a child started by [`run_child`].
pub fn in_child() -> bool {
    std::env::var_os("SCHEDULER_CHILD").is_some()
}

/// The message of the panic `f` raises (a `&str` or `String` payload).
///
/// # Panics
///
/// When `f` does not panic, or panics with another payload.
///
/// ```
/// let message = scheduler_workspace::panic_message(|| panic!("no signal on {}", 7));
/// assert_eq!(message, "no signal on 7");
/// ```
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("it panics");
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .expect("a text panic")
            .to_string(),
    }
}
