//! The sockets' reactor: one `mio::Poll` for the process, every socket registered once in
//! edge-triggered mode (never re-armed: an operation that finds a socket not ready waits
//! for the next edge), and who drives it.
//!
//! Readiness is a counter per direction (read, write) that the reactor bumps at each edge.
//! An operation reads the counter, tries the system call, and if that would block, stores
//! its waker only if the counter has not moved since: an edge between the attempt and the
//! store makes it try again, so none is lost.
//!
//! # Who drives it
//!
//! The run loops do, on their own threads, so that an edge wakes a task of the loop that
//! sees it with no hop to another thread (tokio's design):
//!
//! - A loop with nothing to run parks *in* the reactor ([`park`]), with its next timer as
//!   the timeout, if no other thread holds it; it is woken by the reactor's `mio::Waker`.
//!   Only one thread at a time holds the reactor (the `turn` lock); a loop that finds it
//!   held parks on its own parker and puts itself in `waiting`. The holder lets the reactor
//!   go when it has tasks to run, and takes it again when it parks; the edges that come
//!   meanwhile wait in the kernel for the next loop that parks or looks ([`poll_now`]).
//!   Waking a waiter at every letting-go would cost a thread wake-up per edge (tokio does
//!   not either); but a holder whose task then blocks its thread must not keep the waiters'
//!   edges from them: the reactor's own thread looks every [`RESCUE_TICK`] while loops
//!   wait and nobody holds the reactor, and wakes one when it was free and untouched for a
//!   whole tick. While a loop is parked in the reactor, that thread sleeps: the holder
//!   wakes it as it lets go, so a parked scheduler wakes no thread at all.
//! - A loop that runs looks at the reactor without waiting every so many jobs
//!   ([`poll_now`]), if nobody holds it.
//! - A thread that runs no loop (a plain thread, a `block_on` of another library) and waits
//!   on a socket is *foreign*: the waiter counts in `foreign`, and while one does, the
//!   reactor's own thread ("scheduler-net") drives it too, taking turns with the loops.
//!   With no foreign waiter, that thread sleeps and costs nothing.

use core::cell::Cell;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::io;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use event_listener::{Event, Listener};
use mio::{Events, Token};
use slab::Slab;

use crate::lock::lock;

/// The token of the reactor's `mio::Waker`: no socket's.
const NOTIFY: Token = Token(usize::MAX);

/// How many events one turn of the reactor takes.
const EVENTS: usize = 1024;

/// How often the reactor's own thread looks for a reactor nobody drives while loops wait.
const RESCUE_TICK: Duration = Duration::from_millis(20);

std::thread_local! {
    /// Set while this thread runs a loop that drives the reactor when it parks.
    static DRIVES: Cell<bool> = const { Cell::new(false) };
}

/// The two directions a socket waits in.
#[derive(Clone, Copy)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

/// What a socket's waiters share with the reactor.
#[derive(Default)]
struct Readiness {
    /// Edges seen, per direction.
    ticks: [u64; 2],
    /// The task waiting in each direction.
    wakers: [Option<Waker>; 2],
    /// Whether that waker was stored by a thread that runs no loop (counted in
    /// `Driver::foreign`).
    foreign: [bool; 2],
    /// The counter at which an operation found the socket's buffer drained (a short read
    /// or write of a stream): until the next edge, none can succeed.
    drained: [Option<u64>; 2],
    /// Set for good once the peer closed that direction (or the socket failed): no edge
    /// comes after that one, so an operation always tries (and finds the end or the error).
    closed: [bool; 2],
}

impl Readiness {
    /// Takes the waker waiting in direction `d`, counting it off `foreign` if it was.
    fn take(&mut self, d: usize, driver: &Driver) -> Option<Waker> {
        if core::mem::take(&mut self.foreign[d]) {
            driver.foreign.fetch_sub(1, Ordering::SeqCst);
        }
        self.wakers[d].take()
    }
}

/// One registered socket's readiness.
pub(crate) struct Source {
    readiness: Mutex<Readiness>,
}

