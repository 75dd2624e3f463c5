//! [`Event`]: a flag tasks wait for (asyncio's `Event`).

use core::fmt;
use core::future::Future;
use core::sync::atomic::{AtomicU64, Ordering};

use crate::pause::Pause;
use crate::reason::why;

/// The lowest bit of `state`: the event is set.
const SET: u64 = 1;
/// What `set()` adds to `state` for each time it sets a clear event: the rest of the bits
/// count those times, so a waiter can tell it was set even if it was cleared again since.
const ONE_SET: u64 = 2;

/// A flag that tasks wait for, asyncio's `Event`: [`wait`](Event::wait) pauses until
/// [`set`](Event::set) is called; once set it stays set (later waits return at once) until
/// [`clear`](Event::clear). Built on `event-listener`.
///
/// Every task waiting when `set` is called is released, even if the event is cleared again
/// before it runs.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use scheduler::sync::Event;
///
/// #[scheduler::task]
/// fn waiter(ready: Rc<Event>) -> &'static str {
///     ready.wait(); // pauses until someone calls `set`
///     "released"
/// }
///
/// #[scheduler::task]
/// fn starter() -> Vec<&'static str> {
///     let ready = Rc::new(Event::new());
///     let handles: Vec<_> = (0..3).map(|_| scheduler::queue_to_run(waiter, (ready.clone(),))).collect();
///     scheduler::yield_now(); // they start, and wait
///     ready.set();
///     scheduler::wait_all(handles)
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(starter, ()), ["released"; 3]);
/// ```
#[derive(Default)]
pub struct Event {
    /// `SET`, plus `ONE_SET` times the number of times the event became set.
    state: AtomicU64,
    changed: event_listener::Event,
}

impl Event {
    /// A new event, not set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!scheduler::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the event, releasing every task that waits for it; later waits return at once
    /// until [`clear`](Event::clear). Setting a set event does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = scheduler::sync::Event::new();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn set(&self) {
        crate::context::note_possible_foreign_use();
        let became_set = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s & SET == 0).then(|| (s + ONE_SET) | SET)
            })
            .is_ok();
        if became_set {
            self.changed.notify(usize::MAX);
        }
    }

    /// Clears the event: later waits pause until it is set again.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = scheduler::sync::Event::new();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.state.fetch_and(!SET, Ordering::AcqRel);
    }

    /// Whether the event is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = scheduler::sync::Event::new();
    /// assert!(!e.is_set());
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) & SET != 0
    }

    /// ⏸ Pauses the task until the event is set; returns at once if it is set now.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn go(e: std::rc::Rc<scheduler::sync::Event>) {
    ///     e.wait(); // set already: does not pause
    /// }
    ///
    /// let e = std::rc::Rc::new(scheduler::sync::Event::new());
    /// e.set();
    /// scheduler::Scheduler::new().run_until_finished(go, (e,));
    /// ```
    #[track_caller]
    pub fn wait(&self) -> Pause<impl Future<Output = ()>> {
        Pause::because(why::Event, async move {
            let start = self.state.load(Ordering::Acquire);
            if start & SET != 0 {
                return;
            }
            // Released once the event is set, or was set (and maybe cleared) since we began.
            let released = |s: u64| s & SET != 0 || s != start;
            loop {
                let listener = self.changed.listen();
                if released(self.state.load(Ordering::Acquire)) {
                    return;
                }
                listener.await;
                if released(self.state.load(Ordering::Acquire)) {
                    return;
                }
            }
        })
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}
