//! The two flavours of [`Scheduler`](crate::Scheduler), as types: what may run on each is
//! checked at compile time (a multi-threaded scheduler only takes `Send` work).

use crate::runtime::pool::Pool;
use crate::scheduler::LocalInner;

mod sealed {
    pub trait Sealed {}
}

/// A flavour of scheduler: [`SingleThread`] or [`MultiThread`]. Sealed.
pub trait Flavor: sealed::Sealed {
    /// The scheduler's state.
    #[doc(hidden)]
    type Inner;
    /// The flavour's name, for `Debug`.
    #[doc(hidden)]
    const NAME: &'static str;
}

/// `Scheduler<SingleThread>` (the default, `Scheduler::new()`): tasks run on the thread
/// that runs the scheduler, and may be `!Send`.
#[derive(Debug)]
pub enum SingleThread {}

/// `Scheduler<MultiThread>` (`Scheduler::builder().threads(n).build()`): tasks run on `n`
/// work-stealing threads, and must be `Send`.
#[derive(Debug)]
pub enum MultiThread {}

impl sealed::Sealed for SingleThread {}
impl sealed::Sealed for MultiThread {}

impl Flavor for SingleThread {
    type Inner = LocalInner;
    const NAME: &'static str = "single-thread";
}

impl Flavor for MultiThread {
    type Inner = Pool;
    const NAME: &'static str = "multi-thread";
}