impl Source {
    fn lock(&self) -> MutexGuard<'_, Readiness> {
        // Nothing panics while holding it (wakers are woken after it is released).
        lock(&self.readiness)
    }

    /// Runs `op` (a non-blocking system call) until it does not return `WouldBlock`; when
    /// it does, waits for the next edge in `direction` with `cx`'s waker.
    #[inline]
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_until_drained(direction, cx, op, |_| false)
    }

    /// [`poll_io`](Self::poll_io) for a stream, where `drained(&result)` says that the
    /// operation emptied the socket's buffer (a read or write shorter than asked): the next
    /// operation in `direction` then waits for the next edge without trying the system call
    /// first, which could only say `WouldBlock` (tokio does the same). An edge between this
    /// attempt and that one moves the counter, so that one tries.
    pub(crate) fn poll_io_until_drained<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        let d = direction as usize;
        loop {
            let (tick, known_empty) = {
                let readiness = self.lock();
                let tick = readiness.ticks[d];
                let drained = readiness.drained[d] == Some(tick) && !readiness.closed[d];
                (tick, drained)
            };
            let result = if known_empty {
                Err(io::ErrorKind::WouldBlock.into())
            } else {
                op()
            };
            match result {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut readiness = self.lock();
                    if readiness.ticks[d] != tick {
                        continue; // an edge came since the attempt: try again
                    }
                    match &mut readiness.wakers[d] {
                        Some(waker) if waker.will_wake(cx.waker()) => {}
                        slot => *slot = Some(cx.waker().clone()),
                    }
                    let foreign = !DRIVES.with(Cell::get);
                    if readiness.foreign[d] != foreign {
                        readiness.foreign[d] = foreign;
                        drop(readiness);
                        if let Some(driver) = DRIVER.get() {
                            driver.foreign_changed(foreign);
                        }
                    }
                    return Poll::Pending;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Ok(value) => {
                    if drained(&value) {
                        self.lock().drained[d] = Some(tick);
                    }
                    return Poll::Ready(Ok(value));
                }
                result => return Poll::Ready(result),
            }
        }
    }
}

/// What the thread driving the reactor holds.
struct Turn {
    poll: mio::Poll,
    events: Events,
    /// Wakers taken during a turn, woken once the locks are released.
    woken: Vec<Waker>,
}

/// The process's reactor for `scheduler::net`.
pub(crate) struct Driver {
    /// Whoever holds this lock drives the reactor.
    turn: Mutex<Turn>,
    /// Registers and deregisters sockets, from any thread, also while one waits.
    registry: mio::Registry,
    /// Wakes the thread waiting in the reactor.
    notify: mio::Waker,
    /// The registered sockets, by token.
    sources: Mutex<Slab<std::sync::Arc<Source>>>,
    /// Loops parked on their own parker while another thread held the reactor: the holder
    /// wakes one when it lets go. `waiting_count` is its length, read without the lock.
    waiting: Mutex<VecDeque<(u64, Waker)>>,
    waiting_count: AtomicUsize,
    /// Numbers the entries of `waiting`.
    next_waiter: AtomicUsize,
    /// Bumped each time a loop takes the reactor (for the rescue, see the module's docs).
    taken: AtomicUsize,
    /// Set while a thread holds the reactor (read without the lock, by the rescue).
    held: AtomicBool,
    /// Set while the reactor's thread waits for the reactor's holder to let it go: the
    /// holder then wakes it, to start its rescue ticks.
    watching: AtomicBool,
    /// Set while the reactor's thread sleeps with no timeout: a first waiter wakes it.
    sleeping: AtomicBool,
    /// Wakers stored by threads that run no loop (see the module's docs).
    foreign: AtomicUsize,
    /// Wakes the reactor's own thread when a foreign waiter comes.
    foreign_came: Event,
}

static DRIVER: OnceLock<Driver> = OnceLock::new();

