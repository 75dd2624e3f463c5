//! A port of Trio's happy eyeballs (RFC 8305, `trio.open_tcp_stream`'s core, as in Nathaniel
//! Smith's talk): connection attempts start one after another, each once the previous one
//! failed or after a head start of `max_wait`; the first to connect wins and cancels the
//! rest. Here the "connections" are timers (a delay, then success or failure) on a virtual
//! clock, so each run is exact and instant.
//!
//! ```python
//! async def open_tcp_socket(targets, max_wait):
//!     failed = [trio.Event() for _ in targets]
//!     winner = None
//!     async def attempt(i):
//!         if i > 0:
//!             with trio.move_on_after(max_wait):
//!                 await failed[i - 1].wait()
//!         if i + 1 < len(targets):
//!             nursery.start_soon(attempt, i + 1)
//!         try:
//!             sock = await connect(targets[i])
//!         except OSError:
//!             failed[i].set()
//!         else:
//!             nonlocal winner
//!             winner = sock
//!             nursery.cancel_scope.cancel()
//!     async with trio.open_nursery() as nursery:
//!         nursery.start_soon(attempt, 0)
//!     return winner
//! ```
//!
//! The shapes this needs: a scope handed to its tasks (`ScopeHandle`), a task that queues the
//! next attempt into the scope (itself, by name), a timeout around a wait, and `cancel()` on
//! the first success, after which the scope returns normally.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{Scheduler, ScopeHandle, task};
use scheduler_workspace::{DropCounter, DropToken};

/// Where to connect: how long the attempt takes, and whether it connects.
#[derive(Clone, Copy, Debug)]
struct Target {
    takes: Duration,
    connects: bool,
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn connects_after(millis: u64) -> Target {
    Target {
        takes: ms(millis),
        connects: true,
    }
}

fn fails_after(millis: u64) -> Target {
    Target {
        takes: ms(millis),
        connects: false,
    }
}

/// A connected "socket": which target, and a token that says whether it is still open.
struct Socket {
    target: usize,
    _open: DropToken,
}

/// What the attempts share.
struct Race {
    targets: Vec<Target>,
    max_wait: Duration,
    failed: Vec<Event>,
    winner: Mutex<Option<Socket>>,
    /// What happened, when on the scheduler's clock (since `start`).
    log: Mutex<Vec<(Duration, String)>>,
    start: std::time::Instant,
    sockets: DropCounter,
}

impl Race {
    fn note(&self, what: String) {
        let at = scheduler::now() - self.start;
        self.log.lock().unwrap().push((at, what));
    }

    fn win(&self, socket: Socket) {
        *self.winner.lock().unwrap() = Some(socket);
    }

    // Plain methods: a std lock is held only in here, never across a pause.
    fn winner(&self) -> Option<usize> {
        self.winner.lock().unwrap().as_ref().map(|s| s.target)
    }

