//! The single-threaded loop's deadlock check: when nothing is ready, whether every task
//! (and the root of a blocking call) waits on another task or on one of the scheduler's
//! sync primitives, and whether something outside the scheduler could still wake one.
//! ARCHITECTURE.md says when it is certain and when only suspected.

use core::future::Future;
use core::sync::atomic::Ordering;
use std::time::Duration;

use super::Local;
use crate::context;
use crate::misuse;
use crate::reason::Reason;

impl Local {
    /// Whether a task (or the root) waits on `run_in_thread`: real work is under way, so the
    /// virtual clock must not jump past it.
    pub(super) fn waits_on_a_thread(&self) -> bool {
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
    pub(super) fn deadlock_report(&self) -> Option<Deadlock> {
        if self.timers.pending() > 0 {
            return None; // a timer will wake a task
        }
        let root = self.root.get();
        if let Some((_, reason)) = root
            && !reason.is_some_and(Reason::is_internal)
        {
            return None;
        }
        if root.is_none() && self.registry.borrow().is_empty() {
            return None;
        }
        // Kept as tasks pause and end (`wait_counts.rs`): no walk of the registry at each
        // park, only to write a report.
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
    pub(super) fn waiting_report(&self) -> String {
        let mut waiting = Vec::new();
        if let Some((name, Some(reason))) = self.root.get() {
            waiting.push(format!(
                "  `{name}` (the root of `run_until_finished`): {reason}{}",
                self.root_stack.read().report_lines()
            ));
        }
        for (key, entry) in self.registry.borrow().iter() {
            if let Some(reason) = self.reasons.get(key) {
                waiting.push(format!(
                    "  `{}`: {reason}{}",
                    entry.name(),
                    entry.meta().stack.read().report_lines()
                ));
            }
        }
        format!(
            "{}\n{}\n{}",
            misuse::DEADLOCK,
            waiting.join("\n"),
            misuse::DEADLOCK_FIX
        )
    }
}

/// What a parked loop found when every task waits on another task or a sync primitive.
pub(super) enum Deadlock {
    /// Nothing can wake a task.
    Certain,
    /// Only something outside the scheduler could wake one (`why`).
    Suspected { why: String },
}

/// How long a loop that looks deadlocked waits for a wake-up before it panics: a plain thread
/// may still hold a sync primitive it will release.
pub(super) const DEADLOCK_GRACE: Duration = Duration::from_millis(500);

/// How often a loop that would be deadlocked but for something outside it (a live `Handle`,
/// another scheduler) looks again: that may have gone meanwhile.
pub(super) const DEADLOCK_RECHECK: Duration = Duration::from_secs(1);

/// How long such a loop waits before it says on stderr that it may be deadlocked.
pub(super) const DEADLOCK_WARN: Duration = Duration::from_secs(5);

/// Whether `woken` fires within `limit`.
#[cfg(not(miri))]
pub(super) async fn wakes_within(
    woken: &mut (impl Future<Output = ()> + Unpin),
    limit: Duration,
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
pub(super) async fn wakes_within(
    woken: &mut (impl Future<Output = ()> + Unpin),
    limit: Duration,
) -> bool {
    if limit == DEADLOCK_GRACE {
        return false;
    }
    woken.await;
    true
}
