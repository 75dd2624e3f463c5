//! A `TaskHandle` polled as a `Future` after it gave the task's value panics with a message
//! that names the task and says what to do, not with async-task's bare "Task polled after
//! completion".

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use scheduler::Scheduler;
use scheduler_workspace::panic_message;

#[scheduler::task]
fn answer() -> u32 {
    42
}

fn check(mut handle: scheduler::TaskHandle<u32>) {
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(Pin::new(&mut handle).poll(&mut cx), Poll::Ready(Ok(42)));
    let message = panic_message(|| {
        let _ = Pin::new(&mut handle).poll(&mut cx);
    });
    assert!(
        message.starts_with(
            "the `TaskHandle` of task `handle_polled_after_value::answer` was polled again \
             after it gave the task's value"
        ),
        "{message}"
    );
    assert!(message.contains("is_finished()"), "{message}");
}

#[test]
fn a_handle_polled_after_its_value_names_the_task() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(answer, ());
    s.run();
    check(handle);
}

#[test]
fn a_handle_polled_after_its_value_names_the_task_on_a_pool() {
    let pool = Scheduler::builder().threads(2).build();
    let handle = pool.queue_to_run(answer, ());
    pool.run();
    check(handle);
}
