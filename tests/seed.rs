//! `Scheduler::builder().seed(n)`: ready tasks run in an order drawn from a generator seeded
//! with `n`, so an interleaving shows up under some seed and replays under that seed.

use std::cell::RefCell;
use std::rc::Rc;

use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, run_child};

type Log = Rc<RefCell<Vec<String>>>;

#[task]
fn step_three_times(log: Log, name: &'static str) {
    for step in 0..3 {
        log.borrow_mut().push(format!("{name}{step}"));
        scheduler::yield_now();
    }
}

/// The interleaving of four tasks under `seed`.
fn interleaving(seed: Option<u64>) -> Vec<String> {
    let builder = Scheduler::builder();
    let s = match seed {
        Some(seed) => builder.seed(seed).build(),
        None => builder.build(),
    };
    let log = Log::default();
    for name in ["a", "b", "c", "d"] {
        s.queue_to_run(step_three_times, (log.clone(), name));
    }
    s.run();
    log.take()
}

#[test]
fn the_same_seed_gives_the_same_order() {
    for seed in 0..20 {
        assert_eq!(
            interleaving(Some(seed)),
            interleaving(Some(seed)),
            "seed {seed}"
        );
    }
}

#[test]
fn different_seeds_give_different_orders() {
    let orders: std::collections::HashSet<Vec<String>> =
        (0..20).map(|seed| interleaving(Some(seed))).collect();
    assert!(
        orders.len() > 10,
        "only {} distinct orders from 20 seeds",
        orders.len()
    );
}

#[test]
fn every_task_still_runs_each_step_in_its_own_order() {
    for seed in 0..20 {
        let log = interleaving(Some(seed));
        assert_eq!(log.len(), 12);
        for name in ["a", "b", "c", "d"] {
            let mine: Vec<&String> = log.iter().filter(|l| l.starts_with(name)).collect();
            assert_eq!(
                mine,
                [
                    &format!("{name}0"),
                    &format!("{name}1"),
                    &format!("{name}2")
                ]
            );
        }
    }
}

#[test]
fn without_a_seed_ready_tasks_run_first_come_first_served() {
    if std::env::var_os("SCHEDULER_SEED").is_some() {
        return; // the whole run is seeded from outside
    }
    let expected: Vec<String> = (0..3)
        .flat_map(|step| ["a", "b", "c", "d"].map(|n| format!("{n}{step}")))
        .collect();
    assert_eq!(interleaving(None), expected);
}

#[task]
fn fails_under_a_seed() {
    scheduler::yield_now();
    panic!("an interleaving bug");
}

#[test]
fn a_task_panic_names_the_seed_to_replay() {
    if in_child() {
        let s = Scheduler::builder().seed(1234).build();
        s.queue_to_run(fails_under_a_seed, ());
        s.run();
        return;
    }
    let (ok, stderr) = run_child("a_task_panic_names_the_seed_to_replay");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("seed 1234: rerun with SCHEDULER_SEED=1234"),
        "{stderr}"
    );
}

#[scheduler::test(seed = 7)]
fn a_test_can_run_under_a_seed() {
    let log = Log::default();
    let a = scheduler::queue_to_run(step_three_times, (log.clone(), "a"));
    let b = scheduler::queue_to_run(step_three_times, (log.clone(), "b"));
    a.join().unwrap();
    b.join().unwrap();
    assert_eq!(log.borrow().len(), 6);
}

#[test]
fn under_a_seed_yield_now_still_lets_every_other_ready_task_go_first() {
    for seed in 0..50 {
        let log = interleaving(Some(seed));
        // Each task yields after each step: so every round holds one step of each task,
        // in an order the seed draws.
        for (round, steps) in log.chunks(4).enumerate() {
            let mut names: Vec<char> = steps.iter().map(|s| s.chars().next().unwrap()).collect();
            names.sort_unstable();
            assert_eq!(
                names,
                ['a', 'b', 'c', 'd'],
                "seed {seed}, round {round}: {log:?}"
            );
            assert!(
                steps.iter().all(|s| s.ends_with(&round.to_string())),
                "seed {seed}: {log:?}"
            );
        }
    }
}

#[test]
fn under_a_seed_work_queued_before_a_yield_runs_before_the_yielder_resumes() {
    #[task]
    fn queue_then_yield() -> bool {
        let handle = scheduler::queue_to_run(|| 7, ());
        scheduler::yield_now();
        handle.is_finished()
    }
    for seed in 0..50 {
        let s = Scheduler::builder().seed(seed).build();
        assert!(s.run_until_finished(queue_then_yield, ()), "seed {seed}");
    }
}
