//! Pause stacks: where a paused task is, as the chain of `#[task]` calls from its root to
//! the innermost pause point, each with its `file:line`.
//!
//! Every pause point of a `#[task]` body has one [`Site`] (the fn it is in, and its
//! `file:line:col`), which the macro makes in the task fn. The body awaits the pause point
//! through [`At`], which holds what names its site beside the future ([`Locate`]): in a
//! debug build the site's address ([`SiteRef`]: one word in the await's state, and no code
//! or type of its own per pause point, which the compiler would pay for at every call), in
//! an optimized build nothing (a unit struct per pause point names its site by type: the
//! task's state is an `async fn`'s, and the code per pause point is inlined anyway).
//! Only when the await returns `Pending` does `At` push the site's address onto this
//! thread's stack being built, innermost first: nothing on the `Ready` path. A poll begins by
//! resetting the stack's length ([`begin`]); when it returns `Pending`, the task compares
//! what was built with the stack its [`StackCell`] (two words in its header) points to,
//! and stores only what changed: a task that pauses where it paused last (a loop's `recv`, a `yield_now`) stores one word, the coarse time of the
//! pause. Stacks are interned ([`Stored`]): every task paused at the same place shares
//! one, so a paused task holds no allocation of its own for its stack, and a reader on any
//! thread gets a whole stack by loading one pointer.
//!
//! A pause point that waits on several futures at once (`select!`) marks a branch around
//! each one it polls ([`branch_begins`], [`branch_ends`]), and one that polled a future
//! but does not pause there (an arm won, a timeout fired, a `wait(..)` of another library's
//! combinator was ready) forgets what that future pushed ([`back_to`], [`Forgets`]). A
//! reader turns the markers back into branches ([`Snapshot::frames`]).
//!
//! What the innermost level waits on is the pause's [`Reason`], which the library's pause
//! point notes as it returns `Pending` (`reason.rs`), stored with the stack when it changed.
//!
//! Since when: the time a loop last read its *coarse clock* (see [`tick`]), which it does
//! where it waits anyway (before it parks, when it wakes, when it lets the reactor look for
//! timers every 128 jobs): no clock read per poll, and a pause is dated to within those
//! 128 polls.
//!
//! A task's state (running, ready, paused): a pool, whose queues nobody can list, stores
//! ready (as a task is woken) and paused (with the time) in the cell (`Schedule::STATES`),
//! and tells the running ones from what its workers publish (`SharedCounters::running`),
//! so that a poll stores nothing as it starts; a single-threaded loop tells all three from
//! its queues and from the task whose poll began last on its thread when a dump asks.

use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use core::task::{Context, Poll};
use std::borrow::Cow;
use std::collections::HashSet;
use std::panic::Location;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::lock::lock;
use crate::names::{TaskName, display_path};
use crate::reason::Reason;

/// The most levels a stack keeps; a deeper one keeps its outer levels (and says how many
/// inner ones it lost).
pub(crate) const DEPTH: usize = 32;

/// How many interned stacks a thread remembers (see [`intern`]).
const RECENT: usize = 8;

/// A pause point of a `#[task]` body: the fn it is in, and where. The macro makes one per
/// pause point in its fn, so a stack level is one pointer to it.
///
/// In a debug build the pause point's [`Locate`] is its address (a `const` [`SiteRef`]:
/// its [`At`] holds that word); in an optimized build it is a `static` in the `Locate`
/// impl of a unit struct the macro makes for the pause point, so that its `At` holds
/// nothing.
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

