//! `scheduler::select!` in a `#[task]` body: races pause points, runs the arm of the first to
//! finish with its value, and drops the others before that arm runs, on both flavours.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use scheduler::sync::{self, Event};
use scheduler::{TaskError, task};

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

on_both_flavours!(
    a_message_waiting_wins_over_a_sleep,
    a_sleep_wins_and_the_losing_recv_takes_no_message,
    the_loser_is_dropped_before_the_winner_runs,
    arms_may_pause_and_use_the_value,
    an_arm_whose_pattern_does_not_match_leaves_the_race,
    a_future_from_another_library_races_through_wait,
    timeout_takes_a_pause_point_written_in_its_call,
    a_losing_arm_s_scope_is_finished_before_the_winner_runs,
    a_select_whose_arms_all_leave_the_race_panics_saying_what_to_add,
);

/// Sets its flag when dropped: proves a losing arm's state is gone.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[task]
fn wait_holding(guard: SetOnDrop, event: Arc<Event>) -> u32 {
    event.wait();
    drop(guard);
    1
}

#[task]
fn first_message_or_timeout(rx: sync::Receiver<u32>, ms: u64) -> Option<u32> {
    scheduler::select! {
        msg = rx.recv() => msg.ok(),
        _ = scheduler::sleep(Duration::from_millis(ms)) => None,
    }
}

#[task]
fn a_message_waiting_wins_over_a_sleep() {
    let (tx, rx) = sync::channel(1);
    tx.try_send(7).unwrap();
    assert_eq!(first_message_or_timeout(rx, 60_000), Some(7));
}

#[task]
fn a_sleep_wins_and_the_losing_recv_takes_no_message() {
    let (tx, rx) = sync::channel(1);
    let timed_out = first_message_or_timeout(rx.clone(), 1);
    tx.try_send(9).unwrap();
    assert_eq!((timed_out, rx.recv().unwrap()), (None, 9));
}

#[task]
fn the_loser_is_dropped_before_the_winner_runs() {
    let dropped = Arc::new(AtomicBool::new(false));
    let never = Arc::new(Event::new());
    let seen_in_arm = scheduler::select! {
        _ = wait_holding(SetOnDrop(dropped.clone()), never.clone()) => false,
        () = scheduler::yield_now() => dropped.load(Ordering::SeqCst),
    };
    assert!(seen_in_arm && dropped.load(Ordering::SeqCst));
}

#[task]
fn arms_may_pause_and_use_the_value() {
    let (tx, rx) = sync::channel(1);
    tx.try_send(20).unwrap();
    let mut total = 0;
    for _ in 0..2 {
        scheduler::select! {
            Ok(n) = rx.recv() => {
                scheduler::yield_now();
                total += n;
                tx.try_send(n + 1).unwrap();
            }
            _ = scheduler::sleep(Duration::from_secs(60)) => unreachable!("a message is waiting"),
        }
    }
    assert_eq!(total, 41);
}

#[task]
fn an_arm_whose_pattern_does_not_match_leaves_the_race() {
    let (tx, rx) = sync::channel::<u32>(1);
    drop(tx);
    let won = scheduler::select! {
        Ok(_) = rx.recv() => "message",
        _ = scheduler::sleep(Duration::from_millis(1)) => "timer",
    };
    assert_eq!(won, "timer");
}

/// The line of `no_arm_matches`'s `select!`.
const NO_ARM_SELECT_LINE: u32 = line!() + 4;

#[task]
fn no_arm_matches(rx: sync::Receiver<u32>) -> &'static str {
    scheduler::select! {
        Ok(_) = rx.recv() => "message",
    }
}

#[task]
fn a_select_whose_arms_all_leave_the_race_panics_saying_what_to_add() {
    let (tx, rx) = sync::channel::<u32>(1);
    drop(tx);
    match scheduler::queue_to_run(no_arm_matches, (rx,)).join() {
        Err(TaskError::Panicked { message, .. }) => assert!(
            message.contains("add an arm whose pattern always matches (`_ = ..`)"),
            "{message}"
        ),
        other => panic!("the select! should have panicked: {other:?}"),
    }
}

#[test]
fn the_panic_of_a_select_whose_arms_all_leave_the_race_names_the_select_s_line() {
    if scheduler_workspace::in_child() {
        let (tx, rx) = sync::channel::<u32>(1);
        drop(tx);
        let _ = scheduler::Scheduler::new().run_until_finished(no_arm_matches, (rx,));
        return;
    }
    let (ok, stderr) = scheduler_workspace::run_child(
        "the_panic_of_a_select_whose_arms_all_leave_the_race_names_the_select_s_line",
    );
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains(&format!("panicked at {}:{NO_ARM_SELECT_LINE}:", file!())),
        "{stderr}"
    );
}

#[task]
fn a_future_from_another_library_races_through_wait() {
    let (_keep, never) = async_channel::bounded::<()>(1);
    let won = scheduler::select! {
        _ = scheduler::wait(never.recv()) => "message",
        _ = scheduler::wait(async_io::Timer::after(Duration::from_millis(1))) => "timer",
    };
    assert_eq!(won, "timer");
}

#[task]
fn timeout_takes_a_pause_point_written_in_its_call() {
    let (tx, rx) = sync::channel::<u32>(1);
    let timed_out = scheduler::timeout(Duration::from_millis(1), rx.recv()).is_err();
    tx.try_send(5).unwrap();
    let got = scheduler::timeout(Duration::from_secs(60), rx.recv())
        .ok()
        .and_then(Result::ok);
    assert_eq!((timed_out, got), (true, Some(5)));
}

#[task]
fn hold(_token: scheduler_workspace::DropToken, never: Arc<Event>) {
    never.wait();
}

/// A scope whose task holds `token` until it is cancelled.
#[task]
fn scope_holding(token: scheduler_workspace::DropToken, started: Arc<Event>) {
    let never = Arc::new(Event::new());
    scheduler::scope(|s| {
        s.queue_to_run(hold, (token, never.clone()));
        started.set();
    });
}

#[task]
fn a_losing_arm_s_scope_is_finished_before_the_winner_runs() {
    let counter = scheduler_workspace::DropCounter::new();
    let started = Arc::new(Event::new());
    let alive_in_arm = scheduler::select! {
        _ = scope_holding(counter.token(), started.clone()) => unreachable!("it never ends"),
        _ = started.wait() => counter.alive(),
    };
    assert_eq!(
        alive_in_arm, 0,
        "the losing scope's task still held its token"
    );
}
