//! The single-threaded run loop: the queue of ready tasks, the registry of started ones,
//! and the loop that runs them, parking on the async-io reactor when nothing is ready.
//!
//! Wakers may fire on any thread (timers, I/O, other threads' `Handle`s), so the queue is a
//! `ConcurrentQueue`; everything else here is only touched by the thread that owns the
//! scheduler (`Local` is `!Send`), and takes no lock.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::pin;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Wake;

use async_task::Runnable;
use concurrent_queue::ConcurrentQueue;
use event_listener::{Event, listener};
use slab::Slab;

use crate::config::Config;
use crate::context;
use crate::context::{Current, SchedulerGuard, TaskGuard};
use crate::home::Home;
use crate::misuse;
use crate::names::TaskName;
use crate::reason::{self, Reason};
use crate::stats::{Ended, LocalCounters, Stats};
use crate::task::{self, Meta};
use crate::task_handle::TaskHandle;
use crate::time::VirtualClock;
use crate::trace::{self, Outcome};
use crate::wait_counts::WaitCounts;

/// How many jobs run before the loop lets the reactor look for due timers and I/O.
const REACTOR_BUDGET: u32 = 128;

/// Drives the run loop on this thread, parking on the async-io reactor (which fires timers
/// and I/O) whenever no task is ready.
#[cfg(not(miri))]
pub(crate) fn block_on<T>(run_loop: impl Future<Output = T>) -> T {
    async_io::block_on(run_loop)
}

/// Under miri, which cannot run the reactor's system calls, park without driving it: the
/// tests run there use no timers or I/O.
#[cfg(miri)]
pub(crate) fn block_on<T>(run_loop: impl Future<Output = T>) -> T {
    futures_lite::future::block_on(run_loop)
}

/// One entry of the run queue.
pub(crate) enum Job {
    /// A queued task, ready to be polled.
    Task(Runnable<Meta>),
    /// The future a blocking `run_until_finished` call drives in place was woken.
    Root,
}

/// The part of a scheduler that wakers and `Handle`s hold: safe to touch from any thread.
pub(crate) struct Shared {
    /// Work that became ready on other threads, in the order it did (work that becomes
    /// ready on the scheduler's own thread goes to `Local::ready`, with no atomics).
    queue: ConcurrentQueue<Job>,
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

impl Shared {
    /// Queues `job`: on the scheduler's own queue when this thread is running it, else on
    /// the shared queue; wakes the loop if it is parked.
    #[inline]
    ///
    /// `itself` says that the job woke itself while it ran (a `yield_now`): under a seed, it
    /// then waits until the tasks that were ready have had their turn.
    pub(crate) fn push(&self, job: Job, itself: bool) {
        let mut job = Some(job);
        context::with_local(|local| {
            if core::ptr::eq(&*local.shared, self) {
                local.push_own(job.take().expect("not queued yet"), itself);
            }
        });
        if let Some(job) = job {
            // An unbounded queue only refuses work once closed, and it is never closed.
            let _ = self.queue.push(job);
            // Pairs with the fence in `Local::next_job`: either the loop sees the job when it
            // checks again, or this sees that it parked.
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
        unsafe { task::spawn(name, Home::Local(self.clone()), future) }
    }
}

/// Wakes the root future of a blocking call by queueing a [`Job::Root`].
struct RootWaker {
    shared: Arc<Shared>,
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

/// A started task, as the registry knows it.
struct Entry {
    /// The task's header: alive as long as this entry, which the task's own future removes
    /// (in `TaskFuture`'s poll or drop) before its allocation can go.
    meta: NonNull<Meta>,
    waker: Waker,
    /// What it waits for since its last poll (`None`: not known).
    reason: Option<Reason>,
}

impl Entry {
    /// The task's name.
    fn name(&self) -> TaskName {
        // SAFETY: see `meta`: the task's allocation, and its header, outlive this entry.
        unsafe { self.meta.as_ref() }.name
    }
}

/// A single-threaded scheduler's state; owned by one thread (`!Send` through `Rc`).
pub(crate) struct Local {
    pub(crate) shared: Arc<Shared>,
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
    /// How many of them wait on what: kept as their reasons change, so that neither the
    /// deadlock check before each park nor the virtual clock before each jump walks it.
    waits: WaitCounts,
    /// Jobs run since the reactor was last given a turn.
    ticks: Cell<u32>,
    /// The root of the blocking call in progress, and what it waits for.
    root: Cell<Option<(TaskName, Option<Reason>)>>,
    /// Polls and ends, for `stats()`.
    pub(crate) counters: LocalCounters,
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
            shared: Arc::new(Shared {
                queue: ConcurrentQueue::unbounded(),
                ready: Event::new(),
                parked: AtomicBool::new(false),
                closed: AtomicBool::new(false),
                handles: AtomicUsize::new(0),
                queuing: AtomicUsize::new(0),
                clock: config.virtual_time.then(|| Arc::new(VirtualClock::new())),
                owner: std::thread::current().id(),
            }),
            registry: RefCell::new(Slab::new()),
            waits: WaitCounts::default(),
            ticks: Cell::new(0),
            root: Cell::new(None),
            counters: LocalCounters::default(),
        })
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

