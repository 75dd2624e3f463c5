//! Where every task is: a dump lists every unfinished task with its state (running, ready,
//! paused) and its pause stack, the chain of `#[task]` calls from its root to where it
//! waits, the outer call first, each with its `file:line`; on both flavours, from the
//! scheduler's thread, from a task of the same scheduler, and from other threads while it
//! runs.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{Dump, MultiThread, Scheduler, TaskState, task};
use scheduler_workspace::{Watchdog, in_child, run_child};

/// The line of `outer`'s call of `middle`, and of `middle`'s call of `wait_for`.
static OUTER_LINE: AtomicU32 = AtomicU32::new(0);
static MIDDLE_LINE: AtomicU32 = AtomicU32::new(0);
static WAIT_LINE: AtomicU32 = AtomicU32::new(0);

#[task]
fn wait_for(event: Arc<Event>) {
    WAIT_LINE.store(line!() + 1, Ordering::Relaxed);
    event.wait();
}

#[task]
fn middle(event: Arc<Event>) {
    MIDDLE_LINE.store(line!() + 1, Ordering::Relaxed);
    wait_for(event);
}

#[task]
fn outer(event: Arc<Event>) {
    OUTER_LINE.store(line!() + 1, Ordering::Relaxed);
    middle(event);
}

/// The task named `…::name` in `dump`.
fn task_named<'d>(dump: &'d Dump, name: &str) -> &'d scheduler::TaskDump {
    dump.tasks()
        .iter()
        .find(|t| t.name().to_string().ends_with(&format!("::{name}")))
        .unwrap_or_else(|| panic!("no task `{name}` in the dump:\n{dump}"))
}

/// Returns once a task of `pool` is paused as its dump tells it: past its registry's count
/// of paused tasks (which counts a task as its poll returns `Pending`), also out of the
/// worker's poll (until then the dump says `running`).
fn until_a_task_is_paused(pool: &Scheduler<MultiThread>) {
    let paused = |dump: Dump| {
        dump.tasks()
            .iter()
            .any(|task| task.state() == TaskState::Paused)
    };
    while !paused(pool.dump()) {
        std::thread::yield_now();
    }
}

/// Checks that `outer`'s stack in `dump` is `outer > middle > wait_for`, at their lines.
fn assert_nested_stack(dump: &Dump) {
    let task = task_named(dump, "outer");
    assert_eq!(task.state(), TaskState::Paused, "{dump}");
    let frames: Vec<(String, u32, &str)> = task
        .stack()
        .iter()
        .map(|f| {
            let function = f.function().rsplit("::").next().unwrap().to_string();
            (function, f.location().line(), f.location().file())
        })
        .collect();
    assert_eq!(
        frames,
        [
            (
                "outer".to_string(),
                OUTER_LINE.load(Ordering::Relaxed),
                file!()
            ),
            (
                "middle".to_string(),
                MIDDLE_LINE.load(Ordering::Relaxed),
                file!()
            ),
            (
                "wait_for".to_string(),
                WAIT_LINE.load(Ordering::Relaxed),
                file!()
            ),
        ],
        "{dump}"
    );
    let text = dump.to_string();
    let outer_at = text.find("::outer\n").expect("outer in the text");
    let inner_at = text.find("::wait_for\n").expect("wait_for in the text");
    assert!(outer_at < inner_at, "the outer call comes first:\n{text}");
    assert!(
        text.contains(&format!(
            "{}:{}:",
            file!(),
            WAIT_LINE.load(Ordering::Relaxed)
        )),
        "{text}"
    );
    assert!(text.contains("[paused: event wait, "), "{text}");
}

#[test]
fn a_single_threaded_dump_shows_the_chain_of_calls_outer_first_with_their_lines() {
    let s = Scheduler::new();
    let event = Arc::new(Event::new());
    let task = s.queue_to_run(outer, (event.clone(),));
    s.run_until_finished(|| scheduler::yield_now(), ()); // `outer` runs and pauses
    assert_nested_stack(&s.dump());
    event.set();
    s.run();
    assert!(task.is_finished());
    assert!(s.dump().tasks().is_empty(), "{}", s.dump());
}

