//! A hierarchical timer wheel: the timers of one run loop (a single-threaded scheduler, or
//! one worker of a pool), the design of Varghese and Lauck that tokio's and Kotlin's
//! schedulers use too.
//!
//! Time is counted in ticks of [`TICK_NANOS`] (524 µs) from the wheel's origin. The wheel
//! has [`LEVELS`] levels of 64 slots; a slot of level `L` spans `64^L` ticks, so level 0
//! holds the timers due in the next 64 ticks (33.5 ms) one tick per slot, level 1 the next
//! 64 × 64 ticks (2.1 s) in slots of 33.5 ms, and so on up to 73 years. A timer goes in the
//! lowest level whose current span holds its deadline. When the run loop processes the
//! wheel, it takes the earliest occupied slot that is due: a level-0 slot fires all its
//! timers; a slot of a higher level moves its timers down (each into the level its deadline
//! now falls in, or fires those due). So inserting and cancelling cost O(1), and a timer
//! moves down at most `LEVELS - 1` times in its life.
//!
//! A deadline is rounded up to a tick, so a timer never fires before its deadline, and at
//! most one tick after it (plus the time the loop takes to wake up, and to get there when it
//! is busy: it fires due timers between polls, once every 128 jobs, and before it parks).
//!
//! A slot is a doubly linked list threaded through a [`Slab`] of entries (indices, no
//! pointers), which is how a timer is cancelled in O(1) from its key. The entry stays in the
//! slab after it fired, until its [`Sleep`](super::Sleep) sees it: the key is owned by that
//! one sleep, from insertion to removal.
//!
//! The wheel sits behind a `Mutex`: the loop that owns it inserts and fires without
//! contention; another thread only takes the lock to re-register or cancel a timer that was
//! moved there, or, in a pool, to fire the timers of a worker busy in a long poll.

use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use core::task::Waker;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use slab::Slab;

/// The length of a tick, in nanoseconds: a power of two, so that ticks are a shift away.
///
/// 2^19 ns (524 µs): the timers due within one tick fire together, after one wake-up of
/// the loop. A finer tick wakes the loop more often for the same timers: in the benchmark
/// of 1,000 tasks sleeping 1 ms in a loop (`benches/timers.rs`), 65.5 µs ticks cost 1.6x
/// tokio's CPU for a median lateness of 0.11 ms, 262 µs ticks 1.3x for 0.32 ms, and 524 µs
/// ticks 1.0x for 0.57 ms (tokio, with 1 ms ticks: 1.43 ms).
pub(crate) const TICK_NANOS: u64 = 1 << TICK_SHIFT;
const TICK_SHIFT: u32 = 19;

/// Bits of a deadline that pick the slot of one level: 64 slots.
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS as u64 - 1;

/// Levels: 64^7 ticks of 524 µs is 73 years, past the farthest deadline the wheel holds
/// (a timer farther away goes to async-io's reactor).
const LEVELS: usize = 7;

/// No entry: the end of a slot's list.
const NIL: u32 = u32::MAX;

/// In `next_tick`: no timer is waiting.
const NO_TIMER: u64 = u64::MAX;

/// Where an entry is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    /// In the list of this level's slot.
    Slot { level: u8, slot: u8 },
    /// Fired: its waker was taken and woken; its sleep is ready.
    Fired,
}

/// One timer.
struct Entry {
    /// The tick it is due at.
    deadline: u64,
    /// Its exact deadline, in nanoseconds from the origin: timers that fire together are
    /// woken in this order (sleepers wake in deadline order).
    at: u64,
    /// Woken when it fires (the latest registered).
    waker: Option<Waker>,
    place: Place,
    prev: u32,
    next: u32,
}

/// One level: the head and tail of each slot's list, and which slots are not empty.
struct Level {
    occupied: u64,
    heads: [u32; SLOTS],
    tails: [u32; SLOTS],
}

/// What the lock guards.
struct Inner {
    /// Every deadline up to this tick has fired.
    elapsed: u64,
    levels: [Level; LEVELS],
    entries: Slab<Entry>,
    /// Entries in slots (not fired), for [`Wheel::pending`].
    waiting: usize,
}

/// Why a timer was not inserted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Its deadline has passed: it is due now.
    Due,
    /// Its deadline is beyond the wheel's range (73 years), or the wheel was closed (its
    /// scheduler is gone): another clock must keep it.
    Elsewhere,
}

