//! Random programs of tasks that queue, join, cancel, sleep, yield, and send to each other
//! over channels, run on real schedulers and checked against a sequential model: every
//! task's outcome is accounted for (its expected value, cancelled only when the program
//! cancels it, panicked only where the program panics), nothing runs after its cancel took
//! effect, every value sent arrives once, and every token a task holds is dropped exactly
//! once. A failing case prints the program, shrunk. Under a seed (and in virtual time, even
//! with sleeps) the same program replays the same run.
//!
//! The programs cannot deadlock: tasks send only to tasks with a higher index and receive
//! only from their own inbox, whose senders all belong to lower tasks (a cancelled or
//! finished task drops its senders, which closes the channel); only the driver joins.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::Union;
use scheduler::sync::{Receiver, Sender, channel};
use scheduler::{Scheduler, TaskError, TaskHandle, task};
use scheduler_workspace::{DropCounter, DropToken, Watchdog};

/// Room for every message a program can send, so a send never waits.
const CAPACITY: usize = 64;

/// One step of a task.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Mix `v` into the task's value; no pause.
    Add(u64),
    Yield,
    Sleep(u64),
    /// Send a message to task `to` (always a higher index).
    Send {
        to: usize,
    },
    /// Receive one message from the task's inbox, or find it closed.
    Recv,
    /// Queue a child task that yields and returns `v`, join it, and mix `v` in.
    Child(u64),
    Panic,
}

/// One step of the driver, the task that queued every other one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DriverOp {
    Yield,
    Sleep(u64),
    Cancel(usize),
    /// Join task `j` now (the driver joins the rest at the end).
    Join(usize),
}

#[derive(Clone)]
struct Program {
    tasks: Vec<Vec<Op>>,
    driver: Vec<DriverOp>,
    /// How the driver and the tasks queue tasks.
    queueing: Queueing,
}

/// The two ways a task queues another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Queueing {
    /// `scheduler::queue_to_run(f, args)`.
    FreeFunction,
    /// `scheduler::current().queue_to_run(f, args)`.
    Handle,
}

/// Queues `f(args)` the way `queueing` says.
fn queue<F, Args, Kind>(queueing: Queueing, f: F, args: Args) -> TaskHandle<F::Output>
where
    F: scheduler::Schedulable<Args, Kind> + Send + 'static,
    F::Future: Send + 'static,
    F::Output: Send + 'static,
    Args: Send + 'static,
{
    match queueing {
        Queueing::FreeFunction => scheduler::queue_to_run(f, args),
        Queueing::Handle => scheduler::current().queue_to_run(f, args),
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Add(v) => write!(f, "add {v}"),
            Op::Yield => write!(f, "yield"),
            Op::Sleep(ms) => write!(f, "sleep {ms}ms"),
            Op::Send { to } => write!(f, "send to {to}"),
            Op::Recv => write!(f, "recv"),
            Op::Child(v) => write!(f, "child {v}"),
            Op::Panic => write!(f, "panic"),
        }
    }
}

impl fmt::Debug for DriverOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverOp::Yield => write!(f, "yield"),
            DriverOp::Sleep(ms) => write!(f, "sleep {ms}ms"),
            DriverOp::Cancel(j) => write!(f, "cancel {j}"),
            DriverOp::Join(j) => write!(f, "join {j}"),
        }
    }
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        for (id, ops) in self.tasks.iter().enumerate() {
            writeln!(f, "  task {id}: {ops:?}")?;
        }
        writeln!(f, "  driver: {:?}", self.driver)?;
        write!(f, "  queueing: {:?}", self.queueing)
    }
}

impl Program {
    /// The task's value in the sequential model: what it returns when it runs to its end.
    fn expected_value(&self, id: usize) -> u64 {
        self.tasks[id].iter().fold(0, |value, op| match op {
            Op::Add(v) | Op::Child(v) => mix(value, *v),
            _ => value,
        })
    }

    /// The index of the task's `Panic`, if it has one.
    fn panic_step(&self, id: usize) -> Option<usize> {
        self.tasks[id].iter().position(|op| *op == Op::Panic)
    }

    /// How many steps the task takes when it is not cancelled.
    fn full_steps(&self, id: usize) -> usize {
        self.panic_step(id)
            .map_or(self.tasks[id].len(), |panic| panic + 1)
    }

    fn sleeps(&self) -> bool {
        self.driver
            .iter()
            .any(|op| matches!(op, DriverOp::Sleep(_)))
            || self
                .tasks
                .iter()
                .flatten()
                .any(|op| matches!(op, Op::Sleep(_)))
    }
}