/// What names a pause point's [`Site`] in the [`At`] a `#[task]` body awaits, which holds
/// it: the site's address ([`SiteRef`], a debug build: one word in the await's state), or
/// a unit struct the macro makes per pause point in an optimized build, whose impl gives
/// its site's `static` (nothing in the await's state: the type names the site, and the
/// compiler makes an `At` of its own, and its poll, per pause point, which an optimized
/// build inlines anyway).
///
/// The library's `sites!` chooses by `cfg(debug_assertions)`, evaluated in the user's
/// crate: a debug build compiles one `At::poll` per pause type, as fast to build as a
/// pointer allows; an optimized one keeps the task's state as small as the same `async
/// fn`'s. The pause point's call (`step(__SCHEDULER_SITE_i)`) is the same in both.
pub trait Locate: Copy + 'static {
    /// The site.
    fn site(self) -> &'static Site;
}

/// A site's address, as a debug build's [`At`] holds it: a type without a lifetime
/// parameter, so that `SiteRef: Locate` is one proof for the compiler, where `&'static
/// Site: Locate` was proven again at each pause point by the borrow checker (its regions
/// are renumbered there): 55 M more compiler instructions on a 40-fn program, 2.3%.
///
/// The macro makes it a `const` (`SiteRef(&Site::here(..))`) of the task fn, not a
/// `static` (which cost the compiler 1.5% more): a `const`'s site is emitted once per
/// codegen unit that uses it, so two instances of a *generic* task fn may name one pause
/// point by two addresses (their stacks are then stored apart; a dump shows the same
/// `fn` and `file:line` for both).
#[derive(Clone, Copy, Debug)]
pub struct SiteRef(pub &'static Site);

// Not `#[inline]`: a debug build (the only one that uses it) then calls the library's one
// copy, instead of compiling one into each of its codegen units.
impl Locate for SiteRef {
    fn site(self) -> &'static Site {
        self.0
    }
}

// A site is its one static: two are the same pause point when they are the same static.
impl PartialEq for Site {
    fn eq(&self, other: &Site) -> bool {
        core::ptr::eq(self, other)
    }
}

impl Eq for Site {}

impl core::hash::Hash for Site {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        core::ptr::from_ref(self).hash(state);
    }
}

