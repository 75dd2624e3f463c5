//! [`run_in_thread`]: blocking work on a thread pool (the `blocking` crate's), so that it
//! does not stop the scheduler's thread.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, Location, catch_unwind};

use crate::context::TaskGuard;
use crate::names::TaskName;
use crate::pause::Pause;
use crate::reason::why;
use crate::report::payload_text;
use crate::schedulable::{PlainFn, Schedulable};

/// ⏸ Runs the plain fn or closure `f(args)` on a thread of a shared pool and pauses the
/// calling task until it returns, giving its value (asyncio's `to_thread`). Use it for work
/// that blocks its thread (file I/O, a blocking library call, a long computation), which
/// would otherwise stop every task of the scheduler.
///
/// `f`, its arguments and its value cross threads, so they must be `Send`. Cancelling the
/// calling task does not stop `f` once it has started (a thread cannot be interrupted);
/// its value is then dropped.
///
/// # Panics
///
/// When `f` panics: the panic is re-raised in the caller, naming `f`.
///
/// # Examples
///
/// ```
/// fn checksum(data: Vec<u8>) -> u32 {
///     // Imagine this takes seconds: it runs on another thread.
///     data.iter().map(|&b| u32::from(b)).sum()
/// }
///
/// #[scheduler::task]
/// fn verify() -> u32 {
///     let data = vec![1, 2, 3];
///     scheduler::run_in_thread(checksum, (data,)) // this task pauses, others run
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(verify, ()), 6);
/// ```
#[track_caller]
pub fn run_in_thread<F, Args>(f: F, args: Args) -> Pause<impl Future<Output = F::Output>>
where
    F: Schedulable<Args, PlainFn>,
    F::Future: Send + 'static,
    F::Output: Send + 'static,
{
    let (call, name) = f.into_task(args, Location::caller());
    let work = blocking::unblock(move || {
        // Named as a task while it runs: a panic is reported once, by this name, by the
        // panic hook here; the caller then re-raises it without a second report.
        let _running = TaskGuard::enter(name);
        let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
        let called = catch_unwind(AssertUnwindSafe(|| call_now(call)));
        if called.is_err() {
            crate::stderr::say_caught();
        }
        called
    });
    Pause::because(why::Thread, async move {
        match work.await {
            Ok(value) => value,
            Err(payload) => panic_in_caller(name, &payload_text(&*payload)),
        }
    })
}

/// Runs a plain fn's future, which is ready on its first poll.
fn call_now<F: Future>(call: F) -> F::Output {
    match pin!(call).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => unreachable!("a plain fn runs to completion in one poll"),
    }
}

/// Re-raises a panic of `run_in_thread`'s fn in its caller.
fn panic_in_caller(name: TaskName, message: &str) -> ! {
    // Already reported where it happened: re-raise without the panic hook.
    std::panic::resume_unwind(Box::new(format!(
        "`{name}` panicked in a thread of `scheduler::run_in_thread`: {message}"
    )))
}
