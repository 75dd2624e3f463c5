//! A model test of the pool's parking protocol (`scheduler/src/pool/worker.rs`: `Worker::run`,
//! `Worker::push_ready`, `Worker::run_job`, `Worker::stop_searching`, `Worker::steal`, and
//! `PoolShared::wake_one_idle`), checked over every interleaving of the workers, a thread that
//! queues jobs from outside, and the reactor that wakes tasks on a parked worker. Two
//! properties:
//!
//! - No lost wake-up: no job is ever left queued while every worker sleeps, and the count of
//!   searching workers always returns to zero (a leaked count would stop every later
//!   wake-up: the bug this test was first written after).
//! - Parallel means parallel: no job waits behind another job's poll while a worker is idle.
//!   The *meeting* scenarios check it: there every job, and the poll that queues jobs from
//!   a running task, spins until every job has started (as the tasks of `tests/parallel.rs`
//!   do), so a job left queued while a worker sleeps is a state where no thread can move.
//!
//! Each step below is one access to shared state in the real code, or one critical section
//! of the idle list's lock; the model explores them in every order (sequentially consistent:
//! the real code orders the pairs that matter with SeqCst fences and read-modify-writes).
//! Every worker's queues are one count here: a worker looking for work looks at all of them
//! (its own, the injector, and the other workers' `local` queues, which it steals from). A
//! job a worker holds *in hand* is in no queue: taken in a batch from the injector or from
//! another worker's `local` queue, it is invisible to the others until it is pushed to the
//! worker's own `local` queue, which then must be announced (`Worker::unannounced`). loom
//! could not check this protocol: its model let two read-modify-writes on one counter miss
//! each other's synchronization. Keep this model in step with `pool.rs` and `pool/worker.rs`.

use std::collections::HashSet;

/// Where a worker is in `Worker::run`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Worker {
    /// The top of the loop: look for work.
    Top,
    /// Took a job, and more in hand (a batch); pushes them to its `local` queue next.
    Batch,
    /// Found work while searching: `stop_searching(true)`.
    StopSearchingFound,
    /// Found no work while searching: `stop_searching(false)`, then park.
    StopSearchingPark,
    /// The last searcher found work: wake one more (`wake_one_idle`, at step `Wake`).
    Waking(Wake),
    /// `run_job` starts: announces its `local` tasks if it has unannounced ones.
    Announce,
    /// `run_job` announcing (`wake_one_idle`, at step `Wake`).
    Announcing(Wake),
    /// Runs a job's poll.
    Running,
    /// Runs a poll that queues this many more jobs (`push_ready`: push, then
    /// `wake_one_idle`) before it goes on like any other.
    Queuing(u8),
    /// A `Queuing` poll waking a worker for the job it just pushed.
    QueuingWake(u8, Wake),
    /// Registers its listener (`listener!`): later notifications are kept.
    Listen,
    /// Puts itself in the idle list (under the lock).
    AddIdle,
    /// Looks for work once more (after the fence).
    Recheck,
    /// The re-check took a job and more in hand; pushes them to its `local` queue next.
    RecheckBatch,
    /// Sleeps until notified (parked; its reactor may wake tasks here).
    Wait,
    /// Leaves the idle list and takes `woken_to_search` (under the lock); `found` says
    /// whether the re-check found work.
    Unidle { found: bool },
}

/// Where a call of `wake_one_idle` is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Wake {
    /// Reads `searching` and `idle_count` (after the fence).
    Check,
    /// Pops an idle worker, counts it searching, sets its flag (under the lock).
    Pop,
    /// Notifies the popped worker.
    Notify(usize),
}

/// Where the thread that queues jobs from outside (on the injector) is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Pusher {
    /// Queues the next job (if any left).
    Push,
    /// Wakes a worker for it.
    Waking(Wake),
}

/// What is checked: who queues how many jobs, and whether jobs are meetings.
#[derive(Clone, Copy, Debug)]
struct Scenario {
    workers: usize,
    /// Jobs queued on the injector from outside.
    from_outside: u8,
    /// Jobs queued on worker 0's own `local` queue by the poll it starts in.
    from_a_running_poll: u8,
    /// Jobs the reactor wakes on a parked worker (`push_ready` while parked).
    from_the_reactor: u8,
    /// Every poll (the queuing one too) spins until every job has started.
    meeting: bool,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct State {
    /// Jobs in some queue, visible to every worker that looks.
    queued: u8,
    /// Jobs a worker holds in hand (a batch not pushed to its `local` queue yet).
    in_hand: Vec<u8>,
    /// Jobs not queued yet, by the outside thread and by the reactor.
    to_push: u8,
    reactor_to_push: u8,
    idle: Vec<usize>,
    searching: u8,
    woken_to_search: Vec<bool>,
    notified: Vec<bool>,
    worker_searching: Vec<bool>,
    /// `Worker::unannounced`.
    unannounced: Vec<bool>,
    workers: Vec<Worker>,
    pusher: Pusher,
}

impl State {
    fn start(scenario: Scenario) -> State {
        let n = scenario.workers;
        let mut workers = vec![Worker::Top; n];
        if scenario.from_a_running_poll > 0 {
            workers[0] = Worker::Queuing(scenario.from_a_running_poll);
        }
        State {
            queued: 0,
            in_hand: vec![0; n],
            to_push: scenario.from_outside,
            reactor_to_push: scenario.from_the_reactor,
            idle: Vec::new(),
            searching: 0,
            woken_to_search: vec![false; n],
            notified: vec![false; n],
            worker_searching: vec![false; n],
            unannounced: vec![false; n],
            workers,
            pusher: Pusher::Push,
        }
    }