/// This thread's stack being built during a poll, innermost level first.
struct Building {
    /// Levels pushed in this poll (may exceed `DEPTH`: the rest were not kept).
    len: Cell<usize>,
    /// This thread's coarse clock, as the word a pause stores: nanoseconds since [`epoch`]
    /// when its loop last read it, shifted left past the state bits, and `PAUSED`.
    coarse: Cell<u64>,
    /// The header's address (`Meta::address`) of the task whose poll began last on this
    /// thread (0 for a root polled in place): the running one while this thread is in a
    /// poll (`context::current_task`).
    polling: Cell<usize>,
    /// A ring: the first `len` (or all, past `DEPTH`) are this poll's.
    sites: [Cell<Option<&'static Site>>; DEPTH],
    /// The interned stacks this thread stored last (a task that pauses at two places in
    /// turn finds both here, without the table's lock), and where the next one goes.
    recent: [Cell<Option<&'static Stored>>; RECENT],
    next_recent: Cell<usize>,
}

thread_local! {
    /// Everything this module keeps per thread, in one place (one thread-local access).
    static BUILDING: Building = const {
        Building {
            len: Cell::new(0),
            coarse: Cell::new(PAUSED),
            polling: Cell::new(0),
            sites: [const { Cell::new(None) }; DEPTH],
            recent: [const { Cell::new(None) }; RECENT],
            next_recent: Cell::new(0),
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

/// A poll of the task whose header is at `header` (`Meta::address`; 0: a root polled in
/// place) begins on this thread: what the last one pushed is forgotten. `note`: whether
/// to note which task it is, for [`polling`] (a pool's dump asks its workers instead).
#[inline(always)]
pub(crate) fn begin(header: usize, note: bool) {
    BUILDING.with(|b| {
        b.len.set(0);
        if note {
            b.polling.set(header);
        }
    });
}

/// Whether the task whose header is at `header` is the one whose poll began last on this
/// thread (the running one, if this thread is in a task's poll).
pub(crate) fn polling(header: usize) -> bool {
    BUILDING
        .try_with(|b| b.polling.get() == header)
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

/// The markers a pause point that waits on several futures at once (`select!`) pushes
/// around each one it polls, so that a stack holds a branch per future still pending: the
/// future's levels, innermost first, between `BRANCH_BEGINS` (pushed before its poll) and
/// `BRANCH_ENDS` (after it), then the pause point's own level. Read outer level first, a
/// branch is the levels between a `BRANCH_ENDS` and its `BRANCH_BEGINS` ([`Snapshot::frames`]).
static BRANCH_BEGINS: Site = Site::here(no_name);
static BRANCH_ENDS: Site = Site::here(no_name);

/// Whether `site` is one of the markers of a branch.
fn is_marker(site: &Site) -> bool {
    core::ptr::eq(site, &BRANCH_BEGINS) || core::ptr::eq(site, &BRANCH_ENDS)
}

/// The name of a marker (never shown).
fn no_name() -> &'static str {
    ""
}

/// How many levels this thread's stack being built has: where a pause point that waits on
/// several futures may come back to ([`back_to`]).
#[inline]
pub(crate) fn mark() -> usize {
    BUILDING.try_with(|b| b.len.get()).unwrap_or(0)
}

/// Forgets the levels pushed since [`mark`] gave `mark`: a future polled in this poll
/// returned `Pending`, but the pause point around it did not (the other arm of a
/// `select!` won, a timeout fired), so this poll does not pause there.
#[cold]
pub(crate) fn back_to(mark: usize) {
    let _ = BUILDING.try_with(|b| {
        let len = b.len.get();
        if mark >= len {
            return;
        }
        // Past `DEPTH` levels, the ones pushed since `mark` overwrote older ones in the
        // ring: those are lost (and skipped when the stack is read).
        for index in mark.saturating_sub(DEPTH)..len.saturating_sub(DEPTH).min(mark) {
            b.sites[index % DEPTH].set(None);
        }
        b.len.set(mark);
    });
}

pin_project_lite::pin_project! {
    /// A future that forgets, when it is ready, what the futures it polled pushed on the
    /// pause stack: the future of `wait(..)`, which may be a combinator of other libraries
    /// (a `futures::select` of two `#[task]` calls, one paused, the other done), so that
    /// nothing of a future that was polled and did not pause the task is left for the
    /// task's next pause to show as its inner levels. On `Pending` what was pushed is where
    /// the task is.
    #[derive(Debug)]
    pub(crate) struct Forgets<F> {
        #[pin]
        fut: F,
    }
}

impl<F> Forgets<F> {
    /// `fut`, forgetting its levels when it is ready.
    pub(crate) fn new(fut: F) -> Self {
        Forgets { fut }
    }
}

impl<F: Future> Future for Forgets<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mark = mark();
        let poll = self.project().fut.poll(cx);
        if poll.is_ready() && mark != self::mark() {
            back_to(mark);
        }
        poll
    }
}

/// Marks the beginning of a branch (before the poll of one of several futures).
#[inline]
pub(crate) fn branch_begins() {
    push(&BRANCH_BEGINS);
}

/// Marks the end of a branch (its future's poll returned `Pending`).
#[inline]
pub(crate) fn branch_ends() {
    push(&BRANCH_ENDS);
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
            let sites: Vec<_> = (0..kept)
                .rev()
                .filter_map(|index| b.sites[ring_index(len, index)].get())
                .collect();
            let lost = len - sites.len();
            (sites, lost)
        })
        .unwrap_or_default()
}

/// The `#[task]` calls the poll that just returned `Pending` paused inside, outer first,
/// not counting `task`'s own body: for the trace's nested slices (read only while tracing).
pub(crate) fn calls(task: TaskName) -> Vec<&'static str> {
    let (sites, _) = built();
    let own = task.parts().ok().map(display_path);
    // The task's own chain: a pause point that waits on several futures is its innermost
    // level here, its branches are not (one slice can have one parent).
    let mut calls: Vec<&'static str> = sites
        .iter()
        .take_while(|site| !is_marker(site))
        .map(|site| site.function())
        .collect();
    if !calls.is_empty() && own == Some(calls[0]) {
        calls.remove(0);
    }
    calls
}

