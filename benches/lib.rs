//! Nothing but benchmarks: `cargo bench --bench compare`; tables in `RESULTS.md`.
