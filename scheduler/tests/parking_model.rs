//! A model test of the pool's parking protocol (`scheduler/src/pool/worker.rs`: `Worker::run`,
//! `Worker::stop_searching`, `PoolShared::wake_one_idle`), checked over every interleaving of
//! two workers and a thread that queues jobs from outside: no job is ever left queued while
//! every worker sleeps (no lost wake-up), and the count of searching workers always returns
//! to zero (a leaked count would stop every later wake-up: the bug this test was written
//! after).
//!
//! Each step below is one access to shared state in the real code, or one critical section
//! of the idle list's lock; the model explores them in every order (sequentially consistent:
//! the real code orders the pairs that matter with SeqCst fences and read-modify-writes).
//! loom could not check this protocol: its model let two read-modify-writes on one counter
//! miss each other's synchronization. Keep this model in step with `pool.rs` and `pool/worker.rs`. The pusher
//! stands for every thread that queues work where a parked worker must find it: a thread
//! queuing on the injector, and a worker sharing half of its own tasks (`Worker::share`),
//! which pushes and wakes the same way. (A worker's own ready queue needs no model: a
//! worker never parks while it holds a task.)

use std::collections::HashSet;

const WORKERS: usize = 2;

/// Where a worker is in `Worker::run`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Worker {
    /// The top of the loop: look for work.
    Top,
    /// Found work while searching: `stop_searching(true)`.
    StopSearchingFound,
    /// Found no work while searching: `stop_searching(false)`, then park.
    StopSearchingPark,
    /// The last searcher found work: wake one more (`wake_one_idle`, at step `Wake`).
    Waking(Wake),
    /// Registers its listener (`listener!`): later notifications are kept.
    Listen,
    /// Puts itself in the idle list (under the lock).
    AddIdle,
    /// Looks for work once more (after the fence).
    Recheck,
    /// Sleeps until notified.
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

/// Where the thread that queues jobs is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Pusher {
    /// Queues the next job (if any left).
    Push,
    /// Wakes a worker for it.
    Waking(Wake),
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct State {
    queued: u8,
    taken: u8,
    to_push: u8,
    idle: Vec<usize>,
    searching: u8,
    woken_to_search: [bool; WORKERS],
    notified: [bool; WORKERS],
    worker_searching: [bool; WORKERS],
    workers: [Worker; WORKERS],
    pusher: Pusher,
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

/// Worker `i` takes one step; `None` when it cannot (asleep and not notified).
fn step_worker(state: &State, i: usize) -> Option<State> {
    let mut next = state.clone();
    let take = |s: &mut State| {
        if s.queued > 0 {
            s.queued -= 1;
            s.taken += 1;
            true
        } else {
            false
        }
    };
    next.workers[i] = match state.workers[i] {
        Worker::Top => {
            let found = take(&mut next);
            match (found, state.worker_searching[i]) {
                (true, true) => Worker::StopSearchingFound,
                (true, false) => Worker::Top,
                (false, true) => Worker::StopSearchingPark,
                (false, false) => Worker::Listen,
            }
        }
        Worker::StopSearchingFound => {
            next.worker_searching[i] = false;
            next.searching -= 1;
            if next.searching == 0 {
                Worker::Waking(Wake::Check)
            } else {
                Worker::Top
            }
        }
        Worker::StopSearchingPark => {
            next.worker_searching[i] = false;
            next.searching -= 1;
            Worker::Listen
        }
        Worker::Waking(step) => match wake(&mut next, step) {
            Some(step) => Worker::Waking(step),
            None => Worker::Top,
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
            if take(&mut next) {
                Worker::Unidle { found: true }
            } else {
                Worker::Wait
            }
        }
        Worker::Wait => {
            if !state.notified[i] {
                return None;
            }
            Worker::Unidle { found: false }
        }
        Worker::Unidle { found } => {
            next.idle.retain(|&w| w != i);
            next.worker_searching[i] = core::mem::take(&mut next.woken_to_search[i]);
            match (found, next.worker_searching[i]) {
                (true, true) => Worker::StopSearchingFound,
                _ => Worker::Top,
            }
        }
    };
    Some(next)
}

/// The pusher takes one step; `None` when it is done.
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

/// Explores every interleaving from `start`; returns how many states it saw.
fn explore(start: State) -> usize {
    let mut seen = HashSet::new();
    let mut stack = vec![start];
    while let Some(state) = stack.pop() {
        if !seen.insert(state.clone()) {
            continue;
        }
        let mut successors: Vec<State> = (0..WORKERS)
            .filter_map(|i| step_worker(&state, i))
            .collect();
        successors.extend(step_pusher(&state));
        // A worker at the top of its loop with nothing queued always moves on to park, so a
        // state where no thread can move is one where every worker sleeps.
        if successors.is_empty() {
            assert_eq!(
                state.queued, 0,
                "a job was left queued while every worker sleeps: {state:?}"
            );
            assert_eq!(state.searching, 0, "the searching count leaked: {state:?}");
        }
        stack.extend(successors);
    }
    seen.len()
}

#[test]
fn no_job_is_left_queued_while_every_worker_sleeps() {
    for jobs in 1..=3 {
        let start = State {
            queued: 0,
            taken: 0,
            to_push: jobs,
            idle: Vec::new(),
            searching: 0,
            woken_to_search: [false; WORKERS],
            notified: [false; WORKERS],
            worker_searching: [false; WORKERS],
            workers: [Worker::Top; WORKERS],
            pusher: Pusher::Push,
        };
        let states = explore(start);
        assert!(states > 100, "the model explored only {states} states");
    }
}