// The fields are documented in the struct's doc (the macro takes no field docs).
#[allow(missing_docs)]
mod at {
    pin_project_lite::pin_project! {
        /// A pause point's future as a `#[task]` body awaits it, with what names its site
        /// (see [`Locate`](super::Locate)): the address of the pause point's `Site` in a
        /// debug build, a unit struct (nothing) in an optimized one.
        ///
        /// Its fields are public for one reason: the compiler then sees, from the user's
        /// crate, that an `At` of a plain call's `Never` has no values either, so that arm's
        /// await stays unreachable (a private field would count the struct as inhabited, and
        /// a lock guard held across a plain call would make the task `!Send`).
        pub struct At<F, S = super::SiteRef> {
            // The pause point's future.
            #[pin]
            pub fut: F,
            // What names the pause point's site.
            pub site: S,
        }
    }
}
pub use at::At;

impl<F, S: Locate> At<F, S> {
    /// `fut`, awaited at the pause point `site`.
    #[inline]
    pub(crate) fn new(fut: F, site: S) -> Self {
        At { fut, site }
    }
}

impl<F: Future, S: Locate> Future for At<F, S> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let poll = this.fut.poll(cx);
        if poll.is_pending() {
            push(this.site.site());
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
const PAUSED: u64 = 2;

/// How many levels a stack may have for [`Stored::holds_short`], the compare every pause
/// makes (a deeper one is looked up in [`intern`]).
const SHORT: usize = 3;

/// [`Stored::short_len`] of a stack deeper than [`SHORT`] (and of [`NEVER`]): no length
/// pushed equals it.
const NOT_SHORT: usize = usize::MAX;

/// A pause stack as a task's cell points to it: interned, so every task paused at the same
/// place (a million workers on one `recv`) shares one, and never freed, so that a reader on
/// any thread gets a whole stack by loading one pointer, with no lock and no retry, and
/// the slow-poll watchdog may keep it past the task's end.
#[derive(PartialEq, Eq, Hash)]
struct Stored {
    /// Innermost level first, as [`Building`] pushes them (borrowed only in [`NEVER`]).
    sites: Cow<'static, [&'static Site]>,
    /// Inner levels not kept.
    lost: usize,
    /// What the innermost level waits on, where the cell keeps it (a pool's).
    reason: Option<Reason>,
    /// The levels pushed, if at most [`SHORT`] (else [`NOT_SHORT`]), and those levels
    /// (`None` past them): what [`holds_short`](Self::holds_short) compares, in the
    /// stack itself (one load less than through `sites`).
    short_len: usize,
    short: [Option<&'static Site>; SHORT],
    /// Its one level's site as a [`word`] (0 for a level not kept), if it has one level;
    /// else `usize::MAX`, which no level built is.
    one: usize,
    /// Whether `reason` is [`plain`]: then a pause compares a reason with it by kind.
    plain: bool,
}

/// The stack of a task that never paused: what a new cell points to, so that a pause
/// compares with it like with any other (no null to test first).
static NEVER: Stored = Stored {
    sites: Cow::Borrowed(&[]),
    lost: 0,
    reason: None,
    short_len: NOT_SHORT,
    short: [None; SHORT],
    one: usize::MAX,
    plain: true,
};

/// A site as a word, for a compare that is one instruction (`None`: 0).
#[inline(always)]
fn word(site: Option<&'static Site>) -> usize {
    site.map_or(0, |site| core::ptr::from_ref(site) as usize)
}

/// Whether `reason` names nothing (none, or a kind of wait with no payload), so that
/// [`StackCell::paused`] may compare it by its kind alone.
fn plain(reason: Option<Reason>) -> bool {
    reason.is_none_or(|reason| !reason.names_something())
}

impl Stored {
    /// A stack of `sites` (innermost first) with `lost` inner levels not kept.
    fn new(sites: Vec<&'static Site>, lost: usize, reason: Option<Reason>) -> Stored {
        let len = sites.len() + lost;
        let mut short = [None; SHORT];
        if len <= SHORT {
            for (slot, site) in short.iter_mut().zip(&sites) {
                *slot = Some(*site);
            }
        }
        Stored {
            sites: Cow::Owned(sites),
            lost,
            reason,
            short_len: if len <= SHORT { len } else { NOT_SHORT },
            short,
            one: if len == 1 { word(short[0]) } else { usize::MAX },
            plain: plain(reason),
        }
    }

    /// Whether this is the stack built in this poll, if it is at most [`SHORT`] levels
    /// deep (the reason aside): the compare every pause makes, short enough to stay inline.
    #[inline(always)]
    fn holds_short(&self, b: &Building) -> bool {
        let len = b.len.get();
        let first = word(b.sites[0].get());
        if len == 1 {
            // The common case first, in one compare.
            return first == self.one;
        }
        len == self.short_len
            && (len < 1 || first == word(self.short[0]))
            && (len < 2 || word(b.sites[1].get()) == word(self.short[1]))
            && (len < 3 || word(b.sites[2].get()) == word(self.short[2]))
    }

    /// Whether this is the stack of `len` levels built on this thread, waiting for `reason`.
    #[inline]
    fn holds(&self, b: &Building, len: usize, reason: Option<Reason>) -> bool {
        self.sites.len() + self.lost == len
            && self.reason == reason
            && self.sites.iter().enumerate().all(|(index, site)| {
                b.sites[ring_index(len, index)]
                    .get()
                    .is_some_and(|built| core::ptr::eq(built, *site))
            })
    }
}

/// The interned stack of `len` levels built on this thread, waiting for `reason`: from the
/// thread's few most recent ones if it is there, else from the process's table (a lock),
/// else made and leaked. There are as many as the program has distinct places to pause
/// (each `#[task]` call chain to a pause point, up to [`DEPTH`] levels, with its reason).
#[cold]
#[inline(never)]
fn intern(b: &Building, len: usize, reason: Option<Reason>) -> &'static Stored {
    let recent = &b.recent;
    if let Some(found) = recent
        .iter()
        .filter_map(Cell::get)
        .find(|stored| stored.holds(b, len, reason))
    {
        return found;
    }
    let kept = len.min(DEPTH);
    let sites: Vec<&'static Site> = (0..kept)
        .filter_map(|index| b.sites[ring_index(len, index)].get())
        .collect();
    let lost = len - sites.len();
    let wanted = Stored::new(sites, lost, reason);
    static TABLE: OnceLock<Mutex<HashSet<&'static Stored>>> = OnceLock::new();
    let mut table = lock(TABLE.get_or_init(Default::default));
    let stored = match table.get(&wanted) {
        Some(stored) => *stored,
        None => {
            let stored: &'static Stored = Box::leak(Box::new(wanted));
            table.insert(stored);
            stored
        }
    };
    drop(table);
    let next = b.next_recent.get();
    recent[next % RECENT].set(Some(stored));
    b.next_recent.set(next.wrapping_add(1));
    stored
}

