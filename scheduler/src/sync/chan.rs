//! The channel behind `channel(n)` (n > 0) and `unbounded()`: a `ConcurrentQueue`, and one
//! `event-listener` event for the receivers that wait for a value and one for the senders
//! that wait for room.
//!
//! async-channel, which this replaced, notifies its event lists on every send and every
//! receive (three notifications, each taking a list's lock, once anyone ever waited): 40%
//! of a pipeline's instructions. Here a send notifies only when a receiver waits and none
//! is notified yet, and a receive likewise for senders: a fence and two loads otherwise.
//! A woken task that made progress and sees more to do for others waiting hands a
//! notification on, and a notified listener dropped unused passes its notification on
//! (`event-listener` does), so a value (or room) that others wait for always wakes one.
//!
//! No lost wake-up: a waiting task registers its listener, then counts itself waiting
//! (`SeqCst`), then tries again; a woken one takes its notification, then (`SeqCst`
//! fence) tries again. The other side pushes (or pops), then (`SeqCst` fence) reads the
//! count and whether a listener is notified. In the single order of `SeqCst` operations,
//! either that read comes after the waiter's step (so it notifies a registered listener
//! when none is notified), or the waiter's try comes after the push (and succeeds).
//!
//! Cancellation loses nothing: a send holds its value until the push succeeds, in the same
//! poll that returns `Ready`; a receive holds nothing until it returns its value.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering, fence};
use core::task::{Context, Poll};

use async_channel::{RecvError, SendError, TryRecvError, TrySendError};
use concurrent_queue::{ConcurrentQueue, PopError, PushError};
use event_listener::{EventListener, IntoNotification};

/// One side's waiting tasks: their event and how many are registered on it.
struct Waiters {
    event: event_listener::Event,
    /// Tasks with a listener registered on `event`.
    count: AtomicUsize,
}

impl Waiters {
    const fn new() -> Self {
        Waiters {
            event: event_listener::Event::new(),
            count: AtomicUsize::new(0),
        }
    }

    /// After the other side made progress: wakes one waiter unless none waits or one is
    /// notified already.
    #[inline]
    fn wake_one(&self) {
        // Pairs with the waiter's `SeqCst` steps (module docs).
        fence(Ordering::SeqCst);
        if self.count.load(Ordering::Relaxed) > 0 && !self.event.is_notified() {
            self.event.notify(1.additional());
        }
    }

    /// Hands a notification on to another waiter, when one waits.
    fn hand_on(&self) {
        if self.count.load(Ordering::Relaxed) > 0 {
            self.event.notify(1.additional());
        }
    }
}

/// The shared state of a channel.
pub(crate) struct Chan<T> {
    queue: ConcurrentQueue<T>,
    /// Receivers waiting for a value.
    receivers_waiting: Waiters,
    /// Senders waiting for room (only ever on a bounded channel).
    senders_waiting: Waiters,
    /// Whether the queue has a bound: only then can a sender wait.
    bounded: bool,
    /// Live `Sender`s and `Receiver`s; the last of either closes the channel.
    senders: AtomicUsize,
    receivers: AtomicUsize,
}

impl<T> Chan<T> {
    /// A channel holding at most `capacity` values (`None`: no bound), with one sender and
    /// one receiver.
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        Chan {
            queue: match capacity {
                Some(n) => ConcurrentQueue::bounded(n),
                None => ConcurrentQueue::unbounded(),
            },
            receivers_waiting: Waiters::new(),
            senders_waiting: Waiters::new(),
            bounded: capacity.is_some(),
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
    /// in flight, then `Err`; waiting senders get their value back.
    pub(crate) fn close(&self) -> bool {
        let closed = self.queue.close();
        if closed {
            self.receivers_waiting.event.notify(usize::MAX);
            self.senders_waiting.event.notify(usize::MAX);
        }
        closed
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.queue.is_closed()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.queue.is_full()
    }

    /// The bound, if any.
    pub(crate) fn capacity(&self) -> Option<usize> {
        self.queue.capacity()
    }

    /// After a pop: wakes a sender waiting for room.
    #[inline]
    fn popped(&self) {
        if self.bounded {
            self.senders_waiting.wake_one();
        }
    }

    #[inline]
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.queue.push(value) {
            Ok(()) => {
                self.receivers_waiting.wake_one();
                Ok(())
            }
            Err(PushError::Full(value)) => Err(TrySendError::Full(value)),
            Err(PushError::Closed(value)) => Err(TrySendError::Closed(value)),
        }
    }

