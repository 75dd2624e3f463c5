//! [`Pause`]: the one type every pause point returns.
//!
//! A `#[task]` body awaits exactly the values of this type (the macro tells them apart by
//! type, see `__private`), so a pause point is a plain call to the reader and an `.await`
//! to the compiler. Made anywhere else, a `Pause` that is dropped without being run is a
//! bug: it panics at once, naming where it was made.

use core::fmt;
use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::Location;

use crate::misuse;
use crate::reason::{self, Reason, Reasoned, Why, why};

/// The value of a pause point: `sleep`, `yield_now`, `wait`, `run_until_finished`,
/// `TaskHandle::join`, a call to a `#[task]` fn, and every other scheduler call that may let
/// other tasks run.
///
/// You rarely name this type. Inside a `#[task]` fn, calling a pause point pauses the task
/// and gives you the result directly:
///
/// ```
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn nap() -> u32 {
///     scheduler::sleep(Duration::from_millis(1)); // pauses here, other tasks run
///     7
/// }
///
/// #[scheduler::task]
/// fn twice() -> u32 {
///     nap() + nap() // each call pauses; the values are plain `u32`s
/// }
///
/// let s = scheduler::Scheduler::new();
/// assert_eq!(s.run_until_finished(twice, ()), 14);
/// ```
///
/// A `Pause` is also a [`Future`], so async code from other libraries can `.await` it.
///
/// # Panics
///
/// Dropping a `Pause` that was never run panics, naming the line that made it: that is a
/// pause point in code that cannot pause (a plain fn or a closure), which would otherwise
/// be skipped silently. Mark the enclosing fn `#[task]`.
///
/// ```should_panic
/// fn plain_helper() {
///     // A plain fn cannot pause: this sleep would never happen, so it panics instead.
///     let _ = scheduler::sleep(std::time::Duration::from_secs(1));
/// }
/// plain_helper();
/// ```
#[must_use = "a pause point does nothing unless a #[task] fn calls it: mark the calling fn #[task] (`let _ = ..` does not run it either)"]
pub struct Pause<F> {
    /// The pause point's future. Moved out only of an owned `Pause` (this module and the
    /// dispatch in `__private`, which take it apart without a generic fn of their own).
    pub(crate) fut: F,
    /// Everything else, of one type for every `F`: what a `#[task]` body's await and the
    /// drop check compile to once, not once per pause point's future.
    pub(crate) head: Head,
    /// Keeps every `Pause` `!Unpin`: this is how `queue_to_run` tells a task fn (which
    /// returns a `Pause`) from a plain fn (whose result must be `Unpin`).
    pub(crate) _pinned: PhantomPinned,
}

/// What a [`Pause`] knows besides its future. Its `Drop` is the drop check: a `Pause`
/// dropped unrun panics there, naming where it was made. (`Pause` itself has no `Drop`, so
/// it can be taken apart by moving its fields out.)
pub(crate) struct Head {
    /// What the task waits for while paused here (a task fn's call names the fn).
    reason: Reason,
    /// Where the pause value was made, for the message when it is dropped unrun.
    site: &'static Location<'static>,
    /// `true` until the value is polled or taken apart: an armed `Pause` panics on drop.
    armed: bool,
}

impl Head {
    /// The head of a pause value made at the caller's location.
    #[track_caller]
    #[inline]
    pub(crate) fn new(reason: Reason) -> Head {
        Head {
            reason,
            site: Location::caller(),
            armed: true,
        }
    }

    /// Disarms the drop check (whoever takes the future runs it) and gives the reason.
    #[inline]
    pub(crate) fn disarm(mut self) -> Reason {
        self.armed = false;
        self.reason
    }

    /// The task fn's name, when this is the value of a call to a `#[task]` fn.
    fn name(&self) -> Option<&'static str> {
        match self.reason {
            Reason::Call(path) => Some(path),
            _ => None,
        }
    }
}

impl Drop for Head {
    fn drop(&mut self) {
        if self.armed && !std::thread::panicking() {
            let what = match self.name() {
                Some(name) => format!("the #[task] fn `{}`", crate::names::display_path(name)),
                None => "a pause point".to_string(),
            };
            panic!(
                "{what} was called at {} {}",
                self.site,
                misuse::PAUSE_DROPPED
            );
        }
    }
}

/// Never `Unpin`, whatever `F` is, and the compiler can tell without looking at `F`.
struct NeverUnpin<F>(core::marker::PhantomData<fn() -> F>, PhantomPinned);

