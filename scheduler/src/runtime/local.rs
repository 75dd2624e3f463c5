//! The single-threaded run loop: the queue of ready tasks, the registry of started ones,
//! and the loop that runs them, parking (in the sockets' reactor or on a parker of its own,
//! `time/park.rs`) when nothing is ready.
//!
//! Wakers may fire on any thread (timers, I/O, other threads' `Handle`s), so the queue is a
//! `ConcurrentQueue`; everything else here is only touched by the thread that owns the
//! scheduler (`Local` is `!Send`), and takes no lock. The deadlock check, which runs when
//! the loop would park, is in `local/deadlock.rs`.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::marker::PhantomData;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::task::Wake;
use std::time::Duration;

use async_task::{Runnable, ScheduleInfo};
use concurrent_queue::ConcurrentQueue;
use event_listener::{Event, listener};
use slab::Slab;

use super::reactor::{self, block_on};
use super::registry::{self, Entry, Registered};
use crate::config::Config;
use crate::context::{self, SchedulerGuard, TaskGuard};
use crate::misuse;
use crate::names::TaskName;
use crate::reason::{self, Reason};
use crate::stats::{Ended, LocalCounters, Stats};
use crate::task::{self, Meta, Polled, Schedule, TaskHandle};
use crate::time::{VirtualClock, Wheel};
use crate::trace::{self, Outcome};

mod deadlock;
mod dump;
mod reasons;
mod wait_counts;

use deadlock::{DEADLOCK_GRACE, DEADLOCK_RECHECK, DEADLOCK_WARN, Deadlock, wakes_within};
use reasons::Reasons;
use wait_counts::WaitCounts;

/// How many jobs run before the loop lets the reactor look for due timers and I/O.
const REACTOR_BUDGET: u32 = 128;

/// The slots an empty ready queue keeps (see `Local::shed_ready_capacity`).
const KEPT_READY_CAPACITY: usize = 1024;

thread_local! {
    /// The single-threaded scheduler this thread runs, while it runs it: a plain pointer for
    /// the hot path (no `RefCell`, no lazily initialized thread-local, no destructor: it is
    /// there even at thread exit).
    static LOCAL: Cell<*const Local> = const { Cell::new(core::ptr::null()) };
}

/// Calls `f` with the single-threaded scheduler this thread is running, if it runs one.
#[inline]
pub(crate) fn with_local<R>(f: impl FnOnce(&Local) -> R) -> Option<R> {
    let local = LOCAL.with(Cell::get);
    if local.is_null() {
        return None;
    }
    // SAFETY: `LOCAL` is set by an `Entered` guard to a `Local` it borrows for as long as
    // it lives, and set back when it drops, on this thread only: while it is non-null, the
    // `Local` it points to is alive.
    Some(f(unsafe { &*local }))
}

/// Hides the single-threaded scheduler this thread runs (if it runs one) until the guard
/// drops: a pool closing inside one of its tasks cancels its own tasks there, and work they
/// queue as they drop is refused, not queued on the hidden scheduler.
pub(crate) fn hide() -> impl Drop {
    Entered {
        previous: LOCAL.with(|l| l.replace(core::ptr::null())),
        _context: None,
        _local: PhantomData,
    }
}

/// Makes a `Local` this thread's running scheduler until it drops.
struct Entered<'a> {
    previous: *const Local,
    /// The flavour-free part: settings, no task polled (dropped after `LOCAL` is restored).
    _context: Option<SchedulerGuard>,
    _local: PhantomData<&'a Local>,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        LOCAL.with(|l| l.set(self.previous));
    }
}

/// One entry of the run queue.
pub(crate) enum Job {
    /// A queued task, ready to be polled.
    Task(Runnable<Meta>),
    /// The future a blocking `run_until_finished` call drives in place was woken.
    Root,
}

