//! A scheduler-first async runtime: you write plain functions, mark the ones that may pause
//! `#[task]`, and hand them to a scheduler. No `async`, no `.await`.
//!
//! ```
//! use std::time::Duration;
//! use scheduler::{task, Scheduler};
//!
//! #[task]
//! fn turn_on_tv() {
//!     scheduler::sleep(Duration::from_millis(20)); // a pause point: other tasks run meanwhile
//!     println!("tv on");
//! }
//!
//! #[task]
//! fn set_tv_channel(channel: u32) -> u32 {
//!     println!("channel {channel}");
//!     channel
//! }
//!
//! #[task]
//! fn do_both(channel: u32) -> u32 {
//!     turn_on_tv();            // runs to completion, pausing where it pauses
//!     set_tv_channel(channel)  // then this: in order
//! }
//!
//! let s = Scheduler::new();
//! s.queue_to_run(|| println!("a plain closure, run later"), ());
//! assert_eq!(s.run_until_finished(do_both, (7,)), 7);
//! ```
//!
//! This crate follows the notes "Async Python" (2020), whose author found asyncio's
//! "coroutine functions that don't run when you call them" confusing and proposed a
//! scheduler you hand plain functions to:
//!
//! ```text
//! scheduler.queue_to_run(run_this_later, *args)   # schedule it, don't wait
//! scheduler.run_until_finished(func1, *args)      # run it to completion
//! ```
//!
//! The sections below follow the notes' order.
//!
//! # Coroutine functions become plain functions
//!
//! In asyncio, `async def f()` does not run when called; it returns a coroutine object that
//! must be awaited or wrapped in a task. Here a task is a plain `fn` marked [`#[task]`](task).
//! Its body reads top to bottom like any other function, and the calls into the scheduler
//! in it ([`sleep`], [`yield_now`], [`wait`], [`run_until_finished`], [`TaskHandle::join`],
//! a call to another `#[task]` fn, ...) are where it *pauses*: it stops there, other tasks
//! run, and it resumes with the call's value. Nothing else pauses, so between two pause
//! points a task has its thread to itself.
//!
//! Under the hood `#[task]` turns the body into a state machine (an `async` block) and
//! awaits exactly the calls whose value is a [`Pause`]: the macro tells them apart by type,
//! not by name, so your own helpers that return a pause point pause too. You never write
//! `async` or `.await`; writing them in a `#[task]` fn is a compile error saying what to
//! write instead.
//!
//! # Awaitables become handles
//!
//! asyncio has three kinds of awaitables (coroutines, tasks, futures). Here there is one
//! thing you wait for: a [`TaskHandle`], returned by every `queue_to_run`. Call
//! [`join`](TaskHandle::join) to wait for its value (a `Result`: the task may have panicked
//! or been cancelled, see [`TaskError`]), [`cancel`](TaskHandle::cancel) to stop it at its
//! next pause point, or drop the handle to let the task run on its own. A future from
//! another async library is waited for with [`wait(future)`](wait).
//!
//! # Doing things asynchronously but in order
//!
//! The notes' TV: turning the TV on and setting its channel must happen in order, without
//! blocking the event handler that asks for it. Write the sequence as a task and queue it:
//!
//! ```
//! # use scheduler::task;
//! # #[task] fn turn_on_tv() {}
//! # #[task] fn set_tv_channel(c: u32) -> u32 { c }
//! #[task]
//! fn do_both(channel: u32) {
//!     turn_on_tv();
//!     set_tv_channel(channel);
//! }
//!
//! #[task]
//! fn event_handler() {
//!     scheduler::queue_to_run(do_both, (7,)); // schedule it, don't wait
//! }
//! # scheduler::Scheduler::new().run_until_finished(event_handler, ());
//! ```
//!
//! `turn_on_tv()` written directly is the same as
//! `scheduler::run_until_finished(turn_on_tv, ())`; use whichever reads better.
//!
//! # Partials become closures
//!
//! Arguments follow the function as a tuple: `queue_to_run(f, (a, b))`, up to 12. For
//! keyword arguments, defaults, or anything `functools.partial` would do, queue a closure:
//! `queue_to_run(move || greet("Hello", true), ())`. A closure or task is named after the
//! line that queued it (`src/main.rs:12`), a `#[task]` fn after its path, in every message.
//!
//! # Schedule normal code to run later
//!
//! A plain `fn` or closure can be queued too; it runs in one go when its turn comes, like
//! asyncio's `call_soon` ([`queue_to_run`]), or after a delay, like `call_later`
//! ([`queue_to_run_after`]).
//!
//! # Two places to call from
//!
//! | from | `queue_to_run(f, args)` | `run_until_finished(f, args)` |
//! |---|---|---|
//! | plain code: methods on [`Scheduler`] | queues, returns a [`TaskHandle`] | blocks the thread, running every queued task, until `f` returns |
//! | inside a `#[task]` fn: the free functions | queues on the current scheduler | pauses this task until `f` returns |
//!
//! `#[scheduler::main]` and `#[scheduler::test]` run a `main` or a test as a task on a
//! fresh scheduler.
//!
//! # Multiple threads
//!
//! As in the notes: a thread has at most one running scheduler, [`current()`] returns the
//! running one, and other threads reach it only through a [`Handle`], which is `Send +
//! Sync` and queues only `Send` work. A [`Scheduler`] itself cannot leave its thread.
//! `examples/threads.rs` runs several threads, each with its own scheduler, handing work to
//! each other through handles.
//!
//! [`Scheduler::builder().threads(n)`](Builder::threads) makes a `Scheduler<MultiThread>`:
//! a work-stealing pool of `n` threads. Its tasks must be `Send`, checked at compile time.
//! Parallel means parallel: each worker runs the tasks woken on it from its own queue,
//! which idle workers steal from at any time, so no task waits behind another task's poll
//! while a worker is idle: a task queued by a running task may start at once on another
//! worker (on one thread it starts no earlier than that task's next pause).
//!
//! The free functions cannot know which flavour runs them, so they take `!Send` work too:
//! in a `#[task]` body, `scheduler::queue_to_run(f, args)` (and `queue_to_run_after`, and
//! `s.queue_to_run(f, args)` in `scheduler::scope(|s| ..)`) lets any worker run `f` when its
//! task is `Send` (the macro asks the compiler at the call), and keeps it on the calling
//! worker otherwise. The compiler cannot tell yet for a closure written in the same body, or
//! for a fn queuing itself: those stay on the calling worker too. In plain code (a helper
//! called by a task) the free functions always keep work on the calling worker;
//! [`current()`](current)`.queue_to_run(f, args)` queues `Send` work for any worker from
//! anywhere.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! fn add(total: Arc<AtomicU64>, n: u64) {
//!     total.fetch_add(n, Ordering::Relaxed);
//! }
//!
//! #[scheduler::main(threads = 2)]
//! fn main() {
//!     let total = Arc::new(AtomicU64::new(0));
//!     let mut handles = Vec::new();
//!     for n in 1..=100u64 {
//!         // `Send` work: either worker may run it.
//!         handles.push(scheduler::queue_to_run(add, (total.clone(), n)));
//!     }
//!     scheduler::wait_all(handles);
//!     assert_eq!(total.load(Ordering::Relaxed), 5050);
//! }
//! ```
//!
//! # Waiting for multiple things
//!
//! The notes leave this section as "WRITE THIS". Every way of waiting is a pause point:
//!
//! | asyncio | tokio | here |
//! |---|---|---|
//! | `await gather(a, b)` | `join!(a, b)`, `join_all` | [`wait_all(handles)`](wait_all): every value, in order; re-raises the first failure |
//! | `gather(..., return_exceptions=True)` | awaiting each `JoinHandle` | [`wait_all_results(handles)`](wait_all_results): each `Result` |
//! | `wait(..., return_when=FIRST_COMPLETED)` | `JoinSet::join_next` | [`wait_any(handles)`](wait_any): `(index, value)` of the first; the others keep running |
//! | `async with timeout(d):`, `wait_for(f(), d)` | `time::timeout(d, f())` | [`with_timeout(d, f, args)`](with_timeout): `Err(TimedOut)`, `f` cancelled |
//! | `wait_for(future, d)` | `time::timeout(d, future)` | [`timeout(d, future)`](timeout), for any future |
//! | `async with timeout_at(when):` | `time::timeout_at(at, f())` | [`with_deadline(at, f, args)`](with_deadline) |
//! | `sleep(when - loop.time())` | `time::sleep_until(at)` | [`sleep_until(at)`](sleep_until) |
//! | `TaskGroup`, Trio's nursery | `JoinSet` | [`scope(\|s\| ...)`](scope): see [Structured concurrency](#structured-concurrency) |
//! | `tg.create_task(..)` in a coroutine given `tg` | a `JoinSet` behind an `Arc<Mutex<..>>` | [`ScopeHandle::queue_to_run`], from [`Scope::handle`] |
//! | raise `TerminateTaskGroup`, `nursery.cancel_scope.cancel()` | `JoinSet::abort_all` | [`Scope::cancel`], [`ScopeHandle::cancel`] |
//! | `asyncio.wait({a, b}, return_when=FIRST_COMPLETED)` on two awaits | `select! { v = a => .., w = b => .. }` | [`select!`] `{ v = rx.recv() => .., _ = sleep(d) => .. }`: the first pause point to finish runs its arm, the others are dropped |
//! | `async with asyncio.timeout(d): <block>` | `timeout(d, async { <block> })` | `with_timeout(d, \|\| { <block> }, ())`: a *pausing block*, whose pause points pause |
//!
//! A closure handed to [`scope`], [`with_timeout`] or [`with_deadline`] in a `#[task]` body
//! is a *pausing block*: its pause points pause the task like the body around it, so a
//! scope's body may queue, wait and queue again, and a timeout goes around a block, not
//! only a fn.
//!
//! ```
//! use std::time::Duration;
//! use scheduler::sync;
//!
//! #[scheduler::task]
//! fn chat_turn(lines: sync::Receiver<String>, ticks: u32) -> Vec<String> {
//!     let mut seen = Vec::new();
//!     for _ in 0..ticks {
//!         // tokio: `tokio::select! { Some(l) = lines.recv() => .., _ = sleep(d) => .. }`
//!         scheduler::select! {
//!             Ok(line) = lines.recv() => seen.push(line),
//!             _ = scheduler::sleep(Duration::from_millis(5)) => seen.push("tick".into()),
//!         }
//!     }
//!     // asyncio: `async with asyncio.timeout(0.05): await asyncio.sleep(3600)`
//!     let late = scheduler::with_timeout(Duration::from_millis(50), || {
//!         scheduler::sleep(Duration::from_secs(3600));
//!         "never"
//!     }, ());
//!     assert!(late.is_err());
//!     seen
//! }
//!
//! let (tx, rx) = sync::channel(4);
//! tx.try_send("hi".to_string()).unwrap();
//! let s = scheduler::Scheduler::builder().virtual_time().build();
//! assert_eq!(s.run_until_finished(chat_turn, (rx, 2)), ["hi", "tick"]);
//! ```
//!
//! Deadlines and timeouts are on [`now()`](now)'s clock: real time, or the virtual clock of
//! a scheduler built with [`virtual_time`](Builder::virtual_time), where the example below
//! takes no time at all.
//!
//! ```
//! use std::time::Duration;
//!
//! #[scheduler::task]
//! fn download(page: u32, millis: u64) -> u32 {
//!     scheduler::sleep(Duration::from_millis(millis));
//!     page
//! }
//!
//! #[scheduler::task]
//! fn browse() {
//!     let pages = [(1, 20), (2, 5)].map(|(page, ms)| scheduler::queue_to_run(download, (page, ms)));
//!     assert_eq!(scheduler::wait_all(pages), [1, 2]);
//!
//!     let mirrors = vec![scheduler::queue_to_run(download, (3, 50)), scheduler::queue_to_run(download, (4, 1))];
//!     assert_eq!(scheduler::wait_any(mirrors), (1, 4));
//!
//!     // asyncio: `async with asyncio.timeout(0.005): await download(5, 3_600_000)`
//!     // tokio:   `tokio::time::timeout(Duration::from_millis(5), download(5, 3_600_000)).await`
//!     let slow = scheduler::with_timeout(Duration::from_millis(5), download, (5, 3_600_000));
//!     assert!(slow.is_err());
//!
//!     // One deadline for several steps (asyncio's `timeout_at`, tokio's `timeout_at`).
//!     let deadline = scheduler::now() + Duration::from_millis(30);
//!     assert_eq!(scheduler::with_deadline(deadline, download, (6, 20)), Ok(6));
//!     assert!(scheduler::with_deadline(deadline, download, (7, 20)).is_err()); // 10 ms left
//!
//!     // Any future, from any library (tokio's `timeout(d, future)`).
//!     let (_tx, rx) = async_channel::bounded::<u32>(1);
//!     assert!(scheduler::timeout(Duration::from_millis(5), rx.recv()).is_err());
//! }
//! # scheduler::Scheduler::builder().virtual_time().build().run_until_finished(browse, ());
//! ```
//!
//! A pause value (`rx.recv()` of [`sync`], [`wait(fut)`](wait)) is awaited where a
//! `#[task]` body writes it, also as an argument: for `timeout(d, ..)` in a task body, pass
//! the future itself, or build `timeout(d, scheduler::wait(fut))` in a plain fn that returns
//! it.
//!
//! <!-- Racing pause points (`scheduler::select!`) goes here, beside tokio's `select!`. -->
//!
//! # Structured concurrency
//!
//! [`scope`] runs a group of tasks as one step (Trio's nursery, asyncio's `TaskGroup`): its
//! closure queues tasks on the [`Scope`], and the call returns once every one of them has
//! finished. When one panics, the others are cancelled and the panic is re-raised in the
//! caller, naming the task; when the task running the scope is cancelled, so are they. No
//! task outlives the scope that started it.
//!
//! ```
//! #[scheduler::task]
//! fn part(n: u32) -> u32 {
//!     scheduler::yield_now();
//!     n * n
//! }
//!
//! #[scheduler::task]
//! fn whole() -> Vec<u32> {
//!     let handles = scheduler::scope(|s| (1..=3).map(|n| s.queue_to_run(part, (n,))).collect::<Vec<_>>());
//!     scheduler::wait_all(handles) // all finished already
//! }
//! # assert_eq!(scheduler::Scheduler::new().run_until_finished(whole, ()), [1, 4, 9]);
//! ```
//!
//! The scope's tasks get a [`ScopeHandle`] ([`Scope::handle`]) to queue more tasks into the
//! same scope, which waits for those too, and to [`cancel`](ScopeHandle::cancel) it: every
//! task of the scope stops, and the scope returns normally, with no panic (Trio's "the first
//! success cancels the rest"):
//!
//! | asyncio / Trio | tokio | here |
//! |---|---|---|
//! | `async def attempt(tg, ..)`, `tg.create_task(attempt(tg, ..))` | `set.spawn(..)` on a shared `JoinSet` | `fn attempt(s: ScopeHandle, ..)`, `s.queue_to_run(attempt, (s.clone(), ..))` |
//! | `nursery.cancel_scope.cancel()` | `set.abort_all()`, then draining `join_next` | `s.cancel()` |
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use scheduler::ScopeHandle;
//!
//! #[scheduler::task]
//! fn attempt(mirror: u64, s: ScopeHandle, winner: Arc<Mutex<Option<u64>>>) {
//!     if mirror < 3 {
//!         s.queue_to_run(attempt, (mirror + 1, s.clone(), winner.clone())); // the next one
//!     }
//!     scheduler::sleep(Duration::from_millis(100 / mirror)); // mirror 3 answers first
//!     *winner.lock().unwrap() = Some(mirror);
//!     s.cancel(); // the others stop at their pause
//! }
//!
//! #[scheduler::task]
//! fn fastest_mirror() -> Option<u64> {
//!     let winner = Arc::new(Mutex::new(None));
//!     scheduler::scope(|s| {
//!         s.queue_to_run(attempt, (1, s.handle(), winner.clone()));
//!     });
//!     winner.lock().unwrap().take()
//! }
//! # assert_eq!(scheduler::Scheduler::builder().virtual_time().build().run_until_finished(fastest_mirror, ()), Some(3));
//! ```
//!
//! Cancellation is finished when it returns: `join` of a cancelled task, [`with_timeout`],
//! [`timeout`], and a scope that re-raises a panic or was cancelled return only once every
//! task they cancelled, down to the tasks of scopes inside them, has had its state dropped
//! (its drop guards run, the sockets and locks it held are free), also when one of them is
//! running on another worker of a pool at that moment.
//!
//! # Sharing between tasks
//!
//! [`sync`] has a [`Mutex`](sync::Mutex), an [`Event`](sync::Event), a
//! [`Semaphore`](sync::Semaphore) and [`channel`](sync::channel)s, thin layers over
//! `async-lock` and `async-channel` whose waiting methods (`lock`, `wait`, `acquire`,
//! `send`, `recv`) are pause points. A task cancelled while it holds a guard releases it; a
//! closed channel answers `Err`, never a hang.
//!
//! What asyncio and Go users reach for is there too: asyncio's
//! [`Queue`](sync::Queue) (`put`, `get`, `task_done`, `join`), an
//! [`RwLock`](sync::RwLock), a [`Barrier`](sync::Barrier), [`unbounded`](sync::unbounded)
//! channels, `channel(0)` as Go's unbuffered channel, and [`interval`] (Go's `time.Tick`,
//! on the scheduler's clock). A cancelled wait on any of them loses nothing.
//!
//! # Blocking work and I/O
//!
//! Work that blocks its thread (a blocking library, a long computation) would stop every
//! task on the scheduler: hand it to [`run_in_thread(f, args)`](run_in_thread), which runs
//! it on a thread pool while the calling task pauses. Sockets come from [`net`]:
//! [`TcpListener`](net::TcpListener), [`TcpStream`](net::TcpStream),
//! [`UdpSocket`](net::UdpSocket), [`UnixStream`](net::UnixStream) and
//! [`UnixListener`](net::UnixListener), whose `accept`, `read`, `write_all`, `recv_from`
//! ... are pause points, like `sleep`; `examples/echo.rs` is
//! a TCP echo server with one task per connection, in plain functions. Other non-blocking
//! I/O (`async-io`'s `Async<T>`, any library's futures) is awaited with [`wait`].
//!
//! # Using tokio libraries
//!
//! Most Rust libraries that do I/O are built on tokio (hyper, reqwest, sqlx, tonic, tokio's
//! own timers and sockets), and their futures panic with "there is no reactor running"
//! anywhere but inside a tokio runtime. Turn on the `tokio` feature:
//!
//! ```toml
//! plain-scheduler = { version = "0.1", features = ["tokio"] }
//! ```
//!
//! and every task, on [`Scheduler::new()`] and on every worker of a pool, runs inside the
//! context of one shared tokio runtime, whose own thread drives tokio's I/O and timers. A
//! tokio future can then be made and waited for anywhere in a task with [`wait`]; what a
//! library hands to `tokio::spawn` (hyper's connections, a client's pool) runs on the
//! runtime's thread. Plain code on a thread that built a scheduler is in the context too, so
//! it can make a tokio future to pass to a task as an argument.
//!
//! ```
//! # #[cfg(feature = "tokio")]
//! # fn main() {
//! use std::net::SocketAddr;
//! use std::time::Duration;
//!
//! use scheduler::{Scheduler, task};
//! use tokio::net::{TcpListener, TcpStream};
//!
//! #[task]
//! fn connect(address: SocketAddr) -> SocketAddr {
//!     let stream = scheduler::wait(TcpStream::connect(address)).expect("connected");
//!     stream.local_addr().expect("an address")
//! }
//!
//! #[task]
//! fn accept_one() -> bool {
//!     scheduler::wait(tokio::time::sleep(Duration::from_millis(10))); // tokio's timer
//!     let listener = scheduler::wait(TcpListener::bind("127.0.0.1:0")).expect("bound");
//!     let client = scheduler::queue_to_run(connect, (listener.local_addr().unwrap(),));
//!     let (_stream, peer) = scheduler::wait(listener.accept()).expect("accepted");
//!     client.join().unwrap() == peer
//! }
//!
//! assert!(Scheduler::new().run_until_finished(accept_one, ()));
//! assert!(Scheduler::builder().threads(2).build().run_until_finished(accept_one, ()));
//! # }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! The runtime starts with the first scheduler and lives as long as the process: tokio
//! sockets and clients stay tied to the runtime that made them, and may outlive any one
//! scheduler (a client in a `static`, tests that make a scheduler each). Its thread uses no
//! CPU while idle and never keeps the program from exiting. An I/O event or timer of a tokio
//! future reaches a task through that thread (it wakes the task on its scheduler), which
//! costs a thread wake-up beside a [`net`] socket, whose events the scheduler's own loops
//! take (an `async-io` future's go through async-io's thread too); `examples/http_client.rs`
//! is a hyper client with bounded concurrency, and `benches/RESULTS.md` (issue 19) measures the
//! cost. tokio's timers keep real time, also under [`Builder::virtual_time`] (use
//! [`sleep`] for virtual time). Without the feature, a task that panics with tokio's "no
//! reactor running" is reported with this fix.
//!
//! # When things go wrong
//!
//! - A task that panics is reported once on stderr, by name; other tasks keep running;
//!   its `join` gives [`TaskError::Panicked`], and a blocking
//!   [`Scheduler::run_until_finished`] re-raises the panic in its caller.
//! - Misuse at run time panics with a message that names the task and says what to write
//!   instead: a free function with no scheduler running, a blocking call inside a task, a
//!   pause point made where it cannot pause (in a plain fn or closure).
//! - A scheduler dropped with tasks left cancels them and names them on stderr (a summary
//!   by name when there are more than ten: one short line, however many).
//! - A task that holds its thread longer than 100 ms between two pause points (a blocking
//!   call, a long computation) is named on stderr while it happens, with the fix
//!   ([`Builder::slow_poll`] sets the threshold or turns it off). A watchdog thread notices
//!   it; polls read no clock.
//! - A single-threaded scheduler on which every task waits and nothing can wake one (no
//!   timer, no I/O or other future, no [`Handle`], no sync primitive used outside the
//!   scheduler) panics, listing each waiting task and what it waits on, as Go's "all
//!   goroutines are asleep - deadlock!".
//!
//! # Reproducible runs
//!
//! [`Builder::seed`] draws the order in which ready tasks run from a seeded generator, so an
//! interleaving bug shows up under some seed and replays exactly under that seed; the
//! variable `SCHEDULER_SEED` seeds every scheduler of a program (or test run) at once, and a
//! task's panic message names the seed. `#[scheduler::test(seed = 3)]` pins one test.
//! [`Builder::virtual_time`] runs timers on a virtual clock that jumps to the next deadline
//! whenever no task is ready: an hour-long timeout is tested in milliseconds.
//!
//! ```
//! use std::time::Duration;
//!
//! #[scheduler::task]
//! fn slow() -> u32 {
//!     scheduler::sleep(Duration::from_secs(3600));
//!     1
//! }
//!
//! let s = scheduler::Scheduler::builder().seed(3).virtual_time().build();
//! let start = std::time::Instant::now();
//! assert_eq!(s.run_until_finished(slow, ()), 1);
//! assert!(start.elapsed() < Duration::from_secs(5));
//! ```
//!
//! # Seeing it run
//!
//! `SCHEDULER_TRACE=trace.json cargo run ...` writes a Chrome trace of the program (open it
//! in Perfetto): a track per task, a slice per run between two pause points, each with what
//! it paused for, and arrows from a task to those it queued. The workspace's `timeline`
//! tool draws the same as an SVG timeline (`cargo run --bin timeline -- trace.json out.svg`).
//! [`Scheduler::stats`] counts tasks and polls; the `tracing` feature opens a span per poll.
//!
//! # Features
//!
//! | feature | what it does |
//! |---|---|
//! | `tokio` | every task is polled inside one shared tokio runtime's context, so tokio-based libraries work in `wait(..)` (see [Using tokio libraries](#using-tokio-libraries)) |
//! | `tracing` | a `tracing` span per task poll, named after the task |
//! | `test-hooks` | not for users: points where this workspace's tests stop a thread to make a race happen every run (compiled out without it) |
//!
//! # What the `#[task]` rewrite leaves alone
//!
//! The macro awaits calls by their type, so it needs each call's type where the call is.
//! Calls whose type is usually decided later (`collect`, `sum`, `into`, `parse`'s
//! `unwrap`, `Default::default`, ...) are left as they are; they never pause. If the
//! compiler still asks for a type annotation at a call in a `#[task]` body, add a turbofish
//! or a `let x: T`, as you would for `collect`.

