//! The `#[task]`, `#[main]` and `#[test]` attributes of the [`scheduler`] crate. Use them
//! through its re-exports: `scheduler::task`, `scheduler::main`, `scheduler::test`.
//!
//! [`scheduler`]: https://docs.rs/scheduler
//!
//! # How a `#[task]` body pauses
//!
//! A `#[task]` fn is a plain fn: no `async`, no `.await`. Its body runs as a task, and every
//! call in it is a *possible* pause point: the macro wraps each call so that, when its value
//! is a pause value (`scheduler::sleep(d)`, `scheduler::wait(fut)`, a call to another
//! `#[task]` fn, ...), the task pauses there and gets the result; every other value passes
//! through untouched. Which calls pause is decided by the value's type, not by the called
//! fn's name, so wrapping pause points in your own helpers (a `#[task]` method) works.
//!
//! The rewrite looks into everything the body evaluates itself: blocks, `let` (and
//! `let`-`else`), `if`, `match`, loops, operators, `?`, fields, indexing, tuples, arrays,
//! struct literals, `return`, `break` with a value, and the arguments of `print!`,
//! `println!`, `eprint!`, `eprintln!`, `format!`, `format_args!`, `write!`, `writeln!`,
//! `panic!`, `assert!`, `assert_eq!`, `assert_ne!`, their `debug_` forms, `vec!` and `dbg!`.
//! It does not look into other macros (a pause point inside one is dropped unrun, which
//! panics naming the call site), nor into nested items (`fn`, `impl`, `const`, ...), which
//! are their own code.
//!
//! ## Calls left as they are
//!
//! Telling a pause value from another value needs the value's type where the call is. A few
//! calls usually get their type from later code, so the rewrite leaves them alone (they are
//! never pause points):
//!
//! - methods named `collect`, `sum`, `product`, `into`, `try_into`, `unwrap`, `expect`,
//!   `unwrap_or`, `unwrap_or_else`, `unwrap_or_default`, `clone`, `to_string`, `to_owned`,
//!   `iter`, `iter_mut`, `into_iter`, `as_ref`, `as_mut`, `borrow`, `borrow_mut`, `len`,
//!   `is_empty`;
//! - calls of paths ending in `Some`, `Ok`, `Err`, `default`, `from`, `into`, `try_from`,
//!   `drop`, and the fns that never return: `exit`, `abort`, `panic_any`, `resume_unwind`,
//!   `unreachable_unchecked`.
//!
//! If another call's type is only known later, the compiler says "type annotations needed"
//! at that call: write a turbofish (`"5".parse::<u32>()`) or annotate the `let`
//! (`let v: Vec<u32> = ...`). A call of a fn of your own that returns `!` needs the same
//! care: call it from a plain helper that returns the type expected there.
//!
//! ## Temporaries
//!
//! A call's value is dispatched within the statement that makes it, so the temporaries of
//! its arguments live to the end of that statement, as in plain code: `s.to_string().as_str()`
//! works. A `!Send` temporary in a call's arguments (`f(&Rc::new(1))`) is therefore held
//! across that call's pause, and makes the task `!Send`: bind it with `let` first.
//!
//! Every dispatched call is a suspension point to the compiler, even when its value is
//! not a pause (it passes through a ready future). So a `std::sync::MutexGuard` alive
//! while the body makes another call (`guard.push(x)`) is held across a suspension point:
//! the task is `!Send`, which a multi-threaded scheduler rejects, and clippy's
//! `await_holding_lock` says so. Use `scheduler::sync::Mutex` in tasks, whose guard is
//! `Send`, or touch the std guard without calls (`*guard += 1`).
//!
//! ## Closures
//!
//! A closure is plain code: it cannot pause. A pause point called inside a closure in a
//! `#[task]` body is a compile error at the call, saying what to write instead, unless the
//! closure *returns* it (`move || greet("hi", true)`): such a closure is itself a task,
//! which `queue_to_run` accepts.
//!
//! ## Misuse
//!
//! `#[task]` on an `async fn`, `.await` in the body, and `async` blocks or closures in the
//! body are compile errors at that token: write the call without `.await` (it pauses by
//! itself), and wait for a future from another library with `scheduler::wait(fut)`.
#![deny(missing_docs)]

mod args;
mod entry;
#[cfg(test)]
mod fuzz_tests;
mod krate;
mod lifetimes;
mod queue;
mod rewrite;
mod task;

use proc_macro::TokenStream;

use entry::Entry;