#[task]
fn look_around(event: Arc<Event>) -> Dump {
    let waiting = scheduler::queue_to_run(outer, (event.clone(),));
    scheduler::yield_now(); // `outer` pauses
    let _queued = scheduler::queue_to_run(|| (), ()); // ready, not started
    let dump = scheduler::dump(); // from a task of the same scheduler: no deadlock
    event.set();
    waiting.join().unwrap();
    dump
}

#[test]
fn a_dump_from_a_task_names_it_running_and_a_queued_task_ready() {
    let s = Scheduler::new();
    let dump = s.run_until_finished(look_around, (Arc::new(Event::new()),));
    assert_nested_stack(&dump);
    assert_eq!(
        task_named(&dump, "look_around").state(),
        TaskState::Running,
        "{dump}"
    );
    let ready: Vec<_> = dump
        .tasks()
        .iter()
        .filter(|t| t.state() == TaskState::Ready)
        .collect();
    assert_eq!(ready.len(), 1, "{dump}");
    assert!(ready[0].stack().is_empty(), "{dump}");
    let text = dump.to_string();
    assert!(
        text.contains("[running]") && text.contains("[ready]"),
        "{text}"
    );
}

#[test]
fn a_dump_from_another_thread_is_answered_by_the_running_loop() {
    let s = Scheduler::new();
    let handle = s.handle();
    let event = Arc::new(Event::new());
    let set = event.clone();
    let looker = std::thread::spawn(move || {
        // The loop answers between two polls: `outer` has paused by then, or the loop
        // would not be idle enough to take the question.
        let dump = loop {
            let dump = handle.dump();
            if dump
                .tasks()
                .iter()
                .any(|t| t.name().to_string().ends_with("::outer") && t.stack().len() == 3)
            {
                break dump;
            }
        };
        set.set();
        dump
    });
    s.run_until_finished(outer, (event,));
    let dump = looker.join().unwrap();
    // The root of `run_until_finished` is `outer` itself: its stack is the same.
    assert_nested_stack(&dump);
}

#[test]
fn a_dump_of_a_scheduler_that_runs_no_loop_says_why_it_has_no_answer() {
    let s = Scheduler::new();
    let handle = s.handle();
    let queued = s.queue_to_run(|| (), ());
    let text = std::thread::spawn(move || handle.dump().to_string())
        .join()
        .unwrap();
    assert!(text.contains("did not answer within 1 s"), "{text}");
    s.run();
    assert!(queued.is_finished());
}

#[test]
fn a_pool_dump_from_outside_shows_the_chain_of_calls() {
    let s = Scheduler::builder().threads(2).build();
    let event = Arc::new(Event::new());
    let task = s.queue_to_run(outer, (event.clone(),));
    until_a_task_is_paused(&s); // `outer`, on a worker
    assert_nested_stack(&s.dump());
    assert!(
        s.dump()
            .to_string()
            .starts_with("scheduler (a pool of 2 threads): 1 unfinished task")
    );
    event.set();
    s.run();
    assert!(task.is_finished());
}

#[test]
fn a_pool_dump_from_a_handle_and_from_a_task_of_the_pool() {
    let s = Scheduler::builder().threads(2).build();
    let event = Arc::new(Event::new());
    let waiting = s.queue_to_run(outer, (event.clone(),));
    until_a_task_is_paused(&s);
    let handle = s.handle();
    let from_thread = std::thread::spawn(move || handle.dump()).join().unwrap();
    assert_nested_stack(&from_thread);
    let from_task = s.run_until_finished(scheduler::dump, ());
    assert_nested_stack(&from_task);
    event.set();
    s.run();
    assert!(waiting.is_finished());
}

