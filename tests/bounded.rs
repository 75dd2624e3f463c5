//! `channel(n)` with `n > 0`: senders wait for room and each is woken as room is made, even
//! when receivers take values in a burst; a cancelled send on a full channel loses nothing
//! and sends nothing. (`tests/sync.rs` has the basics: order, close, a cancelled `recv`.)

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use scheduler::sync::{Sender, TryRecvError, channel};
use scheduler::{TaskError, task};
use scheduler_workspace::{DropCounter, DropToken};

on_both_flavours!(
    senders_waiting_for_room_are_each_woken_when_values_are_taken_in_a_burst,
    a_cancelled_send_on_a_full_channel_loses_nothing_and_sends_nothing,
);

#[task]
fn send_one(tx: Sender<u32>, value: u32) {
    tx.send(value).unwrap();
}

#[task]
fn senders_waiting_for_room_are_each_woken_when_values_are_taken_in_a_burst() {
    for _round in 0..20 {
        let (tx, rx) = channel(4);
        for n in 0..4 {
            tx.try_send(n).unwrap(); // full
        }
        let senders: Vec<_> = (4..8)
            .map(|n| scheduler::queue_to_run(send_one, (tx.clone(), n)))
            .collect();
        for _ in 0..10 {
            scheduler::yield_now(); // they wait for room
        }
        let mut got: Vec<u32> = (0..4).map(|_| rx.try_recv().unwrap()).collect(); // room for all
        // Each sender ends once its value is in; one left asleep would hang here.
        scheduler::wait_all(senders);
        got.extend((0..4).map(|_| rx.try_recv().unwrap()));
        got[4..].sort_unstable();
        assert_eq!(got, [0, 1, 2, 3, 4, 5, 6, 7]);
    }
}

#[task]
fn send_token(tx: Sender<DropToken>, token: DropToken) {
    let _ = tx.send(token);
}

#[task]
fn a_cancelled_send_on_a_full_channel_loses_nothing_and_sends_nothing() {
    let counter = DropCounter::new();
    let (tx, rx) = channel(1);
    tx.try_send(counter.token()).unwrap();
    let sender = scheduler::queue_to_run(send_token, (tx.clone(), counter.token()));
    for _ in 0..10 {
        scheduler::yield_now(); // it waits for room
    }
    sender.cancel();
    assert!(matches!(sender.join(), Err(TaskError::Cancelled { .. })));
    assert_eq!(
        counter.alive(),
        1,
        "the cancelled send's value was dropped with it"
    );
    drop(rx.try_recv().unwrap());
    assert!(
        matches!(rx.try_recv(), Err(TryRecvError::Empty)),
        "it was never sent"
    );
}