    /// Queues `job` on this scheduler's own queue, from its own thread (see [`Shared::push`]),
    /// and wakes the loop if it is parked (its reactor fired the wake-up).
    #[inline]
    pub(crate) fn push_own(&self, job: Job, itself: bool) {
        // Work other threads woke earlier goes first: it became ready before this job did
        // (a timer fired by another thread's reactor turn is not overtaken by a later one
        // fired here).
        self.absorb();
        let itself = itself || (matches!(job, Job::Root) && self.root_polling.get());
        if itself && self.rng.is_some() {
            self.yielded.borrow_mut().push(job);
        } else {
            self.ready.borrow_mut().push_back(job);
        }
        self.shared.wake_if_parked();
    }

    /// Records a task at its first pause; returns its key.
    pub(crate) fn register(&self, meta: &Meta, waker: Waker) -> usize {
        self.waits.added(None);
        self.registry.borrow_mut().insert(Entry {
            meta: NonNull::from(meta),
            waker,
            reason: None,
        })
    }

    /// A poll of `task` ended, for `Scheduler::stats`.
    #[inline]
    pub(crate) fn note_polled(&self, task: TaskName, elapsed: Option<std::time::Duration>) {
        self.counters
            .polled(task, elapsed, self.config.measure_poll_time);
    }

    /// Records what a started task waits for.
    #[inline]
    pub(crate) fn note_paused(&self, key: usize, reason: Option<Reason>) {
        if let Some(entry) = self.registry.borrow_mut().get_mut(key)
            && entry.reason != reason
        {
            self.waits.changed(entry.reason, reason);
            entry.reason = reason;
        }
    }

