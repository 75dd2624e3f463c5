//! Waiting for many tasks: `wait_all` gives every value in input order and re-raises the
//! first failure, `wait_all_results` reports each outcome, `wait_any` gives the first to
//! finish while the others keep running, and `with_timeout` gives up on time, dropping
//! what it ran at once.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use scheduler::{Scheduler, TaskError, TaskHandle, task};
use scheduler_workspace::{DropCounter, DropToken, panic_message};

const AN_HOUR: Duration = Duration::from_secs(3600);

#[task]
fn after(millis: u64, value: u32) -> u32 {
    scheduler::sleep(Duration::from_millis(millis));
    value
}

#[task]
fn explode(millis: u64) -> u32 {
    scheduler::sleep(Duration::from_millis(millis));
    panic!("boom")
}

#[task]
fn forever(_guard: DropToken) -> u32 {
    scheduler::sleep(AN_HOUR);
    0
}

#[test]
fn wait_all_gives_every_value_in_input_order_whatever_order_they_finish_in() {
    #[task]
    fn gather() -> Vec<u32> {
        let handles = vec![
            scheduler::queue_to_run(after, (30, 1)),
            scheduler::queue_to_run(after, (0, 2)),
            scheduler::queue_to_run(after, (15, 3)),
        ];
        scheduler::wait_all(handles)
    }
    assert_eq!(Scheduler::new().run_until_finished(gather, ()), [1, 2, 3]);
}

#[test]
fn wait_all_of_no_handles_gives_an_empty_vec_at_once() {
    #[task]
    fn gather_nothing() -> Vec<u32> {
        scheduler::wait_all(Vec::<TaskHandle<u32>>::new())
    }
    assert!(
        Scheduler::new()
            .run_until_finished(gather_nothing, ())
            .is_empty()
    );
}

#[test]
fn wait_all_re_raises_the_first_failure_naming_the_task() {
    #[task]
    fn gather(counter: DropCounter) -> Vec<u32> {
        let handles = vec![
            scheduler::queue_to_run(after, (5, 1)),
            scheduler::queue_to_run(explode, (0,)),
            scheduler::queue_to_run(forever, (counter.token(),)),
        ];
        scheduler::wait_all(handles)
    }
    // The scheduler outlives the panic, so it is dropped (cancelling `forever`) after the
    // panic was caught, not while unwinding.
    let scheduler = Scheduler::new();
    let message = panic_message(|| {
        scheduler.run_until_finished(gather, (DropCounter::new(),));
    });
    assert!(
        message.starts_with("task `waiting::explode` panicked: boom"),
        "{message}"
    );
}

#[test]
fn wait_all_results_reports_each_outcome_in_input_order() {
    #[task]
    fn gather() -> Vec<Result<u32, TaskError>> {
        let cancelled = scheduler::queue_to_run(after, (3_600_000, 0));
        cancelled.cancel();
        let handles = vec![
            scheduler::queue_to_run(after, (10, 1)),
            scheduler::queue_to_run(explode, (0,)),
            cancelled,
        ];
        scheduler::wait_all_results(handles)
    }
    let results = Scheduler::new().run_until_finished(gather, ());
    assert_eq!(results[0], Ok(1));
    match &results[1] {
        Err(TaskError::Panicked { task, message }) => {
            assert_eq!(task.to_string(), "waiting::explode");
            assert_eq!(message, "boom");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert!(matches!(results[2], Err(TaskError::Cancelled { .. })));
}

#[test]
fn wait_any_gives_the_first_to_finish_and_the_others_keep_running() {
    #[task]
    fn finish_later(done: Rc<Cell<bool>>) -> u32 {
        scheduler::sleep(Duration::from_millis(20));
        done.set(true);
        1
    }
    #[task]
    fn race(slow_done: Rc<Cell<bool>>) -> (usize, u32) {
        let slow = scheduler::queue_to_run(finish_later, (slow_done.clone(),));
        let fast = scheduler::queue_to_run(after, (1, 2));
        let first = scheduler::wait_any(vec![slow, fast]);
        assert!(!slow_done.get());
        scheduler::sleep(Duration::from_millis(40)); // the loser was not cancelled
        assert!(slow_done.get());
        first
    }
    let slow_done = Rc::new(Cell::new(false));
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(race, (slow_done.clone(),)), (1, 2));
}

#[test]
fn a_cancelled_wait_any_loser_frees_its_memory() {
    #[task]
    fn race(counter: DropCounter) -> (usize, u32) {
        let mut handles = vec![
            scheduler::queue_to_run(forever, (counter.token(),)),
            scheduler::queue_to_run(after, (1, 7)),
            scheduler::queue_to_run(forever, (counter.token(),)),
        ];
        let winner = scheduler::wait_any(&mut handles);
        assert_eq!(counter.alive(), 2, "the losers are still running");
        handles.swap_remove(winner.0);
        for loser in &handles {
            loser.cancel();
        }
        let outcomes = scheduler::wait_all_results(handles);
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Err(TaskError::Cancelled { .. })))
        );
        assert_eq!(counter.alive(), 0, "the losers' state was dropped");
        winner
    }
    let counter = DropCounter::new();
    assert_eq!(
        Scheduler::new().run_until_finished(race, (counter.clone(),)),
        (1, 7)
    );
    assert_eq!(counter.alive(), 0);
}