/// A task's latest pause stack, in its header: the interned stack (null until its first
/// pause) and the coarse time of that pause with the task's state in its low bits. Written
/// only by the thread polling the task (one at a time), read from any thread.
pub(crate) struct StackCell {
    stack: AtomicPtr<Stored>,
    time: AtomicU64,
}

impl StackCell {
    pub(crate) const fn new() -> Self {
        StackCell {
            stack: AtomicPtr::new(core::ptr::from_ref(&NEVER).cast_mut()),
            time: AtomicU64::new(READY),
        }
    }

    /// The interned stack ([`NEVER`] until the task's first pause).
    #[inline(always)]
    fn stored(&self) -> &'static Stored {
        let stored = self.stack.load(Ordering::Acquire);
        // SAFETY: the pointer is `NEVER`'s or one `intern` leaked (`Box::leak`): a
        // `&'static Stored`, never freed.
        unsafe { &*stored }
    }

    /// The task was woken: it waits for its turn (a pool's tasks only).
    #[inline(always)]
    pub(crate) fn mark_ready(&self) {
        self.time.store(READY, Ordering::Relaxed);
    }

    /// The task's poll returned `Pending`, waiting for `reason`: points the cell at the
    /// stack this thread built if it is not the one stored, and stores the time. Only the
    /// thread polling the task calls this.
    ///
    /// `keeps_reason`: whether the cell keeps the reason too (a pool's; a single thread's
    /// registry keeps it in its entry already).
    #[inline(always)]
    pub(crate) fn paused(&self, reason: Option<Reason>, keeps_reason: bool) {
        let reason = reason.filter(|_| keeps_reason);
        // Only this thread stores the pointer: a relaxed load sees its own last store.
        // SAFETY: as in `stored`.
        let stored = unsafe { &*self.stack.load(Ordering::Relaxed) };
        // Only the compare inside the thread-local's closure: its access stays inline.
        let (time, same) = BUILDING.with(|b| (b.coarse.get(), stored.holds_short(b)));
        // Without `keeps_reason`, every stored reason is `None`.
        // A reason that names something (a join's task) is compared on the slow path.
        let same_reason = || {
            stored.plain
                && match (stored.reason, reason) {
                    (None, None) => true,
                    (Some(a), Some(b)) => {
                        core::mem::discriminant(&a) == core::mem::discriminant(&b)
                    }
                    _ => false,
                }
        };
        if !same || (keeps_reason && !same_reason()) {
            self.store_new(reason);
        }
        self.time.store(time, Ordering::Relaxed);
    }

    /// `paused` with a stack other than the one stored.
    #[cold]
    #[inline(never)]
    fn store_new(&self, reason: Option<Reason>) {
        let new = BUILDING.with(|b| intern(b, b.len.get(), reason));
        self.stack
            .store(core::ptr::from_ref(new).cast_mut(), Ordering::Release);
    }

    /// The task's latest pause stack (empty if it never paused), and its state as a pool
    /// stores it: paused or ready (which task runs, a pool tells from its workers).
    pub(crate) fn read(&self) -> Snapshot {
        let time = self.time.load(Ordering::Relaxed);
        let mut snapshot = self.stored().snapshot();
        snapshot.state = match time & ((1 << STATE_BITS) - 1) {
            PAUSED => TaskState::Paused,
            _ => TaskState::Ready,
        };
        snapshot.paused_for = ago(time);
        snapshot
    }

    /// The address of its stack ([`NEVER`]'s before its first pause): for the slow-poll watchdog,
    /// which reads it with [`read_at`] while the task's poll runs (the stack it was resumed
    /// from, as the poll began).
    #[inline(always)]
    pub(crate) fn address(&self) -> usize {
        self.stack.load(Ordering::Relaxed) as usize
    }
}