/// The part of a scheduler that wakers and `Handle`s hold: safe to touch from any thread.
pub(crate) struct LocalShared {
    /// Work that became ready on other threads, in the order it did (work that becomes
    /// ready on the scheduler's own thread goes to `Local::ready`, with no atomics).
    queue: ConcurrentQueue<Job>,
    /// Set after each push on `queue`, cleared by the owner before it takes from it: the
    /// owner's hot path (twice per poll) reads this one flag, not the queue's two ends.
    pushed: AtomicBool,
    /// Notified when work is queued while the loop is parked.
    ready: Event,
    /// Set while the loop is parked (or about to park): only then does queueing notify.
    parked: AtomicBool,
    /// Set once the owning `Scheduler` is dropped: new work is refused.
    pub(crate) closed: AtomicBool,
    /// Live `Handle`s: while there is one, another thread may queue work or wake a task.
    pub(crate) handles: AtomicUsize,
    /// `Handle`s queuing a task right now (see `close`).
    pub(crate) queuing: AtomicUsize,
    /// The virtual clock, under `.virtual_time()`.
    pub(crate) clock: Option<Arc<VirtualClock>>,
    /// The thread that owns the scheduler, the only one that runs it.
    pub(crate) owner: std::thread::ThreadId,
}

impl LocalShared {
    /// Queues `job`: on the scheduler's own queue when this thread is running it, else on
    /// the shared queue; wakes the loop if it is parked.
    ///
    /// `woken_while_running` says that the job woke itself while it ran (a `yield_now`):
    /// under a seed, it then waits until the tasks that were ready have had their turn.
    #[inline]
    pub(crate) fn push(&self, job: Job, woken_while_running: bool) {
        let mut job = Some(job);
        with_local(|local| {
            if core::ptr::eq(&*local.shared, self) {
                local.push_own(job.take().expect("not queued yet"), woken_while_running);
            }
        });
        if let Some(job) = job {
            // An unbounded queue only refuses work once closed, and it is never closed.
            let _ = self.queue.push(job);
            self.pushed.store(true, Ordering::Release);
            // Pairs with the fence in `Local::next_job`: either the loop sees the job (and
            // the flag) when it checks again, or this sees that it parked.
            fence(Ordering::SeqCst);
            self.wake_if_parked();
        }
    }

    /// Wakes the run loop if it is parked.
    #[inline]
    fn wake_if_parked(&self) {
        if self.parked.load(Ordering::SeqCst) {
            self.ready.notify(1);
        }
    }

    /// Queues a task with its name and future, here and whenever it is woken.
    ///
    /// # Safety
    ///
    /// If `F` is not `Send`, this must be called on the thread that owns the scheduler
    /// behind `shared` (the only thread that runs or drops its queued tasks).
    pub(crate) unsafe fn spawn<F>(
        self: &Arc<Self>,
        name: TaskName,
        future: F,
    ) -> TaskHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // SAFETY: `future` is `'static`. If it is not `Send`, the caller is on the owning
        // thread (see above), and the `Runnable` only travels through this scheduler's
        // queues, which only the owning thread pops: `Local::run_until_finished` and
        // `Local::run` run it and `Local::cancel_all` runs it cancelled there, so it is used
        // and dropped on the thread that made it.
        unsafe { task::spawn::<Local, F>(name, self.clone(), 0, future) }
    }
}

/// Wakes the root future of a blocking call by queueing a [`Job::Root`].
struct RootWaker {
    shared: Arc<LocalShared>,
    /// Whether a `Job::Root` for this call is in the queue already.
    queued: AtomicBool,
}

impl Wake for RootWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.shared.push(Job::Root, false);
        }
    }
}