/// Marks a plain fn as a task: its calls to pause points pause, and calling it from another
/// `#[task]` fn is itself a pause point.
///
/// ```ignore
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn set_tv_channel(channel: u32) -> u32 {
///     scheduler::sleep(Duration::from_millis(20)); // other tasks run meanwhile
///     channel
/// }
///
/// let s = scheduler::Scheduler::new();
/// assert_eq!(s.run_until_finished(set_tv_channel, (7,)), 7);
/// ```
///
/// Works on free fns and methods (`&self`, `&mut self`, `self`), generic or not, with any
/// return type (`Result` with `?`, `impl Trait`, ...). Attributes and docs stay on the fn.
///
/// # Arguments
///
/// - `name = "..."`: the task's name in messages and traces, instead of the fn's path.
///
/// # What it stands for
///
/// ```ignore
/// #[task]
/// pub fn set_tv_channel(channel: u32) -> u32 { body }
/// ```
/// becomes
/// ```ignore
/// #[track_caller]
/// pub fn set_tv_channel(channel: u32)
///     -> ::scheduler::Pause<impl ::core::future::Future<Output = u32>> {
///     fn __scheduler_task_name() {}
///     ::scheduler::__private::task_pause(
///         ::core::any::type_name_of_val(&__scheduler_task_name), // or the `name`
///         async move {
///             use ::scheduler::__private::{PauseKind as _, QueueAnywhere as _, QueueHere as _, ValueKind as _};
///             let channel = channel;
///             body // each call `f(x)` written as:
///             // (match f(x) { v => (&v).__scheduler_kind().step(v) }).await
///         },
///     )
/// }
/// ```
/// The dispatch awaits `v` when it is a `Pause` and passes any other value through; see
/// the crate docs for which calls are left as they are.
#[proc_macro_attribute]
pub fn task(args: TokenStream, item: TokenStream) -> TokenStream {
    let (tokens, checked) = task::expand(args.into(), item.into());
    with_errors(tokens, checked)
}

/// Runs `main`'s body as a task on a fresh scheduler, until it returns.
///
/// ```ignore
/// #[scheduler::main]
/// fn main() {
///     scheduler::sleep(std::time::Duration::from_millis(1));
///     println!("{}", scheduler::run_until_finished(|| 7, ()));
/// }
/// ```
///
/// # Arguments
///
/// - `threads = N`: a work-stealing scheduler on `N` threads (tasks must be `Send`);
/// - `seed = N`: ready tasks run in a reproducible random order.
///
/// # What it stands for
///
/// ```ignore
/// #[scheduler::main(threads = 4)]
/// fn main() -> Result<(), E> { body }
/// ```
/// becomes
/// ```ignore
/// fn main() -> Result<(), E> {
///     #[scheduler::task(name = concat!(module_path!(), "::main"))] // expanded in place
///     fn __scheduler_main() -> Result<(), E> { body }
///     ::scheduler::Scheduler::builder().threads(4).build()
///         .run_until_finished(__scheduler_main, ())
/// }
/// ```
/// With no arguments, the scheduler is `::scheduler::Scheduler::new()`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry(Entry::Main, args, item)
}

/// A test whose body runs as a task on a fresh scheduler; adds `#[test]` itself.
///
/// ```ignore
/// #[scheduler::test]
/// fn sleeping_takes_time() {
///     let start = std::time::Instant::now();
///     scheduler::sleep(std::time::Duration::from_millis(5));
///     assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// }
/// ```
///
/// Takes the arguments of [`macro@main`] (`threads = N`, `seed = N`), keeps other attributes
/// (`#[should_panic]`, `#[ignore]`), and may return a `Result`. The task is named
/// `<module path>::<test fn name>`.
///
/// # What it stands for
///
/// ```ignore
/// #[scheduler::test]
/// fn adds_up() { body }
/// ```
/// becomes
/// ```ignore
/// #[::core::prelude::v1::test]
/// fn adds_up() {
///     #[scheduler::task(name = concat!(module_path!(), "::adds_up"))] // expanded in place
///     fn __scheduler_main() { body }
///     ::scheduler::Scheduler::new().run_until_finished(__scheduler_main, ())
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry(Entry::Test, args, item)
}

/// The shim shared by `#[main]` and `#[test]`.
fn entry(entry: Entry, args: TokenStream, item: TokenStream) -> TokenStream {
    let (tokens, checked) = entry::expand(entry, args.into(), item.into());
    with_errors(tokens, checked)
}

/// The expansion, followed by its errors as `compile_error!`s.
///
/// On error the expansion is still the best the macro could make (see `task::expand`), so
/// one mistake gives one error, not a cascade in the fn's callers.
fn with_errors(mut tokens: proc_macro2::TokenStream, checked: syn::Result<()>) -> TokenStream {
    if let Err(error) = checked {
        tokens.extend(error.to_compile_error());
    }
    tokens.into()
}