    /// Forgets a task whose state was dropped.
    pub(crate) fn deregister(&self, key: usize) {
        let entry = self.registry.borrow_mut().try_remove(key);
        if let Some(entry) = &entry {
            self.waits.removed(entry.reason);
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
        if !self.shared.queue.is_empty() {
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
        let _entered = SchedulerGuard::enter_blocking(
            "Scheduler::run_until_finished",
            Current::Local(self.clone()),
        );
        let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
        let root_waker = Arc::new(RootWaker {
            shared: self.shared.clone(),
            queued: false.into(),
        });
        let waker = Waker::from(root_waker.clone());
        let mut root = pin!(root);
        let id = trace::new_id();
        let _root = RootGuard::enter(self, name);
        self.absorb(); // work queued before this call runs before the root
        root_waker.wake_by_ref();
        block_on(async {
            loop {
                match self.next_job(|| false).await {
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
                            let polled = root.as_mut().poll(&mut Context::from_waker(&waker));
                            self.root_polling.set(false);
                            polled
                        };
                        let measure = self.config.measure_poll_time;
                        match polled {
                            Poll::Ready(value) => {
                                let elapsed = trace::end(started, id, name, Outcome::Finished);
                                self.counters.polled(name, elapsed, measure);
                                self.counters.ended(Ended::Finished);
                                return value;
                            }
                            Poll::Pending => {
                                let waits_for = reason::take();
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
        let _entered =
            SchedulerGuard::enter_blocking("Scheduler::run", Current::Local(self.clone()));
        let _tokio = crate::tokio_compat::enter(); // the tokio feature's context, if it is on
        block_on(async {
            while let Some(job) = self.next_job(|| self.is_idle()).await {
                if let Job::Task(runnable) = job {
                    runnable.run();
                }
            }
        })
    }

    /// The next job, waiting (parked on the reactor) while there is none; `None` as soon as
    /// `done()` holds with the queue empty.
    async fn next_job(&self, done: impl Fn() -> bool) -> Option<Job> {
        let ticks = self.ticks.get() + 1;
        self.ticks.set(ticks);
        if ticks >= REACTOR_BUDGET {
            self.ticks.set(0);
            // Give `block_on` a turn to process due timers and I/O.
            futures_lite::future::yield_now().await;
        }
        // How long every task has looked deadlocked while something outside the scheduler
        // could still wake one, and whether that was said.
        let mut suspected = std::time::Duration::ZERO;
        let mut warned = false;
        loop {
            if let Some(job) = self.pop() {
                return Some(job);
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
            // Pairs with the fence in `Shared::push`.
            fence(Ordering::SeqCst);
            if let Some(job) = self.pop() {
                self.shared.parked.store(false, Ordering::SeqCst);
                return Some(job);
            }
            match self.deadlock_report() {
                Some(Deadlock::Certain) => {
                    // It looks deadlocked: give a plain thread that holds a sync primitive a
                    // moment to release it, then look again.
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
                            crate::report::say(format_args!(
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
            woken.await;
            self.shared.parked.store(false, Ordering::SeqCst);
        }
    }

    /// Whether a task (or the root) waits on `run_in_thread`: real work is under way, so the
    /// virtual clock must not jump past it.
    fn waits_on_a_thread(&self) -> bool {
        self.waits.any_on_a_thread()
            || self
                .root
                .get()
                .is_some_and(|(_, reason)| reason == Some(Reason::Thread))
    }

    /// Whether every task (and the root) waits on another task or a sync primitive of this
    /// scheduler, with no timer, I/O or `wait(future)` pending. It is [`Deadlock::Certain`]
    /// when nothing outside the scheduler could wake one either: no `Handle` is alive, no
    /// other scheduler is, and no sync primitive or pause value was ever used outside a
    /// scheduler; else [`Deadlock::Suspected`], saying why it cannot be sure.
    fn deadlock_report(&self) -> Option<Deadlock> {
        let root = self.root.get();
        if let Some((_, reason)) = root
            && !reason.is_some_and(Reason::is_internal)
        {
            return None;
        }
        if root.is_none() && self.registry.borrow().is_empty() {
            return None;
        }
        // Kept as tasks pause and end: no walk of the registry at each park.
        if !self.waits.all_internal() {
            return None;
        }
        // What outside this scheduler may hold a waker, or queue work that wakes one.
        let why = [
            (self.shared.handles.load(Ordering::Acquire) > 0)
                .then_some("a `Handle` to this scheduler is alive"),
            (crate::report::live_schedulers() > 1).then_some("another scheduler is alive"),
            context::foreign_use_seen().then_some("a sync primitive was used outside a scheduler"),
        ];
        let why: Vec<&str> = why.into_iter().flatten().collect();
        Some(if why.is_empty() {
            Deadlock::Certain
        } else {
            Deadlock::Suspected {
                why: why.join(", "),
            }
        })
    }

    /// The deadlock report: every waiting task (and the root) and what it waits on.
    fn waiting_report(&self) -> String {
        let mut waiting = Vec::new();
        if let Some((name, Some(reason))) = self.root.get() {
            waiting.push(format!(
                "  `{name}` (the root of `run_until_finished`): {reason}"
            ));
        }
        for (_, entry) in self.registry.borrow().iter() {
            if let Some(reason) = entry.reason {
                waiting.push(format!("  `{}`: {reason}", entry.name()));
            }
        }
        format!(
            "{}\n{}\n{}",
            misuse::DEADLOCK,
            waiting.join("\n"),
            misuse::DEADLOCK_FIX
        )
    }

    /// A snapshot of this scheduler's tasks and counters (see [`Stats`]).
    pub(crate) fn stats(self: &Rc<Self>) -> Stats {
        let mut stats = Stats::default();
        self.counters.fill(&mut stats);
        stats.queued = self.ready.borrow().len()
            + self.round.borrow().len()
            + self.yielded.borrow().len()
            + self.shared.queue.len();
        let ours = context::with_scheduler(
            |c| matches!(c, Some(Current::Local(local)) if Rc::ptr_eq(local, self)),
        );
        stats.running = usize::from(ours && context::current_task().is_some());
        // Tasks enter the registry when they first pause: the running one is in it only if
        // it paused before.
        let running_started = usize::from(ours && context::running_task_started());
        stats.paused = self.registry.borrow().len() - running_started;
        stats
    }

    /// Cancels every task that is left (queued ones never start; started ones have their
    /// state dropped now) and returns their names. Called when the scheduler is dropped.
    pub(crate) fn cancel_all(self: &Rc<Self>) -> Vec<TaskName> {
        close(&self.shared.closed, &self.shared.queuing);
        // The task being polled on this thread, if the scheduler is dropped inside one: it
        // stays in the registry until its poll returns, so it is not waited for below.
        let running = context::current_task();
        let _entered = SchedulerGuard::enter(Current::Local(self.clone()));
        let mut names: Vec<TaskName> = self
            .registry
            .borrow()
            .iter()
            .map(|(_, e)| e.name())
            .collect();
        let mut queued = Vec::new();
        while let Some(job) = self.pop() {
            if let Job::Task(runnable) = job {
                // A started task that was woken is queued too: name it once (it is in the
                // registry since it first paused, which `started` says).
                if !runnable.metadata().started.load(Ordering::Relaxed) {
                    names.push(runnable.metadata().name);
                }
                queued.push(runnable);
            }
        }
        // Started tasks come back through the queue once woken (a wake-up only queues them
        // here, on the scheduler's own queue: it never touches the registry); queued ones go
        // through it now.
        for (_, entry) in self.registry.borrow().iter() {
            entry.waker.wake_by_ref();
        }
        for runnable in queued {
            self.shared.push(Job::Task(runnable), false);
        }
        self.cancel_queued();
        crate::test_hooks::reached!(ClosingDrained);
        // A wake-up from another thread may still be in flight: it marked its task
        // scheduled (so the wake-up above did nothing) and has not pushed it yet. Every
        // started task comes back through the queue, or ended: wait for the ones left.
        // The wait is as long as that thread's push (it only runs our `schedule`).
        while self.started_left(running) {
            std::thread::yield_now();
            self.cancel_queued();
        }
        names
    }

    /// Runs every queued task cancelled, until the queue is empty.
    fn cancel_queued(&self) {
        while let Some(job) = self.pop() {
            if let Job::Task(runnable) = job {
                // A cancelled task drops its state instead of being polled, and its handle
                // reports `Cancelled`.
                runnable.metadata().cancelled.store(true, Ordering::Release);
                runnable.run();
            }
        }
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

/// What a parked loop found when every task waits on another task or a sync primitive.
enum Deadlock {
    /// Nothing can wake a task.
    Certain,
    /// Only something outside the scheduler could wake one (`why`).
    Suspected { why: String },
}

/// How long a loop that looks deadlocked waits for a wake-up before it panics: a plain thread
/// may still hold a sync primitive it will release.
const DEADLOCK_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// How often a loop that would be deadlocked but for something outside it (a live `Handle`,
/// another scheduler) looks again: that may have gone meanwhile.
const DEADLOCK_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// How long such a loop waits before it says on stderr that it may be deadlocked.
const DEADLOCK_WARN: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether `woken` fires within `limit`.
#[cfg(not(miri))]
async fn wakes_within(
    woken: &mut (impl Future<Output = ()> + Unpin),
    limit: std::time::Duration,
) -> bool {
    let grace = async_io::Timer::after(limit);
    futures_lite::future::or(
        async {
            woken.await;
            true
        },
        async {
            grace.await;
            false
        },
    )
    .await
}

/// Under miri (no timers), it does not wait for the grace; a suspected deadlock waits for
/// its wake-up alone (rechecking would spin).
#[cfg(miri)]
async fn wakes_within(
    woken: &mut (impl Future<Output = ()> + Unpin),
    limit: std::time::Duration,
) -> bool {
    if limit == DEADLOCK_GRACE {
        return false;
    }
    woken.await;
    true
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

/// Closes a scheduler to new work from `Handle`s, then waits for the ones queuing right now
/// (they announced themselves in `queuing` before checking `closed`), so that everything
/// queued is there to cancel.
pub(crate) fn close(closed: &AtomicBool, queuing: &AtomicUsize) {
    closed.store(true, Ordering::SeqCst);
    while queuing.load(Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
}
