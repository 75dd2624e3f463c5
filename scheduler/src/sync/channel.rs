//! [`channel`] and [`unbounded`]: queues of values from [`Sender`]s to [`Receiver`]s, and
//! `channel(0)`, the rendezvous (`rendezvous.rs`).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use pin_project_lite::pin_project;

use super::chan::{self, Chan};
use super::rendezvous::{self, Rendezvous};
use crate::pause::Pause;
use crate::reason::why;

pub use async_channel::{RecvError, SendError, TryRecvError, TrySendError};

/// A channel that holds at most `capacity` values in flight: the [`Sender`] and
/// [`Receiver`] ends (over a `concurrent-queue` queue, with `event-listener` for the waits, and
/// async-channel's error types). Both ends can be cloned: many
/// senders, many receivers (each value goes to one receiver).
///
/// `channel(0)` is a *rendezvous* channel, Go's unbuffered channel: it holds no value, and
/// [`send`](Sender::send) waits until a receiver has taken its value. Its
/// [`try_send`](Sender::try_send) succeeds only when a receiver is waiting, its
/// [`try_recv`](Receiver::try_recv) only when a sender is. A cancelled send there loses
/// nothing and delivers nothing: either a receiver took the value (the send had happened)
/// or no receiver ever sees it.
///
/// The channel closes when every sender or every receiver is gone, or on
/// [`close`](Sender::close): then sending fails with the value given back, and receiving
/// fails once the values in flight have been taken. Nothing ever waits forever on a closed
/// channel.
///
/// # Panics
///
/// When `capacity` is above [`MAX_CAPACITY`] (room for every value is allocated when the
/// channel is made, so `channel(usize::MAX)` could never be made).
///
/// # Examples
///
/// ```
/// use scheduler::sync::{channel, Receiver, Sender};
///
/// #[scheduler::task]
/// fn produce(tx: Sender<u32>) {
///     for n in 0..5 {
///         tx.send(n).unwrap(); // pauses while the channel is full
///     }
/// } // `tx` is dropped here: the channel closes once its values are taken
///
/// #[scheduler::task]
/// fn consume(rx: Receiver<u32>) -> u32 {
///     let mut total = 0;
///     while let Ok(n) = rx.recv() { // pauses until a value comes; `Err` once closed
///         total += n;
///     }
///     total
/// }
///
/// #[scheduler::task]
/// fn pipeline() -> u32 {
///     let (tx, rx) = channel(2);
///     scheduler::queue_to_run(produce, (tx,));
///     consume(rx)
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(pipeline, ()), 10);
/// ```
///
/// A rendezvous: the sender goes on only once its value was taken.
///
/// ```
/// use std::rc::Rc;
/// use std::cell::Cell;
/// use scheduler::sync::{channel, Sender};
///
/// #[scheduler::task]
/// fn hand_over(tx: Sender<&'static str>, handed: Rc<Cell<bool>>) {
///     tx.send("baton").unwrap(); // pauses until a receiver takes it
///     handed.set(true);
/// }
///
/// #[scheduler::task]
/// fn meet() -> &'static str {
///     let (tx, rx) = channel(0);
///     let handed = Rc::new(Cell::new(false));
///     scheduler::queue_to_run(hand_over, (tx, handed.clone()));
///     scheduler::yield_now();
///     scheduler::yield_now();
///     assert!(!handed.get()); // nobody took it yet: the sender still waits
///     rx.recv().unwrap()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(meet, ()), "baton");
/// ```
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity <= MAX_CAPACITY,
        "`scheduler::sync::channel({capacity})` {}",
        crate::misuse::HUGE_CAPACITY
    );
    if capacity == 0 {
        let meeting = Arc::new(Rendezvous::new());
        return (
            Sender {
                inner: SenderInner::Meet(meeting.clone()),
            },
            Receiver {
                inner: ReceiverInner::Meet(meeting),
            },
        );
    }
    let chan = Arc::new(Chan::new(Some(capacity)));
    (
        Sender {
            inner: SenderInner::Chan(chan.clone()),
        },
        Receiver {
            inner: ReceiverInner::Chan(chan),
        },
    )
}

/// A channel with no bound (over `concurrent_queue`'s unbounded queue and
/// `event-listener`): [`send`](Sender::send) never
/// waits, and [`try_send`](Sender::try_send) fails only when the channel is closed. The
/// same [`Sender`] and [`Receiver`] as [`channel`]'s.
///
/// Use it where a sender must not pause (broadcasting while holding a lock, sending from a
/// plain fn with `try_send`); the price is that nothing slows a fast sender down.
///
/// # Examples
///
/// ```
/// use scheduler::sync::{unbounded, Receiver};
///
/// #[scheduler::task]
/// fn total(rx: Receiver<u32>) -> u32 {
///     let mut total = 0;
///     while let Ok(n) = rx.recv() {
///         total += n;
///     }
///     total
/// }
///
/// let (tx, rx) = unbounded();
/// for n in 1..=1000 {
///     tx.try_send(n).unwrap(); // never full
/// }
/// drop(tx);
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(total, (rx,)), 500_500);
/// ```
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan::new(None));
    (
        Sender {
            inner: SenderInner::Chan(chan.clone()),
        },
        Receiver {
            inner: ReceiverInner::Chan(chan),
        },
    )
}