    /// Whether every job has started: none is queued, in hand, or still to be queued.
    fn all_started(&self) -> bool {
        self.queued == 0
            && self.in_hand.iter().all(|&n| n == 0)
            && self.to_push == 0
            && self.reactor_to_push == 0
            && !self.workers.iter().any(|w| matches!(w, Worker::Queuing(_)))
    }
}

/// One step of `wake_one_idle` at `step`; `None` when the call is over.
fn wake(state: &mut State, step: Wake) -> Option<Wake> {
    match step {
        Wake::Check => (state.searching == 0 && !state.idle.is_empty()).then_some(Wake::Pop),
        Wake::Pop => {
            let index = state.idle.pop()?;
            state.searching += 1;
            state.woken_to_search[index] = true;
            Some(Wake::Notify(index))
        }
        Wake::Notify(index) => {
            state.notified[index] = true;
            None
        }
    }
}

/// The states worker `i` may step to (none when it cannot move: asleep and not notified,
/// or spinning in a meeting that is not complete).
fn step_worker(state: &State, i: usize, scenario: Scenario) -> Vec<State> {
    let mut next = state.clone();
    // What a worker does once it found a job: end its search, or announce and run.
    let found = |s: &State| {
        if s.worker_searching[i] {
            Worker::StopSearchingFound
        } else {
            Worker::Announce
        }
    };
    next.workers[i] = match state.workers[i] {
        Worker::Top => {
            if state.queued == 0 {
                if state.worker_searching[i] {
                    Worker::StopSearchingPark
                } else {
                    Worker::Listen
                }
            } else {
                next.queued -= 1;
                let mut successors = vec![];
                if state.queued >= 2 {
                    // Takes one more along in a batch (from the injector or a victim).
                    let mut batch = next.clone();
                    batch.queued -= 1;
                    batch.in_hand[i] += 1;
                    batch.workers[i] = Worker::Batch;
                    successors.push(batch);
                }
                next.workers[i] = found(&next);
                successors.push(next);
                return successors;
            }
        }
        Worker::Batch => {
            next.queued += next.in_hand[i];
            next.in_hand[i] = 0;
            next.unannounced[i] = true;
            found(&next)
        }
        Worker::StopSearchingFound => {
            next.worker_searching[i] = false;
            next.searching -= 1;
            if next.searching == 0 {
                Worker::Waking(Wake::Check)
            } else {
                Worker::Announce
            }
        }
        Worker::StopSearchingPark => {
            next.worker_searching[i] = false;
            next.searching -= 1;
            Worker::Listen
        }
        Worker::Waking(step) => match wake(&mut next, step) {
            Some(step) => Worker::Waking(step),
            None => Worker::Announce,
        },
        Worker::Announce => {
            if std::mem::take(&mut next.unannounced[i]) {
                Worker::Announcing(Wake::Check)
            } else {
                Worker::Running
            }
        }
        Worker::Announcing(step) => match wake(&mut next, step) {
            Some(step) => Worker::Announcing(step),
            None => Worker::Running,
        },
        Worker::Running => {
            if scenario.meeting && !state.all_started() {
                return vec![];
            }
            Worker::Top
        }
        Worker::Queuing(0) => Worker::Running,
        Worker::Queuing(left) => {
            next.queued += 1;
            Worker::QueuingWake(left - 1, Wake::Check)
        }
        Worker::QueuingWake(left, step) => match wake(&mut next, step) {
            Some(step) => Worker::QueuingWake(left, step),
            None => Worker::Queuing(left),
        },
        Worker::Listen => {
            next.notified[i] = false;
            Worker::AddIdle
        }
        Worker::AddIdle => {
            next.idle.push(i);
            Worker::Recheck
        }
        Worker::Recheck => {
            if state.queued == 0 {
                Worker::Wait
            } else {
                next.queued -= 1;
                let mut successors = vec![];
                if state.queued >= 2 {
                    let mut batch = next.clone();
                    batch.queued -= 1;
                    batch.in_hand[i] += 1;
                    batch.workers[i] = Worker::RecheckBatch;
                    successors.push(batch);
                }
                next.workers[i] = Worker::Unidle { found: true };
                successors.push(next);
                return successors;
            }
        }
        Worker::RecheckBatch => {
            next.queued += next.in_hand[i];
            next.in_hand[i] = 0;
            next.unannounced[i] = true;
            Worker::Unidle { found: true }
        }
        Worker::Wait => {
            if !state.notified[i] {
                return vec![];
            }
            Worker::Unidle { found: false }
        }
        Worker::Unidle { found } => {
            next.idle.retain(|&w| w != i);
            next.worker_searching[i] = core::mem::take(&mut next.woken_to_search[i]);
            match (found, next.worker_searching[i]) {
                (true, true) => Worker::StopSearchingFound,
                // Found work after it had stopped searching: more may have come since, and
                // a searcher that saw none may have parked on it. Wake one more.
                (true, false) => Worker::Waking(Wake::Check),
                (false, _) => Worker::Top,
            }
        }
    };
    vec![next]
}

/// The outside thread takes one step; `None` when it is done.
fn step_pusher(state: &State) -> Option<State> {
    let mut next = state.clone();
    next.pusher = match state.pusher {
        Pusher::Push => {
            if state.to_push == 0 {
                return None;
            }
            next.to_push -= 1;
            next.queued += 1;
            Pusher::Waking(Wake::Check)
        }
        Pusher::Waking(step) => match wake(&mut next, step) {
            Some(step) => Pusher::Waking(step),
            None => Pusher::Push,
        },
    };
    Some(next)
}

/// The reactor wakes a job on parked worker `i` (`push_ready` while parked: the job goes to
/// its `local` queue unannounced, and the worker is notified), if it is parked.
fn step_reactor(state: &State, i: usize) -> Option<State> {
    if state.reactor_to_push == 0 || state.workers[i] != Worker::Wait {
        return None;
    }
    let mut next = state.clone();
    next.reactor_to_push -= 1;
    next.queued += 1;
    next.unannounced[i] = true;
    next.notified[i] = true;
    Some(next)
}

/// Explores every interleaving of `scenario`; returns how many states it saw.
fn explore(scenario: Scenario) -> usize {
    let mut seen = HashSet::new();
    let mut stack = vec![State::start(scenario)];
    while let Some(state) = stack.pop() {
        if !seen.insert(state.clone()) {
            continue;
        }
        let mut successors: Vec<State> = (0..scenario.workers)
            .flat_map(|i| step_worker(&state, i, scenario))
            .collect();
        successors.extend(step_pusher(&state));
        successors.extend((0..scenario.workers).filter_map(|i| step_reactor(&state, i)));
        // A worker at the top of its loop with nothing queued always moves on to park, and
        // a meeting poll only stops moving while a job has not started, so a state where no
        // thread can move is one where every worker sleeps or waits for a job left queued.
        if successors.is_empty() {
            assert_eq!(
                state.queued, 0,
                "a job was left queued while a worker sleeps ({scenario:?}): {state:?}"
            );
            assert!(state.all_started(), "{scenario:?}: {state:?}");
            assert_eq!(
                state.searching, 0,
                "the searching count leaked ({scenario:?}): {state:?}"
            );
            let asleep = state.workers.iter().all(|w| *w == Worker::Wait);
            assert!(asleep, "a worker is stuck ({scenario:?}): {state:?}");
        }
        stack.extend(successors);
    }
    seen.len()
}

/// Checks `scenario` and that the model did not trivially end.
fn check(scenario: Scenario) {
    let states = explore(scenario);
    assert!(
        states > 100,
        "{scenario:?}: the model explored only {states} states"
    );
}

#[test]
fn no_job_is_left_queued_while_every_worker_sleeps() {
    for jobs in 1..=3 {
        check(Scenario {
            workers: 2,
            from_outside: jobs,
            from_a_running_poll: 0,
            from_the_reactor: 0,
            meeting: false,
        });
    }
}

#[test]
fn jobs_queued_from_outside_meet_on_every_worker() {
    for workers in 2..=3 {
        check(Scenario {
            workers,
            from_outside: workers as u8,
            from_a_running_poll: 0,
            from_the_reactor: 0,
            meeting: true,
        });
    }
}

#[test]
fn jobs_queued_by_a_running_poll_start_while_it_runs() {
    for workers in 2..=3 {
        check(Scenario {
            workers,
            from_outside: 0,
            from_a_running_poll: workers as u8 - 1,
            from_the_reactor: 0,
            meeting: true,
        });
    }
}

#[test]
fn jobs_the_reactor_wakes_on_a_parked_worker_meet_on_every_worker() {
    for workers in 2..=3 {
        check(Scenario {
            workers,
            from_outside: 0,
            from_a_running_poll: 0,
            from_the_reactor: workers as u8,
            meeting: true,
        });
    }
}

#[test]
fn every_source_at_once_with_plain_jobs_leaves_none_queued() {
    check(Scenario {
        workers: 2,
        from_outside: 2,
        from_a_running_poll: 2,
        from_the_reactor: 2,
        meeting: false,
    });
}

#[test]
fn a_running_poll_and_the_outside_thread_at_once_meet() {
    // Three polls that must all run at once: the queuing one, its job, and one job from
    // outside.
    check(Scenario {
        workers: 3,
        from_outside: 1,
        from_a_running_poll: 1,
        from_the_reactor: 0,
        meeting: true,
    });
}

#[test]
fn a_running_poll_and_the_reactor_at_once_meet() {
    check(Scenario {
        workers: 3,
        from_outside: 0,
        from_a_running_poll: 1,
        from_the_reactor: 1,
        meeting: true,
    });
}
