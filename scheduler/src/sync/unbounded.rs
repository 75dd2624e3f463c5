//! The channel behind `unbounded()`: a `ConcurrentQueue` and an `event-listener` event for
//! the receivers that wait.
//!
//! async-channel's unbounded channel notifies its event lists on every send and every
//! receive (three notifications, each taking the list's lock, once anyone ever waited),
//! which was most of a fan-in's time. Here a send never waits, so only receivers ever
//! listen, and a send notifies only when a receiver waits and none is notified yet: two
//! loads after its push. A notified receiver that takes a value and sees more values and
//! more waiting receivers notifies one of them in turn, so every value sent while
//! receivers wait wakes one.
//!
//! No lost wake-up: a receiver registers its listener, then counts itself waiting
//! (`SeqCst`), then looks at the queue again; a woken one takes its notification, then
//! (`SeqCst` fence) looks at the queue. A sender pushes, then (`SeqCst` fence) reads the
//! count and whether a listener is notified. In the single order of `SeqCst` operations,
//! either the sender reads after the receiver's step (and notifies a registered listener
//! when none is notified), or the receiver looks after the push (and finds the value, or
//! hands the notification on).

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering, fence};
use core::task::{Context, Poll};

use async_channel::{RecvError, SendError, TryRecvError, TrySendError};
use concurrent_queue::{ConcurrentQueue, PopError, PushError};
use event_listener::{EventListener, IntoNotification};

/// The shared state of an unbounded channel.
pub(crate) struct Unbounded<T> {
    queue: ConcurrentQueue<T>,
    /// Receivers with a listener registered on `pushed`.
    waiting: AtomicUsize,
    /// Notified once per value sent while a receiver waits, and for every receiver on close.
    pushed: event_listener::Event,
    /// Live `Sender`s and `Receiver`s; the last of either closes the channel.
    senders: AtomicUsize,
    receivers: AtomicUsize,
}

impl<T> Unbounded<T> {
    /// A channel with one sender and one receiver.
    pub(crate) fn new() -> Self {
        Unbounded {
            queue: ConcurrentQueue::unbounded(),
            waiting: AtomicUsize::new(0),
            pushed: event_listener::Event::new(),
            senders: AtomicUsize::new(1),
            receivers: AtomicUsize::new(1),
        }
    }

    /// A new sender or receiver: counts it.
    pub(crate) fn add_end(&self, sender: bool) {
        let count = if sender {
            &self.senders
        } else {
            &self.receivers
        };
        count.fetch_add(1, Ordering::Relaxed);
    }

    /// A sender or receiver gone: the last of either closes the channel.
    pub(crate) fn drop_end(&self, sender: bool) {
        let count = if sender {
            &self.senders
        } else {
            &self.receivers
        };
        if count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.close();
        }
    }

    /// Closes the channel; returns whether this call closed it. Receivers get the values
    /// in flight, then `Err`.
    pub(crate) fn close(&self) -> bool {
        let closed = self.queue.close();
        if closed {
            self.pushed.notify(usize::MAX);
        }
        closed
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.queue.is_closed()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Sends `value`: never waits, fails only when closed.
    #[inline]
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.queue.push(value) {
            Ok(()) => {
                // Pairs with the receiver's `SeqCst` steps (module docs).
                fence(Ordering::SeqCst);
                if self.waiting.load(Ordering::Relaxed) > 0 && !self.pushed.is_notified() {
                    self.pushed.notify(1.additional());
                }
                Ok(())
            }
            Err(PushError::Closed(value)) => Err(TrySendError::Closed(value)),
            Err(PushError::Full(_)) => unreachable!("an unbounded queue is never full"),
        }
    }

    /// [`try_send`](Self::try_send), with a send's error.
    #[inline]
    pub(crate) fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.try_send(value)
            .map_err(|error| SendError(error.into_inner()))
    }

    #[inline]
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.queue.pop() {
            Ok(value) => Ok(value),
            Err(PopError::Empty) => Err(TryRecvError::Empty),
            Err(PopError::Closed) => Err(TryRecvError::Closed),
        }
    }

    /// The future of a receive.
    #[inline]
    pub(crate) fn recv(&self) -> Recv<'_, T> {
        Recv {
            channel: self,
            listener: None,
            woken: false,
        }
    }
}

/// The future of a receive on an unbounded channel. It holds no value until it returns
/// one, so dropping it (a cancelled receive) loses nothing; a notification it got and did
/// not use goes on to another receiver (`event-listener` passes it on when the listener is
/// dropped).
pub(crate) struct Recv<'a, T> {
    channel: &'a Unbounded<T>,
    /// Registered on `pushed`, and counted in `waiting`, while `Some`.
    listener: Option<EventListener>,
    /// Whether a notification woke us: then we hand one on if values and receivers wait.
    woken: bool,
}

// Nothing is pinned structurally: the listener is `Unpin`.
impl<T> Unpin for Recv<'_, T> {}

impl<T> Recv<'_, T> {
    fn stop_listening(&mut self) {
        if self.listener.take().is_some() {
            self.channel.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl<T> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            match this.channel.queue.pop() {
                Ok(value) => {
                    this.stop_listening();
                    let channel = this.channel;
                    if this.woken
                        && channel.waiting.load(Ordering::Relaxed) > 0
                        && !channel.queue.is_empty()
                    {
                        // Senders skipped notifying while we were notified: hand it on.
                        channel.pushed.notify(1.additional());
                    }
                    return Poll::Ready(Ok(value));
                }
                Err(PopError::Closed) => {
                    this.stop_listening();
                    return Poll::Ready(Err(RecvError));
                }
                Err(PopError::Empty) => {}
            }
            match &mut this.listener {
                None => {
                    // Register, then count ourselves waiting, then look again (module docs).
                    this.listener = Some(this.channel.pushed.listen());
                    this.channel.waiting.fetch_add(1, Ordering::SeqCst);
                    fence(Ordering::SeqCst);
                }
                Some(listener) => match Pin::new(listener).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    // Notified: look again, and listen afresh if it is gone already.
                    Poll::Ready(()) => {
                        this.stop_listening();
                        this.woken = true;
                        fence(Ordering::SeqCst);
                    }
                },
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        self.stop_listening();
    }
}