/// A single-threaded scheduler's state; owned by one thread: `!Send` (see `_not_send`), and
/// reached through `Rc`.
/// (`compile_fail` doctests on `__private::LocalState` check it).
pub(crate) struct Local {
    pub(crate) shared: Arc<LocalShared>,
    pub(crate) config: Config,
    /// Work that became ready on this thread, in order.
    ready: RefCell<VecDeque<Job>>,
    /// With a seed: draws which ready job runs next.
    rng: Option<RefCell<fastrand::Rng>>,
    /// With a seed: the jobs of the current round, drawn from at random.
    round: RefCell<Vec<Job>>,
    /// With a seed: jobs that woke themselves (yielded) during the current round.
    yielded: RefCell<Vec<Job>>,
    /// Set while the root of a blocking call is polled (its self-wakes are yields).
    root_polling: Cell<bool>,
    /// Tasks that have been polled at least once and have not finished.
    registry: RefCell<Slab<Entry>>,
    /// What each of them waits on, by registry key (for the deadlock report).
    reasons: Reasons,
    /// How many of them wait on what: kept as their reasons change, so that neither the
    /// deadlock check before each park nor the virtual clock before each jump walks it.
    waits: WaitCounts,
    /// Jobs run since the reactor was last given a turn.
    ticks: Cell<u32>,
    /// The root of the blocking call in progress, and what it waits for.
    root: Cell<Option<(TaskName, Option<Reason>)>>,
    /// Polls and ends, for `stats()`.
    pub(crate) counters: LocalCounters,
    /// The real-time timers of the tasks this loop runs (`time/wheel.rs`).
    timers: Arc<Wheel>,
    /// Makes `Local` `!Send` on purpose, not by the accident of a field's type: its queues
    /// may hold `!Send` tasks, which only this thread may run or drop.
    _not_send: PhantomData<*const ()>,
    /// Where the root of the blocking call paused last.
    root_stack: crate::stack::RootStack,
}

impl Local {
    pub(crate) fn new(config: Config) -> Rc<Self> {
        Rc::new(Local {
            config,
            ready: RefCell::new(VecDeque::new()),
            rng: config
                .seed
                .map(|seed| RefCell::new(fastrand::Rng::with_seed(seed))),
            round: RefCell::new(Vec::new()),
            yielded: RefCell::new(Vec::new()),
            root_polling: Cell::new(false),
            shared: Arc::new(LocalShared {
                queue: ConcurrentQueue::unbounded(),
                pushed: AtomicBool::new(false),
                ready: Event::new(),
                parked: AtomicBool::new(false),
                closed: AtomicBool::new(false),
                handles: AtomicUsize::new(0),
                queuing: AtomicUsize::new(0),
                clock: config.virtual_time.then(|| Arc::new(VirtualClock::new())),
                owner: std::thread::current().id(),
            }),
            registry: RefCell::new(Slab::new()),
            reasons: Reasons::default(),
            waits: WaitCounts::default(),
            ticks: Cell::new(0),
            root: Cell::new(None),
            counters: LocalCounters::default(),
            timers: Arc::new(Wheel::new()),
            _not_send: PhantomData,
            root_stack: Default::default(),
        })
    }

    /// This loop's timer wheel.
    #[inline]
    pub(crate) fn timers(&self) -> &Arc<Wheel> {
        &self.timers
    }

