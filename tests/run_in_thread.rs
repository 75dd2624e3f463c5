//! `run_in_thread` runs blocking work on a thread pool: the caller pauses, other tasks run
//! meanwhile on the scheduler's thread, and a panic there is re-raised in the caller naming
//! the function.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread::{self, ThreadId};
use std::time::Duration;

use scheduler::{Scheduler, TaskError, task};

fn where_am_i() -> ThreadId {
    thread::current().id()
}

#[test]
fn the_work_runs_on_another_thread_and_its_value_comes_back() {
    #[task]
    fn check() -> bool {
        let there = scheduler::run_in_thread(where_am_i, ());
        there != thread::current().id()
    }
    assert!(Scheduler::new().run_until_finished(check, ()));
}

#[test]
fn other_tasks_run_while_the_caller_waits_for_the_thread() {
    /// Blocks its thread until the other task has run and sent the go-ahead.
    fn wait_for_go(go: mpsc::Receiver<()>) -> &'static str {
        go.recv_timeout(Duration::from_secs(10))
            .map(|()| "the other task ran meanwhile")
            .unwrap_or("timed out: nothing ran meanwhile")
    }
    #[task]
    fn check(ran: Rc<Cell<bool>>) -> &'static str {
        let (go, wait) = mpsc::channel();
        let flag = ran.clone();
        scheduler::queue_to_run(
            move || {
                flag.set(true);
                go.send(()).unwrap();
            },
            (),
        );
        scheduler::run_in_thread(wait_for_go, (wait,))
    }
    let ran = Rc::new(Cell::new(false));
    let said = Scheduler::new().run_until_finished(check, (ran.clone(),));
    assert_eq!(said, "the other task ran meanwhile");
    assert!(ran.get());
}

fn crunch(n: u32) -> u32 {
    assert!(n < 10, "{n} is too big to crunch");
    n
}

#[test]
fn a_panic_in_the_thread_is_re_raised_in_the_caller_naming_the_function() {
    #[task]
    fn caller() -> u32 {
        scheduler::run_in_thread(crunch, (99,))
    }
    #[task]
    fn check() -> TaskError {
        scheduler::queue_to_run(caller, ()).join().unwrap_err()
    }
    match Scheduler::new().run_until_finished(check, ()) {
        TaskError::Panicked { task, message } => {
            assert!(task.to_string().ends_with("::caller"), "{task}");
            assert_eq!(
                message,
                "`run_in_thread::crunch` panicked in a thread of `scheduler::run_in_thread`: \
                 99 is too big to crunch"
            );
        }
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[test]
fn closures_with_arguments_run_in_the_thread_too() {
    #[task]
    fn check() -> String {
        let greeting = String::from("hello");
        scheduler::run_in_thread(move |name: &str| format!("{greeting}, {name}"), ("tv",))
    }
    assert_eq!(Scheduler::new().run_until_finished(check, ()), "hello, tv");
}

#[test]
fn a_panic_in_the_thread_is_reported_once() {
    if scheduler_workspace::in_child() {
        #[scheduler::task]
        fn caller() -> u32 {
            scheduler::run_in_thread(crunch, (11,))
        }
        let s = scheduler::Scheduler::new();
        s.queue_to_run(caller, ());
        s.run();
        return;
    }
    let (ok, stderr) = scheduler_workspace::run_child("a_panic_in_the_thread_is_reported_once");
    assert!(ok, "{stderr}");
    assert_eq!(stderr.matches("panicked at").count(), 1, "{stderr}");
    assert!(
        stderr.contains("task `run_in_thread::crunch` panicked at"),
        "{stderr}"
    );
}