fn mix(value: u64, v: u64) -> u64 {
    value.wrapping_mul(31).wrapping_add(v)
}

// ---------------------------------------------------------------------------------------
// What a run records
// ---------------------------------------------------------------------------------------

/// Everything the tasks of a run did, in one global order.
#[derive(Default, Debug)]
struct Log {
    /// Ticks once per event below.
    clock: u64,
    /// `(task, step, time)`: the task began step `step` at `time`.
    steps: Vec<(usize, usize, u64)>,
    /// `(task, time)`: the driver had cancelled the task by `time`.
    cancels: Vec<(usize, u64)>,
    /// Messages whose send was called, and those it reported sent.
    attempted: Vec<u64>,
    sent: Vec<u64>,
    /// `(task, message)`: received by task `task`.
    received: Vec<(usize, u64)>,
}

#[derive(Default)]
struct Shared(Mutex<Log>);

impl Shared {
    fn record(&self, event: impl FnOnce(&mut Log, u64)) {
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        log.clock += 1;
        let now = log.clock;
        event(&mut log, now);
    }

    fn step(&self, id: usize, step: usize) {
        self.record(|log, now| log.steps.push((id, step, now)));
    }

    fn take(&self) -> Log {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A message: its id says who sent it at which step, and to whom.
struct Message {
    id: u64,
    _token: DropToken,
}

fn message_id(from: usize, step: usize, to: usize) -> u64 {
    ((from as u64) << 32) | ((step as u64) << 16) | to as u64
}

fn message_target(id: u64) -> usize {
    (id & 0xffff) as usize
}

// ---------------------------------------------------------------------------------------
// The tasks
// ---------------------------------------------------------------------------------------

/// What every task of a run shares.
#[derive(Clone)]
struct RunContext {
    shared: Arc<Shared>,
    ledger: DropCounter,
    queueing: Queueing,
}

#[task]
fn child(v: u64, _token: DropToken) -> u64 {
    scheduler::yield_now();
    v
}

#[task]
fn worker(
    id: usize,
    ops: Vec<Op>,
    outbox: Vec<Option<Sender<Message>>>,
    inbox: Receiver<Message>,
    run: RunContext,
    _token: DropToken,
) -> u64 {
    let RunContext {
        shared,
        ledger,
        queueing,
    } = run;
    let mut value = 0;
    for (step, op) in ops.into_iter().enumerate() {
        shared.step(id, step);
        match op {
            Op::Add(v) => value = mix(value, v),
            Op::Yield => scheduler::yield_now(),
            Op::Sleep(ms) => scheduler::sleep(Duration::from_millis(ms)),
            Op::Send { to } => {
                let message_id = message_id(id, step, to);
                shared.record(|log, _| log.attempted.push(message_id));
                let token = ledger.labelled(format!("message {id}:{step} -> {to}"));
                let sender = outbox[to]
                    .as_ref()
                    .expect("tasks send only to higher tasks");
                let message = Message {
                    id: message_id,
                    _token: token,
                };
                if sender.send(message).is_ok() {
                    shared.record(|log, _| log.sent.push(message_id));
                }
            }
            Op::Recv => {
                if let Ok(message) = inbox.recv() {
                    shared.record(|log, _| log.received.push((id, message.id)));
                }
            }
            Op::Child(v) => {
                let token = ledger.labelled(format!("child of task {id} at step {step}"));
                let handle = queue(queueing, child, (v, token));
                value = mix(value, handle.join().expect("a child never fails"));
            }
            Op::Panic => panic!("task {id} panics as planned"),
        }
    }
    value
}

/// Queues every task of `program`; gives their handles and a receiver of each inbox (to
/// drain what is left at the end). Plain code: it runs inside the driver and never pauses.
fn queue_all(
    program: &Program,
    shared: &Arc<Shared>,
    ledger: &DropCounter,
) -> (Vec<Option<TaskHandle<u64>>>, Vec<Receiver<Message>>) {
    let n = program.tasks.len();
    let (senders, inboxes): (Vec<_>, Vec<_>) = (0..n).map(|_| channel(CAPACITY)).unzip();
    let handles = (0..n)
        .map(|id| {
            let outbox = (0..n)
                .map(|to| (to > id).then(|| senders[to].clone()))
                .collect();
            let run = RunContext {
                shared: shared.clone(),
                ledger: ledger.clone(),
                queueing: program.queueing,
            };
            let args = (
                id,
                program.tasks[id].clone(),
                outbox,
                inboxes[id].clone(),
                run,
                ledger.labelled(format!("task {id}")),
            );
            Some(queue(program.queueing, worker, args))
        })
        .collect();
    (handles, inboxes) // `senders` is dropped: only the tasks hold senders now
}

/// What the driver saw: each task's outcome, and the messages left in the inboxes.
type Outcomes = (Vec<Result<u64, TaskError>>, Vec<u64>);

#[task]
fn drive(program: Program, shared: Arc<Shared>, ledger: DropCounter) -> Outcomes {
    let (mut handles, inboxes) = queue_all(&program, &shared, &ledger);
    let mut outcomes: Vec<Option<Result<u64, TaskError>>> =
        (0..program.tasks.len()).map(|_| None).collect();
    for op in &program.driver {
        match *op {
            DriverOp::Yield => scheduler::yield_now(),
            DriverOp::Sleep(ms) => scheduler::sleep(Duration::from_millis(ms)),
            DriverOp::Cancel(j) => {
                if let Some(handle) = &handles[j] {
                    handle.cancel();
                    shared.record(|log, now| log.cancels.push((j, now)));
                }
            }
            DriverOp::Join(j) => {
                if let Some(handle) = handles[j].take() {
                    outcomes[j] = Some(handle.join());
                }
            }
        }
    }
    for (j, handle) in handles.into_iter().enumerate() {
        if let Some(handle) = handle {
            outcomes[j] = Some(handle.join());
        }
    }
    let mut left = Vec::new();
    for inbox in &inboxes {
        while let Ok(message) = inbox.try_recv() {
            left.push(message.id);
        }
    }
    let outcomes = outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every task joined"))
        .collect();
    (outcomes, left)
}

// ---------------------------------------------------------------------------------------
// Running and checking
// ---------------------------------------------------------------------------------------

/// Which scheduler a program runs on.
#[derive(Clone, Copy, Debug)]
enum Flavor {
    /// `Scheduler::new()`.
    Local,
    /// `Scheduler::builder().seed(n).build()`.
    Seeded(u64),
    /// `Scheduler::builder().seed(n).virtual_time().build()`.
    SeededVirtualTime(u64),
    /// `Scheduler::builder().threads(2).build()`.
    TwoThreads,
}

/// What a run left behind.
struct Run {
    outcomes: Vec<Result<u64, TaskError>>,
    left: Vec<u64>,
    log: Log,
    ledger: DropCounter,
}

fn run(program: &Program, flavor: Flavor) -> Run {
    let _watchdog = Watchdog::new(
        Duration::from_secs(60),
        format!("program on {flavor:?}: {program:?}"),
    );
    let shared = Arc::new(Shared::default());
    let ledger = DropCounter::new();
    let args = (program.clone(), shared.clone(), ledger.clone());
    let (outcomes, left) = match flavor {
        Flavor::Local => {
            let s = Scheduler::new();
            let outcomes = s.run_until_finished(drive, args);
            s.run(); // children of cancelled tasks finish on their own
            outcomes
        }
        Flavor::Seeded(seed) => {
            let s = Scheduler::builder().seed(seed).build();
            let outcomes = s.run_until_finished(drive, args);
            s.run();
            outcomes
        }
        Flavor::SeededVirtualTime(seed) => {
            let s = Scheduler::builder().seed(seed).virtual_time().build();
            let outcomes = s.run_until_finished(drive, args);
            s.run();
            outcomes
        }
        Flavor::TwoThreads => {
            let s = Scheduler::builder().threads(2).build();
            let outcomes = s.run_until_finished(drive, args);
            s.run();
            outcomes
        }
    };
    Run {
        outcomes,
        left,
        log: shared.take(),
        ledger,
    }
}

/// Checks a run of `program` against the model.
fn check(program: &Program, flavor: Flavor, run: &Run) -> Result<(), TestCaseError> {
    let log = &run.log;
    for (id, outcome) in run.outcomes.iter().enumerate() {
        let steps: Vec<usize> = log
            .steps
            .iter()
            .filter(|(task, ..)| *task == id)
            .map(|(_, step, _)| *step)
            .collect();
        prop_assert!(
            steps.iter().copied().eq(0..steps.len()),
            "task {id} took its steps out of order or twice: {steps:?}"
        );
        let cancelled_at = log
            .cancels
            .iter()
            .find(|(task, _)| *task == id)
            .map(|(_, time)| *time);
        match outcome {
            Ok(value) => {
                prop_assert!(
                    program.panic_step(id).is_none(),
                    "task {id} returned but was to panic"
                );
                prop_assert_eq!(*value, program.expected_value(id), "task {}'s value", id);
                prop_assert_eq!(steps.len(), program.full_steps(id), "task {}'s steps", id);
            }
            Err(TaskError::Panicked { message, .. }) => {
                prop_assert!(
                    program.panic_step(id).is_some(),
                    "task {id} panicked unplanned: {message}"
                );
                prop_assert_eq!(message, &format!("task {id} panics as planned"));
                prop_assert_eq!(steps.len(), program.full_steps(id), "task {}'s steps", id);
            }
            Err(TaskError::Cancelled { .. }) => {
                prop_assert!(
                    cancelled_at.is_some(),
                    "task {id} reports Cancelled but was never cancelled"
                );
            }
        }
        if let Some(cancelled_at) = cancelled_at {
            let after: Vec<usize> = log
                .steps
                .iter()
                .filter(|(task, _, time)| *task == id && *time > cancelled_at)
                .map(|(_, step, _)| *step)
                .collect();
            match flavor {
                // The driver cancels while the task is paused: it never resumes.
                Flavor::Local | Flavor::Seeded(_) | Flavor::SeededVirtualTime(_) => prop_assert!(
                    after.is_empty(),
                    "task {id} ran steps {after:?} after it was cancelled"
                ),
                // The task may be running on the other thread: it finishes the stretch it
                // is in, but stops at the next pause that really waits (a yield always does).
                Flavor::TwoThreads => {
                    let yields_before = |step: usize| {
                        program.tasks[id][..step]
                            .iter()
                            .filter(|op| **op == Op::Yield)
                            .count()
                    };
                    let stretches: std::collections::BTreeSet<usize> =
                        after.iter().map(|step| yields_before(*step)).collect();
                    prop_assert!(
                        stretches.len() <= 1,
                        "task {id} ran steps {after:?} after it was cancelled, past a yield"
                    );
                }
            }
        }
    }

    // Messages: each one reported sent arrived (received or left in its inbox) exactly
    // once, at the task it was sent to; nothing arrived that was not sent.
    let mut arrived: Vec<u64> = log.received.iter().map(|(_, id)| *id).collect();
    arrived.extend(&run.left);
    arrived.sort_unstable();
    let count = arrived.len();
    arrived.dedup();
    prop_assert_eq!(count, arrived.len(), "a message arrived twice");
    for sent in &log.sent {
        prop_assert!(
            arrived.binary_search(sent).is_ok(),
            "message {sent:#x} was sent but never arrived"
        );
    }
    for id in &arrived {
        prop_assert!(
            log.attempted.contains(id),
            "message {id:#x} arrived but was never sent"
        );
    }
    for (task, id) in &log.received {
        prop_assert_eq!(*task, message_target(*id), "message {:#x} went astray", id);
    }

    let wrong = run.ledger.not_dropped_once();
    prop_assert!(
        wrong.is_empty(),
        "not dropped exactly once (token, drops): {wrong:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Generating programs
// ---------------------------------------------------------------------------------------

fn op(id: usize, n: usize) -> BoxedStrategy<Op> {
    let mut choices = vec![
        (3, (0..100u64).prop_map(Op::Add).boxed()),
        (3, Just(Op::Yield).boxed()),
        (2, (0..=3u64).prop_map(Op::Sleep).boxed()),
        (2, Just(Op::Recv).boxed()),
        (1, (0..100u64).prop_map(Op::Child).boxed()),
        (1, Just(Op::Panic).boxed()),
    ];
    if id + 1 < n {
        choices.push((3, (id + 1..n).prop_map(|to| Op::Send { to }).boxed()));
    }
    Union::new_weighted(choices).boxed()
}

fn driver_op(n: usize) -> impl Strategy<Value = DriverOp> {
    prop_oneof![
        2 => Just(DriverOp::Yield),
        1 => (0..=3u64).prop_map(DriverOp::Sleep),
        3 => (0..n).prop_map(DriverOp::Cancel),
        2 => (0..n).prop_map(DriverOp::Join),
    ]
}

fn program() -> impl Strategy<Value = Program> {
    (1..=5usize).prop_flat_map(|n| {
        let tasks: Vec<_> = (0..n)
            .map(|id| prop::collection::vec(op(id, n), 0..=6))
            .collect();
        let queueing = prop_oneof![Just(Queueing::FreeFunction), Just(Queueing::Handle)];
        (tasks, prop::collection::vec(driver_op(n), 0..=6), queueing).prop_map(
            |(tasks, driver, queueing)| Program {
                tasks,
                driver,
                queueing,
            },
        )
    })
}

/// A program whose tasks queue tasks only the way `queueing` says.
fn queued_by(queueing: Queueing) -> impl Strategy<Value = Program> {
    program().prop_map(move |program| Program {
        queueing,
        ..program
    })
}

/// A program with no sleeps: its run depends on the scheduler's choices only.
fn program_without_sleeps() -> impl Strategy<Value = Program> {
    program().prop_map(|mut program| {
        for op in program.tasks.iter_mut().flatten() {
            if let Op::Sleep(_) = op {
                *op = Op::Yield;
            }
        }
        for op in &mut program.driver {
            if let DriverOp::Sleep(_) = op {
                *op = DriverOp::Yield;
            }
        }
        program
    })
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn random_programs_on_a_single_thread_match_the_model(program in program()) {
        let run = run(&program, Flavor::Local);
        check(&program, Flavor::Local, &run)?;
    }

    #[test]
    fn random_programs_under_random_seeds_match_the_model(program in program(), seed in any::<u64>()) {
        let flavor = Flavor::Seeded(seed);
        let run = run(&program, flavor);
        check(&program, flavor, &run)?;
    }
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn random_programs_on_two_threads_match_the_model(program in queued_by(Queueing::Handle)) {
        let run = run(&program, Flavor::TwoThreads);
        check(&program, Flavor::TwoThreads, &run)?;
    }

    #[test]
    fn random_programs_on_two_threads_queued_by_free_functions_match_the_model(
        program in queued_by(Queueing::FreeFunction),
    ) {
        let run = run(&program, Flavor::TwoThreads);
        check(&program, Flavor::TwoThreads, &run)?;
    }

    #[test]
    fn the_same_seed_replays_the_same_run(program in program_without_sleeps(), seed in any::<u64>()) {
        prop_assume!(!program.sleeps());
        let first = run(&program, Flavor::Seeded(seed));
        let second = run(&program, Flavor::Seeded(seed));
        prop_assert_eq!(&first.log.steps, &second.log.steps, "seed {}: the steps differ", seed);
        prop_assert_eq!(&first.log.received, &second.log.received, "seed {}: the messages differ", seed);
        prop_assert_eq!(&first.outcomes, &second.outcomes, "seed {}", seed);
    }

    #[test]
    fn random_programs_in_virtual_time_match_the_model(program in program(), seed in any::<u64>()) {
        let flavor = Flavor::SeededVirtualTime(seed);
        let run = run(&program, flavor);
        check(&program, flavor, &run)?;
    }

    #[test]
    fn the_same_seed_in_virtual_time_replays_a_run_with_sleeps(program in program(), seed in any::<u64>()) {
        let first = run(&program, Flavor::SeededVirtualTime(seed));
        let second = run(&program, Flavor::SeededVirtualTime(seed));
        prop_assert_eq!(&first.log.steps, &second.log.steps, "seed {}: the steps differ", seed);
        prop_assert_eq!(&first.log.received, &second.log.received, "seed {}: the messages differ", seed);
        prop_assert_eq!(&first.outcomes, &second.outcomes, "seed {}", seed);
    }
}

#[test]
fn the_model_counts_the_steps_up_to_a_panic() {
    let program = Program {
        tasks: vec![vec![Op::Add(1), Op::Panic, Op::Add(2)]],
        driver: vec![],
        queueing: Queueing::FreeFunction,
    };
    assert_eq!(program.full_steps(0), 2);
    assert_eq!(program.expected_value(0), mix(mix(0, 1), 2));
    let run = run(&program, Flavor::Local);
    assert!(matches!(&run.outcomes[0], Err(TaskError::Panicked { .. })));
    check(&program, Flavor::Local, &run).unwrap();
}

#[task]
fn sleep_a_little() -> u32 {
    scheduler::sleep(Duration::from_millis(1));
    1
}

#[task]
fn queue_a_sleeper_and_join_it() -> u32 {
    scheduler::queue_to_run(sleep_a_little, ()).join().unwrap()
}

#[test]
fn a_task_queued_by_a_free_function_on_a_pool_wakes_from_a_sleep() {
    let _watchdog = Watchdog::new(
        Duration::from_secs(20),
        "a task queued by a free function on a pool, sleeping 1 ms",
    );
    let s = Scheduler::builder().threads(2).build();
    for _ in 0..100 {
        assert_eq!(s.run_until_finished(queue_a_sleeper_and_join_it, ()), 1);
    }
}