#[test]
fn wait_any_re_raises_a_failure_that_came_first() {
    #[task]
    fn race() -> (usize, u32) {
        scheduler::wait_any(vec![
            scheduler::queue_to_run(after, (3_600_000, 1)),
            scheduler::queue_to_run(explode, (0,)),
        ])
    }
    let scheduler = Scheduler::new();
    let message = panic_message(|| {
        scheduler.run_until_finished(race, ());
    });
    assert!(
        message.starts_with("task `waiting::explode` panicked: boom"),
        "{message}"
    );
}

#[test]
#[should_panic(expected = "`scheduler::wait_any` was given no task handles")]
fn wait_any_of_no_handles_panics_saying_so() {
    #[task]
    fn race() -> (usize, u32) {
        scheduler::wait_any(Vec::<TaskHandle<u32>>::new())
    }
    Scheduler::new().run_until_finished(race, ());
}

#[test]
fn with_timeout_gives_the_value_of_a_function_that_finishes_in_time() {
    #[task]
    fn patient() -> Result<u32, scheduler::TimedOut> {
        scheduler::with_timeout(Duration::from_secs(60), after, (1, 5))
    }
    assert_eq!(Scheduler::new().run_until_finished(patient, ()), Ok(5));
}

#[test]
fn with_timeout_drops_the_inner_state_at_once_on_timeout() {
    #[task]
    fn impatient(counter: DropCounter) -> scheduler::TimedOut {
        let result =
            scheduler::with_timeout(Duration::from_millis(10), forever, (counter.token(),));
        assert_eq!(
            counter.alive(),
            0,
            "dropped by the time with_timeout returned"
        );
        result.unwrap_err()
    }
    let counter = DropCounter::new();
    let timed_out = Scheduler::new().run_until_finished(impatient, (counter.clone(),));
    assert_eq!(timed_out.after(), Duration::from_millis(10));
    assert_eq!(
        timed_out.to_string(),
        "`waiting::forever` did not finish within 10ms"
    );
}

#[test]
fn cancelling_the_caller_of_with_timeout_cancels_what_it_runs() {
    #[task]
    fn caller(token: DropToken) {
        let _ = scheduler::with_timeout(AN_HOUR, forever, (token,));
    }
    #[task]
    fn check(counter: DropCounter) -> bool {
        let handle = scheduler::queue_to_run(caller, (counter.token(),));
        scheduler::yield_now();
        assert_eq!(counter.alive(), 1);
        handle.cancel();
        let result = handle.join();
        matches!(result, Err(TaskError::Cancelled { .. })) && counter.alive() == 0
    }
    assert!(Scheduler::new().run_until_finished(check, (DropCounter::new(),)));
}
