//! The rendezvous behind `channel(0)`: Go's unbuffered channel, where a send waits until a
//! receiver has taken its value.
//!
//! async-channel has no zero capacity, so this is a small channel of its own: a queue of
//! *offers* under a lock. A sender puts its value in an offer and waits; a receiver takes
//! the offer at the front and wakes its sender. Everything a sender or receiver decides, it
//! decides under the lock, so each value is either taken by exactly one receiver or given
//! back to its sender, never both and never neither:
//!
//! - a receiver only ever takes a whole offer, under the lock, and returns it in the same
//!   poll: a cancelled receive holds nothing;
//! - a sender whose send is dropped (cancelled) before a receiver took its offer withdraws
//!   it, under the lock; once taken, it is delivered, and the send counts as done.

use crate::lock::lock;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use async_channel::{RecvError, SendError, TryRecvError, TrySendError};
use event_listener::{EventListener, IntoNotification};

/// The shared state of a rendezvous channel.
pub(crate) struct Rendezvous<T> {
    state: Mutex<State<T>>,
    /// Notified once per offer made (one more receiver), and for every receiver on close.
    offered: event_listener::Event,
}

/// What the lock guards.
struct State<T> {
    /// The values on offer, oldest first, in increasing `id` order.
    offers: VecDeque<Offer<T>>,
    /// The id the next offer gets; ids start at 1, so 0 means "not offered yet".
    next_id: u64,
    /// The id of the last offer a receiver took. Receivers take from the front and ids
    /// grow along the queue, so an offer whose id is at most this was taken unless its
    /// sender withdrew it (and a sender asks only about its own offer).
    last_taken: u64,
    /// Offers made by `try_send`: nobody waits for them (the send already returned `Ok`).
    orphans: usize,
    /// Receivers paused in `recv` now: `try_send` succeeds only for one of them.
    waiting_receivers: usize,
    /// Live `Sender`s and `Receiver`s; the last of either closes the channel.
    senders: usize,
    receivers: usize,
    /// Set once, by `close` or the last sender or receiver gone. Offers still there can be
    /// taken; no new offer is made.
    closed: bool,
}

/// One value on offer.
struct Offer<T> {
    id: u64,
    value: T,
    /// The waiting sender, woken when a receiver takes the value or the channel closes;
    /// `None` for a `try_send`'s offer.
    sender: Option<Waker>,
}

impl<T> Rendezvous<T> {
    /// A channel with one sender and one receiver.
    pub(crate) fn new() -> Self {
        Rendezvous {
            state: Mutex::new(State {
                offers: VecDeque::new(),
                next_id: 1,
                last_taken: 0,
                orphans: 0,
                waiting_receivers: 0,
                senders: 1,
                receivers: 1,
                closed: false,
            }),
            offered: event_listener::Event::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State<T>> {
        // Nothing panics while the lock is held; a poisoned lock still holds a sound state.
        lock(&self.state)
    }

    /// A new sender or receiver: counts it.
    pub(crate) fn add_end(&self, sender: bool) {
        let mut state = self.state();
        if sender {
            state.senders += 1;
        } else {
            state.receivers += 1;
        }
    }

    /// A sender or receiver gone: the last of either closes the channel.
    pub(crate) fn drop_end(&self, sender: bool) {
        let mut state = self.state();
        let left = if sender {
            state.senders -= 1;
            state.senders
        } else {
            state.receivers -= 1;
            state.receivers
        };
        if left == 0 {
            self.close_locked(state);
        }
    }

    /// Closes the channel; returns whether this call closed it.
    pub(crate) fn close(&self) -> bool {
        self.close_locked(self.state())
    }

    /// Closes the channel and wakes everyone waiting, so that they see it.
    fn close_locked(&self, mut state: MutexGuard<'_, State<T>>) -> bool {
        if state.closed {
            return false;
        }
        state.closed = true;
        let senders: Vec<Waker> = state
            .offers
            .iter_mut()
            .filter_map(|offer| offer.sender.take())
            .collect();
        drop(state);
        senders.into_iter().for_each(Waker::wake);
        self.offered.notify(usize::MAX);
        true
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// Values accepted by `try_send` and not taken yet (a waiting sender's value is not in
    /// the channel: it is still the sender's).
    pub(crate) fn len(&self) -> usize {
        self.state().orphans
    }

    /// Hands `value` to a receiver that waits now, if there is one free.
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut state = self.state();
        if state.closed {
            return Err(TrySendError::Closed(value));
        }
        // Each offer already there is promised to one waiting receiver.
        if state.waiting_receivers <= state.offers.len() {
            return Err(TrySendError::Full(value));
        }
        state.offer(value, None);
        state.orphans += 1;
        drop(state);
        self.offered.notify(1.additional());
        Ok(())
    }

    /// Takes a value a sender offers now.
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.state();
        match state.take() {
            Some((value, sender)) => {
                drop(state);
                if let Some(sender) = sender {
                    sender.wake();
                }
                Ok(value)
            }
            None if state.closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// The future of a send: offers `value` and waits until a receiver took it.
    pub(crate) fn send(&self, value: T) -> Send<'_, T> {
        Send {
            channel: self,
            value: Some(value),
            id: 0,
            finished: false,
        }
    }

    /// The future of a receive.
    pub(crate) fn recv(&self) -> Recv<'_, T> {
        Recv {
            channel: self,
            listener: None,
            waiting: false,
        }
    }
}

impl<T> State<T> {
    fn offer(&mut self, value: T, sender: Option<Waker>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.offers.push_back(Offer { id, value, sender });
        id
    }

