//! `channel(0)`, Go's unbuffered channel: a send waits until a receiver has taken its
//! value; `try_send` succeeds only for a waiting receiver, `try_recv` only for a waiting
//! sender; a cancelled send delivers nothing and loses nothing, a cancelled receive loses
//! no value, and every value is delivered once.

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use scheduler::sync::{Receiver, SendError, Sender, TryRecvError, TrySendError, channel};
use scheduler::{TaskError, task};
use scheduler_workspace::{DropCounter, DropToken};

on_both_flavours!(
    send_waits_until_a_receiver_took_the_value,
    try_send_succeeds_only_when_a_receiver_waits,
    try_recv_succeeds_only_when_a_sender_waits,
    a_cancelled_send_delivers_nothing_and_drops_its_value,
    a_cancelled_recv_loses_no_value,
    a_send_cancelled_as_its_value_is_taken_delivers_it_once_or_not_at_all,
    dropping_every_receiver_gives_a_waiting_sender_its_value_back,
    dropping_every_sender_ends_the_receivers,
    many_senders_and_receivers_get_each_value_once_in_each_senders_order,
);

#[task]
fn send_then_flag(tx: Sender<u32>, sent: Arc<AtomicBool>) {
    tx.send(1).unwrap();
    sent.store(true, Ordering::SeqCst);
}

#[task]
fn send_waits_until_a_receiver_took_the_value() {
    let (tx, rx) = channel(0);
    let sent = Arc::new(AtomicBool::new(false));
    let sender = scheduler::queue_to_run(send_then_flag, (tx, sent.clone()));
    for _ in 0..10 {
        scheduler::yield_now();
    }
    assert!(
        !sent.load(Ordering::SeqCst),
        "the send returned while nobody had taken its value"
    );
    assert!(
        rx.is_empty(),
        "a waiting sender's value is not in the channel"
    );
    assert_eq!(rx.recv(), Ok(1));
    sender.join().unwrap();
    assert!(sent.load(Ordering::SeqCst));
}

#[task]
fn receive(rx: Receiver<u32>) -> u32 {
    rx.recv().unwrap()
}

#[task]
fn try_send_succeeds_only_when_a_receiver_waits() {
    let (tx, rx) = channel(0);
    assert_eq!(tx.try_send(1), Err(TrySendError::Full(1)), "nobody waits");
    let receiver = scheduler::queue_to_run(receive, (rx.clone(),));
    // Handshake: try until the receiver waits in `recv` (on one thread, after one yield).
    let mut value = 2;
    while let Err(TrySendError::Full(back)) = tx.try_send(value) {
        value = back;
        scheduler::yield_now();
    }
    assert_eq!(receiver.join().unwrap(), 2);
    assert_eq!(
        tx.try_send(3),
        Err(TrySendError::Full(3)),
        "nobody waits again"
    );
    drop(rx);
    assert_eq!(tx.try_send(4), Err(TrySendError::Closed(4)));
}

#[task]
fn send_one(tx: Sender<u32>, value: u32) {
    tx.send(value).unwrap();
}

#[task]
fn try_recv_succeeds_only_when_a_sender_waits() {
    let (tx, rx) = channel(0);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "nobody sends");
    let sender = scheduler::queue_to_run(send_one, (tx.clone(), 5));
    let value = loop {
        match rx.try_recv() {
            Ok(value) => break value,
            Err(TryRecvError::Empty) => scheduler::yield_now(),
            Err(TryRecvError::Closed) => unreachable!("a sender is alive"),
        }
    };
    assert_eq!(value, 5);
    sender.join().unwrap();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[task]
fn send_token(tx: Sender<DropToken>, token: DropToken) {
    let _ = tx.send(token);
}

#[task]
fn a_cancelled_send_delivers_nothing_and_drops_its_value() {
    let counter = DropCounter::new();
    let (tx, rx) = channel(0);
    let sender = scheduler::queue_to_run(send_token, (tx, counter.token()));
    for _ in 0..10 {
        scheduler::yield_now(); // it offers its value, and waits
    }
    sender.cancel();
    assert!(matches!(sender.join(), Err(TaskError::Cancelled { .. })));
    assert_eq!(counter.alive(), 0, "the value was dropped with the task");
    assert!(
        matches!(rx.try_recv(), Err(TryRecvError::Closed)),
        "nothing is delivered after the cancel, and the only sender is gone"
    );
}

