//! Pause stacks: where a paused task is, as the chain of `#[task]` calls from its root to
//! the innermost pause point, each with its `file:line`.
//!
//! Every pause point of a `#[task]` body has one static [`Site`] (the fn it is in, and its
//! `file:line:col`), made by the macro at compile time. The body awaits the pause point
//! through [`At`], whose site is a zero-sized closure that gives that static's address, so a
//! task's future is no bigger for it. Only when the await returns `Pending` does `At` push
//! that one word onto this thread's stack being built, innermost first: nothing on the
//! `Ready` path. A poll begins by resetting the stack's length ([`begin`]); when it returns
//! `Pending`, the task compares what was built with its [`StackCell`] (in its header) and
//! stores only what changed: a task that pauses where it paused last (a loop's `recv`, a
//! `yield_now`) stores one word, the coarse time of the pause.
//!
//! What the innermost level waits on is the pause's [`Reason`], which the library's pause
//! point notes as it returns `Pending` (`reason.rs`), stored with the stack when it changed.
//!
//! Since when: the time a loop last read its *coarse clock* (see [`tick`]), which it does
//! where it waits anyway (before it parks, when it wakes, when it lets the reactor look for
//! timers every 128 jobs): no clock read per poll, and a pause is dated to within those
//! 128 polls.
//!
//! A task's state (running, ready, paused) is stored only by a pool (`Schedule::STATES`),
//! whose queues nobody can list; a single-threaded loop tells it from its queues when a
//! dump asks.

use core::cell::{Cell, UnsafeCell};
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering, fence};
use core::task::{Context, Poll};
use std::panic::Location;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::lock::lock;
use crate::names::{TaskName, display_path};
use crate::reason::Reason;

/// The most levels a stack keeps; a deeper one keeps its outer levels (and says how many
/// inner ones it lost).
pub(crate) const DEPTH: usize = 32;

/// Levels kept in a task's cell without a second allocation.
const INLINE: usize = 3;

/// A pause point of a `#[task]` body: the fn it is in, and where. The macro makes one per
/// pause point, a constant, so a stack level is one pointer to it.
#[derive(Debug)]
pub struct Site {
    /// The containing fn's path (its task name), as `type_name` gives it.
    name: fn() -> &'static str,
    /// The pause point's `file:line:col`.
    at: &'static Location<'static>,
}

impl Site {
    /// The site of a pause point at the caller's location, in the fn `name` names.
    #[track_caller]
    #[inline(always)]
    pub const fn here(name: fn() -> &'static str) -> Site {
        Site {
            name,
            at: Location::caller(),
        }
    }

    /// The containing fn's path, as messages show it.
    pub(crate) fn function(&self) -> &'static str {
        display_path((self.name)())
    }

    /// The pause point's location.
    pub(crate) fn location(&self) -> &'static Location<'static> {
        self.at
    }
}

/// This thread's stack being built during a poll, innermost level first.
struct Building {
    /// Levels pushed in this poll (may exceed `DEPTH`: the rest were not kept).
    len: Cell<usize>,
    /// This thread's coarse clock, as the word a pause stores: nanoseconds since [`epoch`]
    /// when its loop last read it, shifted left past the state bits, and `PAUSED`.
    coarse: Cell<u64>,
    /// The cell of the task whose poll began last on this thread (null for a root polled
    /// in place): the running one while this thread is in a poll (`context::current_task`).
    polling: Cell<*const StackCell>,
    /// A ring: the first `len` (or all, past `DEPTH`) are this poll's.
    sites: [Cell<Option<&'static Site>>; DEPTH],
}

thread_local! {
    /// Everything this module keeps per thread, in one place (one thread-local access).
    static BUILDING: Building = const {
        Building {
            len: Cell::new(0),
            coarse: Cell::new(PAUSED),
            polling: Cell::new(core::ptr::null()),
            sites: [const { Cell::new(None) }; DEPTH],
        }
    };
}

/// The instant every coarse time counts from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Reads the clock into this thread's coarse clock: a run loop calls it where it waits
/// anyway (parking, waking, giving the reactor its turn), never per poll.
pub(crate) fn tick() {
    let nanos = u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX >> 3);
    let _ = BUILDING.try_with(|b| b.coarse.set((nanos.max(1) << STATE_BITS) | PAUSED));
}

