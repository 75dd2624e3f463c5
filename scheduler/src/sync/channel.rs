//! [`channel`]: a bounded queue of values from [`Sender`]s to [`Receiver`]s.

use core::fmt;
use core::future::Future;

use crate::pause::Pause;
use crate::reason::Reason;

pub use async_channel::{RecvError, SendError, TryRecvError, TrySendError};

/// A channel that holds at most `capacity` values in flight: the [`Sender`] and
/// [`Receiver`] ends (over `async_channel::bounded`). Both ends can be cloned: many
/// senders, many receivers (each value goes to one receiver).
///
/// The channel closes when every sender or every receiver is gone, or on
/// [`close`](Sender::close): then sending fails with the value given back, and receiving
/// fails once the values in flight have been taken. Nothing ever waits forever on a closed
/// channel.
///
/// # Panics
///
/// When `capacity` is 0, or above [`MAX_CAPACITY`] (room for every value is allocated when
/// the channel is made, so `channel(usize::MAX)` could never be made).
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
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "{}", crate::misuse::ZERO_CAPACITY);
    assert!(
        capacity <= MAX_CAPACITY,
        "`scheduler::sync::channel({capacity})` {}",
        crate::misuse::HUGE_CAPACITY
    );
    let (tx, rx) = async_channel::bounded(capacity);
    (Sender { inner: tx }, Receiver { inner: rx })
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
    inner: async_channel::Sender<T>,
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
    inner: async_channel::Receiver<T>,
}

impl<T> Sender<T> {
    /// ⏸ Sends `value`, pausing the task while the channel is full. `Ok` means the value is
    /// in the channel; `Err` gives it back when the channel is closed.
    ///
    /// Cancelling a task paused here leaves the value unsent (it is dropped with the task).
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
        Pause::because(Reason::Send, self.inner.send(value))
    }

    /// Sends `value` if there is room now; never pauses.
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
        self.inner.try_send(value)
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
        self.inner.close()
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
        self.inner.is_closed()
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
        Pause::because(Reason::Recv, self.inner.recv())
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
        self.inner.try_recv()
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
        self.inner.close()
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
        self.inner.is_closed()
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
        self.inner.len()
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
        self.inner.is_empty()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // The last sender gone closes the channel, which wakes receivers.
        crate::context::note_possible_foreign_use();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        crate::context::note_possible_foreign_use();
    }
}
