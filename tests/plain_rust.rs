//! Plain Rust in a `#[task]` body, all of it: reference parameters and `&self` methods,
//! std locks and `Rc`s between pauses on a pool, recursion, and futures no bigger than the
//! same `async fn`. The same cases run on edition 2021 in `tests/edition2021`.

include!("plain_rust/cases.rs");