impl Stored {
    /// The stack as a snapshot (outer level first), with no state or time.
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            state: TaskState::Paused,
            sites: self.sites.iter().rev().copied().collect(),
            lost: self.lost,
            reason: self.reason,
            paused_for: None,
        }
    }
}

/// The pause stack at `address`, as [`StackCell::address`] gave it (0: none, as for a
/// task that never paused).
pub(crate) fn read_at(address: usize) -> Snapshot {
    let stored = address as *const Stored;
    if stored.is_null() {
        return Snapshot::default();
    }
    // SAFETY: a non-zero address a cell gives is `NEVER`'s or a leaked `&'static Stored`
    // (`intern`), never freed, whether or not its task still lives.
    unsafe { &*stored }.snapshot()
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

/// A level of a pause stack as it is shown: its site, and the branch it is on.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub(crate) site: &'static Site,
    /// From the outermost pause point that waits on several futures (`select!`) inward:
    /// the index of the branch this level is on among that pause point's pending ones, and
    /// how many those are. Empty on the task's own chain.
    pub(crate) branch: Vec<(usize, usize)>,
}

/// The branches a level on `branch` is on that the level before it (on `before`) was not,
/// each with its depth: where a reader of the stack is told that a branch begins.
pub(crate) fn branches_entered<'a>(
    branch: &'a [(usize, usize)],
    before: &[(usize, usize)],
) -> impl Iterator<Item = (usize, (usize, usize))> + 'a {
    let same = branch
        .iter()
        .zip(before)
        .take_while(|(this, that)| this == that)
        .count();
    branch.iter().copied().enumerate().skip(same)
}

