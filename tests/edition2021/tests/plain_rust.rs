//! The plain-Rust cases of the workspace (`tests/plain_rust/cases.rs`), on edition 2021:
//! reference parameters, `&self` methods and `'_` in paths must compile here too, where an
//! `impl Trait` return type holds only the lifetimes its bounds name.

include!("../../plain_rust/cases.rs");
