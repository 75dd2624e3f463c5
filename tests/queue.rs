//! `sync::Queue`, asyncio's `Queue`: items come out in the order put, `put` pauses while
//! the queue is full, `join()` waits for exactly every `task_done()`, and a cancelled `get`
//! or `put` loses nothing. `put`, `task_done` and `join` are statements in a task body
//! (this file denies `unused_must_use`, so a warning there fails the build).
#![deny(unused_must_use)]

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use scheduler::sync::{Full, Queue};
use scheduler::{TaskError, task};
use scheduler_workspace::{DropCounter, DropToken, panic_message};

on_both_flavours!(
    items_come_out_in_the_order_put,
    a_queue_of_maxsize_zero_has_no_bound,
    put_pauses_while_the_queue_is_full,
    join_waits_for_exactly_every_task_done,
    join_returns_at_once_when_nothing_is_unfinished,
    a_cancelled_get_loses_no_item,
    a_cancelled_put_loses_nothing_and_join_does_not_wait_for_it,
    put_nowait_on_a_full_queue_gives_the_item_back,
);

#[task]
fn items_come_out_in_the_order_put() {
    let queue = Queue::new(0);
    for n in 0..100 {
        queue.put(n);
    }
    assert_eq!(queue.len(), 100);
    let got: Vec<u32> = (0..100).map(|_| queue.get_nowait().unwrap()).collect();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    assert_eq!(queue.get_nowait(), None);
}

#[task]
fn a_queue_of_maxsize_zero_has_no_bound() {
    let queue = Queue::new(0);
    for n in 0..10_000 {
        queue.put_nowait(n).unwrap();
    }
    queue.put(10_000); // never pauses: nobody would take an item
    assert_eq!(queue.len(), 10_001);
    assert_eq!(queue.capacity(), None);
}

#[task]
fn put_five(queue: Arc<Queue<u32>>) {
    for n in 0..5 {
        queue.put(n);
    }
}

#[task]
fn put_pauses_while_the_queue_is_full() {
    let queue = Arc::new(Queue::new(2));
    let putter = scheduler::queue_to_run(put_five, (queue.clone(),));
    for _ in 0..10 {
        scheduler::yield_now();
    }
    assert!(!putter.is_finished(), "all five went into a queue of two");
    assert!(queue.len() <= 2);
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(queue.get()); // each get makes room for one more
    }
    putter.join().unwrap();
    assert_eq!(got, [0, 1, 2, 3, 4]);
}

#[task]
fn join_then_flag(queue: Arc<Queue<u32>>, joined: Arc<AtomicBool>) {
    queue.join();
    joined.store(true, Ordering::SeqCst);
}

#[task]
fn join_waits_for_exactly_every_task_done() {
    let queue = Arc::new(Queue::new(0));
    for n in 0..3 {
        queue.put(n);
    }
    for _ in 0..3 {
        let _ = queue.get(); // taken, not yet done: join still waits
    }
    let joined = Arc::new(AtomicBool::new(false));
    let joiner = scheduler::queue_to_run(join_then_flag, (queue.clone(), joined.clone()));
    queue.task_done();
    queue.task_done();
    for _ in 0..10 {
        scheduler::yield_now();
    }
    assert!(
        !joined.load(Ordering::SeqCst),
        "join() returned with one item not marked done"
    );
    queue.task_done();
    joiner.join().unwrap();
    assert!(joined.load(Ordering::SeqCst));
}

#[task]
fn join_returns_at_once_when_nothing_is_unfinished() {
    let queue = Queue::<u32>::new(1);
    queue.join();
    queue.put_nowait(1).unwrap();
    let _ = queue.get_nowait();
    queue.task_done();
    queue.join();
}

#[task]
fn get_one(queue: Arc<Queue<u32>>) -> u32 {
    queue.get()
}

#[task]
fn a_cancelled_get_loses_no_item() {
    let queue = Arc::new(Queue::new(0));
    let getter = scheduler::queue_to_run(get_one, (queue.clone(),));
    scheduler::yield_now(); // on one thread: it waits in get
    queue.put_nowait(7).unwrap(); // wakes it ...
    getter.cancel(); // ... but it is cancelled, maybe before it runs
    match getter.join() {
        // It took the item before the cancel reached it.
        Ok(item) => assert_eq!(item, 7),
        // Cancelled in get: the item is still in the queue.
        Err(TaskError::Cancelled { .. }) => assert_eq!(queue.get_nowait(), Some(7)),
        Err(other) => panic!("{other}"),
    }
    assert_eq!(queue.get_nowait(), None, "the item came out once");
}

#[task]
fn put_token(queue: Arc<Queue<DropToken>>, token: DropToken) {
    queue.put(token);
}

#[task]
fn a_cancelled_put_loses_nothing_and_join_does_not_wait_for_it() {
    let counter = DropCounter::new();
    let queue = Arc::new(Queue::new(1));
    queue.put(counter.token());
    let putter = scheduler::queue_to_run(put_token, (queue.clone(), counter.token()));
    for _ in 0..10 {
        scheduler::yield_now(); // it waits for room
    }
    putter.cancel();
    assert!(matches!(putter.join(), Err(TaskError::Cancelled { .. })));
    assert_eq!(queue.len(), 1, "the cancelled put never went in");
    assert_eq!(counter.alive(), 1, "its item was dropped with the task");
    drop(queue.get());
    queue.task_done();
    queue.join(); // only the item that went in is waited for
}

#[task]
fn put_nowait_on_a_full_queue_gives_the_item_back() {
    let queue = Queue::new(1);
    assert_eq!(queue.put_nowait(1), Ok(()));
    assert_eq!(queue.put_nowait(2), Err(Full(2)));
    assert!(queue.is_full());
    assert_eq!(queue.get(), 1);
    queue.task_done();
    queue.join(); // the item given back is not waited for
}

#[test]
fn task_done_called_too_often_panics_naming_the_task() {
    #[task]
    fn one_done_too_many() {
        let queue = Queue::new(0);
        queue.put(1);
        let _ = queue.get();
        queue.task_done();
        queue.task_done();
    }
    let message = panic_message(|| {
        scheduler::Scheduler::new().run_until_finished(one_done_too_many, ());
    });
    assert!(message.contains("one_done_too_many"), "{message}");
    assert!(
        message.contains("called `Queue::task_done()` more times than items were put"),
        "{message}"
    );
}

#[test]
fn the_queue_is_send_and_sync_when_its_items_are_send() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Queue<String>>();
    send_sync::<Full<String>>();
}

#[test]
fn a_task_that_gets_from_a_queue_nobody_fills_is_named_in_the_deadlock_report() {
    #[task]
    fn wait_for_nothing() -> u32 {
        let queue = Queue::new(0);
        queue.get()
    }
    let message = panic_message(|| {
        scheduler::Scheduler::new().run_until_finished(wait_for_nothing, ());
    });
    assert!(message.contains("deadlock"), "{message}");
    assert!(message.contains("wait_for_nothing"), "{message}");
    assert!(message.contains("queue get"), "{message}");
}

#[test]
fn a_put_made_in_plain_code_is_never_skipped_silently() {
    fn plain_helper(queue: &Queue<u32>) {
        // A plain fn cannot pause: the put would never happen, so it panics instead.
        drop(queue.put(1));
    }
    let queue = Queue::new(0);
    let message = panic_message(|| plain_helper(&queue));
    assert!(message.contains("tests/queue.rs"), "{message}");
    assert!(message.contains("#[task]"), "{message}");
    assert!(queue.is_empty(), "nothing was put");
}