/// How long ago the coarse time in a stored word was (`None`: never read).
fn ago(word: u64) -> Option<Duration> {
    let nanos = word >> STATE_BITS;
    (nanos != 0).then(|| {
        epoch()
            .elapsed()
            .saturating_sub(Duration::from_nanos(nanos))
    })
}

/// A poll of the task whose cell is `cell` (null: a root polled in place) begins on this
/// thread: what the last one pushed is forgotten.
#[inline(always)]
pub(crate) fn begin(cell: *const StackCell) {
    BUILDING.with(|b| {
        b.len.set(0);
        b.polling.set(cell);
    });
}

/// Whether `cell` is the cell of the task whose poll began last on this thread (the running
/// one, if this thread is in a task's poll).
pub(crate) fn polling(cell: &StackCell) -> bool {
    BUILDING
        .try_with(|b| core::ptr::eq(b.polling.get(), cell))
        .unwrap_or(false)
}

/// Pushes a level (its pause point returned `Pending`): two stores. The sites are a ring:
/// past `DEPTH` levels, the outer ones overwrite the innermost (which are then lost).
#[inline]
fn push(site: &'static Site) {
    BUILDING.with(|b| {
        let len = b.len.get();
        b.sites[len % DEPTH].set(Some(site));
        b.len.set(len + 1);
    });
}

/// The index in the ring of the `index`th level kept (innermost kept first) of a stack of
/// `len` levels pushed.
fn ring_index(len: usize, index: usize) -> usize {
    (len.saturating_sub(DEPTH) + index) % DEPTH
}

/// The sites pushed in the poll that just returned `Pending`, outer level first, and how
/// many inner levels were not kept.
pub(crate) fn built() -> (Vec<&'static Site>, usize) {
    BUILDING
        .try_with(|b| {
            let len = b.len.get();
            let kept = len.min(DEPTH);
            let sites = (0..kept)
                .rev()
                .filter_map(|index| b.sites[ring_index(len, index)].get())
                .collect();
            (sites, len - kept)
        })
        .unwrap_or_default()
}

/// The `#[task]` calls the poll that just returned `Pending` paused inside, outer first,
/// not counting `task`'s own body: for the trace's nested slices (read only while tracing).
pub(crate) fn calls(task: TaskName) -> Vec<&'static str> {
    let (sites, _) = built();
    let own = task.parts().ok().map(display_path);
    let mut calls: Vec<&'static str> = sites.iter().map(|site| site.function()).collect();
    if !calls.is_empty() && own == Some(calls[0]) {
        calls.remove(0);
    }
    calls
}

// The fields are documented in the struct's doc (the macro takes no field docs).
#[allow(missing_docs)]
mod at {
    pin_project_lite::pin_project! {
        /// A pause point's future as a `#[task]` body awaits it, with its site: `site` is a
        /// zero-sized closure, so this is as big as `fut`.
        ///
        /// Its fields are public for one reason: the compiler then sees, from the user's
        /// crate, that an `At` of a plain call's `Never` has no values either, so that arm's
        /// await stays unreachable (a private field would count the struct as inhabited, and
        /// a lock guard held across a plain call would make the task `!Send`).
        pub struct At<F, S> {
            // The pause point's future.
            #[pin]
            pub fut: F,
            // Gives the pause point's site.
            pub site: S,
        }
    }
}
pub use at::At;

impl<F, S> At<F, S> {
    /// `fut`, awaited at the pause point `site()` names.
    #[inline]
    pub(crate) fn new(fut: F, site: S) -> Self {
        At { fut, site }
    }
}

impl<F, S> Future for At<F, S>
where
    F: Future,
    S: Fn() -> &'static Site,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let poll = this.fut.poll(cx);
        if poll.is_pending() {
            push((this.site)());
        }
        poll
    }
}

/// What a task is doing, as a dump shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskState {
    /// Being polled right now, on some thread.
    Running,
    /// Woken (or queued and not started yet), waiting for its turn.
    #[default]
    Ready,
    /// Paused at a pause point, waiting for what its stack's innermost level waits on.
    Paused,
}

