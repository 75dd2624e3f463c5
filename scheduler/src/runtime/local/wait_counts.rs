//! How many of a single-threaded scheduler's started tasks wait on what, kept as they pause,
//! wake and end, so that the loop decides in O(1) whether it may be deadlocked before it
//! parks, and the virtual clock whether real work is under way: the registry is walked only
//! to write a report.

use core::cell::Cell;

use crate::reason::Reason;

/// Counts of the registered tasks by the class of what they wait on (the `reason` of their
/// registry entry: `None` when not known).
#[derive(Default)]
pub(crate) struct WaitCounts {
    /// Tasks registered.
    registered: Cell<usize>,
    /// Tasks that wait on another task or a sync primitive of the scheduler
    /// ([`Reason::is_internal`]): if every task does, none may ever wake.
    internal: Cell<usize>,
    /// Tasks that wait on `run_in_thread` ([`Reason::Thread`]): real work is under way.
    on_a_thread: Cell<usize>,
}

impl WaitCounts {
    /// A task entered the registry, waiting on `reason`.
    #[inline]
    pub(crate) fn added(&self, reason: Option<Reason>) {
        self.registered.set(self.registered.get() + 1);
        self.count(reason, 1);
    }

    /// A registered task now waits on `to` instead of `from`.
    #[inline]
    pub(crate) fn changed(&self, from: Option<Reason>, to: Option<Reason>) {
        self.count(from, usize::MAX); // -1, wrapping
        self.count(to, 1);
    }

    /// A task that waited on `reason` left the registry.
    #[inline]
    pub(crate) fn removed(&self, reason: Option<Reason>) {
        self.registered.set(self.registered.get() - 1);
        self.count(reason, usize::MAX);
    }

    /// Adds `delta` (1, or -1 as `usize::MAX`) to the counts of `reason`'s classes.
    #[inline]
    fn count(&self, reason: Option<Reason>, delta: usize) {
        let Some(reason) = reason else { return };
        if reason.is_internal() {
            self.internal.set(self.internal.get().wrapping_add(delta));
        } else if reason == Reason::Thread {
            self.on_a_thread
                .set(self.on_a_thread.get().wrapping_add(delta));
        }
    }

    /// Whether every registered task (maybe none) waits on another task or a sync primitive.
    #[inline]
    pub(crate) fn all_internal(&self) -> bool {
        self.internal.get() == self.registered.get()
    }

    /// Whether a registered task waits on `run_in_thread`.
    #[inline]
    pub(crate) fn any_on_a_thread(&self) -> bool {
        self.on_a_thread.get() > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_internal_only_while_none_waits_on_anything_else() {
        let counts = WaitCounts::default();
        assert!(
            counts.all_internal(),
            "no task: none waits on anything else"
        );
        counts.added(None);
        assert!(!counts.all_internal(), "an unknown wait could be anything");
        counts.changed(None, Some(Reason::Recv));
        assert!(counts.all_internal());
        counts.added(Some(Reason::Sleep));
        assert!(!counts.all_internal(), "a sleeper wakes on its own");
        counts.changed(Some(Reason::Sleep), Some(Reason::Thread));
        assert!(counts.any_on_a_thread() && !counts.all_internal());
        counts.removed(Some(Reason::Thread));
        assert!(!counts.any_on_a_thread() && counts.all_internal());
        counts.removed(Some(Reason::Recv));
        assert!(counts.all_internal());
    }
}