// `Pause<F>` is `!Unpin` by this impl, not by the auto impl, which would ask whether `F` is
// `Unpin` too: for a `#[task]` fn's future, a question about its body that two fns queuing
// each other turn into a cycle the compiler rejects.
//
// Soundness rests on this impl: `poll` pins `fut` structurally (`get_unchecked_mut`, then
// `Pin::new_unchecked(&mut this.fut)`), which is sound only if a `Pause` that was pinned is
// never moved again. Because its bound never holds, no `Pause<F>` is ever `Unpin`, for any
// `F`: safe code cannot pin one with `Pin::new` and move it afterwards. An impl that made
// `Pause<F>: Unpin` while `F` is not would let a pinned `!Unpin` future move: change this
// impl only together with `poll`.
impl<F> Unpin for Pause<F> where NeverUnpin<F>: Unpin {}

impl<F> Pause<Reasoned<F, why::Wait>> {
    /// Wraps `fut` as a pause point made at the caller's location, which waits on a future
    /// from outside (`wait`).
    #[track_caller]
    #[inline]
    pub(crate) fn new(fut: F) -> Self {
        Self::because(why::Wait, fut)
    }
}

impl<F, W> Pause<Reasoned<F, W>> {
    /// Wraps `fut` as a pause point that waits for `why`'s reason, which its future notes
    /// whenever it returns `Pending` (a `#[task]` body awaits it as it is). A marker of
    /// `reason::why` takes no room in the future; a run-time `Reason` takes its 16 bytes.
    #[track_caller]
    #[inline]
    pub(crate) fn because(why: W, fut: F) -> Self
    where
        W: Why,
    {
        Pause::from_parts(Reasoned::new(fut, why), Head::new(why.reason()))
    }
}

impl<F> Pause<F> {
    /// Wraps `fut`, whose own pause points note what it waits for (a task's body, a pausing
    /// block, a nested run), as a pause point made at the caller's location: its reason
    /// names it in messages only.
    #[track_caller]
    #[inline]
    pub(crate) fn bare(reason: Reason, fut: F) -> Self {
        Pause::from_parts(fut, Head::new(reason))
    }

    /// The pause value of `fut` with `head`.
    #[inline(always)]
    pub(crate) fn from_parts(fut: F, head: Head) -> Self {
        Pause {
            fut,
            head,
            _pinned: PhantomPinned,
        }
    }

    /// The task fn's name, when this is the value of a call to a `#[task]` fn.
    pub(crate) fn name(&self) -> Option<&'static str> {
        self.head.name()
    }

    /// Takes the future out, disarming the drop check: whoever takes it runs it.
    #[inline]
    pub(crate) fn into_future(self) -> F {
        let Pause { fut, head, .. } = self;
        head.disarm();
        fut
    }
}

/// Implemented by nothing: the bound that turns `.unwrap()` / `.expect(..)` on a pause
/// value (in plain code, where it cannot pause) into a compile error that says what to do.
#[diagnostic::on_unimplemented(
    message = "this is a pause point, not its value: it has nothing to unwrap yet",
    label = "a pause value: its result exists only once a #[task] fn waits for it",
    note = "call it in a #[task] fn, where the call pauses and gives its value (`h.join().unwrap()` works there); in plain code, wait for it with `Scheduler::run_until_finished(|| h.join(), ())`"
)]
pub trait ValueOnlyInTaskBody {}

impl<F> Pause<F> {
    /// Not to be called: a pause value's result exists only inside a `#[task]` body, where
    /// the call pauses and gives it. Calling this in plain code is a compile error that
    /// says so (the method exists for that message).
    #[doc(hidden)]
    pub fn unwrap<T>(self) -> T
    where
        Self: ValueOnlyInTaskBody,
    {
        unreachable!("no type implements ValueOnlyInTaskBody")
    }

    /// Not to be called: see [`Pause::unwrap`].
    #[doc(hidden)]
    pub fn expect<T>(self, _message: &str) -> T
    where
        Self: ValueOnlyInTaskBody,
    {
        unreachable!("no type implements ValueOnlyInTaskBody")
    }
}

impl<F: Future> Future for Pause<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `fut` is structurally pinned: it is never moved while `self` is pinned
        // (`Pause` is never `Unpin`: see its `Unpin` impl; `into_future` and the dispatch
        // need `self` by value, which a pinned `!Unpin` value never gives back; `Pause` has
        // no `Drop`, and `Head`'s does not touch `fut`). `head` is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if this.head.armed {
            // Awaited by code that is not a `#[task]` body, maybe on another executor.
            crate::context::note_possible_foreign_use();
        }
        this.head.armed = false;
        // SAFETY: see above: `fut` is pinned because `self` is.
        let poll = unsafe { Pin::new_unchecked(&mut this.fut) }.poll(cx);
        if poll.is_pending() {
            reason::note(this.head.reason);
        }
        poll
    }
}

impl<F> fmt::Debug for Pause<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pause")
            .field("reason", &self.head.reason)
            .field("site", &self.head.site)
            .finish_non_exhaustive()
    }
}
