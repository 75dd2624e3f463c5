//! Misuse at run time panics with a message that names the task and says what to write
//! instead.

use std::time::Duration;

use scheduler::{Scheduler, task};
use scheduler_workspace::panic_message;

#[test]
fn a_free_function_with_no_scheduler_says_how_to_make_one() {
    let message = panic_message(|| {
        scheduler::queue_to_run(|| 1, ());
    });
    assert!(
        message
            .contains("`scheduler::queue_to_run` was called on a thread with no running scheduler")
    );
    assert!(message.contains("Scheduler::new()"), "{message}");
    let message = panic_message(|| {
        scheduler::current();
    });
    assert!(message.starts_with("`scheduler::current`"), "{message}");
}

#[test]
fn a_free_function_outside_a_run_says_so_even_with_a_scheduler_made() {
    let _s = Scheduler::new();
    let message = panic_message(|| {
        scheduler::queue_to_run(|| 1, ());
    });
    assert!(message.contains("no running scheduler"), "{message}");
}

#[task]
fn blocks_inside() {
    let inner = Scheduler::new();
    inner.run_until_finished(|| 1, ());
}

#[test]
fn a_blocking_run_inside_a_task_names_the_task_and_the_fix() {
    let s = Scheduler::new();
    let message = panic_message(|| s.run_until_finished(blocks_inside, ()));
    assert!(
        message.starts_with("task `misuse::blocks_inside` called `Scheduler::run_until_finished`"),
        "{message}"
    );
    assert!(
        message.contains("scheduler::run_until_finished(f, args)"),
        "{message}"
    );
}

#[test]
fn a_blocking_run_of_the_same_scheduler_inside_a_task_is_refused_too() {
    let s = std::rc::Rc::new(Scheduler::new());
    let inner = s.clone();
    let message = panic_message(|| s.run_until_finished(move || inner.run(), ()));
    assert!(
        message.contains("called `Scheduler::run`, which blocks the thread"),
        "{message}"
    );
}

fn plain_helper() {
    drop(scheduler::sleep(Duration::from_millis(1)));
}

#[test]
fn a_pause_point_in_plain_code_panics_naming_its_line_and_the_fix() {
    let line = line!() - 5;
    let message = panic_message(plain_helper);
    assert!(
        message.contains(&format!(
            "a pause point was called at tests/misuse.rs:{line}"
        )),
        "{message}"
    );
    assert!(
        message.contains("mark the fn that calls it `#[task]`"),
        "{message}"
    );
}

#[task]
fn set_tv_channel(channel: u32) -> u32 {
    channel
}

#[test]
#[allow(unused_must_use)]
fn a_task_fn_called_from_plain_code_panics_naming_it() {
    let message = panic_message(|| {
        set_tv_channel(7);
    });
    assert!(
        message.contains("the #[task] fn `misuse::set_tv_channel` was called at tests/misuse.rs:"),
        "{message}"
    );
}

#[task]
fn blocks_through_a_handle(handle: scheduler::Handle) {
    handle.run_until_finished(|| 1, ());
}

#[test]
fn a_blocking_run_through_a_handle_inside_a_task_names_the_handle_method() {
    let s = Scheduler::new();
    let handle = s.handle();
    let message = panic_message(|| s.run_until_finished(blocks_through_a_handle, (handle,)));
    assert!(
        message.starts_with(
            "task `misuse::blocks_through_a_handle` called `Handle::run_until_finished`, \
             which blocks the thread"
        ),
        "{message}"
    );
    let pool = Scheduler::builder().threads(2).build();
    let handle = pool.handle();
    let message = panic_message(|| pool.run_until_finished(blocks_through_a_handle, (handle,)));
    assert!(
        message.contains("called `Handle::run_until_finished`, which blocks"),
        "{message}"
    );
}

#[test]
fn a_handle_blocking_on_its_own_schedulers_thread_says_to_call_the_scheduler() {
    let s = Scheduler::new();
    let handle = s.handle();
    let message = panic_message(|| {
        handle.run_until_finished(|| 1, ());
    });
    assert!(
        message.starts_with(
            "`Handle::run_until_finished` was called on the thread that runs this handle's scheduler"
        ),
        "{message}"
    );
    assert!(
        message.contains("s.run_until_finished(f, args)"),
        "{message}"
    );
    // The scheduler is still usable, and nothing was queued.
    assert_eq!(s.run_until_finished(|| 2, ()), 2);
    assert_eq!(s.stats().queued, 0);
}
