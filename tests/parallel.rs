//! Parallel means parallel: a task queued on a pool of n threads never waits behind another
//! task's poll while a worker is idle. Here, tasks that can only finish if they run at the
//! same time (each holds its worker, without pausing, until all of them have arrived) meet
//! on `threads(2)` and `threads(4)`, whichever way they were queued: from plain code, from
//! a task with `scheduler::queue_to_run`, in a scope, through a `Handle` from another thread,
//! or woken by a timer. And a task queued behind a long poll starts before that poll ends.
//!
//! No sleeps and no clocks decide anything: every wait is a handshake on an atomic, with a
//! watchdog (a limit of many seconds) so that a failure fails instead of hanging.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scheduler::{MultiThread, Scheduler, task};

/// How long a meeting task waits for the others before it gives up: far longer than any
/// wake-up takes, even on a loaded machine.
const WATCHDOG: Duration = Duration::from_secs(20);

/// The pool sizes every behaviour is checked on.
const POOLS: [usize; 2] = [2, 4];

fn pool(threads: usize) -> Scheduler<MultiThread> {
    Scheduler::builder().threads(threads).build()
}

/// A meeting of `expected` tasks: each arrives, then holds its thread until every one has.
#[derive(Clone)]
struct Meeting {
    arrived: Arc<AtomicUsize>,
    /// How many of them saw all the others arrive (before the watchdog fired).
    met: Arc<AtomicUsize>,
    expected: usize,
}

impl Meeting {
    fn new(expected: usize) -> Self {
        Meeting {
            arrived: Arc::new(AtomicUsize::new(0)),
            met: Arc::new(AtomicUsize::new(0)),
            expected,
        }
    }

    /// Arrives and spins, never pausing, until everyone has arrived or the watchdog fires;
    /// returns whether the meeting happened.
    fn attend(&self) -> bool {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let met = spin_until(WATCHDOG, || {
            self.arrived.load(Ordering::SeqCst) >= self.expected
        });
        if met {
            self.met.fetch_add(1, Ordering::SeqCst);
        }
        met
    }

    /// Whether every one of the `expected` tasks met the others.
    fn all_met(&self) -> bool {
        self.met.load(Ordering::SeqCst) == self.expected
    }
}

/// Busy-waits, never pausing, until `done()` or `limit` has passed; returns whether `done()`.
fn spin_until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > limit {
            return false;
        }
        // Gives the core to another thread of this machine (not of the pool: the task keeps
        // its worker), so that the test also passes on a machine with fewer cores than workers.
        std::thread::yield_now();
    }
    true
}

/// A plain fn: attends the meeting in one go.
fn attend(meeting: Meeting) -> bool {
    meeting.attend()
}

#[test]
fn tasks_queued_from_plain_code_run_at_the_same_time() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        let handles: Vec<_> = (0..threads)
            .map(|_| s.queue_to_run(attend, (meeting.clone(),)))
            .collect();
        s.run();
        assert!(handles.iter().all(|h| h.is_finished()));
        assert!(
            meeting.all_met(),
            "{threads} threads: the tasks ran one after another"
        );
    }
}

/// Queues all but one of the meeting's tasks and attends it itself in the same poll: the
/// tasks it queued can only be there if other workers take them while it runs.
#[task]
fn queue_the_others_and_attend(meeting: Meeting) -> bool {
    for _ in 1..meeting.expected {
        scheduler::queue_to_run(attend, (meeting.clone(),));
    }
    meeting.attend()
}

#[test]
fn tasks_queued_by_a_running_task_run_while_it_still_runs() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        s.run_until_finished(queue_the_others_and_attend, (meeting.clone(),));
        s.run();
        assert!(
            meeting.all_met(),
            "{threads} threads: the queued tasks waited"
        );
    }
}

/// As `queue_the_others_and_attend`, through `scheduler::current()` (a `Handle` on the pool).
#[task]
fn queue_the_others_through_the_current_handle_and_attend(meeting: Meeting) -> bool {
    let here = scheduler::current();
    for _ in 1..meeting.expected {
        here.queue_to_run(attend, (meeting.clone(),));
    }
    meeting.attend()
}

#[test]
fn tasks_queued_through_the_current_handle_by_a_running_task_run_while_it_still_runs() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        s.run_until_finished(
            queue_the_others_through_the_current_handle_and_attend,
            (meeting.clone(),),
        );
        s.run();
        assert!(
            meeting.all_met(),
            "{threads} threads: the queued tasks waited"
        );
    }
}

/// A scope whose body queues all but one of the meeting's tasks and attends it itself,
/// without pausing: the scope's tasks run while its body still runs.
#[task]
fn a_scope_that_attends_too(meeting: Meeting) -> bool {
    scheduler::scope(|s| {
        for _ in 1..meeting.expected {
            s.queue_to_run(attend, (meeting.clone(),));
        }
        meeting.attend()
    })
}