    /// Takes the oldest offer: its value, and its sender to wake (after unlocking).
    fn take(&mut self) -> Option<(T, Option<Waker>)> {
        let offer = self.offers.pop_front()?;
        self.last_taken = offer.id;
        if offer.sender.is_none() {
            self.orphans -= 1;
        }
        Some((offer.value, offer.sender))
    }

    /// Where the offer `id` is, if it is still on offer.
    fn find(&self, id: u64) -> Option<usize> {
        if id <= self.last_taken {
            return None;
        }
        self.offers.binary_search_by_key(&id, |offer| offer.id).ok()
    }
}

/// The future of a rendezvous send.
pub(crate) struct Send<'a, T> {
    channel: &'a Rendezvous<T>,
    /// The value until it is offered.
    value: Option<T>,
    /// The id of our offer once made (0 before).
    id: u64,
    /// Set once the future returned `Ready`: nothing to withdraw on drop.
    finished: bool,
}

// Nothing is pinned structurally: the value is moved into the channel's queue.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut state = this.channel.state();
        if this.id == 0 {
            let value = this
                .value
                .take()
                .expect("a send is not polled after it finished");
            if state.closed {
                this.finished = true;
                return Poll::Ready(Err(SendError(value)));
            }
            this.id = state.offer(value, Some(cx.waker().clone()));
            drop(state);
            this.channel.offered.notify(1.additional());
            return Poll::Pending;
        }
        match state.find(this.id) {
            // A receiver took it: the hand-over happened.
            None => {
                this.finished = true;
                Poll::Ready(Ok(()))
            }
            Some(at) if state.closed => {
                let offer = state.offers.remove(at).expect("found just now");
                this.finished = true;
                Poll::Ready(Err(SendError(offer.value)))
            }
            Some(at) => {
                let sender = &mut state.offers[at].sender;
                match sender {
                    Some(waker) => waker.clone_from(cx.waker()),
                    None => *sender = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        if self.finished || self.id == 0 {
            return;
        }
        // Cancelled while on offer: withdraw it, unless a receiver took it already.
        let mut state = self.channel.state();
        let withdrawn = state.find(self.id).and_then(|at| state.offers.remove(at));
        drop(state);
        // The value is dropped here, with the cancelled task, outside the lock.
        drop(withdrawn);
    }
}

/// The future of a rendezvous receive.
pub(crate) struct Recv<'a, T> {
    channel: &'a Rendezvous<T>,
    listener: Option<EventListener>,
    /// Counted in `waiting_receivers`.
    waiting: bool,
}

impl<T> Unpin for Recv<'_, T> {}

impl<T> Recv<'_, T> {
    fn stop_waiting(&mut self, state: &mut State<T>) {
        if self.waiting {
            self.waiting = false;
            state.waiting_receivers -= 1;
        }
    }
}

impl<T> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            let mut state = this.channel.state();
            if let Some((value, sender)) = state.take() {
                this.stop_waiting(&mut state);
                drop(state);
                this.listener = None;
                if let Some(sender) = sender {
                    sender.wake();
                }
                return Poll::Ready(Ok(value));
            }
            if state.closed {
                this.stop_waiting(&mut state);
                return Poll::Ready(Err(RecvError));
            }
            if !this.waiting {
                this.waiting = true;
                state.waiting_receivers += 1;
            }
            match &mut this.listener {
                None => {
                    // Listening under the lock: an offer made after this check notifies us.
                    this.listener = Some(this.channel.offered.listen());
                }
                Some(listener) => {
                    drop(state);
                    match Pin::new(listener).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        // Notified: look again, with a fresh listener.
                        Poll::Ready(()) => this.listener = None,
                    }
                }
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.waiting {
            let mut state = self.channel.state();
            state.waiting_receivers -= 1;
        }
        // Dropping a notified listener passes its notification on to another receiver.
    }
}
