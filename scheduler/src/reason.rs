//! Why a task is paused: each pause point carries a [`Reason`], noted when it returns
//! `Pending`, so that traces and deadlock reports can say what every task waits on.

use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::names::{TaskName, display_path};

/// What a paused task waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Reason {
    /// A call to the `#[task]` fn with this path (the innermost pause inside it wins).
    Call(&'static str),
    /// `sleep(d)` or a timeout.
    Sleep,
    /// `yield_now()`.
    Yield,
    /// `join()` of the named task.
    Join(TaskName),
    /// `wait(future)`: any other future.
    Wait,
    /// `Mutex::lock`.
    Lock,
    /// `Semaphore::acquire`.
    Acquire,
    /// `Event::wait`.
    Event,
    /// `Sender::send`.
    Send,
    /// `Receiver::recv`.
    Recv,
    /// `RwLock::read`.
    Read,
    /// `RwLock::write`.
    Write,
    /// `Barrier::wait`.
    Barrier,
    /// `Queue::put`.
    Put,
    /// `Queue::get`.
    Get,
    /// `Queue::join`.
    QueueJoin,
    /// `run_in_thread(f, args)`.
    Thread,
    /// `wait_all`, `wait_all_results`.
    WaitAll,
    /// `wait_any`.
    WaitAny,
    /// `scope(..)`.
    Scope,
    /// A listener's `accept`.
    Accept,
    /// A stream's `connect`.
    Connect,
    /// A socket's `read`, `read_exact`, `recv`, `recv_from`.
    SocketRead,
    /// A socket's `write`, `write_all`, `send`, `send_to`.
    SocketWrite,
}

impl Reason {
    /// Whether only this scheduler's own tasks can end the wait (so that, when every task
    /// waits like this, none ever wakes). `Wait` and `Thread` may be woken from outside, and
    /// `Sleep` by the clock; `Call` is never noted on its own.
    pub(crate) fn is_internal(self) -> bool {
        matches!(
            self,
            Reason::Join(_)
                | Reason::Lock
                | Reason::Acquire
                | Reason::Event
                | Reason::Send
                | Reason::Recv
                | Reason::Read
                | Reason::Write
                | Reason::Barrier
                | Reason::Put
                | Reason::Get
                | Reason::QueueJoin
                | Reason::WaitAll
                | Reason::WaitAny
                | Reason::Scope
        )
    }
}

impl Reason {
    /// Whether something outside the scheduler's tasks ends this wait: a timer, another
    /// thread, or a future of another library.
    pub(crate) fn ends_from_outside(self) -> bool {
        matches!(
            self,
            Reason::Sleep
                | Reason::Wait
                | Reason::Thread
                | Reason::Accept
                | Reason::Connect
                | Reason::SocketRead
                | Reason::SocketWrite
        )
    }
}

impl Reason {
    /// The kind of this wait, as a trace labels it (`args.kind`): one of [`pause_kind`]'s.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Reason::Sleep => pause_kind::SLEEP,
            Reason::Call(_)
            | Reason::Join(_)
            | Reason::WaitAll
            | Reason::WaitAny
            | Reason::Scope => pause_kind::JOIN,
            Reason::Send | Reason::Recv => pause_kind::CHANNEL,
            Reason::Lock | Reason::Acquire | Reason::Event | Reason::Read | Reason::Write => {
                pause_kind::LOCK
            }
            Reason::Wait
            | Reason::Accept
            | Reason::Connect
            | Reason::SocketRead
            | Reason::SocketWrite => pause_kind::WAIT,
            Reason::Yield
            | Reason::Barrier
            | Reason::Put
            | Reason::Get
            | Reason::QueueJoin
            | Reason::Thread => pause_kind::OTHER,
        }
    }
}

