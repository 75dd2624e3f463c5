//! Nothing but tests: `#[task]` in an edition-2021 crate (see `tests/`).