#![deny(
    missing_docs,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

mod api;
mod blocking;
mod config;
mod context;
mod drain;
mod dropped_tasks;
mod dump;
mod flavor;
mod handle;
mod interval;
mod lock;
mod misuse;
mod names;
#[cfg(unix)]
pub mod net;
mod pause;
mod reason;
mod report;
mod runtime;
mod schedulable;
mod scheduler;
mod stack;
mod stats;
mod stderr;
mod task;
#[cfg_attr(not(feature = "test-hooks"), allow(dead_code, unused_imports))]
mod test_hooks;
mod time;
mod tokio_compat;
mod waiting;
mod watchdog;

mod select;
pub mod sync;
pub mod trace;

#[doc(hidden)]
pub mod __private;

/// Test support: see `test_hooks.rs` (feature `test-hooks`, this workspace's own tests).
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub mod __test_hooks {
    pub use crate::test_hooks::{Point, clear, set};
}

pub use api::{
    current, dump, now, queue_to_run, queue_to_run_after, run_until_finished, sleep, sleep_until,
    wait, yield_now,
};
pub use blocking::run_in_thread;
pub use dump::{Dump, StackFrame, TaskDump};
pub use flavor::{Flavor, MultiThread, SingleThread};
pub use handle::{Handle, SchedulerGone};
pub use interval::{Interval, interval};
pub use names::TaskName;
pub use pause::Pause;
pub use schedulable::Schedulable;
pub use scheduler::{Builder, Scheduler};
/// Marks a plain fn as a task: its calls to pause points pause, and a `#[task]` body that
/// calls it pauses until it returns.
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn set_tv_channel(channel: u32) -> u32 {
///     scheduler::sleep(Duration::from_millis(1)); // other tasks run meanwhile
///     channel
/// }
///
/// #[scheduler::task]
/// fn twice() -> u32 {
///     set_tv_channel(3) + set_tv_channel(4) // each call pauses; the values are `u32`s
/// }
///
/// let s = scheduler::Scheduler::new();
/// assert_eq!(s.run_until_finished(twice, ()), 7);
/// ```
///
/// Arguments: `name = "..."`, `boxed`, `crate = "path"` (see the macro's own docs below).
pub use scheduler_macros::task;
pub use stack::TaskState;

/// Runs `main`'s body as a task on a fresh scheduler.
///
/// ```
/// #[scheduler::main(seed = 7)]
/// fn main() {
///     scheduler::yield_now();
///     let handle = scheduler::queue_to_run(|| 6 * 7, ());
///     assert_eq!(handle.join().unwrap(), 42);
/// }
/// ```
///
/// Arguments: `threads = N`, `seed = N`, `virtual_time`, `crate = "path"`.
pub use scheduler_macros::main;

/// A test whose body runs as a task on a fresh scheduler; adds `#[test]` itself.
///
/// ```
/// #[scheduler::test(virtual_time)]
/// fn an_hour_passes_at_once() {
///     let start = scheduler::now();
///     scheduler::sleep(std::time::Duration::from_secs(3600));
///     assert!(scheduler::now() - start >= std::time::Duration::from_secs(3600));
/// }
/// # fn main() {}
/// ```
///
/// Arguments: those of [`macro@main`].
pub use scheduler_macros::test;
pub use stats::{Stats, TaskTime};
pub use task::{TaskError, TaskHandle};
pub use waiting::{
    Scope, ScopeHandle, TimedOut, scope, timeout, wait_all, wait_all_results, wait_any,
    with_deadline, with_timeout,
};

/// The marker types that tell [`Schedulable`] kinds apart; never named by users.
#[doc(hidden)]
pub mod kinds {
    pub use crate::schedulable::{CallOnce, PlainFn, TaskFn};
}
