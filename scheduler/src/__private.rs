//! Support for the code that `#[task]`, `#[main]` and `#[test]` expand to. Not public API:
//! nothing here is covered by semver, and users never name it.
//!
//! The body rewrite wraps each call `e` in a `#[task]` body as
//!
//! ```text
//! (match e { v => (&v).__scheduler_kind().step(v) }).await
//! ```
//!
//! Method resolution picks [`PauseKind`] when `v` is a [`Pause`] (the method is found on
//! `&Pause<F>` without autoref) and [`ValueKind`] for every other type (found one autoref
//! later, on `&&T`). So exactly the pause values are awaited, chosen by type, and every
//! other value passes through a ready future the optimizer removes. Inside closures,
//! which cannot pause, the rewrite calls `forbid` instead, which fails to compile for a
//! `Pause`.

use core::future::{Future, Ready};
use std::panic::Location;

pub use crate::pause::Pause;
use crate::reason::Reason;
pub use crate::reason::Reasoned;

/// Tag returned for [`Pause`] values: their future is awaited.
pub struct PauseTag;

/// Tag returned for every other value: it is passed through unchanged.
pub struct ValueTag;

/// Chosen for [`Pause`] values (no autoref needed).
pub trait PauseKind {
    /// Which kind of value this is.
    #[inline(always)]
    fn __scheduler_kind(&self) -> PauseTag {
        PauseTag
    }
}

impl<F> PauseKind for Pause<F> {}

/// Chosen for every value that is not a [`Pause`] (one autoref later).
pub trait ValueKind {
    /// Which kind of value this is.
    #[inline(always)]
    fn __scheduler_kind(&self) -> ValueTag {
        ValueTag
    }
}

impl<T> ValueKind for &T {}

impl PauseTag {
    /// The future to await: the pause point itself.
    #[inline(always)]
    pub fn step<F: Future>(self, pause: Pause<F>) -> Reasoned<F> {
        pause.into_reasoned()
    }

    /// A pause point where the code cannot pause (inside a closure): a compile error.
    #[inline(always)]
    pub fn forbid<F>(self, pause: Pause<F>) -> Pause<F>
    where
        Pause<F>: PausesOnlyInTaskBody,
    {
        pause
    }
}

impl ValueTag {
    /// A plain value, passed through a future that is ready at once.
    #[inline(always)]
    pub fn step<T>(self, value: T) -> Ready<T> {
        core::future::ready(value)
    }

    /// A plain value inside a closure: passed through.
    #[inline(always)]
    pub fn forbid<T>(self, value: T) -> T {
        value
    }
}

/// Implemented by nothing: the bound that makes a pause point inside a closure a compile
/// error, with a message that says what to write instead.
#[diagnostic::on_unimplemented(
    message = "this pause point is inside a closure, where it cannot pause",
    label = "a closure is plain code: this call would never pause",
    note = "move the pause point out of the closure into the #[task] fn body, or make the closure's work a #[task] fn and queue it: `scheduler::queue_to_run(f, args)`"
)]
pub trait PausesOnlyInTaskBody {}

/// The value of a call to a `#[task]` fn: its body, `fut`, as a pause point named `name`.
///
/// `name` is a path such as `type_name_of_val(&marker_fn)`; a trailing
/// `::__scheduler_task_name` is dropped when the name is shown.
#[track_caller]
#[inline(always)]
pub fn task_pause<F: Future>(name: &'static str, fut: F) -> Pause<F> {
    Pause::because(Reason::Call(name), fut)
}

/// The location of the caller, for generated code that names a call site.
#[track_caller]
#[inline(always)]
pub fn caller() -> &'static Location<'static> {
    Location::caller()
}
