//! [`Schedulable`]: what `queue_to_run` and `run_until_finished` accept, a `#[task]` fn, a
//! plain fn or a closure, with its arguments as a tuple.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::Location;

use crate::names::TaskName;
use crate::pause::Pause;

/// The kind marker for `#[task]` fns and closures that return a pause value.
#[doc(hidden)]
pub enum TaskFn {}

/// The kind marker for plain fns and closures, which run to completion in one go.
#[doc(hidden)]
pub enum PlainFn {}

/// Something the scheduler can run: a `#[task]` fn, a plain `fn`, or a closure, called with
/// `Args`, a tuple of up to 12 arguments: `()`, `(x,)`, `(x, y)`, ...
///
/// You never implement or name this trait; it is what lets
/// [`queue_to_run`](crate::queue_to_run) take both kinds of fn. `Kind` is inferred: a
/// `#[task]` fn returns a pause value, which is never `Unpin`; a plain fn's result must be
/// `Unpin` (every ordinary value is), and it runs in one go when its turn comes, like
/// asyncio's `call_soon`.
///
/// # Examples
///
/// ```
/// use scheduler::Scheduler;
///
/// #[scheduler::task]
/// fn pausing(x: u32) -> u32 {
///     scheduler::yield_now();
///     x + 1
/// }
///
/// fn plain(x: u32, y: u32) -> u32 {
///     x * y
/// }
///
/// let s = Scheduler::new();
/// let a = s.queue_to_run(pausing, (1,));
/// let b = s.queue_to_run(plain, (2, 3));
/// let c = s.queue_to_run(move || plain(4, 5), ()); // keyword-style arguments: a closure
/// s.run();
/// # let _ = (a, b, c);
/// ```
pub trait Schedulable<Args, Kind>: Sized {
    /// What the fn returns (for a `#[task]` fn, the value its body returns).
    type Output;
    /// The future that runs the fn.
    type Future: Future<Output = Self::Output>;

    /// Turns the fn and its arguments into a future and the task's name. A `#[task]` fn's
    /// body does not start running here; a plain fn is not called until the future is
    /// polled.
    #[doc(hidden)]
    fn into_task(self, args: Args, site: &'static Location<'static>) -> (Self::Future, TaskName);
}

/// A plain fn and its arguments, called once when first polled.
#[doc(hidden)]
pub struct CallOnce<F, A> {
    call: Option<(F, A)>,
}

// `CallOnce` never pins its contents: they are moved out and called on first poll.
impl<F, A> Unpin for CallOnce<F, A> {}

/// The name a pause value gives its task: the `#[task]` fn's path, or else `F`'s name.
fn name_of<F, P>(pause: &Pause<P>, site: &'static Location<'static>) -> TaskName {
    match pause.name() {
        Some(path) => TaskName::path(path),
        None => TaskName::of::<F>(site),
    }
}

macro_rules! schedulable_impls {
    ($( ($($arg:ident),*) )*) => {$(
        impl<Func, Ret, $($arg,)*> Schedulable<($($arg,)*), PlainFn> for Func
        where
            Func: FnOnce($($arg),*) -> Ret,
            Ret: Unpin,
        {
            type Output = Ret;
            type Future = CallOnce<Func, ($($arg,)*)>;

            #[inline]
            fn into_task(self, args: ($($arg,)*), site: &'static Location<'static>)
                -> (Self::Future, TaskName)
            {
                (CallOnce { call: Some((self, args)) }, TaskName::of::<Func>(site))
            }
        }

        impl<Func, Fut, $($arg,)*> Schedulable<($($arg,)*), TaskFn> for Func
        where
            Func: FnOnce($($arg),*) -> Pause<Fut>,
            Fut: Future,
        {
            type Output = Fut::Output;
            type Future = Fut;

            #[inline]
            #[allow(non_snake_case)]
            fn into_task(self, ($($arg,)*): ($($arg,)*), site: &'static Location<'static>)
                -> (Self::Future, TaskName)
            {
                let pause = self($($arg),*);
                let name = name_of::<Func, Fut>(&pause, site);
                (pause.into_future(), name)
            }
        }

        impl<Func, Ret, $($arg,)*> Future for CallOnce<Func, ($($arg,)*)>
        where
            Func: FnOnce($($arg),*) -> Ret,
        {
            type Output = Ret;

            #[inline]
            #[allow(non_snake_case)]
            fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Ret> {
                let (func, ($($arg,)*)) = self.call.take().expect("a plain fn task ran twice");
                Poll::Ready(func($($arg),*))
            }
        }
    )*};
}

schedulable_impls! {
    ()
    (A1)
    (A1, A2)
    (A1, A2, A3)
    (A1, A2, A3, A4)
    (A1, A2, A3, A4, A5)
    (A1, A2, A3, A4, A5, A6)
    (A1, A2, A3, A4, A5, A6, A7)
    (A1, A2, A3, A4, A5, A6, A7, A8)
    (A1, A2, A3, A4, A5, A6, A7, A8, A9)
    (A1, A2, A3, A4, A5, A6, A7, A8, A9, A10)
    (A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11)
    (A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12)
}