#[test]
fn outside_any_scheduler_a_dump_covers_every_live_one() {
    // In a process of its own: the other tests' schedulers are live too.
    if !in_child() {
        let (ok, stderr) = run_child("outside_any_scheduler_a_dump_covers_every_live_one");
        assert!(ok, "{stderr}");
        return;
    }
    let local = Scheduler::new();
    let queued = local.queue_to_run(|| (), ());
    let s = Scheduler::builder().threads(1).build();
    let event = Arc::new(Event::new());
    let waiting = s.queue_to_run(outer, (event.clone(),));
    until_a_task_is_paused(&s);
    let every = scheduler::dump();
    assert_nested_stack(&every);
    let text = every.to_string();
    assert!(
        text.contains("scheduler (one thread): 0 unfinished tasks"),
        "{text}"
    );
    assert!(
        text.contains("scheduler (a pool of 1 thread): 1 unfinished task"),
        "{text}"
    );
    event.set();
    s.run();
    assert!(waiting.is_finished());
    local.run();
    assert!(queued.is_finished());
}

#[task]
fn outer_forever() {
    let event = Arc::new(Event::new());
    outer(event); // nobody will ever set it
}

#[test]
fn the_deadlock_report_prints_each_waiting_task_s_stack() {
    if in_child() {
        Scheduler::new().run_until_finished(outer_forever, ());
        return;
    }
    let (ok, stderr) = run_child("the_deadlock_report_prints_each_waiting_task_s_stack");
    assert!(!ok, "{stderr}");
    let outer_at = stderr.find("::outer at tests/dump.rs:").expect(&stderr);
    let middle_at = stderr.find("::middle at tests/dump.rs:").expect(&stderr);
    let wait_at = stderr.find("::wait_for at tests/dump.rs:").expect(&stderr);
    assert!(outer_at < middle_at && middle_at < wait_at, "{stderr}");
}

/// The child of the SIGQUIT test: a task stuck on an event, and the root waiting for its
/// stdin to close, which the parent does once it has read the dump.
#[task]
fn stuck_until_stdin_closes() {
    let event = Arc::new(Event::new());
    let stuck = scheduler::queue_to_run(outer, (event.clone(),));
    scheduler::yield_now(); // `outer` pauses
    println!("ready");
    scheduler::run_in_thread(
        || {
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
        },
        (),
    );
    event.set();
    stuck.join().unwrap();
    println!("went on");
}

#[cfg(unix)]
#[test]
fn sigquit_prints_every_scheduler_s_dump_and_the_program_goes_on() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    if in_child() {
        Scheduler::new().run_until_finished(stuck_until_stdin_closes, ());
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "sigquit_prints_every_scheduler_s_dump_and_the_program_goes_on",
            "--exact",
            "--nocapture",
        ])
        .env("SCHEDULER_CHILD", "1")
        .env("SCHEDULER_DUMP_ON_SIGNAL", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The line may begin with the child's harness's `test … ... ` (it prints the test's
    // name as the test starts when it runs one test at a time: on one CPU).
    while !line.trim_end().ends_with("ready") {
        line.clear();
        assert_ne!(
            stdout.read_line(&mut line).unwrap(),
            0,
            "the child ended early"
        );
    }
    let sent = Command::new("kill")
        .args(["-QUIT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Handshake: read stderr until the dump's innermost level has come.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("::wait_for at") && !seen.contains("::wait_for\n") {
        let mut line = String::new();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "no dump came:\n{seen}"
        );
        seen.push_str(&line);
    }
    assert!(seen.contains("SIGQUIT: where every task is"), "{seen}");
    assert!(seen.contains("::outer` [paused: event wait"), "{seen}");
    child.stdin.take().unwrap().write_all(b"").unwrap(); // then closed: EOF
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(
        rest.contains("went on"),
        "the program goes on after the dump: {rest}"
    );
    assert!(child.wait().unwrap().success());
}

#[task]
fn pause_then_panic() {
    scheduler::yield_now();
    panic!("boom");
}

#[task]
fn calls_the_panicker() {
    pause_then_panic();
}

#[task]
fn joins_the_panicker() -> bool {
    scheduler::queue_to_run(calls_the_panicker, ())
        .join()
        .is_err()
}

#[test]
fn the_panic_report_says_where_the_task_was_resumed_from() {
    if in_child() {
        assert!(Scheduler::new().run_until_finished(joins_the_panicker, ()));
        return;
    }
    let (ok, stderr) = run_child("the_panic_report_says_where_the_task_was_resumed_from");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("::calls_the_panicker` panicked at"),
        "{stderr}"
    );
    let report = &stderr[stderr
        .find("resumed from where it paused last:")
        .expect(&stderr)..];
    let outer_at = report
        .find("::calls_the_panicker at tests/dump.rs:")
        .expect(&stderr);
    let inner_at = report
        .find("::pause_then_panic at tests/dump.rs:")
        .expect(&stderr);
    assert!(outer_at < inner_at, "{stderr}");
}