    /// Queues a task that may be `!Send`.
    pub(crate) fn spawn<F>(&self, name: TaskName, future: F) -> TaskHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // SAFETY: `Local` is `!Send`, so we are on the thread that owns it.
        unsafe { self.shared.spawn(name, future) }
    }

    /// Queues `job` on this scheduler's own queue, from its own thread (see [`LocalShared::push`]),
    /// and wakes the loop if it is parked (its reactor fired the wake-up).
    #[inline]
    pub(crate) fn push_own(&self, job: Job, woken_while_running: bool) {
        // Work other threads woke earlier goes first: it became ready before this job did
        // (a timer fired by another thread's reactor turn is not overtaken by a later one
        // fired here).
        self.absorb();
        let woken_while_running =
            woken_while_running || (matches!(job, Job::Root) && self.root_polling.get());
        if woken_while_running && self.rng.is_some() {
            self.yielded.borrow_mut().push(job);
        } else {
            self.ready.borrow_mut().push_back(job);
        }
        self.shared.wake_if_parked();
    }

    /// Records a task at its first pause; returns its key.
    pub(crate) fn register(&self, meta: &Meta, waker: Waker) -> usize {
        self.waits.added(None);
        self.registry.borrow_mut().insert(Entry::new(meta, waker))
    }

    /// A poll of `task` ended, for `Scheduler::stats`.
    #[inline]
    pub(crate) fn note_polled(&self, task: TaskName, elapsed: Option<Duration>) {
        self.counters
            .polled(task, elapsed, self.config.measure_poll_time);
    }

    /// Records what a started task waits for.
    #[inline]
    pub(crate) fn note_paused(&self, key: usize, reason: Option<Reason>) {
        if let Some(old) = self.reasons.set(key, reason) {
            self.waits.changed(old, reason);
        }
    }

    /// Forgets a task whose state was dropped.
    pub(crate) fn deregister(&self, key: usize) {
        let entry = self.registry.borrow_mut().try_remove(key);
        if entry.is_some() {
            self.waits.removed(self.reasons.clear(key));
        }
        drop(entry); // Dropping the waker may queue the task one last time: after the borrow.
    }

    /// Whether no task is left: none queued, none started and unfinished.
    fn is_idle(&self) -> bool {
        self.ready.borrow().is_empty()
            && self.round.borrow().is_empty()
            && self.yielded.borrow().is_empty()
            && self.shared.queue.is_empty()
            && self.registry.borrow().is_empty()
    }

    /// A ready job, if there is one: in the order they became ready, or, with a seed, one
    /// drawn at random from the current round. A round is every job that was ready when it
    /// began; what becomes ready meanwhile (a task that yields, among others) waits for the
    /// next round, so `yield_now` still lets every other ready task go first.
    #[inline]
    fn pop(&self) -> Option<Job> {
        self.absorb();
        let Some(rng) = &self.rng else {
            return self.ready.borrow_mut().pop_front();
        };
        let mut round = self.round.borrow_mut();
        if round.is_empty() {
            let mut ready = self.ready.borrow_mut();
            round.extend(ready.drain(..));
            // Tasks that yielded during the round just ended go in the next one: after
            // every task that was ready when they yielded (or now, if none was).
            let mut yielded = self.yielded.borrow_mut();
            if round.is_empty() {
                round.append(&mut yielded);
            } else {
                ready.extend(yielded.drain(..));
            }
        }
        if round.is_empty() {
            return None;
        }
        let index = rng.borrow_mut().usize(..round.len());
        Some(round.swap_remove(index))
    }

    /// Moves the work other threads queued behind the work that became ready here (before
    /// it is pushed, see `push_own`: so the queue keeps the order in which work became ready).
    #[inline]
    fn absorb(&self) {
        // Cleared before the queue is taken: a push after it sets the flag again.
        if self.shared.pushed.load(Ordering::Relaxed)
            && self.shared.pushed.swap(false, Ordering::Acquire)
        {
            let mut ready = self.ready.borrow_mut();
            while let Ok(job) = self.shared.queue.pop() {
                ready.push_back(job);
            }
        }
    }

    /// Runs every queued task, and the ones they queue, until `root` returns; gives its value.
    /// `root` is polled in place (so it may borrow from the caller) in its turn in the queue.
    #[track_caller]
    pub(crate) fn run_until_finished<T>(
        self: &Rc<Self>,
        name: TaskName,
        root: impl Future<Output = T>,
    ) -> T {
        let _entered = self.enter(SchedulerGuard::enter_blocking(
            "Scheduler::run_until_finished",
            self.config,
        ));
        let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
        let root_waker = Arc::new(RootWaker {
            shared: self.shared.clone(),
            queued: false.into(),
        });
        let waker = Waker::from(root_waker.clone());
        let mut root = pin!(root);
        let id = trace::new_id();
        let _root = RootGuard::enter(self, name);
        crate::stack::tick();
        self.absorb(); // work queued before this call runs before the root
        root_waker.wake_by_ref();
        block_on(async {
            loop {
                let job = match self.ready_job() {
                    Some(job) => Some(job),
                    None => self.next_job(|| false).await,
                };
                match job {
                    Some(Job::Task(runnable)) => {
                        runnable.run();
                    }
                    Some(Job::Root) => {
                        root_waker.queued.store(false, Ordering::Release);
                        let started = trace::begin(id);
                        let polled = {
                            #[cfg(feature = "tracing")]
                            let _span = tracing::trace_span!("poll", task = %name).entered();
                            let _running = TaskGuard::enter(name);
                            self.root_polling.set(true);
                            crate::stack::begin(0, true);
                            let polled = catch_unwind(AssertUnwindSafe(|| {
                                root.as_mut().poll(&mut Context::from_waker(&waker))
                            }));
                            self.root_polling.set(false);
                            match polled {
                                Ok(polled) => polled,
                                // The root's panic goes on to the caller, reported once
                                // by the task's name (caught only to say the report where
                                // a test harness captures it).
                                Err(payload) => {
                                    crate::stderr::say_caught();
                                    resume_unwind(payload)
                                }
                            }
                        };
                        let measure = self.config.measure_poll_time;
                        match polled {
                            Poll::Ready(value) => {
                                let elapsed = trace::end(started, id, name, Outcome::Finished);
                                self.counters.polled(name, elapsed, measure);
                                self.counters.ended(Ended::Finished);
                                self.shed_ready_capacity();
                                return value;
                            }
                            Poll::Pending => {
                                let waits_for = reason::take();
                                self.root_stack.paused(waits_for);
                                self.root.set(Some((name, waits_for)));
                                let elapsed =
                                    trace::end(started, id, name, Outcome::Paused(waits_for));
                                self.counters.polled(name, elapsed, measure);
                            }
                        }
                    }
                    None => unreachable!("the loop only stops when the root returns"),
                }
            }
        })
    }

    /// Runs tasks until none is left: none queued, none waiting on a timer, I/O or another
    /// task.
    #[track_caller]
    pub(crate) fn run(self: &Rc<Self>) {
        let _entered = self.enter(SchedulerGuard::enter_blocking(
            "Scheduler::run",
            self.config,
        ));
        let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
        crate::stack::tick();
        block_on(async {
            loop {
                let job = match self.ready_job() {
                    Some(job) => job,
                    None => match self.next_job(|| self.is_idle()).await {
                        Some(job) => job,
                        None => break,
                    },
                };
                if let Job::Task(runnable) = job {
                    runnable.run();
                }
            }
        })
    }

    /// The next job if one is ready and the reactor's turn is not due (see
    /// `REACTOR_BUDGET`): the common case, without making and dropping a `next_job` future.
    #[inline]
    fn ready_job(&self) -> Option<Job> {
        let ticks = self.ticks.get() + 1;
        if ticks >= REACTOR_BUDGET {
            return None; // `next_job` gives the reactor its turn
        }
        let job = self.pop()?;
        self.ticks.set(ticks);
        Some(job)
    }

    /// The next job, waiting (parked on the reactor) while there is none; `None` as soon as
    /// `done()` holds with the queue empty.
    async fn next_job(&self, done: impl Fn() -> bool) -> Option<Job> {
        let ticks = self.ticks.get() + 1;
        self.ticks.set(ticks);
        if ticks >= REACTOR_BUDGET {
            crate::stack::tick(); // the coarse clock of pause stacks
            self.ticks.set(0);
            self.timers.fire_due();
            // The edges that came meanwhile, if no parked loop takes them.
            crate::net::driver::poll_now();
        }
        // How long every task has looked deadlocked while something outside the scheduler
        // could still wake one, and whether that was said.
        let mut suspected = std::time::Duration::ZERO;
        let mut warned = false;
        loop {
            if let Some(job) = self.pop() {
                return Some(job);
            }
            if self.timers.fire_due() > 0 {
                continue; // timers fired: their tasks are ready
            }
            if let Some(clock) = &self.shared.clock
                && !self.waits_on_a_thread()
                && clock.advance()
            {
                continue; // no task was ready: the clock jumped to the next deadline
            }
            if done() {
                return None;
            }
            listener!(self.shared.ready => woken);
            self.shared.parked.store(true, Ordering::SeqCst);
            // Pairs with the fence in `LocalShared::push`.
            fence(Ordering::SeqCst);
            if let Some(job) = self.pop() {
                self.shared.parked.store(false, Ordering::SeqCst);
                return Some(job);
            }
            match self.deadlock_report() {
                Some(Deadlock::Certain) => {
                    // It looks deadlocked: give a plain thread that holds a sync primitive a
                    // moment to release it, then look again.
                    crate::test_hooks::reached!(DeadlockGrace);
                    let woke = wakes_within(&mut woken, DEADLOCK_GRACE).await;
                    self.shared.parked.store(false, Ordering::SeqCst);
                    if !woke && let Some(Deadlock::Certain) = self.deadlock_report() {
                        panic!("{}", self.waiting_report());
                    }
                    continue;
                }
                Some(Deadlock::Suspected { why }) => {
                    // Only something outside this scheduler could wake a task, and that may
                    // change (another scheduler ends, the last `Handle` goes): look again
                    // now and then instead of parking for good, and say it on stderr once
                    // it has lasted.
                    crate::test_hooks::reached!(DeadlockSuspected);
                    let woke = wakes_within(&mut woken, DEADLOCK_RECHECK).await;
                    self.shared.parked.store(false, Ordering::SeqCst);
                    if !woke {
                        suspected += DEADLOCK_RECHECK;
                        if suspected >= DEADLOCK_WARN && !warned {
                            warned = true;
                            crate::stderr::say(format_args!(
                                "{}{} s ({why}). {}",
                                misuse::DEADLOCK_SUSPECTED,
                                suspected.as_secs(),
                                self.waiting_report()
                            ));
                            crate::test_hooks::reached!(DeadlockWarned);
                        }
                    }
                    continue;
                }
                None => {}
            }
            self.shed_ready_capacity();
            crate::time::park(woken, self.timers.next_deadline()).await;
            self.shared.parked.store(false, Ordering::SeqCst);
            crate::stack::tick(); // the coarse clock of pause stacks
        }
    }

    /// Gives back what a burst of ready work grew the ready queue to, once it is empty (the
    /// loop parks, or its blocking call returns): a million tasks queued at once and then
    /// parked would otherwise keep 8 bytes each here.
    fn shed_ready_capacity(&self) {
        let mut ready = self.ready.borrow_mut();
        if ready.is_empty() && ready.capacity() > KEPT_READY_CAPACITY {
            ready.shrink_to(KEPT_READY_CAPACITY);
        }
    }

    /// A snapshot of this scheduler's tasks and counters (see [`Stats`]).
    pub(crate) fn stats(self: &Rc<Self>) -> Stats {
        let mut stats = Stats::default();
        self.counters.fill(&mut stats);
        stats.queued = self.ready.borrow().len()
            + self.round.borrow().len()
            + self.yielded.borrow().len()
            + self.shared.queue.len();
        let ours = with_local(|local| core::ptr::eq(local, &**self)).unwrap_or(false);
        stats.running = usize::from(ours && context::current_task().is_some());
        // Tasks enter the registry when they first pause: the running one is in it only if
        // it paused before.
        let running_registered = usize::from(ours && context::running_task_registered());
        stats.paused = self.registry.borrow().len() - running_registered;
        stats
    }

    /// Makes this scheduler the one this thread runs while the guard lives.
    fn enter(&self, context: SchedulerGuard) -> Entered<'_> {
        Entered {
            previous: LOCAL.with(|l| l.replace(self)),
            _context: Some(context),
            _local: PhantomData,
        }
    }

    /// Cancels every task that is left (queued ones never start; started ones have their
    /// state dropped now), giving their names to `announce` before it cancels any (see
    /// `registry::cancel_all`). Called when the scheduler is dropped.
    pub(crate) fn cancel_all(self: &Rc<Self>, announce: impl FnOnce(Vec<TaskName>)) {
        reactor::close(&self.shared.closed, &self.shared.queuing);
        // The task being polled on this thread, if the scheduler is dropped inside one: it
        // stays in the registry until its poll returns, so it is not waited for.
        let running = context::current_task();
        let _entered = self.enter(SchedulerGuard::enter(self.config, false));
        let mut registered = Registered::default();
        self.registry
            .borrow_mut()
            .iter_mut()
            .for_each(|(_, entry)| registered.take(entry));
        let next = || {
            loop {
                match self.pop()? {
                    Job::Task(runnable) => return Some(runnable),
                    Job::Root => {}
                }
            }
        };
        registry::cancel_all(registered, next, || self.started_left(running), announce);
        // Timers left are those of sleeps kept outside a task: they move to another clock.
        self.timers.close();
    }

    /// Whether a started task is left in the registry, other than the one being polled on
    /// this thread (`running`, if the scheduler is dropped inside a task).
    fn started_left(&self, running: Option<TaskName>) -> bool {
        let registry = self.registry.borrow();
        match running {
            None => !registry.is_empty(),
            Some(running) => {
                registry.len() > 1 || registry.iter().any(|(_, e)| e.name() != running)
            }
        }
    }
}

