//! `sync::Barrier`: nobody passes until `n` tasks arrived, round after round, with one
//! leader per round; a cancelled wait takes its arrival back. `wait()` is a statement in a
//! task body (this file denies `unused_must_use`).
#![deny(unused_must_use)]

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use scheduler::sync::Barrier;
use scheduler::{TaskError, task};

on_both_flavours!(
    nobody_passes_until_every_task_arrived_round_after_round,
    each_round_has_exactly_one_leader,
    a_cancelled_wait_takes_its_arrival_back,
);

const TASKS: usize = 4;
const ROUNDS: usize = 20;

#[task]
fn rounds(barrier: Arc<Barrier>, arrivals: Arc<AtomicUsize>) {
    for round in 0..ROUNDS {
        arrivals.fetch_add(1, Ordering::SeqCst);
        barrier.wait();
        let seen = arrivals.load(Ordering::SeqCst);
        assert!(
            seen >= TASKS * (round + 1),
            "passed round {round} with {seen} arrivals"
        );
    }
}

#[task]
fn nobody_passes_until_every_task_arrived_round_after_round() {
    let barrier = Arc::new(Barrier::new(TASKS));
    let arrivals = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..TASKS)
        .map(|_| scheduler::queue_to_run(rounds, (barrier.clone(), arrivals.clone())))
        .collect();
    scheduler::wait_all(handles);
    assert_eq!(arrivals.load(Ordering::SeqCst), TASKS * ROUNDS);
}

/// How many of the rounds this task led.
#[task]
fn count_leads(barrier: Arc<Barrier>) -> usize {
    let mut leads = 0;
    for _ in 0..ROUNDS {
        if barrier.wait().is_leader() {
            leads += 1;
        }
    }
    leads
}

#[task]
fn each_round_has_exactly_one_leader() {
    let barrier = Arc::new(Barrier::new(TASKS));
    let handles: Vec<_> = (0..TASKS)
        .map(|_| scheduler::queue_to_run(count_leads, (barrier.clone(),)))
        .collect();
    let leads: usize = scheduler::wait_all(handles).into_iter().sum();
    assert_eq!(leads, ROUNDS);
}

#[task]
fn wait_once(barrier: Arc<Barrier>) {
    barrier.wait();
}

#[task]
fn a_cancelled_wait_takes_its_arrival_back() {
    let barrier = Arc::new(Barrier::new(2));
    let first = scheduler::queue_to_run(wait_once, (barrier.clone(),));
    for _ in 0..10 {
        scheduler::yield_now(); // it arrives, and waits
    }
    first.cancel();
    assert!(matches!(first.join(), Err(TaskError::Cancelled { .. })));
    let second = scheduler::queue_to_run(wait_once, (barrier.clone(),));
    for _ in 0..10 {
        scheduler::yield_now();
    }
    assert!(
        !second.is_finished(),
        "passed a barrier of two with one task there: the cancelled arrival still counted"
    );
    barrier.wait(); // the second one is here: both pass
    second.join().unwrap();
}
