//! Compile-time misuse of the macros: each case in `tests/ui/` is one mistake, named after
//! it, with the error it must produce in its `.stderr` (regenerate with
//! `TRYBUILD=overwrite cargo test --test ui`, then review each message: it must point at
//! the offending token and say what to write instead).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/*.rs");
}
