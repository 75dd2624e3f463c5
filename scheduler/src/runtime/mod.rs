//! The run loops: the single-threaded one (`local.rs`, its deadlock check in
//! `local/deadlock.rs`) and the pool (`pool.rs`, one worker in `pool/worker.rs`), what both
//! share (`registry.rs`: started tasks and cancel-all; `reactor.rs`: parking and closing),
//! and here, the one answer to "which flavour runs on this thread?" for the free functions
//! (`queue_to_run`, `current`) and the timers (`sleep`: which loop's wheel and clock), which
//! cannot know.
//!
//! Nothing else asks: a task knows its flavour by type (`task::Schedule`), a `Scheduler` and
//! a `Handle` by what they hold.

use core::future::Future;
use std::sync::Arc;

use crate::context;
use crate::handle::Handle;
use crate::misuse;
use crate::names::TaskName;
use crate::task::TaskHandle;
use crate::time::{VirtualClock, Wheel};

pub(crate) mod local;
pub(crate) mod pool;
mod reactor;
mod registry;

use local::with_local;
use pool::{Worker, with_worker};

/// Where a task queued by a free function may run on a pool: [`Here`] or [`Anywhere`] (on
/// a single thread, both are that thread).
pub(crate) trait Placement<F: Future> {
    /// Queues `future`, named `name`, on `worker`'s pool.
    fn on_worker(worker: &Worker, name: TaskName, future: F) -> TaskHandle<F::Output>;
}

/// On the worker that queues it, where it stays: the task may be `!Send`.
pub(crate) struct Here;

/// On any worker: the task is `Send`.
pub(crate) struct Anywhere;

impl<F> Placement<F> for Here
where
    F: Future + 'static,
    F::Output: 'static,
{
    #[inline]
    fn on_worker(worker: &Worker, name: TaskName, future: F) -> TaskHandle<F::Output> {
        worker.spawn_pinned(name, future)
    }
}

impl<F> Placement<F> for Anywhere
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[inline]
    fn on_worker(worker: &Worker, name: TaskName, future: F) -> TaskHandle<F::Output> {
        worker.spawn_anywhere(name, future)
    }
}

/// Queues the task that `make` makes on the scheduler running on this thread, placed as
/// `P` says: on a single-threaded scheduler, or on a pool's worker, both through their plain
/// pointers. Anything else (a pool being dropped, or no scheduler) is misuse: panics naming
/// `what` (the function the user called), before `make` runs.
#[track_caller]
#[inline]
pub(crate) fn queue<P, F>(what: &str, make: impl FnOnce() -> (F, TaskName)) -> TaskHandle<F::Output>
where
    P: Placement<F>,
    F: Future + 'static,
    F::Output: 'static,
{
    let mut make = Some(make);
    let mut make_once = || make.take().expect("made once")();
    if let Some(handle) = with_local(|local| {
        let (future, name) = make_once();
        local.spawn(name, future)
    }) {
        return handle;
    }
    if let Some(handle) = with_worker(|worker| {
        let (future, name) = make_once();
        P::on_worker(worker, name, future)
    }) {
        return handle;
    }
    refuse(what)
}

/// A thread-safe handle to the scheduler running on this thread; panics naming `what` when
/// there is none.
#[track_caller]
pub(crate) fn handle(what: &str) -> Handle {
    if let Some(handle) = with_local(|local| Handle::local(local.shared.clone())) {
        return handle;
    }
    if let Some(handle) = with_worker(|worker| Handle::pool(worker.pool.clone())) {
        return handle;
    }
    refuse(what)
}

/// Panics for a free function called where no scheduler takes work: on a thread that runs
/// none, or on one closing a pool.
#[track_caller]
fn refuse(what: &str) -> ! {
    match context::running() {
        Some(running) if running.closing => panic!("`{what}` {}", misuse::SCHEDULER_GONE),
        _ => panic!("`{what}` {}", misuse::NO_SCHEDULER),
    }
}

/// The timer wheel of the run loop on this thread, if one runs here.
#[inline]
pub(crate) fn with_wheel<R>(f: impl FnOnce(&Arc<Wheel>) -> R) -> Option<R> {
    let mut f = Some(f);
    let on_local = with_local(|local| (f.take().expect("called once"))(local.timers()));
    on_local.or_else(|| {
        let f = f.take()?;
        with_worker(|worker| f(worker.timers()))
    })
}

/// The clock of the scheduler running on this thread, when it is virtual (only a
/// single-threaded scheduler has one).
#[inline]
pub(crate) fn virtual_clock() -> Option<Arc<VirtualClock>> {
    with_local(|local| local.shared.clock.clone()).flatten()
}