    fn log(&self) -> Vec<(Duration, String)> {
        self.log.lock().unwrap().clone()
    }
}

#[task]
fn wait_for(event: &Event) {
    event.wait();
}

#[task]
fn connect(race: &Race, i: usize) -> Option<Socket> {
    let socket = Socket {
        target: i,
        _open: race.sockets.token(), // open while it connects: a cancelled attempt closes it
    };
    let target = race.targets[i];
    scheduler::sleep(target.takes);
    target.connects.then_some(socket)
}

#[task]
fn attempt(race: Arc<Race>, i: usize, nursery: ScopeHandle) {
    if i > 0 {
        // A head start for the attempt before: until it fails, or `max_wait` at most.
        let _ = scheduler::with_timeout(race.max_wait, wait_for, (&race.failed[i - 1],));
    }
    if i + 1 < race.targets.len() {
        nursery.queue_to_run(attempt, (race.clone(), i + 1, nursery.clone()));
    }
    race.note(format!("attempt {i} starts"));
    match connect(&race, i) {
        None => {
            race.note(format!("attempt {i} fails"));
            race.failed[i].set();
        }
        Some(socket) => {
            race.note(format!("attempt {i} connects"));
            race.win(socket);
            nursery.cancel(); // the first success cancels the rest
        }
    }
}

/// The port: which target won, the log, and how many sockets are open as it returns.
#[task]
fn open_tcp_socket(race: Arc<Race>) -> (Option<usize>, usize) {
    scheduler::scope(|nursery| {
        nursery.queue_to_run(attempt, (race.clone(), 0, nursery.handle()));
    });
    (race.winner(), race.sockets.alive())
}

fn race(targets: Vec<Target>, max_wait: Duration) -> Arc<Race> {
    Arc::new(Race {
        failed: targets.iter().map(|_| Event::new()).collect(),
        targets,
        max_wait,
        winner: Mutex::new(None),
        log: Mutex::new(Vec::new()),
        start: scheduler::now(),
        sockets: DropCounter::new(),
    })
}

/// Runs the port on a virtual clock (which starts with the scheduler: `race` must read it
/// inside a task).
fn run_virtual(
    targets: Vec<Target>,
    max_wait: Duration,
) -> (Option<usize>, usize, Vec<(Duration, String)>) {
    #[task]
    fn race_and_run(
        targets: Vec<Target>,
        max_wait: Duration,
    ) -> (Option<usize>, usize, Vec<(Duration, String)>) {
        let race = race(targets, max_wait);
        let (winner, open) = open_tcp_socket(race.clone());
        (winner, open, race.log())
    }
    Scheduler::builder()
        .virtual_time()
        .build()
        .run_until_finished(race_and_run, (targets, max_wait))
}

fn log(entries: &[(u64, &str)]) -> Vec<(Duration, String)> {
    entries
        .iter()
        .map(|(at, what)| (ms(*at), what.to_string()))
        .collect()
}

#[test]
fn a_slow_attempt_is_overtaken_by_the_next_one_after_its_head_start() {
    let (winner, open, happened) = run_virtual(
        vec![fails_after(100), connects_after(500), connects_after(50)],
        ms(250),
    );
    assert_eq!(winner, Some(2));
    assert_eq!(
        open, 1,
        "only the winner's socket is open: attempt 1's was closed"
    );
    assert_eq!(
        happened,
        log(&[
            (0, "attempt 0 starts"),
            (100, "attempt 0 fails"),
            (100, "attempt 1 starts"), // at once: the one before failed
            (350, "attempt 2 starts"), // after attempt 1's head start of 250 ms
            (400, "attempt 2 connects"),
        ])
    );
}

#[test]
fn the_first_attempt_wins_before_the_second_starts() {
    let (winner, open, happened) =
        run_virtual(vec![connects_after(10), connects_after(1)], ms(250));
    assert_eq!(winner, Some(0));
    assert_eq!(open, 1);
    assert_eq!(
        happened,
        log(&[(0, "attempt 0 starts"), (10, "attempt 0 connects")])
    );
}

#[test]
fn when_every_attempt_fails_there_is_no_socket() {
    let (winner, open, happened) = run_virtual(
        vec![fails_after(10), fails_after(20), fails_after(5)],
        ms(250),
    );
    assert_eq!(winner, None);
    assert_eq!(open, 0);
    assert_eq!(
        happened,
        log(&[
            (0, "attempt 0 starts"),
            (10, "attempt 0 fails"),
            (10, "attempt 1 starts"),
            (30, "attempt 1 fails"),
            (30, "attempt 2 starts"),
            (35, "attempt 2 fails"),
        ])
    );
}

/// On a pool, on the real clock: attempts start only on failures (a head start of an
/// hour), so who wins does not depend on timing.
#[test]
fn on_two_threads_the_attempt_after_the_failures_wins() {
    #[task]
    fn race_and_run(targets: Vec<Target>) -> (Option<usize>, usize) {
        open_tcp_socket(race(targets, Duration::from_secs(3600)))
    }
    let targets = vec![
        fails_after(1),
        fails_after(1),
        connects_after(1),
        connects_after(1),
    ];
    let (winner, open) = Scheduler::builder()
        .threads(2)
        .build()
        .run_until_finished(race_and_run, (targets,));
    assert_eq!(winner, Some(2));
    assert_eq!(open, 1, "attempt 3 was cancelled and its socket closed");
}