/// One run loop's timers: see the module docs.
pub(crate) struct Wheel {
    /// Tick 0.
    origin: Instant,
    inner: Mutex<Inner>,
    /// The tick of the earliest occupied slot (`NO_TIMER`: none), kept under the lock and
    /// read without it: how long the loop may park, and in a pool whether an idle worker
    /// should fire the timers of a busy one.
    next_tick: AtomicU64,
    /// Timers waiting (not fired yet): O(1), for the deadlock check.
    pending: AtomicUsize,
    /// Set when the scheduler is gone: its timers move to another clock.
    closed: AtomicBool,
}

impl Wheel {
    pub(crate) fn new() -> Self {
        Wheel::with_origin(Instant::now())
    }

    /// A wheel whose ticks count from `origin` (now or just before): the wheels of a pool's
    /// workers share one, so that their ticks fall on the same instants and one worker's
    /// wake-up fires the timers of all (`pool/worker.rs`, `park_until`).
    pub(crate) fn with_origin(origin: Instant) -> Self {
        Wheel {
            origin,
            inner: Mutex::new(Inner {
                elapsed: 0,
                levels: core::array::from_fn(|_| Level {
                    occupied: 0,
                    heads: [NIL; SLOTS],
                    tails: [NIL; SLOTS],
                }),
                entries: Slab::new(),
                waiting: 0,
            }),
            next_tick: AtomicU64::new(NO_TIMER),
            pending: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock (wakers are woken after it is released).
        crate::lock::lock(&self.inner)
    }

    /// Nanoseconds from the origin to `at` (0 before it; saturated 584 years after).
    #[inline]
    fn nanos(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.origin);
        since
            .as_secs()
            .checked_mul(1_000_000_000)
            .and_then(|n| n.checked_add(u64::from(since.subsec_nanos())))
            .unwrap_or(u64::MAX)
    }

    /// The tick `at` falls in, rounded down (for now).
    fn tick_floor(&self, at: Instant) -> u64 {
        self.nanos(at) >> TICK_SHIFT
    }

    /// The first tick at or after `at` (for deadlines: a timer never fires early), and `at`
    /// in nanoseconds.
    fn tick_ceil(&self, at: Instant) -> (u64, u64) {
        let nanos = self.nanos(at);
        (nanos.div_ceil(TICK_NANOS), nanos)
    }

    /// The instant tick `tick` starts at.
    fn instant_of(&self, tick: u64) -> Instant {
        self.origin + Duration::from_nanos(tick.saturating_mul(TICK_NANOS))
    }