#[test]
fn tasks_queued_in_a_scope_run_while_its_body_still_runs() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        assert!(s.run_until_finished(a_scope_that_attends_too, (meeting.clone(),)));
        assert!(
            meeting.all_met(),
            "{threads} threads: the scope's tasks waited"
        );
    }
}

#[test]
fn tasks_queued_through_a_handle_from_another_thread_run_at_the_same_time() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        let handle = s.handle();
        let queued = {
            let meeting = meeting.clone();
            std::thread::spawn(move || {
                for _ in 0..meeting.expected {
                    handle.queue_to_run(attend, (meeting.clone(),));
                }
            })
        };
        queued.join().unwrap();
        s.run();
        assert!(
            meeting.all_met(),
            "{threads} threads: the tasks ran one after another"
        );
    }
}

/// Sleeps, so that a timer wakes it, then attends the meeting.
#[task]
fn sleep_then_attend(meeting: Meeting) -> bool {
    scheduler::sleep(Duration::from_millis(5));
    meeting.attend()
}

#[test]
fn tasks_woken_by_a_timer_run_at_the_same_time() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        for _ in 0..threads {
            s.queue_to_run(sleep_then_attend, (meeting.clone(),));
        }
        s.run();
        assert!(
            meeting.all_met(),
            "{threads} threads: the woken tasks ran one after another"
        );
    }
}

/// Queues the others as sleepers and attends itself: they start, sleep and are woken by a
/// timer on the other workers while this task holds its own.
#[task]
fn queue_sleepers_and_attend(meeting: Meeting) -> bool {
    for _ in 1..meeting.expected {
        scheduler::queue_to_run(sleep_then_attend, (meeting.clone(),));
    }
    meeting.attend()
}

#[test]
fn tasks_woken_by_a_timer_run_while_the_task_that_queued_them_still_runs() {
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        s.run_until_finished(queue_sleepers_and_attend, (meeting.clone(),));
        s.run();
        assert!(
            meeting.all_met(),
            "{threads} threads: the woken tasks waited"
        );
    }
}

#[test]
fn tasks_queued_to_run_after_a_delay_run_at_the_same_time() {
    #[task]
    fn queue_later(meeting: Meeting) {
        for _ in 0..meeting.expected {
            scheduler::queue_to_run_after(Duration::from_millis(5), attend, (meeting.clone(),));
        }
    }
    for threads in POOLS {
        let s = pool(threads);
        let meeting = Meeting::new(threads);
        s.run_until_finished(queue_later, (meeting.clone(),));
        s.run();
        assert!(
            meeting.all_met(),
            "{threads} threads: the delayed tasks ran one after another"
        );
    }
}

/// The long poll's view of the task it queued.
struct Behind {
    /// Set by the queued task when it starts.
    started: AtomicBool,
    /// Set while the long poll runs; the queued task reads it when it starts.
    long_poll_running: AtomicBool,
    /// What the queued task read.
    started_during_the_long_poll: AtomicBool,
}

/// The task queued behind the long poll: notes whether the poll was still running.
fn start_behind(behind: Arc<Behind>) {
    let during = behind.long_poll_running.load(Ordering::SeqCst);
    behind
        .started_during_the_long_poll
        .store(during, Ordering::SeqCst);
    behind.started.store(true, Ordering::SeqCst);
}

/// Queues a task behind itself, then holds its worker for a long poll (at least 300 ms,
/// spinning, never pausing), which ends early only if the watchdog fires before the queued
/// task has started; returns whether it saw that task start.
#[task]
fn long_poll(behind: Arc<Behind>) -> bool {
    behind.long_poll_running.store(true, Ordering::SeqCst);
    scheduler::queue_to_run(start_behind, (behind.clone(),));
    let start = Instant::now();
    let saw_it = spin_until(WATCHDOG, || behind.started.load(Ordering::SeqCst));
    // The rest of the 300 ms: the length of the poll decides nothing, it is only long.
    spin_until(Duration::from_millis(300), || {
        start.elapsed() >= Duration::from_millis(300)
    });
    behind.long_poll_running.store(false, Ordering::SeqCst);
    saw_it
}

#[test]
fn a_task_queued_behind_a_long_poll_starts_before_that_poll_ends() {
    for threads in POOLS {
        // The long poll is on purpose: no slow-poll report for it.
        let s = Scheduler::builder()
            .threads(threads)
            .slow_poll(None)
            .build();
        let behind = Arc::new(Behind {
            started: AtomicBool::new(false),
            long_poll_running: AtomicBool::new(false),
            started_during_the_long_poll: AtomicBool::new(false),
        });
        assert!(
            s.run_until_finished(long_poll, (behind.clone(),)),
            "{threads} threads: the queued task did not start during the long poll"
        );
        s.run();
        assert!(behind.started_during_the_long_poll.load(Ordering::SeqCst));
    }
}