/// The reactor, made (with its thread) by the first socket.
pub(crate) fn driver() -> io::Result<&'static Driver> {
    if let Some(driver) = DRIVER.get() {
        return Ok(driver);
    }
    let poll = mio::Poll::new()?;
    let registry = poll.registry().try_clone()?;
    let notify = mio::Waker::new(poll.registry(), NOTIFY)?;
    let mut made = false;
    let driver = DRIVER.get_or_init(|| {
        made = true;
        Driver {
            turn: Mutex::new(Turn {
                poll,
                events: Events::with_capacity(EVENTS),
                woken: Vec::new(),
            }),
            registry,
            notify,
            sources: Mutex::new(Slab::new()),
            waiting: Mutex::new(VecDeque::new()),
            waiting_count: AtomicUsize::new(0),
            next_waiter: AtomicUsize::new(0),
            taken: AtomicUsize::new(0),
            held: AtomicBool::new(false),
            watching: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            foreign: AtomicUsize::new(0),
            foreign_came: Event::new(),
        }
    });
    if made {
        std::thread::Builder::new()
            .name("scheduler-net".to_string())
            .spawn(move || drive_for_foreign_waiters(driver))?;
    }
    Ok(driver)
}

impl Driver {
    /// Registers a source for both directions, edge-triggered; gives its token.
    pub(crate) fn register(
        &self,
        fd: std::os::fd::RawFd,
    ) -> io::Result<(usize, std::sync::Arc<Source>)> {
        let source = std::sync::Arc::new(Source {
            readiness: Mutex::new(Readiness::default()),
        });
        let key = lock(&self.sources).insert(source.clone());
        let registered = self.registry.register(
            &mut mio::unix::SourceFd(&fd),
            Token(key),
            mio::Interest::READABLE | mio::Interest::WRITABLE,
        );
        if let Err(error) = registered {
            lock(&self.sources).remove(key);
            return Err(error);
        }
        Ok((key, source))
    }

    /// Deregisters a source (its socket still open) and drops its wakers.
    pub(crate) fn deregister(&self, key: usize, fd: std::os::fd::RawFd) {
        let _ = self.registry.deregister(&mut mio::unix::SourceFd(&fd));
        let wakers = {
            let mut sources = lock(&self.sources);
            let source = sources.try_remove(key);
            source.map(|source| {
                let mut readiness = source.lock();
                [readiness.take(0, self), readiness.take(1, self)]
            })
        };
        drop(wakers); // outside the locks
    }

