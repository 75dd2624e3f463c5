//! Why a task is paused: each pause point carries a [`Reason`], noted when it returns
//! `Pending`, so that traces and deadlock reports can say what every task waits on.

use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::names::{TaskName, display_path};

/// How a wait ends, as the deadlock check asks it of a [`Reason`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// Only this scheduler's own tasks can end it: when every task waits like this, none
    /// ever wakes.
    ByTasks,
    /// Something outside the scheduler's tasks ends it: a timer, another thread, a future
    /// of another library.
    FromOutside,
    /// Neither: it ends by itself (`yield_now`), or is never noted on its own (`Call`).
    Otherwise,
}

/// The one list of reasons: each kind of wait without a payload, with its doc, the words
/// reports use for it, its trace kind (a [`pause_kind`]) and how it ends. It makes the
/// [`Reason`] enum (with the two kinds that carry a name), their texts and kinds, the
/// codes a single thread's registry stores them by ([`Reason::UNITS`]) and the zero-sized
/// markers of [`why`].
macro_rules! reasons {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident => $text:literal, $kind:ident, $ends:ident;
    )*) => {
        /// What a paused task waits for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum Reason {
            /// A call to the `#[task]` fn with this path (the innermost pause inside it
            /// wins).
            Call(&'static str),
            /// `join()` of the named task.
            Join(TaskName),
            $($(#[doc = $doc])+ $name,)*
        }

        impl Reason {
            /// The reasons without a payload, each at its [`unit_index`](Self::unit_index).
            pub(crate) const UNITS: &'static [Reason] = &[$(Reason::$name),*];

            /// Where this reason is in [`Reason::UNITS`] (`None`: it carries a payload).
            #[inline]
            pub(crate) fn unit_index(self) -> Option<usize> {
                /// The reasons without a payload, numbered in order.
                enum Index {
                    $($name,)*
                }
                match self {
                    Reason::Call(_) | Reason::Join(_) => None,
                    $(Reason::$name => Some(Index::$name as usize),)*
                }
            }

            /// The kind of this wait, as a trace labels it (`args.kind`): one of
            /// [`pause_kind`]'s.
            pub(crate) fn kind(self) -> &'static str {
                match self {
                    Reason::Call(_) | Reason::Join(_) => pause_kind::JOIN,
                    $(Reason::$name => pause_kind::$kind,)*
                }
            }

            /// How this wait ends.
            #[inline]
            fn ends(self) -> Ends {
                match self {
                    Reason::Call(_) => Ends::Otherwise,
                    Reason::Join(_) => Ends::ByTasks,
                    $(Reason::$name => Ends::$ends,)*
                }
            }
        }

        impl fmt::Display for Reason {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Reason::Call(path) => write!(f, "call of `{}`", display_path(path)),
                    Reason::Join(task) => write!(f, "join of `{task}`"),
                    $(Reason::$name => f.write_str($text),)*
                }
            }
        }

        /// One zero-sized marker per [`Reason`] that carries no data: a library pause
        /// point's future holds its marker, not the 16-byte `Reason`, so awaiting it costs
        /// a task no more state than awaiting the bare future would.
        pub(crate) mod why {
            use super::{Reason, Why};

            $(
                #[doc = concat!("[`Reason::", stringify!($name), "`], by type.")]
                #[derive(Debug, Clone, Copy)]
                pub struct $name;

                impl Why for $name {
                    #[inline(always)]
                    fn reason(self) -> Reason {
                        Reason::$name
                    }
                }
            )*
        }
    };
}

reasons! {
    /// `sleep(d)` or a timeout.
    Sleep => "sleep", SLEEP, FromOutside;
    /// `yield_now()`.
    Yield => "yield", OTHER, Otherwise;
    /// `wait(future)`: any other future.
    Wait => "wait of a future", WAIT, FromOutside;
    /// `Mutex::lock`.
    Lock => "mutex lock", LOCK, ByTasks;
    /// `Semaphore::acquire`.
    Acquire => "semaphore acquire", LOCK, ByTasks;
    /// `Event::wait`.
    Event => "event wait", LOCK, ByTasks;
    /// `Sender::send`.
    Send => "channel send", CHANNEL, ByTasks;
    /// `Receiver::recv`.
    Recv => "channel recv", CHANNEL, ByTasks;
    /// `RwLock::read`.
    Read => "rwlock read", LOCK, ByTasks;
    /// `RwLock::write`.
    Write => "rwlock write", LOCK, ByTasks;
    /// `Barrier::wait`.
    Barrier => "barrier wait", OTHER, ByTasks;
    /// `Queue::put`.
    Put => "queue put", OTHER, ByTasks;
    /// `Queue::get`.
    Get => "queue get", OTHER, ByTasks;
    /// `Queue::join`.
    QueueJoin => "queue join", OTHER, ByTasks;
    /// `run_in_thread(f, args)`.
    Thread => "run_in_thread", OTHER, FromOutside;
    /// `wait_all`, `wait_all_results`.
    WaitAll => "wait_all", JOIN, ByTasks;
    /// `wait_any`.
    WaitAny => "wait_any", JOIN, ByTasks;
    /// `scope(..)`.
    Scope => "scope", JOIN, ByTasks;
    /// A listener's `accept`.
    Accept => "socket accept", WAIT, FromOutside;
    /// A stream's `connect`.
    Connect => "socket connect", WAIT, FromOutside;
    /// A socket's `read`, `read_exact`, `recv`, `recv_from`.
    SocketRead => "socket read", WAIT, FromOutside;
    /// A socket's `write`, `write_all`, `send`, `send_to`.
    SocketWrite => "socket write", WAIT, FromOutside;
}

impl Reason {
    /// Whether only this scheduler's own tasks can end the wait (so that, when every task
    /// waits like this, none ever wakes). `Wait` and `Thread` may be woken from outside, and
    /// `Sleep` by the clock; `Call` is never noted on its own.
    #[inline]
    pub(crate) fn is_internal(self) -> bool {
        self.ends() == Ends::ByTasks
    }

    /// Whether it carries a name (the fn called, the task joined): every other kind is
    /// told by its kind alone.
    pub(crate) fn names_something(self) -> bool {
        self.unit_index().is_none()
    }

    /// Whether something outside the scheduler's tasks ends this wait: a timer, another
    /// thread, or a future of another library.
    #[inline]
    pub(crate) fn ends_from_outside(self) -> bool {
        self.ends() == Ends::FromOutside
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

    #[test]
    fn each_reason_without_a_payload_is_at_its_index() {
        for (index, reason) in Reason::UNITS.iter().enumerate() {
            assert_eq!(reason.unit_index(), Some(index), "{reason}");
            assert!(!reason.names_something(), "{reason}");
        }
        assert_eq!(Reason::Call("app::f").unit_index(), None);
        assert!(Reason::Call("app::f").names_something());
    }

    #[test]
    fn how_each_kind_of_wait_ends() {
        assert!(Reason::Recv.is_internal() && !Reason::Recv.ends_from_outside());
        assert!(Reason::Sleep.ends_from_outside() && !Reason::Sleep.is_internal());
        assert!(!Reason::Yield.is_internal() && !Reason::Yield.ends_from_outside());
        assert!(!Reason::Call("app::f").is_internal());
        assert!(Reason::Join(TaskName::path("app::child")).is_internal());
        assert_eq!(Reason::SocketRead.to_string(), "socket read");
        assert_eq!(Reason::Put.kind(), pause_kind::OTHER);
    }
}
