//! `Scheduler::builder().virtual_time()`: when no task is ready, the clock jumps to the next
//! timer's deadline, so long waits run in milliseconds, the same way every time.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use scheduler::{Scheduler, task};

fn virtual_scheduler() -> Scheduler {
    Scheduler::builder().virtual_time().build()
}

#[task]
fn sleep_an_hour() -> Duration {
    let start = scheduler::now();
    scheduler::sleep(Duration::from_secs(3600));
    scheduler::now() - start
}

#[test]
fn an_hour_of_sleep_takes_no_real_time_and_exactly_an_hour_of_virtual_time() {
    let real = Instant::now();
    assert_eq!(
        virtual_scheduler().run_until_finished(sleep_an_hour, ()),
        Duration::from_secs(3600)
    );
    assert!(real.elapsed() < Duration::from_secs(5));
}

#[task]
fn answer_after(delay: Duration) -> u32 {
    scheduler::sleep(delay);
    42
}

#[task]
fn with_a_one_hour_timeout(work: Duration) -> Result<u32, scheduler::TimedOut> {
    scheduler::with_timeout(Duration::from_secs(3600), answer_after, (work,))
}

#[test]
fn a_one_hour_timeout_fires_in_virtual_time() {
    let s = virtual_scheduler();
    let timed_out = s.run_until_finished(with_a_one_hour_timeout, (Duration::from_secs(7200),));
    assert!(timed_out.is_err());
    let in_time = s.run_until_finished(with_a_one_hour_timeout, (Duration::from_secs(1800),));
    assert_eq!(in_time.unwrap(), 42);
}

#[task]
fn sleeper(log: Rc<RefCell<Vec<u64>>>, minutes: u64) {
    scheduler::sleep(Duration::from_secs(60 * minutes));
    log.borrow_mut().push(minutes);
}

#[test]
fn sleepers_wake_in_deadline_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let s = virtual_scheduler();
    for minutes in [30, 10, 20, 0, 10] {
        s.queue_to_run(sleeper, (log.clone(), minutes));
    }
    s.run();
    assert_eq!(*log.borrow(), [0, 10, 10, 20, 30]);
}

#[test]
fn work_queued_to_run_after_a_day_runs_at_once_in_order() {
    #[task]
    fn plan(log: Rc<RefCell<Vec<u64>>>) {
        for hours in [24, 1, 12] {
            let log = log.clone();
            scheduler::queue_to_run_after(
                Duration::from_secs(3600 * hours),
                move || log.borrow_mut().push(hours),
                (),
            );
        }
    }
    let log = Rc::new(RefCell::new(Vec::new()));
    let real = Instant::now();
    let s = virtual_scheduler();
    s.queue_to_run(plan, (log.clone(),));
    s.run();
    assert_eq!(*log.borrow(), [1, 12, 24]);
    assert!(real.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_virtual_clock_only_moves_when_no_task_is_ready() {
    #[task]
    fn busy_then_sleep() -> Duration {
        let start = scheduler::now();
        for _ in 0..100 {
            scheduler::yield_now(); // ready all along: the clock stays
        }
        assert_eq!(scheduler::now(), start);
        scheduler::sleep(Duration::from_millis(250));
        scheduler::now() - start
    }
    assert_eq!(
        virtual_scheduler().run_until_finished(busy_then_sleep, ()),
        Duration::from_millis(250)
    );
}

#[test]
fn the_same_program_gives_the_same_virtual_times_every_run() {
    #[task]
    fn race() -> Vec<(u64, Duration)> {
        let start = scheduler::now();
        let handles: Vec<_> = (1..=5u64)
            .map(|i| {
                scheduler::queue_to_run(answer_after, (Duration::from_millis(i * 7 % 5 * 100),))
            })
            .collect();
        let mut seen = Vec::new();
        for (i, handle) in handles.into_iter().enumerate() {
            handle.join().unwrap();
            seen.push((i as u64, scheduler::now() - start));
        }
        seen
    }
    let first = virtual_scheduler().run_until_finished(race, ());
    for _ in 0..5 {
        assert_eq!(virtual_scheduler().run_until_finished(race, ()), first);
    }
}

#[test]
fn the_virtual_clock_waits_for_work_in_a_thread() {
    #[task]
    fn slow_blocking_work() -> u32 {
        scheduler::run_in_thread(
            || {
                std::thread::sleep(Duration::from_millis(100));
                5
            },
            (),
        )
    }
    #[task]
    fn generous_timeout() -> Result<u32, scheduler::TimedOut> {
        scheduler::with_timeout(Duration::from_secs(10), slow_blocking_work, ())
    }
    // Real work in a thread is not virtual: the clock must not jump past it.
    assert_eq!(
        virtual_scheduler()
            .run_until_finished(generous_timeout, ())
            .unwrap(),
        5
    );
}

#[test]
fn the_virtual_clock_jumps_again_once_the_work_in_threads_is_done() {
    #[task]
    fn thread_then_sleep(n: u32) -> Duration {
        let start = scheduler::now();
        scheduler::run_in_thread(move || n, ());
        scheduler::sleep(Duration::from_secs(u64::from(n) + 1));
        scheduler::now() - start
    }
    #[task]
    fn many() -> Vec<Duration> {
        let handles: Vec<_> = (0..50)
            .map(|n| scheduler::queue_to_run(thread_then_sleep, (n,)))
            .collect();
        scheduler::wait_all(handles)
    }
    // Each task waited on a thread, then on its timer: the clock jumped to every deadline.
    let waited = virtual_scheduler().run_until_finished(many, ());
    for (n, waited) in (0u64..).zip(waited) {
        assert!(waited >= Duration::from_secs(n + 1), "{n}: {waited:?}");
    }
}