#[task]
fn a_cancelled_recv_loses_no_value() {
    let (tx, rx) = channel(0);
    let receiver = scheduler::queue_to_run(receive, (rx.clone(),));
    let mut value = 9;
    while let Err(TrySendError::Full(back)) = tx.try_send(value) {
        value = back;
        scheduler::yield_now(); // until it waits in `recv`
    }
    receiver.cancel(); // maybe before it ran with the value handed to it
    match receiver.join() {
        Ok(got) => assert_eq!(got, 9),
        Err(TaskError::Cancelled { .. }) => {
            assert_eq!(
                rx.try_recv(),
                Ok(9),
                "the value waits for the next receiver"
            );
        }
        Err(other) => panic!("{other}"),
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "delivered once");
}

#[task]
fn receive_or_closed(rx: Receiver<DropToken>) -> bool {
    rx.recv().is_ok()
}

#[task]
fn a_send_cancelled_as_its_value_is_taken_delivers_it_once_or_not_at_all() {
    for round in 0..200 {
        let counter = DropCounter::new();
        let (tx, rx) = channel(0);
        let sender = scheduler::queue_to_run(send_token, (tx, counter.token()));
        let receiver = scheduler::queue_to_run(receive_or_closed, (rx,));
        for _ in 0..round % 4 {
            scheduler::yield_now();
        }
        sender.cancel();
        let sent = sender.join().is_ok();
        // The sender is gone: the channel is closed, so the receiver ends either way.
        let received = receiver.join().unwrap();
        assert!(
            received || !sent,
            "round {round}: the send returned Ok but nobody got the value"
        );
        assert_eq!(counter.alive(), 0, "round {round}: the value is gone once");
    }
}

#[task]
fn send_back(tx: Sender<u32>) -> Option<u32> {
    match tx.send(3) {
        Ok(()) => None,
        Err(SendError(value)) => Some(value),
    }
}

#[task]
fn dropping_every_receiver_gives_a_waiting_sender_its_value_back() {
    let (tx, rx) = channel(0);
    let sender = scheduler::queue_to_run(send_back, (tx,));
    for _ in 0..10 {
        scheduler::yield_now();
    }
    drop(rx);
    assert_eq!(sender.join().unwrap(), Some(3));
}

#[task]
fn dropping_every_sender_ends_the_receivers() {
    let (tx, rx) = channel::<(u32, u32)>(0);
    let receivers: Vec<_> = (0..3)
        .map(|_| scheduler::queue_to_run(receive_all, (rx.clone(),)))
        .collect();
    scheduler::yield_now();
    drop(tx);
    let got = scheduler::wait_all(receivers);
    assert_eq!(got, [Vec::<(u32, u32)>::new(), Vec::new(), Vec::new()]);
}

#[task]
fn send_numbered(tx: Sender<(u32, u32)>, who: u32) {
    for n in 0..100 {
        tx.send((who, n)).unwrap();
    }
}

#[task]
fn receive_all(rx: Receiver<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut got = Vec::new();
    while let Ok(value) = rx.recv() {
        got.push(value);
    }
    got
}

#[task]
fn many_senders_and_receivers_get_each_value_once_in_each_senders_order() {
    let (tx, rx) = channel(0);
    let receivers: Vec<_> = (0..3)
        .map(|_| scheduler::queue_to_run(receive_all, (rx.clone(),)))
        .collect();
    drop(rx);
    let senders: Vec<_> = (0..4)
        .map(|who| scheduler::queue_to_run(send_numbered, (tx.clone(), who)))
        .collect();
    drop(tx);
    scheduler::wait_all(senders);
    let per_receiver = scheduler::wait_all(receivers);
    for got in &per_receiver {
        for who in 0..4 {
            let mine: Vec<u32> = got
                .iter()
                .filter(|(w, _)| *w == who)
                .map(|(_, n)| *n)
                .collect();
            assert!(mine.is_sorted(), "sender {who}'s values came out of order");
        }
    }
    let mut all: Vec<(u32, u32)> = per_receiver.into_iter().flatten().collect();
    all.sort_unstable();
    let expected: Vec<(u32, u32)> = (0..4).flat_map(|w| (0..100).map(move |n| (w, n))).collect();
    assert_eq!(all, expected, "each value once");
}