#[task]
fn wake_and_look(event: Arc<Event>) -> Dump {
    let waiting = scheduler::queue_to_run(outer, (event.clone(),));
    scheduler::yield_now(); // `outer` pauses
    event.set(); // woken: queued behind this task, which keeps its thread
    let dump = scheduler::dump();
    waiting.join().unwrap();
    dump
}

#[test]
fn a_woken_task_is_ready_until_it_runs_on_both_flavours() {
    let s = Scheduler::new();
    let dump = s.run_until_finished(wake_and_look, (Arc::new(Event::new()),));
    assert_eq!(
        task_named(&dump, "outer").state(),
        TaskState::Ready,
        "{dump}"
    );
    assert_eq!(
        task_named(&dump, "wake_and_look").state(),
        TaskState::Running,
        "{dump}"
    );
    // A pool of one thread: the woken task waits for the worker this task holds.
    let pool = Scheduler::builder().threads(1).build();
    let dump = pool.run_until_finished(wake_and_look, (Arc::new(Event::new()),));
    assert_eq!(
        task_named(&dump, "outer").state(),
        TaskState::Ready,
        "{dump}"
    );
    assert_eq!(task_named(&dump, "outer").stack().len(), 3, "{dump}");
    assert_eq!(
        task_named(&dump, "wake_and_look").state(),
        TaskState::Running,
        "{dump}"
    );
}

#[task]
fn held_on_its_worker(started: mpsc::Sender<()>, release: Arc<Barrier>) {
    scheduler::yield_now(); // paused once: a dump lists it
    started.send(()).unwrap();
    release.wait(); // inside its poll, on its worker, until the test has looked
}

#[test]
fn a_pool_dump_from_outside_names_the_task_a_worker_polls_running() {
    let _watchdog = Watchdog::new(Duration::from_secs(60), "a task held on its worker");
    let s = Scheduler::builder().threads(2).build();
    let (started, running) = mpsc::channel();
    let release = Arc::new(Barrier::new(2));
    let task = s.queue_to_run(held_on_its_worker, (started, release.clone()));
    running.recv().unwrap();
    let dump = s.dump();
    release.wait();
    s.run();
    assert_eq!(
        task_named(&dump, "held_on_its_worker").state(),
        TaskState::Running,
        "{dump}"
    );
    assert!(task.is_finished());
}

/// The lines of `race`'s `select!` and of its two arms.
static SELECT_LINE: AtomicU32 = AtomicU32::new(0);

#[task]
fn race(first: Arc<Event>, second: Arc<Event>) {
    SELECT_LINE.store(line!() + 1, Ordering::Relaxed);
    scheduler::select! {
        _ = wait_for(first) => {},
        _ = second.wait() => {},
    }
}