/// The kinds of wait a trace names in each paused slice's `args.kind`, shared by the
/// library that writes traces and the tools that read them (the `timeline` tool colors a
/// pause by its kind).
///
/// # Examples
///
/// ```
/// use scheduler::trace::pause_kind;
///
/// let kind = "sleep"; // a slice's `args.kind`, as a trace has it
/// assert_eq!(kind, pause_kind::SLEEP);
/// assert!(pause_kind::ALL.contains(&kind));
/// ```
pub mod pause_kind {
    /// `sleep(d)`, a timeout, an interval's tick.
    pub const SLEEP: &str = "sleep";
    /// Another task: `join`, a call of a `#[task]` fn, `wait_all`, `wait_any`, `scope`.
    pub const JOIN: &str = "join";
    /// A channel's `send` or `recv`.
    pub const CHANNEL: &str = "channel";
    /// A lock, semaphore, event or read-write lock.
    pub const LOCK: &str = "lock";
    /// `wait(future)`: a future of another library; and a socket (`scheduler::net`).
    pub const WAIT: &str = "wait";
    /// Anything else: `yield_now`, `run_in_thread`, a barrier, a queue, or not known.
    pub const OTHER: &str = "other";
    /// Every kind, in that order.
    pub const ALL: [&str; 6] = [SLEEP, JOIN, CHANNEL, LOCK, WAIT, OTHER];
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Call(path) => write!(f, "call of `{}`", display_path(path)),
            Reason::Sleep => f.write_str("sleep"),
            Reason::Yield => f.write_str("yield"),
            Reason::Join(task) => write!(f, "join of `{task}`"),
            Reason::Wait => f.write_str("wait of a future"),
            Reason::Lock => f.write_str("mutex lock"),
            Reason::Acquire => f.write_str("semaphore acquire"),
            Reason::Event => f.write_str("event wait"),
            Reason::Send => f.write_str("channel send"),
            Reason::Recv => f.write_str("channel recv"),
            Reason::Read => f.write_str("rwlock read"),
            Reason::Write => f.write_str("rwlock write"),
            Reason::Barrier => f.write_str("barrier wait"),
            Reason::Put => f.write_str("queue put"),
            Reason::Get => f.write_str("queue get"),
            Reason::QueueJoin => f.write_str("queue join"),
            Reason::Thread => f.write_str("run_in_thread"),
            Reason::WaitAll => f.write_str("wait_all"),
            Reason::WaitAny => f.write_str("wait_any"),
            Reason::Scope => f.write_str("scope"),
            Reason::Accept => f.write_str("socket accept"),
            Reason::Connect => f.write_str("socket connect"),
            Reason::SocketRead => f.write_str("socket read"),
            Reason::SocketWrite => f.write_str("socket write"),
        }
    }
}

thread_local! {
    /// The reason of the innermost pause point that returned `Pending` in the current poll.
    static NOTED: Cell<Option<Reason>> = const { Cell::new(None) };
}

/// Notes `reason` for the current poll, unless an inner pause point already did. An outer
/// wait that something outside the scheduler ends (a timeout's timer, a `run_in_thread`, a
/// future) wins over an inner one only tasks could end: `with_timeout` around an event
/// wait is not a deadlock, its timer will fire.
#[inline]
pub(crate) fn note(reason: Reason) {
    let _ = NOTED.try_with(|noted| match noted.get() {
        None => noted.set(Some(reason)),
        Some(inner) if inner.is_internal() && reason.ends_from_outside() => {
            noted.set(Some(reason));
        }
        Some(_) => {}
    });
}

/// Takes the reason noted during the poll that just returned `Pending` (and clears it for
/// the next poll).
#[inline]
pub(crate) fn take() -> Option<Reason> {
    NOTED.try_with(Cell::take).ok().flatten()
}

/// What a pause point's future notes when it returns `Pending`: a [`Reason`] known only at
/// run time (a join names its task), or one of the markers of [`why`], which name their
/// reason by type and take no room in the task's state.
pub(crate) trait Why: Copy {
    /// The reason to note.
    fn reason(self) -> Reason;
}

impl Why for Reason {
    #[inline(always)]
    fn reason(self) -> Reason {
        self
    }
}

/// One zero-sized marker per [`Reason`] that carries no data: a library pause point's future
/// holds its marker, not the 16-byte `Reason`, so awaiting it costs a task no more state
/// than awaiting the bare future would.
pub(crate) mod why {
    use super::{Reason, Why};

    macro_rules! markers {
        ($($name:ident),* $(,)?) => {$(
            #[doc = concat!("[`Reason::", stringify!($name), "`], by type.")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name;

            impl Why for $name {
                #[inline(always)]
                fn reason(self) -> Reason {
                    Reason::$name
                }
            }
        )*};
    }

    markers!(
        Sleep,
        Yield,
        Wait,
        Lock,
        Acquire,
        Event,
        Send,
        Recv,
        Read,
        Write,
        Barrier,
        Put,
        Get,
        QueueJoin,
        Thread,
        WaitAll,
        WaitAny,
        Scope,
        Accept,
        Connect,
        SocketRead,
        SocketWrite,
    );
}

pin_project! {
    /// A pause point's future as a `#[task]` body awaits it: notes its reason when it
    /// returns `Pending`. `W` is a marker of [`why`] (no room taken) or, where the reason is
    /// known only at run time, the [`Reason`] itself.
    pub struct Reasoned<F, W> {
        #[pin]
        pub(crate) fut: F,
        pub(crate) why: W,
    }
}

impl<F, W> Reasoned<F, W> {
    #[inline]
    pub(crate) fn new(fut: F, why: W) -> Self {
        Reasoned { fut, why }
    }
}

impl<F: Future, W: Why> Future for Reasoned<F, W> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let poll = this.fut.poll(cx);
        if poll.is_pending() {
            note(this.why.reason());
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_reason_takes_no_room_beside_its_future() {
        assert_eq!(
            core::mem::size_of::<Reasoned<[u64; 3], why::Recv>>(),
            core::mem::size_of::<[u64; 3]>()
        );
        assert_eq!(why::Recv.reason(), Reason::Recv);
        assert_eq!(why::QueueJoin.reason(), Reason::QueueJoin);
    }
}
