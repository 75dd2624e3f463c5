//! Helpers for the integration tests that include them with `mod support;`: a [`Ledger`]
//! whose tokens count their own drops, and a [`Watchdog`] that ends a run that hangs.
#![allow(dead_code)] // each test file uses what it needs

use std::fmt;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Hands out labelled [`Token`]s and counts how many times each one was dropped, so a test
/// can check that every one was dropped exactly once: not leaked, not dropped twice.
///
/// ```ignore
/// let ledger = Ledger::new();
/// let token = ledger.token("task 1");
/// drop(token);
/// ledger.assert_each_dropped_once();
/// ```
#[derive(Clone, Default)]
pub struct Ledger {
    /// Each token's label and drop count, indexed by its id.
    entries: Arc<Mutex<Vec<(String, usize)>>>,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new token, named by `label` in failure messages.
    pub fn token(&self, label: impl Into<String>) -> Token {
        let mut entries = self.lock();
        entries.push((label.into(), 0));
        Token {
            id: entries.len() - 1,
            entries: self.entries.clone(),
        }
    }

    /// How many tokens were handed out.
    pub fn issued(&self) -> usize {
        self.lock().len()
    }

    /// How many tokens are alive (handed out and not dropped yet).
    pub fn alive(&self) -> usize {
        self.lock().iter().filter(|(_, drops)| *drops == 0).count()
    }

    /// Each token dropped other than exactly once, with its drop count.
    pub fn not_dropped_once(&self) -> Vec<(String, usize)> {
        self.lock()
            .iter()
            .filter(|(_, drops)| *drops != 1)
            .cloned()
            .collect()
    }

    /// # Panics
    ///
    /// When a token was leaked or dropped more than once, naming it.
    #[track_caller]
    pub fn assert_each_dropped_once(&self) {
        let wrong = self.not_dropped_once();
        assert!(
            wrong.is_empty(),
            "tokens not dropped exactly once (label, drops): {wrong:?}"
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, usize)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A value whose drops its [`Ledger`] counts.
pub struct Token {
    id: usize,
    entries: Arc<Mutex<Vec<(String, usize)>>>,
}

impl Drop for Token {
    fn drop(&mut self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries[self.id].1 += 1;
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.id)
    }
}

/// Ends the process, saying what hung, if it is not dropped within its limit: a test that
/// would wait forever fails instead.
pub struct Watchdog {
    _disarm: mpsc::Sender<()>,
}

impl Watchdog {
    /// Watches for `limit`; `what` says what was running if it runs out.
    pub fn new(limit: Duration, what: impl fmt::Display + Send + 'static) -> Self {
        let (disarm, disarmed) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = disarmed.recv_timeout(limit) {
                eprintln!("watchdog: still running after {limit:?}: {what}");
                std::process::exit(1);
            }
        });
        Watchdog { _disarm: disarm }
    }
}