    #[inline]
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.queue.pop() {
            Ok(value) => {
                self.popped();
                Ok(value)
            }
            Err(PopError::Empty) => Err(TryRecvError::Empty),
            Err(PopError::Closed) => Err(TryRecvError::Closed),
        }
    }

    /// The future of a send.
    #[inline]
    pub(crate) fn send(&self, value: T) -> Send<'_, T> {
        Send {
            chan: self,
            value: Some(value),
            wait: Wait::new(),
        }
    }

    /// The future of a receive.
    #[inline]
    pub(crate) fn recv(&self) -> Recv<'_, T> {
        Recv {
            chan: self,
            wait: Wait::new(),
        }
    }
}

/// A task's wait on one side's [`Waiters`].
struct Wait {
    /// Registered, and counted, while `Some`.
    listener: Option<EventListener>,
    /// Whether a notification woke us: then we hand one on if more is there for others.
    woken: bool,
}

impl Wait {
    const fn new() -> Self {
        Wait {
            listener: None,
            woken: false,
        }
    }

    #[inline(always)]
    fn stop(&mut self, waiters: &Waiters) {
        if self.listener.is_some() {
            self.listener = None;
            waiters.count.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// After a failed try: registers (and returns `Ready` to try again at once), or waits
    /// for the notification (and returns `Ready` once it came, to try again).
    fn poll(&mut self, waiters: &Waiters, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.listener {
            None => {
                // Register, then count ourselves waiting, then try again (module docs).
                self.listener = Some(waiters.event.listen());
                waiters.count.fetch_add(1, Ordering::SeqCst);
                fence(Ordering::SeqCst);
                Poll::Ready(())
            }
            Some(listener) => match Pin::new(listener).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    self.stop(waiters);
                    self.woken = true;
                    fence(Ordering::SeqCst);
                    Poll::Ready(())
                }
            },
        }
    }
}

/// The future of a send: holds the value until it is in the queue.
pub(crate) struct Send<'a, T> {
    chan: &'a Chan<T>,
    value: Option<T>,
    wait: Wait,
}

// Nothing is pinned structurally: the value is moved into the queue, the listener is
// `Unpin`.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let chan = this.chan;
        loop {
            let value = this
                .value
                .take()
                .expect("a send is not polled after it finished");
            match chan.queue.push(value) {
                Ok(()) => {
                    this.wait.stop(&chan.senders_waiting);
                    chan.receivers_waiting.wake_one();
                    if this.wait.woken && !chan.queue.is_full() {
                        // Receivers skipped notifying while we were notified: hand it on.
                        chan.senders_waiting.hand_on();
                    }
                    return Poll::Ready(Ok(()));
                }
                Err(PushError::Closed(value)) => {
                    this.wait.stop(&chan.senders_waiting);
                    return Poll::Ready(Err(SendError(value)));
                }
                Err(PushError::Full(value)) => this.value = Some(value),
            }
            if this.wait.poll(&chan.senders_waiting, cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}

impl<T> Drop for Send<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Cancelled: the value (if still ours) is dropped with the task; a notification
        // we got and did not use goes on to another sender with the listener.
        self.wait.stop(&self.chan.senders_waiting);
    }
}

/// The future of a receive: holds nothing until it returns a value.
pub(crate) struct Recv<'a, T> {
    chan: &'a Chan<T>,
    wait: Wait,
}

impl<T> Unpin for Recv<'_, T> {}

impl<T> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let chan = this.chan;
        loop {
            match chan.queue.pop() {
                Ok(value) => {
                    this.wait.stop(&chan.receivers_waiting);
                    chan.popped();
                    if this.wait.woken && !chan.queue.is_empty() {
                        // Senders skipped notifying while we were notified: hand it on.
                        chan.receivers_waiting.hand_on();
                    }
                    return Poll::Ready(Ok(value));
                }
                Err(PopError::Closed) => {
                    this.wait.stop(&chan.receivers_waiting);
                    return Poll::Ready(Err(RecvError));
                }
                Err(PopError::Empty) => {}
            }
            if this.wait.poll(&chan.receivers_waiting, cx).is_pending() {
                return Poll::Pending;
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.wait.stop(&self.chan.receivers_waiting);
    }
}
