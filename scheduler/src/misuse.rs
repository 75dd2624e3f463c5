//! Every run-time misuse message, each saying what happened and what to write instead.
//! The task's name (or the call site) is put in front of each by the caller.

/// A free function that needs a scheduler was called where none is running.
pub(crate) const NO_SCHEDULER: &str = "was called on a thread with no running scheduler. \
Free functions like `scheduler::queue_to_run(f, args)` work inside tasks. From plain code, \
make a scheduler and call its methods: `let s = scheduler::Scheduler::new(); \
s.queue_to_run(f, args); s.run();`, or mark `main` with `#[scheduler::main]`";

/// A blocking method (`Scheduler::run_until_finished`, `Scheduler::run`,
/// `Handle::run_until_finished`) was called from inside a running task; the caller writes
/// "task `name` called `method`, " in front.
pub(crate) const NESTED_BLOCKING: &str = "which blocks the thread, from inside a running task: \
every other task on this thread would stop. Inside a #[task] fn call \
`scheduler::run_until_finished(f, args)`, which pauses only this task";

/// `Handle::run_until_finished` was called on the thread that owns the single-threaded
/// scheduler behind the handle; the caller writes "`Handle::run_until_finished` " in front.
pub(crate) const BLOCKING_ON_OWN_THREAD: &str = "was called on the thread that runs this \
handle's scheduler: it would wait for a task that only this thread can run, which is blocked \
in the call, so it would never return. On this thread call `s.run_until_finished(f, args)` on \
the `Scheduler` itself; `Handle::run_until_finished` is for other threads";

/// A `Pause` was dropped without being run.
pub(crate) const PAUSE_DROPPED: &str = "where it cannot pause, so it would have been skipped \
silently. Pause points only pause in the body of a #[task] fn: mark the fn that calls it \
`#[task]` (a plain fn or a closure cannot pause), or queue the work with \
`scheduler::queue_to_run(f, args)`";

/// Said after the names when a scheduler is dropped with unfinished tasks.
pub(crate) const DROPPED_WITH_TASKS: &str = "they were cancelled. To let queued tasks \
finish, call `Scheduler::run()` before the scheduler is dropped";

/// A `Handle` was used after its scheduler was dropped.
pub(crate) const SCHEDULER_GONE: &str = "the scheduler behind this handle was dropped, so \
it cannot run new tasks. Keep the `Scheduler` alive (and running) while handles queue work \
on it";

/// Said after a task that holds its thread too long between pause points is named.
pub(crate) const SLOW_POLL: &str = "move blocking work into `scheduler::run_in_thread(f, args)` \
(or call `scheduler::yield_now()` now and then in a long computation). The threshold is \
`Scheduler::builder().slow_poll(d)`; `slow_poll(None)` turns this off";

/// `wait_any` was given no handles.
pub(crate) const WAIT_ANY_EMPTY: &str = "was given no task handles, so nothing could ever \
finish first. Pass at least one `TaskHandle`, or check `handles.is_empty()` before waiting";

/// `Queue::task_done` was called with no item left to mark done.
pub(crate) const TASK_DONE_TOO_OFTEN: &str = "called `Queue::task_done()` more times than \
items were put in the queue (asyncio raises `ValueError` here). Call `task_done()` once for \
each item taken with `get()` or `get_nowait()`, after processing it";

/// `interval(Duration::ZERO)` was called.
pub(crate) const ZERO_PERIOD: &str = "`scheduler::interval(Duration::ZERO)`: an interval \
needs a period longer than zero, or it would tick without end and never let time pass. \
Use `scheduler::yield_now()` in the loop to let other tasks run between rounds";

/// `channel(n)` was called with `n` above `sync::MAX_CAPACITY`; the caller writes the call in
/// front.
pub(crate) const HUGE_CAPACITY: &str = "asks for room for more values than \
`scheduler::sync::MAX_CAPACITY` (2^20): a channel allocates room for all of them when it is \
made. Use a smaller capacity (a full channel makes senders wait, which is what a bound is \
for), or, for a queue that grows as needed, `async_channel::unbounded()` with \
`scheduler::wait(rx.recv())`";

/// Said on stderr (not a panic) when every task has been waiting a while and only something
/// outside the scheduler could wake one; the seconds, why, and the report follow.
pub(crate) const DEADLOCK_SUSPECTED: &str = "scheduler: maybe a deadlock: every task has been \
waiting, with nothing of this scheduler able to wake one, for ";

/// The first line of a deadlock report; the waiting tasks follow, then `DEADLOCK_FIX`.
pub(crate) const DEADLOCK: &str = "deadlock: every task is waiting and nothing can wake one \
(all tasks are asleep). Waiting:";

/// Said after the waiting tasks of a deadlock report.
pub(crate) const DEADLOCK_FIX: &str = "Each waits on another task or on a sync primitive that \
only these tasks could release: look for a missing `send`, `set`, unlock or `close`, a task \
that joins itself or a task that joins it, or a lock taken in two orders";

/// A task was queued into a scope that had ended.
pub(crate) const SCOPE_ENDED: &str = "was queued with `ScopeHandle::queue_to_run` after its \
scope had ended (every task of it had finished and `scheduler::scope` had returned), so \
nothing would wait for it. Queue it while the scope still runs, from its body or one of its \
tasks, or queue it outside any scope with `scheduler::queue_to_run(f, args)`";

/// Appended to a task's panic message that is tokio's "there is no reactor running" (said
/// only when the `tokio` feature is off).
pub(crate) const NO_TOKIO_RUNTIME: &str = "A tokio-based future (tokio's timers and sockets, \
hyper, reqwest, sqlx, tonic) was made or polled in a task, outside any tokio runtime. Turn on \
the `tokio` feature: `plain-scheduler = { version = \"0.1\", features = [\"tokio\"] }` in \
Cargo.toml; every task then runs inside a shared tokio runtime's context";

/// A `TaskHandle` polled as a `Future` again after it gave the task's value; the caller
/// writes "the `TaskHandle` of task `name` " in front.
pub(crate) const HANDLE_POLLED_AFTER_VALUE: &str = "was polled again after it gave the \
task's value (or error): a task has one value, given once. Keep the value the first poll \
returned, or stop polling the handle once it is `Ready` (a `select` or `poll_fn` loop must \
not poll a finished branch again); `handle.is_finished()` tells without polling";
