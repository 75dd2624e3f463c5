//! A scheduler's settings, as its `Builder` made them.

use std::time::Duration;

use crate::watchdog;

/// What `Scheduler::builder()` configures; shared by both flavours.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    /// Name a task that holds its thread longer than this between pause points.
    pub(crate) slow_poll: Option<Duration>,
    /// Read the clock around every poll and keep the time per task name, for `stats()`.
    pub(crate) measure_poll_time: bool,
    /// Draw the order of ready tasks from a generator seeded with this.
    pub(crate) seed: Option<u64>,
    /// Timers run on a virtual clock that jumps when no task is ready.
    pub(crate) virtual_time: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            slow_poll: Some(watchdog::DEFAULT_THRESHOLD),
            measure_poll_time: false,
            seed: seed_from_env(),
            virtual_time: false,
        }
    }
}

/// The variable that makes every scheduler built without `.seed(n)` use seed `n`.
pub(crate) const SEED_VAR: &str = "SCHEDULER_SEED";

/// `SCHEDULER_SEED`, when set to a number.
///
/// # Panics
///
/// When it is set to something that is not a number: a typo must not silently run
/// unseeded.
fn seed_from_env() -> Option<u64> {
    let value = std::env::var(SEED_VAR).ok()?;
    match value.trim().parse() {
        Ok(seed) => Some(seed),
        Err(_) => {
            panic!("{SEED_VAR}={value:?}: the seed must be a whole number, e.g. {SEED_VAR}=42")
        }
    }
}
