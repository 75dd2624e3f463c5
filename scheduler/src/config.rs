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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            slow_poll: Some(watchdog::DEFAULT_THRESHOLD),
            measure_poll_time: false,
        }
    }
}
