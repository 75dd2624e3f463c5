//! `Scheduler::run_until_finished(f, args)` may borrow from its caller, as `block_on` does:
//! `f` and `args` need not be `'static` (queued work must be).

use scheduler::{Scheduler, task};

#[task]
fn total(values: &[u64]) -> u64 {
    scheduler::yield_now();
    values.iter().sum()
}

#[task]
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    scheduler::yield_now();
    if a.len() >= b.len() { a } else { b }
}

#[test]
fn a_task_fn_taking_a_slice_runs_on_borrowed_data() {
    let data = vec![1, 2, 3, 4];
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(total, (data.as_slice(),)), 10);
    assert_eq!(data.len(), 4, "still ours");
}

#[test]
fn a_task_fn_may_return_a_borrow_of_its_arguments() {
    let (a, b) = (String::from("tv"), String::from("channel"));
    let s = Scheduler::new();
    assert_eq!(
        s.run_until_finished(longest, (a.as_str(), b.as_str())),
        "channel"
    );
}

#[test]
fn a_non_move_closure_pushes_to_a_local_vec() {
    let mut seen = Vec::new();
    let s = Scheduler::new();
    s.run_until_finished(
        || {
            seen.push("ran");
            seen.len()
        },
        (),
    );
    assert_eq!(seen, ["ran"]);
}

#[test]
fn a_closure_calling_a_task_fn_borrows_too() {
    let data = [5u64, 6];
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(|| total(&data), ()), 11);
}

#[test]
fn a_pool_borrows_the_same_way() {
    let data = vec![7u64; 3];
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(s.run_until_finished(total, (data.as_slice(),)), 21);
}
