//! What the benches that time whole workloads share: their settings from the environment,
//! the median of their rounds, and the CPU time the kernel counted. Included by each as a
//! module.

use std::time::Duration;

/// The number in the environment variable `name`, or `default`.
pub(crate) fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The median of `values` (the upper one of an even count).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// This process's resource usage so far (every thread).
pub(crate) fn own_usage() -> libc::rusage {
    // SAFETY: `getrusage` writes a `rusage` into the zeroed one we pass; RUSAGE_SELF is a
    // valid `who`.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    }
}

/// A `timeval` of a `rusage` as a duration.
pub(crate) fn time(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

/// The CPU time (user + system) in `usage`.
pub(crate) fn cpu_time(usage: &libc::rusage) -> Duration {
    time(usage.ru_utime) + time(usage.ru_stime)
}