    /// A waker slot became foreign (`true`) or a loop's (`false`).
    fn foreign_changed(&self, foreign: bool) {
        if foreign {
            if self.foreign.fetch_add(1, Ordering::SeqCst) == 0 {
                self.foreign_came.notify(1);
            }
        } else {
            self.foreign.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Takes the reactor if no thread holds it.
    fn try_turn(&self) -> Option<MutexGuard<'_, Turn>> {
        let turn = match self.turn.try_lock() {
            Ok(turn) => turn,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        self.taken.fetch_add(1, Ordering::Relaxed);
        self.held.store(true, Ordering::SeqCst);
        Some(turn)
    }

    /// Lets the reactor go; `hand_over`: and wakes a parked loop to take it over (a thread
    /// that will not come back for it soon).
    fn let_go(&self, turn: MutexGuard<'_, Turn>, hand_over: bool) {
        // Cleared before the lock is: a next holder's store comes after it.
        self.held.store(false, Ordering::SeqCst);
        drop(turn);
        // Pairs with the `held` load of the reactor's thread (see `drive_for_foreign_waiters`).
        if self.watching.load(Ordering::SeqCst) && self.watching.swap(false, Ordering::SeqCst) {
            self.foreign_came.notify(1);
        }
        if hand_over {
            // Pairs with the fence in `park`'s waiting path: either that loop sees the
            // reactor free when it looks again, or this sees it waiting.
            fence(Ordering::SeqCst);
            self.wake_a_waiter();
        }
    }

    /// Wakes one loop of `waiting`, if there is one, to take the reactor.
    fn wake_a_waiter(&self) {
        if self.waiting_count.load(Ordering::SeqCst) > 0 {
            let next = lock(&self.waiting).pop_front();
            if let Some((_, waker)) = next {
                self.waiting_count.fetch_sub(1, Ordering::SeqCst);
                waker.wake();
            }
        }
    }

    /// Waits up to `timeout` for edges, and wakes the tasks waiting on them (`during` runs
    /// around the waking part: see `park`).
    fn turn(&self, turn: &mut Turn, timeout: Option<Duration>, dispatching: impl Fn(bool)) {
        let Turn {
            poll,
            events,
            woken,
        } = turn;
        if let Err(error) = poll.poll(events, timeout)
            && error.kind() != io::ErrorKind::Interrupted
        {
            // Nothing in the reactor's use can make `epoll_wait` fail but a signal.
            crate::stderr::say(format_args!(
                "scheduler::net: the reactor failed: {error}\n"
            ));
        }
        dispatching(true);
        {
            let sources = lock(&self.sources);
            for event in events.iter() {
                if event.token() == NOTIFY {
                    continue;
                }
                let Some(source) = sources.get(event.token().0) else {
                    continue; // deregistered since
                };
                let error = event.is_error();
                let read_closed = event.is_read_closed() || error;
                let write_closed = event.is_write_closed() || error;
                let readable = event.is_readable() || read_closed;
                let writable = event.is_writable() || write_closed;
                let mut readiness = source.lock();
                readiness.closed[0] |= read_closed;
                readiness.closed[1] |= write_closed;
                for (ready, d) in [(readable, 0), (writable, 1)] {
                    if ready {
                        readiness.ticks[d] += 1;
                        woken.extend(readiness.take(d, self));
                    }
                }
            }
        }
        woken.drain(..).for_each(Waker::wake);
        dispatching(false);
    }
}

/// How a run loop's parker is woken, as [`park`] needs to know it.
pub(crate) struct Wakeup<'a> {
    /// Set by the loop's waker.
    pub(crate) woken: &'a AtomicBool,
    /// Set while the loop waits in the reactor: its waker then notifies the reactor.
    pub(crate) in_reactor: &'a AtomicBool,
    /// The loop's waker (to be woken when the reactor is free).
    pub(crate) waker: &'a Waker,
}

/// Wakes a loop that waits in the reactor: called by its waker after setting `woken`,
/// when `in_reactor` was set.
pub(crate) fn notify() {
    if let Some(driver) = DRIVER.get() {
        let _ = driver.notify.wake();
    }
}

/// Marks this thread as running a loop (that drives the reactor) until the guard drops.
pub(crate) fn enter_loop() -> impl Drop {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DRIVES.with(|d| d.set(self.0));
        }
    }
    Restore(DRIVES.with(|d| d.replace(true)))
}

/// Parks a run loop with nothing to run until `wakeup.woken` is set or `until` comes: in
/// the reactor if nobody else holds it (its edges wake tasks here, in place), else with
/// `park_here` (its own parker), as a waiter the holder wakes when it lets go. Parks with
/// `park_here` too when there is no reactor (no socket was ever made).
pub(crate) fn park(
    wakeup: Wakeup<'_>,
    until: Option<Instant>,
    park_here: impl Fn(Option<Instant>),
) {
    let Some(driver) = DRIVER.get() else {
        return park_here(until);
    };
    // The reactor's timeout is in whole milliseconds: under one left, park here, precisely.
    if until
        .is_some_and(|at| at.saturating_duration_since(Instant::now()) < Duration::from_millis(1))
    {
        return park_here(until);
    }
    let turn = match driver.try_turn() {
        Some(turn) => turn,
        None => {
            let id = driver.next_waiter.fetch_add(1, Ordering::Relaxed) as u64;
            lock(&driver.waiting).push_back((id, wakeup.waker.clone()));
            let first = driver.waiting_count.fetch_add(1, Ordering::SeqCst) == 0;
            if first && driver.sleeping.load(Ordering::SeqCst) {
                driver.foreign_came.notify(1); // the reactor's thread starts its rescue ticks
            }
            // Pairs with the fence in `let_go`.
            fence(Ordering::SeqCst);
            match driver.try_turn() {
                Some(turn) => {
                    forget_waiter(driver, id);
                    turn
                }
                None => {
                    park_here(until);
                    forget_waiter(driver, id);
                    return;
                }
            }
        }
    };
    let mut turn = turn;
    wakeup.in_reactor.store(true, Ordering::SeqCst);
    loop {
        // Pairs with the waker's `woken` store and `in_reactor` load (all `SeqCst`).
        if wakeup.woken.load(Ordering::SeqCst) {
            break;
        }
        let timeout = match until {
            None => None,
            Some(at) => {
                let left = at.saturating_duration_since(Instant::now());
                // Whole milliseconds, rounded down (mio rounds up): the rest parks here.
                let whole = Duration::from_millis(left.as_millis() as u64);
                if whole.is_zero() {
                    break;
                }
                Some(whole)
            }
        };
        driver.turn(&mut turn, timeout, |dispatching| {
            // Tasks woken here, in place, need no notification of the reactor.
            wakeup.in_reactor.store(!dispatching, Ordering::SeqCst);
        });
    }
    wakeup.in_reactor.store(false, Ordering::SeqCst);
    driver.let_go(turn, false);
    if !wakeup.woken.load(Ordering::SeqCst) && until.is_some_and(|at| Instant::now() < at) {
        park_here(until); // under a millisecond left
    }
}