/// A level of a stack read from its markers: a site, and the branches of the futures it
/// waits on, each a chain of its own.
struct Node {
    site: &'static Site,
    branches: Vec<Vec<Node>>,
}

/// The chain of levels `levels` gives (outer first) up to the end of the branch it is in
/// (`nested`) or to the end. Its branches come innermost first here, as each arm of a
/// `select!` was polled, so the last one first: they are put back in order.
fn read_chain(levels: &mut core::slice::Iter<'_, &'static Site>, nested: bool) -> Vec<Node> {
    let mut chain: Vec<Node> = Vec::new();
    while let Some(&site) = levels.next() {
        if core::ptr::eq(site, &BRANCH_BEGINS) {
            // Read outer first, a branch's first marker is its end. A stray one (its
            // pair among inner levels not kept) is skipped.
            if nested {
                break;
            }
        } else if core::ptr::eq(site, &BRANCH_ENDS) {
            let branch = read_chain(levels, true);
            match chain.last_mut() {
                Some(node) => node.branches.push(branch),
                // Branches with no level above them (outer ones not kept): shown in line.
                None => chain.extend(branch),
            }
        } else {
            chain.push(Node {
                site,
                branches: Vec::new(),
            });
        }
    }
    for node in &mut chain {
        node.branches.reverse();
    }
    chain
}

/// Appends `chain`'s levels to `frames`, each branch after the level it branches from.
fn flatten(chain: Vec<Node>, branch: &mut Vec<(usize, usize)>, frames: &mut Vec<Frame>) {
    for node in chain {
        frames.push(Frame {
            site: node.site,
            branch: branch.clone(),
        });
        let count = node.branches.len();
        for (index, inner) in node.branches.into_iter().enumerate() {
            branch.push((index, count));
            flatten(inner, branch, frames);
            branch.pop();
        }
    }
}

impl Snapshot {
    /// The stack's levels as they are shown, outer first: the task's own chain, and after
    /// a pause point that waits on several futures (`select!`), the levels of each one
    /// still pending, branch by branch.
    pub(crate) fn frames(&self) -> Vec<Frame> {
        let mut frames = Vec::with_capacity(self.sites.len());
        flatten(
            read_chain(&mut self.sites.iter(), false),
            &mut Vec::new(),
            &mut frames,
        );
        frames
    }

    /// The stack as the deadlock, slow-poll and panic reports print it: a line per level,
    /// outer first, under the line that names the task (empty when it never paused); the
    /// levels of a branch under a line that names it, indented.
    pub(crate) fn report_lines(&self) -> String {
        use core::fmt::Write as _;
        let mut lines = String::new();
        let mut on: &[(usize, usize)] = &[];
        let frames = self.frames();
        for frame in &frames {
            for (depth, (index, count)) in branches_entered(&frame.branch, on) {
                let indent = "  ".repeat(depth);
                let _ = write!(lines, "\n      {indent}branch {} of {count}:", index + 1);
            }
            on = &frame.branch;
            let indent = "  ".repeat(frame.branch.len());
            let (function, location) = (frame.site.function(), frame.site.location());
            let _ = write!(lines, "\n      {indent}{function} at {location}");
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