/// `race`'s stack in `dump`: the `select!`, then a branch per arm, each arm's own line
/// first (the first arm's call of `wait_for`, then where `wait_for` waits).
fn assert_a_branch_per_arm(dump: &Dump) {
    let task = task_named(dump, "race");
    let select = SELECT_LINE.load(Ordering::Relaxed);
    let frames: Vec<(String, u32, Vec<usize>)> = task
        .stack()
        .iter()
        .map(|f| {
            let function = f.function().rsplit("::").next().unwrap().to_string();
            (function, f.location().line(), f.branch())
        })
        .collect();
    let race = || "race".to_string();
    assert_eq!(
        frames,
        [
            (race(), select, vec![]),
            (race(), select + 1, vec![0]),
            (
                "wait_for".to_string(),
                WAIT_LINE.load(Ordering::Relaxed),
                vec![0]
            ),
            (race(), select + 2, vec![1]),
        ],
        "{dump}"
    );
    let text = dump.to_string();
    assert!(
        text.contains("branch 1 of 2:") && text.contains("branch 2 of 2:"),
        "{text}"
    );
}

#[test]
fn a_select_shows_a_branch_for_each_arm_it_waits_on_on_both_flavours() {
    let s = Scheduler::new();
    let (first, second) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let racing = s.queue_to_run(race, (first.clone(), second.clone()));
    s.run_until_finished(|| scheduler::yield_now(), ()); // `race` runs and pauses
    assert_a_branch_per_arm(&s.dump());
    second.set();
    s.run();
    assert!(racing.is_finished());

    second.clear();
    let pool = Scheduler::builder().threads(2).build();
    let racing = pool.queue_to_run(race, (first.clone(), second));
    until_a_task_is_paused(&pool); // `race`, on a worker
    assert_a_branch_per_arm(&pool.dump());
    first.set();
    pool.run();
    assert!(racing.is_finished());
}

static AFTER_TIMEOUT_LINE: AtomicU32 = AtomicU32::new(0);

#[task]
fn time_out_then_wait(never: Arc<Event>, reached: Arc<Event>, last: Arc<Event>) {
    let timed_out = scheduler::with_timeout(Duration::from_millis(1), wait_for, (never,));
    assert!(timed_out.is_err());
    reached.set();
    AFTER_TIMEOUT_LINE.store(line!() + 1, Ordering::Relaxed);
    last.wait();
}

/// The two tasks below: each polls work that pauses and does not pause the task there,
/// sets `reached`, and pauses at `last`.
#[derive(Clone, Copy)]
enum NotPausedThere {
    Timeout,
    Race,
}

/// A dump taken while the task of `which` pauses at `last`, after the work it did not
/// pause in.
#[task]
fn look_after(which: NotPausedThere, never: Arc<Event>, last: Arc<Event>) -> Dump {
    let reached = Arc::new(Event::new());
    let args = (never, reached.clone(), last.clone());
    let task = match which {
        NotPausedThere::Timeout => scheduler::queue_to_run(time_out_then_wait, args),
        NotPausedThere::Race => scheduler::queue_to_run(race_then_wait, args),
    };
    reached.wait(); // the task set it and went on to pause at `last`
    let dump = scheduler::dump();
    last.set();
    task.join().unwrap();
    dump
}

/// Asserts that the stack of `which`'s task, `name`, has one level: its own pause at
/// `line`.
fn assert_paused_only_at_last(which: NotPausedThere, name: &str, line: &AtomicU32) {
    let s = Scheduler::new();
    let (never, last) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let dump = s.run_until_finished(look_after, (which, never, last));
    let frames: Vec<(String, u32)> = task_named(&dump, name)
        .stack()
        .iter()
        .map(|f| (f.function().to_string(), f.location().line()))
        .collect();
    assert_eq!(frames.len(), 1, "{dump}");
    assert!(frames[0].0.ends_with(&format!("::{name}")), "{dump}");
    assert_eq!(frames[0].1, line.load(Ordering::Relaxed), "{dump}");
}

#[test]
fn a_timeout_that_fired_leaves_nothing_of_its_work_on_the_stack() {
    assert_paused_only_at_last(
        NotPausedThere::Timeout,
        "time_out_then_wait",
        &AFTER_TIMEOUT_LINE,
    );
}