/// The low bits of a stored time word that hold the state (the rest: the coarse time).
const STATE_BITS: u32 = 2;
const READY: u64 = 0;
const RUNNING: u64 = 1;
const PAUSED: u64 = 2;

/// A reason as the words a [`Slot`] stores (all of them `'static` addresses or numbers).
type Words = [usize; 3];

/// `reason` as words (`None` is kind 0).
fn encode(reason: Option<Reason>) -> Words {
    let name = |task: TaskName| match task.parts() {
        Ok(path) => (path.as_ptr() as usize, path.len()),
        Err(site) => (site as *const Location<'static> as usize, usize::MAX),
    };
    let Some(reason) = reason else {
        return [0, 0, 0];
    };
    let (kind, a, b) = match reason {
        Reason::Call(path) => (1, path.as_ptr() as usize, path.len()),
        Reason::Join(task) => {
            let (a, b) = name(task);
            (2, a, b)
        }
        Reason::Sleep => (3, 0, 0),
        Reason::Yield => (4, 0, 0),
        Reason::Wait => (5, 0, 0),
        Reason::Lock => (6, 0, 0),
        Reason::Acquire => (7, 0, 0),
        Reason::Event => (8, 0, 0),
        Reason::Send => (9, 0, 0),
        Reason::Recv => (10, 0, 0),
        Reason::Read => (11, 0, 0),
        Reason::Write => (12, 0, 0),
        Reason::Barrier => (13, 0, 0),
        Reason::Put => (14, 0, 0),
        Reason::Get => (15, 0, 0),
        Reason::QueueJoin => (16, 0, 0),
        Reason::Thread => (17, 0, 0),
        Reason::WaitAll => (18, 0, 0),
        Reason::WaitAny => (19, 0, 0),
        Reason::Scope => (20, 0, 0),
    };
    [kind, a, b]
}

/// The reason whose words are `words`.
///
/// # Safety
///
/// `words` must be what [`encode`] made of one reason (read in one seqlock version).
unsafe fn decode(words: Words) -> Option<Reason> {
    let [kind, a, b] = words;
    // The caller's promise: `(a, b)` are the address and length of a `&'static str` (or,
    // with length `usize::MAX`, the address of a `&'static Location`), written together.
    let path = || {
        // SAFETY: `(a, b)` are a `&'static str`'s address and length (see above).
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(a as *const u8, b)) }
    };
    let task = || {
        if b == usize::MAX {
            // SAFETY: `a` is a `&'static Location`'s address (see above).
            TaskName::site(unsafe { &*(a as *const Location<'static>) })
        } else {
            TaskName::path(path())
        }
    };
    Some(match kind {
        0 => return None,
        1 => Reason::Call(path()),
        2 => Reason::Join(task()),
        3 => Reason::Sleep,
        4 => Reason::Yield,
        5 => Reason::Wait,
        6 => Reason::Lock,
        7 => Reason::Acquire,
        8 => Reason::Event,
        9 => Reason::Send,
        10 => Reason::Recv,
        11 => Reason::Read,
        12 => Reason::Write,
        13 => Reason::Barrier,
        14 => Reason::Put,
        15 => Reason::Get,
        16 => Reason::QueueJoin,
        17 => Reason::Thread,
        18 => Reason::WaitAll,
        19 => Reason::WaitAny,
        _ => Reason::Scope,
    })
}

/// A task's latest pause stack: written by the thread that polls the task (one at a time),
/// read from any thread. A sequence lock over atomics: the writer makes `seq` odd, stores,
/// makes it even; a reader retries when `seq` changed under it. Every word it may read is
/// a `'static` address or a number, so a read never touches freed memory, whatever it
/// races with.
struct Slot {
    seq: AtomicUsize,
    /// The coarse time of the last pause and the state (`STATE_BITS`): one word, stored
    /// outside the sequence lock (a reader reads it whole).
    time: AtomicU64,
    /// Levels stored (at most `DEPTH`), and outer levels not kept.
    len: AtomicUsize,
    lost: AtomicUsize,
    /// What the innermost level waits on ([`encode`]).
    reason: [AtomicUsize; 3],
    inline: [AtomicPtr<Site>; INLINE],
    /// Levels past `INLINE`, allocated once, the first time a stack is that deep, and kept
    /// until the task goes (so no reader ever sees it freed).
    deeper: OnceLock<Box<[AtomicPtr<Site>]>>,
    /// The reason stored, as the writer compares it: read and written only by the thread
    /// polling the task.
    written: UnsafeCell<Option<Reason>>,
}

// SAFETY: every field but `written` is an atomic or a `OnceLock` of atomics; `written` is
// touched only by the thread polling the task (`StackCell::paused`), and async-task orders
// one poll of a task before the next (its state's atomics), whichever threads run them.
unsafe impl Sync for Slot {}

impl Slot {
    fn level(&self, index: usize) -> Option<&AtomicPtr<Site>> {
        match index.checked_sub(INLINE) {
            None => self.inline.get(index),
            Some(deeper) => self.deeper.get()?.get(deeper),
        }
    }

    /// Whether the `len` levels built on this thread are the ones stored. A stack deeper
    /// than `INLINE` is never taken for the one stored: it is stored again at each pause.
    #[inline(always)]
    fn holds(&self, b: &Building, len: usize) -> bool {
        len <= INLINE
            && self.len.load(Ordering::Relaxed) == len
            && (0..len).all(|i| {
                let built = b.sites[i]
                    .get()
                    .map_or(core::ptr::null(), core::ptr::from_ref);
                built == self.inline[i].load(Ordering::Relaxed).cast_const()
            })
    }
}

/// A task's pause stack, in its header: empty until its first pause.
pub(crate) struct StackCell(AtomicPtr<Slot>);

impl StackCell {
    pub(crate) const fn new() -> Self {
        StackCell(AtomicPtr::new(core::ptr::null_mut()))
    }

    #[inline(always)]
    fn slot(&self) -> Option<&Slot> {
        let slot = self.0.load(Ordering::Acquire);
        // SAFETY: a non-null pointer here came from `Box::into_raw` in `store_new`, and is
        // freed only by `Drop`, which has `&mut self`: while `&self` lives it is valid.
        (!slot.is_null()).then(|| unsafe { &*slot })
    }

    /// The task was woken: it waits for its turn (a pool's tasks only).
    #[inline(always)]
    pub(crate) fn mark_ready(&self) {
        if let Some(slot) = self.slot() {
            slot.time.store(READY, Ordering::Relaxed);
        }
    }

    /// The task's poll begins (a pool's tasks only).
    #[inline(always)]
    pub(crate) fn mark_running(&self) {
        if let Some(slot) = self.slot() {
            slot.time.store(RUNNING, Ordering::Relaxed);
        }
    }

    /// The task's poll returned `Pending`, waiting for `reason`: stores the stack this
    /// thread built if it is not the one stored, and the time. Only the thread polling the
    /// task calls this.
    ///
    /// `keeps_reason`: whether the cell keeps the reason too (a pool's; a single thread's
    /// registry keeps it in its entry already).
    #[inline(always)]
    pub(crate) fn paused(&self, reason: Option<Reason>, keeps_reason: bool) {
        let slot = self.slot();
        // Only the compare inside the thread-local's closure: its access stays inline.
        let (len, time, same) = BUILDING.with(|b| {
            let len = b.len.get();
            let same = slot.is_some_and(|slot| slot.holds(b, len));
            (len, b.coarse.get(), same)
        });
        if same
            && let Some(slot) = slot
            // SAFETY: only the thread polling the task touches `written` (see `Slot`).
            && (!keeps_reason || unsafe { *slot.written.get() } == reason)
        {
            // Paused where it paused last: only the time (one word, read whole).
            slot.time.store(time, Ordering::Relaxed);
            return;
        }
        let reason = reason.filter(|_| keeps_reason);
        BUILDING.with(|b| self.store_new(b, len, reason, time));
    }

    /// `paused` with a stack or a reason other than the one stored.
    #[cold]
    #[inline(never)]
    fn store_new(&self, b: &Building, len: usize, reason: Option<Reason>, time: u64) {
        let slot = match self.slot() {
            Some(slot) => slot,
            None => {
                let slot = Box::into_raw(Box::new(Slot {
                    seq: AtomicUsize::new(0),
                    time: AtomicU64::new(time),
                    len: AtomicUsize::new(0),
                    lost: AtomicUsize::new(0),
                    reason: Default::default(),
                    inline: Default::default(),
                    deeper: OnceLock::new(),
                    written: UnsafeCell::new(None),
                }));
                self.0.store(slot, Ordering::Release);
                // SAFETY: just made from a live `Box`; freed only by `Drop`.
                unsafe { &*slot }
            }
        };
        let kept = len.min(DEPTH);
        if kept > INLINE {
            slot.deeper.get_or_init(|| {
                (INLINE..DEPTH)
                    .map(|_| AtomicPtr::new(core::ptr::null_mut()))
                    .collect()
            });
        }
        let seq = slot.seq.load(Ordering::Relaxed);
        slot.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        for index in 0..kept {
            if let Some(stored) = slot.level(index) {
                let site = b.sites[ring_index(len, index)].get();
                let site = site.map_or(core::ptr::null(), core::ptr::from_ref);
                stored.store(site.cast_mut(), Ordering::Relaxed);
            }
        }
        slot.len.store(kept, Ordering::Relaxed);
        slot.lost.store(len - kept, Ordering::Relaxed);
        for (stored, word) in slot.reason.iter().zip(encode(reason)) {
            stored.store(word, Ordering::Relaxed);
        }
        // SAFETY: only the thread polling the task touches `written` (see `Slot`).
        unsafe { *slot.written.get() = reason };
        slot.time.store(time, Ordering::Relaxed);
        slot.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// The task's latest pause stack (empty if it never paused), and its state as a pool
    /// stores it.
    pub(crate) fn read(&self) -> Snapshot {
        let Some(slot) = self.slot() else {
            return Snapshot::default();
        };
        // A writer stores a few words: a reader that keeps losing the race to it (a task
        // that pauses and wakes in a tight loop) gives up after a while and says so.
        for _ in 0..1_000 {
            let seq = slot.seq.load(Ordering::Acquire);
            if seq % 2 == 1 {
                core::hint::spin_loop();
                continue;
            }
            let len = slot.len.load(Ordering::Relaxed).min(DEPTH);
            let sites: Vec<*const Site> = (0..len)
                .filter_map(|i| {
                    slot.level(i)
                        .map(|s| s.load(Ordering::Relaxed).cast_const())
                })
                .collect();
            let lost = slot.lost.load(Ordering::Relaxed);
            let reason = [0, 1, 2].map(|i| slot.reason[i].load(Ordering::Relaxed));
            let time = slot.time.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if slot.seq.load(Ordering::Relaxed) != seq {
                continue;
            }
            let sites: Vec<&'static Site> = sites
                .into_iter()
                .filter(|site| !site.is_null())
                // SAFETY: every non-null word stored is a `&'static Site` (`store_new`).
                .map(|site| unsafe { &*site })
                .collect();
            return Snapshot {
                state: match time & ((1 << STATE_BITS) - 1) {
                    RUNNING => TaskState::Running,
                    PAUSED => TaskState::Paused,
                    _ => TaskState::Ready,
                },
                // Stored innermost first: the snapshot lists the outer level first.
                sites: sites.into_iter().rev().collect(),
                lost,
                // SAFETY: the words were read within one version (`seq` did not change),
                // so they are one reason `encode` made.
                reason: unsafe { decode(reason) },
                paused_for: ago(time),
            };
        }
        Snapshot {
            state: TaskState::Running,
            ..Snapshot::default()
        }
    }
}

impl StackCell {
    /// The address of its slot (0 before its first pause), for the slow-poll watchdog,
    /// which reads it with [`read_at`] while the task's poll runs.
    #[inline(always)]
    pub(crate) fn address(&self) -> usize {
        self.0.load(Ordering::Acquire) as usize
    }
}

/// Set once the slow-poll watchdog runs: from then on a slot is not freed with its task but
/// retired, and freed by the watchdog between two of its looks (`free_retired`), so that
/// one it is reading (the slot of a task whose poll it saw running) is never freed under it.
static RETIRING: AtomicBool = AtomicBool::new(false);

/// Slots retired since the watchdog's last look, as the pointers `Box::into_raw` made (not
/// as boxes: a box claims its slot is its own alone, and the watchdog may still read it).
static RETIRED: Mutex<Vec<Retired>> = Mutex::new(Vec::new());

/// A retired slot's pointer.
struct Retired(*mut Slot);

// SAFETY: a `Slot` is `Send + Sync`; the pointer is only turned back into its box, once, by
// `free_retired`.
unsafe impl Send for Retired {}

/// The watchdog starts: slots are retired from now on (see `RETIRING`).
pub(crate) fn retire_from_now() {
    RETIRING.store(true, Ordering::SeqCst);
}

/// Frees the slots retired so far: the watchdog calls it before it reads any lane, never
/// while it holds a slot's address.
pub(crate) fn free_retired() {
    let retired = core::mem::take(&mut *lock(&RETIRED));
    for Retired(slot) in retired {
        // SAFETY: made by `Box::into_raw` in `store_new`, retired once by its cell's drop,
        // and no longer read: the watchdog holds no slot's address now.
        drop(unsafe { Box::from_raw(slot) });
    }
}

/// The pause stack in the slot at `address`.
///
/// # Safety
///
/// `address` is 0, or a slot's address ([`StackCell::address`]) read by the watchdog
/// thread, within one version of a lane's sequence lock, as the address of the task whose
/// poll that version says is running; and that thread has not called [`free_retired`]
/// since. (The task was alive at that read, so its slot was not retired then; retired
/// later, it waits for `free_retired`.)
pub(crate) unsafe fn read_at(address: usize) -> Snapshot {
    if address == 0 {
        return Snapshot::default();
    }
    // The caller's promise: the slot is not freed before this thread's next
    // `free_retired`, so the cell's reads (`StackCell::slot`) find it alive.
    let cell = StackCell(AtomicPtr::new(address as *mut Slot));
    let snapshot = cell.read();
    core::mem::forget(cell); // it does not own the slot
    snapshot
}

impl Drop for StackCell {
    fn drop(&mut self) {
        let slot = *self.0.get_mut();
        if slot.is_null() {
            return;
        }
        if RETIRING.load(Ordering::SeqCst) {
            lock(&RETIRED).push(Retired(slot));
        } else {
            // SAFETY: made by `Box::into_raw` in `store_new`, freed only here, once (no
            // watchdog runs, so nobody else reads it).
            drop(unsafe { Box::from_raw(slot) });
        }
    }
}

/// A pause stack as read: outer level first.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) state: TaskState,
    pub(crate) sites: Vec<&'static Site>,
    pub(crate) lost: usize,
    pub(crate) reason: Option<Reason>,
    pub(crate) paused_for: Option<Duration>,
}

impl Snapshot {
    /// The stack as the deadlock, slow-poll and panic reports print it: a line per level,
    /// outer first, under the line that names the task (empty when it never paused).
    pub(crate) fn report_lines(&self) -> String {
        use core::fmt::Write as _;
        let mut lines = String::new();
        for site in &self.sites {
            let _ = write!(lines, "\n      {} at {}", site.function(), site.location());
        }
        if self.lost > 0 {
            let _ = write!(lines, "\n      ({} inner levels not kept)", self.lost);
        }
        lines
    }
}

/// The stack of the root of a blocking `run_until_finished` (polled in place, with no
/// task header): kept by its loop, on its thread.
#[derive(Default)]
pub(crate) struct RootStack {
    stored: core::cell::RefCell<Snapshot>,
    /// The coarse time of its last pause, as a stored word.
    time: Cell<u64>,
}

impl RootStack {
    /// The root's poll returned `Pending`, waiting for `reason`.
    pub(crate) fn paused(&self, reason: Option<Reason>) {
        let (sites, lost) = built();
        *self.stored.borrow_mut() = Snapshot {
            state: TaskState::Paused,
            sites,
            lost,
            reason,
            paused_for: None,
        };
        self.time
            .set(BUILDING.try_with(|b| b.coarse.get()).unwrap_or(0));
    }

    /// Its latest pause stack (empty, `Ready`, before its first pause).
    pub(crate) fn read(&self) -> Snapshot {
        let mut snapshot = self.stored.borrow().clone();
        snapshot.paused_for = ago(self.time.get());
        snapshot
    }
}
