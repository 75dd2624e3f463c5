//! Helpers shared by the workspace's integration tests, examples and benchmarks (the
//! `scheduler` library itself lives in `scheduler/`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts how many of its tokens are alive: make tokens, move them into tasks, and check
/// that every one was dropped exactly once.
///
/// ```
/// let counter = scheduler_workspace::DropCounter::new();
/// let token = counter.token();
/// assert_eq!(counter.alive(), 1);
/// drop(token);
/// assert_eq!(counter.alive(), 0);
/// ```
#[derive(Clone, Default)]
pub struct DropCounter {
    alive: Arc<AtomicUsize>,
}

impl DropCounter {
    /// A counter with no live tokens.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new live token; dropping it counts down.
    pub fn token(&self) -> DropToken {
        self.alive.fetch_add(1, Ordering::SeqCst);
        DropToken { alive: self.alive.clone() }
    }

    /// How many tokens are alive now.
    pub fn alive(&self) -> usize {
        self.alive.load(Ordering::SeqCst)
    }
}

/// A value whose drop is counted by its [`DropCounter`].
pub struct DropToken {
    alive: Arc<AtomicUsize>,
}

impl Drop for DropToken {
    fn drop(&mut self) {
        self.alive.fetch_sub(1, Ordering::SeqCst);
    }
}
