//! Cancellation that is finished when it returns: what dropping a future left still
//! shutting down elsewhere, and the way to wait for it.
//!
//! Dropping a future is synchronous, but a future may own work that runs as other tasks
//! (a [`scope`](crate::scope)'s children, maybe on other workers of a pool): dropping it
//! can only tell them to stop. So whoever cancels (a task's own cancellation, a timeout,
//! a scope whose child failed) drops through [`collect`], which hands back the [`Pending`]
//! shutdowns the drop started, and waits for them with [`poll_all`] before it reports
//! that the cancellation is done. Nothing here blocks a thread: the waiting is a `Poll`.
//!
//! A drop that happens outside any `collect` (a scheduler dropping its tasks, a pause value
//! dropped in plain code) leaves its shutdowns to run on their own, unwaited.

use core::cell::RefCell;
use core::task::{Context, Poll};
use std::sync::Arc;

/// Something a drop started that finishes later: ready once every task it cancelled has
/// had its state dropped.
pub(crate) trait Draining: Send + Sync {
    /// Ready once drained; else `cx`'s waker is woken when that may have changed.
    fn poll_drained(&self, cx: &mut Context<'_>) -> Poll<()>;
}

/// One shutdown still going on.
pub(crate) type Pending = Arc<dyn Draining>;

thread_local! {
    /// The shutdowns started by the drop going on on this thread, when its dropper waits
    /// for them (`None` when nobody does).
    static COLLECTED: RefCell<Option<Vec<Pending>>> = const { RefCell::new(None) };
}

/// Runs `drop_it` (which drops something) and gives its value, with every shutdown that
/// the drop started. Nested calls each get their own; a panic in `drop_it` hands what it
/// had collected to the `collect` around this one, if any.
pub(crate) fn collect<R>(drop_it: impl FnOnce() -> R) -> (R, Vec<Pending>) {
    /// Puts the outer collection back on unwind (the normal path does it itself).
    struct Restore(Option<Option<Vec<Pending>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                let mine = COLLECTED.replace(outer);
                // Pass on what was collected rather than lose it.
                mine.into_iter().flatten().for_each(leave);
            }
        }
    }
    let mut restore = Restore(Some(COLLECTED.replace(Some(Vec::new()))));
    let value = drop_it();
    let outer = restore.0.take().expect("restored once");
    let mine = COLLECTED.replace(outer).unwrap_or_default();
    (value, mine)
}

/// Called by a drop that started a shutdown: the `collect` around it, if any, waits for it.
pub(crate) fn leave(pending: Pending) {
    // At thread exit (a scheduler in a thread-local) nobody can wait: let it run alone.
    let _ = COLLECTED.try_with(|collected| {
        if let Some(collected) = collected.borrow_mut().as_mut() {
            collected.push(pending);
        }
    });
}

/// Polls every shutdown in `pending`, forgetting those that are done; ready once none is
/// left.
pub(crate) fn poll_all(pending: &mut Vec<Pending>, cx: &mut Context<'_>) -> Poll<()> {
    pending.retain(|p| p.poll_drained(cx).is_pending());
    if pending.is_empty() {
        Poll::Ready(())
    } else {
        Poll::Pending
    }
}