/// Takes waiter `id` out of `waiting`, unless the reactor's holder took it already.
fn forget_waiter(driver: &Driver, id: u64) {
    let mut waiting = lock(&driver.waiting);
    if let Some(at) = waiting.iter().position(|(i, _)| *i == id) {
        waiting.remove(at);
        driver.waiting_count.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Takes the edges that came, without waiting, if no other thread holds the reactor: what
/// a running loop does every so many jobs.
#[inline]
pub(crate) fn poll_now() {
    let Some(driver) = DRIVER.get() else { return };
    if let Some(mut turn) = driver.try_turn() {
        driver.turn(&mut turn, Some(Duration::ZERO), |_| {});
        driver.let_go(turn, false);
    }
}

/// A loop stops (its `block_on` returns): a loop waiting for the reactor takes it, in case
/// this one was the last to drive it.
pub(crate) fn loop_ends() {
    if let Some(driver) = DRIVER.get() {
        driver.wake_a_waiter();
    }
}

/// The reactor's own thread: drives it while a thread that runs no loop waits on a socket
/// (taking turns with the loops); while loops wait for a reactor nobody holds, looks every
/// [`RESCUE_TICK`] that some loop drives it; sleeps otherwise.
fn drive_for_foreign_waiters(driver: &'static Driver) {
    let mut taken = driver.taken.load(Ordering::Relaxed);
    loop {
        if driver.foreign.load(Ordering::SeqCst) > 0 {
            let mut turn = lock(&driver.turn); // a loop holding it wakes the waiters meanwhile
            driver.turn(&mut turn, None, |_| {});
            driver.let_go(turn, true);
            continue;
        }
        let came = driver.foreign_came.listen();
        if driver.waiting_count.load(Ordering::SeqCst) > 0 {
            // A loop parked in the reactor sees every edge: no tick is needed until it lets
            // the reactor go (which wakes this thread), so an idle scheduler costs nothing.
            driver.watching.store(true, Ordering::SeqCst);
            if driver.held.load(Ordering::SeqCst) {
                came.wait();
                continue;
            }
            driver.watching.store(false, Ordering::SeqCst);
            if came.wait_timeout(RESCUE_TICK).is_none() {
                let now = driver.taken.load(Ordering::Relaxed);
                let untouched = now == taken;
                taken = now;
                // Free and untouched for a tick while loops wait: its last holder is busy
                // (or blocked) in a poll.
                if untouched && let Ok(free) = driver.turn.try_lock() {
                    drop(free);
                    driver.wake_a_waiter();
                }
            }
            continue;
        }
        driver.sleeping.store(true, Ordering::SeqCst);
        // Pairs with the first waiter's `waiting_count` increment and `sleeping` load.
        if driver.foreign.load(Ordering::SeqCst) == 0
            && driver.waiting_count.load(Ordering::SeqCst) == 0
        {
            came.wait();
        }
        driver.sleeping.store(false, Ordering::SeqCst);
    }
}