/// The largest capacity of a [`channel`]: 2^20 values. A channel allocates room for all its
/// values when it is made, so a larger one would take a long time and much memory to make
/// (`channel(1 << 40)` could not be made at all).
///
/// # Examples
///
/// ```
/// let (tx, _rx) = scheduler::sync::channel::<u8>(scheduler::sync::MAX_CAPACITY);
/// assert!(tx.try_send(1).is_ok());
/// ```
pub const MAX_CAPACITY: usize = 1 << 20;

/// The sending end of a [`channel`]; clone it for more senders.
///
/// # Examples
///
/// ```
/// let (tx, rx) = scheduler::sync::channel(1);
/// tx.try_send("hello").unwrap();
/// assert_eq!(rx.try_recv(), Ok("hello"));
/// ```
pub struct Sender<T> {
    inner: SenderInner<T>,
}

/// What a [`Sender`] sends into.
enum SenderInner<T> {
    /// `channel(n)` with `n > 0`, and `unbounded()`.
    Chan(Arc<Chan<T>>),
    /// `channel(0)`.
    Meet(Arc<Rendezvous<T>>),
}

/// The receiving end of a [`channel`]; clone it for more receivers.
///
/// # Examples
///
/// ```
/// let (tx, rx) = scheduler::sync::channel::<u32>(1);
/// drop(tx);
/// assert!(rx.try_recv().is_err()); // empty and closed
/// ```
pub struct Receiver<T> {
    inner: ReceiverInner<T>,
}

/// What a [`Receiver`] receives from.
enum ReceiverInner<T> {
    /// `channel(n)` with `n > 0`, and `unbounded()`.
    Chan(Arc<Chan<T>>),
    /// `channel(0)`.
    Meet(Arc<Rendezvous<T>>),
}

impl<T> Sender<T> {
    /// ⏸ Sends `value`, pausing the task while the channel is full (never on an
    /// [`unbounded`] one; on a rendezvous, `channel(0)`, until a receiver took the value).
    /// `Ok` means the value is in the channel (taken, on a rendezvous); `Err` gives it back
    /// when the channel is closed.
    ///
    /// Cancelling a task paused here loses nothing and sends nothing: the value was not in
    /// the channel, and is dropped with the task. (On a rendezvous, a value a receiver took
    /// before the cancel was delivered once, and the send had happened.)
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn send_two() -> bool {
    ///     let (tx, rx) = scheduler::sync::channel(1);
    ///     tx.send(1).unwrap();
    ///     drop(rx);
    ///     tx.send(2).is_err() // closed: 2 comes back in the error
    /// }
    ///
    /// assert!(scheduler::Scheduler::new().run_until_finished(send_two, ()));
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Pause<impl Future<Output = Result<(), SendError<T>>>> {
        let fut = match &self.inner {
            SenderInner::Chan(chan) => Sending::Chan {
                fut: chan.send(value),
            },
            SenderInner::Meet(meeting) => Sending::Meet {
                fut: meeting.send(value),
            },
        };
        Pause::because(why::Send, fut)
    }

    /// Sends `value` if there is room now; never pauses. On an [`unbounded`] channel it
    /// fails only when the channel is closed; on a rendezvous (`channel(0)`) it succeeds
    /// only when a receiver waits in `recv` now, and hands the value to it.
    ///
    /// # Examples
    ///
    /// ```
    /// use scheduler::sync::TrySendError;
    ///
    /// let (tx, _rx) = scheduler::sync::channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        crate::context::note_possible_foreign_use();
        match &self.inner {
            SenderInner::Chan(chan) => chan.try_send(value),
            SenderInner::Meet(meeting) => meeting.try_send(value),
        }
    }

    /// Closes the channel: sends fail from now on, and receivers get the values in flight,
    /// then `Err`. Returns whether this call closed it.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = scheduler::sync::channel(2);
    /// tx.try_send(1).unwrap();
    /// assert!(tx.close());
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert!(rx.try_recv().is_err());
    /// ```
    pub fn close(&self) -> bool {
        crate::context::note_possible_foreign_use();
        match &self.inner {
            SenderInner::Chan(chan) => chan.close(),
            SenderInner::Meet(meeting) => meeting.close(),
        }
    }

    /// Whether the channel is closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = scheduler::sync::channel::<u32>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        match &self.inner {
            SenderInner::Chan(chan) => chan.is_closed(),
            SenderInner::Meet(meeting) => meeting.is_closed(),
        }
    }
}

