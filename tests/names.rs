//! Every task has a name: a `#[task]` fn's path, a plain fn's path, or the `file:line`
//! where a closure was queued.

use scheduler::{Scheduler, task};

#[task]
fn turn_on_tv() {}

fn plain_fn() {}

struct Tv;

impl Tv {
    #[task]
    fn power(&self) -> bool {
        true
    }
}

#[test]
fn a_task_fn_is_named_by_its_module_path() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(turn_on_tv, ());
    assert_eq!(handle.name().to_string(), "names::turn_on_tv");
    s.run();
}

#[test]
fn a_plain_fn_is_named_by_its_path() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(plain_fn, ());
    assert_eq!(handle.name().to_string(), "names::plain_fn");
    s.run();
}

#[test]
fn a_closure_is_named_by_the_line_that_queued_it() {
    let s = Scheduler::new();
    let line = line!() + 1;
    let handle = s.queue_to_run(|| 1, ());
    assert_eq!(handle.name().to_string(), format!("tests/names.rs:{line}"));
    s.run();
}

#[test]
fn a_closure_that_calls_a_task_fn_is_named_after_the_task_fn() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(move || turn_on_tv(), ());
    assert_eq!(handle.name().to_string(), "names::turn_on_tv");
    s.run();
}

#[test]
fn a_task_method_is_named_with_its_type() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(move || Tv.power(), ());
    assert_eq!(handle.name().to_string(), "names::Tv::power");
    s.run();
}

#[test]
fn a_closure_queued_from_a_task_is_named_by_its_line() {
    #[task]
    fn queue_one() -> String {
        let handle = scheduler::queue_to_run(|| 2, ());
        handle.name().to_string()
    }
    let name = Scheduler::new().run_until_finished(queue_one, ());
    assert!(name.starts_with("tests/names.rs:"), "{name}");
}
