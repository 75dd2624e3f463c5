//! A crate that depends on the library under another name (`sched = { package = .. }`):
//! every macro takes `crate = "sched"`, and the generated code names nothing else.

use std::time::Duration;

#[sched::task(crate = "sched")]
fn nap(ms: u64) -> u64 {
    sched::sleep(Duration::from_millis(ms));
    ms
}

#[sched::task(crate = "sched", name = "renamed::twice")]
fn twice(label: &str) -> String {
    let a = nap(1);
    let b = nap(2);
    format!("{label} {}", a + b)
}

#[sched::test(crate = "sched")]
fn a_test_body_runs_through_the_renamed_crate() {
    assert_eq!(twice("slept"), "slept 3");
}

#[sched::test(crate = "sched", virtual_time)]
fn virtual_time_goes_through_it_too() {
    let start = sched::now();
    nap(60_000);
    assert!(sched::now() - start >= Duration::from_secs(60));
}

#[test]
fn a_plain_scheduler_runs_renamed_task_fns() {
    let s = sched::Scheduler::new();
    assert_eq!(s.run_until_finished(twice, ("x",)), "x 3");
}
