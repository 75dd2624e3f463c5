//! A task that blocks its thread between two pause points is named on stderr while it is
//! still happening, with the fix; a task that pauses properly is not.

use std::time::Duration;

use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, run_child};

#[task]
fn blocks_the_thread() {
    std::thread::sleep(Duration::from_millis(300)); // the bug: a blocking call in a task
}

#[task]
fn pauses_properly() {
    scheduler::sleep(Duration::from_secs(1));
}

/// Runs `scenario` in a child process of its own and returns its stderr.
fn stderr_of(test: &str) -> String {
    let (ok, stderr) = run_child(test);
    assert!(ok, "{stderr}");
    stderr
}

fn warnings(stderr: &str) -> usize {
    stderr.matches("without reaching a pause point").count()
}

#[test]
fn a_task_blocking_for_300_ms_is_named_once_with_the_fix() {
    if in_child() {
        Scheduler::new().run_until_finished(blocks_the_thread, ());
        return;
    }
    let stderr = stderr_of("a_task_blocking_for_300_ms_is_named_once_with_the_fix");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
    assert!(
        stderr.contains("task `slow_poll::blocks_the_thread` has been running for "),
        "{stderr}"
    );
    assert!(
        stderr.contains("scheduler::run_in_thread(f, args)"),
        "{stderr}"
    );
}

#[test]
fn a_task_that_pauses_for_a_second_is_not_named() {
    if in_child() {
        Scheduler::new().run_until_finished(pauses_properly, ());
        return;
    }
    let stderr = stderr_of("a_task_that_pauses_for_a_second_is_not_named");
    assert_eq!(warnings(&stderr), 0, "{stderr}");
}

#[test]
fn turning_the_watchdog_off_silences_it() {
    if in_child() {
        Scheduler::builder()
            .slow_poll(None)
            .build()
            .run_until_finished(blocks_the_thread, ());
        return;
    }
    let stderr = stderr_of("turning_the_watchdog_off_silences_it");
    assert_eq!(warnings(&stderr), 0, "{stderr}");
}

#[test]
fn a_task_blocking_on_a_pool_worker_is_named_too() {
    if in_child() {
        let s = Scheduler::builder().threads(2).build();
        s.run_until_finished(blocks_the_thread, ());
        return;
    }
    let stderr = stderr_of("a_task_blocking_on_a_pool_worker_is_named_too");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
    assert!(stderr.contains("thread `scheduler-worker-"), "{stderr}");
}

#[test]
fn a_task_that_keeps_blocking_is_named_again_with_a_growing_total() {
    #[task]
    fn blocks_long() {
        std::thread::sleep(Duration::from_millis(1300));
    }
    if in_child() {
        Scheduler::new().run_until_finished(blocks_long, ());
        return;
    }
    let stderr = stderr_of("a_task_that_keeps_blocking_is_named_again_with_a_growing_total");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
    assert_eq!(
        stderr.matches("is still blocking thread").count(),
        1,
        "{stderr}"
    );
    // The second report gives a larger total than the first.
    let first = ms_after(&stderr, "has been running for ");
    let again = ms_after(&stderr, "so far");
    assert!(again > first, "{first} ms, then {again} ms: {stderr}");
}

/// The milliseconds the report says, next to `marker`: after it ("running for 300 ms"), or,
/// for "so far", before it ("1200 ms so far").
fn ms_after(stderr: &str, marker: &str) -> u64 {
    let at = stderr
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}`: {stderr}"));
    let digits: String = if marker == "so far" {
        let before = stderr[..at].trim_end().trim_end_matches("ms").trim_end();
        let start = before
            .rfind(|c: char| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        before[start..].to_string()
    } else {
        stderr[at + marker.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number at `{marker}`: {stderr}"))
}

#[test]
fn a_lower_threshold_names_shorter_blocks() {
    #[task]
    fn blocks_briefly() {
        std::thread::sleep(Duration::from_millis(80));
    }
    if in_child() {
        let s = Scheduler::builder()
            .slow_poll(Duration::from_millis(30))
            .build();
        s.run_until_finished(blocks_briefly, ());
        return;
    }
    let stderr = stderr_of("a_lower_threshold_names_shorter_blocks");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
}

#[task]
fn pauses_then_blocks() {
    scheduler::yield_now(); // where it is resumed from
    std::thread::sleep(Duration::from_millis(300)); // the bug
}

#[task]
fn calls_one_that_blocks() {
    pauses_then_blocks();
}

#[test]
fn the_report_says_where_the_blocking_task_was_resumed_from_on_both_flavours() {
    if in_child() {
        let s = Scheduler::new();
        let task = s.queue_to_run(calls_one_that_blocks, ());
        s.run();
        drop(task);
        let pool = Scheduler::builder().threads(1).build();
        let task = pool.queue_to_run(calls_one_that_blocks, ());
        pool.run();
        drop(task);
        return;
    }
    let stderr =
        stderr_of("the_report_says_where_the_blocking_task_was_resumed_from_on_both_flavours");
    assert_eq!(warnings(&stderr), 2, "{stderr}");
    let resumed = format!(
        "(it was resumed from where it paused last:\n      \
         slow_poll::calls_one_that_blocks at {file}:{outer}:5\n      \
         slow_poll::pauses_then_blocks at {file}:{inner}:16)",
        file = file!(),
        outer = line!() - 24, // the call of `pauses_then_blocks`
        inner = line!() - 31, // its `yield_now` (the span of the called name)
    );
    assert_eq!(stderr.matches(&resumed).count(), 2, "{resumed}\n{stderr}");
}
