//! Nothing but tests: the library as a renamed dependency (see `tests/`).
