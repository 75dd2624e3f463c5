//! Pausing blocks: a closure handed to `scope`, `with_timeout` or `with_deadline` in a
//! `#[task]` body pauses like the body around it, on both flavours.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{Scheduler, TimedOut, task};

#[task]
fn attempt(n: u64, log: Arc<AtomicUsize>) -> u64 {
    scheduler::sleep(Duration::from_millis(n));
    log.fetch_add(1, Ordering::SeqCst);
    n
}

#[task]
fn a_scope_body_pauses_between_queueing() -> (u64, usize) {
    let log = Arc::new(AtomicUsize::new(0));
    let total = scheduler::scope(|s| {
        let first = s.queue_to_run(attempt, (3, log.clone()));
        scheduler::sleep(Duration::from_millis(1));
        let second = s.queue_to_run(attempt, (1, log.clone()));
        scheduler::yield_now();
        first.join().unwrap() + second.join().unwrap()
    });
    (total, log.load(Ordering::SeqCst))
}

#[task]
fn a_scope_body_hands_its_handle_out_and_waits() -> usize {
    let log = Arc::new(AtomicUsize::new(0));
    let ready = Arc::new(Event::new());
    scheduler::scope(|s| {
        let handle = s.handle();
        s.queue_to_run(queue_two_more, (handle, log.clone(), ready.clone()));
        ready.wait(); // the body waits for a task of its own scope
    });
    log.load(Ordering::SeqCst)
}

#[task]
fn queue_two_more(scope: scheduler::ScopeHandle, log: Arc<AtomicUsize>, ready: Arc<Event>) {
    scope.queue_to_run(attempt, (1, log.clone()));
    scope.queue_to_run(attempt, (2, log));
    ready.set();
}

#[task]
fn a_timeout_around_a_block() -> (Result<u32, TimedOut>, Result<u32, TimedOut>) {
    let quick = scheduler::with_timeout(
        Duration::from_secs(60),
        || {
            scheduler::yield_now();
            scheduler::sleep(Duration::from_millis(1));
            7
        },
        (),
    );
    let never = Arc::new(Event::new());
    let slow = scheduler::with_timeout(
        Duration::from_millis(1),
        || {
            never.wait();
            8
        },
        (),
    );
    (quick, slow)
}

#[task]
fn a_deadline_around_a_block() -> Result<u32, TimedOut> {
    let at = scheduler::now() + Duration::from_millis(5);
    scheduler::with_deadline(
        at,
        move || {
            scheduler::sleep(Duration::from_secs(60));
            1
        },
        (),
    )
}

#[test]
fn pausing_blocks_pause_on_one_thread() {
    let s = Scheduler::new();
    assert_eq!(
        s.run_until_finished(a_scope_body_pauses_between_queueing, ()),
        (4, 2)
    );
    assert_eq!(
        s.run_until_finished(a_scope_body_hands_its_handle_out_and_waits, ()),
        2
    );
    let (quick, slow) = s.run_until_finished(a_timeout_around_a_block, ());
    assert_eq!(quick, Ok(7));
    assert!(slow.is_err());
    assert!(s.run_until_finished(a_deadline_around_a_block, ()).is_err());
}

#[test]
fn pausing_blocks_pause_on_two_threads() {
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(
        s.run_until_finished(a_scope_body_pauses_between_queueing, ()),
        (4, 2)
    );
    assert_eq!(
        s.run_until_finished(a_scope_body_hands_its_handle_out_and_waits, ()),
        2
    );
    let (quick, slow) = s.run_until_finished(a_timeout_around_a_block, ());
    assert_eq!(quick, Ok(7));
    assert!(slow.is_err());
    assert!(s.run_until_finished(a_deadline_around_a_block, ()).is_err());
}