    /// How many timers are waiting (inserted, not fired, not cancelled). O(1).
    pub(crate) fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// When the earliest waiting timer is due (the start of its slot: a slot of a higher
    /// level is due when its timers must move down), if any is.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match self.next_tick.load(Ordering::Acquire) {
            NO_TIMER => None,
            tick => Some(self.instant_of(tick)),
        }
    }

    /// Inserts a timer due at `deadline`, woken through `waker`; returns its key.
    pub(crate) fn insert(&self, deadline: Instant, waker: &Waker) -> Result<usize, Refused> {
        let (tick, at) = self.tick_ceil(deadline);
        let mut inner = self.lock();
        // Under the lock: `close` takes it too, so no timer goes in after the close.
        if self.closed.load(Ordering::Acquire) {
            return Err(Refused::Elsewhere);
        }
        if tick <= inner.elapsed {
            return Err(Refused::Due);
        }
        if level_for(inner.elapsed, tick) >= LEVELS {
            return Err(Refused::Elsewhere);
        }
        let key = inner.entries.insert(Entry {
            deadline: tick,
            at,
            waker: Some(waker.clone()),
            place: Place::Fired,
            prev: NIL,
            next: NIL,
        });
        let start = inner.link(key);
        inner.waiting += 1;
        // The earliest slot is this one, or the one that was.
        let next = self.next_tick.load(Ordering::Relaxed).min(start);
        self.next_tick.store(next, Ordering::Release);
        self.pending.store(inner.waiting, Ordering::Release);
        Ok(key)
    }

    /// Polls the timer `key`: `true` (and the entry removed) once it fired, else its waker
    /// is replaced by `waker` (when it would not wake the same task).
    ///
    /// `Err` when the wheel was closed (its scheduler is gone) before the timer fired: the
    /// entry is removed, and the caller keeps the deadline on another clock.
    pub(crate) fn poll(&self, key: usize, waker: &Waker) -> Result<bool, Refused> {
        let mut inner = self.lock();
        let entry = &mut inner.entries[key];
        if entry.place == Place::Fired {
            inner.entries.remove(key);
            return Ok(true);
        }
        if self.closed.load(Ordering::Acquire) {
            inner.remove(key);
            self.publish(&inner);
            return Err(Refused::Elsewhere);
        }
        match &mut entry.waker {
            Some(old) if old.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
        Ok(false)
    }

    /// Cancels the timer `key` (its sleep was dropped), fired or not.
    pub(crate) fn cancel(&self, key: usize) {
        let waker = {
            let mut inner = self.lock();
            let waker = inner.remove(key);
            self.publish(&inner);
            waker
        };
        drop(waker); // outside the lock: dropping a waker may drop a task, and its timers
    }

    /// Fires every timer due by now; returns how many fired. Their wakers are woken after
    /// the lock is released.
    pub(crate) fn fire_due(&self) -> usize {
        let next = self.next_tick.load(Ordering::Acquire);
        if next == NO_TIMER {
            return 0;
        }
        let now = self.tick_floor(Instant::now());
        if now < next {
            return 0; // nothing due: no lock taken
        }
        self.fire_until(now)
    }

    /// Fires every timer due by tick `now`, as [`Wheel::fire_due`], in deadline order.
    fn fire_until(&self, now: u64) -> usize {
        let mut due = Vec::new();
        {
            let mut inner = self.lock();
            inner.advance(now, &mut due);
            self.publish(&inner);
        }
        let fired = due.len();
        if fired > 1 && !due.is_sorted_by_key(|&(at, _)| at) {
            due.sort_by_key(|&(at, _)| at);
        }
        due.into_iter().for_each(|(_, waker)| waker.wake());
        fired
    }

    /// Closes the wheel (its scheduler is gone): every waiting timer's sleep is woken, and
    /// moves its deadline to another clock when it is polled; no timer goes in any more.
    pub(crate) fn close(&self) {
        let wakers: Vec<Waker> = {
            let mut inner = self.lock();
            self.closed.store(true, Ordering::Release);
            inner
                .entries
                .iter_mut()
                .filter(|(_, e)| e.place != Place::Fired)
                .filter_map(|(_, e)| e.waker.take())
                .collect()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Publishes what the lock-free readers see: the next tick and the count.
    fn publish(&self, inner: &Inner) {
        let next = inner
            .next_expiration()
            .map_or(NO_TIMER, |(_, _, tick)| tick);
        self.next_tick.store(next, Ordering::Release);
        self.pending.store(inner.waiting, Ordering::Release);
    }
}

/// The level a timer due at `deadline` goes in when the wheel is at `elapsed`: the level of
/// the highest 6-bit group in which the two differ (at least level 0). `LEVELS` or more: out
/// of range.
fn level_for(elapsed: u64, deadline: u64) -> usize {
    let differ = (elapsed ^ deadline) | SLOT_MASK;
    let highest = 63 - differ.leading_zeros();
    (highest / SLOT_BITS) as usize
}

/// The tick the current rotation of the level whose slots span `1 << shift` ticks started
/// at, the wheel being at `elapsed`: a slot's start is this plus its offset.
fn rotation_start(elapsed: u64, shift: u32) -> u64 {
    let span = shift + SLOT_BITS;
    if span >= 64 {
        0
    } else {
        elapsed & !((1u64 << span) - 1)
    }
}

impl Inner {
    /// Puts the entry `key` at the end of the list of the slot its deadline falls in (so a
    /// slot keeps the order timers came in, most often their deadlines' order too); returns
    /// the tick that slot starts at.
    fn link(&mut self, key: usize) -> u64 {
        let deadline = self.entries[key].deadline;
        let level = level_for(self.elapsed, deadline);
        debug_assert!(level < LEVELS, "checked by the caller");
        let shift = SLOT_BITS * level as u32;
        let slot = ((deadline >> shift) & SLOT_MASK) as usize;
        let index = u32::try_from(key).expect("fewer than 4 billion timers");
        let tail = self.levels[level].tails[slot];
        {
            let entry = &mut self.entries[key];
            entry.place = Place::Slot {
                level: level as u8,
                slot: slot as u8,
            };
            entry.prev = tail;
            entry.next = NIL;
        }
        let slots = &mut self.levels[level];
        if tail == NIL {
            slots.heads[slot] = index;
        } else {
            self.entries[tail as usize].next = index;
        }
        let slots = &mut self.levels[level];
        slots.tails[slot] = index;
        slots.occupied |= 1 << slot;
        rotation_start(self.elapsed, shift) + ((slot as u64) << shift)
    }

    /// Takes the entry `key` out of its slot's list (it must be in one).
    fn unlink(&mut self, key: usize) {
        let (level, slot, prev, next) = match self.entries[key] {
            Entry {
                place: Place::Slot { level, slot },
                prev,
                next,
                ..
            } => (level as usize, slot as usize, prev, next),
            _ => unreachable!("only an entry in a slot is unlinked"),
        };
        if prev == NIL {
            self.levels[level].heads[slot] = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NIL {
            self.levels[level].tails[slot] = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
        if self.levels[level].heads[slot] == NIL {
            self.levels[level].occupied &= !(1 << slot);
        }
        self.entries[key].place = Place::Fired;
    }

    /// Removes the entry `key`, wherever it is; gives its waker back (to drop unlocked).
    fn remove(&mut self, key: usize) -> Option<Waker> {
        if matches!(self.entries[key].place, Place::Slot { .. }) {
            self.unlink(key);
            self.waiting -= 1;
        }
        self.entries.remove(key).waker
    }

    /// The earliest occupied slot: its level, slot and the tick it starts at. A lower level's
    /// slots all come before a higher level's (each level spans the rest of the current slot
    /// of the level above), so the first level with a slot at or after the current one has it.
    fn next_expiration(&self) -> Option<(usize, usize, u64)> {
        for (level, slots) in self.levels.iter().enumerate() {
            if slots.occupied == 0 {
                continue;
            }
            let shift = SLOT_BITS * level as u32;
            let position = (self.elapsed >> shift) & SLOT_MASK;
            let ahead = slots.occupied & (u64::MAX << position);
            if ahead == 0 {
                continue;
            }
            let slot = u64::from(ahead.trailing_zeros());
            let start = rotation_start(self.elapsed, shift) + (slot << shift);
            return Some((level, slot as usize, start));
        }
        None
    }

    /// Moves the wheel to tick `now`: takes (into `due`, with its exact deadline) the waker
    /// of every timer due by then, and moves
    /// down the timers of every higher-level slot that started by then.
    fn advance(&mut self, now: u64, due: &mut Vec<(u64, Waker)>) {
        while let Some((level, slot, tick)) = self.next_expiration() {
            if tick > now {
                break;
            }
            self.elapsed = self.elapsed.max(tick);
            // Take the slot's whole list, then fire or re-place each entry.
            let mut key = self.levels[level].heads[slot];
            self.levels[level].heads[slot] = NIL;
            self.levels[level].tails[slot] = NIL;
            self.levels[level].occupied &= !(1 << slot);
            while key != NIL {
                let index = key as usize;
                key = self.entries[index].next;
                let entry = &mut self.entries[index];
                if entry.deadline <= now {
                    entry.place = Place::Fired;
                    let at = entry.at;
                    due.extend(entry.waker.take().map(|waker| (at, waker)));
                    self.waiting -= 1;
                } else {
                    self.link(index);
                }
            }
        }
        self.elapsed = self.elapsed.max(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    /// Counts its wake-ups.
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter(AtomicUsize::new(0)));
        (counter.clone(), Waker::from(counter))
    }

    /// The wheel at tick 0, and the instant of tick `t`.
    fn at(wheel: &Wheel, t: u64) -> Instant {
        wheel.instant_of(t)
    }

    #[test]
    fn a_timer_fires_at_its_tick_and_not_before() {
        let wheel = Wheel::new();
        let (count, waker) = counter();
        let key = wheel.insert(at(&wheel, 10), &waker).unwrap();
        assert_eq!(wheel.pending(), 1);
        assert_eq!(wheel.next_deadline(), Some(at(&wheel, 10)));
        assert_eq!(wheel.fire_until(9), 0);
        assert_eq!(wheel.poll(key, &waker), Ok(false));
        assert_eq!(wheel.fire_until(10), 1);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert_eq!(wheel.pending(), 0);
        assert_eq!(wheel.next_deadline(), None);
        assert_eq!(wheel.poll(key, &waker), Ok(true));
    }

    #[test]
    fn far_timers_move_down_the_levels_and_fire_on_their_tick() {
        let wheel = Wheel::new();
        let (count, waker) = counter();
        // One per level, and some on the boundaries between levels.
        let ticks = [
            1,
            63,
            64,
            65,
            4095,
            4096,
            4097,
            300_000,
            20_000_000,
            1 << 35,
        ];
        let keys: Vec<usize> = ticks
            .iter()
            .map(|&t| wheel.insert(at(&wheel, t), &waker).unwrap())
            .collect();
        for (n, &t) in ticks.iter().enumerate() {
            // Walk up to just before the deadline (in big steps), then onto it.
            assert_eq!(wheel.fire_until(t - 1), 0, "nothing fires before tick {t}");
            assert_eq!(count.0.load(Ordering::SeqCst), n);
            assert_eq!(wheel.fire_until(t), 1, "the timer of tick {t} fires on it");
            assert_eq!(wheel.poll(keys[n], &waker), Ok(true));
        }
        assert_eq!(wheel.pending(), 0);
    }

    #[test]
    fn timers_in_one_slot_of_a_higher_level_fire_in_separate_ticks() {
        let wheel = Wheel::new();
        let (count, waker) = counter();
        for t in [100, 101, 127] {
            wheel.insert(at(&wheel, t), &waker).unwrap();
        }
        assert_eq!(
            wheel.next_deadline(),
            Some(at(&wheel, 64)),
            "the slot moves down at 64"
        );
        assert_eq!(wheel.fire_until(99), 0);
        assert_eq!(wheel.next_deadline(), Some(at(&wheel, 100)));
        assert_eq!(wheel.fire_until(100), 1);
        assert_eq!(wheel.fire_until(126), 1);
        assert_eq!(wheel.fire_until(1000), 1);
        assert_eq!(count.0.load(Ordering::SeqCst), 3);
    }

    /// Records its number in a shared list when woken.
    struct Recorder(usize, Arc<std::sync::Mutex<Vec<usize>>>);

    impl Wake for Recorder {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    #[test]
    fn timers_that_fire_together_wake_in_deadline_order() {
        let wheel = Wheel::new();
        let woken = Arc::new(std::sync::Mutex::new(Vec::new()));
        let start = at(&wheel, 9);
        // Inserted latest first, all within tick 10.
        for n in [3, 2, 1] {
            let waker = Waker::from(Arc::new(Recorder(n, woken.clone())));
            let deadline = start + Duration::from_nanos(n as u64 * TICK_NANOS / 4);
            wheel.insert(deadline, &waker).unwrap();
        }
        wheel.fire_until(10);
        assert_eq!(*woken.lock().unwrap(), [1, 2, 3]);
    }

    #[test]
    fn a_cancelled_timer_never_fires_and_its_slot_empties() {
        let wheel = Wheel::new();
        let (count, waker) = counter();
        let a = wheel.insert(at(&wheel, 5), &waker).unwrap();
        let b = wheel.insert(at(&wheel, 5), &waker).unwrap();
        let c = wheel.insert(at(&wheel, 5), &waker).unwrap();
        wheel.cancel(b); // the middle of the list
        wheel.cancel(c); // its head
        assert_eq!(wheel.pending(), 1);
        wheel.cancel(a);
        assert_eq!(wheel.pending(), 0);
        assert_eq!(wheel.next_deadline(), None);
        assert_eq!(wheel.fire_until(10), 0);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_deadline_passed_or_out_of_range_is_refused() {
        let wheel = Wheel::new();
        let (_, waker) = counter();
        wheel.fire_until(10);
        assert_eq!(wheel.insert(at(&wheel, 10), &waker), Err(Refused::Due));
        let a_century = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
        assert_eq!(wheel.insert(a_century, &waker), Err(Refused::Elsewhere));
        let key = wheel.insert(at(&wheel, 11), &waker).unwrap();
        wheel.close();
        assert_eq!(wheel.poll(key, &waker), Err(Refused::Elsewhere));
        assert_eq!(
            wheel.insert(at(&wheel, 12), &waker),
            Err(Refused::Elsewhere)
        );
    }

    #[test]
    fn many_random_timers_fire_in_deadline_order_each_once() {
        let wheel = Wheel::new();
        let mut rng = fastrand::Rng::with_seed(7);
        let mut deadlines: Vec<(u64, usize)> = Vec::new();
        let (_, waker) = counter();
        for _ in 0..2000 {
            let bits = rng.u32(1..30);
            let t = 1 + rng.u64(..1 << bits);
            deadlines.push((t, wheel.insert(at(&wheel, t), &waker).unwrap()));
        }
        deadlines.sort_unstable();
        let mut now = 0;
        for &(t, key) in &deadlines {
            while now < t {
                assert_eq!(
                    wheel.poll(key, &waker),
                    Ok(false),
                    "not fired by tick {now}"
                );
                // Step in uneven strides, never past this deadline.
                let bits = rng.u32(1..30);
                now = t.min(now + 1 + rng.u64(..1 << bits));
                wheel.fire_until(now);
            }
            assert_eq!(wheel.poll(key, &waker), Ok(true), "fired by tick {t}");
        }
        assert_eq!(wheel.pending(), 0);
    }
}
