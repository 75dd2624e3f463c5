//! `sync::unbounded()`: `send` never waits, `try_send` fails only once the channel is
//! closed, values come out in the order sent, and a cancelled `recv` loses no value.

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use scheduler::sync::{Event, Receiver, Sender, TryRecvError, TrySendError, unbounded};
use scheduler::{TaskError, task};

on_both_flavours!(
    send_never_waits_and_values_come_out_in_order,
    try_send_fails_only_when_closed,
    values_sent_before_close_are_received_then_err,
    a_cancelled_recv_loses_no_value,
    a_hundred_producers_fan_in_every_value_once,
    several_receivers_share_the_values_each_once_and_none_sleeps_through_one,
    values_sent_at_once_to_several_waiting_receivers_wake_each_of_them,
);

#[task]
fn send_never_waits_and_values_come_out_in_order() {
    let (tx, rx) = unbounded();
    for n in 0..10_000u32 {
        tx.send(n).unwrap(); // nobody receives yet: a bounded send would wait forever
    }
    assert_eq!(rx.len(), 10_000);
    for n in 0..10_000 {
        assert_eq!(rx.recv(), Ok(n));
    }
}

#[task]
fn try_send_fails_only_when_closed() {
    let (tx, rx) = unbounded();
    for n in 0..100_000u32 {
        tx.try_send(n).unwrap();
    }
    drop(rx);
    assert_eq!(tx.try_send(7), Err(TrySendError::Closed(7)));
}

#[task]
fn values_sent_before_close_are_received_then_err() {
    let (tx, rx) = unbounded();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert!(rx.close());
    assert!(tx.send(3).is_err());
    assert_eq!(rx.recv(), Ok(1));
    assert_eq!(rx.recv(), Ok(2));
    assert!(rx.recv().is_err());
}

#[task]
fn receive(rx: Receiver<u32>) -> u32 {
    rx.recv().unwrap()
}

#[task]
fn a_cancelled_recv_loses_no_value() {
    let (tx, rx) = unbounded();
    let receiver = scheduler::queue_to_run(receive, (rx.clone(),));
    scheduler::yield_now(); // on one thread: it waits in `recv`
    tx.try_send(5).unwrap(); // wakes it ...
    receiver.cancel(); // ... but it is cancelled, maybe before it runs
    match receiver.join() {
        Ok(got) => assert_eq!(got, 5),
        Err(TaskError::Cancelled { .. }) => assert_eq!(rx.try_recv(), Ok(5)),
        Err(other) => panic!("{other}"),
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "delivered once");
}

#[task]
fn produce(tx: Sender<(u32, u32)>, who: u32) {
    for n in 0..100 {
        tx.send((who, n)).unwrap();
    }
}

#[task]
fn a_hundred_producers_fan_in_every_value_once() {
    let (tx, rx) = unbounded();
    for who in 0..100 {
        scheduler::queue_to_run(produce, (tx.clone(), who));
    }
    drop(tx);
    let mut next = vec![0u32; 100];
    let mut total = 0;
    while let Ok((who, n)) = rx.recv() {
        assert_eq!(n, next[who as usize], "producer {who}'s values in order");
        next[who as usize] += 1;
        total += 1;
    }
    assert_eq!(total, 100 * 100);
}

#[task]
fn count_all(
    rx: Receiver<(u32, u32)>,
    taken: Arc<AtomicUsize>,
    all_taken: Arc<Event>,
) -> Vec<(u32, u32)> {
    let mut got = Vec::new();
    while let Ok(value) = rx.recv() {
        got.push(value);
        if taken.fetch_add(1, Ordering::SeqCst) + 1 == 8 * 100 {
            all_taken.set();
        }
        if got.len() % 7 == 0 {
            scheduler::yield_now(); // let the other receivers wait, and be woken
        }
    }
    got
}

#[task]
fn several_receivers_share_the_values_each_once_and_none_sleeps_through_one() {
    for _round in 0..20 {
        let (tx, rx) = unbounded();
        let taken = Arc::new(AtomicUsize::new(0));
        let all_taken = Arc::new(Event::new());
        let receivers: Vec<_> = (0..4)
            .map(|_| {
                scheduler::queue_to_run(count_all, (rx.clone(), taken.clone(), all_taken.clone()))
            })
            .collect();
        drop(rx);
        scheduler::yield_now(); // they wait
        let producers: Vec<_> = (0..8)
            .map(|who| scheduler::queue_to_run(produce, (tx.clone(), who)))
            .collect();
        scheduler::wait_all(producers);
        // A sender is still alive: if every receiver slept with values left in the channel,
        // this would never return (a deadlock report on one thread, the watchdog on two).
        all_taken.wait();
        drop(tx);
        let mut all: Vec<(u32, u32)> = scheduler::wait_all(receivers)
            .into_iter()
            .flatten()
            .collect();
        all.sort_unstable();
        let expected: Vec<(u32, u32)> =
            (0..8).flat_map(|w| (0..100).map(move |n| (w, n))).collect();
        assert_eq!(all, expected);
    }
}

#[task]
fn values_sent_at_once_to_several_waiting_receivers_wake_each_of_them() {
    for _round in 0..20 {
        let (tx, rx) = unbounded();
        let receivers: Vec<_> = (0..4)
            .map(|_| scheduler::queue_to_run(receive, (rx.clone(),)))
            .collect();
        for _ in 0..10 {
            scheduler::yield_now(); // they wait (on two threads, most of them)
        }
        for n in 0..4 {
            tx.send(n).unwrap(); // in one go: only the first finds nobody notified
        }
        // Each takes one value and ends; `tx` stays alive, so one left asleep hangs here.
        let mut got = scheduler::wait_all(receivers);
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3]);
    }
}
