//! The `tokio` feature: one tokio runtime for the whole process, whose context every run
//! loop enters for as long as it runs, so that tokio futures can be *made* in a task
//! (`wait(tokio::time::sleep(d))`), not only polled.
//!
//! Tokio's timers and sockets find their driver through a thread-local context that
//! `Handle::enter` sets. Entering it once per run loop (the single-threaded loop while
//! `run_until_finished`/`run` runs, each pool worker for its whole life, each call of
//! `run_in_thread`) costs nothing per poll, unlike wrapping each poll (smol-rs
//! `async-compat`'s `Compat`, whose future must also be made inside the context, which
//! plain code cannot do). The thread that builds a scheduler is put in the context too (see
//! [`enter_for_plain_code`]), so that the arguments of
//! `s.run_until_finished(f, (tokio::time::sleep(d),))` can be tokio futures.
//!
//! The runtime lives as long as the process: tokio resources (a `TcpStream`, a hyper or
//! reqwest client's connection pool and the tasks it `tokio::spawn`s) are registered with
//! one runtime and break when it shuts down, and they may outlive any one scheduler (a client
//! in a `static`, schedulers made one after another by tests). Its one worker thread parks on
//! tokio's I/O driver when idle, using no CPU, and never keeps the process from exiting: the
//! process ends when `main` returns, whatever other threads do.
//!
//! Without the feature, [`enter`] is a no-op, and [`misuse::NO_TOKIO_RUNTIME`] tells the
//! user of a task that panicked with tokio's "no reactor running" how to turn the feature
//! on.

use crate::misuse;

/// Whether a panic message is tokio's for a missing runtime ("there is no reactor running,
/// must be called from the context of a Tokio 1.x runtime").
fn is_no_reactor(message: &str) -> bool {
    message.contains("there is no reactor running")
        || message.contains("must be called from the context of a Tokio 1.x runtime")
}

/// `message`, with [`misuse::NO_TOKIO_RUNTIME`] appended when it is tokio's "no reactor
/// running" and the `tokio` feature is off (with it on, the panic has another cause: a
/// thread of the user's own that is not a scheduler's).
pub(crate) fn with_hint(message: String) -> String {
    if cfg!(not(feature = "tokio")) && is_no_reactor(&message) {
        format!("{message}\n{}", misuse::NO_TOKIO_RUNTIME)
    } else {
        message
    }
}

#[cfg(feature = "tokio")]
mod runtime {
    use std::sync::OnceLock;

    use tokio::runtime::{Builder, EnterGuard, Handle, Runtime};

    /// The shared runtime, built by the first scheduler.
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();

    /// The shared runtime's handle, starting it if it is not running yet.
    pub(crate) fn handle() -> &'static Handle {
        RUNTIME
            .get_or_init(|| {
                // One worker drives the I/O driver and the timers, and runs what libraries
                // `tokio::spawn` (hyper's connections, a client's pool). A multi-thread
                // runtime, as libraries expect of what they spawn: on a current-thread one,
                // `tokio::task::block_in_place` in a spawned task panics.
                Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name("scheduler-tokio")
                    .enable_all()
                    .build()
                    .expect("the OS could not start the shared tokio runtime's thread")
            })
            .handle()
    }

    /// Enters the shared runtime's context on this thread until the guard is dropped.
    pub(crate) fn enter() -> EnterGuard<'static> {
        handle().enter()
    }

    /// Puts the thread that builds a scheduler in the shared runtime's context for good, if
    /// it is in no tokio context yet, so that plain code can make tokio futures to hand to
    /// tasks. A thread already in a context (the user's own runtime) is left alone.
    pub(crate) fn enter_for_plain_code() {
        if Handle::try_current().is_err() {
            // The guard would restore "no context" when dropped; forgetting it leaves the
            // context set for the thread's life. Later guards nest above it and restore it.
            core::mem::forget(enter());
        }
    }
}

#[cfg(feature = "tokio")]
pub(crate) use runtime::{enter, enter_for_plain_code};

/// Without the feature: what [`enter`] gives, which restores nothing.
#[cfg(not(feature = "tokio"))]
pub(crate) struct NotEntered;

/// Without the feature: nothing to enter.
#[cfg(not(feature = "tokio"))]
#[inline(always)]
pub(crate) fn enter() -> NotEntered {
    NotEntered
}

/// Without the feature: nothing to enter.
#[cfg(not(feature = "tokio"))]
#[inline(always)]
pub(crate) fn enter_for_plain_code() {}
