//! The order tasks run in: queued work starts at the queuing task's next pause point, FIFO;
//! `yield_now` lets every other ready task go first; sleepers never wake early and wake in
//! deadline order; `run()` waits for delayed work too.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use scheduler::{Scheduler, task};

type Log = Rc<RefCell<Vec<String>>>;

/// Whether `SCHEDULER_SEED` randomizes the order of ready tasks for the whole run: then the
/// first-come first-served orders below do not hold (`tests/seed.rs` checks that run).
fn seeded_from_outside() -> bool {
    std::env::var_os("SCHEDULER_SEED").is_some()
}

fn note(log: &Log, what: impl Into<String>) {
    log.borrow_mut().push(what.into());
}

#[task]
fn queue_then_pause(log: Log) {
    let other = log.clone();
    scheduler::queue_to_run(move || note(&other, "queued"), ());
    note(&log, "still running");
    scheduler::yield_now();
    note(&log, "resumed");
}

#[test]
fn queued_work_starts_no_earlier_than_the_next_pause_point() {
    let log = Log::default();
    Scheduler::new().run_until_finished(queue_then_pause, (log.clone(),));
    assert_eq!(*log.borrow(), ["still running", "queued", "resumed"]);
}

#[test]
fn tasks_queued_from_plain_code_run_in_the_order_they_were_queued() {
    if seeded_from_outside() {
        return;
    }
    let log = Log::default();
    let s = Scheduler::new();
    for i in 0..5 {
        let log = log.clone();
        s.queue_to_run(move |i: u32| note(&log, i.to_string()), (i,));
    }
    s.run();
    assert_eq!(*log.borrow(), ["0", "1", "2", "3", "4"]);
}

#[task]
fn counter(log: Log, name: &'static str, steps: u32) {
    for step in 0..steps {
        note(&log, format!("{name}{step}"));
        scheduler::yield_now();
    }
}

#[test]
fn yield_now_lets_the_other_ready_tasks_run_first() {
    if seeded_from_outside() {
        return;
    }
    let log = Log::default();
    let s = Scheduler::new();
    s.queue_to_run(counter, (log.clone(), "a", 3));
    s.queue_to_run(counter, (log.clone(), "b", 3));
    s.run();
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

#[test]
fn run_until_finished_runs_the_other_queued_tasks_while_its_own_waits() {
    if seeded_from_outside() {
        return;
    }
    let log = Log::default();
    let s = Scheduler::new();
    s.queue_to_run(counter, (log.clone(), "b", 2));
    s.run_until_finished(counter, (log.clone(), "a", 2));
    assert_eq!(*log.borrow(), ["b0", "a0", "b1", "a1"]);
}

#[task]
fn sleeper(log: Log, millis: u64) {
    let start = Instant::now();
    scheduler::sleep(Duration::from_millis(millis));
    assert!(
        start.elapsed() >= Duration::from_millis(millis),
        "woke early"
    );
    note(&log, millis.to_string());
}

#[test]
fn sleepers_never_wake_early_and_wake_in_deadline_order() {
    let log = Log::default();
    let s = Scheduler::new();
    for millis in [30, 10, 20, 0] {
        s.queue_to_run(sleeper, (log.clone(), millis));
    }
    s.run();
    assert_eq!(*log.borrow(), ["0", "10", "20", "30"]);
}

#[test]
fn run_waits_for_work_queued_to_run_after_a_delay() {
    #[task]
    fn plan(log: Log) {
        let later = log.clone();
        scheduler::queue_to_run_after(Duration::from_millis(20), move || note(&later, "later"), ());
        note(&log, "now");
    }
    let log = Log::default();
    let s = Scheduler::new();
    let start = Instant::now();
    s.queue_to_run(plan, (log.clone(),));
    s.run();
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(*log.borrow(), ["now", "later"]);
}

#[test]
fn arguments_come_as_tuples_of_up_to_twelve() {
    #[task]
    #[allow(clippy::too_many_arguments)]
    fn twelve(
        a: u8,
        b: u16,
        c: u32,
        d: u64,
        e: usize,
        f: i8,
        g: i16,
        h: i32,
        i: i64,
        j: isize,
        k: bool,
        l: &'static str,
    ) -> String {
        format!("{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}")
    }
    #[allow(clippy::too_many_arguments)]
    fn plain(
        a: u8,
        b: u8,
        c: u8,
        d: u8,
        e: u8,
        f: u8,
        g: u8,
        h: u8,
        i: u8,
        j: u8,
        k: u8,
        l: u8,
    ) -> u32 {
        [a, b, c, d, e, f, g, h, i, j, k, l]
            .iter()
            .map(|&x| u32::from(x))
            .sum()
    }
    let s = Scheduler::new();
    let text = s.run_until_finished(twelve, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, true, "!"));
    assert_eq!(text, "12345678910true!");
    assert_eq!(
        s.run_until_finished(plain, (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
        12
    );
}

#[test]
fn a_task_fn_can_queue_itself() {
    #[task]
    fn countdown(n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let rest = scheduler::queue_to_run(countdown, (n - 1,));
        n + rest.join().unwrap()
    }
    assert_eq!(Scheduler::new().run_until_finished(countdown, (10,)), 55);
}