#[task]
fn accept_one(listener: Arc<scheduler::net::TcpListener>) -> scheduler::net::TcpStream {
    listener.accept().unwrap().0
}

#[task]
fn read_one(stream: scheduler::net::TcpStream) {
    let mut byte = [0; 1];
    let _ = stream.read(&mut byte);
}

#[test]
fn a_task_waiting_on_a_socket_says_which_wait_it_is() {
    let s = Scheduler::new();
    let listener =
        Arc::new(scheduler::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap());
    let address = listener.local_addr().unwrap();
    let accepting = s.queue_to_run(accept_one, (listener.clone(),));
    s.run_until_finished(|| scheduler::yield_now(), ()); // `accept_one` pauses
    let text = s.dump().to_string();
    assert!(text.contains("[paused: socket accept"), "{text}");
    // Connected: `accept_one` takes the connection and ends; its side sends nothing.
    let client = s
        .run_until_finished(|| scheduler::net::TcpStream::connect(address), ())
        .unwrap();
    s.run();
    let _server = futures_lite::future::block_on(accepting).unwrap();
    let reading = s.queue_to_run(read_one, (client,));
    s.run_until_finished(|| scheduler::yield_now(), ()); // `read_one` pauses
    let text = s.dump().to_string();
    assert!(text.contains("[paused: socket read"), "{text}");
    reading.cancel();
}

static AFTER_RACE_LINE: AtomicU32 = AtomicU32::new(0);

/// A race of a paused `#[task]` call and a ready future, in another library's combinator
/// (a plain fn: in a task body the call would be run, not raced).
fn race_with_ready(never: Arc<Event>) -> impl core::future::Future<Output = ()> {
    futures_lite::future::or(wait_for(never), futures_lite::future::ready(()))
}

#[task]
fn race_then_wait(never: Arc<Event>, reached: Arc<Event>, last: Arc<Event>) {
    // `or` polls `wait_for` first (it pauses, and pushes its level), then the ready
    // future, which wins: the task does not pause in `wait_for`.
    scheduler::wait(race_with_ready(never));
    reached.set();
    AFTER_RACE_LINE.store(line!() + 1, Ordering::Relaxed);
    last.wait();
}

#[test]
fn a_foreign_combinator_that_returned_leaves_nothing_of_what_it_polled_on_the_stack() {
    assert_paused_only_at_last(NotPausedThere::Race, "race_then_wait", &AFTER_RACE_LINE);
}

/// The line of `hold`'s wait.
static HOLD_LINE: AtomicU32 = AtomicU32::new(0);

#[task]
fn hold<T: Send + 'static>(value: T, event: Arc<Event>) -> T {
    HOLD_LINE.store(line!() + 1, Ordering::Relaxed);
    event.wait();
    value
}

#[test]
fn each_instance_of_a_generic_task_fn_shows_its_pause_point_in_a_dump() {
    // A generic fn's pause point is one site in the source; in a debug build each instance
    // may hold its own copy (`SiteRef` in `stack.rs`), in an optimized one they share one:
    // either way the dump shows the same fn and line for both.
    let s = Scheduler::new();
    let event = Arc::new(Event::new());
    let number = s.queue_to_run(hold, (7_u8, event.clone()));
    let text = s.queue_to_run(hold, (String::from("seven"), event.clone()));
    s.run_until_finished(|| scheduler::yield_now(), ()); // both run and pause
    let dump = s.dump();
    let places: Vec<(String, u32)> = dump
        .tasks()
        .iter()
        .map(|task| {
            assert_eq!(task.state(), TaskState::Paused, "{dump}");
            let frame = task.stack().last().expect("a paused task has a stack");
            let function = frame.function().rsplit("::").next().unwrap().to_string();
            (function, frame.location().line())
        })
        .collect();
    let line = HOLD_LINE.load(Ordering::Relaxed);
    assert_eq!(
        places,
        [("hold".into(), line), ("hold".into(), line)],
        "{dump}"
    );
    event.set();
    s.run();
    assert!(number.is_finished() && text.is_finished());
}