impl<T> Receiver<T> {
    /// ⏸ Receives a value, pausing the task while the channel is empty; `Err` once it is
    /// empty and closed (every sender gone, or [`close`](Receiver::close)d).
    ///
    /// Cancelling a task paused here loses nothing: a value sent meanwhile stays in the
    /// channel for the next receiver.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn first() -> Option<u32> {
    ///     let (tx, rx) = scheduler::sync::channel(1);
    ///     scheduler::queue_to_run(move || tx.try_send(7).unwrap(), ());
    ///     rx.recv().ok()
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(first, ()), Some(7));
    /// ```
    #[track_caller]
    pub fn recv(&self) -> Pause<impl Future<Output = Result<T, RecvError>>> {
        let fut = match &self.inner {
            ReceiverInner::Chan(chan) => Receiving::Chan { fut: chan.recv() },
            ReceiverInner::Meet(meeting) => Receiving::Meet {
                fut: meeting.recv(),
            },
        };
        Pause::because(why::Recv, fut)
    }

    /// Receives a value if one is there now; never pauses.
    ///
    /// # Examples
    ///
    /// ```
    /// use scheduler::sync::TryRecvError;
    ///
    /// let (tx, rx) = scheduler::sync::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        crate::context::note_possible_foreign_use();
        match &self.inner {
            ReceiverInner::Chan(chan) => chan.try_recv(),
            ReceiverInner::Meet(meeting) => meeting.try_recv(),
        }
    }

    /// Closes the channel: sends fail from now on; the values in flight can still be
    /// received. Returns whether this call closed it.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = scheduler::sync::channel(1);
    /// tx.try_send(1).unwrap();
    /// rx.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&self) -> bool {
        crate::context::note_possible_foreign_use();
        match &self.inner {
            ReceiverInner::Chan(chan) => chan.close(),
            ReceiverInner::Meet(meeting) => meeting.close(),
        }
    }

    /// Whether the channel is closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = scheduler::sync::channel::<u32>(1);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        match &self.inner {
            ReceiverInner::Chan(chan) => chan.is_closed(),
            ReceiverInner::Meet(meeting) => meeting.is_closed(),
        }
    }

    /// How many values are in the channel now.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = scheduler::sync::channel(2);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        match &self.inner {
            ReceiverInner::Chan(chan) => chan.len(),
            ReceiverInner::Meet(meeting) => meeting.len(),
        }
    }

    /// Whether the channel holds no value now.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_tx, rx) = scheduler::sync::channel::<u32>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            SenderInner::Chan(chan) => {
                chan.add_end(true);
                SenderInner::Chan(chan.clone())
            }
            SenderInner::Meet(meeting) => {
                meeting.add_end(true);
                SenderInner::Meet(meeting.clone())
            }
        };
        Sender { inner }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            ReceiverInner::Chan(chan) => {
                chan.add_end(false);
                ReceiverInner::Chan(chan.clone())
            }
            ReceiverInner::Meet(meeting) => {
                meeting.add_end(false);
                ReceiverInner::Meet(meeting.clone())
            }
        };
        Receiver { inner }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            SenderInner::Chan(chan) => f
                .debug_struct("Sender")
                .field("closed", &chan.is_closed())
                .finish(),
            SenderInner::Meet(meeting) => f
                .debug_struct("Sender")
                .field("rendezvous", &true)
                .field("closed", &meeting.is_closed())
                .finish(),
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            ReceiverInner::Chan(chan) => f
                .debug_struct("Receiver")
                .field("len", &chan.len())
                .field("closed", &chan.is_closed())
                .finish(),
            ReceiverInner::Meet(meeting) => f
                .debug_struct("Receiver")
                .field("rendezvous", &true)
                .field("closed", &meeting.is_closed())
                .finish(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // The last sender gone closes the channel, which wakes receivers.
        crate::context::note_possible_foreign_use();
        match &self.inner {
            SenderInner::Chan(chan) => chan.drop_end(true),
            SenderInner::Meet(meeting) => meeting.drop_end(true),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        crate::context::note_possible_foreign_use();
        match &self.inner {
            ReceiverInner::Chan(chan) => chan.drop_end(false),
            ReceiverInner::Meet(meeting) => meeting.drop_end(false),
        }
    }
}

pin_project! {
    /// The future of [`Sender::send`], on either kind of channel.
    #[project = SendingProj]
    enum Sending<'a, T> {
        Chan { #[pin] fut: chan::Send<'a, T> },
        Meet { #[pin] fut: rendezvous::Send<'a, T> },
    }
}

impl<T> Future for Sending<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            SendingProj::Chan { fut } => fut.poll(cx),
            SendingProj::Meet { fut } => fut.poll(cx),
        }
    }
}

pin_project! {
    /// The future of [`Receiver::recv`], on either kind of channel.
    #[project = ReceivingProj]
    enum Receiving<'a, T> {
        Chan { #[pin] fut: chan::Recv<'a, T> },
        Meet { #[pin] fut: rendezvous::Recv<'a, T> },
    }
}

impl<T> Future for Receiving<'_, T> {
    type Output = Result<T, RecvError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ReceivingProj::Chan { fut } => fut.poll(cx),
            ReceivingProj::Meet { fut } => fut.poll(cx),
        }
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Sender<std::string::String>>();
    send_sync::<Receiver<std::string::String>>();
};