/// Marks the root of a blocking call for deadlock reports, until the call returns.
struct RootGuard<'a> {
    local: &'a Local,
    previous: Option<(TaskName, Option<Reason>)>,
}

impl<'a> RootGuard<'a> {
    fn enter(local: &'a Local, name: TaskName) -> Self {
        RootGuard {
            local,
            previous: local.root.replace(Some((name, None))),
        }
    }
}

impl Drop for RootGuard<'_> {
    fn drop(&mut self) {
        self.local.root_polling.set(false); // also when the root's poll unwinds
        self.local.root.set(self.previous);
    }
}

impl Schedule for Local {
    const STATES: bool = false;

    type Home = LocalShared;

    /// Queues a woken task on its scheduler: its own queue on the scheduler's own thread, the
    /// shared one from any other thread.
    #[inline]
    fn schedule(runnable: Runnable<Meta>, info: ScheduleInfo) {
        // SAFETY: a task of this flavour was made with an `Arc<LocalShared>` (`task::spawn`).
        let shared: *const LocalShared = unsafe { runnable.metadata().home::<LocalShared>() };
        // On the scheduler's own thread: its own queue (the `Local` running here keeps the
        // scheduler alive). Only the address is compared: the task may be queued away.
        let mut job = Some(Job::Task(runnable));
        with_local(|local| {
            if core::ptr::eq(&*local.shared, shared) {
                local.push_own(job.take().expect("queued once"), info.woken_while_running);
            }
        });
        if let Some(Job::Task(runnable)) = job {
            // SAFETY: as above.
            let shared = unsafe { runnable.metadata().keep_home_alive::<LocalShared>() };
            crate::test_hooks::reached!(ForeignWakeBeforePush);
            shared.push(Job::Task(runnable), false);
        }
    }

    #[inline]
    fn register(meta: &Meta, waker: Waker) -> Option<usize> {
        with_local(|local| local.register(meta, waker))
    }

    #[inline]
    fn paused(_meta: &Meta, key: usize, reason: Option<Reason>, (task, elapsed): Polled) {
        with_local(|local| {
            local.note_paused(key, reason);
            local.note_polled(task, elapsed);
        });
    }

    #[inline]
    fn ended(_meta: &Meta, key: Option<usize>, how: Ended, polled: Option<Polled>) {
        with_local(|local| {
            if let Some((task, elapsed)) = polled {
                local.note_polled(task, elapsed);
            }
            if let Some(key) = key {
                local.deregister(key);
            }
            local.counters.ended(how);
        });
    }
}
